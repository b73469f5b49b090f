"""Registering webhook endpoints: admins only, each check with the error a person reads.

The URL must be https: the body carries ticket subjects and customer names, and
the secret only proves who sent it, it hides nothing. Plain http is accepted for
localhost, 127.0.0.1 and ::1 only, and only where FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP
is on (DEBUG by default; the tests), for a receiver on the same machine.

The secret is generated here, never chosen: it is shown when the endpoint is
created and when it is replaced, and admins may read it again on the desk.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput, NotFound
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.webhooks import catalog
from frontline.webhooks.models import Endpoint

MAX_URL = 2000
MAX_DESCRIPTION = 200
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MEMO = "frontline_active_webhook_endpoints"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_url(value: Any) -> str:
    url = str(value or "").strip()
    if not url:
        raise InvalidInput("Enter the URL that receives the webhooks.", field="url")
    if len(url) > MAX_URL:
        raise InvalidInput(f"The URL is longer than {MAX_URL} characters.", field="url")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise InvalidInput("The URL may not contain spaces or control characters.",
                           field="url")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises on a port that is no number)
    except ValueError:
        raise InvalidInput("That is not a valid URL.", field="url") from None
    if parts.scheme.lower() not in ("https", "http") or not host:
        raise InvalidInput("The URL must start with https:// and name a host.", field="url")
    if parts.scheme.lower() == "http" and not (
            host in LOCAL_HOSTS and settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP):
        raise InvalidInput("The URL must use https:// (webhooks carry customer data).",
                           field="url")
    return url


def check_events(values: Iterable[Any] | None) -> list[str]:
    """The filter: declared event names, each once; empty means every event."""
    names: list[str] = []
    for value in values or []:
        name = str(value).strip()
        if not catalog.is_declared(name):
            known = ", ".join(event.name for event in catalog.all_events())
            raise InvalidInput(f"Unknown webhook event '{name[:60]}'. Known: {known}.",
                               field="events")
        if name not in names:
            names.append(name)
    return sorted(names)


def check_description(value: Any) -> str:
    description = str(value or "").strip()
    if any(ord(character) < 32 for character in description):
        raise InvalidInput("The description may not contain control characters.",
                           field="description")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"The description is longer than {MAX_DESCRIPTION} characters.",
                           field="description")
    return description


def active_endpoints() -> list[Endpoint]:
    """The active endpoints, read once per transaction: a ticket change records
    several events (a reply: the message, the first response, a status), and each
    asks who wants it. The memo lives on the connection and belongs to the outermost
    atomic block, so the next transaction reads afresh and an endpoint registered
    elsewhere is seen by the next change; the services here forget it when they
    change an endpoint. Outside a transaction every call reads."""
    connection = transaction.get_connection()
    block = connection.atomic_blocks[0] if connection.atomic_blocks else None
    if block is None:
        return list(Endpoint.objects.filter(active=True))
    memo = getattr(connection, _MEMO, None)
    # Holding the block itself (not its id) keeps its identity from being reused.
    if memo is not None and memo[0] is block:
        return list(memo[1])
    found = list(Endpoint.objects.filter(active=True))
    setattr(connection, _MEMO, (block, found))
    return list(found)


def forget_active_endpoints() -> None:
    """After a change to endpoints, in this transaction too."""
    setattr(transaction.get_connection(), _MEMO, None)


def list_endpoints(user: User) -> list[Endpoint]:
    permissions.check_is_admin(user)
    return list(Endpoint.objects.all())


def get_endpoint(user: User, endpoint_id: Any) -> Endpoint:
    permissions.check_is_admin(user)
    pk = as_id(endpoint_id)
    endpoint = Endpoint.objects.filter(pk=pk).first() if pk is not None else None
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {str(endpoint_id)[:20]}.")
    return endpoint


def create_endpoint(user: User, *, url: Any, events: Iterable[Any] | None = None,
                    description: Any = "", active: bool = True) -> Endpoint:
    permissions.check_is_admin(user)
    now = timezone.now()
    endpoint = Endpoint.objects.create(
        url=check_url(url), events=check_events(events),
        description=check_description(description), active=active, secret=new_secret(),
        created_by=user, created_at=now, updated_at=now)
    forget_active_endpoints()
    return endpoint


@transaction.atomic
def update_endpoint(user: User, endpoint_id: Any, changes: dict[str, Any]) -> Endpoint:
    """Apply the given fields (url, events, description, active, rotate_secret).
    Switching an endpoint back on forgets its failures: it starts afresh."""
    endpoint = get_endpoint(user, endpoint_id)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in changes:
        endpoint.url = check_url(changes["url"])
    if "events" in changes:
        endpoint.events = check_events(changes["events"])
    if "description" in changes:
        endpoint.description = check_description(changes["description"])
    if "active" in changes and changes["active"] is not None:
        active = bool(changes["active"])
        if active and not endpoint.active:
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        endpoint.active = active
    if changes.get("rotate_secret"):
        endpoint.secret = new_secret()
    endpoint.updated_at = timezone.now()
    endpoint.save()
    forget_active_endpoints()
    return endpoint


def delete_endpoint(user: User, endpoint_id: Any) -> None:
    """Remove the endpoint with its delivery log; what was queued for it is not sent."""
    get_endpoint(user, endpoint_id).delete()
    forget_active_endpoints()


def configured_problem_endpoints() -> None:
    """FRONTLINE_PROBLEM_WEBHOOK_URLS, from before endpoints were registered on the
    desk: each becomes an endpoint for the problem events (signed with
    FRONTLINE_PROBLEM_WEBHOOK_SECRET when set) the first time a problem event goes
    out, and is managed like any other from then on."""
    urls = list(settings.FRONTLINE_PROBLEM_WEBHOOK_URLS)
    if not urls:
        return
    known = set(Endpoint.objects.filter(url__in=urls).values_list("url", flat=True))
    now = timezone.now()
    problem_events = [event.name for event in catalog.all_events()
                      if event.name.startswith("problem.")]
    for url in urls:
        if url in known or not url.startswith(("https://", "http://")):
            continue
        Endpoint.objects.create(
            url=url, events=problem_events, description="From FRONTLINE_PROBLEM_WEBHOOK_URLS",
            secret=settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET or new_secret(),
            created_at=now, updated_at=now)
        forget_active_endpoints()
