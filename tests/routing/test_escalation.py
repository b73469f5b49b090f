"""Escalating by hand: weighed (cost, value, reach, recommendation), recorded,
carrying its promises; and handing back to tier 1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from frontline.core.models import User
from frontline.costs.models import CostSettings, TimeEntry
from frontline.customers.models import Contact, Plan
from frontline.notifications.models import Notification
from frontline.routing.assessment import assess, significant_words
from frontline.routing.escalation import de_escalate, escalate, prefill_tried
from frontline.routing.models import Assignment, EscalationDecision, Team
from frontline.sla.models import IncidentPremium
from frontline.tickets.models import Event, Ticket
from tests.factories import OrganizationFactory, TeamFactory, UserFactory, set_clock


@pytest.fixture
def engineering(dana: User) -> Team:
    team = Team.objects.get(name="Engineering")
    team.lead = UserFactory(username="erin", role="developer", tier=3, first_name="Erin",
                            last_name="Lead")
    team.save()
    return team


def _open(email: str, subject: str, body: str = "It fails.", **kwargs: object) -> Ticket:
    return workflow.open_ticket(requester_email=email, subject=subject, body=body, **kwargs)


def _similar_reports() -> None:
    """Two other customers report the export timeout; one unrelated ticket."""
    OrganizationFactory(name="Umbrella", domains=["umbrella.example"])
    OrganizationFactory(name="Hooli", domains=["hooli.example"])
    _open("kim@umbrella.example", "Export to CSV fails with a timeout")
    _open("raj@hooli.example", "Timeout during the nightly export job")
    _open("raj@hooli.example", "Nightly backup email is late")  # one word in common


def _tracked_escalation(dana: User, subject: str, hours: int, category: str) -> Ticket:
    """A solved tier-3 ticket with developer time on it."""
    ticket = _open("old@premium.example", subject, category=category)
    Ticket.objects.filter(pk=ticket.pk).update(tier=3, status="resolved")
    start = timezone.now() - timedelta(days=30)
    TimeEntry.objects.create(ticket=ticket, user=dana, tier=3, started_at=start,
                             ended_at=start + timedelta(hours=hours), seconds=hours * 3600)
    return ticket


def test_an_escalation_to_tier_3_shows_cost_value_reach_and_a_recommendation(
        alices_ticket: Ticket, lena: User, dana: User, engineering: Team,
        installation: object) -> None:
    """Lena escalates Alice's export timeout: the dialog's figures are right, the
    ticket moves to Engineering, the event carries the promises, the lead is told."""
    _tracked_escalation(dana, "Installer hangs on step 3", 3, "installation")
    _tracked_escalation(dana, "Installer refuses licence key", 5, "installation")
    _similar_reports()
    workflow.set_category(alices_ticket, lena, "installation")
    due = timezone.now() + timedelta(hours=2)
    set_clock(alices_ticket, first_response_due=due, resolution_due=due + timedelta(days=1))
    alices_ticket.refresh_from_db()

    assessment = assess(alices_ticket, 3)
    assert assessment.estimated_hours == Decimal("4.00")  # mean of 3 h and 5 h
    assert assessment.similar_escalations == 2
    assert assessment.estimated_cost == Decimal("440.00")  # 4 h x 110 EUR
    assert assessment.customer_value == Decimal("250000")  # Globex's contract
    assert (assessment.reach_tickets, assessment.reach_organizations) == (2, 2)
    assert assessment.recommendation == "escalate"
    assert "2 other open tickets from 2 other organizations report something similar." in (
        assessment.why)
    assert assessment.why[-1] == "Escalate: one fix serves every customer who reports it."

    done = escalate(alices_ticket, lena, 3, reason="Timeout in the export service",
                    tried="Raised the timeout to 600 s; same error.")
    ticket = Ticket.objects.get(pk=alices_ticket.pk)
    assert (ticket.tier, ticket.team) == (3, engineering)
    assert ticket.clock.first_response_due == due  # promises are kept, not moved
    row = EscalationDecision.objects.get(ticket=ticket)
    assert (row.from_tier, row.to_tier, row.decision, row.recommendation) == (
        1, 3, "escalate", "escalate")
    assert (row.estimated_cost, row.customer_value, row.reach_tickets) == (
        Decimal("440.00"), Decimal("250000.00"), 2)
    assert row.tried == "Raised the timeout to 600 s; same error."
    assert done.decision == row
    event = Event.objects.get(ticket=ticket, kind="escalated")
    assert (event.before, event.after, event.actor) == (1, 3, lena)
    assert event.detail["reason"] == "Timeout in the export service"
    assert event.detail["team"] == "Engineering"
    assert event.detail["promises"] == {
        "first_response_due": due.isoformat(), "next_response_due": None,
        "resolution_due": (due + timedelta(days=1)).isoformat(), "plan": "Premium",
        "incident_premium": None, "customer_value": "250000.00", "currency": "EUR",
    }
    note = Notification.objects.get(user__username="erin")
    assert note.kind == "escalated" and note.ticket_id == ticket.pk
    assert "Lena Level-One escalated FL-" in note.text and "to tier 3" in note.text


def test_a_manual_escalation_needs_a_reason_and_a_higher_tier(
        bobs_ticket: Ticket, lena: User, otto: User) -> None:
    with pytest.raises(InvalidInput) as missing:
        escalate(bobs_ticket, lena, 2, reason="  ", tried="")
    assert missing.value.field == "reason"
    with pytest.raises(InvalidInput) as same:
        escalate(bobs_ticket, lena, 1, reason="Needs a specialist", tried="")
    assert same.value.field == "tier"
    assert "is at tier 1; an escalation goes to a higher tier" in same.value.message
    with pytest.raises(InvalidInput) as wrong_team:
        escalate(bobs_ticket, lena, 3, reason="Bug", tried="", team="Specialists")
    assert wrong_team.value.message == "Specialists works at tier 2, not tier 3."
    assert not EscalationDecision.objects.exists()
    assert Ticket.objects.get(pk=bobs_ticket.pk).tier == 1


def test_viewers_and_developers_cannot_escalate(bobs_ticket: Ticket, vera: User,
                                                dana: User) -> None:
    with pytest.raises(NotAllowed):
        escalate(bobs_ticket, vera, 2, reason="Looks serious", tried="")
    with pytest.raises(NotAllowed, match="may not see"):
        escalate(bobs_ticket, dana, 3, reason="I'll take it", tried="")
    assert Ticket.objects.get(pk=bobs_ticket.pk).tier == 1


def test_a_workaround_or_decline_is_recorded_and_the_ticket_stays(
        bobs_ticket: Ticket, lena: User) -> None:
    escalate(bobs_ticket, lena, 3, reason="Wants SSO", tried="Explained LDAP",
             decision="decline")
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert ticket.tier == 1
    row = EscalationDecision.objects.get(ticket=ticket)
    assert (row.decision, row.to_tier) == ("decline", 3)
    event = Event.objects.get(ticket=ticket, kind="escalation_assessed")
    assert event.after == "decline"
    assert event.detail["reason"] == "Wants SSO"
    assert event.detail["recommendation"] == row.recommendation
    assert event.detail["why"] == row.why
    assert not Event.objects.filter(ticket=ticket, kind="escalated").exists()


def test_de_escalating_hands_the_ticket_back_to_tier_1(
        lenas_ticket: Ticket, lena: User, dana: User, frontdesk: Team) -> None:
    """Back at tier 1 the ticket is Frontdesk's again; Frontdesk's round robin gives
    it to Lena, who is told what to say to Bob."""
    frontdesk.assignment = Assignment.ROUND_ROBIN
    frontdesk.save()
    escalate(lenas_ticket, lena, 3, reason="Token bug", tried="Cleared cookies")
    assert Ticket.objects.get(pk=lenas_ticket.pk).team.name == "Engineering"

    with pytest.raises(InvalidInput) as missing:
        de_escalate(lenas_ticket, dana, note="")
    assert missing.value.field == "note"
    ticket = de_escalate(lenas_ticket, dana, note="Fixed in 4.2.1; ask Bob to upgrade.")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (1, frontdesk, lena)
    event = Event.objects.get(ticket=ticket, kind="de_escalated")
    assert (event.before, event.after, event.actor) == (3, 1, dana)
    assert event.detail["reason"] == "Fixed in 4.2.1; ask Bob to upgrade."
    note = Notification.objects.get(user=lena, kind="de_escalated")
    assert "back to tier 1: Fixed in 4.2.1" in note.text
    with pytest.raises(InvalidTransition, match="already at tier 1"):
        de_escalate(ticket, lena, note="Again")


def test_what_was_tried_is_prefilled_from_replies_and_notes_newest_first(
        bobs_ticket: Ticket, lena: User, bob: Contact) -> None:
    start = timezone.now()
    workflow.add_reply(bobs_ticket, lena, "Please clear your browser cookies.", at=start)
    workflow.add_customer_message(bobs_ticket, bob, "Still broken.",
                                  at=start + timedelta(minutes=5))
    workflow.add_note(bobs_ticket, lena, "Reproduced on 4.2 with SSO.  " + "x" * 400,
                      at=start + timedelta(minutes=10))
    tried = prefill_tried(bobs_ticket).splitlines()
    assert len(tried) == 2
    assert "Lena Level-One (note): Reproduced on 4.2 with SSO. xxx" in tried[0]
    assert tried[0].endswith("…") and len(tried[0]) < 340
    assert tried[1].endswith("Lena Level-One (reply): Please clear your browser cookies.")
    assert "Still broken" not in prefill_tried(bobs_ticket)


def test_subject_words_that_say_nothing_are_left_out() -> None:
    assert significant_words("Cannot log in after upgrade to 4.2 - please help!") == [
        "upgrade", "log"]


def test_a_small_customer_with_a_costly_problem_nobody_else_has_is_declined(
        bobs_ticket: Ticket, standard_plan: Plan) -> None:
    Ticket.objects.filter(pk=bobs_ticket.pk).update(organization=None)
    bobs_ticket.refresh_from_db()
    assessment = assess(bobs_ticket, 3)
    assert assessment.estimated_hours == Decimal("6")  # the default
    assert "(the default: no similar escalation has tracked time)" in assessment.why[0]
    assert assessment.customer_value == 0
    assert assessment.recommendation == "decline"
    assert assessment.why[-1].startswith("Decline with an explanation")


def test_value_that_only_covers_the_cost_recommends_a_workaround(
        bobs_ticket: Ticket) -> None:
    """Initech is worth 12,000 a year; a tier-3 day costs 660: under ten times over."""
    CostSettings.current()
    CostSettings.objects.update(tier3_hourly=Decimal("250"))  # 6 h = 1,500
    assessment = assess(bobs_ticket, 3)
    assert assessment.estimated_cost == Decimal("1500.00")
    assert assessment.recommendation == "workaround"
    assert "Initech is worth 12,000 EUR a year (contract)." in assessment.why


def test_a_bought_incident_premium_is_escalated_and_counted_in_the_value(
        bobs_ticket: Ticket, ada: User) -> None:
    incident = Plan.objects.create(name="Incident", slug="incident", per_incident=True,
                                   incident_price=Decimal("900"))
    CostSettings.objects.update_or_create(pk=CostSettings.current().pk,
                                          defaults={"tier3_hourly": Decimal("5000")})
    IncidentPremium.objects.create(ticket=bobs_ticket, plan=incident, price=Decimal("900"),
                                   bought_at=timezone.now())
    assessment = assess(bobs_ticket, 3)
    assert assessment.customer_value == Decimal("12900")
    assert assessment.recommendation == "escalate"
    assert assessment.why[-1] == "Escalate: the customer paid for this incident."


def test_a_spent_developer_budget_turns_escalate_into_workaround(
        alices_ticket: Ticket, dana: User) -> None:
    CostSettings.current()
    CostSettings.objects.update(weekly_developer_budget_hours=Decimal("10"))
    other = _open("old@premium.example", "Unrelated report")
    now = timezone.now()
    TimeEntry.objects.create(ticket=other, user=dana, tier=3, started_at=now,
                             ended_at=now + timedelta(hours=8), seconds=8 * 3600)
    assessment = assess(alices_ticket, 3)
    assert assessment.budget_used == Decimal("8.00")
    assert assessment.recommendation == "workaround"
    assert "take the week over its developer budget (8 of 10 hours used)" in (
        assessment.why[-1])
    # Tier 2 is not developer time: the budget does not apply.
    assert assess(alices_ticket, 2).recommendation == "escalate"


def test_an_escalation_to_tier_2_goes_to_the_only_tier_2_team(
        bobs_ticket: Ticket, lena: User, otto: User) -> None:
    TeamFactory(name="Frontdesk", tier=1)
    escalate(bobs_ticket, lena, 2, reason="Needs a specialist", tried="")
    assert Ticket.objects.get(pk=bobs_ticket.pk).team.name == "Specialists"


def test_escalating_to_tier_2_with_a_round_robin_team_hands_the_ticket_to_a_tier_2_agent(
        lenas_ticket: Ticket, lena: User, otto: User, specialists_round_robin: Team) -> None:
    """Lena escalates her ticket to Specialists: their round robin gives it to Otto,
    and the timeline says so."""
    escalate(lenas_ticket, lena, 2, reason="Needs a specialist", tried="Cleared cookies")
    ticket = Ticket.objects.get(pk=lenas_ticket.pk)
    assert (ticket.tier, ticket.team, ticket.assignee) == (2, specialists_round_robin, otto)
    event = Event.objects.filter(ticket=ticket, kind="assigned").latest("id")
    assert (event.actor, event.before, event.after) == (None, "lena", "otto")
    assert event.detail["reason"] == "moved to tier 2: round robin in Specialists"
    assert Team.objects.get(pk=specialists_round_robin.pk).last_assigned == otto


def test_escalating_to_a_manual_team_leaves_it_unassigned(
        lenas_ticket: Ticket, lena: User, otto: User) -> None:
    """Specialists assign by hand: the ticket waits in their queue, not on Lena's desk."""
    escalate(lenas_ticket, lena, 2, reason="Needs a specialist", tried="Cleared cookies")
    ticket = Ticket.objects.get(pk=lenas_ticket.pk)
    assert (ticket.tier, ticket.team.name, ticket.assignee) == (2, "Specialists", None)
    event = Event.objects.filter(ticket=ticket, kind="assigned").latest("id")
    assert (event.actor, event.before, event.after) == (None, "lena", None)
    assert event.detail["reason"] == "moved to tier 2: Specialists assigns by hand"


