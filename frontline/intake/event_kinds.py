"""The intake's event kinds: a fact set or cleared on a ticket; the customer asked
for the facts still missing (the follow-up); an agent's reply that asked for facts."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets import event_kinds
from frontline.tickets.models import Event

# Where a value nobody typed came from (TicketFact.source), so "Automatically set
# database to PostgreSQL 16" says what it was read from.
_FROM = {"message": " from the customer's message", "form": " from the request form",
         "organization": " from the organization's records"}


def _fact_set(event: Event) -> SafeString:
    key = (event.detail or {}).get("key", "a fact")
    if event.after in (None, ""):
        return format_html("{} cleared the fact {}{}", event.actor_name, key,
                           event_kinds.was(event.before))
    source = (event.detail or {}).get("source")
    read = _FROM.get(source, "") if isinstance(source, str) and event.actor_id is None else ""
    return format_html("{} set {} to <b>{}</b>{}{}", event.actor_name, key, event.after, read,
                       event_kinds.was(event.before))


def _keys(event: Event) -> str:
    return ", ".join(str(key) for key in (event.detail or {}).get("keys", [])) or "nothing"


def _facts_requested(event: Event) -> SafeString:
    # detail: {"keys": [...], "message": pk, "automatic": bool}
    return format_html("{} asked the customer for {}", event.actor_name, _keys(event))


def _facts_asked(event: Event) -> SafeString:
    # detail: {"keys": [...], "message": pk}: an agent's reply asked for these facts.
    return format_html("{} asked for {} in a reply", event.actor_name, _keys(event))


def register() -> None:
    event_kinds.declare("fact_set", app="intake", staff=_fact_set)
    # The customer reads the questions in the message that asked them: no line of its own.
    event_kinds.declare("facts_requested", app="intake", staff=_facts_requested)
    event_kinds.declare("facts_asked", app="intake", staff=_facts_asked)
