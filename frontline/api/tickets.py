"""Tickets: open, list, read with the whole timeline, reply or note, change.

Who sees what (frontline.core.permissions): a developer sees only tier-3
tickets. The list leaves the others out; asking for one by reference answers
403, not 404, because references are sequential and the clearer answer helps a
developer who was handed the wrong one. Viewers read everything and get 403 on
every write.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from frontline import workflow
from frontline.api.auth import request_user
from frontline.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from frontline.api.schemas import (
    ERROR_RESPONSES,
    ErrorOut,
    Id,
    InputSchema,
    IsoDateTime,
    NonEmptyText,
    Omissible,
    Text,
)
from frontline.core import paging, permissions
from frontline.core.accounts import find_assignee
from frontline.core.email_address import MAX_ADDRESS
from frontline.core.errors import InvalidInput, NotFound
from frontline.core.lookup import MAX_ID
from frontline.core.models import User
from frontline.customers.models import ContactEmail
from frontline.intake import facts as intake_facts
from frontline.mail.formatting import markdown_html
from frontline.mail.recipients import MAX_RECIPIENTS
from frontline.notifications.models import Mention
from frontline.routing.teams import find_team
from frontline.sla import clock as sla_clock
from frontline.tickets import event_kinds, selectors
from frontline.tickets.models import (
    Channel,
    Message,
    Priority,
    Ticket,
    format_reference,
    parse_reference,
)
from frontline.tickets.services.attachments import MAX_FILES, UploadedFile
from frontline.tickets.services.collision import NewerEntries
from frontline.workflow import requests

router = Router(tags=["tickets"])

StatusName = Literal["new", "open", "pending_customer", "pending_internal", "resolved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
ChannelName = Literal["email", "web", "portal", "phone", "chat", "api"]


# -- shapes -------------------------------------------------------------------


class ContactRefOut(Schema):
    id: int
    name: str
    email: str


class OrganizationRefOut(Schema):
    id: int
    name: str


class TicketOut(Schema):
    reference: str = Field(examples=["FL-10427"])
    url: str = Field(description="The ticket's page in the desk.", examples=["/t/FL-10427"])
    subject: str
    status: StatusName
    priority: PriorityName
    category: str | None = Field(description="The category's slug.")
    tier: int
    team: str | None = Field(description="The team's name.")
    assignee: str | None = Field(description="The assignee's username.")
    requester: ContactRefOut
    organization: OrganizationRefOut | None
    product: str | None = Field(description="The product's slug.")
    version: str | None
    channel: ChannelName
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: str | None = Field(description="Reference of the ticket this one was merged "
                                                "into; its own reference keeps answering.")


class AuthorOut(Schema):
    name: str
    username: str | None = Field(description="Set when a member of staff wrote or acted.")
    contact_id: int | None = Field(description="Set when the customer wrote or acted.")
    automatic: bool = Field(False, description="Set when nobody acted by hand (a team's "
                            "assignment mode, a rule, a scheduled job): the event's `text` "
                            "then starts with \"Automatically\".")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str


class MessageEntryOut(Schema):
    type: Literal["message"]
    id: int
    at: datetime
    kind: Literal["inbound", "outbound", "note", "call", "chat"]
    body: str
    author: AuthorOut
    channel: str
    attachments: list[AttachmentOut]
    message_id: str | None = Field(
        description="The mail's Message-ID header without its angle brackets, for a "
                    "message that came or went by email (null otherwise).",
        examples=["CAF3x9q2@mail.example"])


class EventEntryOut(Schema):
    type: Literal["event"]
    id: int
    at: datetime
    kind: str = Field(examples=["created", "status_changed", "assigned", "tier_changed"])
    text: str = Field(
        description="The event as one sentence, as staff read it on the desk (plain text).",
        examples=["Lena set status to pending customer (was open)"])
    actor: AuthorOut
    before: Any = None
    after: Any = None
    detail: dict[str, Any]


TimelineEntryOut = Annotated[MessageEntryOut | EventEntryOut, Field(discriminator="type")]


SlaTargetName = Literal["first_response", "next_response", "resolution"]


class SlaOut(Schema):
    """The promises on a ticket (frontline.sla.clock). Due times are UTC; null when
    the target is met, not asked for now, or the policy sets none."""

    policy: str | None = Field(description="The SLA policy that applies, by plan and "
                                           "priority; null when none does.",
                               examples=["Premium, any priority"])
    formal: bool = Field(description="True: contractual, the customer is told these "
                                     "times. False: an internal target only.")
    first_response_due: datetime | None = Field(
        description="When the first answer is due (until it is sent).")
    next_response_due: datetime | None = Field(
        description="When the answer to the customer's latest message is due.")
    resolution_due: datetime | None = Field(
        description="When the resolution is due, pushed out by the time the ticket "
                    "waited on the customer.")
    paused: bool = Field(description="The clock stands still: the ticket waits on the "
                                     "customer.")
    breached: list[SlaTargetName] = Field(description="Targets missed (and not met yet).")


class FactOut(Schema):
    key: str = Field(examples=["database"])
    value: str = Field(examples=["Oracle 19c"])
    source: str = Field(description="form, message (with the quote it came from), agent or "
                                    "organization (its deployment and environment).")
    quote: str = Field(description="What the customer wrote that says it (source message).")
    question_version: int | None = Field(description="The version of the category's "
                                                     "questions it answered, if any.")
    at: datetime


class FactsPatchIn(InputSchema):
    """Each key set to its value; null (or "") clears it. The agent's word replaces a
    value from any other source."""

    facts: dict[Annotated[Text, Field(max_length=50)], Text | list[Text] | bool | None] = Field(
        min_length=1, examples=[{"database": "Oracle 19c", "steps": None}])


class TicketDetailOut(TicketOut):
    plan: str | None = Field(description="The support plan the ticket is served on: a "
                                         "per-incident premium bought for it, else the "
                                         "organization's plan, else the default plan.",
                             examples=["Premium"])
    sla: SlaOut
    facts: list[FactOut] = Field(description="What we know about the request, by key, each "
                                             "with where it came from.")
    timeline: list[TimelineEntryOut] = Field(
        description="Messages (notes included) and events, oldest first.")


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at "
                                                "the end.")


class MentionOut(Schema):
    username: str
    notified: bool = Field(description="False: they may not see the ticket (or left), "
                                       "so they were not told.")


class PostedMessageOut(MessageEntryOut):
    ticket: str = Field(description="Reference of the ticket the message landed on (the "
                                    "surviving ticket when the one addressed was merged).")
    mailed_to: list[str] = Field(default_factory=list, description=(
        "Where a reply is mailed (its To, in stored form); empty for a note or when "
        "there was nobody to mail."))
    mailed_cc: list[str] = Field(default_factory=list, description="The reply's Cc.")
    mentions: list[MentionOut] = Field(default_factory=list, description=(
        "The staff a note @mentions (frontline.notifications.mentions)."))


class TicketCreateIn(InputSchema):
    subject: NonEmptyText
    body: NonEmptyText
    requester_email: Annotated[NonEmptyText, Field(
        max_length=254, description="The requester's address; UTF-8 local parts and "
                                    "international domains (RFC 6531) welcome.")]
    requester_name: Annotated[Text, Field(max_length=200)] = ""
    channel: ChannelName = "api"
    category: Text | None = Field(None, description="A category slug or name.")
    priority: PriorityName | None = None
    product: Text | None = Field(None, description="A product slug or name.")
    version: Text | None = Field(None, description="A version name of `product`.")
    answers: dict[str, str | list[str] | bool] = Field(
        default_factory=dict,
        description="Answers to the request's questions (the standard category's, then "
                    "`category`'s), by question key: recorded as facts from the form. "
                    "422 names the answer that does not fit its question "
                    "(`answers.database`).",
        examples=[{"database": "Oracle", "impact": "Everyone"}])


class AttachmentIn(InputSchema):
    filename: Annotated[NonEmptyText, Field(max_length=255)]
    content_type: Annotated[Text, Field(max_length=255)] = ""
    content_base64: str = Field(
        description="The file's bytes, base64 (RFC 4648, standard alphabet, padded).",
        examples=["T1JBLTAxNzIyIGF0IHJvdyAyMDAK"])


class MessageCreateIn(InputSchema):
    kind: Literal["reply", "note"]
    body: NonEmptyText
    format: Literal["text", "markdown"] = Field(
        "text", description="`markdown`: `body` is the composer's Markdown subset (bold, "
                            "italic, lists, links, inline code, code blocks), sent as HTML "
                            "beside the text as typed. `text`: sent as written.")
    attachments: list[AttachmentIn] = Field(
        default_factory=list, max_length=MAX_FILES,
        description=f"Files to send with the reply or keep with the note: at most "
                    f"{MAX_FILES}, within the inbound mail's limits "
                    "(FRONTLINE_MAX_ATTACHMENT_MB a file, FRONTLINE_MAX_MESSAGE_MB in all; "
                    "422 names the file). The whole request body is also bounded by the "
                    "server (413).")
    status: StatusName | None = Field(
        None, description="Only with a reply: move the ticket on (e.g. pending_customer).")
    seen: Annotated[int, Field(ge=0, le=MAX_ID)] | None = Field(
        None, description="The `id` of the newest timeline entry of `type: message` you have "
                          "read (0: none). Events do not count: they are numbered apart. When "
                          "somebody else wrote a message after it, nothing is sent: 409 with "
                          "the newer messages in `newer`; read them, then send again with "
                          "the newest one's id. Left out: sent without this check.",
        examples=[4711])
    to: list[Annotated[NonEmptyText, Field(max_length=MAX_ADDRESS)]] | None = Field(
        None, max_length=MAX_RECIPIENTS,
        description="Only with a reply: where it is mailed. Left out: the requester (the "
                    "address they wrote from, else their primary one). UTF-8 local parts "
                    "and international domains (RFC 6531) are addresses; anything else is "
                    "422 naming `to`. A reply with somebody to mail needs one address here.",
        examples=[["alice@premium.example"]])
    cc: list[Annotated[NonEmptyText, Field(max_length=MAX_ADDRESS)]] | None = Field(
        None, max_length=MAX_RECIPIENTS,
        description="Only with a reply: who is copied. Left out: everybody copied in on "
                    "the conversation so far (the ticket's participants); `[]`: nobody. "
                    "An address also in `to` is mailed once. The API sends at once: the "
                    "desk's undo-send window (FRONTLINE_UNDO_SEND_SECONDS) is not applied.",
        examples=[["ops@premium.example", "müller@bücher.example"]])


class NewerEntriesOut(ErrorOut):
    """The error shape, with the messages written after `seen` (oldest first)."""

    newer: list[MessageEntryOut] = Field(
        [], description="With a send held for newer messages (`seen`): those messages.")


class MergeIn(InputSchema):
    into: NonEmptyText = Field(description="Reference of the ticket that lives on.",
                               examples=["FL-10427"])
    confirm_other_customer: bool = Field(
        False, description="Required (true) when the two tickets are different customers' "
                           "requests (another requester or organization); without it such a "
                           "merge is 409, saying what would happen.")


class TicketPatchIn(InputSchema):
    """Only the fields sent change; all of them change or none does.

    status, priority, tier and subject may be left out but not set to null.
    """

    status: Omissible[StatusName] = None
    priority: Omissible[PriorityName] = None
    tier: Omissible[Annotated[int, Field(ge=1, le=3)]] = None
    team: Text | None = Field(None, description="A team name (or id); null clears it.")
    assignee: Text | None = Field(None, description="A username; null unassigns.")
    category: Text | None = Field(None, description="A category slug; null clears it.")
    subject: Omissible[NonEmptyText] = None
    reason: Text | None = Field(
        None, description="Why the tier changes: required with `tier`, as in an escalation "
        "(a tier change is an escalation or a de-escalation, under the same rule).")


class TicketFilters(Schema):
    status: StatusName | None = None
    tier: Annotated[int, Field(ge=1, le=3)] | None = None
    team: Text | None = Field(None, description="A team name or id.")
    assignee: Text | None = Field(None, description="A username or user id.")
    organization: Id | None = Field(None, description="An organization id.")
    updated_since: IsoDateTime | None = Field(None, description="ISO 8601, e.g. "
                                                             "2025-01-31T09:00:00Z.")
    order: Literal["-updated_at", "updated_at"] = Field(
        "-updated_at",
        description="-updated_at: latest activity first. updated_at: oldest first; walk in "
                    "this order to miss nothing, since a ticket updated during the walk moves "
                    "behind the cursor and comes up again.")
    cursor: Text | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


# -- rendering ----------------------------------------------------------------


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    """The API's view of a ticket; expects TICKET_RELATED and requester emails loaded."""
    requester = ticket.requester
    organization = ticket.organization
    return {
        "reference": ticket.reference,
        "url": ticket.get_absolute_url(),
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": Priority(ticket.priority).name.lower(),
        "category": ticket.category.slug if ticket.category else None,
        "tier": ticket.tier,
        "team": ticket.team.name if ticket.team else None,
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "requester": {"id": requester.pk, "name": requester.name,
                      "email": requester.primary_email},
        "organization": ({"id": organization.pk, "name": organization.name}
                         if organization else None),
        "product": ticket.product.slug if ticket.product else None,
        "version": ticket.version.name if ticket.version else None,
        "channel": ticket.channel,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "last_customer_message_at": ticket.last_customer_message_at,
        "last_agent_message_at": ticket.last_agent_message_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "merged_into": (format_reference(ticket.merged_into_id) if ticket.merged_into_id
                        else None),
    }


