"""Recurring-problem alerts (frontline.insights.detection).

GET /insights/alerts    the newest alerts, open ones first; agents and admins (403 otherwise)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES
from frontline.insights import alerts

router = Router(tags=["insights"])


class OrganizationRefOut(Schema):
    id: int
    name: str


class AlertOut(Schema):
    id: int
    title: str = Field(description="The terms that define it: 'ORA-01722 · export · Ledger 5.1'.")
    status: str = Field(description="open, dismissed or problem.")
    raised_at: datetime = Field(description="The time of the ticket that crossed the threshold.")
    tickets: list[str] = Field(description="References, in ticket-time order.")
    organizations: list[OrganizationRefOut]
    explains: list[Any] = Field(description="Always empty for now (issue 10, part 4).")
    at_risk: list[Any] = Field(description="Always empty for now (issue 10, part 4).")


class AlertListOut(Schema):
    items: list[AlertOut]


class AlertFilter(Schema):
    status: str | None = Field(None, description="open, dismissed or problem.")


@router.get("/insights/alerts", response={200: AlertListOut, **ERROR_RESPONSES})
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> dict[str, Any]:
    """Groups of similar tickets from several organizations that crossed the threshold
    (FRONTLINE_ALERT_MIN_TICKETS tickets from FRONTLINE_ALERT_MIN_ORGANIZATIONS
    organizations within FRONTLINE_ALERT_WINDOW_DAYS), newest first, open ones
    first, at most 200. `explains` (which known problem or release explains it)
    and `at_risk` (customers at risk) stay empty lists until part 4 of issue 10."""
    found = alerts.list_alerts(request_user(request), status=filters.status)
    return {"items": [{
        "id": view.alert.pk, "title": view.alert.title, "status": view.alert.status,
        "raised_at": view.alert.raised_at, "tickets": view.references,
        "organizations": [{"id": org.pk, "name": org.name} for org in view.organizations],
        "explains": [], "at_risk": []} for view in found]}