def test_a_round_robin_team_skips_members_who_cannot_see_the_ticket(
        lenas_ticket: Ticket, lena: User, otto: User, dana: User,
        specialists_round_robin: Team) -> None:
    """A developer in the tier-2 team cannot see a tier-2 ticket: Otto gets it, even
    when the pointer says Dana is next."""
    specialists_round_robin.members.add(dana)
    specialists_round_robin.last_assigned = otto
    specialists_round_robin.save()
    escalate(lenas_ticket, lena, 2, reason="Needs a specialist", tried="")
    assert Ticket.objects.get(pk=lenas_ticket.pk).assignee == otto


def test_a_workaround_keeps_the_owner(lenas_ticket: Ticket, lena: User,
                                      specialists_round_robin: Team) -> None:
    escalate(lenas_ticket, lena, 2, reason="Needs a specialist", tried="",
             decision="workaround")
    assert Ticket.objects.get(pk=lenas_ticket.pk).assignee == lena


def test_de_escalating_to_a_manual_team_takes_it_off_the_developer(
        lenas_ticket: Ticket, lena: User, dana: User, frontdesk: Team) -> None:
    """Dana owned it at tier 3; at tier 1 she cannot even see it. Frontdesk assigns
    by hand, so it waits in Frontdesk's queue."""
    escalate(lenas_ticket, lena, 3, reason="Token bug", tried="")
    workflow.assign(lenas_ticket, dana, dana)
    de_escalate(lenas_ticket, dana, note="Fixed in 4.2.1; ask Bob to upgrade.")
    ticket = Ticket.objects.get(pk=lenas_ticket.pk)
    assert (ticket.tier, ticket.team, ticket.assignee) == (1, frontdesk, None)
    event = Event.objects.filter(ticket=ticket, kind="assigned").latest("id")
    assert (event.before, event.after) == ("dana", None)


