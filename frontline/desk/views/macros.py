"""Canned replies in the desk: the macros settings page (/settings/macros: your
own and the shared ones; agents keep their personal macros, admins the shared
ones) and the picker in a ticket's composer (/t/<ref>/macros).

Picking a macro applies it at once, as `POST /api/v1/tickets/{ref}/macros/{id}`
does (frontline.workflow.macros.apply_macro): its changes are made and shown on
the page, and its text is put into the composer for the agent to read, complete
and send. Applying at insert, not at send, keeps one operation for desk and API
and leaves the send path (collision checks, undo) untouched; the picker lists
each macro's changes before the agent picks it, and each change is an event the
agent can undo like any other. When the macro sets a status, the composer's
"status after sending" is set to it too, so that sending does not undo it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput, NotAllowed, NotFound
from frontline.core.models import User
from frontline.desk.views.common import desk_user, desk_view, error_page
from frontline.desk.views.settings_common import found_or_404, posted, render_form, saved
from frontline.desk.views.tickets import changed_response, load_ticket
from frontline.kb import macros, placeholders
from frontline.kb.models import Macro
from frontline.routing import teams
from frontline.tickets.taxonomy import Status
from frontline.workflow.macros import apply_macro, preview_macro

MACRO_FORM = ("title", "body", "shared", "status", "assignee", "team", "tags")
PICKER_LIMIT = 20


def _form_of(macro: Macro) -> dict[str, Any]:
    return {"title": macro.title, "body": macro.body, "shared": macro.shared,
            "status": macro.set_status,
            "assignee": macro.set_assignee.username if macro.set_assignee else "",
            "team": macro.set_team.name if macro.set_team else "", "tags": macro.add_tags}


def _rows(user: User) -> list[dict[str, Any]]:
    return [{"macro": m, "planned": macros.planned_changes(m),
             "can_manage": permissions.can_manage_macro(user, m.owner_id)}
            for m in macros.usable_macros(user)]


def _page(request: HttpRequest, template: str, context: dict[str, Any],
          error: FrontlineError | None = None) -> HttpResponse:
    user = desk_user(request)
    return render_form(request, template, {
        "can_share": permissions.can_manage_macro(user, None),
        "can_keep": permissions.can_manage_macro(user, user.pk),
        "statuses": Status.choices,
        "owners": list(permissions.ticket_owners(User.objects.all()).order_by("username")),
        "teams": list(teams.teams()),
        "placeholders": [*placeholders.PLACEHOLDERS, placeholders.FACT_HELP],
        **context}, error)


def _posted(request: HttpRequest) -> dict[str, Any]:
    return posted(request, MACRO_FORM, checkboxes=("shared",))


@desk_view
def macro_list(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    if request.method != "POST":
        return _page(request, "desk/macros/list.html", {"rows": _rows(user), "form": {}})
    form = _posted(request)
    try:
        macro = macros.create_macro(user, **form)
    except FrontlineError as error:
        return _page(request, "desk/macros/list.html", {"rows": _rows(user), "form": form},
                     error)
    return saved(request, f"Macro {macro.title} added.", "desk:macros")


@desk_view
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    macro = found_or_404(lambda value: macros.find_macro(user, value), pk)
    if not permissions.can_manage_macro(user, macro.owner_id):
        return error_page(request, NotAllowed("Only an admin may change shared macros."))
    if request.method != "POST":
        return _page(request, "desk/macros/edit.html", {"macro": macro, "form": _form_of(macro)})
    form = _posted(request)
    if not permissions.can_manage_macro(user, None):
        form.pop("shared")  # the box is not shown: an agent's macro stays theirs
    try:
        macro = macros.update_macro(user, macro, **form)
    except FrontlineError as error:
        return _page(request, "desk/macros/edit.html", {"macro": macro, "form": form}, error)
    return saved(request, f"Macro {macro.title} saved.", "desk:macros")


@desk_view
@require_POST
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    macro = found_or_404(lambda value: macros.find_macro(user, value), pk)
    try:
        macros.delete_macro(user, macro)
    except FrontlineError as error:
        return error_page(request, error)
    return saved(request, f"Macro {macro.title} removed.", "desk:macros")


# -- the picker in the composer ------------------------------------------------------------


@desk_view
def picker(request: HttpRequest, reference: str) -> HttpResponse:
    """The macros matching `search`, each filled in for this ticket with what it changes
    and the fit hook's warnings (frontline.kb.fit)."""
    user = desk_user(request)
    search = request.GET.get("search", "")[:200]
    try:
        ticket = workflow.get_ticket(reference)
        permissions.check_can_change_ticket(user, ticket)
        found = list(macros.usable_macros(user, search)[:PICKER_LIMIT])
        rows = [{"macro": m, "preview": preview_macro(ticket, user, m),
                 "planned": macros.planned_changes(m)} for m in found]
    except FrontlineError as error:
        return error_page(request, error)
    template = "desk/macros/_results.html" if request.GET.get("results") else \
        "desk/macros/_picker.html"
    return render(request, template, {"ticket": ticket, "rows": rows, "search": search})


@desk_view
@require_POST
def apply(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Apply the macro and answer with its text for the composer and what changed
    (the header, side panel and timeline follow out of band)."""
    user = desk_user(request)
    since = timezone.now()
    try:
        ticket = load_ticket(reference)
        # Before the macro is looked up, as for every change (act_on_ticket): a role that
        # may not change the ticket hears that, not whether the macro exists.
        permissions.check_can_change_ticket(user, ticket)
        try:
            macro = macros.find_macro(user, pk)
        except InvalidInput as error:
            raise NotFound(error.message) from None
        assert macro is not None  # found by its id, never blank
        applied = apply_macro(ticket, user, macro)
    except FrontlineError as error:
        return error_page(request, error)
    return changed_response(request, user, applied.ticket.pk, since,
                            main="desk/macros/_applied.html",
                            extra={"applied": applied, "macro": macro})


def urlpatterns_under(prefix: str) -> list[URLPattern]:
    return [
        path(f"{prefix}macros", macro_list, name="macros"),
        path(f"{prefix}macros/<int:pk>", macro_edit, name="macro"),
        path(f"{prefix}macros/<int:pk>/delete", macro_delete, name="macro_delete"),
    ]


ticket_urlpatterns = [
    path("t/<str:reference>/macros", picker, name="macro_picker"),
    path("t/<str:reference>/macros/<int:pk>", apply, name="macro_apply"),
]
