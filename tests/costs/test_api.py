"""GET/POST /api/v1/tickets/{reference}/time."""

from __future__ import annotations

from tests.api.conftest import field_errors
from tests.costs.factories import log


def test_time_by_hand_through_the_api(api, otto, bobs_ticket):
    client = api(otto)
    created = client.post(f"/tickets/{bobs_ticket.reference}/time",
                          {"minutes": 30, "note": "Checked the logs"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["seconds"], body["tier"], body["manual"], body["user"]["username"]) == (
        1800, 2, True, "otto")

    listed = client.get(f"/tickets/{bobs_ticket.reference}/time").json()
    assert [e["note"] for e in listed["entries"]] == ["Checked the logs"]
    assert listed["tiers"] == [{"tier": 2, "seconds": 1800, "hours": "0.50",
                                "hourly": "60.00", "cost": "30.00"}]
    assert (listed["cost"], listed["currency"]) == ("30.00", "EUR")


def test_bad_time_is_refused_naming_the_field(api, otto, bobs_ticket):
    response = api(otto).post(f"/tickets/{bobs_ticket.reference}/time", {"minutes": 0})
    assert response.status_code == 422
    assert "minutes" in field_errors(response)
    response = api(otto).post(f"/tickets/{bobs_ticket.reference}/time",
                              {"minutes": 5, "at": "2025-01-01T09:00:00"})
    assert response.status_code == 422 and "at" in field_errors(response)


def test_viewers_read_time_but_cannot_log_it(api, vera, lena, bobs_ticket):
    log(bobs_ticket, lena, 15)
    client = api(vera)
    assert client.get(f"/tickets/{bobs_ticket.reference}/time").json()["entries"][0][
        "seconds"] == 900
    refused = client.post(f"/tickets/{bobs_ticket.reference}/time", {"minutes": 5})
    assert refused.status_code == 403


def test_developers_cannot_read_time_on_tickets_they_may_not_see(api, dana, bobs_ticket):
    assert api(dana).get(f"/tickets/{bobs_ticket.reference}/time").status_code == 403
    assert api(dana).get("/tickets/FL-999999/time").status_code == 404
