"""The background worker runs queued tasks and the periodic jobs, in-process here."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.cli import main
from frontline.core.worker import FrontlineWorker
from frontline.tickets.models import Status, Ticket
from frontline.workflow.tasks import close_quiet_resolved


def resolved_long_ago(lena, days: int) -> Ticket:
    at = timezone.now() - timedelta(days=days)
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Export button does nothing",
                                  body="Clicking Export has no effect.", at=at)
    workflow.add_reply(ticket, lena, "Fixed in the settings.", status="resolved",
                       at=at + timedelta(hours=1))
    return ticket


def test_queued_quiet_period_task_closes_a_resolved_ticket(bob, lena):
    quiet = resolved_long_ago(lena, days=10)
    recent = resolved_long_ago(lena, days=1)
    result = close_quiet_resolved.enqueue()

    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    quiet.refresh_from_db()
    recent.refresh_from_db()
    assert quiet.status == Status.CLOSED
    assert recent.status == Status.RESOLVED
    assert quiet.events.filter(kind="status_changed", after=Status.CLOSED).exists()
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value == {"reminded": 0, "closed": 1}


def test_worker_schedules_the_periodic_job_itself(bob, lena):
    """No one enqueues anything: the worker's scheduler tick does, then runs it."""
    quiet = resolved_long_ago(lena, days=8)

    FrontlineWorker(batch=True, interval=0).run()

    quiet.refresh_from_db()
    assert quiet.status == Status.CLOSED
    # Other apps' periodic jobs (mail polling, delivery) ran in the same tick: all fine.
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        task_path="frontline.workflow.tasks.close_quiet_resolved").count() == 1
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


def test_worker_command_in_batch_mode(bob, lena, capsys):
    reminded = resolved_long_ago(lena, days=6)

    assert main(["worker", "--batch"]) == 0

    reminded.refresh_from_db()
    assert reminded.status == Status.RESOLVED
    assert reminded.resolution_reminder_at is not None
    assert reminded.messages.filter(body__contains="If it is not solved").exists()
