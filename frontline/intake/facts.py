"""A ticket's facts: what we know about the request, each with where it came from.

One row per fact key (`version`, `database`, `steps`, ...). Where it came from
decides what may replace it, so that nothing a person said is overwritten by a
guess:

    organization   the requester's or organization's environment and the ticket's
                   product and version, known before anyone asked
    message        extracted from what the customer wrote (with the quote)
    form           answered on the request form or read out on a call
    agent          set by an agent on the ticket page or through the API

A fact is replaced by a value from the same source or a stronger one (agent >
form > message > organization); an agent may also clear one. What an agent
sets and every change of a value is a `fact_set` event on the timeline; a fact
first read from the customer's text, form or organization is not (it would be
a line per fact on every new ticket), its row says where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.intake import questions
from frontline.intake.models import FactSource, Question, QuestionSet, TicketFact
from frontline.tickets.models import Event, Message, Ticket
from frontline.tickets.selectors import environment_facts
from frontline.tickets.services.events import record_event
from frontline.tickets.services.lookup import locked_ticket

MAX_KEY = 50
MAX_VALUE = 5_000
MAX_QUOTE = 500

# Which source may replace which: a value replaces one of the same rank or lower.
SOURCE_RANK = {FactSource.ORGANIZATION: 0, FactSource.MESSAGE: 1, FactSource.FORM: 2,
               FactSource.AGENT: 3}


@dataclass(frozen=True)
class FactInput:
    """A fact to record: the value and where it came from."""

    key: str
    value: str
    quote: str = ""
    # The question set whose question it answers (a form, a call, the answer page).
    asked_with: QuestionSet | None = None


def clean_key(key: Any, *, field: str = "key") -> str:
    # The same shape as a question's key (a slug), which names the fact it fills.
    text = str(key or "").strip().lower().replace(" ", "_")
    if not text or len(text) > MAX_KEY or not all(c.isalnum() or c in "_-" for c in text):
        raise InvalidInput(f"'{key}' is not a fact key (letters, digits, - and _; at most "
                           f"{MAX_KEY}).", field=field)
    return text


def clean_value(value: Any, *, field: str) -> str:
    if isinstance(value, list):
        value = ", ".join(str(item).strip() for item in value if str(item).strip())
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    text = str(value if value is not None else "").strip()
    if len(text) > MAX_VALUE:
        raise InvalidInput(f"Keep it under {MAX_VALUE} characters.", field=field)
    return text


def facts_of(ticket: Ticket) -> list[TicketFact]:
    """The ticket's facts, by key."""
    return list(TicketFact.objects.filter(ticket=ticket).select_related("question_set")
                .order_by("key"))


def do_record(ticket: Ticket, facts: Iterable[FactInput], *, source: str, at: datetime,
              actor: User | None = None, message: Message | None = None,
              question_set: QuestionSet | None = None) -> list[TicketFact]:
    """Record `facts` from `source`, each only where it may replace what is there
    (SOURCE_RANK). The caller holds the ticket's row lock. Returns the rows written."""
    wanted = {fact.key: fact for fact in facts if fact.value}
    if not wanted:
        return []
    existing = {row.key: row for row in TicketFact.objects.filter(ticket=ticket,
                                                                  key__in=list(wanted))}
    # Keys the ticket does not have yet go in at once (facts and events: two INSERTs).
    written = insert_new(ticket, [(source, fact) for key, fact in wanted.items()
                                  if key not in existing],
                         at=at, actor=actor, message=message, question_set=question_set)
    rank = SOURCE_RANK[FactSource(source)]
    for key, row in existing.items():
        fact = wanted[key]
        if SOURCE_RANK[FactSource(row.source)] > rank or row.value == fact.value:
            continue
        before = row.value
        row.value = fact.value[:MAX_VALUE]
        row.source = source
        row.quote = fact.quote[:MAX_QUOTE]
        row.question_set = fact.asked_with or question_set
        row.message = message
        row.actor = actor
        row.at = at
        row.save()
        record_event(ticket, "fact_set", actor=actor, at=at, before=before, after=row.value,
                     key=key, source=source)
        written.append(row)
    return written