def _author(user: User | None, contact: Any) -> dict[str, Any]:
    if user is not None:
        return {"name": user.display_name, "username": user.username, "contact_id": None}
    if contact is not None:
        # Not str(contact): for a contact without a name that reads their email
        # address, one query per timeline entry. The id leads to the contact.
        return {"name": contact.name or "Customer", "username": None, "contact_id": contact.pk}
    return {"name": "Frontline", "username": None, "contact_id": None, "automatic": True}


def message_out(message: Message) -> dict[str, Any]:
    return {
        "type": "message", "id": message.pk, "at": message.created_at, "kind": message.kind,
        "body": message.body,
        "author": _author(message.author_user, message.author_contact),
        "channel": message.channel,
        "attachments": [{"id": a.pk, "filename": a.shown_name, "content_type": a.content_type}
                        for a in message.attachments.all()],
        "message_id": message.email_message_id or None,
    }


def _timeline_out(ticket: Ticket) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for entry in selectors.timeline(ticket):
        if entry.message is not None:
            entries.append(message_out(entry.message))
        elif entry.event is not None:
            event = entry.event
            entries.append({
                "type": "event", "id": event.pk, "at": event.at, "kind": event.kind,
                "text": event_kinds.staff_text(event),
                "actor": _author(event.actor, event.actor_contact),
                "before": event.before, "after": event.after, "detail": event.detail or {},
            })
    return entries


