"""THE crash test (issue 3): ingest 5,000 mails while the workers are killed with
SIGKILL at random moments and restarted; afterwards every mail is on exactly one
ticket: none lost, none doubled.

Real processes against a real database: a feeder stores mails with `accept_raw`
(as every channel does) while two `frontline worker` processes work the queue and
a killer SIGKILLs one of them every fraction of a second to few seconds and starts
a new one. When the feeder is done the killing stops; the workers' crash-recovery
sweep must then find every mail whose task died with a worker. Runs on SQLite
(a file, WAL) and, when the server is there, on PostgreSQL.

FRONTLINE_CRASH_MAILS changes the number of mails (default 5,000).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.processes import create_postgres, drop_postgres

ROOT = Path(__file__).resolve().parents[2]
FRONTLINE = str(Path(sys.executable).parent / "frontline")
MAILS = int(os.environ.get("FRONTLINE_CRASH_MAILS", "5000"))
WORKERS = 2
DEADLINE_SECONDS = 900


def _die_with_parent() -> None:
    """In the child: the kernel SIGKILLs it when the test process goes away, so a
    test run that is itself killed (a timeout) leaves no workers behind (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Cluster:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log.open("ab")
        self.workers: list[subprocess.Popen[bytes]] = []
        self.kills = 0

    def run(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(args, env=self.env, cwd=ROOT, capture_output=True,
                              timeout=timeout)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def start_worker(self) -> None:
        self.workers.append(subprocess.Popen(
            [FRONTLINE, "worker", "--interval", "0.2"], env=self.env, cwd=ROOT,
            stdout=self.log, stderr=self.log, preexec_fn=_die_with_parent))

    def kill_one(self, rng: random.Random) -> None:
        victim = self.workers.pop(rng.randrange(len(self.workers)))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.kills += 1
        self.start_worker()

    def replace_one(self) -> None:
        """Stop the oldest worker the polite way (it finishes its task) and start one."""
        oldest = self.workers.pop(0)
        oldest.send_signal(signal.SIGTERM)
        oldest.wait(timeout=60)
        self.start_worker()

    def stop(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        self.workers = []
        self.log.close()

    def report(self) -> dict[str, object]:
        return dict(json.loads(self.run(sys.executable, "-m", "tests.mail.crash_feeder",
                                        "report").strip().splitlines()[-1]))


def _crash_run(tmp_path: Path, database_url: str | None) -> None:
    env = {**os.environ, "FRONTLINE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
           "frontline.settings", "FRONTLINE_SECRET_KEY": "crash-test-key",
           # The sweep looks every 2 s for mail stored over 3 s ago and not processed.
           "FRONTLINE_INBOUND_SWEEP_SECONDS": "2", "FRONTLINE_INBOUND_STALE_SECONDS": "3",
           # One acknowledgement per customer a day: each customer's first ticket is
           # acknowledged (and double acknowledgements are checked) without
           # thousands of deliveries to a file outbox slowing the run.
           "FRONTLINE_AUTO_MAIL_LIMITS": "1/1d", "FRONTLINE_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    env.pop("FRONTLINE_DATABASE_URL", None)
    if database_url:
        env["FRONTLINE_DATABASE_URL"] = database_url
    cluster = Cluster(env, tmp_path / "workers.log")
    cluster.run(FRONTLINE, "migrate")
    seed = int(os.environ.get("FRONTLINE_CRASH_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    started = time.monotonic()
    feeder = subprocess.Popen([sys.executable, "-m", "tests.mail.crash_feeder", "feed",
                               str(MAILS), str(seed)], env=env, cwd=ROOT,
                              preexec_fn=_die_with_parent)
    try:
        for _ in range(WORKERS):
            cluster.start_worker()
        # Kill while mail is still arriving and for a while after, at random moments.
        kill_until = None
        while True:
            time.sleep(rng.uniform(0.5, 4.0))
            if feeder.poll() is not None and kill_until is None:
                assert feeder.returncode == 0, "the feeder failed"
                kill_until = time.monotonic() + 5
            if kill_until is not None and time.monotonic() > kill_until:
                break
            cluster.kill_one(rng)
        # No more killing: the surviving workers and their sweep finish the work.
        while time.monotonic() - started < DEADLINE_SECONDS:
            report = cluster.report()
            states = report["states"]
            assert isinstance(states, dict)
            if states.get("processed", 0) + states.get("failed", 0) >= MAILS:
                break
            time.sleep(3)
            # A fresh worker ticks the scheduler (the sweep) at once, not in 30 s.
            cluster.replace_one()
    finally:
        if feeder.poll() is None:
            feeder.kill()
        cluster.stop()

    report = cluster.report()
    print(f"crash test (seed {seed}): {MAILS} mails, {cluster.kills} kills, "
          f"{time.monotonic() - started:.0f} s; {report}")
    assert report["stored"] == MAILS, "a mail was lost before it was stored"
    assert report["states"] == {"processed": MAILS}, report
    assert report["without_message"] == 0
    assert report["messages"] == MAILS, "a mail is missing from the tickets, or doubled"
    assert report["distinct_messages"] == MAILS
    assert report["doubled"] == 0
    assert report["on_a_ticket"] == MAILS
    assert report["mismatched"] == 0
    assert report["double_acknowledged"] == 0
    assert cluster.kills > 0


@pytest.mark.slow
def test_no_mail_is_lost_or_doubled_when_workers_are_killed(tmp_path):
    """On the engine this test run uses: `make test` runs it once on each."""
    if not os.environ.get("FRONTLINE_DATABASE_URL", "").startswith("postgres"):
        _crash_run(tmp_path, None)
        return
    name = f"fl_mailin_crash_{uuid.uuid4().hex[:8]}"
    url = create_postgres(name)
    if url is None:
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
    try:
        _crash_run(tmp_path, url)
    finally:
        drop_postgres(name)
