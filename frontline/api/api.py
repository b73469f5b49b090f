"""The Frontline HTTP API, version 1, mounted at /api/v1/.

OpenAPI 3 at /api/v1/openapi.json, interactive docs at /api/v1/docs (served
from Ninja's bundled Swagger UI, so they work without internet access).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from frontline.api import customers, errors, parameters, search, tickets
from frontline.api.auth import BearerToken, request_user
from frontline.api.schemas import ERROR_RESPONSES, JsonBody

DESCRIPTION = """
Authenticate every request with your personal token: `Authorization: Bearer <token>`.

Errors are JSON: `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.
401 without a valid token, 403 when your role may not, 404 for what does not exist,
409 for a change the ticket cannot take now, 422 for bad input (naming the field).
503 with `Retry-After` when the database is briefly away (a restart): send the
request again after that many seconds.

Input is read strictly, as the schema states it: a boolean is `true` or `false` (not
`0` or `"yes"`), an integer a JSON number (`2.0` is 2), a date `YYYY-MM-DD` and a time
ISO 8601 with its zone, both from 1900-01-01 to 2999-12-31; text holds no NUL. A field
or query parameter that an operation does not declare, or a query parameter given
twice, is refused with 422, never ignored. A PATCH field whose schema has no null may
be left out but not set to null. Each operation's 422 may also come from rules of the
business the schema cannot state (a name already taken, a team that does not exist);
its `errors` name the field.

Lists are cut into pages by an opaque `cursor`: pass back `next_cursor` until it is null.

Promises: `GET /tickets/{reference}` carries `plan` and `sla` (`policy`, `formal`,
`first_response_due`, `next_response_due`, `resolution_due`, `paused`, `breached`).
Due times are UTC and count business hours on the policy's calendar; the clock stands
still while a ticket waits on the customer.
"""

api = NinjaAPI(
    title="Frontline API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=BearerToken(),
    parser=JsonBody(),
)
errors.install(api)
api.add_decorator(parameters.refuse_unknown_query_parameters, mode="operation")


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    tier: int


@api.get("/me", response={200: MeOut, **ERROR_RESPONSES}, tags=["me"])
def me(request: HttpRequest) -> dict[str, Any]:
    """Who your token acts as: a cheap way to check a token."""
    user = request_user(request)
    return {"id": user.pk, "username": user.username, "name": user.display_name,
            "email": user.email, "role": user.role, "tier": user.tier}


# Before the tickets' own router: "/tickets/bulk" would match "/tickets/{reference}".
api.add_router("/tickets", "frontline.api.bulk.router")
api.add_router("/tickets", tickets.router)
api.add_router("/tickets", "frontline.api.escalation.router")
api.add_router("", "frontline.api.saved_views.router")
api.add_router("", customers.router)
api.add_router("", search.router)
api.add_router("", "frontline.api.costs.router")
api.add_router("", "frontline.api.sla.router")
api.add_router("", "frontline.api.routing.router")
api.add_router("", "frontline.api.categories.router")
api.add_router("", "frontline.api.insights.router")
api.add_router("/problems", "frontline.api.problems.router")
api.add_router("", "frontline.api.products.router")
api.add_router("", "frontline.api.macros.router")
api.add_router("", "frontline.api.webhooks.router")
