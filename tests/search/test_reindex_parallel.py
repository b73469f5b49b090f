"""Rebuilding the PostgreSQL search index on two connections (bench/RESULTS.md, finding 6).

The other reindex test runs inside the test's transaction, where only one
connection can see the data; these commit their data so the worker
connections see it, as in `frontline search reindex` on a real database.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from frontline import workflow
from frontline.search import services as search
from frontline.search.engines import get_engine

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the SQLite engine rebuilds on its one connection"),
    pytest.mark.django_db(transaction=True),
]


def other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_a_rebuild_on_two_connections_finds_every_ticket_and_message(lena, ada):
    tickets = [workflow.open_ticket(requester_email=f"user{i}@example.com",
                                    subject=f"Trouble number{i}", body=f"It broke: code{i}x")
               for i in range(12)]
    for i, ticket in enumerate(tickets):
        workflow.add_note(ticket, ada, f"Escalated to zeppelin{i} team")
    before = other_backends()
    get_engine().clear()
    assert search.search_tickets(lena, "zeppelin3").hits == []
    calls: list[tuple[int, int, str]] = []
    indexed = search.reindex(
        progress=lambda done, total: calls.append((done, total, threading.current_thread().name)),
        batch_size=1)
    # 12 ticket documents + 12 openers + 12 notes.
    assert indexed == 36
    assert calls[0][:2] == (0, 36) and calls[-1][:2] == (36, 36)
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    assert any(name.startswith("search-reindex") for _, _, name in calls)
    for i, ticket in enumerate(tickets):
        assert [hit.ticket for hit in search.search_tickets(lena, f"zeppelin{i}").hits] == [ticket]
        assert [hit.ticket for hit in search.search_tickets(lena, f"code{i}x").hits] == [ticket]
        assert [hit.ticket for hit in search.search_tickets(lena, f"number{i}").hits] == [ticket]
    # The worker connections are closed, not left idle on the server.
    deadline = time.monotonic() + 5
    while other_backends() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other_backends() <= before
