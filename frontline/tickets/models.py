"""Tickets and their history: messages, attachments and events.

The reference a customer and a developer quote (`FL-10427`) is the ticket's
primary key with a prefix. The key comes from an AUTOINCREMENT column on SQLite
and a sequence on PostgreSQL, so a number is never handed out twice, even after
a delete; the sequence starts at 10001 (see the initial migration) so that
references look like references, not like row counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.related_descriptors import ReverseOneToOneDescriptor

from frontline.core.filenames import clean_filename
from frontline.customers.models import Contact, Organization, Product, Version
from frontline.tickets.taxonomy import (
    ACTIVE_STATUSES,
    Category,
    Channel,
    Priority,
    Status,
    Tag,
)
from frontline.tickets.taxonomy import (
    PENDING_STATUSES as PENDING_STATUSES,
)

REFERENCE_START = 10001
_REFERENCE_RE = re.compile(r"^\s*#?(?:([A-Za-z]{1,8})-)?(\d{1,12})\s*$")


def format_reference(number: int) -> str:
    return f"{settings.FRONTLINE_REFERENCE_PREFIX}-{number}"


def parse_reference(text: str) -> int | None:
    """`FL-10427`, `fl-10427`, `#10427` or `10427` -> 10427; anything else -> None."""
    match = _REFERENCE_RE.match(text or "")
    if not match:
        return None
    prefix = match.group(1)
    if prefix and prefix.upper() != settings.FRONTLINE_REFERENCE_PREFIX.upper():
        return None
    return int(match.group(2))


class TicketManager(models.Manager["Ticket"]):
    def bulk_create(self, objs: Iterable[Ticket], *args: Any, **kwargs: Any) -> list[Ticket]:
        """Tickets written in bulk (the batched mail import) get their clock rows
        with one more INSERT, as Ticket.save gives a single new ticket its row."""
        tickets = super().bulk_create(objs, *args, **kwargs)
        _insert_clocks([ticket for ticket in tickets if ticket.pk is not None])
        return tickets


class Ticket(models.Model):
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    tier = models.PositiveSmallIntegerField(default=1)
    # team, assignee, requester, organization: no index of their own; the Meta indexes
    # that start with them serve every lookup (issue 11: each index of this table is
    # written on every non-HOT update, and the SLA clock updates a million rows).
    team = models.ForeignKey("routing.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_tickets", db_index=False,
    )
    requester = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets",
                                  db_index=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
        db_index=False,
    )
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL)
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    # Indexed by ticket_merged_into (the few merged tickets only).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets",
        db_index=False,
    )

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_reminder_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")

    # The SLA clock (plan, policy, due times, pauses, warnings) is the ticket's
    # own state kept in a narrow table of its own: `ticket.clock` (TicketClock).

    objects = TicketManager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="ticket_status_updated"),
            # (team|assignee, status, updated_at) went in issue 11: the active
            # indexes below and (team|assignee, updated_at, id) serve those lists.
            models.Index(fields=["tier", "status", "updated_at"], name="ticket_tier_status"),
            models.Index(fields=["organization", "updated_at"], name="ticket_org_updated"),
            models.Index(fields=["requester", "updated_at"], name="ticket_requester_updated"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_id"),
            models.Index(
                fields=["resolved_at"], name="ticket_resolved_waiting",
                condition=Q(status="resolved"),
            ),
            # The desk's queues hold active tickets only: these keep every queue
            # sort an index walk (no sort of all open tickets) at a million tickets,
            # however old the closed ones around them are.
            models.Index(
                fields=["updated_at", "id"], name="ticket_active_updated",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            models.Index(
                fields=["created_at", "id"], name="ticket_active_created",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            models.Index(
                fields=["priority", "updated_at", "id"], name="ticket_active_priority",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            # One person's, one team's, one tier's open work, newest first: an index
            # walk even when that queue is nearly empty among a million tickets.
            models.Index(
                fields=["assignee", "updated_at", "id"], name="ticket_active_assignee",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            # One person's open work by time left (/q/mine?sort=due, a queue filtered
            # to an assignee): the due time is the clock's, so PostgreSQL walks
            # clock_sla_due and asks of each ticket whether it is this person's.
            # With (assignee, id) that question is an index-only probe of this small
            # index instead of a read of the ticket's row: about 3x faster for someone
            # holding 0.8 % of a million open tickets (bench/RESULTS.md, "Indexes on
            # the clock's plan and policy, and one person's queue by due").
            models.Index(
                fields=["assignee", "id"], name="ticket_active_assignee_id",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            models.Index(
                fields=["team", "updated_at", "id"], name="ticket_active_team",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            models.Index(
                fields=["tier", "updated_at", "id"], name="ticket_active_tier",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            # The API lists all of one team's or one person's tickets, newest first
            # (team=, assignee= without a status). With (team, status, updated_at)
            # alone that sorts all of them: 7 s for a team at a million tickets
            # on SQLite (bench/RESULTS.md); with these it is an index walk.
            models.Index(fields=["team", "updated_at", "id"], name="ticket_team_updated"),
            models.Index(fields=["assignee", "updated_at", "id"], name="ticket_assignee_updated"),
            models.Index(fields=["merged_into"], name="ticket_merged_into",
                         condition=Q(merged_into__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=[1, 2, 3]), name="ticket_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves the ticket; a new ticket gets its clock row in the same breath
        (TicketManager.bulk_create does the same for tickets written in bulk), so
        every ticket has one from its first moment."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            _insert_clocks([self])

    def get_absolute_url(self) -> str:
        return f"/t/{self.reference}"

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class _ClockAccessor(ReverseOneToOneDescriptor):
    """`ticket.clock`: the ticket's clock row, or, for a ticket without one (a row
    written by hand, outside Ticket.save and TicketManager.bulk_create), a blank
    unsaved one: no plan, no due times. Readers need no guard, and a write of the
    clock saves it (frontline.sla.clock.refresh inserts it then)."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        try:
            return super().__get__(instance, cls)
        except self.RelatedObjectDoesNotExist:
            clock = TicketClock(ticket=instance)
            self.related.set_cached_value(instance, clock)
            return clock


