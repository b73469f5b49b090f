"""`POST /tickets/{ref}/messages` with `to` and `cc` (issue 12): where a reply is
mailed, checked (422 naming the field), answered with where it went; the API sends
at once (no undo window) and `seen` still holds a send."""

from __future__ import annotations

from django.utils import timezone

from frontline import workflow
from frontline.mail.models import OutboundMail
from frontline.tickets.models import Message, Participant
from tests.api.conftest import field_errors
from tests.factories import ContactFactory


def post(client, ticket, **payload):
    return client.post(f"/tickets/{ticket.reference}/messages", {"kind": "reply", **payload})


def test_a_reply_goes_where_the_client_says_and_the_answer_repeats_it(api, lena, bobs_ticket,
                                                                      settings):
    settings.FRONTLINE_UNDO_SEND_SECONDS = 30  # the desk's window; not the API's
    response = post(api(lena), bobs_ticket, body="Aquí tienen el parche.",
                    to=["Bob@Standard.example"], cc=["josé@añejo.example", "ops@standard.example"])
    assert response.status_code == 201
    body = response.json()
    assert body["mailed_to"] == ["bob@standard.example"]
    assert body["mailed_cc"] == ["josé@añejo.example", "ops@standard.example"]
    mail = OutboundMail.objects.get(message_id=body["id"])
    assert mail.next_attempt_at == mail.created_at  # sent at once


def test_left_out_the_default_stands(api, lena, bobs_ticket):
    carol = ContactFactory(name="Carol Ruiz", email="carol.ruiz@standard.example")
    Participant.objects.create(ticket=bobs_ticket, contact=carol, added_at=timezone.now())
    body = post(api(lena), bobs_ticket, body="Hello both.").json()
    assert (body["mailed_to"], body["mailed_cc"]) == (["bob@standard.example"],
                                                      ["carol.ruiz@standard.example"])
    body = post(api(lena), bobs_ticket, body="Only Bob now.", cc=[]).json()
    assert body["mailed_cc"] == []


def test_a_bad_address_is_422_naming_the_field(api, lena, bobs_ticket):
    response = post(api(lena), bobs_ticket, body="Nope.", cc=["ops@@standard.example"])
    assert response.status_code == 422
    assert field_errors(response) == {
        "cc": "'ops@@standard.example' is not a valid email address."}
    response = post(api(lena), bobs_ticket, body="Nope.", to=[], cc=["ops@standard.example"])
    assert response.status_code == 422 and set(field_errors(response)) == {"to"}
    assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()


def test_a_note_takes_no_recipients(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages",
                              {"kind": "note", "body": "Internal.", "to": ["x@y.example"]})
    assert response.status_code == 422 and set(field_errors(response)) == {"to"}


def test_undo_seconds_is_not_an_api_field(api, lena, bobs_ticket):
    response = post(api(lena), bobs_ticket, body="Undo?", undo_seconds=10)
    assert response.status_code == 422


def test_seen_still_holds_a_reply_with_recipients(api, lena, bob, bobs_ticket):
    seen = Message.objects.filter(ticket=bobs_ticket).order_by("-pk").values_list(
        "pk", flat=True)[0]
    workflow.add_customer_message(bobs_ticket, bob, "Never mind, found it.")
    response = post(api(lena), bobs_ticket, body="Try this.", seen=seen,
                    cc=["ops@standard.example"])
    assert response.status_code == 409
    assert [m["body"] for m in response.json()["newer"]] == ["Never mind, found it."]
    assert not OutboundMail.objects.filter(message__author_user=lena).exists()
