"""One finder per concept, in the app that owns the model: each reads the record,
its id or its name (a slug too where it has one) the same way, gives None for an
empty value, and refuses a value that names nothing with the one error for "not
found", InvalidInput naming the caller's field, so a form shows it next to that
field and the API answers 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from frontline.core.errors import InvalidInput
from frontline.customers.finders import find_organization, find_plan, find_product, find_version
from frontline.customers.models import Organization, Plan, Product, Version
from frontline.routing.models import Team
from frontline.routing.teams import find_team
from frontline.sla.inputs import find_calendar, find_policy
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.tickets.taxonomy import Category, Priority, find_category, find_priority
from tests.factories import OrganizationFactory

FINDERS: list[tuple[str, Callable[..., Any]]] = [
    ("team", find_team), ("plan", find_plan), ("product", find_product),
    ("organization", find_organization), ("calendar", find_calendar),
    ("policy", find_policy), ("category", find_category), ("priority", find_priority),
]


@pytest.fixture
def records(db: None, standard_plan: Plan, frontdesk: Team, installation: Category,
            initech: Organization) -> dict[str, Any]:
    """One record of each concept, named so that a case-insensitive match shows."""
    berlin = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin")
    beacon = Product.objects.create(name="Beacon Server", slug="beacon")
    return {
        "team": frontdesk, "plan": standard_plan, "product": beacon, "organization": initech,
        "calendar": berlin, "category": installation,
        "policy": SlaPolicy.objects.create(plan=standard_plan, first_response_minutes=60),
        "version": Version.objects.create(product=beacon, name="4.2"),
    }


@pytest.mark.parametrize(("concept", "find"), FINDERS, ids=[c for c, _ in FINDERS])
@pytest.mark.parametrize("value", ["nonesuch", 987654])
def test_a_value_naming_nothing_is_refused_with_the_field_named(
        records: dict[str, Any], concept: str, find: Callable[..., Any], value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        find(value, field="the_form_field")
    assert caught.value.field == "the_form_field"
    assert caught.value.message.startswith(("No ", f"No {concept}")), caught.value.message
    assert f"'{value}'" in caught.value.message


@pytest.mark.parametrize(("concept", "find"), FINDERS, ids=[c for c, _ in FINDERS])
def test_an_empty_value_is_none_not_an_error(records: dict[str, Any], concept: str,
                                             find: Callable[..., Any]) -> None:
    assert find(None) is None
    assert find("") is None
    assert find("   ") is None


@pytest.mark.parametrize(("concept", "find"),
                         [(c, f) for c, f in FINDERS if c != "priority"],
                         ids=[c for c, _ in FINDERS if c != "priority"])
def test_the_record_itself_and_its_id_find_it(records: dict[str, Any], concept: str,
                                              find: Callable[..., Any]) -> None:
    record = records[concept]
    assert find(record) == record
    assert find(record.pk) == record
    assert find(str(record.pk)) == record
    assert find(f" {record.pk} ") == record


def test_names_are_read_in_any_case_and_slugs_exactly(records: dict[str, Any]) -> None:
    assert find_team("FRONTDESK") == records["team"]
    assert find_plan("standard") == find_plan("Standard") == find_plan("STANDARD") \
        == records["plan"]
    assert find_product("beacon") == find_product("beacon server") == records["product"]
    assert find_organization("initech") == records["organization"]
    assert find_calendar("berlin OFFICE") == records["calendar"]
    assert find_category("installation") == find_category("INSTALLATION") \
        == records["category"]


def test_a_plans_refusal_lists_the_plans_there_are(records: dict[str, Any],
                                                   premium_plan: Plan) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_plan("gold")
    assert caught.value.message == "No plan 'gold' (plans: premium, standard)."
    assert caught.value.field == "plan"


def test_a_priority_is_a_number_or_a_name(db: None) -> None:
    assert find_priority(4) == find_priority("4") == find_priority("Urgent") == Priority.URGENT
    assert find_priority(Priority.LOW) == Priority.LOW
    for wrong in (0, 5, True, "critical", "2.5"):
        with pytest.raises(InvalidInput) as caught:
            find_priority(wrong, field="set_priority")
        assert caught.value.field == "set_priority"
        assert caught.value.message == f"No priority '{wrong}' (low, normal, high, urgent)."


def test_where_empty_means_any_priority_the_word_is_read_and_offered(db: None) -> None:
    assert find_priority("any", empty_means="any") is None
    with pytest.raises(InvalidInput) as caught:
        find_priority("critical", empty_means="any")
    assert caught.value.message == ("No priority 'critical' (low, normal, high, urgent, "
                                    "or empty for any).")


def test_a_version_belongs_to_its_product(records: dict[str, Any]) -> None:
    beacon, version = records["product"], records["version"]
    other = Product.objects.create(name="Beacon Mobile", slug="beacon-mobile")
    assert find_version(beacon, "4.2") == find_version(beacon, version.pk) == version
    for product, value, message in [
        (None, "4.2", "A version needs a product."),
        (beacon, "4.2.0", "Beacon Server has no version '4.2.0'."),
        (other, "4.2", "Beacon Mobile has no version '4.2'."),
        (other, version, f"Beacon Mobile has no version '{version}'."),
    ]:
        with pytest.raises(InvalidInput) as caught:
            find_version(product, value, field="version")
        assert (caught.value.field, caught.value.message) == ("version", message)


def test_two_organizations_of_one_name_need_the_id(records: dict[str, Any]) -> None:
    twin = OrganizationFactory(name="INITECH")
    with pytest.raises(InvalidInput) as caught:
        find_organization("Initech", field="organization")
    assert caught.value.message == "Several organizations are called 'Initech'; give its id."
    assert find_organization(twin.pk) == twin


def test_an_id_too_large_for_the_database_is_simply_not_found(records: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_team(2**70)
    assert caught.value.field == "team"
