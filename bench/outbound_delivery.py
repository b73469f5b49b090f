"""Sending a backlog of outbound mail: time and statements per mail, by batch size.

    .venv/bin/python -m bench.outbound_delivery \\
        --database-url postgres://postgres@127.0.0.1:5432/fl_hc_bench \\
        --mails 500 --batch 1 26 --runs 3 --sink-port 2741 --work-dir /tmp/fl-bench-outbound

Issue 11, part 3: a worker draining a backlog sends the waiting mails in batches
(mail/tasks/delivery.py takes 25 waiting deliveries along: 26 mails a batch). This
measures `outbound.deliver_many` alone, the way `deliver_task` calls it: one kept
SMTP connection, the mails in batches of `--batch` (several sizes are compared in
one run, each on the same mails). Batches of one do per mail what the one-by-one
path did: lease the row, read its thread, files and kind, send, write its outcome
(two transactions and eight statements per acknowledgement).

1. Creates the database when it does not exist, migrates it, and queues `--mails`
   mails once (not timed; kept for later runs, with their files under `--work-dir`:
   give the same one each time): tickets from customers in several
   languages, two in three acknowledged (automatic, the customer's Message-ID to
   thread with), one in three answered by an agent with a file attached.
2. Starts `bench.mail_sink` (a separate process, as the load run does) on
   `--sink-port`, logging to a file in `--work-dir`.
3. For each batch size and run: puts every bench mail back in the queue (due now,
   no attempt, its delivery events removed; not timed), then sends them all, timed,
   counting the statements sent to the database (an execute wrapper, no debug
   cursor). Checks that every mail reached the sink exactly once in that run.
   Batch size 0 goes through the queue instead: a `deliver_task` per mail, and one
   worker (`FrontlineWorker`, in this process) until the queue is empty; its
   figures include the task rows' claims and outcomes (core/siblings.py).

Prints, per batch size, the median of the runs: ms per mail, mails/s, statements
per mail. The machine may be shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUBJECT_MARK = "[bench-outbound]"
CUSTOMERS = [
    ("Mara Quist", "quist-logistik.example", "Export bricht bei 80 % ab",
     "Der Export der Lieferscheine bricht bei 80 % mit Fehler E-4411 ab."),
    ("Tomás Ruiz", "ruiz-hermanos.example", "Factura duplicada",
     "Nos han cobrado dos veces la factura 2026-118. ¿Pueden revisarlo?"),
    ("Kenji Sato", "sato-trading.example", "Login loop on the portal",
     "After the SSO change the portal keeps sending me back to the login page."),
    ("Priya Nair", "nair-analytics.example", "API returns 502 for large reports",
     "GET /api/v2/reports?size=10000 answers 502 after 30 s; smaller ones work."),
    ("Lukas Novák", "novak-bau.example", "Zugang nach Passwortwechsel gesperrt",
     "Seit dem Passwortwechsel ist mein Zugang gesperrt."),
    ("Inês Ferreira", "ferreira-saude.example", "Relatório mensal vazio",
     "O relatório mensal de novembro está vazio desde a atualização."),
]


def _create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _queue(count: int) -> list[int]:
    """The bench's mails, `count` of them (made now if fewer exist)."""
    from frontline import workflow
    from frontline.core.models import Role, User
    from frontline.mail import outbound
    from frontline.mail.models import OutboundMail
    from frontline.tickets.services.attachments import attach

    mails = list(OutboundMail.objects.filter(subject__contains=SUBJECT_MARK)
                 .order_by("pk").values_list("pk", flat=True))
    if len(mails) >= count:
        return mails[:count]
    agent, _ = User.objects.get_or_create(
        username="bench-outbound", defaults={"role": Role.AGENT, "tier": 3,
                                             "first_name": "Bea", "last_name": "Bench"})
    started, made = time.monotonic(), count - len(mails)
    for number in range(len(mails), count):
        name, domain, subject, body = CUSTOMERS[number % len(CUSTOMERS)]
        local = name.split()[0].lower().replace("ê", "e").replace("á", "a")
        ticket = workflow.open_ticket(
            requester_email=f"{local}.{number}@{domain}", requester_name=name,
            subject=f"{SUBJECT_MARK} {subject} #{number}", body=body, channel="email")
        first = ticket.messages.get()
        first.email_message_id = f"bench-{number}@{domain}"
        first.save(update_fields=["email_message_id"])
        if number % 3 != 2:
            mail = outbound.send_acknowledgement(ticket)
            assert mail is not None
            mails.append(mail.pk)
            continue
        reply = workflow.add_reply(ticket, agent, f"Hello {name.split()[0]},\n\n"
                                   "we found the cause; the attached steps fix it.\n")
        attach(reply, f"steps-{number}.txt", b"1. update\n2. restart\n" * (number % 7 + 1),
               content_type="text/plain")
        mails.append(OutboundMail.objects.get(message=reply).pk)
    print(f"queued {made} mails in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    return mails


def _requeue(mails: list[int]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from frontline.mail.models import OutboundMail
    from frontline.tickets.models import Event

    now = timezone.now()
    with transaction.atomic():
        OutboundMail.objects.filter(pk__in=mails).update(
            state="queued", attempts=0, next_attempt_at=now, sent_at=None, last_error="")
        Event.objects.filter(kind="delivery", detail__mail__in=mails).delete()


def _sink_lines(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


def _run(mails: list[int], batch: int, log: Path) -> dict[str, float]:
    from django.db import connection

    from frontline.mail import outbound
    from frontline.mail.models import OutboundMail

    _requeue(mails)
    before = len(_sink_lines(log))
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    if batch == 0:
        # Through the queue: a deliver_task per mail (queued as after a commit, not
        # timed), then one worker until the queue is empty, as `frontline worker`.
        from django_tasks_db.models import DBTaskResult

        from frontline.core.worker import FrontlineWorker
        from frontline.mail.tasks.delivery import deliver_task

        DBTaskResult.objects.filter(task_path=deliver_task.module_path).delete()
        for outbound_id in mails:
            deliver_task.enqueue(outbound_id)
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        if batch == 0:
            FrontlineWorker(batch=True, schedule=False, interval=0).run()
        else:
            with outbound.Connection() as smtp:
                for start in range(0, len(mails), batch):
                    outbound.deliver_many(mails[start:start + batch], over=smtp)
        seconds = time.perf_counter() - started
    arrived = Counter(line["message-id"] for line in _sink_lines(log)[before:])
    expected = {f"<{value}>" for value in OutboundMail.objects.filter(pk__in=mails)
                .values_list("header_message_id", flat=True)}
    states = Counter(OutboundMail.objects.filter(pk__in=mails).values_list("state", flat=True))
    assert set(arrived) == expected and set(arrived.values()) == {1}, \
        f"not every mail arrived exactly once: {len(arrived)} of {len(expected)}"
    assert states == {"sent": len(mails)}, states
    return {"ms_per_mail": seconds * 1000 / len(mails), "mails_per_s": len(mails) / seconds,
            "statements_per_mail": statements / len(mails)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outbound_delivery",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://... (created if absent)")
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 26],
                        help="mails per deliver_many call; 0: through deliver_task and a worker")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sink-port", type=int, default=2741)
    parser.add_argument("--work-dir", default=None)
    args = parser.parse_args(argv)

    work_dir = Path(args.work_dir or tempfile.mkdtemp(prefix="fl-bench-outbound-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    if args.database_url.startswith("postgres"):
        _create_database(args.database_url)
    os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ["FRONTLINE_DATA_DIR"] = str(work_dir)
    os.environ["FRONTLINE_SMTP_URL"] = f"smtp://127.0.0.1:{args.sink_port}?timeout=30"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    # A line per task and per worker start would drown the figures.
    for name in ("django_tasks", "frontline.core.worker"):
        logging.getLogger(name).setLevel(logging.WARNING)

    call_command("migrate", interactive=False, verbosity=0)
    mails = _queue(args.mails)

    log = work_dir / "sink.jsonl"
    sink = subprocess.Popen([sys.executable, "-m", "bench.mail_sink", "--port",
                             str(args.sink_port), "--log", str(log)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None
        sink.stdout.readline()  # "sink listening on ..."
        print(f"load average before: {os.getloadavg()}", flush=True)
        print(f"{'batch':>5} {'run':>3} {'ms/mail':>8} {'mails/s':>8} {'statements/mail':>15}")
        results: dict[int, list[dict[str, float]]] = {}
        for run in range(1, args.runs + 1):
            for batch in args.batch:  # interleaved, so a busy moment hits every size
                figures = _run(mails, batch, log)
                results.setdefault(batch, []).append(figures)
                print(f"{batch:5} {run:3} {figures['ms_per_mail']:8.2f} "
                      f"{figures['mails_per_s']:8.1f} {figures['statements_per_mail']:15.2f}",
                      flush=True)
        print(f"load average after: {os.getloadavg()}", flush=True)
        print(f"median of {args.runs} runs, {len(mails)} mails:")
        for batch, runs in results.items():
            print(f"  batch {batch:3}: "
                  f"{statistics.median(r['ms_per_mail'] for r in runs):.2f} ms/mail, "
                  f"{statistics.median(r['mails_per_s'] for r in runs):.1f} mails/s, "
                  f"{statistics.median(r['statements_per_mail'] for r in runs):.2f} "
                  "statements/mail")
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
