"""Time on tickets: timers, manual entries, costs per tier and the developer budget."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from frontline.costs import services
from frontline.costs.models import CostSettings, TimeEntry
from frontline.tickets.models import Event
from tests.costs.factories import log, make_ticket

NINE = datetime.fromisoformat("2025-03-04T09:00:00+00:00")


def test_a_timer_runs_at_the_persons_tier_and_logs_its_time_when_stopped(lena, bobs_ticket):
    entry = services.start_timer(bobs_ticket, lena, at=NINE)
    assert (entry.tier, entry.ended_at, entry.manual) == (1, None, False)
    assert services.running_timer(lena) == entry

    stopped = services.stop_timer(lena, at=NINE + timedelta(minutes=25, seconds=30))

    assert stopped is not None and stopped.seconds == 25 * 60 + 30
    assert services.running_timer(lena) is None
    event = Event.objects.get(ticket=bobs_ticket, kind="time_logged")
    assert (event.actor, event.after) == (lena, "25 min")
    assert event.detail["seconds"] == 1530 and event.detail["tier"] == 1


def test_starting_a_timer_on_another_ticket_stops_the_first(lena, bobs_ticket, alices_ticket):
    first = services.start_timer(bobs_ticket, lena, at=NINE)
    second = services.start_timer(alices_ticket, lena, at=NINE + timedelta(minutes=40))

    first.refresh_from_db()
    assert first.seconds == 40 * 60 and first.ended_at is not None
    assert services.running_timer(lena) == second
    assert Event.objects.filter(ticket=bobs_ticket, kind="time_logged").count() == 1


def test_starting_the_running_timer_again_changes_nothing(lena, bobs_ticket):
    first = services.start_timer(bobs_ticket, lena, at=NINE)
    again = services.start_timer(bobs_ticket, lena, at=NINE + timedelta(minutes=5))
    assert again.pk == first.pk and again.started_at == NINE
    assert TimeEntry.objects.count() == 1


def test_the_database_refuses_a_second_running_timer(lena, bobs_ticket, alices_ticket):
    services.start_timer(bobs_ticket, lena, at=NINE)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(ticket=alices_ticket, user=lena, tier=1, started_at=NINE)


def test_stopping_without_a_running_timer_says_so(lena, otto, bobs_ticket):
    assert services.stop_timer(lena) is None
    entry = services.start_timer(bobs_ticket, lena, at=NINE)
    with pytest.raises(NotAllowed):
        services.stop_timer(entry, actor=otto)
    services.stop_timer(entry, at=NINE + timedelta(minutes=1))
    with pytest.raises(InvalidTransition, match="not running"):
        services.stop_timer(entry)


def test_time_logged_by_hand_ends_now_and_is_recorded_on_the_timeline(otto, bobs_ticket):
    entry = services.add_entry(bobs_ticket, otto, "90", "  Reproduced on 4.2 ")
    assert (entry.seconds, entry.tier, entry.manual, entry.note) == (5400, 2, True,
                                                                     "Reproduced on 4.2")
    assert entry.ended_at - entry.started_at == timedelta(minutes=90)
    assert timezone.now() - entry.ended_at < timedelta(seconds=5)
    event = Event.objects.get(ticket=bobs_ticket, kind="time_logged")
    assert event.after == "1 h 30 min" and event.detail["manual"] is True


@pytest.mark.parametrize(("minutes", "message"), [
    (0, "at least one minute"), ("-5", "at least one minute"), ("abc", "whole minutes"),
    ("", "whole minutes"), (24 * 60 + 1, "at most 24 hours"), (None, "whole minutes"),
])
def test_time_by_hand_must_be_a_sensible_number_of_minutes(lena, bobs_ticket, minutes, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        services.add_entry(bobs_ticket, lena, minutes, "")
    assert caught.value.field == "minutes"
    assert not TimeEntry.objects.exists()


def test_time_cannot_be_logged_in_the_future_or_with_a_novel(lena, bobs_ticket):
    with pytest.raises(InvalidInput) as caught:
        services.add_entry(bobs_ticket, lena, 10, "", at=timezone.now() + timedelta(hours=2))
    assert caught.value.field == "at"
    with pytest.raises(InvalidInput) as caught:
        services.add_entry(bobs_ticket, lena, 10, "x" * 501)
    assert caught.value.field == "note"


def test_viewers_cannot_log_time_and_developers_only_on_tier_3(vera, dana, bobs_ticket):
    with pytest.raises(NotAllowed):
        services.add_entry(bobs_ticket, vera, 10, "")
    with pytest.raises(NotAllowed):
        services.start_timer(bobs_ticket, vera)
    with pytest.raises(NotAllowed):
        services.add_entry(bobs_ticket, dana, 10, "")  # a tier-1 ticket
    bobs_ticket.tier = 3
    bobs_ticket.save(update_fields=["tier"])
    assert services.add_entry(bobs_ticket, dana, 10, "").tier == 3


def test_people_change_only_their_own_entries_admins_any(lena, otto, ada, bobs_ticket):
    ottos = services.add_entry(bobs_ticket, otto, 30, "call")
    with pytest.raises(NotAllowed, match="only your own"):
        services.edit_entry(ottos, lena, minutes=5)
    with pytest.raises(NotAllowed):
        services.delete_entry(ottos, lena)

    edited = services.edit_entry(ottos, otto, minutes=45, note="long call")
    assert (edited.seconds, edited.note) == (2700, "long call")
    assert edited.ended_at - edited.started_at == timedelta(minutes=45)
    event = Event.objects.get(ticket=bobs_ticket, kind="time_edited")
    assert (event.before, event.after) == ("30 min", "45 min")

    services.delete_entry(edited, ada)
    assert not TimeEntry.objects.exists()
    assert Event.objects.get(ticket=bobs_ticket, kind="time_deleted").before == "45 min"


def test_a_running_timers_minutes_cannot_be_edited(lena, bobs_ticket):
    running = services.start_timer(bobs_ticket, lena)
    with pytest.raises(InvalidTransition, match="Stop the timer"):
        services.edit_entry(running, lena, minutes=10)
    assert services.edit_entry(running, lena, note="triage").note == "triage"


def test_a_tickets_cost_is_its_time_per_tier_at_each_tiers_hourly_cost(
        lena, otto, dana, bobs_ticket):
    log(bobs_ticket, lena, 90)  # 1.5 h x 40
    log(bobs_ticket, otto, 30)  # 0.5 h x 60
    log(bobs_ticket, dana, 120)  # 2 h x 110
    services.start_timer(bobs_ticket, lena)  # running: not cost yet

    cost = services.ticket_cost(bobs_ticket)

    assert [(t.tier, t.hours, t.cost) for t in cost.tiers] == [
        (1, Decimal("1.50"), Decimal("60.00")), (2, Decimal("0.50"), Decimal("30.00")),
        (3, Decimal("2.00"), Decimal("220.00"))]
    assert (cost.hours, cost.cost, cost.currency, cost.entries) == (
        Decimal("4.00"), Decimal("310.00"), "EUR", 3)


def test_hourly_costs_come_from_the_settings(lena, bobs_ticket):
    settings = CostSettings.current()
    settings.tier1_hourly = Decimal("52.50")
    settings.save()
    log(bobs_ticket, lena, 20)
    assert services.ticket_cost(bobs_ticket).cost == Decimal("17.50")


def test_organization_totals_cover_their_tickets_in_the_period(lena, otto, bob, alice):
    bobs = make_ticket(bob)
    alices = make_ticket(alice)
    log(bobs, lena, 60, at=NINE)
    log(bobs, otto, 60, at=NINE - timedelta(days=40))
    log(alices, lena, 600, at=NINE)

    everything = services.organization_totals(bob.organization)
    assert (everything.hours, everything.cost, everything.tickets) == (
        Decimal("2.00"), Decimal("100.00"), 1)
    recent = services.organization_totals(bob.organization, start=NINE - timedelta(days=7),
                                          end=NINE + timedelta(days=1))
    assert [(t.tier, t.cost) for t in recent.tiers] == [(1, Decimal("40.00"))]


def test_developer_hours_count_tier_3_time_in_the_period(lena, dana, ada, bob):
    ticket = make_ticket(bob, tier=3)
    log(ticket, dana, 90, at=NINE)
    log(ticket, ada, 30, at=NINE + timedelta(days=1))  # an admin at tier 3
    log(ticket, lena, 600, at=NINE, tier=1)
    log(ticket, dana, 60, at=NINE + timedelta(days=8))  # next week

    assert services.developer_hours(NINE, NINE + timedelta(days=7)) == Decimal("2.00")


def test_the_budget_this_week_starts_on_monday(dana, bob):
    ticket = make_ticket(bob, tier=3)
    monday = datetime.fromisoformat("2025-03-03T00:00:00+00:00")
    log(ticket, dana, 300, at=monday + timedelta(hours=10))
    log(ticket, dana, 120, at=monday - timedelta(hours=2))  # Sunday: last week

    budget = services.budget_this_week(now=monday + timedelta(days=3))

    assert budget == (Decimal("5.00"), Decimal("40"))

    assert (budget.percent, budget.over) == (12, False)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "under a minute"), (59, "under a minute"), (60, "1 min"), (3599, "59 min"),
    (3600, "1 h 00 min"), (5460, "1 h 31 min"), (100 * 3600, "100 h 00 min")])
def test_durations_read_naturally(seconds, text):
    assert services.duration_text(seconds) == text
