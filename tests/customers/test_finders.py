"""Finding the caller from what an agent types: a number in any format, an address,
a name in any language and case (frontline.customers.finders.find_contacts)."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.customers import services
from frontline.customers.finders import find_contacts, looks_like_phone, phone_digits
from tests.factories import ContactFactory, OrganizationFactory


@pytest.fixture
def callers(db):
    """People who call us, with numbers written as each of them gave them."""
    berlin = OrganizationFactory(name="Spreewerk GmbH", domains=["spreewerk.example"])
    return {
        "jorg": ContactFactory(name="Jörg Müller", organization=berlin, phone="+49 30 1234-567",
                               email="j.mueller@spreewerk.example"),
        "ada": ContactFactory(name="Adaeze Okafor", phone="(555) 010-2030",
                              email="adaeze@lagos.example"),
        "sofia": ContactFactory(name="Σοφία Παπαδοπούλου", phone="0030 210 555 0199",
                                email="sofia@athens.example"),
        "lukasz": ContactFactory(name="Łukasz Wiśniewski", phone="", email="lukasz@krakow.example"),
        "chen": ContactFactory(name="陈静", phone="+86 10 6552 9988",
                               email="chen.jing@beijing.example"),
        # Same last seven digits as Jörg's, another area code: not him.
        "other": ContactFactory(name="Ines Ortega", phone="+34 91 1234567",
                                email="ines@madrid.example"),
    }


def names(text: str, **kwargs) -> list[str]:
    return [contact.name for contact in find_contacts(text, **kwargs)]


@pytest.mark.parametrize("typed", ["+49 30 1234-567", "030 1234567", "0049 (30) 1234567",
                                   "+49.30.123.45.67", "49301234567", "030/1234 567"])
def test_a_number_is_found_however_it_is_written(callers, typed):
    assert names(typed) == ["Jörg Müller"]


def test_a_north_american_number_with_or_without_the_country_code(callers):
    assert names("(555) 010-2030") == ["Adaeze Okafor"]
    assert names("+1 555 010 2030") == ["Adaeze Okafor"]
    assert names("1-555-010-2030") == ["Adaeze Okafor"]


def test_a_number_is_found_as_it_is_typed(callers):
    """The matches show before the last digit: the digits so far, without the
    trunk prefix, anywhere in the number."""
    assert names("030 12345") == ["Jörg Müller"]
    assert names("210 555") == ["Σοφία Παπαδοπούλου"]


def test_a_short_number_finds_no_one(callers):
    assert names("0301") == []
    assert names("12") == []


def test_another_number_sharing_the_last_digits_is_not_the_caller(callers):
    assert names("+34 91 123 45 67") == ["Ines Ortega"]
    assert "Ines Ortega" not in names("+49 30 1234567")


@pytest.mark.parametrize("typed", ["j.mueller@spreewerk.example", "J.Mueller@SpreeWerk.example",
                                   "j.mueller@", "spreewerk.example", "mueller"])
def test_an_address_or_its_start_finds_its_contact(callers, typed):
    assert names(typed) == ["Jörg Müller"]


@pytest.mark.parametrize("typed, expected", [
    ("jörg", "Jörg Müller"), ("MÜLLER", "Jörg Müller"), ("müller jörg", "Jörg Müller"),
    ("łukasz", "Łukasz Wiśniewski"), ("Wiśniewski", "Łukasz Wiśniewski"),
    ("σοφία", "Σοφία Παπαδοπούλου"), ("okafor", "Adaeze Okafor"), ("陈静", "陈静"),
])
def test_a_name_in_any_language_and_case(callers, typed, expected):
    assert names(typed) == [expected]


def test_every_word_of_a_name_must_match(callers):
    assert names("Adaeze Müller") == []


def test_nothing_typed_finds_no_one_and_the_limit_holds(callers):
    assert names("") == names(" ") == names("a") == []
    for number in range(12):
        ContactFactory(name=f"Maria Garcia {number}", email=f"maria{number}@example.test")
    assert len(names("maria", limit=5)) == 5


def test_what_looks_like_a_phone_number():
    assert phone_digits("+1 (555) 010-2030") == "15550102030"
    assert looks_like_phone("030 1234567") and looks_like_phone("+49 30 1234-567")
    assert not looks_like_phone("1234") and not looks_like_phone("Anna 030 1234567")


# -- the number a caller gave, on their contact ------------------------------------------------


def test_an_agent_notes_the_number_a_contact_called_from(lena, callers):
    lukasz = services.set_phone(lena, callers["lukasz"], "  +48 12  345 67 89 ")
    assert lukasz.phone == "+48 12 345 67 89"
    assert names("012 345 67 89") == ["Łukasz Wiśniewski"]


def test_a_number_on_record_is_kept_when_asked_to_keep_it(lena, callers):
    assert services.set_phone(lena, callers["jorg"], "+49 40 999 888",
                              keep_existing=True).phone == "+49 30 1234-567"
    assert services.set_phone(lena, callers["jorg"], "+49 40 999 888").phone == "+49 40 999 888"


@pytest.mark.parametrize("phone", ["call me maybe", "12", "+49 30 1234567 8901 2345 6789 01",
                                   "030 123456; DROP TABLE"])
def test_what_is_not_a_phone_number_is_refused(lena, callers, phone):
    with pytest.raises(InvalidInput) as refused:
        services.set_phone(lena, callers["lukasz"], phone, field="phone")
    assert refused.value.field == "phone"
    callers["lukasz"].refresh_from_db()
    assert callers["lukasz"].phone == ""


def test_an_extension_is_part_of_the_number(lena, callers):
    assert services.clean_phone("+49 30 1234567 ext. 12") == "+49 30 1234567 ext. 12"


def test_a_viewer_may_not_change_a_contacts_number(vera, callers):
    with pytest.raises(NotAllowed):
        services.set_phone(vera, callers["lukasz"], "+48 12 345 67 89")


def test_a_number_stored_with_an_extension_is_found_by_its_main_number(callers):
    ContactFactory(name="Kwame Mensah", phone="+233 30 277 1234 ext. 5",
                   email="kwame@accra.example")
    assert names("030 277 1234") == ["Kwame Mensah"]
