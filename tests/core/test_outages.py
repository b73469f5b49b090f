"""Issue 11: which database errors are transient (frontline.core.outages), and what
the web and the worker do about them, on the engine this run uses. Every error
here is a real one, raised by a real SQLite or PostgreSQL driver; the
PostgreSQL restart itself is in test_database_outage.py.

SQLite's "database is locked" is transient: it means another writer (a bulk
import, a migration) held the lock for the whole busy timeout, and the same
write succeeds once it lets go. The web answers it 503 and the worker retries.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_started
from django_tasks_db.models import DBTaskResult

from frontline.core import outages
from frontline.core.middleware import server_error
from frontline.core.models import ApiToken
from frontline.core.worker import FrontlineWorker
from frontline.mail.models import InboundMail, InboundSource, InboundState
from frontline.mail.store import accept_raw
from frontline.tickets.models import MessageKind, Ticket
from tests.processes import free_port

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs the PostgreSQL server")
# The test database is SQLite in memory (shared cache) unless FRONTLINE_TEST_SQLITE
# names a file; a second connection can lock it without waiting for a busy timeout.
IN_MEMORY_SQLITE = (connection.vendor == "sqlite"
                    and not connection.settings_dict.get("TEST", {}).get("NAME"))
on_shared_memory_sqlite = pytest.mark.skipif(
    not IN_MEMORY_SQLITE, reason="locks the in-memory SQLite test database from a 2nd connection")


def _wrapper(**overrides: Any) -> Any:
    """A connection of our own (not the test database's) with the given settings."""
    alias = f"probe_{time.monotonic_ns()}"
    configured = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.dummy"}, alias: dict(overrides)})[alias]
    return load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)


def _error_from(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("expected the database to refuse")


def _refused_connection() -> BaseException:
    probe = _wrapper(ENGINE="django.db.backends.postgresql", NAME="frontline", HOST="127.0.0.1",
                     PORT=str(free_port()), USER="postgres", OPTIONS={"connect_timeout": 3})
    return _error_from(probe.ensure_connection)


# -- which errors are transient -----------------------------------------------------


def test_sqlite_locked_by_another_writer_is_transient(tmp_path: Path, db):
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE queue_item (id INTEGER PRIMARY KEY, note TEXT)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO queue_item (note) VALUES ('import batch 7 of 40')")
    waiting = _wrapper(ENGINE="django.db.backends.sqlite3", NAME=str(path),
                       OPTIONS={"timeout": 0.05})
    try:
        error = _error_from(lambda: waiting.cursor().execute(
            "INSERT INTO queue_item (note) VALUES ('a reply from the desk')"))
    finally:
        waiting.close()
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(error, DatabaseError) and "locked" in str(error)
    assert outages.is_transient(error)


def test_errors_that_would_fail_again_are_not_transient(db):
    missing_table = _error_from(lambda: connection.cursor().execute(
        "SELECT * FROM frontline_table_that_never_was"))
    assert not outages.is_transient(missing_table)
    assert not outages.is_transient(IntegrityError("UNIQUE constraint failed: core_user.username"))
    assert not outages.is_transient(ValueError("the mail could not be read"))


def test_a_refused_connection_is_transient(db):
    """What a client sees while PostgreSQL restarts: nothing listens on the port."""
    assert outages.is_transient(_refused_connection())


@on_postgresql
def test_postgresql_shutdown_is_transient_and_configuration_errors_are_not(db):
    settings_dict = connection.settings_dict
    killed = _wrapper(**{**settings_dict, "OPTIONS": {}})
    killed.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [killed.connection.info.backend_pid])
    shutdown = _error_from(lambda: killed.cursor().execute("SELECT 1"))
    killed.close()
    assert outages.is_transient(shutdown)

    missing_database = _wrapper(**{**settings_dict, "NAME": "fl_h7_no_such_database",
                                   "OPTIONS": {}})
    assert not outages.is_transient(_error_from(missing_database.ensure_connection))

    slow = _wrapper(**{**settings_dict, "OPTIONS": {}})
    try:
        cursor = slow.cursor()
        cursor.execute("SET statement_timeout = 20")
        timed_out = _error_from(lambda: cursor.execute("SELECT pg_sleep(1)"))
    finally:
        slow.close()
    assert not outages.is_transient(timed_out), "the same query would time out again"


def test_backoff_doubles_up_to_the_cap(settings):
    settings.FRONTLINE_TASK_RETRY_MAX_SECONDS = 20
    assert [outages.backoff(attempt) for attempt in range(1, 8)] == [1, 2, 4, 8, 16, 20, 20]
    assert outages.backoff(3, cap=3) == 3


# -- the web, while SQLite is locked --------------------------------------------------


class _Lock:
    """Another connection holding SQLite's write lock on some tables (what a long
    import does), until `release()`."""

    def __init__(self, *tables: str) -> None:
        self.holder = sqlite3.connect(connection.settings_dict["NAME"], uri=True,
                                      isolation_level=None, check_same_thread=False)
        self.holder.execute("BEGIN IMMEDIATE")
        self.held = True
        try:
            for table in tables:
                column = self.holder.execute(f"PRAGMA table_info({table})").fetchone()[1]
                self.holder.execute(f"UPDATE {table} SET {column} = {column}")
        except sqlite3.Error:
            self.release()
            raise

    def release(self) -> None:
        if self.held:
            self.held = False
            self.holder.execute("ROLLBACK")
            self.holder.close()


