"""Webhooks: every change to a problem goes out to the registered endpoints, and a
tracker tells us a problem is fixed.

Out: `notify` publishes the event through the one delivery machinery
(frontline.webhooks: endpoints registered by admins, each body signed
`X-Frontline-Signature: t=<unix>,v1=<hex>`, delivered by the worker with retries
and backoff, logged per endpoint). The body is
`{"event": "problem.updated", "occurred_at": ..., "problem": {...}}`. URLs still
listed in FRONTLINE_PROBLEM_WEBHOOK_URLS become endpoints for the problem events
the first time one goes out. A receiver that is down never blocks or undoes the
change.

In: `verify` checks a tracker's `sha256=<hex>` signature (GitHub's scheme, so
trackers have code for it) over the raw body with hmac.compare_digest, keyed
with FRONTLINE_PROBLEM_WEBHOOK_SECRET; without a secret nothing is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils import timezone

from frontline.problems.models import Problem
from frontline.webhooks import catalog
from frontline.webhooks.publishing import publish

SIGNATURE_HEADER = "X-Frontline-Signature"
DESCRIPTIONS = {
    "problem.created": "A problem was recorded.",
    "problem.updated": "A problem's title, description, status, workaround or fix changed.",
    "problem.tickets_linked": "Tickets were linked to a problem.",
    "problem.ticket_unlinked": "A ticket was unlinked from a problem.",
    "problem.workaround_pushed": "A problem's workaround was sent to its tickets' customers.",
    "problem.fix_released": "A problem's fix was released and its tickets resolved.",
}
EVENTS = tuple(DESCRIPTIONS)


def problem_payload(problem: Problem) -> dict[str, Any]:
    """The problem as receivers get it (no customer names or contract values: a
    tracker or chat channel is not the place for them)."""
    version = problem.fix_version
    return {
        "id": problem.pk,
        "title": problem.title,
        "status": problem.status,
        "workaround": problem.workaround,
        "fix_version": version.name if version is not None else None,
        "product": version.product.slug if version is not None else None,
        "tracker_links": list(problem.tracker_links or []),
        "tickets": problem.links.count(),
        "url": f"{settings.FRONTLINE_SITE_URL.rstrip('/')}{problem.get_absolute_url()}",
        "updated_at": problem.updated_at.isoformat(),
    }


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None) -> bool:
    """Whether `header` signs `body` with our secret (False when none is configured)."""
    secret = settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(body, secret), header.strip())


def notify(problem: Problem, event: str) -> None:
    """Publish `event` to the endpoints that want it (delivered after the commit)."""
    assert event in EVENTS, event
    publish(event, lambda: {"problem": problem_payload(problem)}, at=timezone.now())


def register() -> None:
    """Declare the problem events endpoints can ask for (from the app's ready())."""
    for event, description in DESCRIPTIONS.items():
        catalog.declare(event, app="problems", description=description)
