"""Problems: one cause behind many tickets (frontline.problems, frontline.workflow.problems).

GET    /problems                          list (filter `status`: a status or `open`)
GET    /problems/{id}                     the record, its tickets and its impact
POST   /problems                          record one (investigating)
PATCH  /problems/{id}                     change fields; the status by its table
POST   /problems/{id}/tickets             link tickets: {"references": ["FL-10427"]}
DELETE /problems/{id}/tickets/{reference} unlink one
POST   /problems/{id}/workaround          send the workaround to the open linked tickets
POST   /problems/webhook                  a tracker marks a problem fixed (HMAC-signed)

Agents and admins change; developers and viewers read (403 on writes). Developers
see the impact without contract values unless FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES,
and only the tickets they may open are listed (the count is of all).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from frontline.api.schemas import (
    ERROR_RESPONSES,
    InputSchema,
    NonEmptyText,
    Omissible,
    Text,
    UserRefOut,
)
from frontline.core import permissions
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.core.models import User
from frontline.insights import alerts
from frontline.insights.impact import problem_impact
from frontline.problems import services
from frontline.problems.links import tracker_kind
from frontline.problems.models import Problem
from frontline.problems.webhooks import SIGNATURE_HEADER, verify
from frontline.tickets.services import get_ticket
from frontline.workflow import problems as problem_flow

router = Router(tags=["problems"])

StatusName = Literal["investigating", "known_error", "fix_planned", "fixed", "verified",
                     "wont_fix"]


class TrackerLinkOut(Schema):
    url: str
    kind: str = Field(description="GitHub, GitLab, Jira or Tracker.")


class ProblemOut(Schema):
    id: int
    title: str
    description: str
    status: StatusName
    workaround: str
    fix_version: str | None
    product: str | None = Field(description="The fix version's product (slug).")
    fix_released: bool = Field(description="The fix version has shipped.")
    tracker_links: list[TrackerLinkOut]
    owner: UserRefOut | None
    ticket_count: int
    created_at: datetime
    updated_at: datetime


class PlanShareOut(Schema):
    plan: str
    organizations: int


class ImpactOut(Schema):
    tickets: int
    open_tickets: int
    organizations: int
    contract_value: Decimal | None = Field(description="Sum of the organizations' annual "
                                                       "contract values; null when your "
                                                       "role may not see them.")
    plan_mix: list[PlanShareOut]
    support_hours: Decimal
    support_cost: Decimal
    developer_hours: Decimal
    developer_cost: Decimal
    estimated_fix_cost: Decimal
    currency: str
    recommendation: Literal["fix_now", "workaround", "accept"]
    why: list[str]
    in_common: str = Field(description="What the affected organizations share more than "
                                        "all customers do (environment facts, versions); "
                                        "empty below two organizations.")
    configuration_specific: bool = Field(description="The top shared fact is not among "
                                                     "FRONTLINE_TESTED_CONFIGURATIONS.")


class LinkedTicketOut(Schema):
    reference: str
    subject: str
    status: str
    organization: str | None


class ProblemDetailOut(ProblemOut):
    tickets: list[LinkedTicketOut] = Field(description="The linked tickets you may open.")
    impact: ImpactOut


class ProblemIn(InputSchema):
    title: NonEmptyText | None = Field(
        None, description="Required, unless the problem is made from an `alert` (its title).")
    alert: int | None = Field(None, description="A recurring-problem alert "
                                                "(GET /insights/alerts) to make the problem "
                                                "of: its tickets are linked.")
    description: Text = ""
    workaround: Text = ""
    tracker_links: list[Text] = []
    owner: Text | None = Field(None, description="Username or id; by default you.")
    fix_version: Text | None = None
    product: Text | None = Field(None, description="The fix version's product.")
    references: list[Text] = Field([], description="Tickets to link at once.")


class ProblemPatch(InputSchema):
    title: Omissible[Text] = None
    description: Omissible[Text] = None
    status: Omissible[StatusName] = None
    workaround: Omissible[Text] = None
    fix_version: Text | None = Field(None, description="Empty to clear.")
    product: Text | None = None
    tracker_links: Omissible[list[Text]] = None
    owner: Text | None = Field(None, description="Username or id; empty for nobody.")


class ReferencesIn(InputSchema):
    references: list[Text] = Field(min_length=1)


class WorkaroundIn(InputSchema):
    text: Text | None = Field(None, description="The message; by default the problem's "
                                                "workaround.")


class OutcomeOut(Schema):
    reference: str
    outcome: Literal["sent", "skipped", "refused"]
    why: str


class PushOut(Schema):
    problem: ProblemOut
    tickets: list[OutcomeOut]


class ListQuery(Schema):
    status: str | None = Field(None, description="A status, or `open` for the three "
                                                 "still being worked.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, description="`next_cursor` of the page before.")


class ProblemListOut(Schema):
    items: list[ProblemOut]
    next_cursor: str | None


def problem_out(problem: Problem, ticket_count: int | None = None) -> dict[str, Any]:
    version = problem.fix_version
    owner = problem.owner
    return {
        "id": problem.pk, "title": problem.title, "description": problem.description,
        "status": problem.status, "workaround": problem.workaround,
        "fix_version": version.name if version else None,
        "product": version.product.slug if version else None,
        "fix_released": problem_flow.is_released(version),
        "tracker_links": [{"url": url, "kind": tracker_kind(url)}
                          for url in problem.tracker_links or []],
        "owner": ({"id": owner.pk, "username": owner.username, "name": owner.display_name}
                  if owner else None),
        "ticket_count": (ticket_count if ticket_count is not None
                         else getattr(problem, "ticket_count", None) or problem.links.count()),
        "created_at": problem.created_at, "updated_at": problem.updated_at,
    }


def _detail(user: User, problem: Problem) -> dict[str, Any]:
    problem = services.get_problem(problem.pk)
    tickets = list(services.linked_tickets(problem))
    impact = problem_impact(problem, show_values=permissions.can_see_contract_values(user))
    return {
        **problem_out(problem, len(tickets)),
        "tickets": [{"reference": t.reference, "subject": t.subject, "status": t.status,
                     "organization": t.organization.name if t.organization else None}
                    for t in tickets if permissions.can_view_ticket(user, t)],
        "impact": {**impact.__dict__, "plan_mix": [s.__dict__ for s in impact.plan_mix]},
    }


def _readable(request: HttpRequest) -> User:
    user = request_user(request)
    permissions.check_can_view_problems(user)
    return user


def _outcomes(outcomes: list[problem_flow.TicketOutcome]) -> list[dict[str, str]]:
    return [{"reference": o.reference, "outcome": o.outcome, "why": o.why} for o in outcomes]


@router.get("", response={200: ProblemListOut, **ERROR_RESPONSES})
def list_problems(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """Problems, the latest change first, a page at a time."""
    _readable(request)
    page = services.problems_page(query.status, cursor=query.cursor, limit=query.limit)
    return {"items": [problem_out(p) for p in page.rows], "next_cursor": page.next_cursor}


@router.post("", response={201: ProblemDetailOut, **ERROR_RESPONSES})
def create_problem(request: HttpRequest, payload: ProblemIn) -> Status[dict[str, Any]]:
    """Record a problem, optionally linking `references` at once; or make one of an
    alert (`{"alert": id}`): its title (unless `title` is given), its tickets linked,
    the alert marked as having become it (409 when it did already)."""
    user = request_user(request)
    permissions.check_can_change_problems(user)
    if payload.alert is not None:
        found = alerts.get_alert(user, payload.alert)
        return Status(201, _detail(user, problem_flow.problem_from_alert(
            user, found, title=payload.title,
            description=payload.description or None)))
    if not payload.title:
        raise InvalidInput("Give the problem a title.", field="title")
    tickets = services.tickets_from(payload.references) if payload.references else []
    problem = services.create_problem(
        user, title=payload.title, description=payload.description,
        workaround=payload.workaround, tracker_links=payload.tracker_links,
        owner=payload.owner, fix_version=payload.fix_version, product=payload.product,
        tickets=tickets)
    return Status(201, _detail(user, problem))


@router.post("/webhook", auth=None, response={200: ProblemOut, **ERROR_RESPONSES})
def tracker_webhook(request: HttpRequest) -> dict[str, Any]:
    """A tracker marks a problem fixed: `{"problem": 12, "status": "fixed",
    "fix_version": "5.1.3", "product": "ledger"}`, signed with
    `X-Frontline-Signature: sha256=<hex HMAC-SHA256 of the raw body>` keyed with
    FRONTLINE_PROBLEM_WEBHOOK_SECRET. 403 without a configured secret or a good
    signature; 422 for a version that does not exist; the same news twice is fine."""
    if not settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET:
        raise NotAllowed("This webhook is not configured (set "
                         "FRONTLINE_PROBLEM_WEBHOOK_SECRET).")
    if not verify(request.body, request.headers.get(SIGNATURE_HEADER)):
        raise NotAllowed(f"The {SIGNATURE_HEADER} header does not sign this body.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The body is a JSON object.")
    unknown = sorted(set(body) - {"problem", "status", "fix_version", "product"})
    if unknown:
        raise InvalidInput("Unknown field.", field=unknown[0])
    for name in ("problem", "fix_version"):
        if body.get(name) in (None, ""):
            raise InvalidInput("This field is required.", field=name)
    problem, _ = problem_flow.fixed_by_tracker(body["problem"], status=body.get("status", ""),
                                               fix_version=body["fix_version"],
                                               product=body.get("product"))
    return problem_out(problem)


@router.get("/{int:problem_id}", response={200: ProblemDetailOut, **ERROR_RESPONSES})
def get_problem(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    """The problem, the linked tickets you may open, and its impact and recommendation."""
    user = _readable(request)
    return _detail(user, services.get_problem(problem_id))


@router.patch("/{int:problem_id}", response={200: ProblemDetailOut, **ERROR_RESPONSES})
def update_problem(request: HttpRequest, problem_id: int,
                   payload: ProblemPatch) -> dict[str, Any]:
    """Change what is given; all or nothing. The status follows its table (409 for a
    step it cannot take); fixed with a released version tells the customers at once."""
    user = request_user(request)
    problem = services.get_problem(problem_id)
    changes = payload.model_dump(exclude_unset=True)
    problem, _ = problem_flow.update_problem(problem, user, changes)
    return _detail(user, problem)


@router.post("/{int:problem_id}/tickets", response={200: ProblemDetailOut, **ERROR_RESPONSES})
def link_tickets(request: HttpRequest, problem_id: int, payload: ReferencesIn) -> dict[str, Any]:
    """Link tickets (those linked already stay); 409 for one linked to another problem."""
    user = request_user(request)
    problem = services.get_problem(problem_id)
    permissions.check_can_change_problems(user)
    services.link_tickets(problem, user, services.tickets_from(payload.references))
    return _detail(user, problem)


@router.delete("/{int:problem_id}/tickets/{reference}",
               response={200: ProblemDetailOut, **ERROR_RESPONSES})
def unlink_ticket(request: HttpRequest, problem_id: int, reference: str) -> dict[str, Any]:
    user = request_user(request)
    problem = services.get_problem(problem_id)
    services.unlink_ticket(problem, user, get_ticket(reference))
    return _detail(user, problem)


@router.post("/{int:problem_id}/workaround", response={200: PushOut, **ERROR_RESPONSES})
def push_workaround(request: HttpRequest, problem_id: int,
                    payload: WorkaroundIn) -> dict[str, Any]:
    """Send the workaround (or `text`) to each linked open ticket that has not had it,
    through its channel. The answer says, per ticket, sent, skipped or refused."""
    user = request_user(request)
    problem = services.get_problem(problem_id)
    text = payload.text if payload.text is not None else problem.workaround
    outcomes = problem_flow.push_workaround(problem, user, text)
    return {"problem": problem_out(services.get_problem(problem_id)),
            "tickets": _outcomes(outcomes)}
