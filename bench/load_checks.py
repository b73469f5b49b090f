"""What `bench.load` checks after its run: nothing accepted was lost or doubled.

- `drain` waits until the stored mail is processed, the queued mail sent and the
  task queue empty (tasks a killed worker still holds excepted: their work is
  the sweeps' to redo, which the mail checks then see);
- `check_inbound`: every mail the listener answered 250 is one stored mail and
  exactly one message on a ticket, by Message-ID;
- `check_outbound`: every reply or note an agent was told was saved is one
  message (found by the tag in its text); every reply, and every mail queued
  during the run, was delivered to the sink exactly once, by Message-ID;
- `check_tasks`: no task left ready, running (but for a killed worker's) or failed.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Posted:
    """A reply or note an agent sent, by the tag in its text."""

    tag: str
    kind: str      # reply | note
    via: str       # desk | api
    status: int | str

    @property
    def confirmed(self) -> bool:
        return self.status in (201, 302)


def drain(started_at: Any, killed: list[str], timeout: float) -> dict[str, Any]:
    """Wait until the mail is processed and sent and the queue is empty (or timeout)."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from frontline.mail.models import InboundMail, InboundState, OutboundMail, OutboundState

    deadline = time.monotonic() + timeout
    waited = time.monotonic()
    # What the workers had not caught up with when the load stopped: the backlog.
    backlog: dict[str, int] = {}
    while True:
        connection.close()
        stored = InboundMail.objects.filter(received_at__gte=started_at,
                                            state=InboundState.STORED).count()
        queued = OutboundMail.objects.filter(created_at__gte=started_at,
                                             state=OutboundState.QUEUED).count()
        open_tasks = [
            (status, ids[-1] if ids else "")
            for status, ids in DBTaskResult.objects.filter(
                enqueued_at__gte=started_at, status__in=("READY", "RUNNING"))
            .values_list("status", "worker_ids")]
        live_tasks = [t for t in open_tasks if not (t[0] == "RUNNING" and t[1] in killed)]
        pending = stored + queued + len(live_tasks)
        backlog = backlog or {"inbound_stored": stored, "outbound_queued": queued,
                              "tasks_open": len(live_tasks)}
        if pending == 0 or time.monotonic() > deadline:
            return {"seconds": round(time.monotonic() - waited, 1), "inbound_stored": stored,
                    "outbound_queued": queued, "tasks_open": len(live_tasks),
                    "tasks_held_by_killed_workers": len(open_tasks) - len(live_tasks),
                    "timed_out": pending > 0, "backlog_when_the_load_stopped": backlog}
        print(f"   draining: {stored} mails to process, {queued} to send, "
              f"{len(live_tasks)} tasks open", flush=True)
        time.sleep(5)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check_inbound(accepted: list[str]) -> dict[str, Any]:
    """Every accepted mail: one InboundMail, finished, one message on a ticket."""
    from frontline.mail.models import InboundMail
    from frontline.tickets.models import Message

    stored: Counter[str] = Counter()
    states: Counter[str] = Counter()
    on_ticket: Counter[str] = Counter()
    for chunk in _chunks(accepted):
        forms = chunk + [f"<{m}>" for m in chunk]
        for message_id, state in InboundMail.objects.filter(
                header_message_id__in=forms).values_list("header_message_id", "state"):
            stored[message_id.strip("<>")] += 1
            states[state] += 1
        for message_id in Message.objects.filter(
                email_message_id__in=forms, ticket__isnull=False).values_list(
                "email_message_id", flat=True):
            on_ticket[message_id.strip("<>")] += 1
    missing = [m for m in accepted if on_ticket[m] == 0]
    doubled = [m for m in accepted if on_ticket[m] > 1 or stored[m] > 1]
    return {"accepted": len(accepted), "stored": sum(stored.values()),
            "states": dict(states), "messages": sum(on_ticket.values()),
            "missing": missing[:20], "missing_count": len(missing),
            "doubled": doubled[:20], "doubled_count": len(doubled),
            "ok": not missing and not doubled and len(accepted) > 0}


