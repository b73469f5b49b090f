"""Keeping canned replies (macros): personal ones by their owner, shared ones by
admins (frontline.core.permissions.can_manage_macro decides), and finding the
ones a person may use.

A macro's text is checked when it is saved (frontline.kb.placeholders), so an
unknown placeholder is a form error now, not a gap in a customer's mail later.
Its changes are read by their owners' finders, as a single change on a ticket
reads them: status (tickets), assignee (core.accounts.find_assignee), team
(routing.teams.find_team), tags (routing.inputs.tags). Whether they may be made
on a given ticket is decided when the macro is applied (frontline.workflow.macros),
by the same functions as a single change.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from frontline.core import inputs, permissions
from frontline.core.accounts import find_assignee
from frontline.core.errors import InvalidInput
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.kb import placeholders
from frontline.kb.models import Macro
from frontline.routing import inputs as routing_inputs
from frontline.routing.teams import find_team
from frontline.tickets.services.inputs import parse_status

MAX_TITLE = 200
MAX_BODY = 20_000
MACRO_FIELDS = ("title", "body", "shared", "status", "assignee", "team", "tags")


def usable_macros(user: User, search: str = "") -> QuerySet[Macro]:
    """The macros `user` sees: the shared ones and their own, theirs first, then by
    title; `search` narrows them to those whose title or text holds it."""
    found = Macro.objects.filter(Q(owner__isnull=True) | Q(owner_id=user.pk))
    words = search.split()
    for word in words[:8]:
        found = found.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return found.select_related("set_team", "set_assignee", "owner").order_by(
        "owner_id", "title", "id")


def find_macro(user: User, value: Any, *, field: str = "macro") -> Macro | None:
    """The macro with this id among those `user` sees; None when blank. Someone
    else's personal macro is refused exactly like one that does not exist."""
    if inputs.blank(value):
        return None
    number = as_id(value)
    found = usable_macros(user).filter(pk=number).first() if number is not None else None
    if found is None:
        raise InvalidInput(f"No macro '{value}'.", field=field)
    return found


def _title(value: Any, owner_id: int | None, macro: Macro) -> str:
    title = inputs.name(value, "title", what="A macro", max_length=MAX_TITLE)
    same_scope = Macro.objects.filter(owner_id=owner_id) if owner_id else \
        Macro.objects.filter(owner__isnull=True)
    if same_scope.exclude(pk=macro.pk).filter(title__iexact=title).exists():
        where = "your macros" if owner_id else "the shared macros"
        raise InvalidInput(f"There is already a macro called '{title}' among {where}.",
                           field="title")
    return title


def _apply(macro: Macro, changes: dict[str, Any]) -> None:
    """Read every change into `macro` (unsaved); InvalidInput naming the field."""
    unknown = sorted(set(changes) - set(MACRO_FIELDS))
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not a field of a macro.", field=unknown[0])
    if "body" in changes:
        body = "" if changes["body"] is None else str(changes["body"]).strip()
        if len(body) > MAX_BODY:
            raise InvalidInput(f"The text is at most {MAX_BODY} characters.", field="body")
        placeholders.check(body)
        macro.body = body
    if "status" in changes:
        macro.set_status = "" if inputs.blank(changes["status"]) else \
            parse_status(str(changes["status"]).strip())
    if "assignee" in changes:
        macro.set_assignee = find_assignee(changes["assignee"])
    if "team" in changes:
        macro.set_team = find_team(changes["team"])
    if "tags" in changes:
        macro.add_tags = routing_inputs.tags(changes["tags"] or "", field="tags")
    if "title" in changes or "shared" in changes:
        macro.title = _title(changes.get("title", macro.title), macro.owner_id, macro)
    if not (macro.body or macro.set_status or macro.set_assignee_id or macro.set_team_id
            or macro.add_tags):
        raise InvalidInput("A macro needs a text or at least one change to make.",
                           field="body")


def _save(macro: Macro) -> None:
    """Save; the same title saved at the same moment by two requests loses to the
    unique constraint, and is refused like any taken title."""
    try:
        with transaction.atomic():
            macro.save()
    except IntegrityError:
        raise InvalidInput(f"There is already a macro called '{macro.title}'.",
                           field="title") from None


def _owner(actor: User, shared: Any) -> int | None:
    if not isinstance(shared, bool):
        raise InvalidInput("Say yes or no: shared with the whole desk?", field="shared")
    return None if shared else actor.pk


@transaction.atomic
def create_macro(actor: User, *, title: Any, body: Any = "", shared: Any = False,
                 status: Any = None, assignee: Any = None, team: Any = None,
                 tags: Any = None) -> Macro:
    """A new macro: the actor's own, or shared (admins)."""
    owner_id = _owner(actor, shared)
    permissions.check_can_manage_macro(actor, owner_id)
    macro = Macro(owner_id=owner_id)
    _apply(macro, {"title": title, "body": body, "status": status, "assignee": assignee,
                   "team": team, "tags": tags})
    _save(macro)
    return usable_macros(actor).get(pk=macro.pk)


@transaction.atomic
def update_macro(actor: User, macro: Macro, **changes: Any) -> Macro:
    """Change a macro. Moving one between personal and shared takes the right to
    keep it on both sides (an admin shares their own, or takes a shared one back)."""
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    permissions.check_can_manage_macro(actor, macro.owner_id)
    if "shared" in changes:
        macro.owner_id = _owner(actor, changes["shared"])
        permissions.check_can_manage_macro(actor, macro.owner_id)
    _apply(macro, changes)
    _save(macro)
    return usable_macros(actor).get(pk=macro.pk)


@transaction.atomic
def delete_macro(actor: User, macro: Macro) -> None:
    permissions.check_can_manage_macro(actor, macro.owner_id)
    Macro.objects.filter(pk=macro.pk).delete()


def planned_changes(macro: Macro) -> list[str]:
    """What applying the macro does to a ticket, as the desk lists it."""
    planned = []
    if macro.set_status:
        planned.append(f"status: {macro.get_set_status_display().lower()}")
    if macro.set_assignee is not None:
        planned.append(f"assign: {macro.set_assignee.display_name}")
    if macro.set_team is not None:
        planned.append(f"team: {macro.set_team.name}")
    if macro.tag_names:
        planned.append("tags: + " + ", ".join(macro.tag_names))
    return planned
