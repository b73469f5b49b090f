"""Event kinds: the declared set of things that can happen to a ticket, each with
the sentence that shows it.

A timeline event is a row with a `kind`. Desk, portal and API read it as a
sentence, and that sentence is declared once, by the app that records the kind,
next to the code that records it:

    event_kinds.declare("plan_changed", app="sla",
                        staff=lambda event: format_html("Now served on plan <b>{}</b>",
                                                        event.after))

`staff` gives the line agents read on the desk (HTML, built with `format_html`;
the API sends its plain text). `customer` gives the words the customer reads on
the portal, or is None when customers never see the kind.

`tickets` sits below the apps that record events about a ticket (sla, routing,
mail, costs) and imports none of them, so each declares its own kinds from its
`AppConfig.ready()`, as periodic jobs register with `core.scheduler`. This module
declares the ticket's own kinds the same way (`register()` below).

`record_event` and `Event.objects.bulk_create` refuse a kind nobody declared: a
free string fails in the first test that writes it, instead of reading as
"Frontline · something" on a timeline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString

from frontline.tickets.models import Status, parse_reference

if TYPE_CHECKING:
    from frontline.tickets.models import Event

StaffSentence = Callable[["Event"], SafeString]
# None for one event: nothing to tell the customer about this one (a status they
# are not told about), although they see others of the kind.
CustomerSentence = Callable[["Event"], "str | None"]

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_MAX_NAME = 40  # Event.kind's max_length


@dataclass(frozen=True)
class EventKind:
    name: str
    app: str  # the app label of the owner: the app that records it and says how it reads
    staff: StaffSentence
    customer: CustomerSentence | None = None  # None: customers never see this kind
    # The detail's "reason" follows the staff sentence ("— Bug in 4.2") unless the
    # kind says it differently.
    shows_reason: bool = True


class UndeclaredEventKind(ValueError):
    """A kind no app declared: a programming error, not bad input."""


_registry: dict[str, EventKind] = {}


def declare(name: str, *, app: str, staff: StaffSentence,
            customer: CustomerSentence | None = None, shows_reason: bool = True) -> EventKind:
    """Declare (or, by the same owner, re-declare) one event kind."""
    if not _NAME.match(name) or len(name) > _MAX_NAME:
        raise ValueError(f"Event kind {name!r} must be snake_case, at most {_MAX_NAME} "
                         "characters.")
    existing = _registry.get(name)
    if existing is not None and existing.app != app:
        raise ValueError(f"Event kind {name!r} is already declared by {existing.app}; "
                         f"{app} records it under that declaration (one owner per kind).")
    kind = EventKind(name=name, app=app, staff=staff, customer=customer,
                     shows_reason=shows_reason)
    _registry[name] = kind
    return kind


def get(name: str) -> EventKind:
    try:
        return _registry[name]
    except KeyError:
        raise UndeclaredEventKind(
            f"Event kind {name!r} is not declared. Declare it, with its sentence, in the "
            "recording app's event_kinds.py (registered from its AppConfig.ready())."
        ) from None


def check(name: str) -> str:
    """`name`, once it is known to be declared (for paths that build Event rows)."""
    get(name)
    return name


def is_declared(name: str) -> bool:
    return name in _registry


def all_kinds() -> list[EventKind]:
    return sorted(_registry.values(), key=lambda kind: kind.name)


def customer_kinds() -> list[str]:
    """The kinds customers may see (for narrowing a query)."""
    return sorted(kind.name for kind in _registry.values() if kind.customer is not None)


# -- reading an event ------------------------------------------------------------


def staff_sentence(event: Event) -> SafeString:
    """The desk's line for an event, with the reason given, as HTML."""
    kind = _registry.get(event.kind)
    text = kind.staff(event) if kind is not None else _retired_line(event)
    reason = (event.detail or {}).get("reason")
    if reason and (kind is None or kind.shows_reason):
        text = format_html("{} <span class=\"reason\">— {}</span>", text, reason)
    return text


def staff_text(event: Event) -> str:
    """The staff sentence as plain text (the API's `text`)."""
    return html.unescape(strip_tags(staff_sentence(event)))


def customer_sentence(event: Event) -> str | None:
    """What the customer reads about an event; None when they are not told."""
    kind = _registry.get(event.kind)
    if kind is None or kind.customer is None:
        return None
    return kind.customer(event)


def _retired_line(event: Event) -> SafeString:
    # Rows written under a kind that is no longer declared still read as something.
    label = event.kind.replace("_", " ")
    after = event.after
    if after not in (None, "", {}) and not isinstance(after, dict | list):
        return format_html("{} · {} → {}", event.actor_name, label, after)
    return format_html("{} · {}", event.actor_name, label)


# -- phrases the declarations share ------------------------------------------------


def was(before: Any) -> SafeString | str:
    """' (was X)' after a change, nothing when there was nothing before."""
    return format_html(" <span class=\"was\">(was {})</span>", before) if before not in (
        None, "") else ""


