"""Recurring-problem alerts (frontline.insights.detection).

GET /insights/alerts    the newest alerts, open ones first; agents and admins (403 otherwise)
GET/POST /insights/alerts/{id}/advisory
                        the drafted advisory to the organizations at risk; sending it mails
                        each (a ticket each) and records it on their timelines
GET /insights/versions  per product version: organizations, tickets, rate vs the previous
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.schemas import ERROR_RESPONSES
from frontline.insights import alerts, explain, versions
from frontline.insights import peers as peer_insights
from frontline.workflow import advisories

router = Router(tags=["insights"])


class OrganizationRefOut(Schema):
    id: int
    name: str


class ExplainOut(Schema):
    key: str = Field(description="An environment fact's key (lower-cased), or 'version'.")
    value: str = Field(description="Lower-cased and trimmed; for 'version': 'Ledger 5.1'.")
    share: float = Field(description="Of the affected organizations, 0..1.")
    base_share: float = Field(description="Of all organizations, 0..1.")
    lift: float = Field(description="share / base_share.")


class AtRiskOut(Schema):
    id: int
    name: str
    version: str = Field(description="What it runs now: 'Ledger 5.0'.")
    reason: str


class AlertOut(Schema):
    id: int
    title: str = Field(description="The terms that define it: 'ORA-01722 · export · Ledger 5.1'.")
    status: str = Field(description="open, dismissed or problem.")
    raised_at: datetime = Field(description="The time of the ticket that crossed the threshold.")
    tickets: list[str] = Field(description="References, in ticket-time order.")
    organizations: list[OrganizationRefOut]
    explains: list[ExplainOut] = Field(
        description="What the affected organizations share more than all do, best first "
                    "(share at least 0.5, lift above 1).")
    explanation: str = Field(description="The top fact and version in a sentence.")
    configuration_specific: bool = Field(
        description="The top fact is not among FRONTLINE_TESTED_CONFIGURATIONS.")
    at_risk: list[AtRiskOut] = Field(
        description="Organizations sharing the explaining facts, still on an earlier "
                    "version than the one the alert concentrates on.")


class AlertListOut(Schema):
    items: list[AlertOut]


class AlertFilter(Schema):
    status: str | None = Field(None, description="open, dismissed or problem.")


@router.get("/insights/alerts", response={200: AlertListOut, **ERROR_RESPONSES})
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> dict[str, Any]:
    """Groups of similar tickets from several organizations that crossed the threshold
    (FRONTLINE_ALERT_MIN_TICKETS tickets from FRONTLINE_ALERT_MIN_ORGANIZATIONS
    organizations within FRONTLINE_ALERT_WINDOW_DAYS), newest first, open ones
    first, at most 200. `explains`: what the affected organizations have in common
    (frontline.insights.explain); `at_risk`: who shares it on an earlier version."""
    found = alerts.list_alerts(request_user(request), status=filters.status)
    return {"items": [{
        "id": view.alert.pk, "title": view.alert.title, "status": view.alert.status,
        "raised_at": view.alert.raised_at, "tickets": view.references,
        "organizations": [{"id": org.pk, "name": org.name} for org in view.organizations],
        "explains": [_explain_out(e) for e in view.explains],
        "explanation": view.sentence, "configuration_specific": view.configuration_specific,
        "at_risk": [{"id": risk.organization.pk, "name": risk.organization.name,
                     "version": risk.version, "reason": risk.reason}
                    for risk in view.at_risk]} for view in found]}


class RecipientOut(Schema):
    organization: OrganizationRefOut
    to: str | None = Field(description="Who it would be mailed to; null: nobody reachable, "
                                       "it is only recorded.")


class AdvisoryDraftOut(Schema):
    subject: str
    text: str
    recipients: list[RecipientOut] = Field(description="The organizations at risk.")


class AdvisoryIn(Schema):
    subject: str | None = Field(None, description="Default: the drafted subject.",
                                max_length=advisories.MAX_SUBJECT)
    text: str = Field(max_length=advisories.MAX_TEXT)
    organizations: list[int] = Field(description="Organization ids (usually of `at_risk`).")


class AdvisorySentOut(Schema):
    organization: OrganizationRefOut
    ticket: str | None = Field(description="The ticket it was mailed from; null: not mailed.")
    to: str | None
    not_mailed: str | None = Field(description="Why it was only recorded.")


class AdvisoryListOut(Schema):
    items: list[AdvisorySentOut]


@router.get("/insights/alerts/{alert_id}/advisory",
            response={200: AdvisoryDraftOut, **ERROR_RESPONSES})
def draft_advisory(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    """What Frontline proposes to tell the alert's organizations at risk, and to whom."""
    view = alerts.explain_alert(request_user(request), alert_id)
    recipients = []
    for risk in view.at_risk:
        person = advisories.recipient(risk.organization)
        recipients.append({"organization": {"id": risk.organization.pk,
                                            "name": risk.organization.name},
                           "to": person.primary_email if person else None})
    return {"subject": advisories.draft_subject(view),
            "text": advisories.draft_advisory(view), "recipients": recipients}


