"""Canned replies (macros): list, create, change, delete; apply one to a ticket.

Everyone sees the shared macros and their own; someone else's personal macro
does not exist for them (404, never 403, so its title does not leak). Agents
keep their personal macros, admins the shared ones (403 otherwise:
frontline.core.permissions.can_manage_macro). Placeholders in `body` are
checked when saved (422 naming `body`): {{ customer.first_name }},
{{ customer.name }}, {{ ticket.reference }}, {{ ticket.subject }}, {{ promise }},
{{ agent.first_name }} and {{ fact.<key> }}.

`POST /tickets/{reference}/macros/{id}` fills the text in for the ticket and
makes the macro's changes at once, through the same checks as PATCH
/tickets/{reference} (all or none); it does not send the text: send it with POST
/tickets/{reference}/messages once read (a value the ticket does not know shows
as "[first name unknown]").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from frontline import workflow
from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, NonEmptyText, Omissible, Text
from frontline.api.tickets import StatusName
from frontline.core import permissions
from frontline.core.models import User
from frontline.kb import macros
from frontline.kb.models import Macro
from frontline.routing.inputs import MAX_TAG
from frontline.workflow.macros import apply_macro

router = Router(tags=["macros"])

PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Title = Annotated[NonEmptyText, Field(max_length=macros.MAX_TITLE)]
Body = Annotated[Text, Field(max_length=macros.MAX_BODY)]
Person = Annotated[NonEmptyText, Field(max_length=150, description="A username.")]
TeamName = Annotated[NonEmptyText, Field(max_length=100, description="A team's name or id.")]
Tags = Annotated[list[Annotated[NonEmptyText, Field(max_length=MAX_TAG)]],
                 Field(max_length=50, description="Tags to add; tags the ticket has stay.")]


# -- shapes -------------------------------------------------------------------------------


class MacroOut(Schema):
    id: int
    title: str
    body: str = Field(description="The text with its placeholders, as written.")
    shared: bool = Field(description="Shared with the whole desk (kept by admins), or "
                                     "your own.")
    owner: str | None = Field(description="Your username for a personal macro; null when "
                                          "shared.")
    status: StatusName | None = Field(description="The status it sets, if any.")
    assignee: str | None = Field(description="The username it assigns to, if any.")
    team: str | None = Field(description="The team it moves the ticket to, if any.")
    tags: list[str] = Field(description="The tags it adds.")
    created_at: datetime
    updated_at: datetime


class MacroListOut(Schema):
    items: list[MacroOut]


class MacroIn(InputSchema):
    title: Title
    body: Body = ""
    shared: bool = Field(False, description="Admins only.")
    status: StatusName | None = None
    assignee: Person | None = None
    team: TeamName | None = None
    tags: Tags = []


class MacroPatchIn(InputSchema):
    title: Omissible[Title] = None
    body: Omissible[Body] = None
    shared: Omissible[bool] = None
    status: StatusName | None = Field(None, description="null: set no status.")
    assignee: Person | None = Field(None, description="null: assign nobody.")
    team: TeamName | None = Field(None, description="null: move to no team.")
    tags: Omissible[Tags] = None


class ChangeOut(Schema):
    field: str = Field(examples=["status", "assignee", "team", "tags"])
    before: str | list[str] | None
    after: str | list[str] | None


class AppliedMacroOut(Schema):
    ticket: str = Field(description="The ticket's reference.", examples=["FL-10427"])
    macro: int
    text: str = Field(description="The text to send, its placeholders filled in; a value "
                                   "the ticket does not know reads \"[first name unknown]\".")
    changes: list[ChangeOut] = Field(description="The changes made (a value the ticket had "
                                                 "already is none).")
    warnings: list[str] = Field(description="Why the macro may not fit this ticket (from "
                                            "the knowledge base's fit checks; none yet).")


# -- rendering ------------------------------------------------------------------------------


def macro_out(macro: Macro) -> dict[str, Any]:
    return {"id": macro.pk, "title": macro.title, "body": macro.body, "shared": macro.shared,
            "owner": macro.owner.username if macro.owner else None,
            "status": macro.set_status or None,
            "assignee": macro.set_assignee.username if macro.set_assignee else None,
            "team": macro.set_team.name if macro.set_team else None,
            "tags": macro.tag_names, "created_at": macro.created_at,
            "updated_at": macro.updated_at}


def _macro(user: User, macro_id: int) -> Macro:
    return in_path(lambda value: macros.find_macro(user, value), macro_id)


# -- endpoints ------------------------------------------------------------------------------


class MacroFilters(Schema):
    # Text, not str: PostgreSQL refuses a NUL in the search (a 422 naming no field).
    q: Annotated[Text, Field(max_length=200)] = Field(
        "", description="Words the title or text holds.")


@router.get("/macros", response={200: MacroListOut, **ERROR_RESPONSES})
def list_macros(request: HttpRequest, filters: Query[MacroFilters]) -> dict[str, Any]:
    """The shared macros and your own (yours first), by title."""
    user = request_user(request)
    return {"items": [macro_out(m) for m in macros.usable_macros(user, filters.q)]}


@router.post("/macros", response={201: MacroOut, **ERROR_RESPONSES})
def create_macro(request: HttpRequest, payload: MacroIn) -> Status[dict[str, Any]]:
    """Add a macro: your own, or `shared` (admins)."""
    macro = macros.create_macro(request_user(request), **payload.model_dump())
    return Status(201, macro_out(macro))


@router.patch("/macros/{macro_id}", response={200: MacroOut, **ERROR_RESPONSES})
def update_macro(request: HttpRequest, macro_id: PathId,
                 payload: MacroPatchIn) -> dict[str, Any]:
    """Change your macro (a shared one: admins)."""
    user = request_user(request)
    changes = payload.model_dump(exclude_unset=True)
    return macro_out(macros.update_macro(user, _macro(user, macro_id), **changes))


@router.delete("/macros/{macro_id}", response={204: None, **ERROR_RESPONSES})
def delete_macro(request: HttpRequest, macro_id: PathId) -> Status[None]:
    """Remove your macro (a shared one: admins)."""
    user = request_user(request)
    macros.delete_macro(user, _macro(user, macro_id))
    return Status(204, None)


@router.post("/tickets/{reference}/macros/{macro_id}",
             response={200: AppliedMacroOut, **ERROR_RESPONSES})
def apply_to_ticket(request: HttpRequest, reference: str, macro_id: PathId) -> dict[str, Any]:
    """Fill the macro in for the ticket and make its changes (all or none; 409 for a
    status the ticket cannot move to or a merged ticket). The text is not sent."""
    user = request_user(request)
    ticket = workflow.get_ticket(reference)
    # A role that may not change the ticket hears that first, not whether the macro exists.
    permissions.check_can_change_ticket(user, ticket)
    macro = _macro(user, macro_id)
    applied = apply_macro(ticket, user, macro)
    return {"ticket": applied.ticket.reference, "macro": macro.pk, "text": applied.text,
            "changes": [{"field": c.field, "before": c.before, "after": c.after}
                        for c in applied.changes],
            "warnings": applied.warnings}