class _ClockOwner(models.OneToOneField):
    """TicketClock.ticket: a plain one-to-one key whose reverse accessor tolerates a
    missing row (_ClockAccessor). Deconstructs as a OneToOneField, so migrations
    know nothing of it."""

    related_accessor_class = _ClockAccessor

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.OneToOneField", args, kwargs


class TicketClock(models.Model):
    """A ticket's SLA clock: the plan and policy it is served on, its due times,
    pauses, warnings and breaches (frontline.sla.clock keeps them).

    A narrow table of its own, one row per ticket (issue 11, part 2): the bulk
    recompute and the breach scan change `sla_due` and `sla_check_at`, which are
    indexed, so each such UPDATE writes an entry into every index of its table.
    On tickets_ticket that was 23 indexes and 3,929 rows/s at best; here it is
    five (bench/RESULTS.md, "SLA recompute on a narrow clock table"; the plan and
    policy indexes came in tickets 0018). Keep it narrow: a column or index added
    here is paid for on every recompute.
    """

    ticket = _ClockOwner(Ticket, on_delete=models.CASCADE, primary_key=True,
                         related_name="clock")
    # `plan`: the plan the ticket is served on (the organization's, the default, or
    # a per-incident premium); `sla_policy`: its policy for this priority. Looked up
    # only when a plan or policy changes or goes (Meta.indexes: clock_plan,
    # clock_sla_policy).
    plan = models.ForeignKey("customers.Plan", null=True, blank=True, db_index=False,
                             on_delete=models.SET_NULL, related_name="+")
    sla_policy = models.ForeignKey("sla.SlaPolicy", null=True, blank=True, db_index=False,
                                   on_delete=models.SET_NULL, related_name="+")
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    # The earliest due time of a target still open: what queues sort by. None for
    # a finished ticket, a paused clock and a ticket without a policy.
    sla_due = models.DateTimeField(null=True, blank=True)
    # The next moment the breach scan must look at this ticket (a warning or a
    # due time not yet handled); None when nothing is pending.
    sla_check_at = models.DateTimeField(null=True, blank=True)
    # Waiting on the customer: the clock stopped at `sla_paused_at`; business
    # seconds paused so far push the resolution target out.
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Bit flags per target (frontline.sla.models.TARGET_BITS).
    sla_warned = models.PositiveSmallIntegerField(null=True, blank=True)
    sla_breached = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # The breach scan: `sla_check_at <= now` is an index range, however
            # many tickets are open.
            models.Index(fields=["sla_check_at"], name="clock_sla_check",
                         condition=Q(sla_check_at__isnull=False)),
            # Queues sorted by time left. Only a running clock has an sla_due
            # (frontline.sla.clock.compute clears it when the ticket is finished or
            # paused), so this holds open tickets only, as ticket_active_sla_due
            # did on tickets_ticket; the tickets without one are listed after
            # these, in id order (frontline.core.paging, nulls_last).
            models.Index(fields=["sla_due", "ticket"], name="clock_sla_due",
                         condition=Q(sla_due__isnull=False)),
            # A plan's or policy's tickets: its recompute (frontline.sla.services,
            # affected_tickets), the plan delete check, and SET NULL when a policy
            # is deleted. Without them each read the whole table: ~100 ms at 1 M for
            # a plan no ticket is on, where the index answers in 0.04 ms. The price
            # is an index entry per clock write (its updates are never HOT, sla_due
            # and sla_check_at being indexed): about +15 % on the recompute's UPDATE
            # of 100,000 clock rows (bench/RESULTS.md, "Indexes on the clock's plan
            # and policy, and one person's queue by due").
            models.Index(fields=["plan"], name="clock_plan",
                         condition=Q(plan__isnull=False)),
            models.Index(fields=["sla_policy"], name="clock_sla_policy",
                         condition=Q(sla_policy__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"clock of ticket {self.ticket_id}"

    def store(self, fields: Iterable[str]) -> None:
        """Save `fields`; a row not in the database yet (see _ClockAccessor) is
        inserted whole."""
        if self._state.adding:
            self.save()
        else:
            self.save(update_fields=list(fields))


def _insert_clocks(tickets: list[Ticket]) -> None:
    """The clock rows of tickets just inserted: the one each already holds in memory
    (set before it was saved), else a blank one. One INSERT."""
    owner = Ticket._meta.get_field("clock")
    clocks = []
    for ticket in tickets:
        clock = owner.get_cached_value(ticket, default=None)
        if not isinstance(clock, TicketClock):
            clock = TicketClock()
        clock.ticket = ticket
        owner.set_cached_value(ticket, clock)
        clocks.append(clock)
    TicketClock.objects.bulk_create(clocks, ignore_conflicts=True)


class MessageKind(models.TextChoices):
    INBOUND = "inbound", "Customer message"
    OUTBOUND = "outbound", "Reply"
    NOTE = "note", "Internal note"
    CALL = "call", "Call"
    CHAT = "chat", "Chat"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    author_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    body = models.TextField()
    # SAFE HTML ONLY, when the message came as HTML; `body` is always the text. Only what
    # frontline.mail.html.sanitise_html returned is stored here (sanitised and bounded in
    # depth and size, once, when the mail was read): the desk marks it safe and shows it
    # as stored, without cleaning it again (frontline.mail.stored_html).
    body_html = models.TextField(null=True, blank=True)
    # The email Message-ID this message went out or came in with (no angle
    # brackets): replies quoting it in In-Reply-To/References thread here.
    email_message_id = models.CharField(max_length=998, blank=True, default="", db_default="")
    # What the sender wrote this time, without quoted history and signature
    # (mail only; "" when the whole body is new). `body` keeps the full text, so
    # the desk shows this and folds the rest.
    body_reply = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField()
    # The ticket this message was written on, when it now sits on another one: a
    # merge moved it here, or it came in through a merged ticket's link or reply
    # address (frontline.tickets.services.entry). Null: written on `ticket`. A
    # customer reads a message only if they take part in the ticket it was written
    # on (selectors.customer_messages), so a merge across customers shows neither
    # the other's messages. Nullable and unindexed by the column itself, so adding
    # it is an ALTER TABLE ADD COLUMN; PROTECT: deleting that ticket must not turn
    # its messages into the survivor's own.
    merged_from = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    # Undo send (frontline.workflow.conversation.undo_reply): a reply its writer may
    # still take back until then; the customer reads it only afterwards
    # (selectors.customer_messages), so a reply withdrawn in the window was never
    # theirs to see. Null for everything else. Nullable: an ALTER TABLE ADD COLUMN.
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            models.Index(fields=["email_message_id"], name="message_email_id",
                         condition=~Q(email_message_id="")),
            # Few messages were ever merged: a small index for the PROTECT check.
            models.Index(fields=["merged_from"], name="message_merged_from",
                         condition=Q(merged_from__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE

    @property
    def author_name(self) -> str:
        if self.author_user is not None:
            return self.author_user.display_name
        if self.author_contact is not None:
            return str(self.author_contact)
        return "System"


class Blob(models.Model):
    """Attachment content, stored once per SHA-256 however often it is attached."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to="blobs/", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} bytes)"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.filename

    @property
    def shown_name(self) -> str:
        """The name to show and to offer for download. `attach` stores names cleaned;
        this cleans again for rows stored before bidi controls were removed."""
        return clean_filename(self.filename)


# What an event's sentence starts with when nobody did it by hand (Event.actor_name).
AUTOMATIC = "Automatically"


class EventManager(models.Manager["Event"]):
    def bulk_create(self, objs: Iterable[Event], *args: Any, **kwargs: Any) -> list[Event]:
        """Bulk paths (batched mail import, plan re-evaluation) build Event rows
        themselves; they too may write declared kinds only, as record_event does."""
        # Imported here: event_kinds reads this module's Status and references.
        from frontline.tickets import event_kinds

        events = list(objs)
        for kind in {event.kind for event in events}:
            event_kinds.check(kind)
        return super().bulk_create(events, *args, **kwargs)


class Event(models.Model):
    """One change to a ticket: who, when, what, before and after.
    `kind` is one of the declared kinds (frontline.tickets.event_kinds)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = EventManager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="event_ticket_at")]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"

    @property
    def actor_name(self) -> str:
        """The subject of the event's sentence: the person, or AUTOMATIC for a change
        nobody made by hand (a team's assignment mode, the nightly closing job, a
        fact read from a message). Not the product's name: that is also a team's name
        on many desks, and "Frontline unassigned Otto" reads as if someone did it."""
        if self.actor is not None:
            return self.actor.display_name
        if self.actor_contact is not None:
            return str(self.actor_contact)
        return AUTOMATIC


class ParticipantRole(models.TextChoices):
    CC = "cc", "Copied (CC)"


class Participant(models.Model):
    """Someone besides the requester who takes part in the conversation, such as a
    colleague the customer copied in: they may reply, and replies go to them too."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=16, choices=ParticipantRole.choices,
                            default=ParticipantRole.CC)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "contact"], name="participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on ticket {self.ticket_id}"


class TicketLink(models.Model):
    """Two tickets about related things; stored once per pair, smaller id first."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticket_link_once"),
            models.CheckConstraint(
                condition=Q(from_ticket__lt=models.F("to_ticket")), name="ticket_link_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} <-> {self.to_ticket_id}"


class TicketPresence(models.Model):
    """A member of staff with the ticket's page open, as of the page's last beat, and
    when they last typed in its composer (frontline.tickets.services.presence).

    A table, not the cache: the default cache is per process, so with several web
    processes an agent served by one would not see a colleague served by another.
    One row per person and ticket, rewritten every few seconds while the page is
    visible and deleted once stale, so the table stays as small as the number of
    pages open."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    seen_at = models.DateTimeField()
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_once"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen_at")]

    def __str__(self) -> str:
        return f"{self.user_id} on ticket {self.ticket_id}"


class SavedView(models.Model):
    """A queue with its filters, saved under a name (frontline.tickets.services.
    saved_views): the owner's alone, or with no owner, shared with every member of
    staff. `query` is the canonical query string of the filters
    (frontline.tickets.queue_query), so the view lists exactly what its page
    listed when it was saved, and its sidebar count counts the same list."""

    name = models.CharField(max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.CASCADE, related_name="saved_views",
                              help_text="Empty: shared with the whole desk.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    queue = models.CharField(max_length=20)
    query = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # NULL owners are distinct in a unique index, so shared names need their own.
            models.UniqueConstraint(fields=["name"], condition=Q(owner__isnull=True),
                                    name="saved_view_shared_name"),
            models.UniqueConstraint(fields=["owner", "name"], condition=Q(owner__isnull=False),
                                    name="saved_view_owner_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/q/{self.queue}" + (f"?{self.query}" if self.query else "")

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class DraftKind(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Internal note"


class ComposerDraft(models.Model):
    """What a member of staff has typed in a ticket's composer and not sent yet
    (frontline.tickets.services.drafts): kept on the server so a reload, a crash or
    another machine brings it back. One per person and ticket, because the composer
    has one text box: switching it from reply to note carries the text along, and
    `kind` says which it was last."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(max_length=8, choices=DraftKind.choices, default=DraftKind.REPLY)
    body = models.TextField()
    # The composer's To and Cc as typed (a reply withdrawn by undo send keeps where
    # it was going); null: the reply's default recipients, worked out when shown, so
    # somebody copied in meanwhile is not left out. Nullable: ALTER TABLE ADD COLUMN.
    to = models.TextField(null=True, blank=True)
    cc = models.TextField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="composer_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} draft of {self.user_id} on ticket {self.ticket_id}"
