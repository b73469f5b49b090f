"""Mail from providers' inbound webhooks (Mailgun, Postmark, SendGrid, Amazon SES, ...).

django-anymail receives the provider's POST, verifies its signature (Mailgun's
HMAC, Mandrill's key, Postal's and Resend's signatures) or its HTTP basic auth
(the others), and normalises the mail. It hands the mail on through its
`inbound` signal: that signal is anymail's documented API for inbound mail, so
this module connects to it (in MailConfig.ready) instead of calling a service
from a view of its own. The receiver does one thing: `store.accept_raw`.

Mounted under /mail/inbound/ (frontline/urls.py), e.g.
`https://desk.example.com/mail/inbound/mailgun/inbound_mime/` or
`https://user:pass@desk.example.com/mail/inbound/postmark/inbound/`.

Anymail accepts unauthenticated posts when no secret is configured (it only
warns). Here an endpoint answers only once it can tell a real post from a forged
one: the provider's signing key, or FRONTLINE_ANYMAIL_WEBHOOK_SECRET for basic
auth; until then it answers 404 and stores nothing.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from email import policy
from typing import Any

from anymail.signals import AnymailInboundEvent
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

from frontline.core.errors import FrontlineError
from frontline.mail.models import InboundSource
from frontline.mail.store import accept_raw

logger = logging.getLogger(__name__)


def raw_mime(event: AnymailInboundEvent) -> bytes:
    """The mail as the provider received it, when the provider sent it raw;
    otherwise the MIME anymail rebuilt from the provider's parsed fields."""
    esp_event: Any = event.esp_event
    raw: Any = None
    post = getattr(esp_event, "POST", None)
    if post is not None:
        # Mailgun's ".../inbound_mime/" route posts `body-mime`; SendGrid's "send raw" `email`.
        raw = post.get("body-mime") or post.get("email")
    elif isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")  # Postmark, with "include raw email content"
        content = esp_event.get("content")  # Amazon SES, "action type SNS" with content
        if raw is None and isinstance(content, str) and esp_event.get("receipt"):
            try:
                raw = base64.b64decode(content, validate=True)
            except ValueError:
                raw = None
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    if isinstance(raw, bytes) and raw:
        return raw
    message = event.message
    if message is None:
        return b""
    try:
        return message.as_bytes(policy=policy.SMTP)
    except Exception:  # a header the modern policy cannot fold: keep it as it is
        return message.as_bytes(policy=policy.compat32)


def store_inbound(sender: object, event: AnymailInboundEvent, esp_name: str,
                  **kwargs: object) -> None:
    """The receiver of anymail's `inbound` signal."""
    message = event.message
    recipient = getattr(message, "envelope_recipient", None) if message is not None else None
    try:
        accept_raw(raw_mime(event), source=InboundSource.WEBHOOK,
                   source_detail=f"{esp_name} webhook",
                   envelope_recipients=[recipient] if recipient else None)
    except FrontlineError as error:
        # The post was genuine but the mail is unusable (empty, beyond the hard limit).
        # A retry would bring the same bytes, so it is acknowledged and logged.
        logger.warning("Refused a mail from the %s webhook: %s", esp_name, error.message)


def connect() -> None:
    from anymail.signals import inbound

    inbound.connect(store_inbound, dispatch_uid="frontline.mail.webhooks.store_inbound")


def _configured_secret() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    view_class: Any = getattr(view, "view_class", None)
    needs_basic_auth = bool(getattr(view_class, "warn_if_no_basic_auth", False))

    @csrf_exempt
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if needs_basic_auth and not _configured_secret():
            return HttpResponse("This inbound webhook is not configured "
                                "(set FRONTLINE_ANYMAIL_WEBHOOK_SECRET).\n",
                                status=404, content_type="text/plain")
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as error:
            # e.g. Mailgun without its signing key: a setup gap, not the caller's fault.
            return HttpResponse(f"This inbound webhook is not configured: {error}\n",
                                status=404, content_type="text/plain")
        except DatabaseError:
            logger.exception("Could not store a mail from a provider webhook")
            # Providers retry a 5xx later; 503 says it is temporary.
            response = HttpResponse("Storage is unavailable; try again later.\n", status=503,
                                    content_type="text/plain")
            response["Retry-After"] = "60"
            return response

    return guarded


def _patterns() -> list[URLPattern]:
    from anymail import urls as anymail_urls

    return [
        URLPattern(pattern.pattern, _guarded(pattern.callback), pattern.default_args,
                   pattern.name)
        for pattern in anymail_urls.urlpatterns
        if isinstance(pattern, URLPattern)
    ]


# include("frontline.mail.webhooks") mounts anymail's own URL names under the
# "anymail" namespace, so reverse("anymail:mailgun_inbound_webhook") works.
app_name = "anymail"
urlpatterns = _patterns()
