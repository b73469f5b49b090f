"""The ticket lifecycle, told as support stories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from frontline.tickets.models import Event, Message, Priority, Status, Ticket, TicketLink


def kinds(ticket: Ticket) -> list[str]:
    """The lifecycle's events (the facts read from each message aside: tests/intake)."""
    events = Event.objects.filter(ticket=ticket).exclude(kind="fact_set").order_by("at", "id")
    return list(events.values_list("kind", flat=True))


def test_a_new_ticket_gets_a_short_reference_and_its_first_message(bobs_ticket, bob):
    assert bobs_ticket.reference.startswith("FL-")
    assert bobs_ticket.pk >= 10001
    assert bobs_ticket.status == Status.NEW
    assert bobs_ticket.requester == bob
    assert bobs_ticket.organization == bob.organization
    [message] = bobs_ticket.messages.all()
    assert message.kind == "inbound" and "invalid token" in message.body
    assert kinds(bobs_ticket) == ["created"]


def test_references_are_never_reused_after_a_delete(bob, standard_plan):
    first = workflow.open_ticket(requester_email="bob@standard.example", subject="A", body="x")
    number = first.pk
    first.delete()
    second = workflow.open_ticket(requester_email="bob@standard.example", subject="B", body="y")
    assert second.pk > number


