"""Keeping macros (personal and shared) and filling one in for a ticket, and applying
its changes through the same workflow as a single change."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from frontline.intake.facts import set_facts
from frontline.kb import macros
from frontline.kb.models import Macro
from frontline.kb.rendering import first_name, render_macro
from frontline.sla.models import SlaPolicy
from frontline.sla.promises import promise_text
from frontline.tickets.models import Event
from frontline.workflow.macros import apply_macro
from tests.factories import ContactFactory, TeamFactory


@pytest.fixture
def billing(db):
    return TeamFactory(name="Billing", tier=1)


def test_an_agent_keeps_a_personal_macro_others_never_see(lena, otto, ada) -> None:
    mine = macros.create_macro(lena, title="Token cache", body="Hi {{ customer.first_name }}")
    assert mine.owner == lena and not mine.shared
    assert list(macros.usable_macros(lena)) == [mine]
    assert list(macros.usable_macros(otto)) == []
    assert list(macros.usable_macros(ada)) == []
    with pytest.raises(InvalidInput, match="No macro"):
        macros.find_macro(otto, mine.pk)
    with pytest.raises(NotAllowed, match="someone else's"):
        macros.update_macro(ada, mine, title="Mine now")


def test_only_admins_keep_shared_macros(lena, ada, vera) -> None:
    with pytest.raises(NotAllowed, match="Only an admin"):
        macros.create_macro(lena, title="Welcome", body="Hello", shared=True)
    with pytest.raises(NotAllowed, match="may not keep macros"):
        macros.create_macro(vera, title="Viewer's", body="Hi")
    shared = macros.create_macro(ada, title="Welcome", body="Hello", shared=True)
    assert shared.owner is None
    assert [m.title for m in macros.usable_macros(lena)] == ["Welcome"]
    with pytest.raises(NotAllowed):
        macros.delete_macro(lena, shared)
    with pytest.raises(NotAllowed):
        macros.update_macro(lena, shared, body="Changed by an agent")
    macros.delete_macro(ada, shared)
    assert not Macro.objects.exists()


def test_a_title_is_unique_per_owner_and_among_shared_ones(lena, otto, ada) -> None:
    macros.create_macro(lena, title="Refund", body="A")
    macros.create_macro(otto, title="refund", body="B")  # another person's: fine
    with pytest.raises(InvalidInput, match="already a macro called") as refused:
        macros.create_macro(lena, title="REFUND ", body="C")
    assert refused.value.field == "title"
    macros.create_macro(ada, title="Refund", body="D", shared=True)
    with pytest.raises(InvalidInput, match="among the shared macros"):
        macros.create_macro(ada, title="refund", body="E", shared=True)


def test_bad_changes_are_refused_naming_their_field(lena, billing) -> None:
    cases = [({"status": "snoozed"}, "status"), ({"assignee": "nobody-here"}, "assignee"),
             ({"team": "Astronauts"}, "team"), ({"tags": ["x" * 51]}, "tags"),
             ({"body": "Hi {{ customer.nickname }}"}, "body"), ({"title": "  "}, "title"),
             ({"body": "", "tags": []}, "body")]
    for change, field in cases:
        with pytest.raises(InvalidInput) as refused:
            macros.create_macro(lena, **{"title": "Probe", "body": "Fine", **change})
        assert refused.value.field == field, change
    assert not Macro.objects.exists()


def test_a_macro_without_text_may_still_make_changes(lena, billing) -> None:
    macro = macros.create_macro(lena, title="To billing", team="Billing", tags="invoice, de")
    assert macro.set_team == billing and macro.tag_names == ["invoice", "de"]


def test_first_names_are_read_as_people_write_them() -> None:
    assert first_name("Alice Moreno") == "Alice"
    assert first_name("  Jürgen  Weiß ") == "Jürgen"
    assert first_name("bob@standard.example") is None
    assert first_name("") is None
    assert first_name("42") is None


def test_the_text_is_filled_in_with_the_tickets_values(alice, premium_plan, lena) -> None:
    SlaPolicy.objects.create(plan=premium_plan, calendar=None, first_response_minutes=120,
                             next_response_minutes=240, resolution_minutes=1440, formal=True)
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Nächtlicher Export bricht ab", body="Timeout.",
                                  channel="email")
    set_facts(lena, ticket, {"version": "5.1.2"})
    macro = macros.create_macro(
        lena, title="Ack",
        body="Hello {{ customer.first_name }},\n{{ ticket.reference }} ({{ ticket.subject }}): "
             "{{ promise }}\nVersion {{ fact.version }}, OS {{ fact.os }}.\n{{ agent.first_name }}")
    text = render_macro(macro, ticket, lena)
    promise = promise_text(ticket)
    assert promise
    assert text == (f"Hello Alice,\n{ticket.reference} (Nächtlicher Export bricht ab): "
                    f"{promise}\nVersion 5.1.2, OS [os unknown].\nLena")


def test_missing_values_show_and_never_fail(lena, db) -> None:
    ContactFactory(name="", email="nameless@example.org")
    ticket = workflow.open_ticket(requester_email="nameless@example.org",
                                  subject="Kein Name", body="Hallo", channel="web")
    macro = macros.create_macro(lena, title="Gap", body="Dear {{ customer.first_name }} "
                                "{{ customer.name }}, {{ promise }}")
    assert render_macro(macro, ticket, lena) == \
        "Dear [first name unknown] [customer name unknown], [promise unknown]"


def test_applying_makes_each_change_with_its_event(lenas_ticket, lena, otto, billing) -> None:
    macro = macros.create_macro(lena, title="Hand to billing",
                                body="{{ customer.first_name }}, billing takes over.",
                                status="pending_internal", team="Billing", assignee="otto",
                                tags=["billing", "handover"])
    applied = apply_macro(lenas_ticket, lena, macro)
    assert applied.text == "Bob, billing takes over."
    assert {c.field: (c.before, c.after) for c in applied.changes} == {
        "status": ("new", "pending_internal"), "assignee": ("lena", "otto"),
        "team": ("Frontdesk", "Billing"), "tags": ([], ["billing", "handover"])}
    assert applied.warnings == []
    lenas_ticket.refresh_from_db()
    assert lenas_ticket.status == "pending_internal" and lenas_ticket.assignee == otto
    kinds = set(Event.objects.filter(ticket=lenas_ticket, actor=lena)
                .values_list("kind", flat=True))
    assert {"status_changed", "assigned", "team_changed", "tags_changed"} <= kinds
    again = apply_macro(lenas_ticket, lena, macro)
    assert again.changes == []


def test_one_refused_change_refuses_them_all(bobs_ticket, lena, billing) -> None:
    workflow.change_status(bobs_ticket, lena, "resolved")
    macro = macros.create_macro(lena, title="Close", team="Billing", status="pending_customer")
    with pytest.raises(InvalidTransition):
        apply_macro(bobs_ticket, lena, macro)
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.team is None and bobs_ticket.status == "resolved"


def test_applying_takes_the_same_permission_as_a_single_change(bobs_ticket, vera, dana,
                                                               lena, ada) -> None:
    shared = macros.create_macro(ada, title="Ack", body="Thanks", shared=True)
    with pytest.raises(NotAllowed, match="may read"):
        apply_macro(bobs_ticket, vera, shared)
    with pytest.raises(NotAllowed, match="may not see"):
        apply_macro(bobs_ticket, dana, shared)
    personal = macros.create_macro(ada, title="Ada's", body="Mine")
    with pytest.raises(InvalidInput, match="No macro"):
        apply_macro(bobs_ticket, lena, personal)


def test_a_stored_text_the_rules_no_longer_accept_still_renders(bobs_ticket, lena) -> None:
    """Rows written before a placeholder rule changed (or by hand) never break the picker."""
    macro = Macro.objects.create(owner=lena, title="Old",
                                 body="Hi {{ customer.first_name }} {{ legacy.field }} {{")
    assert render_macro(macro, bobs_ticket, lena) == "Hi Bob {{ legacy.field }} {{"