# -- loading ------------------------------------------------------------------


# What ticket_out() reads: selectors.TICKET_RELATED without the organization's plan
# and the merged-into ticket, which it does not show. Each join here costs
# PostgreSQL planning time on every request (see frontline.core.paging.page).
API_RELATED = ("requester", "organization", "product", "version", "team", "assignee",
               "category")


def tickets_for_api() -> QuerySet[Ticket]:
    """Tickets with everything ticket_out() reads, in a fixed number of queries."""
    return Ticket.objects.select_related(*API_RELATED).prefetch_related(
        Prefetch("requester__emails", queryset=ContactEmail.objects.all()))


def _ticket(reference: str) -> Ticket:
    number = parse_reference(reference)
    # A slice without ORDER BY, not first() (see frontline.core.paging.page).
    found = (list(tickets_for_api().select_related("clock").filter(pk=number).order_by()[:1])
             if number is not None else [])
    ticket = found[0] if found else None
    if ticket is None:
        # The service raises NotFound in its own words (or finds a ticket created
        # a moment ago, which is then loaded like the others).
        ticket = tickets_for_api().get(pk=workflow.get_ticket(reference).pk)
    return ticket


def _visible(user: User, reference: str) -> Ticket:
    ticket = _ticket(reference)
    permissions.check_can_view_ticket(user, ticket)
    return ticket


