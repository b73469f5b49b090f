"""The email channel's timeline events and how they read (registered from MailConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontline.mail.reports import FEEDBACK_TYPES
from frontline.tickets.event_kinds import declare
from frontline.tickets.models import Event

# A mail's delivery step (frontline.mail.outbound), in words.
_DELIVERY_WORDS = {
    "queued": "queued for", "sent": "sent to", "failed": "could not be delivered to",
    "retrying": "will be retried for", "suppressed": "was not sent to",
    "delivered": "was delivered to",  # the receiving server said so (reports.py)
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


def _feedback_report(event: Event) -> SafeString:
    detail: dict[str, Any] = event.detail or {}
    what = FEEDBACK_TYPES.get(detail.get("feedback_type") or "",
                              detail.get("feedback_type") or "unwanted")
    return format_html(
        "<span class=\"complaint\">Our mail to <b>{}</b> was reported as {} by the "
        "recipient's mail provider{}</span>",
        ", ".join(detail.get("recipients") or []) or "a recipient", what,
        f" ({detail['reporter']})" if detail.get("reporter") else "")


def _date_refused(event: Event) -> SafeString:
    return format_html("The mail's date ({}) cannot be true; it is dated when it reached us",
                       (event.detail or {}).get("written") or "unknown")


def register() -> None:
    app = "mail"
    declare("delivery", app=app, staff=_delivery)
    declare("bounce", app=app, staff=_bounce)
    declare("feedback_report", app=app, staff=_feedback_report)
    declare("mail_date_refused", app=app, staff=_date_refused)
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
