"""Admins set up business calendars: hours, time zone, public holidays from the
`holidays` package, closed days; open tickets' due times follow a change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from frontline.core.errors import InvalidTransition
from frontline.sla import calendars, holiday_places
from frontline.sla.hours_text import format_hours
from frontline.sla.models import BusinessCalendar
from frontline.tickets.models import Ticket
from tests.sla.conftest import refused


def test_a_calendar_with_berlin_holidays_previews_them_with_its_closed_days(ada):
    calendar = calendars.create_calendar(
        ada, name="Berlin office", timezone="Europe/Berlin", hours="Mon-Fri 08:00-18:00",
        holiday_country="de", holiday_subdivision="be",
        closed_days=[{"date": "2025-12-31", "name": "Company holiday"}])
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("DE", "BE")
    assert format_hours(calendar.intervals.all()) == "Mon-Fri 08:00-18:00"
    days = holiday_places.upcoming_days_off(calendar, date(2025, 12, 20), count=4)
    assert [(d.date, d.kind) for d in days] == [
        (date(2025, 12, 25), "holiday"), (date(2025, 12, 26), "holiday"),
        (date(2025, 12, 31), "closed"), (date(2026, 1, 1), "holiday")]
    # Berlin has International Women's Day; Bavaria does not.
    march = holiday_places.upcoming_days_off(calendar, date(2026, 3, 1), count=1)
    assert march[0].date == date(2026, 3, 8)


@pytest.mark.parametrize(("country", "region", "field", "message"), [
    ("XX", "", "holiday_country",
     "No public holidays are known for 'XX'; use a two-letter country code such as DE or US."),
    ("DE", "ZZ", "holiday_subdivision", "Germany has no region 'ZZ' (regions: BB, BE, BW"),
    ("", "BE", "holiday_country", "A region needs its country."),
])
def test_holidays_must_be_known_to_the_holidays_package(ada, country, region, field, message):
    error = refused(calendars.create_calendar, ada, name="Office", hours="Mon 09-17",
                    holiday_country=country, holiday_subdivision=region)
    assert error.field == field and error.message.startswith(message)
    assert not BusinessCalendar.objects.exists()


def test_a_region_may_be_named_in_full(ada):
    calendar = calendars.create_calendar(ada, name="New York office",
                                         timezone="America/New_York", hours="Mon-Fri 9-17",
                                         holiday_country="US", holiday_subdivision="New York")
    assert calendar.holiday_subdivision == "NY"


def test_a_calendar_needs_a_real_time_zone(ada):
    error = refused(calendars.create_calendar, ada, name="Office", timezone="Mars/Olympus")
    assert error.field == "timezone"


def test_changed_hours_move_the_due_times_on_that_calendar(ada, standard_policy, bobs_ticket):
    calendars.update_calendar(ada, standard_policy.calendar, hours="Mon-Sun 00:00-24:00",
                              holiday_country="")
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert ticket.clock.first_response_due == ticket.created_at + timedelta(hours=8)


def test_a_calendar_a_policy_counts_on_cannot_be_deleted(ada, standard_policy):
    with pytest.raises(InvalidTransition, match="Standard"):
        calendars.delete_calendar(ada, standard_policy.calendar)


def test_closed_days_are_added_once_and_removed(ada, berlin_office):
    closed = calendars.add_closed_day(ada, berlin_office, "2026-12-24", "Christmas Eve")
    assert refused(calendars.add_closed_day, ada, berlin_office, "2026-12-24").field == "date"
    assert refused(calendars.add_closed_day, ada, berlin_office, "24.12.").field == "date"
    calendars.remove_closed_day(ada, berlin_office, closed.pk)
    assert not berlin_office.closed_days.exists()
