"""Bulk changes (issue 12): each ticket changed by the single change's own function,
in its own transaction; a refusal on one does not stop the others and is reported."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.tickets.models import Event, Ticket
from frontline.workflow import bulk

SUBJECTS = [
    ("ulla@standard.example", "Export bricht nach 10 Minuten ab", "Der Export hängt, seit Montag."),
    ("pierre@standard.example", "Impossible d'imprimer les factures", "L'impression échoue."),
    ("kim@premium.example", "SSO login loops forever", "After the SAML change we loop " * 3),
    ("jo@standard.example", "x", "Short."),
]


def open_some(n: int) -> list[Ticket]:
    return [workflow.open_ticket(requester_email=email, subject=subject, body=body)
            for email, subject, body in SUBJECTS[:n]]


def events(ticket: Ticket, kind: str) -> int:
    return Event.objects.filter(ticket=ticket, kind=kind).count()


def test_a_bulk_assignment_records_one_assignment_per_ticket(lena, otto, initech, globex):
    tickets = open_some(3)
    outcomes = bulk.change_tickets(lena, [t.reference for t in tickets], {"assignee": "otto"})
    assert [(o.reference, o.result) for o in outcomes] == [(t.reference, "changed")
                                                           for t in tickets]
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == otto
        assert events(ticket, "assigned") == 1


def test_a_refusal_on_one_ticket_leaves_the_others_changed(lena, otto, initech, globex):
    first, duplicate, third = open_some(3)
    workflow.merge_tickets(duplicate, first, lena, confirm_other_customer=True)
    refs = [third.reference, duplicate.reference, "FL-999999", first.reference]
    outcomes = bulk.change_tickets(lena, refs, {"priority": "urgent", "team": "Frontdesk"})
    by_ref = {o.reference: o for o in outcomes}
    assert [o.reference for o in outcomes] == refs
    assert by_ref[third.reference].result == by_ref[first.reference].result == "changed"
    assert by_ref[duplicate.reference].status_code == 409
    assert first.reference in by_ref[duplicate.reference].message  # names the survivor
    assert by_ref["FL-999999"].status_code == 404
    assert bulk.refused_count(outcomes) == 2
    for ticket in (first, third):
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.team.name) == (4, "Frontdesk")
        assert events(ticket, "priority_changed") == 1


def test_a_developer_changes_only_the_tickets_they_may_see(lena, dana, initech, globex):
    low, high = open_some(2)
    workflow.set_tier(high, lena, 3, reason="Reproduced; needs a code fix.")
    outcomes = bulk.change_tickets(dana, [low.reference, high.reference], {"priority": "high"})
    assert [(o.result, o.status_code) for o in outcomes] == [("refused", 403), ("changed", 200)]
    low.refresh_from_db()
    high.refresh_from_db()
    assert low.priority != 3 and high.priority == 3
    assert events(low, "priority_changed") == 0


def test_a_viewer_changes_nothing_and_hears_why_for_each_ticket(vera, initech, globex):
    tickets = open_some(2)
    before = Event.objects.count()
    outcomes = bulk.change_tickets(vera, [t.reference for t in tickets], {"status": "open"})
    assert all(o.status_code == 403 and "may read" in o.message for o in outcomes)
    assert Event.objects.count() == before


def test_a_status_one_ticket_cannot_take_is_refused_for_that_ticket_alone(lena, initech,
                                                                          globex):
    fresh, done = open_some(2)
    workflow.change_status(done, lena, "resolved")
    workflow.change_status(done, lena, "closed")
    outcomes = bulk.change_tickets(lena, [done.reference, fresh.reference],
                                   {"status": "pending_customer"})
    assert outcomes[0].result == "refused" and outcomes[0].status_code == 409
    assert outcomes[1].result == "changed"


@pytest.mark.parametrize("changes, field", [
    ({"priority": "sky-high"}, "priority"),
    ({"assignee": "nobody-of-that-name"}, "assignee"),
    ({"subject": "All the same"}, "subject"),
    ({}, "changes"),
    ({"merge_into": "oldest", "status": "open"}, "status"),
])
def test_what_no_ticket_could_take_is_refused_whole(lena, initech, globex, changes, field):
    tickets = open_some(2)
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as refused:
        bulk.change_tickets(lena, [t.reference for t in tickets], changes)
    assert refused.value.field == field
    assert Event.objects.count() == before


def test_more_than_the_cap_is_refused_with_the_cap_named(lena):
    with pytest.raises(InvalidInput, match=str(bulk.MAX_TICKETS)):
        bulk.change_tickets(lena, [f"FL-{n}" for n in range(10001, 10002 + bulk.MAX_TICKETS)],
                            {"priority": "low"})
    with pytest.raises(InvalidInput, match="at least one"):
        bulk.change_tickets(lena, [], {"priority": "low"})


def test_tags_are_added_to_each_ticket(lena, initech, globex):
    tickets = open_some(3)
    outcomes = bulk.change_tickets(lena, [t.reference for t in tickets],
                                   {"tags": ["billing", "großkunde"]})
    assert {o.result for o in outcomes} == {"changed"}
    for ticket in tickets:
        assert {"billing", "großkunde"} <= set(ticket.tags.values_list("name", flat=True))


def test_merging_a_selection_folds_everything_into_the_oldest(lena, initech, globex):
    oldest, second, third = open_some(3)
    refs = [third.reference, oldest.reference, second.reference]
    outcomes = bulk.change_tickets(lena, refs, {"merge_into": "oldest",
                                                "confirm_other_customer": True})
    assert outcomes[0].reference == oldest.reference and outcomes[0].result == "kept"
    assert {(o.reference, o.result) for o in outcomes[1:]} == {
        (third.reference, "merged"), (second.reference, "merged")}
    for ticket in (second, third):
        ticket.refresh_from_db()
        assert ticket.merged_into_id == oldest.pk


def test_a_merge_of_other_customers_tickets_needs_the_confirmation(lena, initech, globex):
    mine, theirs = open_some(2)  # two requesters
    outcomes = bulk.change_tickets(lena, [mine.reference, theirs.reference],
                                   {"merge_into": mine.reference})
    assert outcomes[1].result == "refused" and outcomes[1].status_code == 409
    assert outcomes[1].field == "confirm_other_customer"
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
