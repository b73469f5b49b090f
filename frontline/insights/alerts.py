"""Reading alerts for the faces (/insights, its CSV, the API): a fixed number of
queries for any number of alerts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from frontline.core import permissions
from frontline.core.errors import NotFound
from frontline.core.models import User
from frontline.customers.models import Organization
from frontline.insights.models import Alert, AlertStatus, AlertTicket

MAX_ALERTS = 200


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    links: list[AlertTicket]  # in ticket-time order, with their tickets
    organizations: list[Organization]  # by name

    @property
    def references(self) -> list[str]:
        return [link.ticket.reference for link in self.links]


def list_alerts(user: User, *, status: str | None = None,
                limit: int = MAX_ALERTS) -> list[AlertView]:
    """The newest alerts (open ones first), for agents and admins."""
    permissions.check_can_view_insights(user)
    alerts = Alert.objects.all()
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    links = AlertTicket.objects.select_related("ticket", "organization").only(
        "id", "alert_id", "at", "organization__id", "organization__name", "ticket__id",
        "ticket__subject", "ticket__status", "ticket__created_at")
    found = list(alerts.order_by("-raised_at", "-id")
                 .prefetch_related(Prefetch("links", queryset=links))[:limit])
    views = []
    for alert in found:
        rows = sorted(alert.links.all(), key=lambda link: (link.at, link.ticket_id))
        organizations = {link.organization.pk: link.organization for link in rows
                         if link.organization is not None}
        views.append(AlertView(alert, rows, sorted(organizations.values(),
                                                   key=lambda org: org.name)))
    views.sort(key=lambda view: view.alert.status != AlertStatus.OPEN)
    return views


def get_alert(user: User, alert_id: int) -> Alert:
    permissions.check_can_view_insights(user)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}.")
    return alert
