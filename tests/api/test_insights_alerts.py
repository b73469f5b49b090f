"""GET /api/v1/insights/alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from frontline.core.models import User
from frontline.insights import detection
from tests.api.conftest import ApiClient
from tests.insights.customer_base import customer_base, with_setups

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
                          "explains", "explanation", "configuration_specific", "at_risk"]
    assert item["status"] == "open" and "ORA-01722" in item["title"]
    assert item["tickets"] == [t.reference for t in tickets]
    assert item["organizations"] == [{"id": o.pk, "name": o.name}
                                     for o in base.organizations[:3]]
    assert item["explains"] == [] and item["at_risk"] == []  # nobody's setup is known
    assert api(lena).get("/insights/alerts", {"status": "dismissed"}).json() == {"items": []}


def test_viewers_get_403(api: Callable[[User], ApiClient], vera: User) -> None:
    assert api(vera).get("/insights/alerts").status_code == 403


def test_an_alert_explained_by_oracle_on_5_1_with_customers_at_risk(
        api: Callable[[User], ApiClient], lena: User, ada: User, settings: Any) -> None:
    settings.FRONTLINE_TESTED_CONFIGURATIONS = ["database=postgresql", "os=linux"]
    base = with_setups(customer_base(12))
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run(limit=None)

    item = api(lena).get("/insights/alerts").json()["items"][0]
    assert item["explains"] == [
        {"key": "database", "value": "oracle", "share": 1.0, "base_share": 0.4167, "lift": 2.4},
        {"key": "version", "value": "Ledger 5.1", "share": 1.0, "base_share": 0.5833,
         "lift": 1.7143},
        {"key": "deployment", "value": "on-premise", "share": 1.0, "base_share": 0.75,
         "lift": 1.3333}]
    assert item["explanation"] == ("All affected customers run database=oracle vs 42% of all "
                                   "customers; all are on Ledger 5.1")
    assert item["configuration_specific"] is True
    d, e = base.organizations[3], base.organizations[4]
    reason = ("runs database=oracle like 3 of 3 affected, still on Ledger 5.0 "
              "(the alert concentrates on Ledger 5.1)")
    assert item["at_risk"] == [
        {"id": d.pk, "name": "Org D", "version": "Ledger 5.0", "reason": reason},
        {"id": e.pk, "name": "Org E", "version": "Ledger 5.0", "reason": reason}]


def test_versions_in_their_documented_shape(api: Callable[[User], ApiClient], lena: User,
                                            vera: User) -> None:
    base = with_setups(customer_base(12))
    base.problem(0, base.contact(0), base.now - DAY)  # A, on 5.1
    body = api(lena).get("/insights/versions").json()
    today = base.now.date()
    five_one, five_o = body["items"]
    assert list(five_one) == ["product", "version", "released_on", "organizations", "tickets",
                              "rate", "previous_version", "previous_rate"]
    assert five_one["product"] == "Ledger" and five_one["version"] == "5.1"
    assert five_one["organizations"] == 7 and five_one["tickets"] == 1
    assert five_one["previous_version"] == "5.0" and five_one["previous_rate"] == 0.0
    assert five_o["organizations"] == 4 and five_o["previous_version"] is None
    assert five_o["released_on"] == str(today - timedelta(days=200))
    assert api(vera).get("/insights/versions").status_code == 403


def test_an_advisory_drafted_and_sent_through_the_api(api: Callable[[User], ApiClient],
                                                      lena: User, vera: User) -> None:
    base = with_setups(customer_base(12))
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run(limit=None)
    alert_id = api(lena).get("/insights/alerts").json()["items"][0]["id"]
    d, e = base.organizations[3], base.organizations[4]

    draft = api(lena).get(f"/insights/alerts/{alert_id}/advisory")
    assert draft.status_code == 200
    body = draft.json()
    assert body["subject"] == "Before you upgrade to Ledger 5.1: a known problem"
    assert "you are not on Ledger 5.1 yet" in body["text"]
    assert body["recipients"] == [
        {"organization": {"id": org.pk, "name": org.name}, "to": base.contacts[i].primary_email}
        for i, org in ((3, d), (4, e))]

    sent = api(lena).post(f"/insights/alerts/{alert_id}/advisory",
                          {"text": "Please wait with 5.1.", "organizations": [e.pk]})
    assert sent.status_code == 201
    (item,) = sent.json()["items"]
    assert item["organization"] == {"id": e.pk, "name": e.name}
    assert item["to"] == base.contacts[4].primary_email and item["not_mailed"] is None
    ticket = api(lena).get(f"/tickets/{item['ticket']}").json()
    assert ticket["subject"] == body["subject"] and ticket["status"] == "pending_customer"

    refused = api(lena).post(f"/insights/alerts/{alert_id}/advisory",
                             {"text": "Wait.", "organizations": []})
    assert refused.status_code == 422
    assert api(vera).get(f"/insights/alerts/{alert_id}/advisory").status_code == 403
    assert api(lena).get("/insights/alerts/999999/advisory").status_code == 404
