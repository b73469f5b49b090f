"""A macro's text for one ticket: the values its placeholders name, read from
their owners (the requester, the SLA promise of frontline.sla.promises, the
ticket's facts of frontline.intake.facts), filled in by frontline.kb.placeholders.
Only the values the text uses are read."""

from __future__ import annotations

from frontline.core.models import User
from frontline.intake.facts import answers_of
from frontline.kb import placeholders
from frontline.kb.models import Macro
from frontline.sla.promises import promise_text
from frontline.tickets.models import Ticket


def first_name(full_name: str) -> str | None:
    """The first word of a name as people write it ("Alice Moreno" -> "Alice"). A
    name that is an address or has no letters gives None: "Dear bob@example.com"
    reads worse than the visible gap the agent fills in."""
    words = full_name.split()
    if not words or "@" in words[0] or not any(c.isalpha() for c in words[0]):
        return None
    return words[0].strip(",")


def ticket_values(text: str, ticket: Ticket, agent: User) -> dict[str, str | None]:
    """The values of the placeholders `text` uses, on `ticket`, written by `agent`."""
    names = placeholders.names_in(text)
    values: dict[str, str | None] = {}
    requester = ticket.requester
    readers = {
        "customer.first_name": lambda: first_name(requester.name),
        "customer.name": lambda: requester.name or None,
        "ticket.reference": lambda: ticket.reference,
        "ticket.subject": lambda: ticket.subject,
        "promise": lambda: promise_text(ticket),
        "agent.first_name": lambda: agent.first_name or None,
    }
    for name in names:
        if name in readers:
            values[name] = readers[name]()
    if any(name.startswith(placeholders.FACT) for name in names):
        for key, value in answers_of(ticket).items():
            values[placeholders.FACT + key] = value
    return values


def render_macro(macro: Macro, ticket: Ticket, agent: User) -> str:
    """The macro's text as it would go to this ticket's customer."""
    return placeholders.fill(macro.body, ticket_values(macro.body, ticket, agent))
