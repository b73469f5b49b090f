"""Publishing an event: one Delivery row per endpoint that wants it, in the caller's
transaction, and a delivery task queued once it commits.

The rows are the outbox: written with the change, so a change that rolls back
sends nothing and one that commits is delivered even if queueing the task fails
(the worker's periodic sweep, `delivery.run_due`, finds the row). Nothing here
talks to the network; a ticket change never waits for a receiver.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from frontline.core.models import User
from frontline.webhooks import catalog, endpoints
from frontline.webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

Payload = dict[str, Any] | Callable[[], dict[str, Any]]


def publish(event: str, payload: Payload, *, at: datetime) -> list[Delivery]:
    """Queue `event` for every active endpoint that wants it. `payload` is what the
    event says besides its name and time, or a function that builds it (called only
    when some endpoint wants the event). Most changes cost one small read per
    transaction (endpoints.active_endpoints) and nothing else. A failure here is
    logged and swallowed, the writes in their own savepoint: a webhook is never a
    reason to refuse a ticket change."""
    assert catalog.is_declared(event), event
    try:
        if event.startswith("problem.") and settings.FRONTLINE_PROBLEM_WEBHOOK_URLS:
            with transaction.atomic():
                endpoints.configured_problem_endpoints()
        wanting = [endpoint for endpoint in endpoints.active_endpoints()
                   if endpoint.wants(event)]
        if not wanting:
            return []
        built = payload() if callable(payload) else payload
        body = _body(event, built, at)
        with transaction.atomic():
            return _queue(wanting, event, body)
    except Exception:
        logger.exception("Could not queue the webhook event %s", event)
        return []


def send_test(user: User, endpoint_id: Any) -> Delivery:
    """Queue a `ping` to one endpoint, active or not, whatever its filter."""
    endpoint = endpoints.get_endpoint(user, endpoint_id)
    now = timezone.now()
    body = _body(catalog.PING, {"endpoint": endpoint.pk,
                                "message": "A test from Frontline: your endpoint works."}, now)
    with transaction.atomic():
        return _queue([endpoint], catalog.PING, body)[0]


def _body(event: str, payload: dict[str, Any], at: datetime) -> str:
    # Compact and sorted: the bytes signed are the bytes sent, and they read the same
    # on every retry.
    return json.dumps({"event": event, "occurred_at": at.isoformat(), **payload},
                      cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False)


def _queue(wanting: list[Endpoint], event: str, body: str) -> list[Delivery]:
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create([
        Delivery(endpoint=endpoint, event=event, body=body, created_at=now,
                 next_attempt_at=now) for endpoint in wanting])
    for delivery in deliveries:
        transaction.on_commit(partial(enqueue, delivery.pk))
    return deliveries


def enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    """Queue the worker's attempt. A failure is logged only: the sweep finds the row."""
    from frontline.webhooks.tasks import deliver

    task = deliver if run_after is None else deliver.using(run_after=run_after)
    try:
        task.enqueue(delivery_id)
    except Exception:
        logger.exception("Could not queue webhook delivery %s; the sweep will send it",
                         delivery_id)
