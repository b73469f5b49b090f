"""Webhooks: every change to a problem goes out to the configured receivers, and a
tracker tells us a problem is fixed.

Out: FRONTLINE_PROBLEM_WEBHOOK_URLS, each POSTed the JSON body
`{"event": "problem.updated", "problem": {...}}` with
`X-Frontline-Signature: sha256=<hex HMAC-SHA256 of the body>` keyed with
FRONTLINE_PROBLEM_WEBHOOK_SECRET (GitHub's scheme, so receivers have code for it).
Delivery is the worker's: queued on commit, one task per receiver, a failure
retried with exponential backoff up to FRONTLINE_PROBLEM_WEBHOOK_MAX_ATTEMPTS. A
receiver that is down never blocks or undoes the change.

In: `verify` checks the same signature over the raw body with
hmac.compare_digest; without a secret configured nothing is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontline.problems.models import Problem

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Frontline-Signature"
TIMEOUT_SECONDS = 10
EVENTS = ("problem.created", "problem.updated", "problem.tickets_linked",
          "problem.ticket_unlinked", "problem.workaround_pushed", "problem.fix_released")


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
    """Queue `event` for every receiver, once the caller's transaction commits."""
    assert event in EVENTS, event
    urls = list(settings.FRONTLINE_PROBLEM_WEBHOOK_URLS)
    if not urls:
        return
    body = json.dumps({"event": event, "problem": problem_payload(problem)},
                      separators=(",", ":"), sort_keys=True)
    for url in urls:
        transaction.on_commit(partial(_enqueue, url, body, 1))


def _enqueue(url: str, body: str, attempt: int, delay_seconds: int = 0) -> None:
    from frontline.problems.tasks import deliver_webhook

    task = deliver_webhook
    if delay_seconds:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    try:
        task.enqueue(url, body, attempt)
    except Exception:
        logger.exception("Could not queue the problem webhook to %s", url)


def deliver(url: str, body: str, attempt: int = 1) -> str:
    """POST one body to one receiver; on failure queue the next attempt, later."""
    if not url.startswith(("https://", "http://")):
        logger.warning("Not a web address, not sent: the problem webhook to %s", url)
        return "failed"
    data = body.encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Frontline-Webhook/1",
        SIGNATURE_HEADER: signature(data, settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status, failure = error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        status, failure = 0, str(error)
    else:
        failure = ""
    if 200 <= status < 300:
        return "sent"
    if attempt >= settings.FRONTLINE_PROBLEM_WEBHOOK_MAX_ATTEMPTS:
        logger.warning("Gave up on the problem webhook to %s after %s attempts: %s",
                       url, attempt, failure)
        return "failed"
    delay = settings.FRONTLINE_PROBLEM_WEBHOOK_RETRY_SECONDS * 2 ** (attempt - 1)
    logger.info("The problem webhook to %s failed (%s); retrying in %ss", url, failure, delay)
    _enqueue(url, body, attempt + 1, delay)
    return "retrying"
