"""Bulk changes: `POST /tickets/bulk` applies one set of changes, or a merge, to
many tickets (frontline.workflow.bulk).

Each ticket is changed as `PATCH /tickets/{reference}` would change it (or
merged as `POST /tickets/{reference}/merge` would), with the same permission and
the same events, in its own transaction. A refusal on one ticket does not stop
the others: the answer is 200 with one result per reference, each `changed`,
`merged`, `kept` (the merge's target) or `refused` with the status and message a
single change would have answered. What no ticket could take (an unknown field,
a value that names nothing, more than 500 references) is 422 and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, NonEmptyText, Omissible, Text
from frontline.api.tickets import PriorityName, StatusName
from frontline.routing.inputs import MAX_TAG
from frontline.workflow import bulk

router = Router(tags=["tickets"])


class BulkChangesIn(InputSchema):
    """Either changes (any of status to tags) or a merge (`merge_into`)."""

    status: Omissible[StatusName] = None
    priority: Omissible[PriorityName] = None
    tier: Omissible[Annotated[int, Field(ge=1, le=3)]] = None
    team: Text | None = Field(None, description="A team name (or id); null clears it.")
    assignee: Text | None = Field(None, description="A username; null unassigns.")
    category: Text | None = Field(None, description="A category slug; null clears it.")
    tags: Omissible[Annotated[list[Annotated[NonEmptyText, Field(max_length=MAX_TAG)]],
                              Field(max_length=50)]] = Field(
        None, description="Tags to add; the tickets' own tags stay.")
    reason: Omissible[Text] = Field(None, description="Why the tier changes (required with "
                                                  "`tier`).")
    merge_into: Omissible[NonEmptyText] = Field(
        None, description="Merge the other tickets into this reference, or `oldest`: the "
                          "earliest opened of them. Takes no other change.",
        examples=["oldest", "FL-10427"])
    confirm_other_customer: Omissible[bool] = Field(
        None, description="With `merge_into`: merge other customers' requests too "
                          "(refused per ticket without it, 409).")


class BulkIn(InputSchema):
    references: list[NonEmptyText] = Field(
        min_length=1, description=f"The tickets, at most {bulk.MAX_TICKETS}; a reference "
                                  "given twice counts once.",
        examples=[["FL-10427", "FL-10431"]])
    changes: BulkChangesIn


class BulkResultOut(Schema):
    reference: str
    result: Literal["changed", "merged", "kept", "refused"]
    status: int = Field(description="The status a single change would have answered.")
    detail: str | None = Field(description="Why it was refused.")
    field: str | None = Field(description="The field to blame, if one is.")


class BulkOut(Schema):
    results: list[BulkResultOut]
    changed: int = Field(description="Tickets changed or merged.")
    refused: int


@router.post("/bulk", response={200: BulkOut, **ERROR_RESPONSES})
def bulk_change(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    """Change many tickets at once; one result per ticket, refusals included."""
    user = request_user(request)
    changes = payload.changes.model_dump(exclude_unset=True)
    outcomes = bulk.change_tickets(user, payload.references, changes)
    refused = bulk.refused_count(outcomes)
    return {
        "results": [{"reference": o.reference, "result": o.result, "status": o.status_code,
                     "detail": o.message or None, "field": o.field} for o in outcomes],
        "changed": sum(1 for o in outcomes if o.result in ("changed", "merged")),
        "refused": refused,
    }
