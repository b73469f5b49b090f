"""Contacts and requesters whose addresses are not ASCII (RFC 6531), through the API:
created, stored in one form, found by either spelling of their domain."""

from __future__ import annotations

import pytest

from frontline.customers.models import ContactEmail
from tests.api.conftest import field_errors
from tests.factories import OrganizationFactory


def test_lena_adds_a_contact_with_utf8_addresses_stored_in_one_form(api, lena):
    books = OrganizationFactory(name="Bücherstube", domains=["bücher.example"])
    response = api(lena).post("/contacts", {
        "name": "Inês Conceição",
        "emails": ["Inês11@BÜCHER.example", "ines@xn--bcher-kva.example"],
    })
    assert response.status_code == 201, response.json()
    contact = response.json()
    assert contact["emails"] == ["inês11@bücher.example", "ines@bücher.example"]
    assert contact["organization"] == {"id": books.pk, "name": "Bücherstube"}
    assert set(ContactEmail.objects.values_list("address", flat=True)) == {
        "inês11@bücher.example", "ines@bücher.example"}


@pytest.mark.parametrize("q", ["xn--bcher-kva", "bücher", "INÊS11", "inês11@xn--bcher-kva.example"])
def test_a_contact_is_found_by_either_spelling_of_the_domain(api, lena, q):
    client = api(lena)
    created = client.post("/contacts", {"name": "Inês", "emails": ["inês11@bücher.example"]})
    client.post("/contacts", {"name": "Someone Else", "emails": ["other@umbrella.example"]})

    found = client.get("/contacts", {"q": q})
    assert found.status_code == 200
    assert [c["id"] for c in found.json()["items"]] == [created.json()["id"]]


def test_an_organization_is_found_by_either_spelling_of_its_domain(api, lena):
    books = OrganizationFactory(name="Books Ltd", domains=["xn--bcher-kva.example"])
    OrganizationFactory(name="Umbrella", domains=["umbrella.example"])
    for q in ("bücher.example", "jürgen@bücher.example", "xn--bcher-kva.example"):
        found = api(lena).get("/organizations", {"q": q})
        assert [o["id"] for o in found.json()["items"]] == [books.pk], q


def test_the_same_address_by_the_other_domain_spelling_belongs_to_the_first_contact(api, lena):
    client = api(lena)
    client.post("/contacts", {"name": "Светлана", "emails": ["светлана@почта.рф"]})
    again = client.post("/contacts", {"name": "Copy",
                                      "emails": ["Светлана@xn--80a1acny.xn--p1ai"]})
    assert again.status_code == 422
    assert field_errors(again) == {
        "emails": "светлана@почта.рф belongs to another contact."}


def test_a_ticket_opens_for_a_utf8_requester_and_their_next_one_finds_them(api, lena):
    client = api(lena)
    first = client.post("/tickets", {"subject": "登录失败", "body": "登录后页面空白。",
                                     "requester_email": "小明.王@例子.example",
                                     "requester_name": "王小明"})
    assert first.status_code == 201, first.json()
    requester = first.json()["requester"]
    assert requester["email"] == "小明.王@例子.example" and requester["name"] == "王小明"

    second = client.post("/tickets", {"subject": "导出", "body": "导出失败。",
                                      "requester_email": "小明.王@xn--fsqu00a.example"})
    assert second.status_code == 201, second.json()
    assert second.json()["requester"]["id"] == requester["id"]


@pytest.mark.parametrize("address", [
    "inês 11@umbrella.example",  # a space
    "inês11@umbrella",  # no top-level domain
    "ines\u200b@umbrella.example",  # an invisible character
    "ines@bü_cher.example",  # not a domain name
    "ü" * 33 + "@umbrella.example",  # 66 octets of local part, RFC 5321 allows 64
])
def test_a_bad_international_address_is_422_naming_it(api, lena, address):
    contact = api(lena).post("/contacts", {"name": "X", "emails": [address]})
    assert contact.status_code == 422
    assert "is not a valid email address" in field_errors(contact)["emails"]
    ticket = api(lena).post("/tickets", {"subject": "x", "body": "y", "requester_email": address})
    assert ticket.status_code == 422
    assert "is not a valid email address" in field_errors(ticket)["requester_email"]
    assert not ContactEmail.objects.exists()
