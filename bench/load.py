
"""A load run with faults: agents on the desk and the API, mail over SMTP, and
processes killed under them.

    python -m bench.load [--database-url URL] [--data-dir DIR] [--tickets 20000 | --reuse]
                         [--agents 50] [--mails-per-s 20] [--duration 600]
                         [--restart-postgres-at S] [--kill-worker-at S] [--kill-web-at S]
                         [--json FILE]

What it starts (a small production, on one machine):
- the database: `bench.seed --tickets N --reset` unless --reuse;
- two `frontline serve --no-worker` processes on two ports; the client sends
  each request to the next port in turn, as a load balancer would, and, like
  one, tries the other port when a connect is refused (nothing was sent yet);
- two `frontline worker` processes, `frontline mail listen`, and
  `bench.mail_sink`, the SMTP server FRONTLINE_SMTP_URL points at.

What it does for --duration seconds:
- N agents (threads, http.client): sign in through /login (CSRF), issue an API
  token, then loop: a queue page, a ticket page, an API search, an API ticket
  list, and every other round a reply or an internal note, through the desk
  form or the API in turn, with a think time between rounds (--think-s). Every
  reply and note carries a unique tag, so the checks find it afterwards;
- a mail sender at R mails/s over SMTP to the listener: new requests in several
  languages and sizes, some with an HTML part, and replies to acknowledgements
  the sink received (to the ticket's reply address, with In-Reply-To). A 4xx
  answer or a broken connection is retried later, as a mail server would;
- the faults, at the given seconds: --restart-postgres-at runs
  --restart-command (default `pg_ctlcluster 15 main restart`), --kill-worker-at
  and --kill-web-at send SIGKILL to one process and start a new one in its
  place, as a supervisor would.

Afterwards it waits for the work to drain (--drain-timeout) and checks:
- every mail the listener answered 250 is one InboundMail, finished, and
  exactly one message (by Message-ID) on a ticket;
- every reply an agent was told was sent is one message with one outbound
  mail, sent, and delivered exactly once to the sink (by Message-ID); every
  mail Frontline queued during the run (acknowledgements too) likewise;
- no task is left ready or running, except the ones a killed worker held
  (whose work the sweeps must have done instead: the mails above).

It prints p50/p95/max per kind of request with counts, errors by status and
by phase (before the first fault, during a fault's window, after it), and
writes everything to --json. The exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load_checks import Posted, check_inbound, check_outbound, check_tasks, drain
from bench.load_mail import MailSender
from bench.seed import BENCH_PASSWORD
from bench.text import TextBank

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/fl_load"
TARGET_P95_MS = 300
# A fault's window: from the moment it starts until the process or the database is
# back, plus this much for connections and caches to settle.
SETTLE_SECONDS = 5.0
QUEUES = ("open", "unassigned", "mine", "team", "tier1", "tier2", "pending")
QUERIES = ("timeout", "invoice", "certificate", "export", "upgrade", "\"blank page\"",
           "Salesforce", "permission denied", "PostgreSQL", "workaround", "login",
           "memory leak", "SAML", "sync OR import", "crash*", "deadlock -Windows",
           "Rechnung", "erreur", "タイムアウト", "пароль")
FRONTLINE = Path(sys.executable).with_name("frontline")


# -- what happened ------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    at: float          # seconds since the start of the load
    ms: float
    status: int | str  # an HTTP status, an SMTP code, or what broke ("reset", "refused")


class Recorder:
    """Every timed request, from every thread."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.samples: list[Sample] = []
        self.lock = threading.Lock()

    def add(self, kind: str, began: float, status: int | str) -> None:
        ended = time.monotonic()
        with self.lock:
            self.samples.append(Sample(kind, began - self.started, (ended - began) * 1000,
                                       status))


@dataclass
class Fault:
    name: str
    at: float
    ended: float | None = None
    detail: str = ""

    def window(self) -> tuple[float, float]:
        return self.at, (self.ended if self.ended is not None else self.at) + SETTLE_SECONDS


# -- the processes ------------------------------------------------------------------


