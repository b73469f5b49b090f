"""/reports: charts drawn in the page, tables, CSV export, who may read it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from frontline.customers.models import Organization

PERIOD = "from=2025-03-03&to=2025-03-23"


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_viewers_read_the_reports_with_charts(signed_in, vera, story):
    response = signed_in(vera).get(f"/reports?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    # Compliance by plan, team and week; two histograms; developer hours; cost by organization.
    assert html.count('<svg class="chart"') == 7
    assert 'aria-label="SLA compliance by plan"' in html
    assert ">Premium</text>" in html and ">66.7%</text>" in html
    assert "60.0%" in html  # the overall figure: 3 of 5 met
    assert "3 of 5" in html
    assert "budget 40 h" in html  # the reference line on developer hours
    # Missed targets link to their tickets.
    assert f'<a href="/t/{story.login.reference}">{story.login.reference}</a>' in html
    assert "median 1 h 30 min" in html
    assert f'<a href="/t/{story.crash.reference}">' in html  # the costliest ticket
    assert "table=compliance_by_plan" in html and "table=cost_per_organization" in html


def test_an_empty_period_reads_as_nothing_measured(signed_in, lena, story):
    html = signed_in(lena).get("/reports?from=2024-01-01&to=2024-01-31").content.decode()
    assert "Nothing measured in this period." in html
    assert "No target was missed in this period." in html
    assert "No time was logged in this period." in html


def test_unreadable_dates_fall_back_with_a_message(signed_in, lena, db):
    html = signed_in(lena).get("/reports?from=yesterday").content.decode()
    assert "The first day must be a date (YYYY-MM-DD). Showing the last 12 weeks" in html
    html = signed_in(lena).get("/reports?from=2025-03-10&to=2025-03-01").content.decode()
    assert "the dates were swapped" in html and 'value="2025-03-01"' in html


def test_compliance_by_plan_as_csv(signed_in, vera, story):
    response = signed_in(vera).get(f"/reports?{PERIOD}&format=csv&table=compliance_by_plan")
    assert "compliance_by_plan-2025-03-03-to-2025-03-23.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:5] == ["plan", "measured", "met", "missed", "compliance_percent"]
    assert rows[0][5:8] == ["first_response_measured", "first_response_met",
                            "first_response_percent"]
    assert [row[:5] for row in rows[1:]] == [["Premium", "3", "2", "1", "66.7"],
                                             ["Standard", "2", "1", "1", "50.0"]]


def test_compliance_by_period_names_each_weeks_first_day(signed_in, lena, story):
    rows = csv_rows(signed_in(lena).get(
        f"/reports?{PERIOD}&period=week&format=csv&table=compliance_by_period"))
    assert [row[:3] for row in rows] == [["week_starting", "measured", "met"],
                                         ["2025-03-03", "3", "1"], ["2025-03-10", "1", "1"],
                                         ["2025-03-17", "1", "1"]]


def test_breaches_as_csv_with_ticket_references(signed_in, lena, story):
    rows = csv_rows(signed_in(lena).get(f"/reports?{PERIOD}&format=csv&table=breaches"))
    assert rows[0][:6] == ["ticket", "subject", "organization", "plan", "team", "target"]
    assert [(r[0], r[5], r[-1]) for r in rows[1:]] == [
        (story.login.reference, "first_response", "60"),
        (story.export.reference, "resolution", "30")]


def test_every_table_exports(signed_in, lena, story):
    client = signed_in(lena)
    expected_rows = {"compliance_by_team": 3, "first_response_times": 10,
                     "resolution_times": 9, "developer_hours": 3, "cost_per_ticket": 3,
                     "cost_per_organization": 2}
    for table, count in expected_rows.items():
        rows = csv_rows(client.get(f"/reports?{PERIOD}&format=csv&table={table}"))
        assert len(rows) == count + 1, table
    assert csv_rows(client.get(f"/reports?{PERIOD}&format=csv&table=developer_hours"))[2] == [
        "2025-03-10", "2.00", "40.00", "5"]


def test_csv_cells_cannot_become_spreadsheet_formulas(signed_in, lena, story):
    Organization.objects.filter(name="Globex").update(name='=HYPERLINK("http://evil")')
    rows = csv_rows(signed_in(lena).get(
        f"/reports?{PERIOD}&format=csv&table=cost_per_organization"))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")"


def test_an_unknown_table_is_a_404_naming_the_tables(signed_in, lena, db):
    response = signed_in(lena).get("/reports?format=csv&table=nope")
    assert response.status_code == 404 and "compliance_by_plan" in response.content.decode()


def test_developers_are_sent_to_their_own_desk_not_the_reports(signed_in, dana, lena, story):
    """The breach and cost lists link tickets at every tier; a developer sees tier 3 only."""
    page = signed_in(dana).get(f"/reports?{PERIOD}")
    assert page.status_code == 403
    assert "developers have their own desk at /dev" in page.content.decode()
    assert signed_in(dana).get(f"/reports?{PERIOD}&format=csv&table=breaches").status_code == 403
    assert 'data-nav="reports"' not in signed_in(dana).get("/dev").content.decode()
    assert 'data-nav="reports"' in signed_in(lena).get("/q/mine").content.decode()


def test_reports_need_signing_in(client, db):
    response = client.get("/reports")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_sla_compliance_through_the_api(api, vera, story):
    body = api(vera).get("/reports/sla-compliance",
                         {"from": "2025-03-03", "to": "2025-03-23", "by": "plan"}).json()
    assert body["overall"] == {"measured": 5, "met": 3, "missed": 2, "percent": 60.0}
    assert [(r["group"], r["measured"], r["percent"]) for r in body["rows"]] == [
        ("Premium", 3, 66.7), ("Standard", 2, 50.0)]
    assert body["rows"][0]["targets"]["resolution"] == {"measured": 1, "met": 0, "missed": 1,
                                                        "percent": 0.0}
    weeks = api(vera).get("/reports/sla-compliance",
                          {"from": "2025-03-03", "to": "2025-03-23", "by": "week"}).json()
    assert [r["group"] for r in weeks["rows"]] == ["2025-03-03", "2025-03-10", "2025-03-17"]
    bad = api(vera).get("/reports/sla-compliance", {"from": "2025-03-23", "to": "2025-03-01"})
    assert bad.status_code == 422


def test_developers_may_not_read_compliance_through_the_api(api, dana, lena, story):
    refused = api(dana).get("/reports/sla-compliance", {"from": "2025-03-03", "to": "2025-03-23"})
    assert refused.status_code == 403
    assert "developers have their own desk at /dev" in refused.json()["detail"]
    assert api(lena).get("/reports/sla-compliance").status_code == 200


def test_the_page_costs_the_same_queries_however_much_data(signed_in, lena, otto, story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.costs.factories import log, make_ticket
    from tests.insights.conftest import day
    from tests.insights.factories import measure

    client = signed_in(lena)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/reports?{PERIOD}").status_code == 200
        return len(captured)

    queries()  # the first look creates the cost settings row
    before = queries()
    for n in range(6):
        ticket = make_ticket(story.login.requester, f"More {n}", plan=story.login.clock.plan,
                             team=story.specialists)
        measure(ticket, "first_response", due=day(n + 1), met_after=timedelta(hours=3),
                breached=True)
        log(ticket, otto, 30, at=day(n))
    assert queries() == before
