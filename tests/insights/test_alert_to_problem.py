"""An alert becomes a problem (issue 10: "created from an alert or by hand"): from
the workflow, the API (`POST /api/v1/problems {"alert": id}`) and the insights page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline.core.errors import InvalidTransition
from frontline.core.models import User
from frontline.insights import detection
from frontline.insights.models import Alert, AlertStatus
from frontline.problems import services as problems
from frontline.problems.models import ProblemTicket
from frontline.workflow import problems as problem_flow
from tests.insights.customer_base import CustomerBase, customer_base

DAY = timedelta(days=1)


@pytest.fixture
def alert(db: None, ada: User) -> Alert:
    base: CustomerBase = customer_base()
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (5 - n) * DAY)
    detection.run()
    return Alert.objects.get()


def test_the_alert_becomes_a_problem_with_its_tickets(alert, ada, lena):
    problem = problem_flow.problem_from_alert(lena, alert)
    alert.refresh_from_db()
    assert alert.problem == problem and alert.status == AlertStatus.PROBLEM
    assert problem.title == alert.title
    linked = set(ProblemTicket.objects.filter(problem=problem).values_list("ticket", flat=True))
    assert linked == set(alert.links.values_list("ticket", flat=True)) and len(linked) == 3
    with pytest.raises(InvalidTransition):
        problem_flow.problem_from_alert(lena, alert)


def test_a_ticket_another_problem_explains_stays_with_it(alert, lena):
    first = alert.links.order_by("at").first().ticket
    other = problems.create_problem(lena, title="Older problem", tickets=[first])
    problem = problem_flow.problem_from_alert(lena, alert)
    assert problems.problem_of(first) == other
    assert ProblemTicket.objects.filter(problem=problem).count() == 2


def test_the_api_makes_a_problem_of_an_alert(api, alert, lena, vera):
    assert api(vera).post("/problems", {"alert": alert.pk}).status_code == 403
    response = api(lena).post("/problems", {"alert": alert.pk, "title": "ORA-01722 on export"})
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "ORA-01722 on export"
    assert api(lena).post("/problems", {"alert": alert.pk}).status_code == 409
    assert api(lena).post("/problems", {"alert": 999999}).status_code == 404
    assert api(lena).post("/problems", {"description": "no title"}).status_code == 422


def test_the_insights_page_makes_a_problem_of_an_alert(signed_in, alert, lena):
    desk = signed_in(lena)
    assert "Make a problem of it" in desk.get("/insights").content.decode()
    answer = desk.post(f"/insights/alerts/{alert.pk}/problem")
    alert.refresh_from_db()
    assert answer.status_code == 302 and answer["Location"] == f"/problems/{alert.problem_id}"
    page = desk.get("/insights?status=problem").content.decode()
    assert f"Problem #{alert.problem_id}" in page