def ticket_link(reference: Any) -> SafeString | str:
    text = str(reference or "")
    if parse_reference(text) is None:
        return text
    return format_html('<a href="/t/{}">{}</a>', text, text)


# -- the ticket's own kinds -----------------------------------------------------------

# What a customer is told when their request changes status (no words: not told).
CUSTOMER_STATUS_WORDS: dict[str, str] = {
    Status.OPEN: "We picked this up again",
    Status.PENDING_INTERNAL: "We are checking with our team",
    Status.PENDING_CUSTOMER: "We asked you for something",
    Status.RESOLVED: "We marked this as solved",
    Status.CLOSED: "The request was closed",
}


def _status_label(value: Any) -> str:
    try:
        return Status(value).label.lower()
    except ValueError:
        return str(value)


def _created(event: Event) -> SafeString:
    after = event.after
    channel = (after or {}).get("channel", "") if isinstance(after, dict) else ""
    return format_html("{} opened the ticket{}", event.actor_name,
                       f" via {channel}" if channel else "")


def _assigned(event: Event) -> SafeString:
    # Full names where the event kept them; older rows have the usernames only.
    detail = event.detail or {}
    after = detail.get("after_name") or event.after
    before = detail.get("before_name") or event.before
    if event.after:
        return format_html("{} assigned to {}{}", event.actor_name, after, was(before))
    return format_html("{} unassigned {}", event.actor_name, before or "it")


def _status_changed(event: Event) -> SafeString:
    return format_html("{} set status to <b>{}</b>{}", event.actor_name,
                       _status_label(event.after),
                       was(_status_label(event.before) if event.before else ""))


def _field_set(field: str) -> StaffSentence:
    def sentence(event: Event) -> SafeString:
        if event.after:
            return format_html("{} set {} to <b>{}</b>{}", event.actor_name, field,
                               event.after, was(event.before))
        return format_html("{} cleared the {}{}", event.actor_name, field, was(event.before))
    return sentence


def _detail_link(key: str, words: str) -> StaffSentence:
    # words holds the actor's verb phrase around "{}", the linked reference.
    def sentence(event: Event) -> SafeString:
        return format_html(words, event.actor_name,
                           ticket_link((event.detail or {}).get(key)))
    return sentence


def _reply_withdrawn(event: Event) -> SafeString:
    """Undo send (frontline.workflow.conversation.undo_reply): the reply never left;
    its text is kept in the event and went back to the writer's draft."""
    detail: dict[str, Any] = event.detail or {}
    to = ", ".join(detail.get("to") or []) or "the customer"
    cc = ", ".join(detail.get("cc") or [])
    text = format_html("{} withdrew a reply to {}{} before it was mailed (undo); its text "
                       "went back to the composer", event.actor_name, to,
                       format_html(", cc {}", cc) if cc else "")
    if detail.get("status_kept"):
        text = format_html("{} (the status stays {})", text, detail["status_kept"])
    return text


def register() -> None:
    """The kinds the ticket records about its own rows and state."""
    app = "tickets"
    declare("created", app=app, staff=_created)
    declare("status_changed", app=app, staff=_status_changed,
            customer=lambda event: CUSTOMER_STATUS_WORDS.get(str(event.after)))
    # The reason of a reopening is the default "Reopened by staff." or the
    # customer's own reply: the line says enough without it.
    declare("reopened", app=app, shows_reason=False,
            staff=lambda event: format_html("{} reopened the ticket", event.actor_name))
    declare("assigned", app=app, staff=_assigned)
    declare("priority_changed", app=app,
            staff=lambda event: format_html("{} set priority to <b>{}</b>{}",
                                            event.actor_name, event.after, was(event.before)))
    declare("tier_changed", app=app,
            staff=lambda event: format_html("{} moved to <b>tier {}</b>{}",
                                            event.actor_name, event.after, was(event.before)))
    declare("category_changed", app=app, staff=_field_set("category"))
    declare("team_changed", app=app, staff=_field_set("team"))
    declare("subject_changed", app=app,
            staff=lambda event: format_html("{} renamed the ticket to “{}”",
                                            event.actor_name, event.after))
    declare("first_response", app=app,
            staff=lambda event: format_html("{} sent the first response", event.actor_name))
    declare("reply_withdrawn", app=app, staff=_reply_withdrawn, shows_reason=False)
    declare("merged", app=app, staff=_detail_link("into", "{} merged this ticket into {}"))
    declare("merged_from", app=app,
            staff=_detail_link("source", "{} merged {} into this ticket"))
    declare("linked", app=app,
            staff=lambda event: format_html("{} linked {}", event.actor_name,
                                            ticket_link(event.after)))
    declare("unlinked", app=app,
            staff=lambda event: format_html("{} unlinked {}", event.actor_name,
                                            ticket_link(event.before)))
    declare("resolution_reminder", app=app,
            staff=lambda event: format_html("{} reminded the customer before closing",
                                            event.actor_name))
