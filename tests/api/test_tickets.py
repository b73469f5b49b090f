"""Tickets through the API, told as support stories."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.tickets.models import Event, Message, Priority, Status, Ticket
from tests.api.conftest import field_errors
from tests.factories import CategoryFactory, TeamFactory


def test_lena_opens_a_ticket_for_a_caller_and_gets_its_reference(api, lena, bob, installation):
    response = api(lena).post("/tickets", {
        "subject": "Installer stops at 80%",
        "body": "Bob called: the installer hangs at 80% on Windows Server 2022.",
        "requester_email": "bob@standard.example",
        "category": "installation",
        "priority": "high",
    })
    assert response.status_code == 201, response.json()
    ticket = response.json()
    stored = Ticket.objects.get()
    assert ticket["reference"] == stored.reference and ticket["reference"].startswith("FL-")
    assert ticket["url"] == f"/t/{stored.reference}"
    assert ticket["status"] == "new" and ticket["priority"] == "high"
    assert ticket["category"] == "installation" and ticket["channel"] == "api"
    assert ticket["requester"] == {"id": bob.pk, "name": "Bob Standard",
                                   "email": "bob@standard.example"}
    assert ticket["organization"] == {"id": bob.organization.pk, "name": "Initech"}
    assert ticket["merged_into"] is None and ticket["assignee"] is None
    created = Event.objects.get(ticket=stored, kind="created")
    assert created.actor == lena


def test_a_stranger_becomes_a_contact_of_their_domain_s_organization(api, lena, initech):
    response = api(lena).post("/tickets", {
        "subject": "Hello", "body": "First time writing.",
        "requester_email": "Carol@Standard.Example", "requester_name": "Carol",
        "channel": "phone",
    })
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["requester"]["email"] == "carol@standard.example"
    assert ticket["requester"]["name"] == "Carol"
    assert ticket["organization"]["name"] == "Initech"
    assert ticket["channel"] == "phone"


@pytest.mark.parametrize(("body", "field"), [
    ({"subject": "  ", "body": "b", "requester_email": "x@example.com"}, "subject"),
    ({"subject": "s", "body": "", "requester_email": "x@example.com"}, "body"),
    ({"subject": "s", "body": "b", "requester_email": "not-an-address"}, "requester_email"),
    ({"subject": "s", "body": "b"}, "requester_email"),
    ({"subject": "s", "body": "b", "requester_email": "x@example.com", "priority": "asap"},
     "priority"),
    ({"subject": "s", "body": "b", "requester_email": "x@example.com", "category": "nope"},
     "category"),
    ({"subject": "s", "body": "b", "requester_email": "x@example.com", "channel": "pigeon"},
     "channel"),
    ({"subject": "s", "body": "b", "requester_email": "x@example.com", "version": "4.2"},
     "version"),
    ({"subject": "s", "body": "b", "requester_email": "x@example.com", "urgent": True},
     "urgent"),
])
def test_bad_ticket_input_is_422_naming_the_field_and_opens_nothing(api, lena, body, field):
    response = api(lena).post("/tickets", body)
    assert response.status_code == 422
    assert field in field_errors(response)
    assert Ticket.objects.count() == 0


def test_vera_the_viewer_reads_but_cannot_write(api, vera, bobs_ticket):
    client = api(vera)
    assert client.get("/tickets").status_code == 200
    assert client.get(f"/tickets/{bobs_ticket.reference}").status_code == 200

    opened = client.post("/tickets", {"subject": "s", "body": "b",
                                      "requester_email": "bob@standard.example"})
    replied = client.post(f"/tickets/{bobs_ticket.reference}/messages",
                          {"kind": "reply", "body": "Hi"})
    changed = client.patch(f"/tickets/{bobs_ticket.reference}", {"priority": "urgent"})
    assert [opened.status_code, replied.status_code, changed.status_code] == [403, 403, 403]
    assert "viewer" in changed.json()["detail"].lower()
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.priority == Priority.NORMAL


def test_dana_the_developer_sees_only_tier_3_tickets(api, dana, otto, bobs_ticket,
                                                      alices_ticket):
    workflow.set_tier(alices_ticket, otto, 3, reason="Needs a fix in the exporter")
    client = api(dana)

    listed = client.get("/tickets").json()["items"]
    assert [t["reference"] for t in listed] == [alices_ticket.reference]

    escalated = client.get(f"/tickets/{alices_ticket.reference}")
    assert escalated.status_code == 200 and escalated.json()["tier"] == 3

    below = client.get(f"/tickets/{bobs_ticket.reference}")
    assert below.status_code == 403
    assert bobs_ticket.reference in below.json()["detail"]
    note = client.post(f"/tickets/{bobs_ticket.reference}/messages",
                       {"kind": "note", "body": "peek"})
    assert note.status_code == 403


def test_an_unknown_reference_is_404(api, lena):
    client = api(lena)
    assert client.get("/tickets/FL-99999").status_code == 404
    assert client.get("/tickets/not-a-reference").status_code == 404
    assert client.patch("/tickets/FL-99999", {"priority": "low"}).status_code == 404
    missing = client.post("/tickets/FL-99999/messages", {"kind": "note", "body": "x"})
    assert missing.status_code == 404
    assert "FL-99999" in missing.json()["detail"]


def test_the_timeline_tells_the_story_in_order(api, lena, bob, bobs_ticket):
    client = api(lena)
    ref = bobs_ticket.reference
    assert client.post(f"/tickets/{ref}/messages",
                       {"kind": "note", "body": "Probably the session cookie."}).status_code == 201
    reply = client.post(f"/tickets/{ref}/messages",
                        {"kind": "reply", "body": "Could you clear your cookies?",
                         "status": "pending_customer"})
    assert reply.status_code == 201
    assert reply.json()["kind"] == "outbound" and reply.json()["ticket"] == ref
    workflow.add_customer_message(bobs_ticket, bob, "That fixed it, thanks!")

    response = client.get(f"/tickets/{ref}")
    assert response.status_code == 200
    ticket = response.json()
    assert ticket["status"] == "open" and ticket["assignee"] == "lena"
    story = [(e["type"], e["kind"]) for e in ticket["timeline"]]
    assert story == [
        ("message", "inbound"), ("event", "created"),
        ("message", "note"),
        ("message", "outbound"), ("event", "first_response"), ("event", "assigned"),
        ("event", "status_changed"),
        ("message", "inbound"), ("event", "status_changed"),
    ]
    times = [e["at"] for e in ticket["timeline"]]
    assert times == sorted(times)
    first, _, note, outbound, _, assigned, pending, _, reopened = ticket["timeline"]
    assert first["author"] == {"name": "Bob Standard", "username": None, "contact_id": bob.pk,
                               "automatic": False}
    assert note["body"] == "Probably the session cookie."
    assert note["author"]["username"] == "lena"
    assert outbound["body"] == "Could you clear your cookies?"
    assert assigned["before"] is None and assigned["after"] == "lena"
    assert (pending["before"], pending["after"]) == ("new", "pending_customer")
    assert (reopened["before"], reopened["after"]) == ("pending_customer", "open")
    assert reopened["actor"]["contact_id"] == bob.pk


def test_a_note_cannot_carry_a_status_and_a_message_needs_a_kind(api, lena, bobs_ticket):
    client = api(lena)
    ref = bobs_ticket.reference
    with_status = client.post(f"/tickets/{ref}/messages",
                              {"kind": "note", "body": "x", "status": "resolved"})
    assert with_status.status_code == 422 and "status" in field_errors(with_status)
    no_kind = client.post(f"/tickets/{ref}/messages", {"body": "x"})
    assert no_kind.status_code == 422 and "kind" in field_errors(no_kind)
    bad_kind = client.post(f"/tickets/{ref}/messages", {"kind": "email", "body": "x"})
    assert bad_kind.status_code == 422 and "kind" in field_errors(bad_kind)
    empty = client.post(f"/tickets/{ref}/messages", {"kind": "reply", "body": "   "})
    assert empty.status_code == 422 and "body" in field_errors(empty)
    assert Message.objects.count() == 1


def test_patch_changes_several_fields_at_once(api, lena, otto, bobs_ticket):
    TeamFactory(name="Specialists", tier=2)
    CategoryFactory(name="Login", slug="login")
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}", {
        "priority": "urgent", "tier": 2, "team": "Specialists", "assignee": "otto",
        "category": "login", "status": "pending_internal",
        "reason": "Login fails for every SSO user; needs a specialist.",
    })
    assert response.status_code == 200, response.json()
    ticket = response.json()
    assert (ticket["priority"], ticket["tier"], ticket["team"], ticket["assignee"],
            ticket["category"], ticket["status"]) == (
        "urgent", 2, "Specialists", "otto", "login", "pending_internal")
    kinds = set(Event.objects.filter(ticket=bobs_ticket).values_list("kind", flat=True))
    assert {"priority_changed", "escalated", "team_changed", "assigned",
            "category_changed", "status_changed"} <= kinds


def test_patch_is_all_or_nothing(api, lena, bobs_ticket):
    before = Event.objects.count()
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}",
                               {"priority": "urgent", "tier": 2, "assignee": "nobody-here",
                                "reason": "Needs a specialist"})
    assert response.status_code == 422
    assert "assignee" in field_errors(response)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.priority == Priority.NORMAL and bobs_ticket.tier == 1
    assert Event.objects.count() == before


def test_patch_to_a_status_the_ticket_cannot_reach_is_409(api, lena, bobs_ticket):
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}",
                               {"status": "closed", "priority": "high"})
    assert response.status_code == 409
    assert "Resolve it first" in response.json()["detail"]
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.NEW and bobs_ticket.priority == Priority.NORMAL


def test_patch_can_clear_the_assignee_but_not_the_status(api, lena, bobs_ticket):
    client = api(lena)
    ref = bobs_ticket.reference
    assert client.patch(f"/tickets/{ref}", {"assignee": "lena"}).json()["assignee"] == "lena"
    assert client.patch(f"/tickets/{ref}", {"assignee": None}).json()["assignee"] is None
    nulled = client.patch(f"/tickets/{ref}", {"status": None})
    assert nulled.status_code == 422 and "status" in field_errors(nulled)
    unknown = client.patch(f"/tickets/{ref}", {"requester": "someone"})
    assert unknown.status_code == 422 and "requester" in field_errors(unknown)


def test_a_merged_ticket_still_answers_and_points_to_where_it_went(api, lena, bobs_ticket,
                                                                     bob):
    duplicate = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="Login broken", body="Still cannot log in!")
    workflow.merge_tickets(duplicate, bobs_ticket, lena)
    client = api(lena)

    response = client.get(f"/tickets/{duplicate.reference}")
    assert response.status_code == 200
    assert response.json()["merged_into"] == bobs_ticket.reference
    assert response.json()["status"] == "closed"

    posted = client.post(f"/tickets/{duplicate.reference}/messages",
                         {"kind": "note", "body": "Following up on the merged one."})
    assert posted.status_code == 201 and posted.json()["ticket"] == bobs_ticket.reference
    assert client.patch(f"/tickets/{duplicate.reference}",
                        {"priority": "high"}).status_code == 409
