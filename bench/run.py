"""Time the pages people wait on, against a real web process.

    python -m bench.run --database-url URL --data-dir DIR [--requests 200] [--port 8604]

Starts `frontline serve` (waitress, the shipped server) as a subprocess on the
given database, signs in as an agent through the /login form like a browser
(CSRF cookie and token, session cookie), issues an API token, and then times
sequential requests on one keep-alive connection each:

- queue:  the desk queue pages /q/<name> (several queues)
- ticket: the desk ticket page /t/FL-... (random tickets, half of them active)
- search: /api/v1/search?q=... (common words, phrases, rare tokens, references)
- search page: the desk /search?q=... page, same queries
- api list: /api/v1/tickets?limit=50, following next_cursor, and filtered lists

Every response must be a 200: a fast error is not a result, so errors are
counted and shown and the run exits non-zero when there are any. Prints
p50/p95/max per kind and the web process's peak resident memory (VmHWM).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.seed import BENCH_PASSWORD

TARGETS_MS = {"queue": 100, "ticket": 50, "search": 100, "search page": 100, "api list": 100}
QUEUES = ("open", "unassigned", "mine", "team", "tier1", "tier2", "tier3", "pending")
COMMON_QUERIES = (
    "timeout", "invoice", "certificate", "export", "slow", "upgrade", "password reset",
    "\"blank page\"", "Salesforce", "sync", "refund duplicate", "permission denied",
    "dashboards", "PostgreSQL", "workaround", "webhooks retries", "login", "import rows",
    "\"snapshot too old\"", "Ledger reconciliation", "crash*", "export OR import",
    "deadlock -Windows", "memory leak", "Kubernetes", "two-factor", "SAML",
    # Typos find nothing: the engine must say so quickly, not scan every message.
    "timout", "reconcilation",
)


@dataclass
class Kind:
    name: str
    times_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # CPU the web process spent on the timed requests: unlike wall time, hardly
    # moved by other work on the machine (on SQLite it includes the queries).
    server_cpu_ms: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.times_ms)
        if not ordered:
            return {"kind": self.name, "n": 0, "errors": len(self.errors)}

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

        return {"kind": self.name, "n": len(ordered), "errors": len(self.errors),
                "p50": pct(0.50), "p95": pct(0.95), "max": ordered[-1],
                "mean": statistics.fmean(ordered),
                "cpu_per_request": self.server_cpu_ms / len(ordered),
                "slowest": sorted(self.slowest, reverse=True)[:5]}


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar (enough for Django)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server may close an idle keep-alive connection; one retry on a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        return self.request("GET", path)


# -- the server ---------------------------------------------------------------------


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    frontline = Path(sys.executable).with_name("frontline")
    if args.server == "waitress" or not frontline.exists():
        command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{args.port}",
                   f"--threads={args.threads}", "frontline.wsgi:application"]
    else:
        command = [str(frontline), "serve", "--port", str(args.port),
                   "--threads", str(args.threads), "--no-worker"]
    log = open(Path(args.log_dir) / f"server-{args.port}.log", "wb")  # noqa: SIM115
    print(f"server: {' '.join(command)}", flush=True)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}; see {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("the server did not answer /healthz within 120 s")


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """User + system CPU of the process so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the process and its children (the largest), in MiB."""
    peaks = []
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return max(peaks, default=0.0)


# -- signing in -----------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str) -> None:
    status, body, _ = client.get("/login")
    if status != 200:
        raise SystemExit(f"GET /login answered {status}")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match:
        raise SystemExit("no CSRF token in the /login form")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1).decode(),
                                   "username": username, "password": password})
    status, body, _ = client.request(
        "POST", "/login", body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{client.port}/login"})
    if status not in (302, 303) or "sessionid" not in client.cookies:
        raise SystemExit(f"signing in as {username} failed: {status} {body[:300]!r}")


# -- what to ask for ---------------------------------------------------------------------


@dataclass
class Workload:
    agent: str
    token: str
    queue_paths: list[str]
    ticket_paths: list[str]
    queries: list[str]


def build_workload(rng: random.Random, requests: int) -> Workload:
    """Pick the agent, tickets and search words from the database itself."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from frontline.core.models import ApiToken, Role, User
    from frontline.customers.models import ContactEmail
    from frontline.tickets.models import ACTIVE_STATUSES, Message, Ticket, format_reference

    # A tier-1 agent with the most active tickets: "mine" and "team" then hold real work.
    agent = (User.objects.filter(role=Role.AGENT, tier=1, is_active=True)
             .annotate(active=Count("assigned_tickets",
                                    filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES)))
             .order_by("-active", "id").first())
    if agent is None:
        raise SystemExit("no tier-1 agent in this database; seed it with python -m bench.seed")
    _, token = ApiToken.issue(agent, name="bench")

    queue_paths = [reverse("desk:queue", args=[name]) for name in QUEUES]
    bounds = Ticket.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None or high is None:
        raise SystemExit("no tickets in this database")
    active_ids = list(Ticket.objects.filter(status__in=ACTIVE_STATUSES)
                      .order_by("-updated_at").values_list("id", flat=True)[:5000])
    ticket_ids = [rng.choice(active_ids) if active_ids and i % 2 else rng.randint(low, high)
                  for i in range(requests)]
    ticket_paths = [reverse("desk:ticket", args=[format_reference(pk)]) for pk in ticket_ids]

    # Rare tokens (a host, an invoice number, a request id), references and
    # addresses come from the data, so they are known to exist.
    rare: list[str] = []
    pattern = re.compile(r"(INV-\d{4}-\d{5}|[a-z]+\d\d\.[a-z]+\.internal|\b[0-9a-f]{16}\b)")
    for pk in (rng.randint(1, Message.objects.order_by("-id").values_list("id", flat=True)
                           .first() or 1) for _ in range(60)):
        body = Message.objects.filter(pk=pk).values_list("body", flat=True).first() or ""
        rare += pattern.findall(body)[:1]
    rare += [format_reference(rng.randint(low, high)) for _ in range(10)]
    email_count = ContactEmail.objects.count()
    rare += list(ContactEmail.objects.filter(
        pk__in=[rng.randint(1, max(1, email_count)) for _ in range(10)])
        .values_list("address", flat=True))
    queries = list(COMMON_QUERIES) + rare
    rng.shuffle(queries)
    return Workload(agent.username, token, queue_paths, ticket_paths, queries)


