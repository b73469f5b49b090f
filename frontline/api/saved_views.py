"""Saved views: a queue with its filters under a name, yours or shared with the
desk (frontline.tickets.services.saved_views).

`GET /views` lists the shared views and yours, each with `count`: how many tickets
it lists now for you, stopping at 1000 (`capped`), as the desk's sidebar counts.
`query` is the filters as the desk's queue page reads them (status, priority,
tier, team, assignee, sort); values a queue would ignore are not saved. Someone
else's personal view does not exist for you (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, NonEmptyText, Text
from frontline.tickets.models import SavedView
from frontline.tickets.selectors import QUEUES, capped_counts, saved_view_tickets
from frontline.tickets.services import saved_views

router = Router(tags=["views"])

PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]
COUNT_CAP = 1000


class SavedViewOut(Schema):
    id: int
    name: str
    shared: bool
    queue: str = Field(description=f"One of {', '.join(QUEUES)}.")
    query: str = Field(description="The filters, as a query string.",
                       examples=["status=resolved&team=3"])
    url: str = Field(description="The view in the desk.", examples=["/q/open?status=resolved"])
    count: int
    capped: bool = Field(description=f"True when the count stopped at {COUNT_CAP}.")
    created_at: datetime


class SavedViewListOut(Schema):
    items: list[SavedViewOut]


class SavedViewIn(InputSchema):
    name: Annotated[NonEmptyText, Field(max_length=saved_views.MAX_NAME)]
    queue: NonEmptyText = Field("open", description=f"One of {', '.join(QUEUES)}.")
    query: Annotated[Text, Field(max_length=1000)] = Field(
        "", description="The filters as a query string, e.g. status=resolved&priority=4.")
    shared: bool = Field(False, description="Show it to the whole desk.")


def _out(view: SavedView, count: int) -> dict[str, Any]:
    return {"id": view.pk, "name": view.name, "shared": view.shared, "queue": view.queue,
            "query": view.query, "url": view.get_absolute_url(), "count": count,
            "capped": count >= COUNT_CAP, "created_at": view.created_at}


def _counted(user: Any, views: list[SavedView]) -> list[dict[str, Any]]:
    counts = capped_counts({str(v.pk): saved_view_tickets(user, v) for v in views},
                           cap=COUNT_CAP)
    return [_out(view, counts[str(view.pk)]) for view in views]


@router.get("/views", response={200: SavedViewListOut, **ERROR_RESPONSES})
def list_views(request: HttpRequest) -> dict[str, Any]:
    """The shared views, then yours, by name, each with its count."""
    user = request_user(request)
    return {"items": _counted(user, list(saved_views.visible_views(user)))}


@router.post("/views", response={201: SavedViewOut, **ERROR_RESPONSES})
def create_view(request: HttpRequest, payload: SavedViewIn) -> Status[dict[str, Any]]:
    """Save a view; 422 when you (or, shared, the desk) already have one of that name."""
    user = request_user(request)
    params = dict(parse_qsl(payload.query.lstrip("?")))
    view = saved_views.save_view(user, payload.name, payload.queue, params,
                                 shared=payload.shared)
    return Status(201, _counted(user, [view])[0])


class SavedViewPatchIn(InputSchema):
    name: Annotated[NonEmptyText, Field(max_length=saved_views.MAX_NAME)]


@router.patch("/views/{view_id}", response={200: SavedViewOut, **ERROR_RESPONSES})
def rename_view(request: HttpRequest, view_id: PathId, payload: SavedViewPatchIn
                ) -> dict[str, Any]:
    """Rename your view, or a shared one you shared (admins: any shared one)."""
    user = request_user(request)
    view = saved_views.rename_view(user, view_id, payload.name)
    return _counted(user, [view])[0]


@router.delete("/views/{view_id}", response={204: None, **ERROR_RESPONSES})
def delete_view(request: HttpRequest, view_id: PathId) -> Status[None]:
    """Remove your view, or a shared one you shared (admins: any shared one)."""
    saved_views.delete_view(request_user(request), view_id)
    return Status(204, None)
