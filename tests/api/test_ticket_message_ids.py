"""Every email message in GET /tickets/{ref} carries its mail's Message-ID (as stored:
without the angle brackets), in and out; other messages carry null."""

from __future__ import annotations

from frontline import workflow
from frontline.tickets.models import Message, Ticket
from tests.mail.inbound_mails import compose, deliver


def _messages(client, ticket: Ticket) -> list[dict]:
    response = client.get(f"/tickets/{ticket.reference}")
    assert response.status_code == 200, response.content
    return [e for e in response.json()["timeline"] if e["type"] == "message"]


def test_mails_carry_their_message_id_and_other_messages_null(api, lena, bob, standard_plan):
    deliver(compose(subject="Export fails nightly", message_id="CAF3x9q2.7781@client.example",
                    body="The nightly export stopped on Monday."))
    ticket = Ticket.objects.get(subject="Export fails nightly")
    deliver(compose(subject="Re: Export fails nightly", body="It failed again tonight.",
                    message_id="b0c1-44e2.A7$x@Client.Example",
                    in_reply_to="CAF3x9q2.7781@client.example"))
    workflow.add_note(ticket, lena, "Checked the job log: timeout at 02:00.")
    messages = _messages(api(lena), ticket)
    assert [(m["kind"], m["message_id"]) for m in messages] == [
        ("inbound", "CAF3x9q2.7781@client.example"),
        ("outbound", messages[1]["message_id"]),  # our acknowledgement, sent by email
        ("inbound", "b0c1-44e2.A7$x@Client.Example"),
        ("note", None)]
    assert "@" in messages[1]["message_id"]
    stored = Message.objects.filter(ticket=ticket).order_by("pk")
    assert [m["message_id"] or "" for m in messages] == [m.email_message_id for m in stored]


def test_a_ticket_from_the_web_form_has_no_message_id(api, vera, bobs_ticket):
    messages = _messages(api(vera), bobs_ticket)
    assert [(m["channel"], m["message_id"]) for m in messages] == [("web", None)]
