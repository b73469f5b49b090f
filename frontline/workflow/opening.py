"""Opening a ticket: its rows, then routing, its facts, the SLA clock and the search index.

The batched mail import runs the same stages for many tickets at once
(`after_opened`), after writing the rows that `tickets.services.rows` built.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.models import User
from frontline.customers import deployments
from frontline.customers import services as customers
from frontline.customers.finders import find_product, find_version
from frontline.customers.models import Contact
from frontline.insights import tasks as insights_tasks
from frontline.intake import reading
from frontline.intake.facts import FactInput
from frontline.routing import arrival
from frontline.search import index as search_index
from frontline.sla import clock as sla_clock
from frontline.tickets import channels
from frontline.tickets.models import Channel, Message, Priority, Ticket
from frontline.tickets.services.inputs import clean_body, clean_subject
from frontline.tickets.services.rows import (
    new_ticket_rows,
    proactive_ticket_rows,
    save_new_ticket,
)
from frontline.tickets.services.state import apply_assignee
from frontline.tickets.taxonomy import find_category, find_priority

logger = logging.getLogger(__name__)


@transaction.atomic
def open_ticket(
    *,
    requester_email: str,
    subject: str,
    body: str,
    requester_name: str = "",
    channel: str | None = None,
    category: str | None = None,
    priority: int | str | None = None,
    product: str | None = None,
    version: str | None = None,
    actor: User | None = None,
    body_html: str | None = None,
    at: datetime | None = None,
    body_reply: str = "",
    email_message_id: str = "",
    requester: Contact | None = None,
    given: Sequence[FactInput] = (),
    read_now: bool = True,
) -> Ticket:
    """Open a ticket for the person at `requester_email`, with their first message.

    `actor` is the member of staff who opened it on the customer's behalf (a
    phone call, the API); None when the customer opened it themselves.
    `at` lets an import keep the original time. `body_reply` and
    `email_message_id` come with a mail (the new part of the text, its Message-ID).
    `requester`: the contact the caller already resolved for `requester_email`,
    so it is not looked up again. `given`: the answers to the request's questions
    (the form, a call), checked by frontline.intake.answers. `read_now=False`
    (an import of history): the first message's facts are read by the worker.

    Without a version, the product and version are what the requester's
    organization ran at `at` (frontline.customers.deployments.in_use): the facts
    then start from them.
    """
    if actor is not None:
        permissions.check_can_open_ticket(actor)
    # Everything the customer typed is checked before a contact is created for them.
    clean_subject(subject)
    clean_body(body)
    found_product = find_product(product)
    found_version = find_version(found_product, version)
    found_category = find_category(category)
    found_priority = find_priority(priority) or Priority.NORMAL
    if requester is None:
        requester = customers.resolve_contact(requester_email, requester_name)
    now = at or timezone.now()
    if found_version is None and requester.organization_id is not None:
        deployed = deployments.in_use(requester.organization_id, now, product=found_product)
        if deployed is not None:
            found_product, found_version = deployed.product, deployed.version
    ticket, message, event = new_ticket_rows(
        requester=requester, subject=subject, body=body, channel=channel, at=now, actor=actor,
        priority=found_priority, category=found_category, product=found_product,
        version=found_version, body_html=body_html, body_reply=body_reply,
        email_message_id=email_message_id)
    save_new_ticket(ticket, message, event)
    after_opened(ticket, message, now, given=given, read_now=read_now)
    if not read_now:
        read_later([(ticket, message, True)])
    search_index.index_ticket(ticket)
    search_index.index_message(message)
    if read_now:
        detect_later(ticket)
    return ticket


@transaction.atomic
def open_proactive(actor: User, requester: Contact, *, subject: str, body: str,
                   at: datetime | None = None) -> Ticket:
    """Open a ticket to tell `requester` something before they ask (an advisory): our
    message goes out by mail, with the ticket's reply address, so their answer lands on
    this ticket. It waits for the customer and belongs to `actor` where they may own
    tickets. Nothing of the customer's is read (there is none), and arrival rules,
    which judge what a customer wrote, do not run."""
    permissions.check_can_open_ticket(actor)
    now = at or timezone.now()
    ticket, message, event = proactive_ticket_rows(
        requester=requester, subject=subject, body=body, actor=actor, at=now,
        channel=Channel.EMAIL)
    save_new_ticket(ticket, message, event)
    if permissions.can_own_tickets(actor):
        apply_assignee(ticket, actor, actor, now)
    sla_clock.refresh(ticket, now)
    search_index.index_ticket(ticket)
    search_index.index_message(message)
    sender = channels.sender_for(Channel.EMAIL)
    if sender is not None:
        sender.reply(message)
    return ticket


def after_opened(ticket: Ticket, message: Message, at: datetime, *,
                 given: Sequence[FactInput] = (), read_now: bool = True) -> None:
    """What follows the rows of a new ticket (the search index aside, which the batch
    path fills for the whole batch at once): arrival rules, then the facts (the
    category the rules chose decides which choices the text can name), then the SLA
    clock, which reads the priority and team the rules set. `read_now=False`: the
    caller queues the message's facts for the worker (the batched import)."""
    arrival.route_new_ticket(ticket, message.body, at)
    if read_now:
        reading.read_new_ticket(ticket, message, at, given)
    sla_clock.refresh(ticket, at)


def read_later(items: Sequence[tuple[Ticket, Message, bool]]) -> None:
    """Queue these customer messages' facts for the worker ([(ticket, message,
    opened)]): the batched import's form of the reading after_opened and
    add_customer_message do at once. The worker's "intake.read_pending" reads them."""
    reading.queue(items, timezone.now())


def detect_later(ticket: Ticket) -> None:
    """Queue the ticket for recurring-problem detection once its opening commits
    (frontline.insights.detection: its signature, then whether it makes a group
    raise an alert), in the worker, not in the request. An import of history
    (read_now=False, and the batched import) queues nothing: the worker's
    "insights.detect" job reads whatever is pending, which also covers a lost task."""
    ticket_id = ticket.pk

    def enqueue() -> None:
        try:
            insights_tasks.detect_ticket.enqueue(ticket_id)
        except Exception:
            logger.exception("Could not queue detection of ticket %s", ticket_id)

    transaction.on_commit(enqueue)
