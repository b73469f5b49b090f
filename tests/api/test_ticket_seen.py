"""`POST /tickets/{ref}/messages` with `seen` (issue 12): 409 with the newer messages
in the one error shape when somebody wrote after it; sent otherwise."""

from __future__ import annotations

from frontline import workflow
from frontline.tickets.models import Message, Ticket
from tests.api.conftest import field_errors


def newest(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket).order_by("-pk").values_list(
        "pk", flat=True)[0]


def timeline_newest_message(client, ticket: Ticket) -> int:
    """What a client reads: the newest `type: message` entry of GET's timeline."""
    entries = client.get(f"/tickets/{ticket.reference}").json()["timeline"]
    return max(entry["id"] for entry in entries if entry["type"] == "message")


def test_a_reply_after_a_colleagues_is_409_with_the_newer_messages(api, lena, otto, bob,
                                                                    bobs_ticket):
    client = api(lena)
    seen = timeline_newest_message(client, bobs_ticket)
    ottos = workflow.add_reply(bobs_ticket, otto, "Clear the token cache, please.")
    bobs = workflow.add_customer_message(bobs_ticket, bob, "Done, still broken.")
    response = client.post(f"/tickets/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "Try again now?", "seen": seen})
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"detail", "errors", "newer"}
    assert body["detail"].startswith("Otto Level-Two replied and Bob Standard wrote on "
                                     f"{bobs_ticket.reference}")
    assert body["errors"] == [{"field": "seen", "message": body["detail"]}]
    assert [(m["type"], m["id"], m["kind"], m["body"]) for m in body["newer"]] == [
        ("message", ottos.pk, "outbound", "Clear the token cache, please."),
        ("message", bobs.pk, "inbound", "Done, still broken.")]
    assert body["newer"][0]["author"]["username"] == "otto"
    assert not Message.objects.filter(ticket=bobs_ticket, author_user=lena).exists()


def test_with_the_newest_seen_it_is_sent(api, lena, otto, bobs_ticket):
    client = api(lena)
    workflow.add_note(bobs_ticket, otto, "Internal: 4.2 token bug, see problem board.")
    seen = timeline_newest_message(client, bobs_ticket)
    response = client.post(f"/tickets/{bobs_ticket.reference}/messages",
                           {"kind": "note", "body": "Linked it.", "seen": seen})
    assert response.status_code == 201
    assert response.json()["body"] == "Linked it."


def test_without_seen_it_is_sent_as_before(api, lena, otto, bobs_ticket):
    workflow.add_reply(bobs_ticket, otto, "Working on it.")
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/messages",
                              {"kind": "reply", "body": "Me too."})
    assert response.status_code == 201


def test_a_seen_of_another_ticket_or_out_of_range_is_422(api, lena, bobs_ticket,
                                                       alices_ticket):
    client = api(lena)
    url = f"/tickets/{bobs_ticket.reference}/messages"
    other = client.post(url, {"kind": "reply", "body": "Hi", "seen": newest(alices_ticket)})
    assert other.status_code == 422
    assert "is not on " + bobs_ticket.reference in field_errors(other)["seen"]
    for wrong in (-3, "latest", 2**64, 1.5):
        response = client.post(url, {"kind": "reply", "body": "Hi", "seen": wrong})
        assert response.status_code == 422, wrong
        assert "seen" in field_errors(response)
    assert not Message.objects.filter(ticket=bobs_ticket, author_user=lena).exists()


def test_the_schema_documents_seen_and_newer(api, lena):
    schema = api(lena).get("/openapi.json").json()
    post = schema["paths"]["/api/v1/tickets/{reference}/messages"]["post"]
    conflict = post["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict["$ref"].endswith("/NewerEntriesOut")
    created = schema["components"]["schemas"]["MessageCreateIn"]["properties"]["seen"]
    assert "type: message" in created["description"]
