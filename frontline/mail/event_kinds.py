"""The email channel's timeline events and how they read (registered from MailConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.tickets.event_kinds import declare
from frontline.tickets.models import Event

# A mail's delivery step (frontline.mail.outbound), in words.
_DELIVERY_WORDS = {
    "queued": "queued for", "sent": "sent to", "failed": "could not be delivered to",
    "retrying": "will be retried for", "suppressed": "was not sent to",
}


def _delivery(event: Event) -> SafeString:
    """The delivery step, with the server's answer when it failed."""
    state, detail = event.after, event.detail or {}
    words = _DELIVERY_WORDS.get(str(state), str(state))
    text = format_html("Mail {} {}", words, detail.get("to", "the customer"))
    if detail.get("answer") and state in ("failed", "retrying"):
        text = format_html("{}: <span class=\"answer\">{}</span>", text, detail["answer"])
    return text


def _bounce(event: Event) -> SafeString:
    detail: dict[str, Any] = event.detail or {}
    recipients = ", ".join(detail.get("recipients") or []) or "an address"
    permanence = "permanently" if detail.get("permanent") else "temporarily"
    why = detail.get("diagnostic") or (f"status {detail['status']}" if detail.get("status")
                                       else "no reason given")
    return format_html("<span class=\"bounce\">Mail to <b>{}</b> failed {}: {}</span>",
                       recipients, permanence, why)


def register() -> None:
    app = "mail"
    declare("delivery", app=app, staff=_delivery)
    declare("bounce", app=app, staff=_bounce)
    declare("automatic_mail", app=app,
            staff=lambda event: format_html(
                "{} sent an automatic reply ({}); not answered", event.actor_name,
                (event.detail or {}).get("auto_kind") or "automatic"))
    declare("attachments_skipped", app=app,
            staff=lambda event: format_html(
                "Attachments left off: {}", ", ".join((event.detail or {}).get("files") or [])))
    declare("participant_added", app=app,
            staff=lambda event: format_html("{} joined the conversation (copied in)",
                                            event.after or event.actor_name))
    declare("acknowledged", app=app,
            staff=lambda event: format_html("{} acknowledged the request by mail",
                                            event.actor_name))
