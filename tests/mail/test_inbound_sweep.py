"""The crash-recovery sweep: mail whose worker died mid-task is queued again;
mail still waiting in the queue is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontline.mail.models import InboundMail, InboundState
from frontline.mail.services import requeue_stale
from frontline.mail.store import accept_raw
from frontline.mail.tasks.inbound import process_inbound_task
from tests.mail.inbound_mails import compose


def _queued_ids() -> list[int]:
    return sorted(row["args"][0] for row in DBTaskResult.objects.filter(
        task_path=process_inbound_task.module_path, status="READY")
        .values_list("args_kwargs", flat=True))


def _stored(subject: str, minutes_ago: int) -> InboundMail:
    inbound = accept_raw(compose(subject=subject), source="lmtp", process=False).inbound
    InboundMail.objects.filter(pk=inbound.pk).update(
        received_at=timezone.now() - timedelta(minutes=minutes_ago))
    return inbound


def test_mail_left_stored_by_a_dead_worker_is_queued_again(db):
    orphan = _stored("orphan", minutes_ago=10)
    fresh = _stored("just arrived", minutes_ago=0)
    assert requeue_stale(older_than=timedelta(minutes=5)) == 1
    assert _queued_ids() == [orphan.pk]
    assert InboundMail.objects.get(pk=fresh.pk).state == InboundState.STORED


def test_mail_whose_task_still_waits_in_the_queue_is_not_queued_twice(db):
    waiting = _stored("waiting", minutes_ago=10)
    process_inbound_task.enqueue(waiting.pk)
    assert requeue_stale(older_than=timedelta(minutes=5)) == 0
    assert _queued_ids() == [waiting.pk]


def test_processed_mail_is_never_queued_again(db, bob):
    from frontline.mail.services import process_inbound

    done = _stored("done", minutes_ago=10)
    process_inbound(done.pk)
    assert requeue_stale(older_than=timedelta(minutes=5)) == 0
    assert _queued_ids() == []
