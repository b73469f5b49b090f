"""What the admin settings pages share (support levels: frontline.desk.views.
support_settings; teams and rules: .routing_settings): the admin gate, the posted
form, a refusal shown on its form next to its field, and "saved" as a flash on
the page the admin goes back to."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from frontline.core import permissions
from frontline.core.errors import FrontlineError, InvalidInput
from frontline.desk.views.common import View, desk_user, desk_view, error_page, render_desk


def admin_view(view: View) -> View:
    """A settings page: signed-in staff (desk_view), and admins only; anyone else
    sees the refusal."""

    @desk_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            permissions.check_is_admin(desk_user(request))
        except FrontlineError as error:
            return error_page(request, error)
        return view(request, *args, **kwargs)

    return wrapper


Found = TypeVar("Found")


def found_or_404(find: Callable[..., Found | None], pk: int, **options: Any) -> Found:
    """The record a settings page's URL names, by its owner's finder (find_team,
    find_plan, ...); the 404 page when there is none."""
    try:
        found = find(pk, **options)
    except InvalidInput as error:
        raise Http404(error.message) from None
    if found is None:
        raise Http404("Not found.")
    return found


def posted(request: HttpRequest, fields: tuple[str, ...],
           checkboxes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form as posted: text fields trimmed, checkboxes as True/False (a box
    left unticked is not posted at all)."""
    form: dict[str, Any] = {field: request.POST.get(field, "").strip()
                            for field in fields if field not in checkboxes}
    for field in checkboxes:
        form[field] = request.POST.get(field) == "on"
    return form


def error_context(error: FrontlineError | None) -> dict[str, Any]:
    """What a form template needs to show a refusal next to its field."""
    return {"error": error.message if error else "", "error_field": error.field if error else ""}


def error_status(error: FrontlineError | None) -> int:
    if error is None:
        return 200
    # "No team 7" named on a form field is bad input, not a missing page.
    return 422 if error.status_code == 404 else error.status_code


def render_form(request: HttpRequest, template: str, context: dict[str, Any],
                error: FrontlineError | None = None) -> HttpResponse:
    """A settings page with its form, showing `error` (if any) next to its field."""
    return render_desk(request, template, {**context, **error_context(error)},
                       status=error_status(error))


def saved(request: HttpRequest, message: str, to: str, *args: Any, **kwargs: Any
          ) -> HttpResponse:
    """After a change: back to `to` (a URL name and its arguments), with `message`
    shown there as a flash."""
    messages.success(request, message)
    return redirect(to, *args, **kwargs)
