"""/api/v1/webhooks: admins register, change, test and remove endpoints and read their
delivery log; every other role is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.webhooks import delivery
from tests.api.conftest import field_errors


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(api, ada, settings):
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = False
    created = api(ada).post("/webhooks", {
        "url": "https://hooks.example.com/frontline/ops", "description": "Ops channel",
        "events": ["ticket.sla_breach", "ticket.escalated", "ticket.sla_breach"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert body["events"] == ["ticket.escalated", "ticket.sla_breach"]
    listed = api(ada).get("/webhooks").json()
    [item] = listed["items"]
    assert "secret" not in item and item["secret_hint"] == "…" + body["secret"][-4:]
    assert "ticket.message_added" in listed["events"] and "problem.created" in listed["events"]


@pytest.mark.parametrize(("url", "message"), [
    ("http://hooks.example.com/in", "https://"),
    ("ftp://hooks.example.com/in", "https://"),
    ("https://", "name a host"),
    ("https://hooks.example.com/a b", "spaces"),
    ("", "Enter the URL"),
    ("http://localhost:8080/hook", "https://"),  # local http: only where allowed
])
def test_an_endpoint_url_must_be_https(api, ada, settings, url, message):
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = False
    response = api(ada).post("/webhooks", {"url": url})
    assert response.status_code == 422
    assert message in field_errors(response)["url"]


def test_local_http_is_accepted_where_allowed(api, ada, settings):
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = True
    assert api(ada).post("/webhooks", {"url": "http://127.0.0.1:8081/in"}).status_code == 201
    assert api(ada).post("/webhooks", {"url": "http://10.0.0.7/in"}).status_code == 422


def test_an_unknown_event_is_refused_with_the_known_ones(api, ada):
    response = api(ada).post("/webhooks", {"url": "https://h.example.net/x",
                                           "events": ["ticket.deleted"]})
    assert response.status_code == 422
    assert "ticket.deleted" in field_errors(response)["events"]
    assert "ticket.created" in field_errors(response)["events"]


def test_an_admin_changes_switches_off_and_replaces_the_secret(api, ada):
    created = api(ada).post("/webhooks", {"url": "https://h.example.net/x"}).json()
    changed = api(ada).patch(f"/webhooks/{created['id']}", {
        "active": False, "events": ["problem.fix_released"], "description": "Releases"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["active"] is False and changed.json()["secret"] is None
    assert changed.json()["events"] == ["problem.fix_released"]
    rotated = api(ada).patch(f"/webhooks/{created['id']}", {"rotate_secret": True}).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert api(ada).patch(f"/webhooks/{created['id']}", {"url": None}).status_code == 422
    assert api(ada).patch(f"/webhooks/{created['id']}", {"colour": "red"}).status_code == 422


def test_a_test_ping_is_queued_and_its_answers_are_in_the_log(api, ada, receiver):
    created = api(ada).post("/webhooks", {"url": receiver.url()}).json()
    receiver.signed_by(created["secret"])
    receiver.answers = [502]
    queued = api(ada).post(f"/webhooks/{created['id']}/test")
    assert queued.status_code == 202 and queued.json()["state"] == "pending"
    now = timezone.now() + timedelta(seconds=1)
    delivery.run_due(now=now)
    delivery.run_due(now=now + timedelta(hours=1))
    log = api(ada).get(f"/webhooks/{created['id']}/deliveries").json()
    [entry] = log["items"]
    assert entry["event"] == "ping" and entry["state"] == "delivered"
    assert [(a["number"], a["status"]) for a in entry["attempt_log"]] == [(1, 502), (2, 200)]
    assert entry["attempt_log"][0]["response"] == "answer 502 to 1"
    assert [r.signed for r in receiver.received] == [True, True]


def test_the_delivery_log_pages_newest_first(api, ada):
    created = api(ada).post("/webhooks", {"url": "https://h.example.net/x"}).json()
    ids = [api(ada).post(f"/webhooks/{created['id']}/test").json()["id"] for _ in range(5)]
    first = api(ada).get(f"/webhooks/{created['id']}/deliveries", {"limit": 3}).json()
    assert [d["id"] for d in first["items"]] == ids[::-1][:3]
    rest = api(ada).get(f"/webhooks/{created['id']}/deliveries",
                        {"limit": 3, "before": first["next_before"]}).json()
    assert [d["id"] for d in rest["items"]] == ids[::-1][3:] and rest["next_before"] is None


def test_removing_an_endpoint_removes_its_log(api, ada):
    created = api(ada).post("/webhooks", {"url": "https://h.example.net/x"}).json()
    api(ada).post(f"/webhooks/{created['id']}/test")
    client = api(ada)
    assert client.client.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert client.client.delete(f"/api/v1/webhooks/{created['id']}").status_code == 404
    assert api(ada).get(f"/webhooks/{created['id']}/deliveries").status_code == 404
    assert api(ada).get("/webhooks").json()["items"] == []


@pytest.mark.parametrize("who", ["lena", "otto", "dana", "vera"])
def test_only_admins_reach_webhooks(api, ada, who, request):
    user = request.getfixturevalue(who)
    created = api(ada).post("/webhooks", {"url": "https://h.example.net/x"}).json()
    client = api(user)
    for response in (client.get("/webhooks"),
                     client.post("/webhooks", {"url": "https://evil.example/x"}),
                     client.patch(f"/webhooks/{created['id']}", {"active": False}),
                     client.client.delete(f"/api/v1/webhooks/{created['id']}"),
                     client.get(f"/webhooks/{created['id']}/deliveries"),
                     client.post(f"/webhooks/{created['id']}/test")):
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "Only an admin may do this."
    assert api(None).get("/webhooks").status_code == 401
    assert api(ada).get("/webhooks").json()["items"][0]["active"] is True


def test_unstorable_text_is_refused_not_a_crash(api, ada):
    for body, field in (({"url": "https://h.example.net/x", "description": "a\x00b"},
                         "description"),
                        ({"url": "https://h.example.net/\x00"}, "url"),
                        ({"url": "https://h.example.net/x", "events": ["ticket.\ud800"]},
                         "events.0")):
        response = api(ada).post("/webhooks", body)
        assert response.status_code == 422, (body, response.content)
        assert field in field_errors(response)
