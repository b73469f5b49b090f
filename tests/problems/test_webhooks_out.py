"""Problem webhooks go through the one delivery machinery (frontline.webhooks): a
real HTTP server in the test receives signed bodies from the worker; a failing
receiver is retried and never blocks the change; receivers still configured in
FRONTLINE_PROBLEM_WEBHOOK_URLS become endpoints."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from frontline.core.worker import FrontlineWorker
from frontline.problems import services
from frontline.webhooks import delivery, endpoints
from frontline.webhooks.models import Delivery, DeliveryState, Endpoint
from tests.webhooks.receiver import Receiver


def run_worker() -> None:
    FrontlineWorker(batch=True, schedule=False, interval=0).run()


def test_each_change_is_posted_signed_by_the_worker(
        receiver: Receiver, ada: Any, lena: Any, bobs_ticket: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    endpoint = endpoints.create_endpoint(ada, url=receiver.url(), events=[
        "problem.created", "problem.tickets_linked"])
    receiver.signed_by(endpoint.secret)
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.create_problem(lena, title="Webhooks: export timeouts",
                                          tracker_links=["https://github.com/acme/l/issues/4"])
    with django_capture_on_commit_callbacks(execute=True):
        services.link_tickets(problem, lena, [bobs_ticket])
    assert receiver.received == []  # nothing leaves inside the request
    run_worker()
    assert len(receiver.received) == 2 and all(r.signed for r in receiver.received)
    assert receiver.received[0].headers["Content-Type"].startswith("application/json")
    sent = json.loads(receiver.received[0].body)
    assert sent["event"] == "problem.created"
    assert sent["problem"]["id"] == problem.pk and sent["problem"]["status"] == "investigating"
    assert sent["problem"]["tracker_links"] == ["https://github.com/acme/l/issues/4"]
    assert sent["problem"]["url"].endswith(f"/problems/{problem.pk}")
    second = json.loads(receiver.received[1].body)
    assert second["event"] == "problem.tickets_linked" and second["problem"]["tickets"] == 1


def test_a_failing_receiver_is_retried_and_never_blocks_the_change(
        receiver: Receiver, ada: Any, lena: Any, settings: Any) -> None:
    settings.FRONTLINE_WEBHOOK_RETRY_SECONDS = 20
    endpoint = endpoints.create_endpoint(ada, url=receiver.url())
    receiver.answers = [500, 503]
    problem = services.create_problem(lena, title="Retry me")
    services.update_problem(problem, lena, {"description": "Now with details."})
    problem.refresh_from_db()
    assert problem.description == "Now with details."
    now = timezone.now() + timedelta(seconds=1)
    assert delivery.run_due(now=now) == {"retrying": 2}
    assert delivery.run_due(now=now + timedelta(seconds=19)) == {}
    assert delivery.run_due(now=now + timedelta(seconds=20)) == {"delivered": 2}
    events = [json.loads(r.body)["event"] for r in receiver.received]
    assert sorted(events) == ["problem.created", "problem.created",
                              "problem.updated", "problem.updated"]
    assert set(Delivery.objects.filter(endpoint=endpoint).values_list("state", "attempts")) == {
        (DeliveryState.DELIVERED, 2)}


def test_receivers_from_the_settings_become_endpoints_for_problem_events(
        receiver: Receiver, lena: Any, settings: Any) -> None:
    settings.FRONTLINE_PROBLEM_WEBHOOK_URLS = [receiver.url("/legacy")]
    settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET = "tracker-shared-secret"
    receiver.signed_by("tracker-shared-secret")
    services.create_problem(lena, title="Première panne de la synchronisation")
    services.create_problem(lena, title="Second outage")
    [endpoint] = Endpoint.objects.all()
    assert endpoint.url == receiver.url("/legacy")
    assert endpoint.secret == "tracker-shared-secret"
    assert all(name.startswith("problem.") for name in endpoint.events)
    assert delivery.run_due(now=timezone.now() + timedelta(seconds=1)) == {"delivered": 2}
    assert [r.signed for r in receiver.received] == [True, True]
    assert json.loads(receiver.received[0].body)["problem"]["title"] == (
        "Première panne de la synchronisation")