def _utc(moment: datetime, field: str) -> datetime:
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput("This time is out of range.", field=field) from None


# -- endpoints ----------------------------------------------------------------


@router.post("", response={201: TicketOut, **ERROR_RESPONSES})
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> Status[dict[str, Any]]:
    """Open a ticket on a customer's behalf; its first message is `body`.

    The requester becomes a contact on first contact and joins the organization
    owning their email domain. Viewers get 403. `answers` become the ticket's
    facts; what the body says is read too (GET shows both, with their sources).
    """
    ticket = requests.open_request(
        requester_email=payload.requester_email, requester_name=payload.requester_name,
        subject=payload.subject, body=payload.body, channel=payload.channel or Channel.API,
        category=payload.category, priority=payload.priority, product=payload.product,
        version=payload.version, actor=request_user(request), answers=payload.answers,
    )
    return Status(201, ticket_out(_ticket(str(ticket.pk))))


@router.get("", response={200: TicketPageOut, **ERROR_RESPONSES})
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """Tickets you may see, filtered, one page at a time (cursor pagination).

    Developers see tier-3 tickets only. Pages are cut on (updated_at, id), so
    each costs the same however deep you go.
    """
    user = request_user(request)
    tickets = permissions.visible_tickets(user, Ticket.objects.all())
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.tier:
        tickets = tickets.filter(tier=filters.tier)
    if filters.team:
        team = find_team(filters.team)
        tickets = tickets.filter(team=team)
    if filters.assignee:
        tickets = tickets.filter(assignee=find_assignee(filters.assignee))
    if filters.organization:
        tickets = tickets.filter(organization_id=filters.organization)
    if filters.updated_since:
        tickets = tickets.filter(updated_at__gte=_utc(filters.updated_since, "updated_since"))
    # The desk's queues page by the same keysets: a cursor means the same in both.
    order = selectors.SORTS["updated" if filters.order == "-updated_at" else "oldest"]
    found = paging.page(tickets, order, cursor=filters.cursor, limit=filters.limit,
                        load=lambda ids: tickets_for_api().filter(pk__in=ids))
    page, next_cursor = found.rows, found.next_cursor
    return {"items": [ticket_out(t) for t in page], "next_cursor": next_cursor}


