"""Moving a ticket up a tier by hand, and back down to tier 1.

An escalation carries its promises: the `escalated` event records the SLA due
times, the plan, a per-incident premium and the customer's value as they stood
when the ticket moved, so whoever picks it up sees what was promised without
digging. The due times themselves stay on the ticket, untouched: a promise made
to the customer does not move because the work changed hands (the SLA clock,
frontline.sla.clock.refresh, recomputes them on the events that matter).

Every escalation is weighed first (frontline.routing.assessment) and the choice
is recorded as an EscalationDecision: "escalate" moves the ticket; "workaround"
and "decline" keep it where it is and record an `escalation_assessed` event, so
a decision not to escalate is as visible on the timeline as one to escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition
from frontline.core.models import User
from frontline.core.tiers import TIERS, parse_tier
from frontline.notifications.services import notify
from frontline.routing.assessment import Assessment, assess
from frontline.routing.assignment import hand_over
from frontline.routing.models import EscalationDecision, Recommendation, Team
from frontline.routing.teams import find_team
from frontline.routing.tiers import move_tier
from frontline.tickets.models import Event, Message, MessageKind, Ticket
from frontline.tickets.services import locked_ticket, record_event, touch

MAX_REASON = 2_000
MAX_TRIED = 10_000
# The "what was tried" prefill: the latest staff messages, each cut short.
PREFILL_MESSAGES = 8
PREFILL_MESSAGE_CHARS = 300
PREFILL_CHARS = 2_000


@dataclass(frozen=True)
class Escalation:
    """What escalate() did: the ticket as it is now, the decision row, the weighing."""

    ticket: Ticket
    decision: EscalationDecision
    assessment: Assessment

    @property
    def moved(self) -> bool:
        return self.decision.decision == Recommendation.ESCALATE


# -- reading -------------------------------------------------------------------


def promises(ticket: Ticket, assessment: Assessment) -> dict[str, Any]:
    """What was promised, as JSON for the event: due times, plan, premium, value."""

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    value = assessment.value
    clock = ticket.clock
    return {
        "first_response_due": moment(clock.first_response_due),
        "next_response_due": moment(clock.next_response_due),
        "resolution_due": moment(clock.resolution_due),
        "plan": value.plan_name,
        "incident_premium": (str(value.premium_price) if value.premium_price is not None
                             else None),
        "customer_value": str(value.total),
        "currency": assessment.currency,
    }


def prefill_tried(ticket: Ticket) -> str:
    """What was tried, from the timeline: staff replies and internal notes, most
    recent first, each cut to a few lines, the whole kept short enough to read."""
    messages = (Message.objects.filter(ticket=ticket, author_user__isnull=False,
                                       kind__in=(MessageKind.OUTBOUND, MessageKind.NOTE))
                .select_related("author_user").order_by("-created_at", "-id")
                [:PREFILL_MESSAGES])
    lines: list[str] = []
    used = 0
    for message in messages:
        text = " ".join((message.body_reply or message.body).split())
        if len(text) > PREFILL_MESSAGE_CHARS:
            text = text[:PREFILL_MESSAGE_CHARS - 1].rstrip() + "…"
        kind = "note" if message.kind == MessageKind.NOTE else "reply"
        when = timezone.localtime(message.created_at).strftime("%d %b %H:%M")
        author = message.author_user.display_name if message.author_user else "Staff"
        line = f"- {when} {author} ({kind}): {text}"
        if used + len(line) > PREFILL_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def next_tier(ticket: Ticket) -> int | None:
    """The tier an escalation proposes when none is chosen: the next one up (tier 1
    goes to the specialists at tier 2, never straight to the developers), None at
    the top."""
    higher = [tier for tier in TIERS if tier > ticket.tier]
    return higher[0] if higher else None


def default_team(ticket: Ticket, tier: int) -> Team | None:
    """The team an escalation to `tier` goes to when none is chosen: the ticket's
    own team if it works at that tier, else the only team at that tier (with
    several, nobody guesses: None)."""
    if ticket.team is not None and ticket.team.tier == tier:
        return ticket.team
    teams = list(Team.objects.filter(tier=tier).select_related("lead")[:2])
    return teams[0] if len(teams) == 1 else None


def latest_escalation(ticket: Ticket, *, to_tier: int | None = None) -> EscalationDecision | None:
    """The last escalation that moved the ticket (to `to_tier`, if given)."""
    decisions = EscalationDecision.objects.filter(ticket=ticket,
                                                  decision=Recommendation.ESCALATE)
    if to_tier is not None:
        decisions = decisions.filter(to_tier=to_tier)
    return decisions.select_related("actor").order_by("-at", "-id").first()


# -- changing ------------------------------------------------------------------


def _decision(value: str | None) -> Recommendation:
    if value in (None, ""):
        return Recommendation.ESCALATE
    try:
        return Recommendation(value)
    except ValueError:
        names = ", ".join(Recommendation.values)
        raise InvalidInput(f"'{value}' is not a decision ({names}).", field="decision") from None


def _clean(text: str | None, field: str, limit: int) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InvalidInput(f"Keep it under {limit} characters.", field=field)
    return text


@transaction.atomic
def escalate(ticket: Ticket, actor: User | None, tier: int | str, *, reason: str, tried: str,
             team: str | int | Team | None = None, decision: str | None = None,
             at: datetime | None = None, held: bool = False) -> Escalation:
    """Weigh an escalation of `ticket` to `tier` and act on `decision`.

    decision "escalate" (the default) moves the ticket to `tier` (and `team`,
    or default_team()), records an `escalated` event carrying the promises,
    hands it to whoever that team's assignment mode picks (hand_over: the
    previous tier's owner lets go; a manual team finds it unassigned in its
    queue) and tells the team's lead. "workaround" and "decline" leave the
    ticket where it is and record an `escalation_assessed` event. Either way an
    EscalationDecision row keeps the figures, the recommendation and the choice.

    `actor` None is an escalation rule acting; a person must give a reason.
    `held`: the caller read `ticket` under its row lock in this transaction (the
    breach scan holds a batch so), so it is not read again.
    """
    if not held or ticket.merged_into_id is not None:
        ticket = locked_ticket(ticket)
    if actor is not None:
        permissions.check_can_escalate_ticket(actor, ticket)
    new_tier = parse_tier(tier)
    if new_tier <= ticket.tier:
        raise InvalidInput(
            f"{ticket.reference} is at tier {ticket.tier}; an escalation goes to a higher tier.",
            field="tier")
    reason = _clean(reason, "reason", MAX_REASON)
    if actor is not None and not reason:
        raise InvalidInput(f"Say why {ticket.reference} needs tier {new_tier}.", field="reason")
    tried = _clean(tried, "tried", MAX_TRIED)
    choice = _decision(decision)
    target: Team | None
    if isinstance(team, Team):
        target = team
    elif team not in (None, ""):
        target = find_team(team)
    else:
        target = default_team(ticket, new_tier)
    if target is not None and target.tier != new_tier:
        raise InvalidInput(f"{target.name} works at tier {target.tier}, not tier {new_tier}.",
                           field="team")
    now = at or timezone.now()
    assessment = assess(ticket, new_tier, at=now)
    row = EscalationDecision.objects.create(
        ticket=ticket, actor=actor, at=now, from_tier=ticket.tier, to_tier=new_tier,
        reason=reason, tried=tried, estimated_hours=assessment.estimated_hours,
        estimated_cost=assessment.estimated_cost, customer_value=assessment.customer_value,
        reach_tickets=assessment.reach_tickets,
        reach_organizations=assessment.reach_organizations,
        recommendation=assessment.recommendation, decision=choice.value,
        why=assessment.why_text,
    )
    weighed: dict[str, Any] = {
        "decision": choice.value, "recommendation": assessment.recommendation,
        "estimated_hours": str(assessment.estimated_hours),
        "estimated_cost": str(assessment.estimated_cost),
        "reach_tickets": assessment.reach_tickets,
        "reach_organizations": assessment.reach_organizations,
        "escalation_decision": row.pk,
    }
    if choice != Recommendation.ESCALATE:
        record_event(ticket, "escalation_assessed", actor=actor, at=now, after=choice.value,
                     reason=reason, to_tier=new_tier, why=assessment.why_text, **weighed)
        return Escalation(ticket, row, assessment)

    before_tier, before_team = ticket.tier, ticket.team
    touch(ticket, now, *move_tier(ticket, new_tier, target))
    record_event(
        ticket, "escalated", actor=actor, at=now, before=before_tier, after=new_tier,
        reason=reason, tried=tried,
        team=ticket.team.name if ticket.team else None,
        from_team=before_team.name if before_team else None,
        from_team_id=before_team.pk if before_team else None,
        promises=promises(ticket, assessment), **weighed)
    # The previous tier's owner lets go; the target team's mode picks the new one
    # (or leaves it in the team's queue). Here, not in the faces or the rules, so
    # the desk, the API and the escalation rules all hand over the same way.
    hand_over(ticket, now)
    if ticket.team is not None and ticket.team.lead_id is not None:
        who = actor.display_name if actor is not None else "An escalation rule"
        notify([lead for lead in [ticket.team.lead] if lead != actor], "escalated",
               f"{who} escalated {ticket.reference} ({ticket.subject}) to tier {new_tier}: "
               f"{reason or 'no reason given'}", ticket=ticket, at=now)
    return Escalation(ticket, row, assessment)


def _team_before_escalation(ticket: Ticket, tier: int) -> Team | None:
    """The tier-`tier` team the ticket came from (named in its last escalation from
    that tier)."""
    events = Event.objects.filter(ticket=ticket, kind="escalated").order_by("-at", "-id")
    for event in events[:10]:
        team_id = (event.detail or {}).get("from_team_id") if event.before == tier else None
        if team_id:
            team = Team.objects.filter(pk=team_id, tier=tier).select_related("lead").first()
            if team is not None:
                return team
    return None


@transaction.atomic
def de_escalate(ticket: Ticket, actor: User, *, note: str, tier: int = 1,
                at: datetime | None = None) -> Ticket:
    """Back down to `tier` (tier 1, for customer communication, unless said), in one action.

    The ticket returns to the team it came from at that tier (or the only team
    there), keeps its due times, and that team's assignment mode picks the owner
    (hand_over); the note says what that tier should tell the customer. The new
    owner and that team's lead are told.
    """
    ticket = locked_ticket(ticket)
    permissions.check_can_de_escalate_ticket(actor, ticket)
    new_tier = parse_tier(tier)
    if ticket.tier == new_tier:
        raise InvalidTransition(f"{ticket.reference} is already at tier {new_tier}.",
                                field="tier")
    if ticket.tier < new_tier:
        raise InvalidTransition(f"{ticket.reference} is at tier {ticket.tier}; tier {new_tier} "
                                "is up: that is an escalation.", field="tier")
    note = _clean(note, "note", MAX_REASON)
    if not note:
        raise InvalidInput(f"Say what tier {new_tier} should tell the customer.", field="note")
    now = at or timezone.now()
    before_tier, before_team = ticket.tier, ticket.team
    team = None
    if ticket.team is None or ticket.team.tier != new_tier:
        team = _team_before_escalation(ticket, new_tier) or default_team(ticket, new_tier)
    touch(ticket, now, *move_tier(ticket, new_tier, team))
    record_event(ticket, "de_escalated", actor=actor, at=now, before=before_tier,
                 after=new_tier, reason=note, team=ticket.team.name if ticket.team else None,
                 from_team=before_team.name if before_team else None)
    # The same hand-over as an escalation, the other way. This used to keep the
    # assignee: the developer or specialist who owned the ticket at the higher
    # tier stayed its owner at tier 1, where a developer cannot even see it, and
    # the tier-1 team's queue never showed it as theirs to answer.
    hand_over(ticket, now)
    lead = ticket.team.lead if ticket.team is not None else None
    notify([person for person in (ticket.assignee, lead) if person != actor], "de_escalated",
           f"{actor.display_name} handed {ticket.reference} ({ticket.subject}) back to tier "
           f"{new_tier}: {note}", ticket=ticket, at=now)
    return ticket


def decision_label(value: str) -> str:
    try:
        return Recommendation(value).label
    except ValueError:
        return value

