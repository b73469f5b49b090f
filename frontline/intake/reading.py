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
from datetime import datetime

from frontline.customers.models import Product
from frontline.intake import extract, facts, questions
from frontline.intake.models import FactSource, QuestionType, TicketFact
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


def said(ticket: Ticket, message: Message) -> list[facts.FactInput]:
    """The facts `message`'s new text gives."""
    text = message.body_reply or message.body
    found = extract.extract(text, products=known_products(), choices=choice_questions(ticket))
    return [facts.FactInput(item.key, item.value, item.quote) for item in found]


def read_message(ticket: Ticket, message: Message, at: datetime) -> list[TicketFact]:
    """Record the facts `message` gives (the caller holds the ticket's row lock)."""
    return facts.do_record(ticket, said(ticket, message), source=FactSource.MESSAGE, at=at,
                           message=message)


def read_new_ticket(ticket: Ticket, message: Message, at: datetime) -> list[TicketFact]:
    """A new ticket's facts: what its organization's deployment and environment say,
    and what its first message says (which wins where both speak). A new ticket
    has no facts yet: they are written at once, without looking."""
    found = {fact.key: (FactSource.ORGANIZATION.value, fact)
             for fact in facts.organization_defaults(ticket)}
    found.update({fact.key: (FactSource.MESSAGE.value, fact) for fact in said(ticket, message)})
    return facts.insert_new(ticket, list(found.values()), at=at, message=message)