@router.get("/{reference}", response={200: TicketDetailOut, **ERROR_RESPONSES})
def get_ticket(request: HttpRequest, reference: str) -> dict[str, Any]:
    """One ticket with its timeline. A merged ticket still answers, with `merged_into` set.

    `plan` and `sla` say what was promised: the policy, whether it is formal
    (told to the customer), each target's due time, whether the clock is paused
    (waiting on the customer) and which targets were breached.

    403 when you may not see it (a developer and a ticket below tier 3).
    """
    ticket = _visible(request_user(request), reference)
    promises = sla_clock.summary(ticket)
    plan = promises.pop("plan")
    return {**ticket_out(ticket), "plan": plan, "sla": promises,
            "facts": _facts_out(ticket), "timeline": _timeline_out(ticket)}


def _facts_out(ticket: Ticket) -> list[dict[str, Any]]:
    return [{"key": fact.key, "value": fact.value, "source": fact.source, "quote": fact.quote,
             "question_version": fact.question_set.version if fact.question_set else None,
             "at": fact.at} for fact in intake_facts.facts_of(ticket)]


@router.patch("/{reference}/facts", response={200: list[FactOut], **ERROR_RESPONSES})
def update_facts(request: HttpRequest, reference: str,
                 payload: FactsPatchIn) -> list[dict[str, Any]]:
    """Set or clear facts on the ticket (all or none); answers with all its facts.
    A merged ticket is 409: change the ticket it was merged into."""
    user = request_user(request)
    ticket = _visible(user, reference)
    intake_facts.set_facts(user, ticket, payload.facts)
    return _facts_out(ticket)


@router.patch("/{reference}", response={200: TicketOut, **ERROR_RESPONSES})
def update_ticket(request: HttpRequest, reference: str, payload: TicketPatchIn) -> dict[str, Any]:
    """Change status, priority, tier, team, assignee, category or subject: all or nothing.

    A status the ticket cannot move to is 409. A merged ticket is 409 too:
    change the ticket it was merged into (frontline.tickets.services.entry).
    """
    user = request_user(request)
    ticket = _visible(user, reference)
    changes = payload.model_dump(exclude_unset=True)
    if changes:
        workflow.update_ticket(ticket, user, changes)
    return ticket_out(_ticket(str(ticket.pk)))


