"""The report queries: compliance, breaches, distributions, developer hours, costs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from frontline.insights import reports
from frontline.insights.reports import Period
from tests.insights.conftest import MONDAY


def summary(rows):
    return [(row.label, row.overall.total, row.overall.met, row.overall.percent) for row in rows]


def test_compliance_by_plan_counts_late_answers_as_missed(story):
    rows = reports.compliance(story.period, "plan")
    assert summary(rows) == [("Premium", 3, 2, 66.7), ("Standard", 2, 1, 50.0)]
    premium = rows[0]
    assert (premium.target("first_response").percent, premium.target("resolution").percent,
            premium.target("next_response").total) == (100.0, 0.0, 0)


def test_compliance_by_team_puts_unassigned_targets_last(story):
    assert summary(reports.compliance(story.period, "team")) == [
        ("Frontdesk", 3, 1, 33.3), ("Specialists", 1, 1, 100.0), ("No team", 1, 1, 100.0)]


def test_compliance_by_week_shows_quiet_weeks_too(story):
    period = Period(MONDAY, MONDAY + timedelta(days=28))
    assert summary(reports.compliance(period, "week")) == [
        ("3 Mar", 3, 1, 33.3), ("10 Mar", 1, 1, 100.0), ("17 Mar", 1, 1, 100.0),
        ("24 Mar", 0, 0, None)]


def test_compliance_by_month(story):
    period = Period(MONDAY - timedelta(days=20), MONDAY + timedelta(days=21))
    assert summary(reports.compliance(period, "month")) == [
        ("Feb 2025", 1, 1, 100.0), ("Mar 2025", 5, 3, 60.0)]


def test_compliance_is_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        reports.compliance(story.period, "plan")
    with django_assert_max_num_queries(1):
        reports.compliance(story.period, "week")


def test_breaches_list_missed_targets_latest_first_with_their_tickets(story):
    found = list(reports.breaches(story.period))
    assert [(b.ticket, b.measurement.target, b.late_text) for b in found] == [
        (story.login, "first_response", "1 h 00 min"),
        (story.export, "resolution", "30 min")]
    assert reports.breach_count(story.period) == 2


def test_first_response_times_as_a_histogram_of_business_time(story):
    found = reports.distribution(story.period, "first_response")
    counted = {bucket.label: bucket.count for bucket in found.buckets if bucket.count}
    assert counted == {"1\u20132h": 2, "2\u20134h": 1}
    assert [b.label for b in found.buckets][:3] == ["<15m", "15\u201330m", "30m\u20131h"]
    assert found.buckets[-1].label == "48h+"
    assert (found.count, found.median_text, found.p90_text) == (3, "1 h 30 min", "3 h 00 min")


def test_resolution_times(story):
    found = reports.distribution(story.period, "resolution")
    assert {b.label: b.count for b in found.buckets if b.count} == {"1\u20134h": 2}
    assert found.median == 3600


def test_developer_hours_per_week_against_the_budget(story):
    weeks = reports.developer_hours_by_week(story.period)
    assert [(w.label, w.hours, w.budget, w.percent) for w in weeks] == [
        ("3 Mar", Decimal("0.00"), Decimal("40"), 0),
        ("10 Mar", Decimal("2.00"), Decimal("40"), 5),
        ("17 Mar", Decimal("0.00"), Decimal("40"), 0)]


def test_cost_per_ticket_costliest_first(story):
    rows = reports.cost_per_ticket(story.period)
    assert [(r.ticket, r.tier_hours, r.cost) for r in rows] == [
        (story.crash, [Decimal("0.00"), Decimal("0.00"), Decimal("2.00")], Decimal("220.00")),
        (story.login, [Decimal("0.00"), Decimal("1.00"), Decimal("0.00")], Decimal("60.00")),
        (story.export, [Decimal("1.50"), Decimal("0.00"), Decimal("0.00")], Decimal("60.00"))]
    assert [r.ticket for r in reports.cost_per_ticket(story.period, limit=1)] == [story.crash]


def test_cost_per_organization(story):
    rows = reports.cost_per_organization(story.period)
    assert [(r.organization.name, r.tickets, r.hours, r.cost, r.per_ticket) for r in rows] == [
        ("Globex", 2, Decimal("3.50"), Decimal("280.00"), Decimal("140.00")),
        ("Initech", 1, Decimal("1.00"), Decimal("60.00"), Decimal("60.00"))]


def test_work_outside_the_period_is_left_out(story):
    later = Period(MONDAY + timedelta(days=21), MONDAY + timedelta(days=28))
    assert reports.cost_per_ticket(later) == []
    assert reports.compliance(later, "plan") == []
    assert reports.overall_compliance(later).percent is None
