"""GET /api/v1/insights/alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from frontline.core.models import User
from frontline.insights import detection
from tests.api.conftest import ApiClient
from tests.insights.customer_base import customer_base

DAY = timedelta(days=1)


def test_alerts_in_their_documented_shape(api: Callable[[User], ApiClient], lena: User,
                                          ada: User) -> None:
    base = customer_base()
    tickets = [base.problem(n, base.contact(n), base.now - (3 - n) * DAY) for n in range(3)]
    detection.run(limit=None)

    response = api(lena).get("/insights/alerts")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["items"] and len(body["items"]) == 1
    item = body["items"][0]
    assert list(item) == ["id", "title", "status", "raised_at", "tickets", "organizations",
                          "explains", "at_risk"]
    assert item["status"] == "open" and "ORA-01722" in item["title"]
    assert item["tickets"] == [t.reference for t in tickets]
    assert item["organizations"] == [{"id": o.pk, "name": o.name}
                                     for o in base.organizations[:3]]
    assert item["explains"] == [] and item["at_risk"] == []
    assert api(lena).get("/insights/alerts", {"status": "dismissed"}).json() == {"items": []}


def test_viewers_get_403(api: Callable[[User], ApiClient], vera: User) -> None:
    assert api(vera).get("/insights/alerts").status_code == 403
