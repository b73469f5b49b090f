"""The events an endpoint can ask for: a declared set, each with what it means.

Like the ticket's event kinds (frontline.tickets.event_kinds), each name is
declared once by the app that sends it: ticket events by this app
(`ticket_events.py`), problem events by the problems app from its ready(). An
endpoint's filter is checked against this set, so a typo is a 422 when the
endpoint is saved, not silence later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PING = "ping"  # the test delivery: sent on request, whatever the filter says

_NAME = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*\Z")


@dataclass(frozen=True)
class WebhookEvent:
    name: str
    app: str
    description: str


_registry: dict[str, WebhookEvent] = {}


def declare(name: str, *, app: str, description: str) -> None:
    if not _NAME.match(name) or len(name) > 60:
        raise ValueError(f"Webhook event {name!r} must read like 'ticket.created'.")
    existing = _registry.get(name)
    if existing is not None and existing.app != app:
        raise ValueError(f"Webhook event {name!r} is already declared by {existing.app}.")
    _registry[name] = WebhookEvent(name=name, app=app, description=description)


def is_declared(name: str) -> bool:
    return name in _registry


def all_events() -> list[WebhookEvent]:
    return sorted(_registry.values(), key=lambda event: event.name)
