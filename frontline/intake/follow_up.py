"""The one follow-up: asking a new request's customer for the required facts
still missing, once, in their words and with our reasons.

    plan = follow_up.plan(ticket)       # what to ask, and whether it goes by itself
    plan.questions                      # the required questions whose fact is unknown
    follow_up.text(plan.questions, answer_url) -> the lines the mail carries

The rules, one owner:

- Only required questions that apply (the standard category's, then the
  ticket's category's, conditions on what is known) and whose fact the ticket
  does not have: never a question whose fact is known, however it became known
  (the form, the customer's text, the organization's defaults, an agent).
- At most one follow-up per ticket: a `facts_requested` event says it went.
- The ticket's category decides (`Category.follow_up`): `send` puts the
  questions in the acknowledgement (one mail), `suggest` shows them to the
  agent with a button that sends them, `off` neither. A ticket without a
  category goes by the standard category's setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from frontline.core.models import User
from frontline.intake import facts
from frontline.intake.models import Question
from frontline.tickets.models import Event, Message, Ticket
from frontline.tickets.services.events import record_event
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, FollowUp


@dataclass(frozen=True)
class Plan:
    policy: str
    questions: list[Question] = field(default_factory=list)
    requested_at: datetime | None = None  # when the follow-up went, if it did

    @property
    def sends_itself(self) -> bool:
        return self.policy == FollowUp.SEND and bool(self.questions) and not self.requested_at

    @property
    def suggested(self) -> bool:
        """Whether the desk offers the agent to send it."""
        return self.policy != FollowUp.OFF and bool(self.questions) and not self.requested_at


def policy(ticket: Ticket) -> str:
    category = ticket.category
    if category is None:
        category = Category.objects.filter(slug=STANDARD_CATEGORY).first()
    return str(category.follow_up) if category is not None else str(FollowUp.SEND)


def requested(ticket: Ticket) -> Event | None:
    return (Event.objects.filter(ticket=ticket, kind="facts_requested")
            .order_by("at", "pk").first())


def plan(ticket: Ticket, missing: list[Question] | None = None) -> Plan:
    """What a follow-up on `ticket` would ask, and whether one may go. `missing`:
    facts.missing(ticket), when the caller has it already."""
    done = requested(ticket)
    return Plan(policy=policy(ticket),
                questions=missing if missing is not None else facts.missing(ticket),
                requested_at=done.at if done is not None else None)


def text(questions: list[Question], answer_url: str) -> str:
    """The follow-up's lines: each question's customer text and its reason, as
    written, then the link to answer them online."""
    if not questions:
        return ""
    lines = ["So that we can help without asking again, please tell us:", ""]
    for number, question in enumerate(questions, start=1):
        lines.append(f"{number}. {question.text}")
        if question.choices:
            lines.append(f"   ({' / '.join(str(choice) for choice in question.choices)})")
        if question.why:
            lines.append(f"   Why we ask: {question.why}")
    lines += ["", "Reply to this email with your answers, or answer on one page, with no "
              "account and no password:", answer_url]
    return "\n".join(lines)


def record_requested(ticket: Ticket, questions: list[Question], *, at: datetime,
                     message: Message | None, actor: User | None = None) -> None:
    """Note on the timeline that the customer was asked for these facts (the mark
    that keeps a second follow-up from going)."""
    record_event(ticket, "facts_requested", actor=actor, at=at,
                 keys=[question.key for question in questions],
                 message=message.pk if message is not None else None,
                 automatic=actor is None)
