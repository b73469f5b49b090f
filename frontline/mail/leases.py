"""The outbound rows of a batch of mails: leased together, settled together.

A worker sending mail leases each row before it talks to the server: the row's
`attempts` counts the attempt and `next_attempt_at` moves to the lease's end
(SEND_LEASE). A row whose lease is running is nobody else's to send; a worker
that dies mid-send leaves the lease to run out, and the periodic sweep
(`outbound.deliver_due`) sends the mail again. The undo-send window relies on the
same row (`outbound.withdraw` takes only a mail with no attempt counted).

Under a backlog a worker sends many mails at once (mail/tasks/delivery.py takes
the waiting deliveries along), and the two transactions per mail of claiming and
finishing one row at a time were a tenth of the worker's time (issue 11, part 3).
So here both are done for the batch:

- `claim`: one transaction, one `SELECT ... FOR UPDATE SKIP LOCKED` of the due,
  queued rows among those asked for, and one UPDATE leasing them all. A row
  another worker holds this moment (claiming it, or an undo taking it back) is
  skipped, not waited for: it is theirs. SQLite has no row locks; its
  transactions are IMMEDIATE (settings.py), which serialises the claims.
- `settle`: one transaction for outcomes, each row its own state, answer and
  retry time (one UPDATE for the mails sent, one for the others), the rows the
  batch did not get to given back (one UPDATE, compare-and-set on the lease), and
  their timeline events (one INSERT). The mails are already sent when it runs, so
  it is written through a short database outage (retried with backoff while the
  lease still holds): an outcome left unwritten would have the sweep send the
  mail again once the lease ran out.

A mail's acceptance by the server and the row's outcome cannot be one atomic
step: a worker killed (SIGKILL, the machine lost) between the two leaves that
mail to be sent again when its lease runs out. On PostgreSQL that moment is kept
to one COMMIT: the row is written as sent (`write_sent`) in a transaction that
is open while the mail goes to the server, and committed as soon as the server
took it (a refusal rolls it back; a COMMIT that fails leaves the row to
`settle`, which writes through an outage). SQLite lets one transaction write at
a time, so there the row is written after the send, as every other writer
would otherwise wait on the mail server. Either way `outbound.deliver_many` settles
each mail as soon as the server answered, before the next one goes: killed
mid-batch, a worker leaves at most the mail in hand to be sent twice, as when
each mail was its own task (settling the batch at its end would risk the whole
batch, 26 mails in deliver_task; "every reply delivered once" is what
bench.load checks after killing a worker). The batch's mails not yet attempted
are given back on a stop the worker hears, or, killed, wait for their lease.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q

from frontline.core import outages
from frontline.mail.models import OutboundMail, OutboundState
from frontline.tickets.services.events import events_together, record_event

logger = logging.getLogger(__name__)

DELIVERY_EVENT = "delivery"
# While one worker talks to the server, the mail is leased to it for this long;
# a worker that dies mid-send leaves the lease to run out, and the mail is retried.
SEND_LEASE = timedelta(minutes=10)
# How long `settle` keeps trying through an outage: well inside the lease, so a
# mail whose outcome is finally written was not sent again meanwhile.
SETTLE_WITHIN = SEND_LEASE / 2
LOADED = ("ticket__requester", "message__author_user", "message__ticket")


def record_delivery(outbound: OutboundMail, state: str, at: datetime, **detail: Any) -> None:
    """The "delivery" event on the mail's ticket: what became of it (`state`)."""
    record_event(outbound.ticket, DELIVERY_EVENT, at=at, after=state,
                 mail=outbound.pk, message=outbound.message_id, to=", ".join(outbound.to),
                 **detail)


def claim(outbound_ids: Iterable[int], now: datetime) -> list[OutboundMail]:
    """Lease the mails among `outbound_ids` that are queued and due at `now` to this
    worker, and load them for building (ticket, requester, message, author), in the
    order asked. Rows not queued, not due (a retry's time, an undo-send window, a
    running lease) or held by another worker this moment are left out."""
    wanted = list(dict.fromkeys(outbound_ids))
    if not wanted:
        return []
    with transaction.atomic():
        ids = list(OutboundMail.objects.select_for_update(skip_locked=True)
                   .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                           pk__in=wanted, state=OutboundState.QUEUED)
                   .order_by("pk").values_list("pk", flat=True))
        if ids:
            OutboundMail.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1,
                                                            next_attempt_at=now + SEND_LEASE)
    if not ids:
        return []
    # Loaded after the commit: the lease is what keeps other workers off the rows
    # while they are built and sent, not a transaction held open meanwhile.
    loaded = OutboundMail.objects.select_related(*LOADED).in_bulk(ids)
    return [loaded[pk] for pk in wanted if pk in loaded]


