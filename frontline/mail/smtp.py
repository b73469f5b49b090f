"""Django's SMTP backend, taught to send to and from UTF-8 addresses (RFC 6531/6532).

Django's backend has no SMTPUTF8: it writes a non-ASCII local part as an RFC 2047
encoded word (`=?utf-8?b?aW7DqnMxMQ==?=@umbrella.example`), in the envelope and in
the headers. No server reads that as `inês11@umbrella.example`: the mail goes to
a mailbox that does not exist, or nowhere. So a mail whose envelope needs SMTPUTF8
(a non-ASCII local part; Unicode domains go out as A-labels and need nothing) is
sent here instead:

- when the server offers SMTPUTF8 (its EHLO answer), with `MAIL FROM:<...>
  SMTPUTF8` and the headers in UTF-8 (RFC 6532 §3), the addresses as written;
- when it does not, not at all: `SmtpUtf8Unsupported` names the addresses, and
  the delivery fails with that sentence on the ticket (`transport.explain` makes
  it permanent: sending again to the same server cannot help). RFC 6531 §3.2
  allows downgrading nothing else in the envelope, and an ASCII alias of a
  customer's address is not ours to guess.

Every other mail takes Django's own path unchanged.
"""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.utils import getaddresses, parseaddr

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend

from frontline.core import email_address

# Headers whose addresses Django encodes as RFC 2047 words; written again as UTF-8.
_ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")


class SmtpUtf8Unsupported(smtplib.SMTPNotSupportedError):
    """The server does not offer SMTPUTF8, and these addresses cannot go without it."""

    def __init__(self, addresses: list[str], server: str) -> None:
        self.addresses = addresses
        super().__init__(
            f"{', '.join(addresses)} needs SMTPUTF8 (RFC 6531: a non-ASCII local part "
            f"has no ASCII spelling), and the mail server {server} does not offer it; "
            "ask its admin to enable SMTPUTF8, or write to an ASCII address of the customer")


def _addr_spec(value: str) -> str:
    return parseaddr(value)[1] or value


def needs_smtputf8(mail: EmailMessage) -> list[str]:
    """The envelope addresses of `mail` that need SMTPUTF8 (none for most mail)."""
    envelope = [_addr_spec(address) for address in (mail.from_email, *mail.recipients())]
    return [address for address in envelope if email_address.needs_smtputf8(address)]


def utf8_bytes(mail: EmailMessage) -> bytes:
    """`mail` as Django builds it, with the address headers in UTF-8 (RFC 6532)."""
    built = message_from_bytes(mail.message().as_bytes(), policy=policy.SMTPUTF8)
    values = {"From": [mail.from_email], "To": list(mail.to), "Cc": list(mail.cc),
              "Reply-To": list(mail.reply_to)}
    for name in _ADDRESS_HEADERS:
        if name not in built:
            continue
        del built[name]
        written = []
        for display, address in getaddresses(values[name]):
            local, _, domain = (email_address.canonical(address) or address).rpartition("@")
            written.append(Address(display_name=display, username=local, domain=domain))
        built[name] = written
    return built.as_bytes(policy=policy.SMTPUTF8.clone(linesep="\r\n"))


class EmailBackend(DjangoSmtpBackend):
    """Django's SMTP backend, with SMTPUTF8 where an address needs it."""

    def _send(self, email_message: EmailMessage) -> bool:
        needing = needs_smtputf8(email_message)
        if not needing or not email_message.recipients():
            # Django's own per-message step (not in its type stubs).
            return bool(super()._send(email_message))  # type: ignore[misc]
        connection = self.connection
        assert connection is not None  # send_messages opened it
        connection.ehlo_or_helo_if_needed()
        if not connection.has_extn("smtputf8"):
            raise SmtpUtf8Unsupported(needing, f"{self.host}:{self.port}")
        sender = email_address.envelope_form(_addr_spec(email_message.from_email))
        recipients = [email_address.envelope_form(_addr_spec(r))
                      for r in email_message.recipients()]
        connection.sendmail(sender, recipients, utf8_bytes(email_message),
                            mail_options=["SMTPUTF8"])
        return True