@on_shared_memory_sqlite
def test_requests_while_sqlite_is_locked_get_503_then_200(transactional_db, ada):
    _, key = ApiToken.issue(ada, name="lock drill")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    desk = Client()
    desk.force_login(ada)
    portal = Client()
    checks = [(api, "/api/v1/me"), (desk, "/q/open"), (portal, "/request")]
    for client, path in checks:
        assert client.get(path).status_code == 200, path

    lock = _Lock("core_apitoken", "django_session", "tickets_category")
    try:
        answers = {path: client.get(path) for client, path in checks}
    finally:
        lock.release()

    for path, response in answers.items():
        assert response.status_code == 503, (path, response.content[:300])
        assert int(response["Retry-After"]) == outages.RETRY_AFTER_SECONDS
    api_error = answers["/api/v1/me"].json()
    assert set(api_error) == {"detail", "errors"} and "try again" in api_error["detail"]
    for page in ("/q/open", "/request"):
        assert answers[page]["Content-Type"].startswith("text/html")
        assert b"try again in a few seconds" in answers[page].content
    for client, path in checks:
        assert client.get(path).status_code == 200, path


def test_a_database_error_that_is_not_an_outage_is_still_a_500(db):
    """A missing table needs an operator, not clients that retry: no 503 for it."""
    from frontline.api.api import api as ninja_api
    from frontline.api.errors import install
    from frontline.core.middleware import DatabaseOutageMiddleware

    assert install  # the handlers are registered on import of the API
    missing_table = _error_from(lambda: connection.cursor().execute(
        "SELECT * FROM frontline_table_that_never_was"))
    request = RequestFactory().get("/api/v1/tickets")
    answer = ninja_api.on_exception(request, missing_table)
    assert answer.status_code == 500
    assert DatabaseOutageMiddleware(lambda r: HttpResponse()).process_exception(
        request, missing_table) is None


def test_an_outage_outside_any_view_is_a_503_too(db):
    """handler500: what fails after the view (a session saved on the way out)."""
    request = RequestFactory().get("/q/open")
    try:
        raise _refused_connection()
    except Exception:
        response = server_error(request)
    assert response.status_code == 503
    assert int(response["Retry-After"]) == outages.RETRY_AFTER_SECONDS
    try:
        raise ValueError("a bug in a template tag")
    except ValueError:
        assert server_error(request).status_code == 500


# -- the worker --------------------------------------------------------------------


@task()
def fails_on_a_missing_table() -> None:
    """A task with a bug: the same query fails every time."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM frontline_table_that_never_was")


@task()
def reaches_a_database_that_is_down() -> None:
    """A task whose database never comes back (nothing listens on its port)."""
    raise _refused_connection()


def test_a_task_that_fails_on_a_bug_is_not_retried(db):
    result = fails_on_a_missing_table.enqueue()

    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == TaskResultStatus.FAILED
    assert len(stored.worker_ids) == 1
    assert "frontline_table_that_never_was" in stored.traceback


def test_a_task_whose_database_stays_down_gives_up_after_the_last_attempt(db, settings):
    settings.FRONTLINE_TASK_MAX_ATTEMPTS = 3
    settings.FRONTLINE_TASK_RETRY_MAX_SECONDS = 0  # no waiting in a test
    result = reaches_a_database_that_is_down.enqueue()

    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == TaskResultStatus.FAILED
    assert len(stored.worker_ids) == 3
    assert stored.exception_class_path.endswith("OperationalError")
    assert "Connection refused" in stored.traceback or "refused" in stored.traceback.lower()


@contextmanager
def worker_thread() -> Iterator[FrontlineWorker]:
    """A worker polling in a thread while the block runs, stopped when it ends.

    In shared-cache SQLite a second connection's write transaction is refused
    at once ("table is locked", no busy wait), so the test writes before the
    worker starts and reads after it stopped."""
    worker = FrontlineWorker(interval=0.05, schedule=False)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=30)


@on_shared_memory_sqlite
def test_a_mail_processed_while_sqlite_is_locked_is_retried_at_once(transactional_db, settings):
    settings.FRONTLINE_INBOUND_STALE_SECONDS = 3600  # the sweep is not what saves it
    locked: list[_Lock] = []

    def lock_the_mail_table(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if not locked and task_result.task.name == "process_inbound_task":
            locked.append(_Lock("mail_inboundmail"))
            threading.Timer(1.5, locked[0].release).start()

    raw = (b"From: Kenji Sato <kenji@sato-trading.example>\r\nTo: support@frontline.localhost\r\n"
           b"Subject: =?utf-8?q?Lieferschein_fehlt_/_delivery_note_missing?=\r\n"
           b"Message-ID: <lock-drill-1@sato-trading.example>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
           b"The delivery note for order 88-1207 is missing from the portal.\r\n")
    inbound_id = accept_raw(raw, source=InboundSource.API).inbound.pk
    task_started.connect(lock_the_mail_table, weak=False)
    try:
        with worker_thread():
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if InboundMail.objects.filter(pk=inbound_id,
                                                  state=InboundState.PROCESSED).exists():
                        break
                except OperationalError:
                    pass  # this test's own look is locked out too, for now
                time.sleep(0.1)
    finally:
        task_started.disconnect(lock_the_mail_table)
        for lock in locked:
            lock.release()

    assert locked, "the lock was never taken"
    inbound = InboundMail.objects.get(pk=inbound_id)
    assert inbound.state == InboundState.PROCESSED
    ticket = Ticket.objects.get(pk=inbound.ticket_id)
    assert ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1
    run = DBTaskResult.objects.get(task_path__endswith="process_inbound_task")
    assert run.status == TaskResultStatus.SUCCESSFUL
    assert len(run.worker_ids) == 2
