"""Reading alerts for the faces (/insights, its CSV, the API): a fixed number of
queries for any number of alerts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import NotFound
from frontline.core.models import User
from frontline.customers.models import Organization
from frontline.insights import explain
from frontline.insights.models import Alert, AlertStatus, AlertTicket

MAX_ALERTS = 200


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    links: list[AlertTicket]  # in ticket-time order, with their tickets
    organizations: list[Organization]  # by name
    # What the affected organizations share, best first, and who shares it but is
    # still on an earlier version (frontline.insights.explain).
    explains: list[explain.Explain] = field(default_factory=list)
    at_risk: list[explain.AtRisk] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return explain.sentence(self.explains)

    @property
    def configuration_specific(self) -> bool:
        return explain.configuration_specific(self.explains)

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
    views = _views(alerts.order_by("-raised_at", "-id"), limit)
    views.sort(key=lambda view: view.alert.status != AlertStatus.OPEN)
    return views


def explain_alert(user: User, alert_id: int) -> AlertView:
    """One alert with its tickets, what explains it and who is at risk."""
    permissions.check_can_view_insights(user)
    views = _views(Alert.objects.filter(pk=alert_id), 1)
    if not views:
        raise NotFound(f"There is no alert {alert_id}.")
    return views[0]


def _views(alerts: QuerySet[Alert], limit: int) -> list[AlertView]:
    links = AlertTicket.objects.select_related("ticket", "organization").only(
        "id", "alert_id", "at", "organization__id", "organization__name", "ticket__id",
        "ticket__subject", "ticket__status", "ticket__created_at")
    found = list(alerts.prefetch_related(Prefetch("links", queryset=links))[:limit])
    # Read once for every alert: the list costs the same queries for 1 alert or 200.
    population = explain.Population.read() if found else None
    now = timezone.now()
    views = []
    for alert in found:
        rows = sorted(alert.links.all(), key=lambda link: (link.at, link.ticket_id))
        organizations = {link.organization.pk: link.organization for link in rows
                         if link.organization is not None}
        explains: list[explain.Explain] = []
        risks: list[explain.AtRisk] = []
        if population is not None:
            explains = explain.explain(population, organizations, alert.raised_at)
            risks = explain.at_risk(population, organizations, explains, now)
        views.append(AlertView(alert, rows, sorted(organizations.values(),
                                                   key=lambda org: org.name),
                               explains, risks))
    return views


def get_alert(user: User, alert_id: int) -> Alert:
    permissions.check_can_view_insights(user)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}.")
    return alert
