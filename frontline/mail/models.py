"""What the email channel keeps: every raw mail it accepted, every mail it sends,
and the mailboxes it polls."""

from __future__ import annotations

from django.db import models

from frontline.tickets.models import Message, Ticket


class InboundState(models.TextChoices):
    STORED = "stored", "Stored, not yet processed"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed (kept raw, needs an admin)"
    IGNORED = "ignored", "Ignored (automatic mail stored, not answered)"
    REVIEW = "review", "Waiting for an agent's review"


class InboundSource(models.TextChoices):
    IMAP = "imap", "IMAP mailbox"
    LMTP = "lmtp", "LMTP/SMTP listener"
    WEBHOOK = "webhook", "Provider webhook"
    IMPORT = "import", "Import"
    API = "api", "API"


class InboundMail(models.Model):
    """A mail exactly as it arrived, stored before anything reads it.

    `dedupe_key` is the Message-ID plus a hash of the mail's content without its
    transport headers (Received, Delivered-To, ...), so the same mail delivered
    twice, by two paths or by a retrying server, is stored once.
    """

    dedupe_key = models.CharField(max_length=128, unique=True)
    sha256 = models.CharField(max_length=64)
    header_message_id = models.CharField(max_length=998, blank=True, db_index=True)
    # In the database, not on disk: the bytes and the row commit together, so
    # "stored" means durably stored, with no orphan files and nothing half-written.
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=InboundSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    envelope_recipients = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=InboundState.choices,
                             default=InboundState.STORED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Filled in by processing, for the admin's list; the raw file stays the truth.
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="inbound_mails")
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="inbound_mail")
    # Not a column: set on the instance that processing just handled (True when
    # this mail opened its ticket), so an import counts new tickets without
    # reading them back. None when not processed by this instance.
    opened_ticket: bool | None = None
    # Likewise: how many tickets this mail's processing merged into its own, as their
    # late original (frontline.mail.threading, "Late originals").
    joined_tickets: int = 0

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "received_at"], name="inbound_state_received")]

    def __str__(self) -> str:
        return f"inbound {self.pk} ({self.state})"


class QuotedMessageId(models.Model):
    """One Message-ID that the mail of a stored message quoted (In-Reply-To or
    References): "which messages answer mail X?" in one index look-up, for the
    original that arrives after its replies (frontline.mail.threading, "Late
    originals"). Follows its message through a merge (the message row moves).

    One narrow row per quoted id, indexed, instead of searching the headers of
    every stored mail: at a million tickets the look-up stays one index range.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    quoted_id = models.CharField(max_length=998)

    class Meta:
        indexes = [models.Index(fields=["quoted_id"], name="mail_quoted_id")]

    def __str__(self) -> str:
        return f"message {self.message_id} quotes {self.quoted_id}"


class OutboundState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Not sent (rate limit or loop guard)"
    WITHDRAWN = "withdrawn", "Withdrawn by its writer before it was sent (undo)"


class OutboundMail(models.Model):
    """One mail we send; its delivery state shows on the ticket's timeline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbound_mails")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="outbound_mails")
    header_message_id = models.CharField(max_length=998, unique=True)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    automatic = models.BooleanField(default=False)
    # An automatic mail's one recipient, spelt as email_address.comparable spells
    # it: the rate limit counts what a recipient got through an index, instead of
    # reading every automatic mail of the period (outbound.over_limit).
    recipient_key = models.CharField(max_length=320, blank=True, default="")
    state = models.CharField(max_length=16, choices=OutboundState.choices,
                             default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbound_state_next"),
            models.Index(fields=["automatic", "created_at"], name="outbound_auto_created"),
            models.Index(fields=["recipient_key", "created_at"], name="outbound_auto_recipient",
                         condition=models.Q(automatic=True)),
        ]

    def __str__(self) -> str:
        return f"outbound {self.header_message_id} ({self.state})"


class Mailbox(models.Model):
    """An IMAP mailbox the workers poll. Fetched by UID, never by the Seen flag."""

    name = models.CharField(max_length=100, unique=True)
    url = models.CharField(max_length=500, help_text="imaps://user:password@host:993/INBOX")
    enabled = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A worker polling the mailbox holds it until then (a lease: a dead worker's
    # claim runs out), so two workers never poll one mailbox at once.
    polling_until = models.DateTimeField(null=True, blank=True)
    # Messages that could not be fetched or stored, passed over so the rest came in:
    # [{"uid": 17, "error": "...", "at": "2026-11-26T10:00:00+00:00"}, ...] (the last 200).
    skipped_uids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
