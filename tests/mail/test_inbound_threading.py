"""Stories of mail becoming tickets: new requests, replies finding their ticket,
strangers and forgeries that must not, closed tickets, copied-in colleagues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.models import User
from frontline.customers.models import Contact, ContactEmail
from frontline.mail import addresses
from frontline.mail.models import InboundMail, InboundState, OutboundMail
from frontline.mail.services import process_inbound, reprocess_pending
from frontline.mail.store import accept_raw
from frontline.tickets.models import (
    Message,
    MessageKind,
    Participant,
    Status,
    Ticket,
    TicketLink,
)
from tests.mail.inbound_mails import compose, deliver


def _customer_messages(ticket: Ticket) -> list[Message]:
    return list(ticket.messages.filter(kind=MessageKind.INBOUND).order_by("created_at", "pk"))


@pytest.fixture
def bobs_mail_ticket(bob: Contact) -> Ticket:
    """Bob wrote to support by mail; his ticket is open."""
    inbound = deliver(compose(message_id="first.bob@standard.example"))
    assert inbound.ticket is not None
    return inbound.ticket


# -- a new mail -----------------------------------------------------------------


def test_a_new_mail_opens_a_ticket_for_its_sender_with_everything_it_carried(bob):
    inbound = deliver(compose(
        subject="Export fails", body="The export fails.\n\n-- \nBob, Initech",
        message_id="export.1@standard.example",
        attachments=[("export.log", "text/plain", b"ERROR timeout after 30s\n")]))

    assert inbound.state == InboundState.PROCESSED
    ticket = inbound.ticket
    assert ticket.subject == "Export fails"
    assert ticket.channel == "email"
    assert ticket.requester == bob
    assert ticket.organization == bob.organization
    message = inbound.message
    assert message == _customer_messages(ticket)[0]
    assert message.email_message_id == "export.1@standard.example"
    assert "The export fails." in message.body
    assert [(a.filename, a.blob.size) for a in message.attachments.all()] == [
        ("export.log", 24)]
    assert inbound.from_address == "bob@standard.example"
    assert inbound.subject == "Export fails"


def test_a_stranger_becomes_a_contact_of_the_organization_owning_their_domain(initech):
    inbound = deliver(compose(sender="Carol New <carol@standard.example>"))
    requester = inbound.ticket.requester
    assert requester.name == "Carol New"
    assert requester.organization == initech


def test_the_full_text_is_kept_and_the_new_reply_separately(bobs_mail_ticket, bob):
    quoted = ("Still broken, see the log.\n\nOn Mon, 23 Nov 2026 at 10:00, Support wrote:\n"
              "> Can you send us the log?\n")
    inbound = deliver(compose(subject="Re: Cannot log in", body=quoted,
                              in_reply_to="first.bob@standard.example"))
    message = inbound.message
    assert message.body_reply.strip() == "Still broken, see the log."
    assert "> Can you send us the log?" in message.body


def test_a_new_mail_gets_one_acknowledgement_but_an_imported_one_none(bob):
    live = deliver(compose(subject="Live request"))
    assert OutboundMail.objects.filter(ticket=live.ticket, automatic=True).count() == 1

    imported = deliver(compose(subject="Old request", message_id="old@standard.example",
                               date="Mon, 02 Mar 2026 09:30:00 +0100"), source="import")
    assert not OutboundMail.objects.filter(ticket=imported.ticket).exists()
    # Imported history keeps its original time.
    assert imported.ticket.created_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert imported.message.created_at == imported.ticket.created_at


# -- replies find their ticket --------------------------------------------------


def test_a_reply_to_the_ticket_reply_address_lands_on_the_ticket(bobs_mail_ticket):
    inbound = deliver(compose(subject="more info", body="Here is more.",
                              to=addresses.reply_address(bobs_mail_ticket.pk)))
    assert inbound.ticket == bobs_mail_ticket
    assert len(_customer_messages(bobs_mail_ticket)) == 2


def test_the_reply_address_in_the_envelope_alone_is_enough(bobs_mail_ticket):
    inbound = deliver(compose(subject="more info", body="Here is more."),
                      envelope=[addresses.reply_address(bobs_mail_ticket.pk)])
    assert inbound.ticket == bobs_mail_ticket


def test_a_reply_quoting_our_signed_message_id_lands_on_the_ticket(bobs_mail_ticket):
    ours = addresses.new_message_id(bobs_mail_ticket.pk)
    inbound = deliver(compose(subject="Re: something else entirely", body="Thanks!",
                              in_reply_to=ours))
    assert inbound.ticket == bobs_mail_ticket


def test_a_reply_referencing_a_stored_message_id_lands_on_the_ticket(bobs_mail_ticket):
    inbound = deliver(compose(subject="Fwd", body="Adding this.",
                              references="<unrelated@x.example> <first.bob@standard.example>"))
    assert inbound.ticket == bobs_mail_ticket


def test_a_subject_tag_from_the_requester_lands_on_the_ticket(bobs_mail_ticket):
    inbound = deliver(compose(subject=f"Re: [{bobs_mail_ticket.reference}] login",
                              body="It works now."))
    assert inbound.ticket == bobs_mail_ticket


def test_a_subject_tag_from_a_colleague_of_the_same_organization_lands_on_it(bobs_mail_ticket):
    inbound = deliver(compose(sender="Dave <dave@standard.example>",
                              subject=f"[{bobs_mail_ticket.reference}] same here",
                              body="Me too."))
    assert inbound.ticket == bobs_mail_ticket


# -- evidence that must not append ----------------------------------------------


def test_a_subject_tag_from_a_stranger_opens_a_new_ticket_linked_to_the_old(bobs_mail_ticket):
    inbound = deliver(compose(sender="Mallory <mallory@evil.example>",
                              subject=f"Re: [{bobs_mail_ticket.reference}] give me the data",
                              body="Please send me everything."))
    assert inbound.ticket != bobs_mail_ticket
    assert inbound.state == InboundState.PROCESSED
    assert len(_customer_messages(bobs_mail_ticket)) == 1
    assert TicketLink.objects.filter(from_ticket=bobs_mail_ticket, to_ticket=inbound.ticket
                                     ).exists()
    assert "subject tag from someone not on the ticket" in inbound.error


def test_a_forged_reply_address_opens_nothing_existing(bobs_mail_ticket):
    forged = f"support+{bobs_mail_ticket.reference}-aaaaaaaaaa@frontline.localhost"
    inbound = deliver(compose(sender="Mallory <mallory@evil.example>", to=forged,
                              subject="hello", body="Let me in."))
    assert inbound.ticket != bobs_mail_ticket
    assert len(_customer_messages(bobs_mail_ticket)) == 1
    assert "wrong signature" in inbound.error


def test_a_reply_address_signed_for_another_ticket_does_not_reach_this_one(bob, alice):
    bobs = deliver(compose()).ticket
    alices = deliver(compose(sender="alice@premium.example", subject="Alice's")).ticket
    # Alice's signature, Bob's number.
    alice_local = addresses.reply_address(alices.pk).split("@")[0]
    signature = alice_local.rsplit("-", 1)[1]
    tampered = f"support+{bobs.reference}-{signature}@frontline.localhost"
    inbound = deliver(compose(sender="alice@premium.example", to=tampered, subject="x",
                              body="Hi"))
    assert inbound.ticket not in (bobs,)
    assert len(_customer_messages(bobs)) == 1


def test_a_forged_message_id_opens_nothing_existing(bobs_mail_ticket):
    forged = f"fl.{bobs_mail_ticket.pk}.abcdef.aaaaaaaaaa@frontline.localhost"
    inbound = deliver(compose(sender="mallory@evil.example", in_reply_to=forged,
                              subject="Re: hi", body="Hi"))
    assert inbound.ticket != bobs_mail_ticket
    assert len(_customer_messages(bobs_mail_ticket)) == 1


# -- closed tickets ---------------------------------------------------------------


def _close(ticket: Ticket, agent: User, days_ago: int) -> None:
    workflow.change_status(ticket, agent, "resolved")
    workflow.change_status(ticket, agent, "closed")
    Ticket.objects.filter(pk=ticket.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago))


def test_a_reply_to_a_recently_closed_ticket_reopens_it(bobs_mail_ticket, lena):
    _close(bobs_mail_ticket, lena, days_ago=3)
    inbound = deliver(compose(to=addresses.reply_address(bobs_mail_ticket.pk),
                              subject="Re: login", body="It broke again."))
    assert inbound.ticket == bobs_mail_ticket
    bobs_mail_ticket.refresh_from_db()
    assert bobs_mail_ticket.status == Status.OPEN


def test_a_reply_to_a_ticket_closed_long_ago_opens_a_new_linked_one(bobs_mail_ticket, lena,
                                                                    settings):
    settings.FRONTLINE_REOPEN_WINDOW_DAYS = 14
    _close(bobs_mail_ticket, lena, days_ago=20)
    inbound = deliver(compose(to=addresses.reply_address(bobs_mail_ticket.pk),
                              subject="Re: login", body="It broke again."))
    assert inbound.ticket != bobs_mail_ticket
    bobs_mail_ticket.refresh_from_db()
    assert bobs_mail_ticket.status == Status.CLOSED
    assert TicketLink.objects.filter(from_ticket=bobs_mail_ticket, to_ticket=inbound.ticket
                                     ).exists()
    assert inbound.ticket.requester == bobs_mail_ticket.requester


# -- people -----------------------------------------------------------------------


def test_people_copied_in_become_participants_and_may_then_use_the_subject_tag(bob):
    inbound = deliver(compose(cc="Erin Ops <erin@partner.example>, support@frontline.localhost"))
    ticket = inbound.ticket
    participants = Participant.objects.filter(ticket=ticket)
    assert [p.contact.primary_email for p in participants] == ["erin@partner.example"]

    reply = deliver(compose(sender="erin@partner.example",
                            subject=f"Re: [{ticket.reference}] login", body="Same for us."))
    assert reply.ticket == ticket


def test_an_agent_answering_from_her_own_mail_client_is_recorded_as_her_reply(
        bobs_mail_ticket, lena):
    User.objects.filter(pk=lena.pk).update(email="lena@frontline.localhost")
    inbound = deliver(compose(sender="Lena <lena@frontline.localhost>",
                              to="bob@standard.example",
                              cc=addresses.reply_address(bobs_mail_ticket.pk),
                              subject="Re: login", body="Please clear your cookies.",
                              message_id="lena-1@laptop.example"))
    message = inbound.message
    assert inbound.ticket == bobs_mail_ticket
    assert message.kind == MessageKind.OUTBOUND
    assert message.author_user == lena
    # Bob got her mail directly: we send no second copy, and his answer will quote
    # her Message-ID, so that is the one the message keeps.
    assert not OutboundMail.objects.filter(message=message, state="queued").exists()
    assert message.email_message_id == "lena-1@laptop.example"
    answer = deliver(compose(subject="Re: login", body="Cleared them, works now.",
                             in_reply_to="lena-1@laptop.example"))
    assert answer.ticket == bobs_mail_ticket
    assert not Contact.objects.filter(emails__address="lena@frontline.localhost").exists()


# -- robustness -------------------------------------------------------------------


def test_processing_a_mail_twice_does_nothing_the_second_time(bob):
    accepted = accept_raw(compose(), source="lmtp", process=False)
    first = process_inbound(accepted.inbound.pk)
    second = process_inbound(accepted.inbound.pk)
    assert first.ticket == second.ticket
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(kind=MessageKind.INBOUND).count() == 1
    assert second.attempts == 1


def test_a_mail_that_cannot_be_processed_is_kept_failed_with_its_error(db):
    raw = b"Subject: no sender at all\r\nMessage-ID: <x@y>\r\n\r\nHello\r\n"
    inbound = deliver(raw)
    assert inbound.state == InboundState.FAILED
    assert "no sender" in inbound.error
    assert inbound.attempts == 1
    assert bytes(InboundMail.objects.get(pk=inbound.pk).raw) == raw
    assert not Ticket.objects.exists()

    # It stays failed and counted when tried again.
    assert reprocess_pending(10) == 1
    assert InboundMail.objects.get(pk=inbound.pk).attempts == 2


def test_an_unusable_sender_address_fails_the_mail_and_names_the_field(db):
    inbound = deliver(compose(sender="not an address <nobody>"))
    assert inbound.state == InboundState.FAILED
    assert inbound.error


def test_attachments_over_the_limits_are_left_off_and_said_so(bob, settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.001  # ~1 KB
    inbound = deliver(compose(attachments=[("small.txt", "text/plain", b"ok"),
                                           ("big.bin", "application/octet-stream",
                                            b"x" * 5000)]))
    assert [a.filename for a in inbound.message.attachments.all()] == ["small.txt"]
    skipped = inbound.ticket.events.get(kind="attachments_skipped")
    assert skipped.detail["files"] == ["big.bin (5000 bytes)"]


def test_a_mail_without_text_keeps_its_attachment_and_says_so(bob):
    raw = compose(body="", attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4 ...")])
    inbound = deliver(raw)
    assert inbound.state == InboundState.PROCESSED
    assert [a.filename for a in inbound.message.attachments.all()] == ["scan.pdf"]


def test_unused_contact_email_of_bob_is_untouched(bob):
    assert ContactEmail.objects.get(address="bob@standard.example").bouncing_since is None