def test_a_stranger_becomes_a_contact_of_the_organization_owning_their_domain(initech):
    ticket = workflow.open_ticket(requester_email="Carol@Standard.Example",
                                  requester_name="Carol", subject="Hi", body="Question")
    assert ticket.requester.primary_email == "carol@standard.example"
    assert ticket.organization == initech


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("subject", {"subject": "   "}),
        ("body", {"body": ""}),
        ("requester_email", {"requester_email": "not-an-address"}),
        ("priority", {"priority": "whenever"}),
        ("channel", {"channel": "pigeon"}),
        ("category", {"category": "no-such-thing"}),
        ("product", {"product": "no-such-product"}),
    ],
)
def test_bad_input_names_the_field(db, field, kwargs):
    arguments = {"requester_email": "x@example.com", "subject": "S", "body": "B", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        workflow.open_ticket(**arguments)
    assert caught.value.field == field
    assert Ticket.objects.count() == 0


def test_agent_reply_is_the_first_response_and_takes_the_ticket(bobs_ticket, lena):
    reply = workflow.add_reply(bobs_ticket, lena, "Please clear your browser cache.")
    bobs_ticket.refresh_from_db()
    assert reply.kind == "outbound" and reply.author_user == lena
    assert bobs_ticket.first_response_at == reply.created_at
    assert bobs_ticket.assignee == lena
    assert bobs_ticket.status == Status.OPEN
    assert kinds(bobs_ticket) == ["created", "first_response", "assigned", "status_changed"]


def test_reply_can_set_pending_customer_and_the_answer_reopens_work(bobs_ticket, lena, bob):
    workflow.add_reply(bobs_ticket, lena, "Which browser?", status="pending_customer")
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.PENDING_CUSTOMER
    workflow.add_customer_message(bobs_ticket, bob, "Firefox 130")
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.OPEN
    assert bobs_ticket.last_customer_message_at is not None


def test_internal_note_is_not_public(bobs_ticket, lena):
    note = workflow.add_note(bobs_ticket, lena, "Looks like the session bug from 4.2")
    assert note.kind == "note" and not note.is_public


def test_viewer_reads_but_cannot_change(bobs_ticket, vera):
    with pytest.raises(NotAllowed):
        workflow.add_reply(bobs_ticket, vera, "hello")
    with pytest.raises(NotAllowed):
        workflow.set_priority(bobs_ticket, vera, "high")
    assert Message.objects.filter(ticket=bobs_ticket).count() == 1


def test_developer_cannot_touch_tier_one_tickets(bobs_ticket, dana, otto):
    with pytest.raises(NotAllowed):
        workflow.add_note(bobs_ticket, dana, "hm")
    workflow.set_tier(bobs_ticket, otto, 3, reason="Needs a code fix")
    workflow.add_note(bobs_ticket, dana, "Reproduced on main.")
    assert kinds(bobs_ticket)[-1] == "escalated"


def test_closing_needs_a_resolution_first(bobs_ticket, lena):
    with pytest.raises(InvalidTransition) as caught:
        workflow.change_status(bobs_ticket, lena, "closed")
    assert "Resolve it first" in caught.value.message
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.NEW


def test_resolved_ticket_reopens_when_the_customer_writes(bobs_ticket, lena, bob):
    workflow.change_status(bobs_ticket, lena, "resolved")
    workflow.add_customer_message(bobs_ticket, bob, "Still broken, sorry")
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.OPEN
    assert bobs_ticket.resolved_at is None
    assert "reopened" in kinds(bobs_ticket)


def test_customer_confirmation_closes_a_resolved_ticket(bobs_ticket, lena, bob):
    workflow.change_status(bobs_ticket, lena, "resolved")
    workflow.confirm_resolution(bobs_ticket, bob)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.CLOSED and bobs_ticket.closed_at is not None


def test_quiet_resolved_ticket_gets_one_reminder_then_closes(bobs_ticket, lena, settings):
    settings.FRONTLINE_RESOLVED_QUIET_DAYS = 7
    settings.FRONTLINE_RESOLVED_REMINDER_DAYS = 5
    workflow.change_status(bobs_ticket, lena, "resolved")
    start = timezone.now()
    assert workflow.close_quiet_resolved(start + timedelta(days=4)) == {"reminded": 0, "closed": 0}
    assert workflow.close_quiet_resolved(start + timedelta(days=5, hours=1)) == {
        "reminded": 1, "closed": 0}
    assert workflow.close_quiet_resolved(start + timedelta(days=6)) == {"reminded": 0, "closed": 0}
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.RESOLVED
    assert workflow.close_quiet_resolved(start + timedelta(days=7, hours=1)) == {
        "reminded": 0, "closed": 1}
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.CLOSED
    reminder = bobs_ticket.messages.filter(kind="outbound").get()
    assert "resolved" in reminder.body


def test_a_customer_message_in_the_quiet_period_stops_the_close(bobs_ticket, lena, bob):
    workflow.change_status(bobs_ticket, lena, "resolved")
    workflow.add_customer_message(bobs_ticket, bob, "wait, one more thing")
    assert workflow.close_quiet_resolved(timezone.now() + timedelta(days=30))["closed"] == 0
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.OPEN


def test_patch_changes_all_or_nothing(bobs_ticket, lena, frontdesk):
    with pytest.raises(InvalidInput) as caught:
        workflow.update_ticket(bobs_ticket, lena, {"priority": "high", "tier": 7})
    assert caught.value.field == "tier"
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.priority == Priority.NORMAL
    workflow.update_ticket(bobs_ticket, lena, {"priority": "urgent", "team": "Frontdesk",
                                               "assignee": "lena", "status": "open"})
    bobs_ticket.refresh_from_db()
    assert (bobs_ticket.priority, bobs_ticket.team, bobs_ticket.assignee, bobs_ticket.status) == (
        Priority.URGENT, frontdesk, lena, Status.OPEN)
    events = Event.objects.filter(ticket=bobs_ticket, kind="priority_changed").get()
    assert (events.before, events.after, events.actor) == ("normal", "urgent", lena)


def test_merge_moves_messages_and_the_old_reference_redirects(bobs_ticket, lena, bob):
    duplicate = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="login broken", body="Same problem as before")
    workflow.merge_tickets(duplicate, bobs_ticket, lena)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == bobs_ticket and duplicate.status == Status.CLOSED
    assert bobs_ticket.messages.count() == 2
    assert workflow.surviving_ticket(workflow.get_ticket(duplicate.reference)) == bobs_ticket
    with pytest.raises(InvalidTransition):
        workflow.merge_tickets(duplicate, bobs_ticket, lena)


def test_link_is_symmetric_and_recorded_on_both(bobs_ticket, alices_ticket, lena):
    workflow.link_tickets(alices_ticket, bobs_ticket, lena)
    workflow.link_tickets(bobs_ticket, alices_ticket, lena)
    assert TicketLink.objects.count() == 1
    assert kinds(bobs_ticket)[-1] == "linked" and kinds(alices_ticket)[-1] == "linked"


def test_unknown_reference_is_a_clear_not_found(db):
    with pytest.raises(NotFound):
        workflow.get_ticket("FL-99999999")
    with pytest.raises(NotFound):
        workflow.get_ticket("hello")


def test_a_reply_on_a_closed_ticket_needs_an_explicit_reopen(bobs_ticket, lena, bob):
    workflow.change_status(bobs_ticket, lena, "resolved")
    workflow.confirm_resolution(bobs_ticket, bob)
    with pytest.raises(InvalidTransition, match="reopen it to reply"):
        workflow.add_reply(bobs_ticket, lena, "Hello again")
    workflow.add_reply(bobs_ticket, lena, "Hello again", reopen=True)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.OPEN
