""""New ticket" in the desk (issue 12): an agent opens a request on a customer's
behalf, through the same workflow as every channel."""

from __future__ import annotations

from frontline.customers.models import Contact
from frontline.tickets.models import Event, Ticket


def test_an_agent_opens_a_ticket_for_a_known_customer(signed_in, lena, bob, installation):
    client = signed_in(lena)
    form = client.get("/tickets/new?email=bob@standard.example").content.decode()
    assert 'value="bob@standard.example"' in form and "Open the ticket" in form
    response = client.post("/tickets/new", {
        "requester_email": "Bob@Standard.example", "subject": "Lizenzschlüssel abgelaufen",
        "body": "Herr Standard rief an: der Schlüssel lief gestern ab.",
        "category": installation.slug, "priority": "3", "channel": "phone"})
    ticket = Ticket.objects.get(subject="Lizenzschlüssel abgelaufen")
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert (ticket.requester, ticket.channel, ticket.category, ticket.priority) == (
        bob, "phone", installation, 3)
    created = Event.objects.get(ticket=ticket, kind="created")
    assert created.actor == lena  # opened on the customer's behalf, by her
    assert "Herr Standard rief an" in client.get(ticket.get_absolute_url()).content.decode()


def test_an_unknown_address_becomes_a_new_contact(signed_in, otto, db):
    signed_in(otto).post("/tickets/new", {
        "requester_email": "mei.tanaka@example.jp", "requester_name": "Mei Tanaka",
        "subject": "請求書の宛先を変更したい", "body": "Please send invoices to the new office.",
        "priority": "2", "channel": "email"})
    ticket = Ticket.objects.get()
    contact = Contact.objects.get(pk=ticket.requester_id)
    assert contact.name == "Mei Tanaka" and ticket.channel == "email"


def test_a_bad_form_comes_back_with_what_was_typed_and_the_field_named(signed_in, lena, db):
    response = signed_in(lena).post("/tickets/new", {
        "requester_email": "not an address", "subject": "Export hangs",
        "body": "At 99 %.", "priority": "2", "channel": "phone"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="flash error"' in html and 'value="Export hangs"' in html
    assert 'aria-invalid="true"' in html and not Ticket.objects.exists()
    empty = signed_in(lena).post("/tickets/new", {"requester_email": "bob@standard.example",
                                                  "subject": "", "body": ""})
    assert empty.status_code == 422 and not Ticket.objects.exists()


def test_viewers_and_developers_are_not_offered_new_tickets(signed_in, vera, dana, lena, db):
    for person in (vera, dana):
        client = signed_in(person)
        assert client.get("/tickets/new").status_code == 403
        assert 'href="/tickets/new"' not in client.get("/notifications").content.decode()
    assert 'href="/tickets/new"' in signed_in(lena).get("/notifications").content.decode()

