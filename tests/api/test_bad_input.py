"""Whatever a client sends, the answer is a clear 4xx in the one error shape, never a 500."""

from __future__ import annotations

import json

import pytest

from frontline.tickets.models import Ticket
from tests.api.conftest import field_errors

VALID = {"subject": "Printer on fire", "body": "It is on fire.",
         "requester_email": "bob@standard.example"}


@pytest.mark.parametrize(("change", "field"), [
    ({"subject": 42}, "subject"),
    ({"subject": True}, "subject"),
    ({"subject": None}, "subject"),
    ({"subject": ["a", "b"]}, "subject"),
    ({"subject": {"text": "nested"}}, "subject"),
    ({"subject": "x" * 301}, "subject"),
    ({"subject": "NUL\x00inside"}, "subject"),
    ({"body": "NUL\x00inside"}, "body"),
    ({"requester_email": "x" * 250 + "@example.com"}, "requester_email"),
    ({"requester_email": "a@b@c"}, "requester_email"),
    ({"requester_email": 12345}, "requester_email"),
    ({"requester_name": "n" * 201}, "requester_name"),
    ({"priority": 2}, "priority"),
    ({"priority": "URGENT!!"}, "priority"),
    ({"channel": ""}, "channel"),
    ({"product": "no-such-product"}, "product"),
    ({"tier": 2}, "tier"),
    ({"status": "open"}, "status"),
])
def test_create_refuses_bad_types_and_values_naming_the_field(api, lena, bob, change, field):
    response = api(lena).post("/tickets", {**VALID, **change})
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(("raw", "content_type", "status"), [
    ("{not json", "application/json", 400),
    ("", "application/json", 422),
    ("null", "application/json", 422),
    ("[]", "application/json", 422),
    ('"just a string"', "application/json", 422),
    ("12", "application/json", 422),
    ("\xff\xfe garbage", "application/json", 400),
    ("[" * 100_000 + "]" * 100_000, "application/json", 400),
    ("subject=a&body=b&requester_email=bob%40standard.example",
     "application/x-www-form-urlencoded", 400),
    ('{"subject": "a", "subject": 1}', "application/json", 422),
    ('{"subject": "\\ud800", "body": "b", "requester_email": "bob@standard.example"}',
     "application/json", 422),
    ('{"subject": NaN, "body": "b", "requester_email": "bob@standard.example"}',
     "application/json", 422),
])
def test_bodies_that_are_not_a_json_object_are_refused(api, lena, bob, raw, content_type,
                                                       status):
    response = api(lena).post("/tickets", raw=raw, content_type=content_type)
    assert response.status_code == status, response.content
    field_errors(response)
    assert Ticket.objects.count() == 0


def test_a_body_over_the_upload_limit_is_413(api, lena, bob):
    response = api(lena).post("/tickets", {**VALID, "body": "x" * 3_000_000})
    assert response.status_code == 413
    field_errors(response)


def test_a_message_over_the_size_limit_names_the_body(api, lena, bob, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
    response = api(lena).post("/tickets", {**VALID, "body": "x" * 1_000_001})
    assert response.status_code == 422 and "body" in field_errors(response)


def test_unicode_of_every_kind_is_kept_as_sent(api, lena, bob):
    subject = "Ünïcödé 😀 ثبت‌نام 日本語 \u200b zero-width"
    body = "Line one\nLine two: 🚀\n\tTabbed — “quotes” \u2018ok\u2019 \U0001f9d1\u200d\U0001f4bb"
    created = api(lena).post("/tickets", {**VALID, "subject": subject, "body": body,
                                          "requester_name": "Zoë Ångström"})
    assert created.status_code == 201, created.content
    ticket = api(lena).get(f"/tickets/{created.json()['reference']}").json()
    assert ticket["subject"] == subject
    assert ticket["timeline"][0]["body"] == body


@pytest.mark.parametrize(("change", "field"), [
    ({"tier": 10**100}, "tier"),
    ({"tier": 2.5}, "tier"),
    ({"tier": "two"}, "tier"),
    ({"tier": 0}, "tier"),
    ({"tier": -1}, "tier"),
    ({"tier": None}, "tier"),
    ({"priority": None}, "priority"),
    ({"priority": "critical"}, "priority"),
    ({"status": "done"}, "status"),
    ({"team": "No Such Team"}, "team"),
    ({"team": "9" * 40}, "team"),
    ({"assignee": "vera"}, "assignee"),
    ({"assignee": 10**30}, "assignee"),
    ({"category": "nope"}, "category"),
    ({"subject": ""}, "subject"),
    ({"requester_email": "x@y.z"}, "requester_email"),
    ({"merged_into": "FL-1"}, "merged_into"),
])
def test_patch_refuses_bad_values_naming_the_field(api, lena, vera, bobs_ticket, change, field):
    response = api(lena).patch(f"/tickets/{bobs_ticket.reference}", change)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)


@pytest.mark.parametrize("path", [
    "/tickets/FL-0", "/tickets/FL-999999999999", "/tickets/FL-9999999999999999999999",
    "/tickets/XX-10001", "/tickets/%00", "/tickets/%F0%9F%98%80", "/tickets/..%2F..%2Fetc",
    "/tickets/FL-10001/nothing-here", "/no-such-endpoint", "/tickets/",
])
def test_paths_that_lead_nowhere_are_404_json(api, lena, bobs_ticket, path):
    response = api(lena).get(path)
    assert response.status_code == 404, response.content
    field_errors(response)


@pytest.mark.parametrize("path", [
    "/organizations/0", "/organizations/-3", "/organizations/abc",
    "/organizations/99999999999999999999", "/contacts/1.5",
])
def test_ids_that_cannot_exist_are_422(api, lena, path):
    response = api(lena).get(path)
    assert response.status_code == 422, response.content
    field_errors(response)


def test_a_method_the_endpoint_does_not_have_is_405(api, lena, bobs_ticket):
    response = api(lena).client.delete(f"/api/v1/tickets/{bobs_ticket.reference}")
    assert response.status_code == 405


@pytest.mark.parametrize("params", [
    {"q": "\x00"}, {"q": "x" * 201}, {"limit": "1e3"}, {"cursor": "%%%"},
    {"cursor": "MjAyNS0wMS0wMXww"}, {"organization": "-1"},
])
def test_customer_list_parameters_are_checked(api, lena, params):
    response = api(lena).get("/contacts", params)
    assert response.status_code == 422, response.content
    field_errors(response)


def test_unauthenticated_bad_input_is_still_401_first(api):
    response = api(None).post("/tickets", raw="{garbage")
    assert response.status_code == 401
    assert json.loads(response.content)["errors"] == []
