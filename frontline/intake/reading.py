"""Reading the facts a customer's message already gives, so nobody asks for them again.

Runs on every customer message from every channel (the workflow calls it when
a ticket is opened and when the customer writes again). Only the message's new
text counts: the mail intake has already separated the reply from the quoted
history (`Message.body_reply`), and the extractor drops quoted lines and
signatures itself (frontline.intake.extract). A fact read from a message never
replaces one the customer gave on the form or an agent set (facts.SOURCE_RANK).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction

from frontline.customers.models import Product
from frontline.intake import extract, facts, questions
from frontline.intake.models import FactSource, PendingReading, QuestionType, TicketFact
from frontline.tickets.models import Message, Ticket

# Products and their versions change rarely; a process keeps them for a minute
# (mail imports open thousands of tickets a minute).
CACHE_SECONDS = 60.0
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO)
_products: tuple[float, list[extract.ProductNames]] | None = None


def known_products() -> list[extract.ProductNames]:
    global _products
    now = time.monotonic()
    if _products is None or now - _products[0] > CACHE_SECONDS:
        found = [extract.ProductNames(name=product.name, aliases=[product.slug],
                                      versions=[version.name for version in product.versions.all()])
                 for product in Product.objects.prefetch_related("versions")]
        _products = (now, found)
    return _products[1]


def clear_cache() -> None:
    global _products
    _products = None


def choice_questions(ticket: Ticket) -> dict[str, list[str]]:
    """{key: choices} of the ticket's choice questions: a choice named in the text answers."""
    return {question.key: list(question.choices)
            for question in questions.questions_for(ticket.category)
            if question.type in CHOICE_TYPES and question.choices}


def pattern_questions(ticket: Ticket) -> dict[str, list[str]]:
    """{key: patterns} of the ticket's questions that have regular expressions."""
    return {question.key: list(question.patterns)
            for question in questions.questions_for(ticket.category) if question.patterns}


def keyword_questions(ticket: Ticket) -> dict[str, dict[str, list[str]]]:
    """{key: {value: keywords}} of the ticket's questions that have keywords."""
    return {question.key: {value: list(words) for value, words in question.keywords.items()}
            for question in questions.questions_for(ticket.category) if question.keywords}


def said(ticket: Ticket, message: Message) -> list[facts.FactInput]:
    """The facts `message`'s new text gives, read with the ticket's questions' choices,
    patterns and keywords (questions_for keeps them per process, so no query)."""
    text = message.body_reply or message.body
    found = extract.extract(text, products=known_products(), choices=choice_questions(ticket),
                            patterns=pattern_questions(ticket),
                            keywords=keyword_questions(ticket))
    return [facts.FactInput(item.key, item.value, item.quote) for item in found]


def read_message(ticket: Ticket, message: Message, at: datetime) -> list[TicketFact]:
    """Record the facts `message` gives (the caller holds the ticket's row lock)."""
    return facts.do_record(ticket, said(ticket, message), source=FactSource.MESSAGE, at=at,
                           message=message)


def read_new_ticket(ticket: Ticket, message: Message, at: datetime,
                    given: Sequence[facts.FactInput] = ()) -> list[TicketFact]:
    """A new ticket's facts: what its organization's deployment and environment say,
    what its first message says, and what the customer answered on the form or the
    caller said (`given`); each later one wins where they speak of the same key
    (facts.SOURCE_RANK). A new ticket has no facts yet: they are written at once,
    without looking."""
    found = {fact.key: (FactSource.ORGANIZATION.value, fact)
             for fact in facts.organization_defaults(ticket)}
    found.update({fact.key: (FactSource.MESSAGE.value, fact) for fact in said(ticket, message)})
    found.update({fact.key: (FactSource.FORM.value, fact) for fact in given if fact.value})
    return facts.insert_new(ticket, list(found.values()), at=at, message=message)


def queue(items: Iterable[tuple[Ticket, Message, bool]], at: datetime) -> None:
    """Read these messages later, in the worker (read_pending): [(ticket, message,
    opened)], `opened` for a ticket's first message. One INSERT."""
    PendingReading.objects.bulk_create(
        [PendingReading(message=message, ticket=ticket, opened=opened, queued_at=at)
         for ticket, message, opened in items], ignore_conflicts=True)


def pending_count() -> int:
    return PendingReading.objects.count()


def read_pending(limit: int = 3000, chunk: int = 200) -> int:
    """Read up to `limit` queued messages, oldest first, `chunk` at a time, each
    chunk in a transaction holding its tickets' row locks; returns how many were
    read. A message whose ticket has facts already (an agent was quicker) is read
    as a later message: nothing it says replaces what is there unless it may
    (facts.SOURCE_RANK)."""
    done = 0
    while done < limit:
        read = _read_chunk(min(chunk, limit - done))
        if read is None:
            break
        done += read
    return done


@transaction.atomic
def _read_chunk(size: int) -> int | None:
    """One chunk; None when nothing is queued. Tickets are locked in id order (two
    workers never wait on each other in a circle); what is still queued is read
    again under the locks, so a message another worker read meanwhile is skipped."""
    head = list(PendingReading.objects.order_by("queued_at", "message_id")
                .values_list("message_id", "ticket_id")[:size])
    if not head:
        return None
    tickets = {ticket.pk: ticket for ticket in Ticket.objects.select_for_update(of=("self",))
               .filter(pk__in=sorted({ticket_id for _, ticket_id in head}))
               .select_related("category", "product", "version").order_by("pk")}
    pending = list(PendingReading.objects.filter(message_id__in=[pk for pk, _ in head])
                   .order_by("queued_at", "message_id")
                   .values_list("message_id", "ticket_id", "opened"))
    PendingReading.objects.filter(message_id__in=[pk for pk, _, _ in pending]).delete()
    messages = {message.pk: message for message in Message.objects.filter(
        pk__in=[pk for pk, _, _ in pending]).only("pk", "ticket_id", "body", "body_reply",
                                                  "created_at")}
    with_facts = set(TicketFact.objects.filter(ticket_id__in=list(tickets))
                     .values_list("ticket_id", flat=True).distinct())
    read = 0
    for message_id, ticket_id, opened in pending:
        ticket, message = tickets.get(ticket_id), messages.get(message_id)
        if ticket is None or message is None:
            continue  # deleted meanwhile: nothing to read
        if opened and ticket_id not in with_facts:
            read_new_ticket(ticket, message, message.created_at)
        else:
            if opened:
                facts.do_record(ticket, facts.organization_defaults(ticket),
                                source=FactSource.ORGANIZATION, at=message.created_at)
            read_message(ticket, message, message.created_at)
        with_facts.add(ticket_id)
        read += 1
    return read