def _sink_counts(sink_log: Path) -> Counter[str]:
    delivered: Counter[str] = Counter()
    with sink_log.open(encoding="utf-8") as log:
        for line in log:
            if line.endswith("\n"):
                delivered[json.loads(line)["message-id"].strip().strip("<>")] += 1
    return delivered


def check_outbound(started_at: Any, posted: list[Posted], run_tag: str,
                    sink_log: Path) -> dict[str, Any]:
    """Every confirmed reply is one message, sent once; every queued mail delivered once."""
    from frontline.mail.models import OutboundMail
    from frontline.tickets.models import Message

    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    tag_pattern = re.compile(rf"LT{run_tag}x\d+x\d+")
    for pk, kind, body in Message.objects.filter(
            created_at__gte=started_at, body__contains=f"LT{run_tag}x").values_list(
            "pk", "kind", "body"):
        for tag in tag_pattern.findall(body):
            found[tag].append((pk, kind))
    mails = list(OutboundMail.objects.filter(created_at__gte=started_at).values_list(
        "message_id", "header_message_id", "state", "automatic"))
    # The sink is read after the rows: it writes a mail down before it answers 250,
    # so every mail a row calls sent is in it, even if workers still send meanwhile
    # (a drain that timed out).
    delivered = _sink_counts(sink_log)
    by_message: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
    for message_pk, header_id, state, _ in mails:
        by_message[message_pk].append((header_id.strip("<>"), state))

    problems: list[str] = []
    confirmed = [p for p in posted if p.confirmed]
    unconfirmed = [p for p in posted if not p.confirmed]
    for item in confirmed:
        rows = found.get(item.tag, [])
        if len(rows) != 1:
            problems.append(f"{item.kind} {item.tag} ({item.via}): {len(rows)} messages")
            continue
        if item.kind == "reply":
            sent = by_message.get(rows[0][0], [])
            if len(sent) != 1:
                problems.append(f"reply {item.tag}: {len(sent)} outbound mails")
            elif delivered[sent[0][0]] != 1:
                problems.append(f"reply {item.tag}: delivered {delivered[sent[0][0]]} times "
                                f"(state {sent[0][1]})")
    # A request cut off by a killed process may or may not have landed, but never twice.
    for item in unconfirmed:
        if len(found.get(item.tag, [])) > 1:
            problems.append(f"{item.kind} {item.tag} (unconfirmed): "
                            f"{len(found[item.tag])} messages")
    states = Counter(state for _, _, state, _ in mails)
    not_once = [(h.strip("<>"), s) for _, h, s, _ in mails
                if s == "sent" and delivered[h.strip("<>")] != 1]
    ours = {h.strip("<>") for _, h, _, _ in mails}
    strangers = [m for m in delivered if m not in ours]
    problems += [f"outbound {m} ({s}) delivered {delivered[m]} times" for m, s in not_once[:20]]
    return {"posted": len(posted), "confirmed": len(confirmed),
            "unconfirmed": len(unconfirmed),
            "unconfirmed_landed": sum(1 for p in unconfirmed if found.get(p.tag)),
            "replies_confirmed": sum(1 for p in confirmed if p.kind == "reply"),
            "outbound_mails": len(mails), "outbound_states": dict(states),
            "automatic": sum(1 for m in mails if m[3]),
            "sink_deliveries": sum(delivered.values()), "sent_not_once": len(not_once),
            "sink_unknown_message_ids": len(strangers),
            "problems": problems[:30], "problem_count": len(problems),
            "ok": not problems and states.get("queued", 0) == 0
            and states.get("failed", 0) == 0}


def check_tasks(started_at: Any, killed: list[str]) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    rows = list(DBTaskResult.objects.filter(enqueued_at__gte=started_at).values_list(
        "status", "worker_ids", "task_path"))
    statuses = Counter(status for status, _, _ in rows)
    held = [path for status, ids, path in rows
            if status == "RUNNING" and ids and ids[-1] in killed]
    open_ = statuses.get("READY", 0) + statuses.get("RUNNING", 0) - len(held)
    return {"statuses": dict(statuses), "held_by_killed_workers": Counter(held),
            "open": open_, "failed": statuses.get("FAILED", 0),
            "ok": open_ == 0 and statuses.get("FAILED", 0) == 0}
