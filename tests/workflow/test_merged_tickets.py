"""What a merged ticket accepts, and the reopen window, answer the same on every face
(issue 8; the rules: frontline.tickets.services.entry).

The story: Bob (Initech) wrote about his login by mail; Alice (Globex) asked about
her nightly export. An agent merges Bob's ticket into Alice's, across customers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontline import workflow
from frontline.core.models import User
from frontline.costs.models import TimeEntry
from frontline.customers.models import Contact
from frontline.mail import addresses, compose
from frontline.mail.models import InboundState
from frontline.routing.models import EscalationDecision
from frontline.sla import clock as sla_clock
from frontline.sla.models import SlaPolicy
from frontline.tickets import access
from frontline.tickets.models import Message, MessageKind, Status, Ticket, TicketLink
from frontline.tickets.services.attachments import attach
from frontline.workflow import promises
from tests.desk.conftest import HTMX
from tests.mail.inbound_mails import compose as compose_mail
from tests.mail.inbound_mails import deliver

BOBS_WORDS = "Since the upgrade the login page says 'invalid token'."
ALICES_WORDS = "Our nightly export has failed three nights in a row"


def link(ticket: Ticket) -> str:
    """The portal link the ticket's requester got by mail."""
    return access.ticket_path(ticket, ticket.requester)


def closed_days_ago(ticket: Ticket, agent: User, days: int) -> Ticket:
    """The ticket resolved, confirmed closed, and that `days` ago."""
    workflow.change_status(ticket, agent, "resolved")
    workflow.change_status(ticket, agent, "closed")
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=days))
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def bobs_mail_ticket(bob: Contact, standard_plan) -> Ticket:
    """Bob wrote to support by mail (Message-ID bob-1@standard.example)."""
    inbound = deliver(compose_mail(message_id="bob-1@standard.example", body=BOBS_WORDS))
    assert inbound.ticket is not None
    return inbound.ticket


@pytest.fixture
def merged(bobs_mail_ticket: Ticket, alices_ticket: Ticket, lena: User) -> Ticket:
    """Bob's ticket merged into Alice's, the agent having confirmed the merge across
    customers. Returns Bob's (merged) ticket; Alice's lives on."""
    workflow.merge_tickets(bobs_mail_ticket, alices_ticket, lena, confirm_other_customer=True)
    bobs_mail_ticket.refresh_from_db()
    return bobs_mail_ticket


# -- merging across customers needs a confirmation ---------------------------------


def test_desk_asks_before_merging_another_customers_ticket_and_merges_when_confirmed(
        signed_in, lena, bobs_ticket, alices_ticket):
    client = signed_in(lena)
    asked = client.post(f"/t/{bobs_ticket.reference}/merge",
                        {"target": alices_ticket.reference}, **HTMX)
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "are different customers&#x27; requests" in html
    assert "each customer still sees only their own messages" in html
    assert 'name="confirm_other_customer" value="1"' in html
    assert f'name="target" value="{alices_ticket.reference}"' in html
    assert Ticket.objects.get(pk=bobs_ticket.pk).merged_into_id is None

    confirmed = client.post(f"/t/{bobs_ticket.reference}/merge",
                            {"target": alices_ticket.reference,
                             "confirm_other_customer": "1"}, **HTMX)
    assert confirmed.status_code == 204
    assert Ticket.objects.get(pk=bobs_ticket.pk).merged_into_id == alices_ticket.pk


def test_desk_without_javascript_shows_the_question_as_a_page(signed_in, lena, bobs_ticket,
                                                              alices_ticket):
    asked = signed_in(lena).post(f"/t/{bobs_ticket.reference}/merge",
                                 {"target": alices_ticket.reference})
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "Please confirm" in html and 'name="confirm_other_customer"' in html


def test_api_refuses_a_merge_across_customers_until_it_is_confirmed(api, lena, bobs_ticket,
                                                                      alices_ticket):
    client = api(lena)
    refused = client.post(f"/tickets/{bobs_ticket.reference}/merge",
                          {"into": alices_ticket.reference})
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "confirm_other_customer"
    assert "different customers' requests" in refused.json()["detail"]
    assert Ticket.objects.get(pk=bobs_ticket.pk).merged_into_id is None

    merged = client.post(f"/tickets/{bobs_ticket.reference}/merge",
                         {"into": alices_ticket.reference, "confirm_other_customer": True})
    assert merged.status_code == 200, merged.json()
    assert merged.json()["reference"] == alices_ticket.reference
    assert client.get(f"/tickets/{bobs_ticket.reference}").json()["merged_into"] == (
        alices_ticket.reference)


def test_one_customers_duplicates_merge_without_a_question(api, lena, bob, bobs_ticket):
    duplicate = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="Login broken", body="Still cannot log in!")
    merged = api(lena).post(f"/tickets/{duplicate.reference}/merge",
                            {"into": bobs_ticket.reference})
    assert merged.status_code == 200, merged.json()
    # Bob was party to both: his page shows both messages.
    page = Client().get(link(bobs_ticket)).content.decode()
    assert "Still cannot log in!" in page and "invalid token" in page