def api_list_paths(client: Client, rng: random.Random, username: str) -> Iterator[str]:
    """The API list first page, then following its cursor a few pages, then filters."""
    filters = ("", "&status=open", "&status=pending_customer", "&tier=2",
               f"&assignee={username}", "&order=updated_at", "&status=closed")
    while True:
        extra = rng.choice(filters)
        path = f"/api/v1/tickets?limit=50{extra}"
        for _ in range(rng.randint(1, 4)):
            yield path
            cursor = client.last_cursor  # type: ignore[attr-defined]
            if not cursor:
                break
            path = f"/api/v1/tickets?limit=50{extra}&cursor={urllib.parse.quote(cursor)}"


# -- the run ----------------------------------------------------------------------------


def timed(client: Client, kind: Kind, path: str, *, record: bool = True) -> bytes:
    started = time.perf_counter()
    status, body, _ = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        kind.errors.append(f"{status} {path} {body[:200]!r}")
    elif record:
        kind.times_ms.append(elapsed)
        kind.slowest.append((round(elapsed, 1), path))
        if len(kind.slowest) > 50:
            kind.slowest = sorted(kind.slowest, reverse=True)[:5]
    return body


def run_kind(name: str, client: Client, paths: Callable[[int], str], requests: int,
             warmup: int, server_pid: int, after: Callable[[bytes], None] | None = None) -> Kind:
    kind = Kind(name)
    for i in range(warmup + requests):
        if i == warmup:
            cpu_before = cpu_ms(server_pid)
        body = timed(client, kind, paths(i), record=i >= warmup)
        if after is not None:
            after(body)
    kind.server_cpu_ms = cpu_ms(server_pid) - cpu_before
    return kind