@dataclass
class Fleet:
    """The processes under test, started and replaced as a supervisor would."""

    env: dict[str, str]
    log_dir: Path
    web_ports: list[int]
    listen_port: int
    threads: int
    web: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_ids: dict[int, str] = field(default_factory=dict)  # pid -> the worker's own id
    killed_worker_ids: list[str] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    generation: Counter[str] = field(default_factory=Counter)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        self.generation[name] += 1
        log = open(self.log_dir / f"{name}.{self.generation[name]}.log", "wb")  # noqa: SIM115
        return subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_web(self, port: int) -> None:
        self.web[port] = self._spawn(f"web-{port}", [
            str(FRONTLINE), "serve", "--no-worker", "--port", str(port),
            "--threads", str(self.threads)])
        _wait_http(port, self.web[port])

    def start_worker(self, slot: int) -> None:
        process = self._spawn(f"worker-{slot}", [str(FRONTLINE), "worker"])
        if slot < len(self.workers):
            self.workers[slot] = process
        else:
            self.workers.append(process)

    def start_listener(self) -> None:
        process = self._spawn("listener", [str(FRONTLINE), "mail", "listen", "--port",
                                           str(self.listen_port)])
        self.others.append(process)
        _wait_smtp(self.listen_port, process)

    def start_sink(self, port: int, log: Path) -> None:
        process = self._spawn("sink", [sys.executable, "-m", "bench.mail_sink", "--port",
                                       str(port), "--log", str(log)])
        self.others.append(process)
        _wait_smtp(port, process)

    def learn_worker_ids(self) -> None:
        """Each worker logs "Worker <id> started"; the id is what DBTaskResult records."""
        for slot, process in enumerate(self.workers):
            if process.pid in self.worker_ids:
                continue
            log = self.log_dir / f"worker-{slot}.{self.generation[f'worker-{slot}']}.log"
            match = re.search(r"Worker (\w+) started", log.read_text(errors="replace")
                              if log.exists() else "")
            if match:
                self.worker_ids[process.pid] = match.group(1)

    def kill_worker(self, slot: int = 0) -> str:
        self.learn_worker_ids()
        victim = self.workers[slot]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed = self.worker_ids.get(victim.pid, "?")
        self.killed_worker_ids.append(killed)
        self.start_worker(slot)
        return f"worker pid {victim.pid} (id {killed}) killed, a new one started"

    def kill_web(self, port: int) -> str:
        victim = self.web[port]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.start_web(port)
        return f"web pid {victim.pid} on port {port} killed, a new one answers again"

    def stop(self) -> None:
        processes = [*self.web.values(), *self.workers, *self.others]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_http(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the web process on {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the web process on {port} did not answer /healthz in {timeout:.0f} s")


def _wait_smtp(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the SMTP server on {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port} after {timeout:.0f} s")


# -- the load balancer and the agents' HTTP ------------------------------------------


class Balancer:
    """Round robin over the web processes, shared by every agent."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._turn = itertools.count()
        self.failovers = 0

    def order(self) -> list[int]:
        first = next(self._turn) % len(self.ports)
        return self.ports[first:] + self.ports[:first]


class AgentHttp:
    """An agent's browser (cookies) with one keep-alive connection per web process."""

    def __init__(self, balancer: Balancer, recorder: Recorder) -> None:
        self.balancer = balancer
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.connections: dict[int, http.client.HTTPConnection] = {}

    def _connection(self, port: int) -> http.client.HTTPConnection:
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        return self.connections[port]

    def _drop(self, port: int) -> None:
        connection = self.connections.pop(port, None)
        if connection is not None:
            connection.close()

    def request(self, kind: str | None, method: str, path: str, *, body: str | None = None,
                api: bool = False, headers: dict[str, str] | None = None
                ) -> tuple[int | str, bytes]:
        sent = dict(headers or {})
        if api:
            sent["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        began = time.monotonic()
        status: int | str = "refused"
        data = b""
        for port in self.balancer.order():
            fresh = port not in self.connections
            try:
                connection = self._connection(port)
                connection.request(method, path, body=body.encode() if body else None,
                                   headers={**sent, "Host": f"127.0.0.1:{port}"})
                response = connection.getresponse()
                data = response.read()
                status = response.status
                self._remember_cookies(response.getheaders())
                break
            except ConnectionRefusedError:
                # Nothing was sent: a load balancer tries the next backend.
                self._drop(port)
                self.balancer.failovers += 1
                status = "refused"
                continue
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.IncompleteRead):
                self._drop(port)
                if not fresh and method == "GET":
                    # A kept connection the server closed while idle, or one to a process
                    # killed since: a GET is safe to send again elsewhere, as a balancer
                    # does (nginx's proxy_next_upstream). A POST is not: counted.
                    self.balancer.failovers += 1
                    status = "reset"
                    continue
                status = "reset"
                break
            except TimeoutError:
                self._drop(port)
                status = "timeout"
                break
            except OSError as error:
                self._drop(port)
                status = f"oserror {error.errno}"
                break
        if kind is not None:
            self.recorder.add(kind, began, status)
        return status, data

    def _remember_cookies(self, headers: Iterable[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(client: AgentHttp, username: str) -> None:
    for _ in range(30):
        status, body = client.request(None, "GET", "/login")
        match = CSRF.search(body)
        if status == 200 and match:
            form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(),
                                           "username": username, "password": BENCH_PASSWORD})
            status, body = client.request(
                None, "POST", "/login", body=form,
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Referer": "http://127.0.0.1/login"})
            if status in (302, 303) and "sessionid" in client.cookies:
                return
        time.sleep(1)
    raise RuntimeError(f"signing in as {username} failed: {status} {body[:200]!r}")


# -- the agents ----------------------------------------------------------------------


@dataclass
class AgentPlan:
    username: str
    token: str
    tickets: list[str]   # references this agent may change (active, within its tier)


class Agent(threading.Thread):
    def __init__(self, number: int, plan: AgentPlan, balancer: Balancer, recorder: Recorder,
                 stop: threading.Event, args: argparse.Namespace, run_tag: str,
                 posted: list[Posted]) -> None:
        super().__init__(name=f"agent-{number}", daemon=True)
        self.number = number
        self.plan = plan
        self.http = AgentHttp(balancer, recorder)
        self.http.token = plan.token
        self.stop_event = stop
        self.args = args
        self.rng = random.Random(args.seed * 1000 + number)
        self.run_tag = run_tag
        self.posted = posted
        self.text = TextBank(self.rng, pool_size=300)
        self.sequence = 0
        self.error: str = ""

    def run(self) -> None:
        try:
            sign_in(self.http, self.plan.username)
        except RuntimeError as error:
            self.error = str(error)
            return
        # Agents do not all start in the same second.
        self.stop_event.wait(self.rng.uniform(0, self.args.think_s))
        round_ = 0
        while not self.stop_event.is_set():
            self.one_round(round_)
            round_ += 1
            self.stop_event.wait(self.rng.uniform(0.25, 1.75) * self.args.think_s)

    def one_round(self, round_: int) -> None:
        rng = self.rng
        self.http.request("queue", "GET", f"/q/{rng.choice(QUEUES)}")
        reference = rng.choice(self.plan.tickets)
        status, page = self.http.request("ticket", "GET", f"/t/{reference}")
        query = urllib.parse.quote(rng.choice(QUERIES))
        self.http.request("search", "GET", f"/api/v1/search?q={query}", api=True)
        status_filter = rng.choice(("", "&status=open", "&status=new", "&order=updated_at"))
        self.http.request("api list", "GET", f"/api/v1/tickets?limit=25{status_filter}",
                          api=True)
        if round_ % 2 == 1:
            kind = "reply" if rng.random() < 0.6 else "note"
            if (round_ // 2) % 2 == 0 and status == 200:
                self.post_desk(reference, kind, page)
            else:
                self.post_api(reference, kind)

    def _body(self, kind: str) -> tuple[str, str]:
        self.sequence += 1
        tag = f"LT{self.run_tag}x{self.number}x{self.sequence}"
        first = self.rng.choice(("Anna", "Jonas", "Mei", "Omar", "Inés", "Sven"))
        text = (self.text.agent_message(first, self.plan.username) if kind == "reply"
                else self.text.note())
        # The tag on a line of its own: no formatting, encoding or wrapping splits it.
        return tag, f"{text}\n\n{tag}\n"

    def post_desk(self, reference: str, kind: str, page: bytes) -> None:
        match = CSRF.search(page)
        if match is None:
            return
        tag, body = self._body(kind)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(),
                                       "kind": kind, "body": body, "send_anyway": "1"})
        status, _ = self.http.request(
            f"{kind} desk", "POST", f"/t/{reference}/messages", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Referer": f"http://127.0.0.1/t/{reference}"})
        self.posted.append(Posted(tag, kind, "desk", status))

    def post_api(self, reference: str, kind: str) -> None:
        tag, body = self._body(kind)
        status, _ = self.http.request(
            f"{kind} api", "POST", f"/api/v1/tickets/{reference}/messages", api=True,
            body=json.dumps({"kind": kind, "body": body}),
            headers={"Content-Type": "application/json"})
        self.posted.append(Posted(tag, kind, "api", status))


# -- set-up ------------------------------------------------------------------------------


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "FRONTLINE_DATABASE_URL": args.database_url,
        "FRONTLINE_DATA_DIR": str(args.data_dir),
        "FRONTLINE_SMTP_URL": f"smtp://127.0.0.1:{args.sink_port}?timeout=10",
        "FRONTLINE_EMAIL_BACKEND": "",
        "FRONTLINE_SITE_URL": f"http://127.0.0.1:{args.web_ports[0]}",
        "FRONTLINE_LOG_LEVEL": "INFO",
        # Crash recovery within the drain, not after the default five minutes.
        "FRONTLINE_INBOUND_STALE_SECONDS": str(args.stale_seconds),
        "FRONTLINE_INBOUND_SWEEP_SECONDS": str(max(10, args.stale_seconds // 2)),
        "DJANGO_SETTINGS_MODULE": "frontline.settings",
    })
    return env


def _seed(args: argparse.Namespace, env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "bench.seed", "--tickets", str(args.tickets),
               "--database-url", args.database_url, "--data-dir", str(args.data_dir),
               "--reset"]
    print(f"seeding: {' '.join(command)}", flush=True)
    subprocess.run(command, env=env, check=True)


def _plans(args: argparse.Namespace, rng: random.Random) -> list[AgentPlan]:
    """Agent accounts (shared when there are more simulated agents than accounts),
    each with a token and the active tickets it may change."""
    from frontline.core import permissions
    from frontline.core.models import ApiToken, Role, User
    from frontline.tickets.models import ACTIVE_STATUSES, Ticket

    users = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("id"))
    if not users:
        raise SystemExit("no agents in this database; seed it with python -m bench.seed")
    active = list(Ticket.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
                  .order_by("-updated_at")[:3000])
    plans = []
    for number in range(args.agents):
        user = users[number % len(users)]
        mine = [t.reference for t in active if permissions.can_change_ticket(user, t)]
        if not mine:
            continue
        _, token = ApiToken.issue(user, name=f"bench.load {number}")
        plans.append(AgentPlan(user.username, token, rng.sample(mine, min(200, len(mine)))))
    if not plans:
        raise SystemExit("no agent may change any active ticket")
    return plans


# -- the report -----------------------------------------------------------------------------


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _phase(sample: Sample, faults: list[Fault]) -> str:
    """Where a request fell: before the first fault, during one, or after. A request
    still in flight when a fault began ran into it, whenever it was sent."""
    began, ended = sample.at, sample.at + sample.ms / 1000
    if not faults or ended < min(f.at for f in faults):
        return "before"
    # Overlapping windows: the latest fault to start is the one a request ran into.
    for fault in sorted(faults, key=lambda f: f.at, reverse=True):
        low, high = fault.window()
        if began <= high and ended >= low:
            return f"during {fault.name}"
    return "after"


def _ok(sample: Sample) -> bool:
    if sample.kind == "smtp":
        return sample.status == 250
    return isinstance(sample.status, int) and sample.status < 400


def summarize(samples: list[Sample], faults: list[Fault]) -> dict[str, Any]:
    kinds: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        kinds[sample.kind].append(sample)
    rows = []
    for kind, items in sorted(kinds.items()):
        good = sorted(s.ms for s in items if _ok(s))
        outside = sorted(s.ms for s in items if _ok(s) and not _phase(s, faults)
                         .startswith("during"))
        row: dict[str, Any] = {"kind": kind, "n": len(items), "ok": len(good),
                               "errors": len(items) - len(good)}
        if good:
            row.update(p50=_percentile(good, 0.5), p95=_percentile(good, 0.95), max=good[-1])
        if outside:
            row["p95_outside_faults"] = _percentile(outside, 0.95)
        rows.append(row)
    errors: Counter[str] = Counter()
    outside_faults = server_errors = 0
    for sample in samples:
        if not _ok(sample):
            phase = _phase(sample, faults)
            errors[f"{sample.kind} | {sample.status} | {phase}"] += 1
            outside_faults += not phase.startswith("during")
            # The issue's rule: a fault may cost a 503 (or a 4xx SMTP answer), never a 500.
            server_errors += sample.kind != "smtp" and sample.status == 500
    return {"kinds": rows, "errors": dict(sorted(errors.items())),
            "errors_outside_faults": outside_faults, "http_500": server_errors}


def print_report(summary: dict[str, Any], checks: dict[str, Any]) -> None:
    print(f"\n{'kind':<12} {'n':>6} {'err':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'p95 outside faults':>19}")
    for row in summary["kinds"]:
        if "p50" not in row:
            print(f"{row['kind']:<12} {row['n']:>6} {row['errors']:>5}")
            continue
        outside = row.get("p95_outside_faults")
        verdict = "" if outside is None or row["kind"] == "smtp" else (
            " met" if outside < TARGET_P95_MS else " MISSED")
        print(f"{row['kind']:<12} {row['n']:>6} {row['errors']:>5} {row['p50']:>8.1f} "
              f"{row['p95']:>8.1f} {row['max']:>8.1f} "
              f"{outside if outside is not None else float('nan'):>14.1f}{verdict}")
    print("\nerrors (kind | status | phase):" if summary["errors"] else "\nno errors")
    for key, count in summary["errors"].items():
        print(f"  {count:>6}  {key}")
    print(f"errors outside the fault windows: {summary['errors_outside_faults']}; "
          f"HTTP 500 answers: {summary['http_500']} (target: 0 and 0)")
    for fault in checks["faults"]:
        print(f"fault {fault['name']} at {fault['at']:.0f}s, over at "
              f"{fault['ended']:.1f}s: {fault['detail']}")
    inbound, outbound, tasks = checks["inbound"], checks["outbound"], checks["tasks"]
    print(f"\nmail in: {inbound['accepted']} accepted (250), {inbound['stored']} stored "
          f"{inbound['states']}, {inbound['messages']} messages on tickets; "
          f"missing {inbound['missing_count']}, doubled {inbound['doubled_count']}: "
          f"{'OK' if inbound['ok'] else 'FAILED'}")
    print(f"agents' messages: {outbound['posted']} posted, {outbound['confirmed']} confirmed "
          f"({outbound['replies_confirmed']} replies), {outbound['unconfirmed']} cut off "
          f"({outbound['unconfirmed_landed']} of them landed once)")
    print(f"mail out: {outbound['outbound_mails']} queued in the run "
          f"({outbound['automatic']} automatic) {outbound['outbound_states']}, "
          f"{outbound['sink_deliveries']} deliveries in the sink, {outbound['sent_not_once']} "
          f"sent but not delivered exactly once: {'OK' if outbound['ok'] else 'FAILED'}")
    for problem in outbound["problems"][:10]:
        print(f"  {problem}")
    print(f"tasks: {tasks['statuses']}; {tasks['open']} open, held by killed workers: "
          f"{dict(tasks['held_by_killed_workers'])}: {'OK' if tasks['ok'] else 'FAILED'}")
    print(f"drain: {checks['drain']}")


# -- the run ----------------------------------------------------------------------------------


def _run_faults(args: argparse.Namespace, fleet: Fleet, started: float,
                stop: threading.Event) -> list[Fault]:
    """Run the faults at their times (in this thread) until the duration is over."""
    plan = sorted((at, name) for at, name in (
        (args.restart_postgres_at, "postgres restart"), (args.kill_worker_at, "worker kill"),
        (args.kill_web_at, "web kill")) if at is not None)
    faults: list[Fault] = []
    for at, name in plan:
        if stop.wait(max(0.0, started + at - time.monotonic())):
            break
        fault = Fault(name, time.monotonic() - started)
        print(f"   {fault.at:6.1f}s  {name} ...", flush=True)
        if name == "postgres restart":
            result = subprocess.run(shlex.split(args.restart_command), capture_output=True,
                                    text=True)
            fault.detail = f"`{args.restart_command}` exited {result.returncode}"
        elif name == "worker kill":
            fault.detail = fleet.kill_worker(0)
        else:
            fault.detail = fleet.kill_web(args.web_ports[0])
        fault.ended = time.monotonic() - started
        print(f"   {fault.ended:6.1f}s  {fault.detail}", flush=True)
        faults.append(fault)
    stop.wait(max(0.0, started + args.duration - time.monotonic()))
    return faults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/fl-load"))
    parser.add_argument("--tickets", type=int, default=20000, help="tickets to seed")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database as it is (no seed)")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--think-s", type=float, default=2.0,
                        help="an agent's mean pause between rounds (default 2 s)")
    parser.add_argument("--mails-per-s", type=float, default=20.0)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--restart-postgres-at", type=float, default=None, metavar="S")
    parser.add_argument("--restart-command", default="pg_ctlcluster 15 main restart")
    parser.add_argument("--kill-worker-at", type=float, default=None, metavar="S")
    parser.add_argument("--kill-web-at", type=float, default=None, metavar="S")
    parser.add_argument("--web-ports", type=int, nargs=2, default=[8621, 8622])
    parser.add_argument("--listen-port", type=int, default=2621)
    parser.add_argument("--sink-port", type=int, default=2622)
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    parser.add_argument("--stale-seconds", type=int, default=60,
                        help="FRONTLINE_INBOUND_STALE_SECONDS for the run (default 60)")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="write the summary here")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.mails_per_s <= 0 or args.duration <= 0:
        parser.error("--agents, --mails-per-s and --duration must be positive")
    for at in (args.restart_postgres_at, args.kill_worker_at, args.kill_web_at):
        if at is not None and not 0 <= at < args.duration:
            parser.error("a fault's time must lie within --duration")

    args.data_dir.mkdir(parents=True, exist_ok=True)
    log_dir = args.data_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    env = _environment(args)
    if not args.reuse:
        _seed(args, env)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("FRONTLINE_", "DJANGO_"))})
    os.environ["FRONTLINE_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    plans = _plans(args, rng)
    connection.close()
    run_tag = f"{int(time.time()) % 100000:05d}"
    sink_log = args.data_dir / f"sink-{run_tag}.jsonl"

    fleet = Fleet(env, log_dir, list(args.web_ports), args.listen_port, args.threads)
    stop = threading.Event()
    agents: list[Agent] = []
    sender = None
    try:
        # Mail the workers queue from the moment they start (reminders of the seeded
        # tickets, say) counts too: the sink must see each of them once.
        fleet_started_at = timezone.now()
        fleet.start_sink(args.sink_port, sink_log)
        for port in args.web_ports:
            fleet.start_web(port)
        for slot in range(2):
            fleet.start_worker(slot)
        fleet.start_listener()
        time.sleep(2)
        fleet.learn_worker_ids()
        started = time.monotonic()
        print(f"{connection.vendor}: {len(plans)} agents, {args.mails_per_s:g} mails/s, "
              f"{args.duration:g}s; load average {os.getloadavg()[0]:.2f}", flush=True)
        recorder = Recorder(started)
        balancer = Balancer(list(args.web_ports))
        posted: list[Posted] = []
        agents = [Agent(n, plans[n % len(plans)], balancer, recorder, stop, args, run_tag,
                        posted) for n in range(args.agents)]
        for agent in agents:
            agent.start()
        sender = MailSender(args, recorder, stop, sink_log, settings.FRONTLINE_SUPPORT_ADDRESS)
        sender.start()
        loads: list[tuple[float, float, float]] = []
        faults = _run_faults(args, fleet, started, stop)
        stop.set()
        loads.append(os.getloadavg())
        for agent in agents:
            agent.join(timeout=120)
        sender.join(timeout=600)
        print(f"load over after {time.monotonic() - started:.0f}s; draining", flush=True)
        fleet.learn_worker_ids()
        accepted = [m.message_id for m in sender.mails if m.accepted]
        drained = drain(fleet_started_at, fleet.killed_worker_ids, args.drain_timeout)
        checks: dict[str, Any] = {
            "faults": [{"name": f.name, "at": f.at, "ended": f.ended or f.at,
                        "detail": f.detail} for f in faults],
            "drain": drained,
            "inbound": check_inbound(accepted),
            "outbound": check_outbound(fleet_started_at, posted, run_tag, sink_log),
            "tasks": check_tasks(fleet_started_at, fleet.killed_worker_ids),
            "mails_sent": len(sender.mails),
            "mails_never_accepted": [
                {"id": m.message_id, "answers": m.answers[-3:]}
                for m in sender.mails if not m.accepted][:20],
            "agents_failed_to_sign_in": [a.error for a in agents if a.error],
            "balancer_failovers": balancer.failovers,
        }
    finally:
        stop.set()
        fleet.stop()
    summary = summarize(recorder.samples, faults)
    print_report(summary, checks)
    print(f"balancer failovers: {balancer.failovers}; load average at the end of the load "
          f"{' '.join(f'{x:.2f}' for x in loads[0])}")
    ok = checks["inbound"]["ok"] and checks["outbound"]["ok"] and checks["tasks"]["ok"]
    if args.json:
        args.json.write_text(json.dumps({
            "args": {k: str(v) for k, v in vars(args).items()},
            "loadavg_at_end": loads[0], "summary": summary, "checks": checks, "ok": ok,
            # Every request, so that a report can be read again another way.
            "samples": [[s.kind, round(s.at, 3), round(s.ms, 1), s.status]
                        for s in recorder.samples]},
            indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
