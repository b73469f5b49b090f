"""GET /api/v1/insights/organizations: customers with more problems than their peers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from frontline.core.models import User
from tests.api.conftest import ApiClient, field_errors
from tests.insights.peer_base import peer_base

Api = Callable[[User], ApiClient]


def test_organizations_by_ratio_to_peers_in_their_documented_shape(api: Api, lena: User,
                                                                  vera: User) -> None:
    peer_base(vera=vera)
    response = api(lena).get("/insights/organizations", {"period_days": 90})
    assert response.status_code == 200
    body = response.json()
    assert body["period_days"] == 90 and len(body["items"]) == 12
    first = body["items"][0]
    assert list(first)[:8] == ["id", "name", "seats", "tickets", "tickets_per_seat",
                               "ratio_to_peers", "top_categories", "suggestion"]
    assert (first["name"], first["seats"], first["tickets"]) == ("Hotspot", 100, 33)
    assert first["tickets_per_seat"] == 0.33 and first["ratio_to_peers"] == 3.3
    assert first["suggestion"] == "how-to heavy" and first["advice"]
    assert first["peer_group"] == "Premium, 51\u2013250 seats" and first["peers"] == 4
    assert first["account_manager"] == "Vera Viewer"
    assert len(first["top_categories"]) == 3
    assert set(first["top_categories"][0]) == {"category", "tickets", "share"}
    assert sum(c["tickets"] for c in first["top_categories"]) <= 33
    ratios = [item["ratio_to_peers"] for item in body["items"]]
    assert ratios == sorted(ratios, reverse=True)
    assert [item["suggestion"] for item in body["items"][:3]] == [
        "how-to heavy", "configuration", "training"]
    assert all(item["suggestion"] is None for item in body["items"][3:])


def test_the_default_period_is_90_days_and_admins_see_all(api: Api, ada: User) -> None:
    peer_base(seed=3)
    body = api(ada).get("/insights/organizations").json()
    assert body["period_days"] == 90 and len(body["items"]) == 12
    at_180 = {item["name"]: item for item in
              api(ada).get("/insights/organizations", {"period_days": 180}).json()["items"]}
    assert at_180["Pinewood"]["tickets"] == 22  # twelve more from 100-180 days ago


def test_a_viewer_sees_only_the_organizations_they_manage(api: Api, vera: User) -> None:
    peer_base(vera=vera, seed=5)
    items = api(vera).get("/insights/organizations").json()["items"]
    assert [item["name"] for item in items] == ["Hotspot", "Spread"]


def test_developers_get_403(api: Api, dana: User) -> None:
    response = api(dana).get("/insights/organizations")
    assert response.status_code == 403
    assert "account managers" in response.json()["detail"]


@pytest.mark.parametrize("days", ["0", "731", "-5", "ninety"])
def test_period_days_runs_from_1_to_730(api: Api, lena: User, days: str) -> None:
    response = api(lena).get("/insights/organizations", {"period_days": days})
    assert response.status_code == 422
    assert "period_days" in field_errors(response)