def test_merging_into_an_unknown_ticket_names_the_field(api, lena, bobs_ticket):
    response = api(lena).post(f"/tickets/{bobs_ticket.reference}/merge", {"into": "FL-999999"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "into"


# -- each customer sees only the messages they were party to -------------------------


def test_after_a_merge_across_customers_each_reads_only_their_own_conversation(
        merged, alices_ticket, lena, signed_in):
    workflow.add_reply(alices_ticket, lena, "Alice, the export timeout is now 10 minutes.")
    alices_page = Client().get(link(alices_ticket)).content.decode()
    assert ALICES_WORDS in alices_page
    assert "the export timeout is now 10 minutes" in alices_page
    assert "invalid token" not in alices_page  # Bob's words are not Alice's to read

    bobs_page = Client().get(link(merged)).content.decode()
    assert "invalid token" in bobs_page
    assert ALICES_WORDS not in bobs_page
    assert "the export timeout is now 10 minutes" not in bobs_page
    assert "combined this request with another one" in bobs_page

    # Staff read everything on the ticket that lives on.
    desk = signed_in(lena).get(f"/t/{alices_ticket.reference}").content.decode()
    assert "invalid token" in desk and ALICES_WORDS in desk
    moved = Message.objects.get(ticket=alices_ticket, kind=MessageKind.INBOUND,
                                body__contains="invalid token")
    assert moved.merged_from == merged


def test_a_customer_cannot_download_the_other_customers_files(merged, alices_ticket):
    bobs_message = Message.objects.get(ticket=alices_ticket, kind=MessageKind.INBOUND,
                                       body__contains="invalid token")
    bobs_file = attach(bobs_message, "bob-screenshot.png", b"\x89PNG bob")
    assert Client().get(link(alices_ticket) + f"/files/{bobs_file.pk}").status_code == 404
    assert Client().get(link(merged) + f"/files/{bobs_file.pk}").status_code == 200


def test_mail_to_the_survivors_requester_does_not_carry_the_other_customers_message_ids(
        merged, alices_ticket):
    _in_reply_to, references = compose.thread_ids(alices_ticket, None)
    assert "bob-1@standard.example" not in references
    _in_reply_to, bobs_references = compose.thread_ids(merged, None)
    assert bobs_references == []  # his messages live on Alice's ticket now


# -- every entry to a merged ticket lands on the surviving one -----------------------


def test_a_portal_reply_on_the_merged_ticket_lands_on_the_survivor_and_reopens_it(
        merged, alices_ticket, lena):
    workflow.change_status(alices_ticket, lena, "resolved")
    posted = Client().post(link(merged) + "/reply", {"body": "Still broken for me, sorry."})
    assert posted.status_code == 302
    reply = Message.objects.get(body="Still broken for me, sorry.")
    assert (reply.ticket, reply.merged_from, reply.author_contact) == (
        alices_ticket, merged, merged.requester)
    alices_ticket.refresh_from_db()
    merged.refresh_from_db()
    assert alices_ticket.status == Status.OPEN
    assert merged.status == Status.CLOSED and merged.merged_into == alices_ticket
    # Bob sees his reply; Alice does not.
    assert "Still broken for me" in Client().get(posted["Location"]).content.decode()
    assert "Still broken for me" not in Client().get(link(alices_ticket)).content.decode()


def test_a_mail_reply_to_the_merged_ticket_lands_on_the_survivor(merged, alices_ticket):
    by_address = deliver(compose_mail(to=addresses.reply_address(merged.pk),
                                      subject="Re: login", body="Any news?",
                                      cc="Erin Ops <erin@partner.example>"))
    by_message_id = deliver(compose_mail(subject="Re: login", body="Hello again?",
                                         in_reply_to="bob-1@standard.example"))
    for inbound in (by_address, by_message_id):
        assert inbound.state == InboundState.PROCESSED
        assert inbound.ticket == alices_ticket and inbound.message is not None
        assert (inbound.message.ticket, inbound.message.merged_from) == (alices_ticket, merged)
    merged.refresh_from_db()
    assert merged.status == Status.CLOSED
    # Erin, copied in by Bob, joins Bob's conversation, not Alice's.
    assert [p.contact.primary_email for p in merged.participants.all()] == [
        "erin@partner.example"]
    assert not alices_ticket.participants.exists()
    assert "Any news?" not in Client().get(link(alices_ticket)).content.decode()


def test_a_note_lands_on_the_survivor_but_a_reply_to_another_customer_is_refused(
        api, lena, merged, alices_ticket):
    client = api(lena)
    note = client.post(f"/tickets/{merged.reference}/messages",
                       {"kind": "note", "body": "Bob's login issue folded in here."})
    assert note.status_code == 201 and note.json()["ticket"] == alices_ticket.reference
    reply = client.post(f"/tickets/{merged.reference}/messages",
                        {"kind": "reply", "body": "Bob, please clear your cookies."})
    assert reply.status_code == 409
    assert "another customer's request" in reply.json()["detail"]
    assert not Message.objects.filter(body="Bob, please clear your cookies.").exists()


def test_the_desk_composer_of_a_page_opened_before_the_merge_moves_to_the_survivor(
        signed_in, lena, merged, alices_ticket):
    response = signed_in(lena).post(f"/t/{merged.reference}/messages",
                                    {"kind": "note", "body": "Seen before the merge"}, **HTMX)
    assert response.status_code == 204
    assert response["HX-Location"] == f"/t/{alices_ticket.reference}?merged={merged.reference}"
    assert Message.objects.get(body="Seen before the merge").ticket == alices_ticket


def test_time_logged_on_the_merged_ticket_counts_on_the_survivor(api, lena, merged,
                                                                   alices_ticket):
    response = api(lena).post(f"/tickets/{merged.reference}/time", {"minutes": 15})
    assert response.status_code == 201, response.json()
    assert TimeEntry.objects.get(pk=response.json()["id"]).ticket == alices_ticket


def test_a_merged_tickets_promises_stop_so_no_breach_action_runs_on_it(
        lena, bob, bobs_ticket, standard_plan):
    """A breach action is a change, which a merged ticket refuses: its clock stops."""
    SlaPolicy.objects.create(plan=standard_plan, first_response_minutes=60, move_to_tier=2,
                             formal=True)
    sla_clock.clear_cache()
    duplicate = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="Login broken", body="Still cannot log in!")
    clock = duplicate.clock
    assert clock.first_response_due is not None and clock.sla_check_at is not None
    workflow.merge_tickets(duplicate, bobs_ticket, lena)
    duplicate.refresh_from_db()
    assert (duplicate.clock.first_response_due, duplicate.clock.sla_check_at) == (None, None)
    # The scan passes it by (before, its breach action escalated a closed duplicate).
    promises.scan_due(timezone.now() + timedelta(days=2))
    duplicate.refresh_from_db()
    assert duplicate.tier == 1
    assert not EscalationDecision.objects.filter(ticket=duplicate).exists()


def test_changes_to_a_merged_ticket_are_refused_alike_on_desk_and_api(
        api, signed_in, lena, merged, alices_ticket):
    expected = (f"{merged.reference} was merged into {alices_ticket.reference}; "
                f"change {alices_ticket.reference} instead.")
    patch = api(lena).patch(f"/tickets/{merged.reference}", {"priority": "high"})
    escalate = api(lena).post(f"/tickets/{merged.reference}/escalate",
                              {"tier": 2, "reason": "Needs a specialist", "tried": "Cookies"})
    desk = signed_in(lena).post(f"/t/{merged.reference}/set/priority", {"value": "3"}, **HTMX)
    assert patch.status_code == escalate.status_code == desk.status_code == 409
    assert patch.json()["detail"] == escalate.json()["detail"] == expected
    assert expected in desk.content.decode()


# -- the reopen window is one decision --------------------------------------------------


@pytest.mark.parametrize(("days", "reopens"), [(3, True), (30, False)])
def test_the_reopen_window_decides_alike_for_a_mail_and_a_portal_reply(
        settings, lena, bob, bobs_mail_ticket, days, reopens):
    settings.FRONTLINE_REOPEN_WINDOW_DAYS = 14
    decision = workflow.customer_message_decision(closed_days_ago(bobs_mail_ticket, lena, days))
    assert decision.accepted is reopens

    portal = Client().post(link(bobs_mail_ticket) + "/reply", {"body": "Portal: it broke."})
    mail = deliver(compose_mail(to=addresses.reply_address(bobs_mail_ticket.pk),
                                subject="Re: login", body="Mail: it broke."))
    bobs_mail_ticket.refresh_from_db()
    if reopens:
        assert portal.status_code == 302
        assert mail.ticket == bobs_mail_ticket
        assert bobs_mail_ticket.status == Status.OPEN
    else:
        assert portal.status_code == 409
        assert decision.sentence in portal.content.decode().replace("&#x27;", "'")
        assert not Message.objects.filter(body="Portal: it broke.").exists()
        assert mail.ticket != bobs_mail_ticket  # a new ticket, linked to the old one
        assert TicketLink.objects.filter(from_ticket=bobs_mail_ticket,
                                         to_ticket=mail.ticket).exists()
        assert decision.reason in mail.error
        assert bobs_mail_ticket.status == Status.CLOSED


def test_the_reopen_window_is_measured_on_the_ticket_that_lives_on(
        settings, lena, merged, alices_ticket):
    """Bob's merged ticket closed with the merge; Alice's is open: Bob's reply is taken."""
    settings.FRONTLINE_REOPEN_WINDOW_DAYS = 14
    Ticket.objects.filter(pk=merged.pk).update(closed_at=timezone.now() - timedelta(days=60))
    decision = workflow.customer_message_decision(Ticket.objects.get(pk=merged.pk))
    assert decision.accepted and decision.ticket == alices_ticket
    inbound = deliver(compose_mail(to=addresses.reply_address(merged.pk),
                                   subject="Re: login", body="Any news?"))
    assert inbound.ticket == alices_ticket and inbound.message is not None
    assert inbound.message.merged_from == merged
