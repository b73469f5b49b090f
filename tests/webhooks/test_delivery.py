"""Delivering webhooks to a real receiver: signed with a timestamp, retried with
doubling waits (a fake clock, no sleeping), given up, and an endpoint that keeps
failing is switched off with a notification to the admins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontline.core.worker import FrontlineWorker
from frontline.notifications.models import Notification
from frontline.webhooks import delivery, endpoints, publishing
from frontline.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint
from frontline.webhooks.signing import signature_header, verify
from tests.webhooks.receiver import Receiver

# The fake clock starts a little after the real one: deliveries queued by the test
# are due from their real creation time.
T0 = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)


@pytest.fixture
def endpoint(receiver: Receiver, ada: Any) -> Endpoint:
    created = endpoints.create_endpoint(ada, url=receiver.url(), description="Ops chat")
    receiver.signed_by(created.secret)
    return created


def ping(ada: Any, endpoint: Endpoint) -> Delivery:
    return publishing.send_test(ada, endpoint.pk)


def test_a_delivery_is_signed_with_the_secret_and_the_time_it_was_sent(ada, endpoint, receiver):
    sent = ping(ada, endpoint)
    assert delivery.attempt(sent.pk, now=T0) == "delivered"
    [request] = receiver.received
    assert request.signed
    header = request.headers["X-Frontline-Signature"]
    assert header.startswith(f"t={int(T0.timestamp())},v1=")
    assert request.headers["X-Frontline-Event"] == "ping"
    assert request.headers["X-Frontline-Delivery"] == str(sent.pk)
    assert json.loads(request.body)["event"] == "ping"
    # Another secret, or the same body a quarter of an hour later, is refused.
    assert not verify("whsec_someone-else", header, request.body, now=T0.timestamp())
    assert not verify(endpoint.secret, header, request.body, now=T0.timestamp() + 900)
    assert verify(endpoint.secret, header, request.body, now=T0.timestamp() + 30)
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.last_status) == (DeliveryState.DELIVERED, 1, 200)
    assert list(sent.attempt_log.values_list("status", "response")) == [
        (200, "answer 200 to 1")]


def test_the_signature_covers_time_and_body_together():
    body = "{\"event\":\"ticket.created\",\"ticket\":{\"subject\":\"Zähler läuft über\"}}"
    header = signature_header("whsec_k", 1_700_000_000, body.encode())
    assert verify("whsec_k", header, body.encode(), now=1_700_000_100)
    assert not verify("whsec_k", header.replace("t=1700000000", "t=1700000001"),
                      body.encode(), now=1_700_000_100)
    assert not verify("whsec_k", header, body.replace("über", "unter").encode(),
                      now=1_700_000_100)
    assert not verify("whsec_k", "v1=deadbeef", body.encode(), now=1_700_000_100)
    assert not verify("whsec_k", "t=soon,v1=deadbeef", body.encode(), now=1_700_000_100)


def test_failures_are_retried_after_doubling_waits_until_one_succeeds(
        ada, endpoint, receiver, settings):
    settings.FRONTLINE_WEBHOOK_RETRY_SECONDS = 45
    receiver.answers = [500, 500, 503]
    sent = ping(ada, endpoint)
    assert delivery.attempt(sent.pk, now=T0) == "retrying"
    sent.refresh_from_db()
    assert sent.next_attempt_at == T0 + timedelta(seconds=45)
    # Not yet due: nothing is sent a second early.
    assert delivery.run_due(now=T0 + timedelta(seconds=44)) == {}
    assert len(receiver.received) == 1
    assert delivery.run_due(now=T0 + timedelta(seconds=45)) == {"retrying": 1}
    sent.refresh_from_db()
    assert sent.next_attempt_at == T0 + timedelta(seconds=45 + 90)
    assert delivery.run_due(now=T0 + timedelta(seconds=135)) == {"retrying": 1}
    sent.refresh_from_db()
    assert sent.next_attempt_at == T0 + timedelta(seconds=135 + 180)
    assert delivery.run_due(now=T0 + timedelta(seconds=315)) == {"delivered": 1}

    attempts = list(Attempt.objects.filter(delivery=sent).values_list("number", "status", "at"))
    assert attempts == [(1, 500, T0), (2, 500, T0 + timedelta(seconds=45)),
                        (3, 503, T0 + timedelta(seconds=135)),
                        (4, 200, T0 + timedelta(seconds=315))]
    assert all(request.signed for request in receiver.received)
    # Each retry is signed at its own time, over the same body.
    stamps = [r.headers["X-Frontline-Signature"].split(",")[0] for r in receiver.received]
    assert len(set(stamps)) == 4 and len({r.body for r in receiver.received}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active


def test_a_delivery_is_given_up_after_the_last_attempt(ada, endpoint, receiver, settings):
    settings.FRONTLINE_WEBHOOK_MAX_ATTEMPTS = 3
    settings.FRONTLINE_WEBHOOK_RETRY_SECONDS = 10
    receiver.answers = [500, 429, 502, 200]
    sent = ping(ada, endpoint)
    now = T0
    outcomes = []
    for _ in range(5):
        outcomes.append(delivery.attempt(sent.pk, now=now))
        now += timedelta(hours=1)
    assert outcomes == ["retrying", "retrying", "failed", "done", "done"]
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.last_status) == (DeliveryState.FAILED, 3, 502)
    assert len(receiver.received) == 3


def test_redirects_are_not_followed(ada, endpoint, receiver):
    receiver.answers = [301]
    sent = ping(ada, endpoint)
    assert delivery.attempt(sent.pk, now=T0) == "retrying"
    assert [r.path for r in receiver.received] == ["/hooks/frontline"]
    attempt = Attempt.objects.get(delivery=sent)
    assert attempt.status == 301 and "redirects are not followed" in attempt.error


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
        ada, endpoint, receiver, settings):
    settings.FRONTLINE_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.pause_seconds = 2.5
    sent = ping(ada, endpoint)
    assert delivery.attempt(sent.pk, now=T0) == "retrying"
    attempt = Attempt.objects.get(delivery=sent)
    assert attempt.status is None and "timed out" in attempt.error
    assert 900 <= attempt.duration_ms < 2500


def test_an_endpoint_that_keeps_failing_is_switched_off_and_the_admins_told(
        ada, lena, endpoint, receiver, settings):
    settings.FRONTLINE_WEBHOOK_DISABLE_AFTER = 4
    settings.FRONTLINE_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500] * 10
    first, second, third = ping(ada, endpoint), ping(ada, endpoint), ping(ada, endpoint)
    now = T0
    for sent in (first, second):
        while delivery.attempt(sent.pk, now=now) == "retrying":
            now += timedelta(days=1)
    # 3 failed attempts for the first, the fourth (the second's first) switches it off.
    assert len(receiver.received) == 4
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at == now
    assert endpoint.disabled_reason == "4 failed attempts in a row"
    assert Delivery.objects.get(pk=third.pk).state == DeliveryState.FAILED
    assert delivery.attempt(third.pk, now=now + timedelta(days=1)) == "done"
    told = Notification.objects.filter(kind="webhook_disabled")
    assert [n.user for n in told] == [ada]
    assert endpoint.url in told[0].text
    # Switched off, it gets no new deliveries; switched on again, it starts afresh.
    assert publishing.publish("ticket.created", {"ticket": {}}, at=now) == []
    endpoints.update_endpoint(ada, endpoint.pk, {"active": True})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 0 and not endpoint.disabled_at
    assert len(publishing.publish("ticket.created", {"ticket": {}}, at=now)) == 1


def test_a_delivery_is_attempted_once_however_often_it_is_run(ada, endpoint, receiver):
    sent = ping(ada, endpoint)
    assert delivery.attempt(sent.pk, now=T0) == "delivered"
    assert delivery.attempt(sent.pk, now=T0) == "done"
    assert delivery.run_due(now=T0 + timedelta(hours=1)) == {}
    assert len(receiver.received) == 1
    # A row another worker holds (its lease runs) is not taken twice.
    held = ping(ada, endpoint)
    Delivery.objects.filter(pk=held.pk).update(next_attempt_at=T0 + timedelta(minutes=1))
    assert delivery.attempt(held.pk, now=T0) == "not due"


def test_the_worker_sends_what_was_queued_after_the_commit(
        ada, endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = ping(ada, endpoint)
    assert receiver.received == []  # queued, not sent, by the request
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    assert [json.loads(r.body)["endpoint"] for r in receiver.received] == [endpoint.pk]
    assert Delivery.objects.get(pk=sent.pk).state == DeliveryState.DELIVERED


def test_finished_deliveries_leave_the_log_after_the_keeping_days(
        ada, endpoint, receiver, settings):
    settings.FRONTLINE_WEBHOOK_KEEP_DAYS = 7
    receiver.answers = [500]
    old, waiting = ping(ada, endpoint), ping(ada, endpoint)
    assert delivery.attempt(waiting.pk, now=T0) == "retrying"
    assert delivery.attempt(old.pk, now=T0) == "delivered"
    assert delivery.prune(now=T0 + timedelta(days=6)) == 0
    # Two rows: the delivery and its attempt; the one still waiting is kept.
    assert delivery.prune(now=T0 + timedelta(days=8)) == 2
    assert list(Delivery.objects.values_list("pk", flat=True)) == [waiting.pk]
