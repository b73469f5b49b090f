"""No-login access to one ticket: signed, expiring links for its requester.

A link carries the ticket's number and the requester's contact id, signed with
the secret key (Django's TimestampSigner, under a salt of its own so a token
signed for anything else is worthless here) and stamped with the time it was
made. It opens that one ticket for that one person until it is
FRONTLINE_PORTAL_LINK_DAYS old. Nothing is stored: a new link can always be
mailed, and rotating the secret key revokes every link at once.

The domain side lives here, not in the portal, because mail (a domain app)
writes the links into every mail it sends; the portal only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from frontline.core.errors import NotAllowed
from frontline.customers.models import Contact
from frontline.tickets.models import Ticket

_SALT = "frontline.tickets.access.link"


class LinkExpired(NotAllowed):
    """A genuine link that is older than FRONTLINE_PORTAL_LINK_DAYS."""

    status_code = 410


class LinkInvalid(NotAllowed):
    """A token we never signed, a tampered one, or one made for another ticket."""


@dataclass(frozen=True)
class TicketAccess:
    ticket: Ticket
    contact: Contact


def link_lifetime() -> timedelta:
    return timedelta(days=settings.FRONTLINE_PORTAL_LINK_DAYS)


def make_token(ticket: Ticket, contact: Contact) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object(
        {"t": ticket.pk, "c": contact.pk}, compress=False)


def ticket_path(ticket: Ticket, contact: Contact) -> str:
    return reverse("portal:ticket", args=[ticket.reference, make_token(ticket, contact)])


def ticket_url(ticket: Ticket, contact: Contact) -> str:
    """The absolute link a mail carries (FRONTLINE_SITE_URL + the portal path)."""
    return str(settings.FRONTLINE_SITE_URL).rstrip("/") + ticket_path(ticket, contact)


def answers_path(ticket: Ticket, contact: Contact) -> str:
    """The no-login page where the customer answers the questions still open."""
    return reverse("portal:answers", args=[ticket.reference, make_token(ticket, contact)])


def answers_url(ticket: Ticket, contact: Contact) -> str:
    return str(settings.FRONTLINE_SITE_URL).rstrip("/") + answers_path(ticket, contact)


def request_form_url() -> str:
    """The public request form (/request), which every acknowledgement names."""
    return str(settings.FRONTLINE_SITE_URL).rstrip("/") + "/request"


def _payload(token: str) -> dict[str, int]:
    value = signing.TimestampSigner(salt=_SALT).unsign_object(
        token, max_age=link_lifetime())
    if not (isinstance(value, dict) and isinstance(value.get("t"), int)
            and isinstance(value.get("c"), int)):
        raise signing.BadSignature("unexpected payload")
    return value


def open_link(ticket_number: int | None, token: str) -> TicketAccess:
    """The ticket and person a link opens, or LinkExpired / LinkInvalid.

    The number in the URL must be the one signed in the token, and the signed
    contact must still be the ticket's requester: a link made for one ticket
    opens no other, and a ticket handed to someone else stops answering to the
    old requester's links.
    """
    try:
        payload = _payload(token or "")
    except signing.SignatureExpired:
        raise LinkExpired("This link has expired.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid("This link is not valid.") from None
    if ticket_number is None or payload["t"] != ticket_number:
        raise LinkInvalid("This link is not valid.")
    ticket = (Ticket.objects.select_related("requester", "organization")
              .filter(pk=payload["t"]).first())
    if ticket is None or ticket.requester_id != payload["c"]:
        raise LinkInvalid("This link is not valid.")
    return TicketAccess(ticket=ticket, contact=ticket.requester)
