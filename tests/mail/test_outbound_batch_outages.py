"""A batch of mails meets PostgreSQL's row locks and outages (frontline.mail.leases):
a row another transaction holds is skipped, not waited for; a database that goes
away while the batch is sent loses no outcome and doubles no mail; a batch stopped
before its mails are sent gives their leases back. Real PostgreSQL (an outage
through tests/outage_proxy.py), a real SMTP server (`smtp_sink`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, connection, connections
from django.db.models.signals import post_init
from django.utils import timezone

from frontline.mail import leases, outbound
from frontline.mail.models import OutboundMail
from tests.core.test_database_outage import database_proxy  # noqa: F401  (a fixture)
from tests.mail.test_outbound_batches import queue_mails

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="PostgreSQL's row locks and a PostgreSQL outage")


@pytest.fixture
def holder(transactional_db: None) -> Iterator[psycopg.Connection[Any]]:
    """A second session on the test database: another worker, a migration."""
    params = connection.get_connection_params()
    other = psycopg.connect(**{key: value for key, value in params.items()
                               if key in ("dbname", "user", "password", "host", "port")})
    try:
        yield other
    finally:
        other.rollback()
        other.close()
        connections.close_all()


def test_a_row_another_worker_holds_is_skipped_at_once_and_sent_later(
        smtp_sink, lena, holder):
    """Another session holds the second mail's row (a worker claiming it this moment):
    the batch does not wait for it (a lock wait would fail at lock_timeout), it sends
    the others; the held one goes out once the other session let go."""
    mails = queue_mails(lena, 3)
    holder.execute("SELECT id FROM mail_outboundmail WHERE id = %s FOR UPDATE", [mails[1].pk])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    started = time.monotonic()

    states = outbound.deliver_many([mail.pk for mail in mails])

    assert time.monotonic() - started < 5
    assert states == {mails[0].pk: "sent", mails[2].pk: "sent"}
    held = OutboundMail.objects.get(pk=mails[1].pk)
    assert (held.state, held.attempts) == ("queued", 0)
    holder.rollback()
    assert outbound.deliver_due() == {"sent": 1}
    assert sorted(d.message["Message-ID"] for d in smtp_sink.delivered) == sorted(
        f"<{mail.header_message_id}>" for mail in mails)


def test_the_database_going_away_mid_batch_loses_no_outcome_and_doubles_no_mail(
        smtp_sink, lena, database_proxy):  # noqa: F811
    """PostgreSQL goes away while the second of five mails is on the wire and is back
    three seconds later: all five reach the server once, and their outcomes are
    written once it is back, so the sweep after the lease sends none again."""
    mails = queue_mails(lena, 5)
    accept = smtp_sink.handle_DATA
    cut = threading.Event()

    async def restart_on_the_second(server: Any, session: Any, envelope: Any) -> str:
        answer = await accept(server, session, envelope)
        if len(smtp_sink.delivered) == 2 and not cut.is_set():
            cut.set()
            database_proxy.cut()
            threading.Timer(3, database_proxy.restore).start()
        return answer

    smtp_sink.handle_DATA = restart_on_the_second  # type: ignore[method-assign]
    now = timezone.now()

    states = outbound.deliver_many([mail.pk for mail in mails], now=now)

    assert cut.is_set(), "the outage never happened"
    assert states == {mail.pk: "sent" for mail in mails}
    connections.close_all()
    rows = OutboundMail.objects.filter(pk__in=[mail.pk for mail in mails])
    assert set(rows.values_list("state", "attempts", "next_attempt_at")) == {("sent", 1, None)}
    for mail in mails:
        assert list(mail.ticket.events.filter(kind="delivery").values_list(
            "after", flat=True)) == ["sent"]
    assert outbound.deliver_due(now + leases.SEND_LEASE + timedelta(seconds=1)) == {}
    assert sorted(d.message["Message-ID"] for d in smtp_sink.delivered) == sorted(
        f"<{mail.header_message_id}>" for mail in mails)


def test_a_batch_stopped_before_sending_gives_back_the_leases_it_did_not_use(
        smtp_sink, lena, holder):
    """Once the batch is leased, a migration (say) takes the messages table and the
    build meets lock_timeout: nothing is sent, the mail in hand keeps its lease (as
    one mail alone does), the other two are due again at once, and the next run
    sends them; the first goes out when its lease ends."""
    mails = queue_mails(lena, 3)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    locked = threading.Event()

    def lock_messages_once_claimed(sender: Any, instance: OutboundMail, **kwargs: Any) -> None:
        if not connection.in_atomic_block and not locked.is_set():
            locked.set()
            holder.execute("LOCK TABLE tickets_message IN ACCESS EXCLUSIVE MODE")

    now = timezone.now()
    post_init.connect(lock_messages_once_claimed, sender=OutboundMail, weak=False)
    try:
        with pytest.raises(DatabaseError, match="lock timeout"):
            outbound.deliver_many([mail.pk for mail in mails], now=now)
    finally:
        post_init.disconnect(lock_messages_once_claimed, sender=OutboundMail)
        holder.rollback()

    assert locked.is_set() and smtp_sink.delivered == []
    rows = {row.pk: row for row in OutboundMail.objects.all()}
    first, *others = (rows[mail.pk] for mail in mails)
    assert (first.state, first.attempts, first.next_attempt_at) == (
        "queued", 1, now + leases.SEND_LEASE)
    assert [(row.state, row.attempts, row.next_attempt_at) for row in others] == [
        ("queued", 0, now), ("queued", 0, now)]

    later = now + timedelta(seconds=5)
    assert outbound.deliver_many([mail.pk for mail in mails], now=later) == {
        mails[1].pk: "sent", mails[2].pk: "sent"}
    assert outbound.deliver_due(now + leases.SEND_LEASE) == {"sent": 1}
    assert sorted(d.message["Message-ID"] for d in smtp_sink.delivered) == sorted(
        f"<{mail.header_message_id}>" for mail in mails)
    assert OutboundMail.objects.get(pk=mails[0].pk).attempts == 2


def test_the_row_says_sent_before_the_server_answers_and_a_refusal_takes_it_back(
        smtp_sink, lena, holder):
    """While the server holds each mail (before its answer), the sending session sits
    in a transaction whose last statement wrote that row as sent: a worker killed
    after the answer can only lose the COMMIT's moment, not the whole settle. The
    refused mail's write is rolled back; it ends failed, with its answer."""
    mails = queue_mails(lena, 3)
    smtp_sink.answer("250 2.0.0 Ok", "550 5.7.1 <tomas+1@ruiz-hermanos.example>: refused")
    sender = connection.cursor().connection.info.backend_pid
    accept = smtp_sink.handle_DATA
    seen: list[tuple[str, str]] = []

    async def look_at_the_sender(server: Any, session: Any, envelope: Any) -> str:
        state, query = holder.execute(
            "SELECT state, query FROM pg_stat_activity WHERE pid = %s", [sender]).fetchone()
        seen.append((state, " ".join(query.split())))
        return await accept(server, session, envelope)

    smtp_sink.handle_DATA = look_at_the_sender  # type: ignore[method-assign]
    states = outbound.deliver_many([mail.pk for mail in mails])

    assert states == {mails[0].pk: "sent", mails[1].pk: "failed", mails[2].pk: "sent"}
    assert len(seen) == 3
    assert all(state == "idle in transaction" and query.startswith(
        'UPDATE "mail_outboundmail" SET "state" = \'sent\'') for state, query in seen), seen
    rows = {row.pk: row for row in OutboundMail.objects.all()}
    assert [rows[mail.pk].state for mail in mails] == ["sent", "failed", "sent"]
    assert rows[mails[1].pk].last_error.startswith("550 5.7.1") and rows[
        mails[1].pk].sent_at is None
    assert [list(mail.ticket.events.filter(kind="delivery").values_list("after", flat=True))
            for mail in mails] == [["sent"], ["failed"], ["sent"]]
