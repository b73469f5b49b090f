"""Delivering a webhook: one attempt at a time, retried with backoff, recorded.

`attempt(delivery_id, now=...)` is what the worker's task runs; `run_due(now=...)`
is the periodic sweep (every minute) that sends whatever is due and was not
queued (a lost task, a crash between commit and queueing). Both take the clock
as an argument, so tests run retries at any time without sleeping.

One attempt: claim the row with a compare-and-set UPDATE (two workers that read
the same row cannot both send it, as `core.scheduler` claims its slots), POST
outside any transaction (a slow receiver holds no lock), then record the
`Attempt` and what follows in one transaction:

- 2xx: delivered; the endpoint's run of failures ends.
- anything else (3xx: redirects are not followed, the signature is for this
  URL; 4xx, 5xx, no answer): the next attempt is due after
  FRONTLINE_WEBHOOK_RETRY_SECONDS x 2^(attempt-1), at most a day, up to
  FRONTLINE_WEBHOOK_MAX_ATTEMPTS; then the delivery has failed.
- FRONTLINE_WEBHOOK_DISABLE_AFTER failed attempts in a row switch the endpoint
  off, fail what is still pending for it, and notify every admin once.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from frontline.core.accounts import active_admins
from frontline.notifications.services import notify
from frontline.webhooks import publishing
from frontline.webhooks.endpoints import forget_active_endpoints
from frontline.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint
from frontline.webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
RESPONSE_BYTES = 1000
SWEEP_LIMIT = 200
USER_AGENT = "Frontline-Webhook/2"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    response: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2x, 4x, ..., at most a day."""
    seconds = settings.FRONTLINE_WEBHOOK_RETRY_SECONDS * 2 ** min(attempts - 1, 30)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def run_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Attempt every pending delivery that is due by `now`, oldest first."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    outcomes: dict[str, int] = {}
    for delivery_id in due:
        outcome = attempt(delivery_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def prune(*, now: datetime | None = None) -> int:
    """Forget finished deliveries (and their attempts) older than
    FRONTLINE_WEBHOOK_KEEP_DAYS: the log is for seeing what a receiver got lately."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FRONTLINE_WEBHOOK_KEEP_DAYS)
    deleted, _ = Delivery.objects.filter(
        finished_at__lt=cutoff).exclude(state=DeliveryState.PENDING).delete()
    return deleted


def attempt(delivery_id: int, *, now: datetime | None = None) -> str:
    """One attempt at one delivery, if it is due: 'delivered', 'retrying', 'failed',
    or why nothing was sent ('gone', 'done', 'not due', 'taken')."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    if delivery.state != DeliveryState.PENDING:
        return "done"
    if not delivery.endpoint.active:
        _finish(delivery, DeliveryState.FAILED, now, error="The endpoint is switched off.")
        return "failed"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return "not due"
    # The lease: while this attempt runs the row is not due for anyone else.
    lease = now + timedelta(seconds=settings.FRONTLINE_WEBHOOK_TIMEOUT_SECONDS + 60)
    claimed = Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
    ).update(next_attempt_at=lease)
    if not claimed:
        return "taken"
    answer = post(delivery, now)
    return _record(delivery, answer, now)


def post(delivery: Delivery, now: datetime) -> Answer:
    """POST the delivery's body, signed with its endpoint's secret at `now`."""
    body = delivery.body.encode()
    endpoint = delivery.endpoint
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Frontline-Event": delivery.event,
        "X-Frontline-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature_header(endpoint.secret, int(now.timestamp()), body),
    })
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    status: int | None = None
    response = error = ""
    try:
        with opener.open(request, timeout=settings.FRONTLINE_WEBHOOK_TIMEOUT_SECONDS) as reply:
            status = reply.status
            response = _text(reply.read(RESPONSE_BYTES))
    except urllib.error.HTTPError as failure:
        status = failure.code
        response = _text(failure.read(RESPONSE_BYTES)) if failure.fp else ""
        error = f"HTTP {failure.code}"
        if 300 <= failure.code < 400:
            error += " (redirects are not followed)"
    except (OSError, ValueError) as failure:
        error = str(getattr(failure, "reason", failure)) or type(failure).__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return Answer(status=status, response=response, error=error[:500],
                  duration_ms=duration_ms)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:RESPONSE_BYTES]


@transaction.atomic
def _record(delivery: Delivery, answer: Answer, now: datetime) -> str:
    number = delivery.attempts + 1
    Attempt.objects.create(delivery=delivery, number=number, at=now, status=answer.status,
                           response=answer.response, error=answer.error,
                           duration_ms=answer.duration_ms)
    delivery.attempts = number
    delivery.last_status = answer.status
    delivery.last_error = answer.error
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if answer.succeeded:
        if endpoint.consecutive_failures:
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        _finish(delivery, DeliveryState.DELIVERED, now)
        return "delivered"
    Endpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    limit = settings.FRONTLINE_WEBHOOK_DISABLE_AFTER
    if endpoint.active and endpoint.consecutive_failures >= limit:
        _finish(delivery, DeliveryState.FAILED, now)
        _disable(endpoint, now)
        return "failed"
    if number >= settings.FRONTLINE_WEBHOOK_MAX_ATTEMPTS:
        logger.warning("Gave up on webhook delivery %s to %s after %s attempts: %s",
                       delivery.pk, endpoint.url, number, answer.error)
        _finish(delivery, DeliveryState.FAILED, now)
        return "failed"
    delivery.next_attempt_at = now + backoff(number)
    delivery.save(update_fields=["attempts", "last_status", "last_error", "next_attempt_at"])
    transaction.on_commit(partial(publishing.enqueue, delivery.pk, delivery.next_attempt_at))
    return "retrying"


def _finish(delivery: Delivery, state: str, now: datetime, *, error: str = "") -> None:
    delivery.state = state
    delivery.finished_at = now
    delivery.next_attempt_at = None
    if error:
        delivery.last_error = error
    delivery.save(update_fields=["attempts", "last_status", "last_error", "state",
                                 "finished_at", "next_attempt_at"])


def _disable(endpoint: Endpoint, now: datetime) -> None:
    """Switch the endpoint off (the caller holds its row lock) and tell the admins."""
    failures = endpoint.consecutive_failures
    reason = f"{failures} failed attempts in a row"
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_at=now, disabled_reason=reason, updated_at=now)
    Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, finished_at=now, next_attempt_at=None,
        last_error="The endpoint was switched off after repeated failures.")
    forget_active_endpoints()
    logger.warning("Webhook endpoint %s (%s) switched off: %s", endpoint.pk, endpoint.url,
                   reason)
    notify(active_admins(), "webhook_disabled",
           f"Webhook endpoint {endpoint.url} was switched off after {reason}. "
           "Fix the receiver, then switch it on again in Settings → Webhooks.", at=now)
