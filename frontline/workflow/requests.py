"""Requests that come with answers: the public form (/request), a call an agent
logs with the phone script, and the customer's answers on the no-login answer
page after a follow-up; and the follow-up an agent sends when the category
only suggests it (frontline.intake.follow_up; by mail the acknowledgement
carries it when the category sends it itself).

Each checks the answers against the questions that apply (frontline.intake.answers:
the standard category's, then the request's category's, as far as the answers
reach), then opens the ticket or adds to it through the same stages as every
other channel (opening, conversation), so routing, the SLA clock, the search
index and the reading of the customer's text happen alike. An answer is a fact
from the form (source `form`), recorded with the question set it answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, InvalidTransition
from frontline.core.models import User
from frontline.customers import services as customers
from frontline.customers.models import Contact
from frontline.intake import answers as intake_answers
from frontline.intake import facts, follow_up, questions
from frontline.intake.models import FactSource, Question, TicketFact
from frontline.tickets import access
from frontline.tickets.models import Category, Channel, Message, Status, Ticket
from frontline.tickets.services.attachments import MAX_FILES as MAX_FILES
from frontline.tickets.services.attachments import UploadedFile as UploadedFile
from frontline.tickets.services.attachments import attach, check_files
from frontline.tickets.services.lookup import locked_ticket
from frontline.tickets.taxonomy import find_category
from frontline.workflow import conversation, opening


def asked_for(category: Category | None) -> list[Question]:
    """Every question a request in `category` may be asked, in order."""
    return questions.questions_for(category)


def check(category: Category | None, answers: Mapping[str, Any], *, require: bool = True,
          known: Mapping[str, str] | None = None) -> intake_answers.Checked:
    """The answers checked against `category`'s questions (all errors at once)."""
    return intake_answers.check_answers(asked_for(category), answers, require=require,
                                        known=known)


def _refuse(checked: intake_answers.Checked) -> None:
    if checked.errors:
        key, error = next(iter(checked.errors.items()))
        raise InvalidInput(f"{key}: {error}", field=f"answers.{key}")


def answers_text(asked: Sequence[Question], values: Mapping[str, str]) -> str:
    """The answers as the customer's message reads them on the timeline."""
    lines = []
    for question in asked:
        value = values.get(question.key)
        if value:
            text = value if "\n" not in value else "\n  " + value.replace("\n", "\n  ")
            lines.append(f"{question.text}\n  {text}" if len(question.text) > 60
                         else f"{question.text} {text}")
    return "\n".join(lines)


def _attach_all(message: Message, files: Sequence[UploadedFile]) -> None:
    check_files(files, field="files")
    for upload in files:
        attach(message, upload.name, upload.content, content_type=upload.content_type)


@transaction.atomic
def open_request(
    *,
    requester_email: str,
    subject: str,
    body: str,
    answers: Mapping[str, Any],
    category: str | None = None,
    requester_name: str = "",
    channel: str = Channel.WEB,
    actor: User | None = None,
    files: Sequence[UploadedFile] = (),
    at: datetime | None = None,
    priority: int | str | None = None,
    product: str | None = None,
    version: str | None = None,
) -> Ticket:
    """Open a ticket from the form (`actor` None: the customer), a call or the API
    (`actor`: the agent or the integration's user). The customer must answer the
    required questions; staff note what is known and the rest is asked later."""
    if actor is not None:
        permissions.check_can_open_ticket(actor)
    found = find_category(category)
    checked = check(found, answers, require=actor is None)
    _refuse(checked)
    ticket = opening.open_ticket(
        requester_email=requester_email, requester_name=requester_name, subject=subject,
        body=body, channel=channel, category=found.slug if found is not None else None,
        actor=actor, at=at, given=checked.given, priority=priority, product=product,
        version=version)
    if files:
        first = ticket.messages.order_by("pk").first()
        assert first is not None
        _attach_all(first, files)
    return ticket


