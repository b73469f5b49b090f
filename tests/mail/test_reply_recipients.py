"""Where an agent's reply is mailed (issue 12): To the requester and Cc whoever was
copied in, unless the agent changes it; the choice is checked (one address rule,
frontline.core.email_address) before anything is stored, kept on the mail, and is
what the mail server receives."""

from __future__ import annotations

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.mail import outbound, recipients
from frontline.mail.models import OutboundMail
from frontline.tickets.models import Message, Participant
from tests.factories import ContactFactory


def copy_in(ticket, name: str, email: str) -> None:
    contact = ContactFactory(name=name, email=email)
    Participant.objects.create(ticket=ticket, contact=contact, added_at=timezone.now())


def test_by_default_the_requester_is_to_and_the_people_copied_in_are_cc(bobs_ticket, bob):
    copy_in(bobs_ticket, "Carol Ruiz", "carol.ruiz@standard.example")
    copy_in(bobs_ticket, "Dmitri Volkov", "d.volkov@partner-it.example")
    chosen = workflow.reply_recipients(bobs_ticket)
    assert chosen.to == ("bob@standard.example",)
    assert chosen.cc == ("carol.ruiz@standard.example", "d.volkov@partner-it.example")


def test_the_agent_drops_a_cc_and_adds_another_and_the_mail_says_so(bobs_ticket, lena):
    copy_in(bobs_ticket, "Carol Ruiz", "carol.ruiz@standard.example")
    reply = workflow.add_reply(bobs_ticket, lena, "Only you and your admin, Bob.",
                               to=["Bob@Standard.EXAMPLE"], cc=["it-admin@standard.example"])
    mail = OutboundMail.objects.get(message=reply)
    assert (mail.to, mail.cc) == (["bob@standard.example"], ["it-admin@standard.example"])


def test_an_empty_cc_copies_nobody(bobs_ticket, lena):
    copy_in(bobs_ticket, "Carol Ruiz", "carol.ruiz@standard.example")
    reply = workflow.add_reply(bobs_ticket, lena, "Just between us.", cc=[])
    assert OutboundMail.objects.get(message=reply).cc == []


def test_international_addresses_are_kept_in_their_one_stored_form(bobs_ticket, lena):
    reply = workflow.add_reply(
        bobs_ticket, lena, "Wir haben Ihre Kollegen in Kopie gesetzt.",
        cc=["Müller@Bücher.example", "inês@xn--bcher-kva.example", "почта@пример.example"])
    assert OutboundMail.objects.get(message=reply).cc == [
        "müller@bücher.example", "inês@bücher.example", "почта@пример.example"]


@pytest.mark.parametrize(("field", "typed"), [
    ("cc", "carol.ruiz@"),
    ("cc", "two words@standard.example"),
    ("to", "bob@standard..example"),
    ("to", "bob@-standard.example"),
])
def test_a_bad_address_is_refused_naming_its_field_and_nothing_is_stored(bobs_ticket, lena,
                                                                         field, typed):
    before = Message.objects.count()
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(bobs_ticket, lena, "Should not be stored.", **{field: [typed]})
    assert refused.value.field == field
    assert typed.strip() in refused.value.message
    assert Message.objects.count() == before and not OutboundMail.objects.exists()


def test_a_reply_with_people_to_mail_needs_someone_in_to(bobs_ticket, lena):
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(bobs_ticket, lena, "Cc only?", to=[], cc=["carol@standard.example"])
    assert refused.value.field == "to" and "at least one address in To" in refused.value.message
    with pytest.raises(InvalidInput):
        workflow.add_reply(bobs_ticket, lena, "Nobody at all?", to=[], cc=[])


def test_an_address_in_to_and_cc_is_mailed_once(bobs_ticket, lena):
    reply = workflow.add_reply(bobs_ticket, lena, "Once is enough.",
                               to=["bob@standard.example", "BOB@standard.example"],
                               cc=["bob@standard.example", "ops@standard.example"])
    mail = OutboundMail.objects.get(message=reply)
    assert (mail.to, mail.cc) == (["bob@standard.example"], ["ops@standard.example"])


def test_a_pasted_address_book_is_refused(bobs_ticket, lena):
    many = [f"person{n}@standard.example" for n in range(recipients.MAX_RECIPIENTS)]
    with pytest.raises(InvalidInput) as refused:
        workflow.add_reply(bobs_ticket, lena, "Hello all.", cc=many)
    assert refused.value.field == "cc" and "at most 50" in refused.value.message


def test_a_requester_without_an_address_gets_a_recorded_reply_and_no_mail(lena, bob,
                                                                          bobs_ticket):
    bob.emails.all().delete()  # known by phone only
    assert workflow.reply_recipients(bobs_ticket).to == ()
    reply = workflow.add_reply(bobs_ticket, lena, "Licences renewed, as agreed on the phone.",
                               to=[], cc=[])
    assert reply.pk and not OutboundMail.objects.filter(message=reply).exists()


@pytest.mark.django_db
def test_the_chosen_recipients_are_what_the_mail_server_receives(smtputf8_sink, bobs_ticket,
                                                                  lena):
    copy_in(bobs_ticket, "Carol Ruiz", "carol.ruiz@standard.example")
    workflow.add_reply(bobs_ticket, lena, "Σας στέλνουμε το αρχείο καταγραφής.",
                       cc=["σοφία@παράδειγμα.example"])
    assert outbound.deliver_due() == {"sent": 1}
    [delivered] = smtputf8_sink.delivered
    assert delivered.rcpt_tos == ["bob@standard.example", "σοφία@xn--hxajbheg2az3al.example"]
    headers = delivered.raw.decode("utf-8").split("\r\n\r\n", 1)[0]
    assert "\r\nCc: σοφία@παράδειγμα.example" in headers  # SMTPUTF8: the header in UTF-8
    assert "carol" not in headers
