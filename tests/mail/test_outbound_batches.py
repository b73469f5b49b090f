"""A worker sends a batch of mails together (issue 11, part 3): the outbound rows are
leased in one transaction and finished in one, what the mails are built from is read
once for the batch, and each mail still ends on its own (frontline.mail.leases,
outbound.deliver_many). Sent to a real SMTP server (aiosmtpd, `smtp_sink`)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.worker import FrontlineWorker
from frontline.mail import compose, leases, outbound
from frontline.mail.models import OutboundMail
from frontline.mail.tasks.delivery import deliver_task
from frontline.tickets.models import Message
from frontline.tickets.services.attachments import attach
from tests.workflow.test_merged_tickets import bobs_mail_ticket, merged  # noqa: F401  (fixtures)

# Customers writing in several languages, with and without files; some get the
# acknowledgement (automatic), some an agent's reply, some both.
CUSTOMERS = [
    ("mara@quist-logistik.example", "Export bricht bei 80 % ab", "Fehler E-4411 beim Export."),
    ("tomas@ruiz-hermanos.example", "Factura duplicada", "Nos han cobrado dos veces."),
    ("kenji@sato-trading.example", "Login loop on the portal", "SSO sends me back."),
    ("priya@nair-analytics.example", "API 502 for large reports", "size=10000 gives 502."),
    ("aoife@byrne-design.example", "Rechnung / invoice in EUR?", "Can we pay in euro?"),
    ("lukas@novak-bau.example", "Zugang gesperrt", "Nach drei Versuchen gesperrt."),
    ("ines@ferreira-saude.example", "Relatório vazio", "O relatório mensal está vazio."),
    ("omar@haddad-freight.example", "Tracking page slow", "Takes 40 s to load."),
]


def queue_mails(agent, count: int, *, offset: int = 0) -> list[OutboundMail]:
    """`count` queued mails on as many tickets, varied: acknowledgements, replies
    with a file, replies after a customer's mail with a Message-ID."""
    mails = []
    for number in range(offset, offset + count):
        address, subject, body = CUSTOMERS[number % len(CUSTOMERS)]
        address = address.replace("@", f"+{number}@")
        ticket = workflow.open_ticket(requester_email=address, subject=subject, body=body,
                                      channel="email")
        first = ticket.messages.get()
        first.email_message_id = f"first-{number}@{address.split('@')[1]}"
        first.save(update_fields=["email_message_id"])
        if number % 3 == 0:
            mails.append(outbound.send_acknowledgement(ticket))
            continue
        text = f"Reply {number}: we are on it.\n" * (number % 4 + 1)
        reply = workflow.add_reply(ticket, agent, text)
        if number % 3 == 1:
            attach(reply, f"steps-{number}.txt", f"step {number}\n".encode() * (number + 1),
                   content_type="text/plain")
        mails.append(OutboundMail.objects.get(message=reply))
    return mails


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL run, without the savepoints of the test's own transaction."""
    return [query["sql"] for query in queries.captured_queries
            if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def deliver_counting(mails: list[OutboundMail]) -> tuple[dict[int, str], int]:
    with CaptureQueriesContext(connection) as queries:
        states = outbound.deliver_many([mail.pk for mail in mails])
    return states, len(statements(queries))


def test_a_batch_reads_in_the_same_statements_whatever_its_size(smtp_sink, lena):
    """Two mails, then seven: claimed and built in the same statements, each
    finished by two of its own (written as soon as the server took it, so a worker
    killed mid-batch sends no mail twice but the one in hand); each mail arrives
    once, each row sent at its first attempt with one event on its ticket."""
    small = queue_mails(lena, 2)
    large = queue_mails(lena, 7, offset=2)

    small_states, small_queries = deliver_counting(small)
    large_states, large_queries = deliver_counting(large)

    assert small_states == {mail.pk: "sent" for mail in small}
    assert large_states == {mail.pk: "sent" for mail in large}
    # Lease (SELECT ... FOR UPDATE, UPDATE), load, the thread, the files, which are
    # acknowledgements; then per mail its outcome (UPDATE) and its event (INSERT).
    assert large_queries - small_queries == 2 * (7 - 2), (small_queries, large_queries)
    assert small_queries == 6 + 2 * 2
    sent = sorted(d.message["Message-ID"] for d in smtp_sink.delivered)
    assert sent == sorted(f"<{mail.header_message_id}>" for mail in small + large)
    assert smtp_sink.connections() == 2  # one per batch
    for mail in small + large:
        mail.refresh_from_db()
        assert (mail.state, mail.attempts, mail.last_error, mail.next_attempt_at) == (
            "sent", 1, "", None)
        assert list(mail.ticket.events.filter(kind="delivery").values_list(
            "after", "detail__mail")) == [("sent", mail.pk)]


def test_mails_built_together_are_the_mails_built_alone(smtp_sink, lena):
    """Thread headers, files, Auto-Submitted: what the batch reads at once gives each
    mail exactly what reading it alone gives."""
    mails = queue_mails(lena, 6)
    claimed = leases.claim([mail.pk for mail in mails], timezone.now())
    prefetched = compose.prefetch(claimed)
    for mail in claimed:
        together = compose.build(mail, prefetched=prefetched)
        alone = compose.build(mail)
        for header in ("Message-ID", "In-Reply-To", "References", "Auto-Submitted", "From",
                       "To", "Subject"):
            assert together.extra_headers.get(header) == alone.extra_headers.get(header)
        assert together.body == alone.body
        assert together.attachments == alone.attachments
    automatic = {mail.pk: compose.build(mail, prefetched=prefetched).extra_headers.get(
        "Auto-Submitted") for mail in claimed}
    assert sorted(filter(None, automatic.values())) == ["auto-replied", "auto-replied"]
    files = [len(compose.build(mail, prefetched=prefetched).attachments) for mail in claimed]
    assert files == [0, 1, 0, 0, 1, 0]


def test_the_thread_read_together_keeps_a_merged_customers_ids_out(
        merged, alices_ticket, lena):  # noqa: F811
    """After Bob's ticket is merged into Alice's, a mail to Alice built in a batch does
    not carry Bob's Message-ID, as one built alone does not."""
    reply = workflow.add_reply(alices_ticket, lena, "Both problems are one: fixed in 4.2.2.")
    Message.objects.filter(ticket=alices_ticket, kind="inbound", merged_from__isnull=True
                           ).update(email_message_id="alice-1@premium.example")
    [mail] = leases.claim([OutboundMail.objects.get(message=reply).pk], timezone.now())
    prefetched = compose.prefetch([mail])
    assert prefetched.thread_ids(alices_ticket, reply) == compose.thread_ids(alices_ticket,
                                                                              reply)
    in_reply_to, references = prefetched.thread_ids(alices_ticket, reply)
    assert in_reply_to == "alice-1@premium.example"
    assert "bob-1@standard.example" not in references


def test_one_mail_refused_by_the_server_fails_alone_and_one_deferred_waits_alone(
        smtp_sink, lena, settings):
    """Five mails over one connection: the second is refused for good (550), the fourth
    deferred (451); those two end that way, each with its own answer, the other three
    are sent."""
    settings.FRONTLINE_MAIL_RETRY_SECONDS = 90
    mails = queue_mails(lena, 5)
    smtp_sink.answer("250 2.0.0 Ok", "550 5.1.1 <tomas+1@ruiz-hermanos.example>: no such user",
                     "250 2.0.0 Ok", "451 4.3.0 Mailbox busy, try later")
    now = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        states = outbound.deliver_many([mail.pk for mail in mails], now=now)

    assert [states[mail.pk] for mail in mails] == ["sent", "failed", "sent", "queued", "sent"]
    # The batch's reads once; each mail its outcome (one UPDATE) and event, whatever
    # the server said. On PostgreSQL a mail's row is written as sent before the
    # server answers (leases.write_sent): a refusal rolls that back, two statements
    # more for each of the two refused.
    rolled_back = 2 * 2 if leases.writes_sent_with_the_send() else 0
    assert len(statements(queries)) == 6 + 2 * 5 + rolled_back
    rows = {row.pk: row for row in OutboundMail.objects.all()}
    refused, deferred = rows[mails[1].pk], rows[mails[3].pk]
    assert refused.last_error == "550 5.1.1 <tomas+1@ruiz-hermanos.example>: no such user"
    assert (refused.state, refused.next_attempt_at) == ("failed", None)
    assert deferred.last_error.startswith("451 4.3.0 Mailbox busy")
    assert deferred.next_attempt_at == now + timedelta(seconds=90)
    assert deferred.attempts == 1
    assert [rows[mail.pk].last_error for mail in (mails[0], mails[2], mails[4])] == ["", "", ""]
    assert len(smtp_sink.delivered) == 3 and smtp_sink.connections() == 1
    assert list(deferred.ticket.events.filter(kind="delivery").values_list(
        "after", flat=True)) == ["retrying"]
    assert refused.ticket.events.get(kind="delivery").detail["answer"].startswith("550 5.1.1")

    # The deferred one goes out when its time comes, alone; nothing else again.
    assert outbound.deliver_due(now + timedelta(seconds=91)) == {"sent": 1}
    assert smtp_sink.delivered[-1].message["Message-ID"] == f"<{deferred.header_message_id}>"
    assert len(smtp_sink.delivered) == 4


def test_a_mail_leased_by_another_worker_is_not_sent_and_its_lease_running_out_sends_it_once(
        smtp_sink, lena):
    """Another worker leased the third mail (and died): the batch sends the others;
    once the lease has run out, the sweep sends it, once."""
    mails = queue_mails(lena, 4)
    start = timezone.now()
    assert [m.pk for m in leases.claim([mails[2].pk], start)] == [mails[2].pk]

    states = outbound.deliver_many([mail.pk for mail in mails], now=start + timedelta(seconds=1))

    assert states == {mails[0].pk: "sent", mails[1].pk: "sent", mails[3].pk: "sent"}
    delivered = {d.message["Message-ID"] for d in smtp_sink.delivered}
    assert f"<{mails[2].header_message_id}>" not in delivered and len(delivered) == 3
    assert outbound.deliver_due(start + timedelta(minutes=5)) == {}
    after_lease = start + leases.SEND_LEASE + timedelta(seconds=1)
    assert outbound.deliver_due(after_lease) == {"sent": 1}
    assert outbound.deliver_due(after_lease + timedelta(minutes=1)) == {}
    assert len(smtp_sink.delivered) == 4
    leased = OutboundMail.objects.get(pk=mails[2].pk)
    assert (leased.state, leased.attempts) == ("sent", 2)


def test_the_same_mail_asked_for_twice_in_a_batch_is_sent_once(smtp_sink, lena):
    mails = queue_mails(lena, 2)
    ids = [mails[0].pk, mails[1].pk, mails[0].pk]
    assert outbound.deliver_many(ids) == {mails[0].pk: "sent", mails[1].pk: "sent"}
    assert len(smtp_sink.delivered) == 2
    assert outbound.deliver_many(ids) == {}


def test_the_sweep_sends_a_backlog_in_batches(smtp_sink, lena, settings):
    """More due mails than one batch: the sweep sends them all, once each."""
    settings.FRONTLINE_SMTP_URL = smtp_sink.url + "?timeout=10"
    mails = queue_mails(lena, outbound.DUE_BATCH + 3)
    with CaptureQueriesContext(connection) as queries:
        assert outbound.deliver_due() == {"sent": len(mails)}
    # What is due, then two batches of six reads, and each mail's outcome and event.
    assert len(statements(queries)) == 1 + 2 * 6 + 2 * len(mails)
    assert sorted(d.message["Message-ID"] for d in smtp_sink.delivered) == sorted(
        f"<{mail.header_message_id}>" for mail in mails)


def test_each_queued_delivery_task_records_its_own_mails_outcome(smtp_sink, lena):
    """Five delivery tasks waiting, one worker: one task takes the others along; the
    mails go out once each over one connection; a second task for a mail already
    sent says so (None), one queued with a bad argument fails alone."""
    mails = queue_mails(lena, 3)
    tasks = [deliver_task.enqueue(mails[0].pk), deliver_task.enqueue(mails[1].pk),
             deliver_task.enqueue(mails[0].pk), deliver_task.enqueue("FL-10001"),
             deliver_task.enqueue(mails[2].pk)]

    worker = FrontlineWorker(batch=True, schedule=False, interval=0)
    worker.run()

    assert worker._run_tasks == 1
    rows = {str(row.pk): row for row in DBTaskResult.objects.all()}
    outcomes = [(rows[task.id].status, rows[task.id].return_value) for task in tasks]
    assert outcomes[:3] == [("SUCCESSFUL", "sent"), ("SUCCESSFUL", "sent"),
                            ("SUCCESSFUL", None)]
    assert outcomes[3][0] == "FAILED"
    assert rows[tasks[3].id].exception_class_path == "builtins.TypeError"
    assert outcomes[4] == ("SUCCESSFUL", "sent")
    assert sorted(d.message["Message-ID"] for d in smtp_sink.delivered) == sorted(
        f"<{mail.header_message_id}>" for mail in mails)
    assert smtp_sink.connections() == 1