def _decoded(attachments: list[AttachmentIn]) -> list[UploadedFile]:
    """The files' bytes; a value that is not base64 is refused naming its place."""
    files = []
    for position, attachment in enumerate(attachments):
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("This is not base64 (RFC 4648, standard alphabet, padded).",
                               field=f"attachments.{position}.content_base64") from None
        files.append(UploadedFile(name=attachment.filename, content=content,
                                  content_type=attachment.content_type))
    return files


@router.post("/{reference}/messages",
             response={201: PostedMessageOut, **ERROR_RESPONSES, 409: NewerEntriesOut})
def post_message(request: HttpRequest, reference: str,
                 payload: MessageCreateIn) -> Status[dict[str, Any]]:
    """Reply to the customer (`kind: reply`, optionally with a new `status`) or add an
    internal note (`kind: note`). Addressed to a merged ticket, it lands on the
    ticket that lives on (`ticket` in the answer says which); a reply there is 409
    when that is another customer's request (frontline.tickets.services.entry).

    With `seen`, never two answers at once: if somebody else (the customer, a
    colleague) wrote after that message, the message is not sent and the answer
    is 409 with those messages in `newer` (frontline.tickets.services.collision)."""
    user = request_user(request)
    ticket = _visible(user, reference)
    if payload.kind == "note" and payload.status is not None:
        raise InvalidInput("Only a reply can change the status; a note cannot.",
                           field="status")
    if payload.kind == "note" and (payload.to is not None or payload.cc is not None):
        raise InvalidInput("A note is not mailed to anybody; only a reply takes `to` and "
                           "`cc`.", field="to" if payload.to is not None else "cc")
    files = _decoded(payload.attachments)
    body_html = markdown_html(payload.body) if payload.format == "markdown" else None
    try:
        if payload.kind == "reply":
            message = workflow.add_reply(ticket, user, payload.body, status=payload.status,
                                         seen=payload.seen, body_html=body_html, files=files,
                                         to=payload.to, cc=payload.cc)
        else:
            message = workflow.add_note(ticket, user, payload.body, seen=payload.seen,
                                        body_html=body_html, files=files)
    except NewerEntries as held:
        newer = (Message.objects.filter(pk__in=[m.pk for m in held.messages])
                 .select_related("author_user", "author_contact")
                 .prefetch_related("attachments").order_by("pk"))
        return Status(409, {"detail": held.message,
                            "errors": [{"field": held.field, "message": held.message}],
                            "newer": [message_out(m) for m in newer]})
    landed_on = message.ticket
    message = (Message.objects.select_related("author_user", "author_contact")
               .prefetch_related("attachments").get(pk=message.pk))
    mentions = [{"username": mention.user.username, "notified": mention.notified}
                for mention in Mention.objects.filter(message=message)
                .select_related("user").order_by("user__username")]
    mailed = message.outbound_mails.order_by("pk").first()
    return Status(201, {**message_out(message), "ticket": landed_on.reference,
                        "mentions": mentions,
                        "mailed_to": list(mailed.to) if mailed else [],
                        "mailed_cc": list(mailed.cc) if mailed else []})


@router.post("/{reference}/merge", response={200: TicketOut, **ERROR_RESPONSES})
def merge_ticket(request: HttpRequest, reference: str, payload: MergeIn) -> dict[str, Any]:
    """Merge this duplicate `into` another ticket: its messages move there, it closes,
    and its reference keeps answering (with `merged_into` set). Answers the ticket
    that lives on.

    Two different customers' requests (another requester or organization) are 409
    unless `confirm_other_customer` is true; each customer then still sees only
    their own messages. 409 as well when either ticket was merged already.
    """
    user = request_user(request)
    ticket = _visible(user, reference)
    try:
        target = _visible(user, payload.into)
    except NotFound as error:
        raise NotFound(error.message, field="into") from None  # a field of the body: 422
    survivor = workflow.merge_tickets(ticket, target, user,
                                      confirm_other_customer=payload.confirm_other_customer)
    return ticket_out(_ticket(str(survivor.pk)))
