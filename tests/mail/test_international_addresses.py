# ruff: noqa: RUF001  (Greek, Cyrillic and CJK letters are what these tests are about)
"""Customers whose addresses are not ASCII (RFC 6531/6532): `inês11@umbrella.example`,
`jürgen.müller@bücher.example` (or `xn--bcher-kva.example`), `светлана@почта.рф`.
Their mail opens tickets with acknowledgements, their replies thread, and mail to
them goes out with SMTPUTF8, or fails with a clear reason when the server lacks it."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.customers.models import Contact, ContactEmail
from frontline.mail import addresses, outbound
from frontline.mail.importer import import_mail
from frontline.mail.models import InboundState, OutboundMail
from frontline.tickets.models import Ticket
from tests.factories import OrganizationFactory
from tests.mail.inbound_mails import deliver

CORPUS = Path(__file__).parent / "corpus"

# corpus file -> (the address it is stored under, a word of its subject)
SENDERS = {
    "eai_pt_thunderbird.eml": ("inês11@umbrella.example", "Relatório"),
    "eai_de_outlook_idna.eml": ("jürgen.müller@bücher.example", "Lizenzschlüssel"),
    "eai_ru_cyrillic.eml": ("светлана@почта.рф", "SSO"),
    "eai_el_greek_html.eml": ("γιώργος.π@παράδειγμα.example", "τιμολογίων"),
    "eai_zh_cjk.eml": ("小明.王@例子.example", "空白"),
}


@pytest.fixture(autouse=True)
def _corpus_support_address(settings):
    # The corpus writes to our support address on frontline.example.
    settings.FRONTLINE_SUPPORT_ADDRESS = "support@frontline.example"
    settings.FRONTLINE_MESSAGE_ID_DOMAIN = "frontline.example"


def from_corpus(name: str):
    return deliver((CORPUS / name).read_bytes())


def read(delivered) -> EmailMessage:
    """A delivered mail, its RFC 6532 headers read as the UTF-8 they are (the stdlib's
    bytes parser would keep them as surrogate escapes)."""
    message = message_from_string(delivered.raw.decode("utf-8"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def reply(sender: str, *, to: str, subject: str, body: str, in_reply_to: str = "",
          message_id: str) -> bytes:
    """A reply as a client that speaks RFC 6532 writes it: raw UTF-8 headers."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
             f"Date: {format_datetime(timezone.now())}", f"Message-ID: <{message_id}>"]
    if in_reply_to:
        lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit", "", body]
    return "\n".join(lines).encode("utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SENDERS))
def test_mail_from_an_international_address_opens_a_ticket_with_an_acknowledgement(name):
    address, word = SENDERS[name]
    inbound = from_corpus(name)

    assert inbound.state == InboundState.PROCESSED, inbound.error
    ticket = inbound.ticket
    assert word in ticket.subject
    assert ticket.requester.primary_email == address
    assert ContactEmail.objects.get(address=address).contact == ticket.requester
    [acknowledgement] = OutboundMail.objects.filter(ticket=ticket, automatic=True)
    assert acknowledgement.to == [address] and acknowledgement.state == "queued"


@pytest.mark.django_db
def test_ines_gets_her_acknowledgement_over_smtputf8_and_her_reply_threads(smtputf8_sink):
    """The issue's own case: stored, processed, acknowledged, and her answer lands on it."""
    ticket = from_corpus("eai_pt_thunderbird.eml").ticket
    assert outbound.deliver_due() == {"sent": 1}

    [delivered] = smtputf8_sink.delivered
    assert delivered.rcpt_tos == ["inês11@umbrella.example"]
    mail = read(delivered)
    assert mail["To"].addresses[0].addr_spec == "inês11@umbrella.example"
    head = delivered.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    # RFC 6532: the header carries the address in UTF-8, not as an encoded word.
    assert "To: inês11@umbrella.example".encode() in head
    assert mail["In-Reply-To"] == "<4f1c2a9e-7d0b-4c55-9a1e-eai-pt@umbrella.example>"
    assert ticket.reference in mail.get_body(("plain",)).get_content()
    reply_to = mail["From"].addresses[0].addr_spec
    assert addresses.ticket_from_reply_address(reply_to) == ticket.pk

    # She answers from her client, which writes her name with a capital.
    answer = deliver(reply("Inês Conceição <Inês11@Umbrella.Example>", to=reply_to,
                           subject=f"Re: {mail['Subject']}", in_reply_to=mail["Message-ID"][1:-1],
                           body="Obrigada! O relatório já abre.", message_id="r1.ines@umbrella"))
    assert answer.state == InboundState.PROCESSED, answer.error
    assert answer.ticket == ticket
    assert Ticket.objects.count() == 1 and Contact.objects.count() == 1
    assert answer.message.author_contact == ticket.requester
    # Only a quoted Message-ID, no reply address (a client that drops it): same ticket.
    again = deliver(reply("inês11@umbrella.example", to="support@frontline.example",
                          subject="mais uma coisa", in_reply_to=mail["Message-ID"][1:-1],
                          body="Mais uma pergunta sobre o relatório.",
                          message_id="r2.ines@umbrella"))
    assert again.ticket == ticket and Ticket.objects.count() == 1


@pytest.mark.django_db
def test_either_spelling_of_an_idna_domain_is_the_same_customer():
    """Jürgen writes from bücher.example, then from its A-label form: one contact,
    found in the organization that registered the domain in its A-label form."""
    books = OrganizationFactory(name="Bücherstube", domains=["xn--bcher-kva.example"])
    first = from_corpus("eai_de_outlook_idna.eml")
    second = from_corpus("eai_de_punycode_domain.eml")

    assert first.state == second.state == InboundState.PROCESSED
    assert first.ticket != second.ticket  # a new question, not a reply
    assert first.ticket.requester == second.ticket.requester
    jurgen = first.ticket.requester
    assert [e.address for e in jurgen.emails.all()] == ["jürgen.müller@bücher.example"]
    assert jurgen.organization == books
    assert first.ticket.organization == second.ticket.organization == books
    assert OutboundMail.objects.filter(to=["jürgen.müller@bücher.example"]).count() == 2


@pytest.mark.django_db
def test_a_contact_stored_before_with_an_a_label_domain_is_found_by_the_unicode_form():
    old = Contact.objects.create(name="Sato")
    old.emails.create(address="sato@xn--r8jz45g.example", is_primary=True)  # 例え.example

    inbound = deliver(reply("佐藤 <sato@例え.example>", to="support@frontline.example",
                            subject="請求書のダウンロード", body="請求書が開けません。",
                            message_id="sato.1@reit.example"))
    assert inbound.state == InboundState.PROCESSED, inbound.error
    assert inbound.ticket.requester == old
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_without_smtputf8_the_delivery_fails_with_the_reason_on_the_ticket(smtp_sink):
    """The server does not offer SMTPUTF8: no mangled address, no retries, a clear reason."""
    ticket = from_corpus("eai_ru_cyrillic.eml").ticket

    assert outbound.deliver_due() == {"failed": 1}
    assert not smtp_sink.delivered
    mail = OutboundMail.objects.get(ticket=ticket)
    assert mail.state == "failed" and mail.attempts == 1
    assert "светлана@почта.рф needs SMTPUTF8" in mail.last_error
    assert f"127.0.0.1:{smtp_sink.port} does not offer it" in mail.last_error
    event = ticket.events.get(kind="delivery")
    assert event.after == "failed" and "SMTPUTF8" in event.detail["answer"]


@pytest.mark.django_db
def test_a_unicode_domain_alone_goes_through_any_server_as_a_labels(smtp_sink):
    """An ASCII local part at a Unicode domain needs no SMTPUTF8: the A-labels go out."""
    inbound = deliver(reply("Hana <hana@例子.example>", to="support@frontline.example",
                            subject="導出エラー", body="エクスポートが失敗します。",
                            message_id="hana.1@lizi.example"))
    assert inbound.ticket.requester.primary_email == "hana@例子.example"

    assert outbound.deliver_due() == {"sent": 1}
    [delivered] = smtp_sink.delivered
    assert delivered.rcpt_tos == ["hana@xn--fsqu00a.example"]
    assert delivered.message["To"].addresses[0].addr_spec == "hana@xn--fsqu00a.example"


@pytest.mark.django_db
def test_an_agent_reply_to_a_greek_customer_and_her_colleague_goes_out_in_utf8(
        smtputf8_sink, lena):
    mail = reply("Γιώργος <γιώργος.π@παράδειγμα.example>", to="support@frontline.example",
                 subject="Σφάλμα PRN-22", body="Η εκτύπωση δεν δουλεύει.",
                 message_id="gr.1@paradeigma")
    copied = "To: support@frontline.example\nCc: Σοφία <σοφία@παράδειγμα.example>"
    inbound = deliver(mail.replace(b"To: support@frontline.example", copied.encode()))
    ticket = inbound.ticket
    assert [p.contact.primary_email for p in ticket.participants.all()] == [
        "σοφία@παράδειγμα.example"]
    outbound.deliver_due()  # the acknowledgement
    workflow.add_reply(ticket, lena, "Καλησπέρα, δοκιμάστε την έκδοση 5.2.1.")
    assert outbound.deliver_due() == {"sent": 1}

    delivered = smtputf8_sink.delivered[-1]
    assert delivered.rcpt_tos == ["γιώργος.π@xn--hxajbheg2az3al.example",
                                  "σοφία@xn--hxajbheg2az3al.example"]
    message = read(delivered)
    assert message["To"].addresses[0].addr_spec == "γιώργος.π@παράδειγμα.example"
    assert message["Cc"].addresses[0].addr_spec == "σοφία@παράδειγμα.example"
    assert "Lena" in message["From"].addresses[0].display_name
    assert "5.2.1" in message.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_automatic_mail_to_a_utf8_address_counts_against_its_rate_limit(settings):
    settings.FRONTLINE_AUTO_MAIL_LIMITS = "1/1h"
    ticket = from_corpus("eai_zh_cjk.eml").ticket
    assert OutboundMail.objects.filter(ticket=ticket, automatic=True).count() == 1

    reason = outbound.over_limit(ticket, "小明.王@例子.example", timezone.now())
    assert reason is not None and "1 automatic mails to 小明.王@例子.example" in reason


@pytest.mark.django_db
def test_a_bounce_naming_a_utf8_recipient_marks_that_address(smtputf8_sink):
    ticket = from_corpus("eai_pt_thunderbird.eml").ticket
    outbound.deliver_due()
    ours = OutboundMail.objects.get(ticket=ticket).header_message_id
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@relay.umbrella.example>\n"
        "To: support@frontline.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <dsn.1@relay.umbrella.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--b\nContent-Type: message/global-delivery-status\n\n"
        "Reporting-MTA: dns; relay.umbrella.example\n\n"
        "Final-Recipient: utf-8; in\\x{EA}s11@umbrella.example\nAction: failed\n"
        "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 mailbox unknown\n\n"
        f"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <{ours}>\n\n--b--\n"
    ).encode()
    bounce = deliver(dsn)

    assert bounce.ticket == ticket
    email = ContactEmail.objects.get(address="inês11@umbrella.example")
    assert email.bouncing_since is not None and "mailbox unknown" in email.bounce_reason


@pytest.mark.django_db
def test_the_import_reads_international_senders_into_one_contact_each(tmp_path):
    for name in [*SENDERS, "eai_de_punycode_domain.eml"]:
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())

    summary = import_mail([tmp_path])

    assert summary.failed == 0
    assert Ticket.objects.count() == 6
    stored = sorted(ContactEmail.objects.values_list("address", flat=True))
    assert stored == sorted(address for address, _word in SENDERS.values())
    jurgen = ContactEmail.objects.get(address="jürgen.müller@bücher.example").contact
    assert Ticket.objects.filter(requester=jurgen).count() == 2
