"""With a queue of work, what a customer waits for runs first (core/task_priorities.py)."""

from __future__ import annotations

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.worker import FrontlineWorker
from frontline.insights import tasks as insights_tasks
from frontline.mail.models import InboundState
from frontline.mail.store import accept_raw
from frontline.mail.tasks import inbound as inbound_tasks

MAIL = ("From: Jonas Weiß <jonas@kunde.example>\r\nTo: support@frontline.localhost\r\n"
        "Subject: Rechnung doppelt\r\nMessage-ID: <prio-1@kunde.example>\r\n\r\n"
        "Die Rechnung für November kam zweimal.\r\n").encode()


def test_mail_taken_in_before_the_sweep_and_the_sweep_before_detection(db):
    ticket = workflow.open_ticket(requester_email="ana@cliente.example", requester_name="Ana",
                                  subject="Exportação falha", body="O export CSV falha.",
                                  channel="web")
    DBTaskResult.objects.all().delete()  # what opening queued: not this test's order
    # Queued in the opposite order of their priorities.
    insights_tasks.detect_ticket.enqueue(ticket.pk)
    inbound_tasks.requeue_stale_inbound.enqueue()
    stored = accept_raw(MAIL, source="lmtp", process=False).inbound
    inbound_tasks.process_inbound_task.enqueue(stored.pk)

    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    rows = list(DBTaskResult.objects.filter(
        task_path__in=[insights_tasks.detect_ticket.module_path,
                       inbound_tasks.requeue_stale_inbound.module_path,
                       inbound_tasks.process_inbound_task.module_path]))
    assert {row.status for row in rows} == {TaskResultStatus.SUCCESSFUL}
    first: dict[str, object] = {}
    for row in sorted(rows, key=lambda row: row.started_at):
        first.setdefault(row.task_path.rsplit(".", 1)[1], row.started_at)
    # (The mail's new ticket queues its own detection: later still.)
    assert list(first) == ["process_inbound_task", "requeue_stale_inbound", "detect_ticket"]
    stored.refresh_from_db()
    assert stored.state == InboundState.PROCESSED
