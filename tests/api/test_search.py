"""Searching through the API."""

from __future__ import annotations

import pytest

from frontline import workflow
from tests.api.conftest import field_errors

search_services = pytest.importorskip("frontline.search.services")


def test_lena_finds_a_ticket_by_a_word_in_its_messages(api, lena, bob, bobs_ticket,
                                                        alices_ticket):
    workflow.add_note(bobs_ticket, lena, "The proxy strips the session cookie.")
    response = api(lena).get("/search", {"q": "cookie"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [h["ticket"]["reference"] for h in body["hits"]] == [bobs_ticket.reference]
    hit = body["hits"][0]
    assert "<mark>" in hit["snippet"] and hit["matched"] == "message"
    assert hit["ticket"]["requester"]["email"] == "bob@standard.example"
    assert body["next_offset"] is None


def test_a_reference_finds_its_ticket(api, lena, bobs_ticket, alices_ticket):
    hits = api(lena).get("/search", {"q": alices_ticket.reference}).json()["hits"]
    assert hits[0]["ticket"]["reference"] == alices_ticket.reference


def test_dana_finds_only_what_she_may_see(api, dana, bobs_ticket):
    assert api(dana).get("/search", {"q": "login"}).json()["hits"] == []


def test_snippets_never_carry_the_customer_s_html(api, lena, bob, standard_plan):
    workflow.open_ticket(requester_email="bob@standard.example", subject="Widget broken",
                         body="<script>alert('x')</script> the widget is broken")
    hit = api(lena).get("/search", {"q": "widget"}).json()["hits"][0]
    assert "<script>" not in hit["snippet"]


@pytest.mark.parametrize(("params", "field"), [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 501}, "q"),
    ({"q": "a\x00b"}, "q"),
    ({"q": "cookie", "limit": 0}, "limit"),
    ({"q": "cookie", "limit": 10**20}, "limit"),
    ({"q": "cookie", "offset": -1}, "offset"),
    ({"q": "cookie", "offset": 10**6}, "offset"),
])
def test_bad_searches_are_422_naming_the_parameter(api, lena, bobs_ticket, params, field):
    response = api(lena).get("/search", params)
    assert response.status_code == 422
    assert field in field_errors(response)


@pytest.mark.parametrize("q", ['"', "(", "AND", "NOT", "*", "-", "a OR", "ü∂ƒ©", "😀",
                               "FL-", "FL-99999999999", "@", "' OR 1=1 --", "NEAR(a b)"])
def test_odd_queries_never_fail(api, lena, bobs_ticket, q):
    response = api(lena).get("/search", {"q": q})
    assert response.status_code in (200, 422), response.content
