"""A task whose worker died while running it is run again (core/lost_tasks.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.core import lost_tasks
from frontline.core.models import WorkerHeartbeat
from frontline.core.worker import FrontlineWorker
from tests.core.slow_tasks import slow
from tests.processes import create_postgres, drop_postgres, frontline_env, stop

ROOT = Path(__file__).resolve().parents[2]
FRONTLINE = str(Path(sys.executable).parent / "frontline")


def claimed(marker: Path, *, workers: list[str], minutes_ago: float) -> DBTaskResult:
    """A task as a worker leaves it when it claims it: RUNNING, its id in worker_ids."""
    result = slow.enqueue(str(marker), 0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=workers,
        started_at=timezone.now() - timedelta(minutes=minutes_ago))
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_of_a_silent_worker_is_queued_again_and_a_living_ones_is_left(db, tmp_path,
                                                                               settings):
    settings.FRONTLINE_WORKER_LOST_SECONDS = 120
    now = timezone.now()
    lost_tasks.beat("alive-1", now=now - timedelta(seconds=30))
    lost_tasks.beat("gone-1", now=now - timedelta(minutes=10))
    of_the_living = claimed(tmp_path / "a", workers=["alive-1"], minutes_ago=20)
    of_the_dead = claimed(tmp_path / "b", workers=["gone-1"], minutes_ago=12)
    never_beaten = claimed(tmp_path / "c", workers=["old-version"], minutes_ago=5)
    just_claimed = claimed(tmp_path / "d", workers=["starting"], minutes_ago=0.5)

    assert lost_tasks.reap(now) == {"requeued": 2, "failed": 0, "alive": 1}

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[of_the_living.pk] == TaskResultStatus.RUNNING
    assert statuses[of_the_dead.pk] == TaskResultStatus.READY
    assert statuses[never_beaten.pk] == TaskResultStatus.READY
    assert statuses[just_claimed.pk] == TaskResultStatus.RUNNING
    # Queued again, it is run as any ready task: by the next worker, successfully.
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    assert set(DBTaskResult.objects.filter(pk__in=[of_the_dead.pk, never_beaten.pk])
               .values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


def test_a_task_that_killed_its_workers_too_often_fails_saying_why(db, tmp_path, settings):
    settings.FRONTLINE_TASK_MAX_ATTEMPTS = 3
    task = claimed(tmp_path / "m", workers=["w1", "w2", "w3"], minutes_ago=30)

    assert lost_tasks.reap() == {"requeued": 0, "failed": 1, "alive": 0}

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == lost_tasks.LOST_CLASS_PATH
    assert "w3" in task.traceback and "3 times" in task.traceback
    assert task.finished_at is not None


def test_finished_tasks_and_old_heartbeats(db, tmp_path):
    done = claimed(tmp_path / "x", workers=["gone"], minutes_ago=60)
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    lost_tasks.beat("long-gone", now=timezone.now() - timedelta(days=2))
    lost_tasks.beat("recent", now=timezone.now() - timedelta(hours=2))

    assert lost_tasks.reap() == {"requeued": 0, "failed": 0, "alive": 0}

    assert DBTaskResult.objects.get(pk=done.pk).status == TaskResultStatus.SUCCESSFUL
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"recent"}


def test_the_reaper_is_a_periodic_job():
    from frontline.core import scheduler

    assert "core.reap_lost_tasks" in scheduler.jobs()


@pytest.fixture
def shared_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment for child processes on a database of their own, on this run's
    engine: a SQLite file, or a fresh PostgreSQL database."""
    env = frontline_env(tmp_path)
    env.update({"DJANGO_SETTINGS_MODULE": "frontline.settings", "PYTHONPATH": str(ROOT),
                "FRONTLINE_SECRET_KEY": "lost-task-test", "FRONTLINE_WORKER_LOST_SECONDS": "3",
                "FRONTLINE_LOG_LEVEL": "WARNING"})
    name = None
    if os.environ.get("FRONTLINE_DATABASE_URL", "").startswith("postgres"):
        name = f"fl_lost_task_{uuid.uuid4().hex[:8]}"
        url = create_postgres(name)
        if url is None:
            pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
        env["FRONTLINE_DATABASE_URL"] = url
    subprocess.run([FRONTLINE, "migrate"], env=env, check=True, capture_output=True,
                   timeout=300)
    try:
        yield env
    finally:
        if name:
            drop_postgres(name)


def script(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tests.core.lost_task_script", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def starts(marker: Path) -> int:
    return marker.read_text().count("start") if marker.exists() else 0


def test_a_worker_killed_mid_task_loses_nothing(shared_env, tmp_path):
    """A real worker process is killed with SIGKILL while its task runs; the task is
    found by the stopped heartbeat and run to its end by the next worker, whose
    heartbeat keeps it its own while the task runs longer than the silence allowed."""
    marker = tmp_path / "marker.txt"
    task_id = script(shared_env, "enqueue", str(marker), "12")
    worker = [FRONTLINE, "worker", "--no-periodic", "--interval", "0.2"]
    victim = subprocess.Popen(worker, env=shared_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: starts(marker) == 1, "the first worker never started the task")
    finally:
        victim.kill()
        victim.wait()
    first = json.loads(script(shared_env, "show", task_id))
    assert first["status"] == TaskResultStatus.RUNNING and len(first["worker_ids"]) == 1
    time.sleep(4)  # FRONTLINE_WORKER_LOST_SECONDS is 3 here
    assert json.loads(script(shared_env, "reap"))["requeued"] == 1

    heir = subprocess.Popen(worker, env=shared_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: starts(marker) == 2, "the second worker never ran the task again")
        time.sleep(4)  # longer than the silence allowed, with the task still running
        assert json.loads(script(shared_env, "reap")) == {"requeued": 0, "failed": 0,
                                                          "alive": 1}
        assert len(json.loads(script(shared_env, "workers"))) == 2  # the dead one's too
        wait_for(lambda: json.loads(script(shared_env, "show", task_id))["status"]
                 == TaskResultStatus.SUCCESSFUL, "the task never ended")
    finally:
        _, errors = stop(heir)
    final = json.loads(script(shared_env, "show", task_id))
    assert len(final["worker_ids"]) == 2 and final["worker_ids"][0] != final["worker_ids"][1]
    assert final["return_value"] == 2  # started twice, ended once
    assert marker.read_text().splitlines() == ["start", "start", "end"]
    # The heir stopped cleanly and took its heartbeat with it; the victim's stays
    # until it is a day old.
    assert json.loads(script(shared_env, "workers")) == [first["worker_ids"][0][:64]]
    assert "Traceback" not in errors
