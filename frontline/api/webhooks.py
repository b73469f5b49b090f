"""Webhook endpoints, for admins: register, change, remove, test, read the log
(frontline.webhooks). Everyone else gets 403.

The secret is in the answer when an endpoint is created and when `rotate_secret`
replaces it; lists show only its last characters (`secret_hint`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, Omissible, Text
from frontline.webhooks import catalog, endpoints, publishing, selectors
from frontline.webhooks.endpoints import MAX_DESCRIPTION, MAX_URL
from frontline.webhooks.models import Delivery, Endpoint

router = Router(tags=["webhooks"])

PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]
EventNames = Annotated[list[Annotated[Text, Field(max_length=60)]], Field(max_length=50)]


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str] = Field(description="The events sent; empty: every event.")
    active: bool
    secret_hint: str = Field(description="The secret's last characters.")
    consecutive_failures: int
    disabled_at: datetime | None = Field(description="When repeated failures switched it off.")
    disabled_reason: str
    created_at: datetime


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(description="Signs every body (X-Frontline-Signature). Shown here, "
                                    "when created or replaced.")


class EndpointChangedOut(EndpointOut):
    secret: str | None = Field(description="The new secret, when `rotate_secret` replaced "
                                           "it; else null.")


class EndpointListOut(Schema):
    items: list[EndpointOut]
    events: list[str] = Field(description="Every event an endpoint can ask for.")


class EndpointIn(InputSchema):
    url: Annotated[Text, Field(max_length=MAX_URL)] = Field(
        description="https:// (http only for localhost where allowed).",
        examples=["https://hooks.example.com/frontline"])
    events: EventNames = Field(default_factory=list, description="Empty: every event.")
    description: Annotated[Text, Field(max_length=MAX_DESCRIPTION)] = ""
    active: bool = True


class EndpointPatchIn(InputSchema):
    url: Omissible[Annotated[Text, Field(max_length=MAX_URL)]] = None
    events: Omissible[EventNames] = None
    description: Omissible[Annotated[Text, Field(max_length=MAX_DESCRIPTION)]] = None
    active: Omissible[bool] = Field(None, description="true switches a disabled endpoint back "
                                                  "on and forgets its failures.")
    rotate_secret: Omissible[bool] = Field(None, description="Replace the secret; the answer "
                                                         "holds the new one.")


class AttemptOut(Schema):
    number: int
    at: datetime
    status: int | None = Field(description="The HTTP status, or null when none came.")
    response: str = Field(description="The answer's first 1000 characters.")
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    event: str
    state: str = Field(description="pending, delivered or failed.")
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    finished_at: datetime | None
    last_status: int | None
    last_error: str
    attempt_log: list[AttemptOut]


class DeliveryListOut(Schema):
    items: list[DeliveryOut]
    next_before: int | None = Field(description="Pass as `before` for older deliveries.")


def _out(endpoint: Endpoint, *, with_secret: bool = False) -> dict[str, Any]:
    out = {"id": endpoint.pk, "url": endpoint.url, "description": endpoint.description,
           "events": endpoint.events, "active": endpoint.active,
           "secret_hint": endpoint.secret_hint,
           "consecutive_failures": endpoint.consecutive_failures,
           "disabled_at": endpoint.disabled_at, "disabled_reason": endpoint.disabled_reason,
           "created_at": endpoint.created_at}
    if with_secret:
        out["secret"] = endpoint.secret
    return out


def _delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {"id": delivery.pk, "event": delivery.event, "state": delivery.state,
            "attempts": delivery.attempts, "created_at": delivery.created_at,
            "next_attempt_at": delivery.next_attempt_at, "finished_at": delivery.finished_at,
            "last_status": delivery.last_status, "last_error": delivery.last_error,
            "attempt_log": [
                {"number": a.number, "at": a.at, "status": a.status, "response": a.response,
                 "error": a.error, "duration_ms": a.duration_ms}
                for a in delivery.attempt_log.all()]}


@router.get("/webhooks", response={200: EndpointListOut, **ERROR_RESPONSES})
def list_webhooks(request: HttpRequest) -> dict[str, Any]:
    """Every endpoint, and the events one can ask for."""
    found = endpoints.list_endpoints(request_user(request))
    return {"items": [_out(endpoint) for endpoint in found],
            "events": [event.name for event in catalog.all_events()]}


@router.post("/webhooks", response={201: EndpointWithSecretOut, **ERROR_RESPONSES})
def create_webhook(request: HttpRequest, payload: EndpointIn) -> Status[dict[str, Any]]:
    """Register an endpoint; the answer holds its generated secret."""
    endpoint = endpoints.create_endpoint(request_user(request), **payload.model_dump())
    return Status(201, _out(endpoint, with_secret=True))


@router.patch("/webhooks/{endpoint_id}", response={200: EndpointChangedOut, **ERROR_RESPONSES})
def update_webhook(request: HttpRequest, endpoint_id: PathId,
                   payload: EndpointPatchIn) -> dict[str, Any]:
    """Change an endpoint. With `rotate_secret` the answer holds the new secret."""
    changes = payload.model_dump(exclude_unset=True)
    endpoint = endpoints.update_endpoint(request_user(request), endpoint_id, changes)
    return {**_out(endpoint), "secret": endpoint.secret if changes.get("rotate_secret") else None}


@router.delete("/webhooks/{endpoint_id}", response={204: None, **ERROR_RESPONSES})
def delete_webhook(request: HttpRequest, endpoint_id: PathId) -> Status[None]:
    """Remove an endpoint with its delivery log."""
    endpoints.delete_endpoint(request_user(request), endpoint_id)
    return Status(204, None)


@router.get("/webhooks/{endpoint_id}/deliveries",
            response={200: DeliveryListOut, **ERROR_RESPONSES})
def list_deliveries(
    request: HttpRequest, endpoint_id: PathId,
    limit: Annotated[int, Query(ge=1, le=selectors.MAX_LOG_LIMIT)] = selectors.LOG_LIMIT,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> dict[str, Any]:
    """The endpoint's deliveries, newest first, each with its attempts and answers."""
    endpoint = endpoints.get_endpoint(request_user(request), endpoint_id)
    page = selectors.delivery_log(endpoint, limit=limit + 1, before=before)
    more = len(page) > limit
    page = page[:limit]
    return {"items": [_delivery_out(delivery) for delivery in page],
            "next_before": page[-1].pk if more and page else None}


@router.post("/webhooks/{endpoint_id}/test", response={202: DeliveryOut, **ERROR_RESPONSES})
def test_webhook(request: HttpRequest, endpoint_id: PathId) -> Status[dict[str, Any]]:
    """Queue a `ping` to the endpoint (whatever its filter); the worker sends it."""
    delivery = publishing.send_test(request_user(request), endpoint_id)
    return Status(202, _delivery_out(delivery))
