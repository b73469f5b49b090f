"""New tickets waiting for detection are detected together by one task (insights/tasks.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.core.models import User
from frontline.insights import detection
from frontline.insights.models import Alert, AlertTicket, TicketSignature
from frontline.insights.tasks import detect_ticket
from tests.insights.customer_base import customer_base
from tests.worker_claims import claims_while_working

DAY = timedelta(days=1)


def test_waiting_tickets_are_detected_in_one_task_in_ticket_time_order(
        db: None, ada: User, django_capture_on_commit_callbacks: Any) -> None:
    """Three customers report the same failure; their tickets wait in the queue, the
    newest written first. One task builds the three signatures and detects them in
    the order they were written: one alert, raised at the newest ticket's time."""
    base = customer_base()
    base.noise(30, start=base.now - 14 * DAY, days=12)
    detection.run(limit=None)
    with django_capture_on_commit_callbacks(execute=True):
        newest = base.problem(2, base.contact(2), base.now - DAY)
        oldest = base.problem(0, base.contact(0), base.now - 3 * DAY)
        middle = base.problem(1, base.contact(1), base.now - 2 * DAY)
    queued = DBTaskResult.objects.filter(task_path=detect_ticket.module_path)
    assert queued.count() == 3

    assert claims_while_working() == ["detect_ticket"]

    alert = Alert.objects.get()
    assert alert.raised_at == newest.created_at
    assert set(AlertTicket.objects.filter(alert=alert).values_list("ticket_id", flat=True)) == {
        oldest.pk, middle.pk, newest.pk}
    # Raised once, reported by whichever ticket's detection found the group complete
    # (as `detection.run` does with a chunk: the signatures are all built first).
    assert {row.args_kwargs["args"][0] for row in queued} == {oldest.pk, middle.pk, newest.pk}
    assert {row.status for row in queued} == {TaskResultStatus.SUCCESSFUL}
    assert [row.return_value["signatures"] for row in queued] == [1, 1, 1]
    assert sum(row.return_value["raised"] for row in queued) == 1
    assert TicketSignature.objects.filter(pk__in=[newest.pk, oldest.pk, middle.pk]).count() == 3


def test_a_ticket_gone_before_its_detection_fails_nobody_else(
        db: None, django_capture_on_commit_callbacks: Any) -> None:
    """A waiting task names a ticket that is gone, another was queued with a bad
    argument: the others are detected, the bad one fails with its own error."""
    base = customer_base()
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [base.problem(n, base.contact(n), base.now - (4 - n) * DAY) for n in range(3)]
    gone = detect_ticket.enqueue(987654)
    bad = detect_ticket.enqueue(987655)
    DBTaskResult.objects.filter(pk=bad.id).update(
        args_kwargs={"args": ["FL-10427"], "kwargs": {}})

    assert claims_while_working() == ["detect_ticket"]

    status = {str(pk): (state, value) for pk, state, value in DBTaskResult.objects.filter(
        task_path=detect_ticket.module_path).values_list("pk", "status", "return_value")}
    assert status.pop(str(gone.id)) == (TaskResultStatus.SUCCESSFUL,
                                        {"signatures": 0, "raised": 0})
    failed = DBTaskResult.objects.get(pk=bad.id)
    status.pop(str(bad.id))
    assert failed.status == TaskResultStatus.FAILED
    assert "not with one id" in failed.traceback
    assert {state for state, _ in status.values()} == {TaskResultStatus.SUCCESSFUL}
    assert TicketSignature.objects.filter(pk__in=[t.pk for t in tickets]).count() == 3