def test_a_run_weighing_many_escalations_reads_the_costs_once(
        alices_ticket: Ticket, bobs_ticket: Ticket, dana: User) -> None:
    """Inside costs.read_once() (the breach scan's batch), the cost settings and the
    week's developer budget are read once for all the tickets weighed; outside it,
    every assessment reads them afresh (a budget spent meanwhile counts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from frontline.costs import services as costs

    CostSettings.current()
    tickets = [alices_ticket, bobs_ticket, _open("kim@umbrella.example", "Export hangs")]

    def reads(sql_part: str, queries: CaptureQueriesContext) -> int:
        return sum(sql_part in query["sql"] for query in queries.captured_queries)

    with CaptureQueriesContext(connection) as together, costs.read_once():
        weighed = [assess(ticket, 3) for ticket in tickets]
    with CaptureQueriesContext(connection) as apart:
        alone = [assess(ticket, 3) for ticket in tickets]
    assert [a.recommendation for a in weighed] == [a.recommendation for a in alone]
    assert reads('FROM "costs_costsettings"', together) == 1
    assert reads('FROM "costs_costsettings"', apart) >= len(tickets)
    assert reads('SUM("costs_timeentry"."seconds")', together) == 1
    # Outside the block, time tracked since is seen at once.
    now = timezone.now()
    TimeEntry.objects.create(ticket=bobs_ticket, user=dana, tier=3, started_at=now,
                             ended_at=now + timedelta(hours=3), seconds=3 * 3600)
    assert assess(alices_ticket, 3).budget_used == Decimal("3.00")


def test_a_held_ticket_is_not_read_again_but_a_merged_one_still_is_refused(
        alices_ticket: Ticket, bobs_ticket: Ticket, lena: User, otto: User) -> None:
    """escalate(held=True): the breach scan already holds the ticket under its row
    lock, so escalate takes it as it is (no second read of the ticket); a merged
    ticket is read again all the same, and refused (it takes no changes)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from frontline.tickets.services.entry import MergedTicket

    def ticket_reads(queries: CaptureQueriesContext) -> int:
        return sum(query["sql"].startswith('SELECT') and 'FROM "tickets_ticket"' in query["sql"]
                   and '"tickets_ticket"."id" = ' in query["sql"]
                   for query in queries.captured_queries)

    with transaction.atomic():
        held = Ticket.objects.select_for_update(of=("self",)).select_related("clock").get(
            pk=alices_ticket.pk)
        with CaptureQueriesContext(connection) as queries:
            done = escalate(held, None, 2, reason="SLA target missed.", tried="", held=True)
    assert done.ticket is held
    assert ticket_reads(queries) == 0
    assert Ticket.objects.get(pk=alices_ticket.pk).tier == 2

    duplicate = _open("bob@initech.example", "Same problem again")
    workflow.merge_tickets(duplicate, bobs_ticket, lena, confirm_other_customer=True)
    merged = Ticket.objects.get(pk=duplicate.pk)
    with pytest.raises(MergedTicket):
        escalate(merged, None, 2, reason="SLA target missed.", tried="", held=True)
    assert Ticket.objects.get(pk=duplicate.pk).tier == 1
