"""Outbound webhooks: a real HTTP server in the test receives signed bodies from the
worker; a failing receiver is retried and never blocks the change."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from frontline.core.worker import FrontlineWorker
from frontline.problems import services

SECRET = "s3cret-for-tests"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/frontline"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.answers.pop(0) if self.server.answers else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FRONTLINE_PROBLEM_WEBHOOK_URLS = [server.url]
    settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET = SECRET
    settings.FRONTLINE_PROBLEM_WEBHOOK_RETRY_SECONDS = 0
    yield server
    server.shutdown()
    server.server_close()


def run_worker() -> None:
    FrontlineWorker(batch=True, schedule=False, interval=0).run()


def test_each_change_is_posted_signed_by_the_worker(
        receiver, lena, bobs_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.create_problem(lena, title="Webhooks: export timeouts",
                                          tracker_links=["https://github.com/acme/l/issues/4"])
    with django_capture_on_commit_callbacks(execute=True):
        services.link_tickets(problem, lena, [bobs_ticket])
    assert receiver.received == []  # nothing leaves inside the request
    run_worker()
    assert len(receiver.received) == 2
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Frontline-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert sent["event"] == "problem.created"
    assert sent["problem"]["id"] == problem.pk and sent["problem"]["status"] == "investigating"
    assert sent["problem"]["tracker_links"] == ["https://github.com/acme/l/issues/4"]
    assert sent["problem"]["url"].endswith(f"/problems/{problem.pk}")
    second = json.loads(receiver.received[1][1])
    assert second["event"] == "problem.tickets_linked" and second["problem"]["tickets"] == 1


def test_a_failing_receiver_is_retried_and_never_blocks_the_change(
        receiver, lena, django_capture_on_commit_callbacks):
    receiver.answers = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.create_problem(lena, title="Retry me")
        services.update_problem(problem, lena, {"description": "Now with details."})
    problem.refresh_from_db()
    assert problem.description == "Now with details."
    run_worker()
    # Two bodies: the first two answers fail, each is sent again after its backoff.
    events = [json.loads(body)["event"] for _, body in receiver.received]
    assert events.count("problem.created") + events.count("problem.updated") == 4
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "retrying", "retrying", "sent", "sent"]


def test_a_receiver_that_is_down_is_given_up_after_the_last_attempt(
        receiver, settings, lena, django_capture_on_commit_callbacks):
    settings.FRONTLINE_PROBLEM_WEBHOOK_URLS = ["http://127.0.0.1:9/nobody-listens"]
    settings.FRONTLINE_PROBLEM_WEBHOOK_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        services.create_problem(lena, title="Nobody listens")
    run_worker()
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list(
        "return_value", flat=True)) == ["retrying", "retrying", "failed"]