@router.post("/insights/alerts/{alert_id}/advisory",
             response={201: AdvisoryListOut, **ERROR_RESPONSES})
def send_advisory(request: HttpRequest, alert_id: int,
                  payload: AdvisoryIn) -> Status[dict[str, Any]]:
    """Send the advisory: each organization gets a ticket from which it is mailed to the
    person we last heard from there, and an entry on its timeline."""
    user = request_user(request)
    view = alerts.explain_alert(user, alert_id)
    notes = advisories.send_advisory(user, view, payload.text, payload.organizations,
                                     subject=payload.subject)
    return Status(201, {"items": [{
        "organization": {"id": note.organization.pk, "name": note.organization.name},
        "ticket": note.detail.get("ticket"), "to": note.detail.get("to"),
        "not_mailed": note.detail.get("not_mailed")} for note in notes]})


def _explain_out(found: explain.Explain) -> dict[str, Any]:
    return {"key": found.key, "value": found.value, "share": round(found.share, 4),
            "base_share": round(found.base_share, 4), "lift": round(found.lift, 4)}


class VersionOut(Schema):
    product: str
    version: str
    released_on: date | None
    organizations: int = Field(description="On it now.")
    tickets: int = Field(description="Naming it, since its release.")
    rate: float | None = Field(description="Tickets per organization per 30 days since release; "
                                           "null without a release day or organizations.")
    previous_version: str | None
    previous_rate: float | None = Field(
        description="The previous version's rate at the same age.")


class VersionListOut(Schema):
    items: list[VersionOut]


@router.get("/insights/versions", response={200: VersionListOut, **ERROR_RESPONSES})
def list_versions(request: HttpRequest) -> dict[str, Any]:
    """Per product version (by product, newest release first): organizations on it,
    tickets since its release, and its ticket rate against the previous version's
    at the same age. Agents and admins."""
    reports = versions.version_reports(request_user(request))
    return {"items": [{
        "product": report.version.product.name, "version": report.version.name,
        "released_on": report.version.released_on, "organizations": report.organizations,
        "tickets": report.tickets,
        "rate": round(report.rate, 4) if report.rate is not None else None,
        "previous_version": report.previous.name if report.previous else None,
        "previous_rate": (round(report.previous_rate, 4)
                          if report.previous_rate is not None else None),
    } for report in reports]}


# -- customers with more problems than their peers (frontline.insights.peers) ------------


class CategoryShareOut(Schema):
    category: str
    tickets: int
    share: float = Field(description="Of the organization's tickets in the period, 0..1.")


class PeerOrganizationOut(Schema):
    id: int
    name: str
    seats: int
    tickets: int = Field(description="Opened in the period; merged tickets once.")
    tickets_per_seat: float
    ratio_to_peers: float | None = Field(
        description="tickets_per_seat / the peers' median; null without a baseline.")
    top_categories: list[CategoryShareOut]
    suggestion: str | None = Field(
        description="training, how-to heavy or configuration; null at a ratio of 1.5 or less.")
    advice: str = Field(description="The suggestion in a sentence for the account manager.")
    peer_group: str = Field(description="'Premium, 51\u2013250 seats', 'Premium, all sizes' "
                                        "or 'All plans and sizes' (fewer than 2 peers).")
    peers: int
    account_manager: str | None


class PeerOrganizationListOut(Schema):
    period_days: int
    items: list[PeerOrganizationOut]


class PeerFilter(Schema):
    period_days: int = Field(90, ge=1, le=peer_insights.MAX_PERIOD_DAYS)


@router.get("/insights/organizations",
            response={200: PeerOrganizationListOut, **ERROR_RESPONSES})
def organizations_against_peers(request: HttpRequest,
                                filters: Query[PeerFilter]) -> dict[str, Any]:
    """Organizations with seats, by tickets per seat against organizations of the same
    plan and size (ratio_to_peers, highest first). Agents and admins see all; viewers
    the organizations they manage; developers get 403. Organizations whose seats are
    not known are left out."""
    rows = peer_insights.organizations_against_peers(request_user(request),
                                                     period_days=filters.period_days)
    return {"period_days": filters.period_days, "items": [{
        "id": row.organization.pk, "name": row.organization.name, "seats": row.seats,
        "tickets": row.tickets, "tickets_per_seat": round(row.tickets_per_seat, 4),
        "ratio_to_peers": (round(row.ratio_to_peers, 2)
                           if row.ratio_to_peers is not None else None),
        "top_categories": [{"category": c.category, "tickets": c.tickets,
                            "share": round(c.share, 3)} for c in row.top_categories],
        "suggestion": row.suggestion, "advice": row.advice, "peer_group": row.peer_group,
        "peers": row.peers,
        "account_manager": (row.organization.account_manager.get_full_name()
                            or row.organization.account_manager.username)
        if row.organization.account_manager else None,
    } for row in rows]}