@transaction.atomic
def add_answers(ticket: Ticket, answers: Mapping[str, Any], *, contact: Contact | None = None,
                actor: User | None = None, note: str = "", channel: str = Channel.WEB,
                files: Sequence[UploadedFile] = ()) -> list[TicketFact]:
    """Answers to a ticket's open questions: from its customer on the answer page
    (`contact`), or from a caller through an agent (`actor`, the phone script).

    They are the customer's message on the timeline (which moves a ticket waiting
    on them back to open, like any message of theirs) and facts from the form,
    each replacing what the text or the organization said but never an agent's.
    """
    ticket = locked_ticket(ticket)
    if actor is not None:
        # The agent writes on the customer's behalf: only to a ticket they may change.
        permissions.check_can_change_ticket(actor, ticket)
    known = facts.answers_of(ticket)
    checked = check(ticket.category, answers, require=False, known=known)
    _refuse(checked)
    changed = {key: value for key, value in checked.values.items() if known.get(key) != value}
    body = "\n\n".join(part for part in (note.strip(), answers_text(checked.asked, changed))
                       if part)
    if not body and not files:
        raise InvalidInput("Answer at least one question.", field="answers")
    speaker = contact or ticket.requester
    now = timezone.now()
    # The answers are recorded before the message is read: the message repeats them,
    # and read first it would hold them as facts from the message (do_record leaves an
    # equal value where it is), without the question set or the agent who asked.
    given = [fact for fact in checked.given if fact.key in changed]
    written = facts.do_record(ticket, given, source=FactSource.FORM, at=now, actor=actor)
    message = conversation.add_customer_message(
        ticket, speaker, body or "(files)", channel=channel, at=now)
    _attach_all(message, files)
    return written


@transaction.atomic
def send_follow_up(ticket: Ticket, actor: User) -> Message:
    """An agent sends the follow-up the desk suggests: one reply asking for the
    required facts still missing, with why we ask and the answer page's link;
    the ticket then waits on the customer. Refused when it went already (at most
    one per ticket) or nothing is missing (frontline.intake.follow_up)."""
    ticket = locked_ticket(ticket)
    plan = follow_up.plan(ticket)
    if plan.requested_at is not None:
        raise InvalidTransition(
            f"{ticket.reference}: the customer was asked for the missing facts on "
            f"{plan.requested_at:%Y-%m-%d %H:%M}; write to them yourself to ask again.")
    if not plan.questions:
        raise InvalidTransition(f"{ticket.reference} has every required fact: nothing to ask.")
    name = ticket.requester.name.split()[0] if ticket.requester.name.strip() else ""
    body = "\n".join([f"Hello {name}," if name else "Hello,", "",
                      follow_up.text(plan.questions,
                                     access.answers_url(ticket, ticket.requester))])
    message = conversation.add_reply(ticket, actor, body, status=Status.PENDING_CUSTOMER)
    follow_up.record_requested(ticket, plan.questions, at=message.created_at,
                               message=message, actor=actor)
    return message


@transaction.atomic
def log_call(actor: User, *, answers: Mapping[str, Any], body: str,
             ticket: Ticket | None = None, caller: Contact | None = None,
             new_email: str = "", new_name: str = "", subject: str = "",
             category: str | None = None, phone: str = "") -> Ticket:
    """A call an agent logs with the phone script (desk /calls/new): added to `ticket`
    (what the caller said, their answers), or a new ticket for `caller` (or the new
    caller at `new_email`); then the number they called from is kept on their
    contact, when it has none yet. One transaction."""
    if ticket is not None:
        if caller is None and new_email:
            caller = customers.resolve_contact(new_email, new_name, field="new_email")
        add_answers(ticket, answers, actor=actor, channel=Channel.PHONE, note=body,
                    contact=caller)
        caller = caller or ticket.requester
    else:
        ticket = open_request(
            requester_email=caller.primary_email if caller else new_email,
            requester_name=caller.name if caller else new_name, subject=subject, body=body,
            answers=answers, category=category, channel=Channel.PHONE, actor=actor)
        caller = ticket.requester
    if phone:
        customers.set_phone(actor, caller, phone, keep_existing=True)
    return ticket