def _migrate() -> None:
    """Bring a database seeded with older code up to date, with fresh statistics.

    `frontline serve` would migrate too, but index builds on a million tickets
    belong outside the timed run and the server's start-up deadline.
    """
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    started = time.monotonic()
    print(f"applying {len(pending)} migrations: "
          f"{', '.join(f'{m.app_label}.{m.name}' for m, _ in pending)}", flush=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"migrated and analyzed in {time.monotonic() - started:.0f}s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        help="FRONTLINE_DATABASE_URL (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", required=True, help="FRONTLINE_DATA_DIR")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per kind first")
    parser.add_argument("--port", type=int, default=8604)
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    parser.add_argument("--server", choices=("serve", "waitress"), default="serve",
                        help="`frontline serve` (default) or plain waitress")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--log-dir", default="/tmp", help="where the server log goes")
    parser.add_argument("--kinds", default=",".join(TARGETS_MS),
                        help="comma-separated kinds to time (default: all): "
                             + ", ".join(TARGETS_MS))
    args = parser.parse_args(argv)
    chosen = {kind.strip() for kind in args.kinds.split(",") if kind.strip()}
    if unknown := chosen - set(TARGETS_MS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")

    os.environ["FRONTLINE_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("FRONTLINE_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    os.environ.setdefault("FRONTLINE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    from frontline.tickets.models import Ticket

    _migrate()
    rng = random.Random(args.seed)
    tickets = Ticket.objects.count()
    workload = build_workload(rng, args.requests + args.warmup)
    connection.close()
    print(f"{connection.vendor}, {tickets:,} tickets; agent {workload.agent}", flush=True)

    server = start_server(args, dict(os.environ))
    try:
        desk = Client(args.port)
        sign_in(desk, workload.agent, BENCH_PASSWORD)
        api = Client(args.port)
        api.headers["Authorization"] = f"Bearer {workload.token}"
        api.last_cursor = None  # type: ignore[attr-defined]

        def remember_cursor(body: bytes) -> None:
            try:
                api.last_cursor = json.loads(body).get("next_cursor")  # type: ignore[attr-defined]
            except ValueError:
                api.last_cursor = None  # type: ignore[attr-defined]

        queries = workload.queries
        # The desk search sends a bare reference straight to the ticket (a 302), so the
        # page is timed on word queries; the API search covers references.
        page_queries = [q for q in queries if not q.startswith("FL-")]
        list_paths = api_list_paths(api, rng, workload.agent)
        started = time.monotonic()
        runs: dict[str, Callable[[], Kind]] = {
            "queue": lambda: run_kind(
                "queue", desk, lambda i: workload.queue_paths[i % len(workload.queue_paths)],
                args.requests, args.warmup, server.pid),
            "ticket": lambda: run_kind(
                "ticket", desk, lambda i: workload.ticket_paths[i], args.requests,
                args.warmup, server.pid),
            "search": lambda: run_kind(
                "search", api, lambda i: "/api/v1/search?q="
                + urllib.parse.quote(queries[i % len(queries)]), args.requests, args.warmup,
                server.pid),
            "search page": lambda: run_kind(
                "search page", desk, lambda i: "/search?q="
                + urllib.parse.quote(page_queries[(i * 7) % len(page_queries)]),
                args.requests, args.warmup, server.pid),
            "api list": lambda: run_kind(
                "api list", api, lambda i: next(list_paths), args.requests, args.warmup,
                server.pid, after=remember_cursor),
        }
        kinds = [run() for name, run in runs.items() if name in chosen]
        duration = time.monotonic() - started
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    summaries = [k.summary() for k in kinds]
    print(f"\n{'kind':<12} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
          f" {'cpu ms/req':>10}  target p95")
    for s in summaries:
        if not s["n"]:
            print(f"{s['kind']:<12} {0:>5} {s['errors']:>4}")
            continue
        target = TARGETS_MS.get(s["kind"])
        verdict = "" if target is None else (
            f"< {target} ms {'met' if s['p95'] < target else 'MISSED'}")
        print(f"{s['kind']:<12} {s['n']:>5} {s['errors']:>4} {s['p50']:>8.1f} {s['p95']:>8.1f} "
              f"{s['max']:>8.1f} {s['cpu_per_request']:>10.1f}  {verdict}")
    print(f"\npeak RSS of the web process: {rss:.0f} MiB; {duration:.0f}s of requests; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for s in summaries:
        for elapsed, path in s.get("slowest", [])[:3]:
            print(f"slowest {s['kind']:<12} {elapsed:8.1f} ms  {urllib.parse.unquote(path)}")
    errors = [e for k in kinds for e in k.errors]
    for error in errors[:10]:
        print(f"ERROR {error}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "vendor": connection.vendor, "tickets": tickets, "requests": args.requests,
            "results": summaries, "peak_rss_mib": rss, "loadavg": os.getloadavg(),
            "errors": errors[:50]}, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
