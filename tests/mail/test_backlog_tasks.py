"""A backlog of mail is done in batches by the worker: the stored mails waiting are
processed by one task, their acknowledgements sent by one task over one SMTP
connection (core/siblings.py; issue 11, part 3)."""

from __future__ import annotations

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.mail.models import InboundMail, InboundSource, InboundState, OutboundMail
from frontline.mail.store import accept_raw
from frontline.mail.tasks.delivery import deliver_task
from frontline.mail.tasks.inbound import process_inbound_task
from frontline.tickets.models import Message
from tests.mail.inbound_mails import compose
from tests.worker_claims import claims_while_working

SUPPORT = "support@frontline.localhost"
# New requests from several customers, languages and sizes; one answers another
# (it lands on that ticket, unacknowledged); one is an out-of-office for no
# ticket (ignored); one has no sender (failed, and shown to an admin).
BACKLOG = [
    dict(sender="Mara Quist <mara@quist-logistik.example>", subject="Export bricht ab",
         body="Der Export der Lieferscheine bricht bei 80 % mit Fehler E-4411 ab.",
         message_id="backlog-1@quist-logistik.example"),
    dict(sender="Tomás Ruiz <tomas@ruiz-hermanos.example>", subject="Factura duplicada",
         body="Nos han cobrado dos veces la factura 2026-118. ¿Pueden revisarlo?\n" * 3,
         message_id="backlog-2@ruiz-hermanos.example"),
    dict(sender="kenji@sato-trading.example", subject="Login loop on the portal",
         body="After the SSO change the portal keeps sending me back to the login page.",
         html="<p>After the SSO change the portal keeps <b>sending me back</b>.</p>",
         message_id="backlog-3@sato-trading.example"),
    dict(sender="Mara Quist <mara@quist-logistik.example>", subject="Re: Export bricht ab",
         body="Nachtrag: es betrifft nur Lieferscheine mit mehr als 500 Positionen.",
         message_id="backlog-4@quist-logistik.example",
         in_reply_to="<backlog-1@quist-logistik.example>"),
    dict(sender="Aoife Byrne <aoife@byrne-design.example>", subject="Out of office",
         body="I am away until Monday.", message_id="backlog-5@byrne-design.example",
         headers={"Auto-Submitted": "auto-replied"}),
    dict(sender="Priya Nair <priya@nair-analytics.example>",
         subject="API returns 502 for large reports",
         body="GET /api/v2/reports?size=10000 answers 502 after 30 s; smaller ones work.",
         message_id="backlog-6@nair-analytics.example"),
]
NO_SENDER = (b"To: support@frontline.localhost\r\nSubject: who am I\r\n"
             b"Message-ID: <backlog-7@nowhere.example>\r\n\r\nNo From header at all.\r\n")


def test_a_backlog_is_processed_by_one_task_and_acknowledged_over_one_connection(
        db, smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = [accept_raw(compose(to=SUPPORT, **mail), source=InboundSource.LMTP).inbound
                  for mail in BACKLOG]
        stored.append(accept_raw(NO_SENDER, source=InboundSource.LMTP).inbound)
    assert DBTaskResult.objects.filter(task_path=process_inbound_task.module_path,
                                       status=TaskResultStatus.READY).count() == 7

    # The tasks the processing queues (acknowledgements, detection) are queued on
    # commit: here when the worker is done.
    with django_capture_on_commit_callbacks(execute=True):
        assert claims_while_working() == ["process_inbound_task"]
    assert sorted(claims_while_working()) == ["deliver_task", "detect_ticket"]

    states = {inbound.header_message_id: InboundMail.objects.get(pk=inbound.pk).state
              for inbound in stored}
    assert states == {
        "backlog-1@quist-logistik.example": InboundState.PROCESSED,
        "backlog-2@ruiz-hermanos.example": InboundState.PROCESSED,
        "backlog-3@sato-trading.example": InboundState.PROCESSED,
        "backlog-4@quist-logistik.example": InboundState.PROCESSED,
        "backlog-5@byrne-design.example": InboundState.IGNORED,
        "backlog-6@nair-analytics.example": InboundState.PROCESSED,
        "backlog-7@nowhere.example": InboundState.FAILED}
    # Every mail landed once, the answer on the ticket it answers.
    for number in (1, 2, 3, 4, 6):
        landed = Message.objects.filter(email_message_id__startswith=f"backlog-{number}@")
        assert landed.count() == 1
    first = Message.objects.get(email_message_id="backlog-1@quist-logistik.example")
    answer = Message.objects.get(email_message_id="backlog-4@quist-logistik.example")
    assert answer.ticket_id == first.ticket_id
    # Each task row has its own outcome: the mail's state.
    outcomes = sorted(DBTaskResult.objects.filter(task_path=process_inbound_task.module_path)
                      .values_list("status", "return_value"))
    assert outcomes == sorted([(TaskResultStatus.SUCCESSFUL, "processed")] * 5
                              + [(TaskResultStatus.SUCCESSFUL, "ignored"),
                                 (TaskResultStatus.SUCCESSFUL, "failed")])
    # Four new tickets, four acknowledgements, each sent once, all over one connection.
    assert sorted(tuple(d.rcpt_tos) for d in smtp_sink.delivered) == [
        ("kenji@sato-trading.example",), ("mara@quist-logistik.example",),
        ("priya@nair-analytics.example",), ("tomas@ruiz-hermanos.example",)]
    assert smtp_sink.connections() == 1
    assert set(OutboundMail.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_a_refused_recipient_fails_its_own_mail_and_the_others_go_over_the_same_connection(
        db, smtp_sink, django_capture_on_commit_callbacks):
    """The server refuses the second acknowledgement for good: that one fails with its
    answer on the ticket; the first, third and fourth are sent, on one connection."""
    with django_capture_on_commit_callbacks(execute=True):
        for mail in (BACKLOG[0], BACKLOG[1], BACKLOG[2], BACKLOG[5]):
            accept_raw(compose(to=SUPPORT, **mail), source=InboundSource.LMTP)
    with django_capture_on_commit_callbacks(execute=True):
        claims_while_working()
    deliveries = DBTaskResult.objects.filter(task_path=deliver_task.module_path)
    order = [row.args_kwargs["args"][0] for row in deliveries.order_by("enqueued_at")]
    assert len(order) == 4
    smtp_sink.answer("250 2.0.0 Ok", "550 5.1.1 No such mailbox here")

    assert sorted(claims_while_working()) == ["deliver_task", "detect_ticket"]

    refused = OutboundMail.objects.get(pk=order[1])
    assert refused.state == "failed" and "550 5.1.1 No such mailbox here" in refused.last_error
    assert set(OutboundMail.objects.exclude(pk=order[1]).values_list("state", flat=True)) == {
        "sent"}
    assert len(smtp_sink.delivered) == 3 and smtp_sink.connections() == 1
    assert refused.ticket.events.filter(kind="delivery", after="failed").exists()
    # The task rows say what became of each mail.
    assert sorted(deliveries.values_list("status", "return_value")) == sorted(
        [(TaskResultStatus.SUCCESSFUL, "sent")] * 3 + [(TaskResultStatus.SUCCESSFUL, "failed")])