def insert_new(ticket: Ticket, facts: list[tuple[str, FactInput]], *, at: datetime,
               actor: User | None = None, message: Message | None = None,
               question_set: QuestionSet | None = None) -> list[TicketFact]:
    """Write facts the ticket does not have yet, each from its source, in two INSERTs
    (its facts and their events). The caller knows none of the keys is there (a new
    ticket) and holds its row lock; `message` goes with the facts it gave."""
    if not facts:
        return []
    rows = TicketFact.objects.bulk_create([
        TicketFact(ticket=ticket, key=fact.key, value=fact.value[:MAX_VALUE], source=source,
                   quote=fact.quote[:MAX_QUOTE], question_set=fact.asked_with or question_set,
                   message=message if source == FactSource.MESSAGE else None, actor=actor,
                   at=at) for source, fact in facts if fact.value])
    if actor is not None:
        # A person's doing is on the timeline. What was read from the customer's own
        # text, form or organization is not repeated there, one line per fact: the
        # facts panel shows each with its source, and a later change is an event.
        Event.objects.bulk_create([
            Event(ticket=ticket, kind="fact_set", actor=actor, at=at, before=None,
                  after=row.value, detail={"key": row.key, "source": row.source})
            for row in rows])
    return rows


def organization_defaults(ticket: Ticket) -> list[FactInput]:
    """What is known before anyone asks: the ticket's product and version, and the
    requester's and organization's environment (os, database, deployment, ...)."""
    found = [FactInput(fact.key, fact.value) for fact in environment_facts(ticket)]
    if ticket.product_id is not None and ticket.product is not None:
        found.append(FactInput("product", ticket.product.name))
    if ticket.version_id is not None and ticket.version is not None:
        found.append(FactInput("version", ticket.version.name))
    return [FactInput(clean_key(fact.key), fact.value) for fact in found
            if _is_key(fact.key)]


def _is_key(key: str) -> bool:
    try:
        clean_key(key)
    except InvalidInput:
        return False
    return True


@transaction.atomic
def set_facts(actor: User, ticket: Ticket, changes: Mapping[str, Any]) -> list[TicketFact]:
    """An agent sets (or, with None or "", clears) facts: all of them or none.
    The agent's word is final: it replaces a value from any source."""
    ticket = locked_ticket(ticket)
    permissions.check_can_change_ticket(actor, ticket)
    if not changes:
        raise InvalidInput("Name at least one fact.", field="facts")
    if len(changes) > 100:
        raise InvalidInput("At most 100 facts at once.", field="facts")
    cleaned: dict[str, str] = {}
    for raw_key, raw_value in changes.items():
        key = clean_key(raw_key, field=f"facts.{raw_key}")
        cleaned[key] = clean_value(raw_value, field=f"facts.{raw_key}")
    now = timezone.now()
    cleared = [key for key, value in cleaned.items() if not value]
    for row in TicketFact.objects.filter(ticket=ticket, key__in=cleared):
        record_event(ticket, "fact_set", actor=actor, at=now, before=row.value, after=None,
                     key=row.key, source=FactSource.AGENT)
        row.delete()
    return do_record(ticket, [FactInput(key, value) for key, value in cleaned.items() if value],
                     source=FactSource.AGENT, at=now, actor=actor)


def answers_of(ticket: Ticket) -> dict[str, str]:
    return dict(TicketFact.objects.filter(ticket=ticket).values_list("key", "value"))


def missing(ticket: Ticket, known: Iterable[TicketFact] | None = None) -> list[Question]:
    """The required questions that apply to the ticket (the standard ones, then its
    category's, as far as the answers so far reach) whose fact it does not have.
    `known`: the ticket's facts when the caller has read them already."""
    answers = ({fact.key: fact.value for fact in known} if known is not None
               else answers_of(ticket))
    applying = questions.applicable(questions.questions_for(ticket.category), answers)
    return [question for question in applying
            if question.required and not answers.get(question.key)]
