"""What a problem sends to its customers: the workaround, and the fix's release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.customers.models import Product, Version
from frontline.mail.models import OutboundMail
from frontline.problems import services
from frontline.problems.models import ProblemChange
from frontline.tickets.models import MessageKind
from frontline.workflow import problems as problem_flow
from frontline.workflow.tasks import release_fixes
from tests.factories import ContactFactory


@pytest.fixture
def ledger_versions(db):
    ledger = Product.objects.create(name="Ledger", slug="ledger")
    today = timezone.localdate()
    return (Version.objects.create(product=ledger, name="5.1.3",
                                   released_on=today - timedelta(days=1)),
            Version.objects.create(product=ledger, name="5.2.0",
                                   released_on=today + timedelta(days=6)))


@pytest.fixture
def three_tickets(alices_ticket, bobs_ticket, initech, lena):
    """Alice's (email), Bob's (web form) and Carol's, which is closed already."""
    ContactFactory(name="Carol Closed", organization=initech, email="carol@standard.example")
    carols = workflow.open_ticket(requester_email="carol@standard.example",
                                  subject="Export stuck at 99 %",
                                  body="Stuck again, sigh.", channel="email")
    workflow.change_status(carols, lena, "resolved")
    workflow.change_status(carols, lena, "closed")
    return alices_ticket, bobs_ticket, carols


def _known_error(lena, tickets, workaround="Split the export by month until the fix ships."):
    problem = services.create_problem(lena, title="Export times out over 2 GB",
                                      tickets=list(tickets))
    return services.update_problem(problem, lena, {"status": "known_error",
                                                   "workaround": workaround})


def test_the_workaround_reaches_each_open_ticket_through_its_channel(lena, three_tickets):
    alices, bobs, carols = three_tickets
    problem = _known_error(lena, three_tickets)
    text = "Hello,\n\nuntil the fix ships, export one month at a time: Export > Range."
    outcomes = problem_flow.push_workaround(problem, lena, text)
    assert [(o.reference, o.outcome, o.why) for o in outcomes] == [
        (alices.reference, "sent", ""), (bobs.reference, "sent", ""),
        (carols.reference, "skipped", "closed")]
    for ticket in (alices, bobs):
        reply = ticket.messages.filter(kind=MessageKind.OUTBOUND).get()
        assert reply.body == text and reply.author_user == lena
        assert ticket.events.filter(kind="workaround_sent").count() == 1
        # Both have an address: the email channel's sender queued a mail for each.
        assert OutboundMail.objects.get(message=reply).to == [ticket.requester.primary_email]
    assert not carols.messages.filter(kind=MessageKind.OUTBOUND).exists()
    change = problem.changes.get(kind=ProblemChange.Kind.WORKAROUND_PUSHED)
    assert change.detail["tickets"] == [alices.reference, bobs.reference]
    # Pushed again: nobody hears it twice.
    again = problem_flow.push_workaround(problem, lena, text)
    assert {o.outcome for o in again} == {"skipped"}
    assert OutboundMail.objects.count() == 2


def test_the_workaround_push_is_refused_without_a_workaround(lena, ada, bobs_ticket):
    problem = services.create_problem(ada, title="Nothing known yet", tickets=[bobs_ticket])
    with pytest.raises(InvalidInput, match="Write the workaround down") as refused:
        problem_flow.push_workaround(problem, lena, "Try turning it off and on.")
    assert refused.value.field == "workaround"


def test_developers_do_not_push_workarounds(lena, dana, bobs_ticket):
    problem = _known_error(lena, [bobs_ticket])
    with pytest.raises(NotAllowed):
        problem_flow.push_workaround(problem, dana, "Anything")


def test_a_released_fix_resolves_the_tickets_and_tells_each_customer_once(
        lena, three_tickets, ledger_versions):
    alices, bobs, carols = three_tickets
    problem = _known_error(lena, three_tickets)
    problem, outcomes = problem_flow.update_problem(problem, lena, {
        "status": "fixed", "fix_version": str(ledger_versions[0].pk)})
    assert [(o.reference, o.outcome) for o in outcomes] == [
        (alices.reference, "sent"), (bobs.reference, "sent"), (carols.reference, "skipped")]
    for ticket in (alices, bobs):
        ticket.refresh_from_db()
        assert ticket.status == "resolved" and ticket.resolved_at is not None
        [reply] = ticket.messages.filter(kind=MessageKind.OUTBOUND)
        assert "fixed in Ledger 5.1.3" in reply.body and ticket.reference in reply.body
        assert ticket.events.filter(kind="fix_released").count() == 1
    carols.refresh_from_db()
    assert carols.status == "closed"
    assert problem_flow.release_fix(problem, lena) == [
        problem_flow.TicketOutcome(alices.reference, "skipped", "resolved"),
        problem_flow.TicketOutcome(bobs.reference, "skipped", "resolved"),
        problem_flow.TicketOutcome(carols.reference, "skipped", "closed")]
    assert release_fixes.call() == {"problems": 0, "told": 0}
    assert OutboundMail.objects.filter(ticket__in=[alices, bobs]).count() == 2


def test_a_fix_not_yet_shipped_is_told_by_the_job_on_release_day(
        lena, alices_ticket, bobs_ticket, ledger_versions):
    _, upcoming = ledger_versions
    problem = services.create_problem(lena, title="Rounding error in VAT totals",
                                      tickets=[alices_ticket, bobs_ticket])
    problem, outcomes = problem_flow.update_problem(problem, lena, {
        "status": "fixed", "fix_version": "5.2.0", "product": "ledger"})
    assert outcomes == []
    assert problem_flow.release_due_fixes() == {"problems": 0, "told": 0}
    # The release day: the job tells them, as the system (no person wrote it).
    assert problem_flow.release_due_fixes(today=upcoming.released_on) == {"problems": 1,
                                                                         "told": 2}
    alices_ticket.refresh_from_db()
    assert alices_ticket.status == "resolved"
    reply = alices_ticket.messages.filter(kind=MessageKind.OUTBOUND).get()
    assert reply.author_user is None and "5.2.0" in reply.body
    assert OutboundMail.objects.filter(message=reply).exists()
    change = problem.changes.get(kind=ProblemChange.Kind.FIX_RELEASED)
    assert change.actor is None and change.actor_name == "release check"
    assert problem_flow.release_due_fixes(today=upcoming.released_on) == {"problems": 0,
                                                                         "told": 0}


def test_a_customer_writing_again_after_the_fix_is_not_told_twice(
        lena, bob, bobs_ticket, ledger_versions):
    problem = services.create_problem(lena, title="Session drops every 5 minutes",
                                      tickets=[bobs_ticket])
    problem_flow.update_problem(problem, lena, {"status": "fixed",
                                                "fix_version": "5.1.3"})
    workflow.add_customer_message(bobs_ticket, bob, "Still broken after the upgrade!")
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == "open"
    assert problem_flow.release_due_fixes() == {"problems": 0, "told": 0}
    assert bobs_ticket.events.filter(kind="fix_released").count() == 1
