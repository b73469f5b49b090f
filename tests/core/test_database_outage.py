"""Issue 11: PostgreSQL restarts under load. Every request while it is away gets 503
with Retry-After (not 500), every request after it succeeds again on the same
server threads, and a mail whose processing the outage interrupts is processed
once, seconds later, by the worker (not minutes later by the stale sweep).

The outage is real for the code under test: its connections go through a TCP
proxy (tests/outage_proxy.py) that resets them and refuses new ones, while the
shared PostgreSQL server itself keeps running for everyone else. The last test
holds a real table lock instead: a transient error that leaves the connection
working, so a wrong "failed" could be written.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections
from django.db.models.signals import post_init, post_save
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline.core.models import ApiToken
from frontline.core.worker import FrontlineWorker
from frontline.mail.models import InboundMail, InboundSource, InboundState, OutboundMail
from frontline.mail.store import accept_raw
from frontline.tickets.models import Message, MessageKind, Ticket
from tests.outage_proxy import TcpProxy, route_database_through

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="a PostgreSQL outage (the SQLite case is in test_outages)")

DEADLINE_SECONDS = 60.0


@pytest.fixture
def database_proxy(transactional_db: None) -> Iterator[TcpProxy]:
    with route_database_through(connection) as proxy:
        yield proxy
    # The proxy reset the server threads' connections; let PostgreSQL see them go
    # before the test database is emptied and, at the end, dropped.
    _wait_for(lambda: not _other_sessions(), "the proxied sessions to end", seconds=10)


def _other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connections.close_all()  # this thread's connection may have died in the outage
        try:
            if condition():
                return
        except Exception:  # the database may still be away
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# -- the web ------------------------------------------------------------------------


class _Server:
    """Frontline under waitress, as `frontline serve` runs it: a few long-lived
    threads, each keeping its database connection between requests."""

    def __init__(self) -> None:
        from waitress import create_server

        from frontline.wsgi import application

        self.server: Any = create_server(application, host="127.0.0.1", port=0, threads=2,
                                         ident="Frontline")
        self.port = int(self.server.effective_port)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request("GET", path, headers=headers)
            response = client.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, \
                response.read()
        finally:
            client.close()

    def stop(self) -> None:
        from waitress import wasyncore

        self.server.task_dispatcher.shutdown()
        wasyncore.close_all(self.server._map)
        self.thread.join(timeout=10)


@pytest.fixture
def server(database_proxy: TcpProxy) -> Iterator[_Server]:
    running = _Server()
    yield running
    running.stop()


def test_requests_during_a_restart_get_503_with_retry_after_then_200(database_proxy, server,
                                                                     ada):
    _, key = ApiToken.issue(ada, name="outage drill")
    desk = Client()
    desk.force_login(ada)
    api_headers = {"Authorization": f"Bearer {key}"}
    desk_headers = {"Cookie": f"sessionid={desk.cookies['sessionid'].value}"}
    pages = [("/api/v1/me", api_headers), ("/q/open", desk_headers), ("/request", {})]

    # Several rounds, so each server thread holds a connection from before.
    for _ in range(3):
        for path, headers in pages:
            status, _, body = server.get(path, headers)
            assert status == 200, (path, body[:300])

    database_proxy.cut()
    answers = [(path, server.get(path, headers)) for path, headers in pages * 2]
    for path, (status, headers, body) in answers:
        assert status == 503, (path, status, body[:300])
        assert headers["retry-after"].isdigit() and int(headers["retry-after"]) > 0
    during = dict(answers)
    _, api_headers_out, api_body = during["/api/v1/me"]
    assert api_headers_out["content-type"].startswith("application/json")
    error = json.loads(api_body)
    assert set(error) == {"detail", "errors"} and error["errors"] == []
    assert "try again" in error["detail"]
    for page in ("/q/open", "/request"):
        assert during[page][1]["content-type"].startswith("text/html")
        assert b"try again in a few seconds" in during[page][2]

    database_proxy.restore()
    # At once, on the same threads whose connections the outage broke.
    for _ in range(3):
        for path, headers in pages:
            status, _, body = server.get(path, headers)
            assert status == 200, (path, status, body[:300])
    me = json.loads(server.get("/api/v1/me", api_headers)[2])
    assert me["username"] == "ada"


# -- a mail in processing -----------------------------------------------------------


MAILS = [
    ("Export button greyed out since 5.2",
     "Hi, since the upgrade to 5.2 the Export button stays grey for every report.\n"
     "Reinstalling did not help. Could you look?\n\nMaria"),
    ("Rechnung doppelt abgebucht",
     "Guten Tag,\n\nuns wurde die Rechnung für März zweimal abgebucht. "
     "Bitte um Erstattung.\n\nMit freundlichen Grüßen\nJonas Weber"),
    ("sync stuck at 99%",
     "sync stuck at 99% again\n" + "log: worker 3 waiting on lock queue_items\n" * 40),
]


def _raw(number: int, subject: str, body: str) -> bytes:
    return (f"From: Customer {number} <customer{number}@outage-{number}.example>\r\n"
            f"To: support@frontline.localhost\r\nSubject: {subject}\r\n"
            f"Message-ID: <outage-{number}-{len(body)}@mail.example>\r\n"
            "Date: Tue, 03 Mar 2026 09:1{number}:00 +0000\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"\r\n{body}\r\n").encode()


@pytest.fixture
def worker(database_proxy: TcpProxy) -> Iterator[FrontlineWorker]:
    running = FrontlineWorker(interval=0.05, schedule=False)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    yield running
    running.stop()
    thread.join(timeout=30)


def test_a_mail_whose_processing_meets_the_restart_is_processed_once_soon_after(
        database_proxy, worker, settings):
    # The stale sweep would wait five minutes: what happens here happens without it.
    settings.FRONTLINE_INBOUND_STALE_SECONDS = 3600
    cut_once = threading.Event()
    outage_seconds = 2.5

    def restart_mid_processing(sender: Any, instance: Message, created: bool,
                               **kwargs: Any) -> None:
        # The second mail's message row is written, its transaction not committed:
        # the database goes away now, for as long as the issue's restart.
        if created and "Rechnung" in instance.body and not cut_once.is_set():
            cut_once.set()
            database_proxy.cut()
            threading.Timer(outage_seconds, database_proxy.restore).start()

    post_save.connect(restart_mid_processing, sender=Message, weak=False)
    try:
        ids = [accept_raw(_raw(n, subject, body), source=InboundSource.LMTP).inbound.pk
               for n, (subject, body) in enumerate(MAILS, start=1)]
        started = time.monotonic()
        # A mail may be processed by another mail's task (core/siblings.py takes
        # waiting ones along); its own task then finishes after its backoff: wait
        # for both.
        _wait_for(lambda: InboundMail.objects.filter(
            pk__in=ids, state=InboundState.PROCESSED).count() == len(ids)
            and not DBTaskResult.objects.filter(
                task_path__endswith="process_inbound_task",
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists(),
            "every mail to be processed and every task to finish")
        took = time.monotonic() - started
    finally:
        post_save.disconnect(restart_mid_processing, sender=Message)

    assert cut_once.is_set(), "the outage never happened"
    # The outage and a backoff of a few seconds, not the sweep's minutes.
    assert took < outage_seconds + 15
    for inbound_id, (subject, _) in zip(ids, MAILS, strict=True):
        inbound = InboundMail.objects.get(pk=inbound_id)
        assert Ticket.objects.filter(subject=subject).count() == 1
        ticket = Ticket.objects.get(subject=subject)
        assert inbound.ticket_id == ticket.pk
        assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1, \
            "a mail landed twice"
        assert Message.objects.filter(email_message_id=inbound.header_message_id).count() == 1
        # Acknowledged once: the rolled-back attempt queued nothing.
        assert OutboundMail.objects.filter(ticket=ticket, automatic=True).count() == 1
    tasks = DBTaskResult.objects.filter(task_path__endswith="process_inbound_task")
    assert tasks.count() == len(ids)
    assert set(tasks.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    claims = sorted(len(task.worker_ids) for task in tasks)
    assert claims[-1] >= 2, "the interrupted task was not run again"
    assert claims[0] == 1


def test_an_acknowledgement_whose_build_meets_a_lock_stays_queued_not_failed(transactional_db):
    """A transient error while a mail is built (here a lock held past lock_timeout,
    55P03; the connection still works) is no reason to mark the mail failed."""
    import psycopg

    from frontline.mail import outbound
    from frontline.mail.models import OutboundState
    from frontline.mail.services import process_inbound

    subject, body = MAILS[1]
    inbound = accept_raw(_raw(7, subject, body), source=InboundSource.API, process=False).inbound
    process_inbound(inbound.pk)
    acknowledgement = OutboundMail.objects.get(ticket__subject=subject, automatic=True)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    params = connection.get_connection_params()
    holder = psycopg.connect(**{key: value for key, value in params.items()
                                if key in ("dbname", "user", "password", "host", "port")})
    locked = threading.Event()

    def lock_messages_once_claimed(sender: Any, instance: OutboundMail, **kwargs: Any) -> None:
        # The claimed mail is loaded after its claim committed; now a migration (say)
        # takes the messages table the mail is built from.
        if not connection.in_atomic_block and not locked.is_set():
            locked.set()
            holder.execute("LOCK TABLE tickets_message IN ACCESS EXCLUSIVE MODE")

    post_init.connect(lock_messages_once_claimed, sender=OutboundMail, weak=False)
    try:
        with pytest.raises(DatabaseError, match="lock timeout"):
            outbound.deliver(acknowledgement.pk)
    finally:
        post_init.disconnect(lock_messages_once_claimed, sender=OutboundMail)
        holder.rollback()
        holder.close()
        connections.close_all()

    assert locked.is_set()
    acknowledgement.refresh_from_db()
    assert acknowledgement.state == OutboundState.QUEUED, acknowledgement.last_error
    assert acknowledgement.attempts == 1