@dataclass
class Outcome:
    """What became of one claimed mail, not yet written: `state` SENT, FAILED, or
    QUEUED again (a retry at `retry_at`); `answer` the server's (or why)."""

    outbound: OutboundMail
    state: str
    answer: str
    retry_at: datetime | None = None
    # The row already says SENT (write_sent, committed with the send): only its
    # event is left to write.
    written: bool = False


def writes_sent_with_the_send() -> bool:
    """Whether the row is written as sent inside the send's transaction (see the
    module docstring): PostgreSQL, whose row lock keeps it to this one row."""
    return connection.vendor == "postgresql"


def write_sent(outbound: OutboundMail, now: datetime) -> None:
    """The row as sent, in the caller's transaction (open while the mail is sent)."""
    OutboundMail.objects.filter(pk=outbound.pk).update(
        state=OutboundState.SENT, next_attempt_at=None, sent_at=now, last_error="")


def settle(outcomes: Sequence[Outcome], now: datetime,
           unsent: Sequence[OutboundMail] = ()) -> None:
    """Write the batch's outcomes, and give back the leases of `unsent` (claimed, not
    attempted: the batch stopped before them), in one transaction; written through
    a short outage (see the module docstring). A lease already gone is left alone."""
    if not outcomes and not unsent:
        return
    deadline = time.monotonic() + SETTLE_WITHIN.total_seconds()
    attempt = 0
    while True:
        attempt += 1
        try:
            _write(outcomes, now, unsent)
            break
        except DatabaseError as failure:
            if not outages.is_transient(failure) or time.monotonic() > deadline:
                raise
            outages.discard_broken_connections()
            logger.warning("Could not write the outcome of %s mails (%s); attempt %s",
                           len(outcomes), outages.describe(failure), attempt)
            time.sleep(outages.backoff(attempt))
    for outcome in outcomes:
        if outcome.state == OutboundState.FAILED:
            logger.warning("Outbound mail %s failed: %s", outcome.outbound.pk, outcome.answer)
        elif outcome.state == OutboundState.QUEUED:
            logger.info("Outbound mail %s: %s; retrying at %s", outcome.outbound.pk,
                        outcome.answer, outcome.retry_at)


def _write(outcomes: Sequence[Outcome], now: datetime, unsent: Sequence[OutboundMail]) -> None:
    with transaction.atomic(), events_together():
        rows = []
        for outcome in outcomes:
            outbound = outcome.outbound
            outbound.state = outcome.state
            outbound.next_attempt_at = outcome.retry_at
            outbound.last_error = "" if outcome.state == OutboundState.SENT else outcome.answer
            if outcome.state == OutboundState.SENT:
                outbound.sent_at = now
            rows.append(outbound)
            detail: dict[str, Any] = {"answer": outcome.answer, "attempt": outbound.attempts}
            if outcome.retry_at is not None:
                detail["next_attempt_at"] = outcome.retry_at.isoformat()
            record_delivery(outbound, outcome.state if outcome.retry_at is None else "retrying",
                            now, **detail)
        # The mails sent (most, usually all) share their new values: one plain UPDATE.
        # The others (refused, deferred) one UPDATE with a CASE per row: Django builds
        # that expression per row and field, which cost more than the statement for a
        # batch of sent mails (2 ms a mail in bench.outbound_delivery).
        written = {outcome.outbound.pk for outcome in outcomes if outcome.written}
        sent = [row.pk for row in rows if row.state == OutboundState.SENT
                and row.pk not in written]
        if sent:
            OutboundMail.objects.filter(pk__in=sent).update(
                state=OutboundState.SENT, next_attempt_at=None, sent_at=now, last_error="")
        others = [row for row in rows if row.state != OutboundState.SENT]
        if others:
            OutboundMail.objects.bulk_update(others, ["state", "next_attempt_at", "last_error"])
        if unsent:
            # Not an attempt: the count goes back, and the mail is due again at once.
            # Only while the lease is still this claim's (its end is this claim's).
            OutboundMail.objects.filter(
                pk__in=[outbound.pk for outbound in unsent], state=OutboundState.QUEUED,
                next_attempt_at=now + SEND_LEASE,
            ).update(attempts=F("attempts") - 1, next_attempt_at=now)
