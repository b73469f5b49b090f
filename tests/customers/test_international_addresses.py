"""Contacts with UTF-8 addresses (RFC 6531): resolved once, found by either spelling
of their domain, in the organization that owns the domain in either spelling."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput
from frontline.customers import services
from frontline.customers.finders import find_contacts
from frontline.customers.models import Contact, ContactEmail
from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_first_mail_creates_the_contact_and_the_next_spelling_finds_it():
    books = OrganizationFactory(name="Bücherstube", domains=["bücher.example"])
    jurgen = services.resolve_contact("Jürgen.Müller@BÜCHER.example", "Jürgen Müller")
    assert jurgen.organization == books
    assert services.resolve_contact("jürgen.müller@xn--bcher-kva.example") == jurgen
    assert services.find_contact_by_email("JÜRGEN.MÜLLER@xn--BCHER-KVA.example") == jurgen
    assert Contact.objects.count() == 1


def test_rows_stored_with_a_labels_before_are_found_by_the_unicode_form():
    books = OrganizationFactory(name="Books", domains=["xn--bcher-kva.example"])
    old = ContactFactory(name="Anna", email="anna@xn--bcher-kva.example")
    assert services.find_contact_by_email("anna@bücher.example") == old
    assert services.organization_for_email("neu@bücher.example") == books
    assert services.resolve_contact("Anna@Bücher.example") == old


def test_an_address_of_another_contact_by_the_other_spelling_is_refused(lena):
    ContactFactory(name="Sveta", email="светлана@почта.рф")
    with pytest.raises(InvalidInput) as refused:
        services.create_contact(lena, emails=["светлана@xn--80a1acny.xn--p1ai"], name="Copy")
    assert refused.value.field == "emails"
    assert refused.value.message == "светлана@почта.рф belongs to another contact."


def test_an_organization_domain_is_stored_in_unicode_form(lena):
    created = services.create_organization(lena, name="Почта", domains=["XN--80A1ACNY.xn--p1ai"])
    assert [d.domain for d in created.domains.all()] == ["почта.рф"]


@pytest.mark.parametrize("typed", ["γιώργος@xn--hxajbheg2az3al", "Γιώργος",
                                   "γιώργος@παράδειγμα.example", "xn--hxajbheg2az3al"])
def test_an_agent_finds_the_caller_by_address_in_either_spelling(typed):
    giorgos = ContactFactory(name="Γιώργος Παπαδόπουλος", email="γιώργος@παράδειγμα.example")
    ContactFactory(name="Other", email="other@umbrella.example")
    assert find_contacts(typed) == [giorgos]


def test_a_bad_address_is_refused_and_nothing_is_stored():
    with pytest.raises(InvalidInput) as refused:
        services.resolve_contact("inês 11@umbrella.example", field="from")
    assert refused.value.field == "from"
    assert refused.value.message == "'inês 11@umbrella.example' is not a valid email address."
    assert not ContactEmail.objects.exists()
