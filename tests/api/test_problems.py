"""The problems API: shapes, who may do what, refusals, and the tracker's webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontline.customers.models import Product, Version
from frontline.problems import services
from tests.api.conftest import field_errors

SECRET = "tracker-shared-secret"


@pytest.fixture
def shipped(db):
    ledger = Product.objects.create(name="Ledger", slug="ledger")
    return Version.objects.create(product=ledger, name="5.1.3",
                                  released_on=timezone.localdate() - timedelta(days=3))


def test_an_agent_records_links_and_reads_a_problem(api, lena, bobs_ticket, alices_ticket):
    created = api(lena).post("/problems", {
        "title": "Export times out", "description": "Over 2 GB.",
        "tracker_links": ["https://gitlab.example.org/acme/ledger/-/issues/5"],
        "references": [bobs_ticket.reference]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "investigating" and body["owner"]["username"] == "lena"
    assert body["tracker_links"] == [{"url": "https://gitlab.example.org/acme/ledger/-/issues/5",
                                      "kind": "GitLab"}]
    assert [t["reference"] for t in body["tickets"]] == [bobs_ticket.reference]
    assert body["impact"]["contract_value"] == "12000.00"
    linked = api(lena).post(f"/problems/{body['id']}/tickets",
                            {"references": [alices_ticket.reference]})
    assert linked.status_code == 200 and linked.json()["ticket_count"] == 2
    listed = api(lena).get("/problems", {"status": "open"}).json()
    assert [(p["id"], p["ticket_count"]) for p in listed["items"]] == [(body["id"], 2)]
    assert listed["next_cursor"] is None
    assert api(lena).get("/problems", {"status": "fixed"}).json() == {
        "items": [], "next_cursor": None}
    unlinked = api(lena).client.delete(
        f"/api/v1/problems/{body['id']}/tickets/{bobs_ticket.reference}")
    assert unlinked.status_code == 200 and unlinked.json()["ticket_count"] == 1


def test_patch_moves_the_status_by_its_table(api, lena, shipped, bobs_ticket):
    problem = services.create_problem(lena, title="Login loops", tickets=[bobs_ticket])
    refused = api(lena).patch(f"/problems/{problem.pk}", {"status": "verified"})
    assert refused.status_code == 409
    assert "cannot go from investigating to verified" in refused.json()["detail"]
    missing = api(lena).patch(f"/problems/{problem.pk}", {"status": "known_error"})
    assert missing.status_code == 422 and "workaround" in field_errors(missing)
    fixed = api(lena).patch(f"/problems/{problem.pk}", {
        "status": "fixed", "fix_version": "5.1.3", "product": "ledger"})
    assert fixed.status_code == 200
    assert fixed.json()["fix_released"] is True
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == "resolved"
    bad = api(lena).patch(f"/problems/{problem.pk}", {"fix_version": "9.9", "product": "ledger"})
    assert bad.status_code == 422 and field_errors(bad) == {
        "fix_version": "Ledger has no version '9.9'."}
    assert api(lena).patch(f"/problems/{problem.pk}", {"title": None}).status_code == 422
    assert api(lena).patch(f"/problems/{problem.pk}", {"colour": "red"}).status_code == 422


def test_refusals(api, lena, vera, dana, bobs_ticket):
    assert api(lena).get("/problems/424242").status_code == 404
    assert api(None).get("/problems").status_code == 401
    assert api(lena).post("/problems", {"title": ""}).status_code == 422
    unknown = api(lena).post("/problems", {"title": "X", "references": ["FL-999999"]})
    assert unknown.status_code == 422 and "references" in field_errors(unknown)
    for reader in (vera, dana):
        assert api(reader).post("/problems", {"title": "Nope"}).status_code == 403
    problem = services.create_problem(lena, title="Readers read", tickets=[bobs_ticket])
    assert api(vera).get(f"/problems/{problem.pk}").status_code == 200
    assert api(vera).patch(f"/problems/{problem.pk}", {"title": "x"}).status_code == 403
    push = api(lena).post(f"/problems/{problem.pk}/workaround", {})
    assert push.status_code == 422 and "workaround" in field_errors(push)


def test_developers_see_impact_without_contract_values_unless_allowed(
        api, lena, dana, settings, bobs_ticket):
    problem = services.create_problem(lena, title="Developers' view", tickets=[bobs_ticket])
    seen = api(dana).get(f"/problems/{problem.pk}").json()
    assert seen["impact"]["contract_value"] is None and seen["impact"]["organizations"] == 1
    assert not any("12,000" in sentence for sentence in seen["impact"]["why"])
    # Bob's ticket is at tier 1: counted, not listed for a developer.
    assert seen["ticket_count"] == 1 and seen["tickets"] == []
    settings.FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES = True
    assert api(dana).get(f"/problems/{problem.pk}").json()["impact"]["contract_value"] == \
        "12000.00"


def test_the_workaround_push_answers_per_ticket(api, lena, bobs_ticket, alices_ticket):
    problem = services.create_problem(lena, title="Push", workaround="Use the CSV export.",
                                      tickets=[bobs_ticket, alices_ticket])
    pushed = api(lena).post(f"/problems/{problem.pk}/workaround", {})
    assert pushed.status_code == 200
    assert [(t["reference"], t["outcome"]) for t in pushed.json()["tickets"]] == [
        (bobs_ticket.reference, "sent"), (alices_ticket.reference, "sent")]


# -- the tracker's webhook -------------------------------------------------------------


def _post(body: dict | bytes, *, secret: str | None = SECRET, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature is not None:
        headers["X-Frontline-Signature"] = signature
    elif secret is not None:
        headers["X-Frontline-Signature"] = "sha256=" + hmac.new(
            secret.encode(), raw, hashlib.sha256).hexdigest()
    return Client(headers=headers).post("/api/v1/problems/webhook", data=raw,
                                        content_type="application/json")


def test_a_signed_tracker_post_marks_the_problem_fixed_once(settings, lena, shipped,
                                                           bobs_ticket):
    settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET = SECRET
    problem = services.create_problem(lena, title="Fixed upstream", tickets=[bobs_ticket])
    news = {"problem": problem.pk, "status": "fixed", "fix_version": "5.1.3",
            "product": "ledger"}
    answer = _post(news)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "fixed" and answer.json()["fix_version"] == "5.1.3"
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == "resolved"
    assert _post(news).status_code == 200  # idempotent
    assert bobs_ticket.events.filter(kind="fix_released").count() == 1
    assert problem.changes.filter(kind="status").get().actor_name == "tracker webhook"


def test_the_tracker_webhook_refuses_what_it_cannot_trust(settings, lena, shipped):
    problem = services.create_problem(lena, title="Guarded")
    news = {"problem": problem.pk, "status": "fixed", "fix_version": "5.1.3",
            "product": "ledger"}
    settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET = ""
    assert _post(news).status_code == 403  # no secret configured: nothing is accepted
    settings.FRONTLINE_PROBLEM_WEBHOOK_SECRET = SECRET
    assert _post(news, secret="someone-elses").status_code == 403
    assert _post(news, secret=None).status_code == 403
    assert _post(news, signature="sha256=" + "0" * 64).status_code == 403
    unknown = _post({**news, "fix_version": "7.0.0"})
    assert unknown.status_code == 422 and "fix_version" in field_errors(unknown)
    assert _post({**news, "problem": 987654}).status_code == 404
    assert _post({**news, "status": "verified"}).status_code == 422
    assert _post(b"not json").status_code == 422
    problem.refresh_from_db()
    assert problem.status == "investigating"


def test_the_list_is_paged_by_cursor(api, lena):
    made = [services.create_problem(lena, title=f"Problem {word}")
            for word in ("alpha", "Beta", "gamma Γάμμα", "delta", "épsilon")]
    first = api(lena).get("/problems", {"limit": 2}).json()
    assert [p["id"] for p in first["items"]] == [made[4].pk, made[3].pk]
    second = api(lena).get("/problems", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api(lena).get("/problems", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [p["id"] for p in second["items"] + third["items"]] == [
        made[2].pk, made[1].pk, made[0].pk]
    assert third["next_cursor"] is None
    assert api(lena).get("/problems", {"cursor": "zzz"}).status_code == 422
