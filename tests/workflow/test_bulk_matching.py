""""Select all N tickets matching this queue" (issue 12): the server reads the tickets
from the queue and its filters, keeps to what the person may see, bounds the count,
and runs each ticket through the single change's own function."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.tickets.models import Event, Priority, Ticket
from frontline.tickets.queue_query import QueueQuery, read_queue_query
from frontline.tickets.selectors import SORTS
from frontline.workflow import bulk

# (requester, subject, body, priority): wording, languages and lengths vary.
REQUESTS = [
    ("greta@standard.example", "Lizenzserver antwortet nicht", "Seit 8 Uhr kein Login.", "high"),
    ("amir@premium.example", "Report export times out", "The CSV export stops at 30 s. " * 4,
     "high"),
    ("lucia@standard.example", "Factura duplicada", "Nos cobraron dos veces.", "low"),
    ("tomasz@premium.example", "Błąd przy imporcie", "Import kończy się błędem 500.", "high"),
    ("yuki@standard.example", "ログインできません", "パスワードをリセットしても駄目です。",
     "normal"),
    ("ben@premium.example", "?", "Hi", "high"),
]


def open_all() -> list[Ticket]:
    tickets = []
    for email, subject, body, priority in REQUESTS:
        ticket = workflow.open_ticket(requester_email=email, subject=subject, body=body)
        tickets.append(ticket)
        if priority != "normal":
            workflow.set_priority(ticket, None, priority)
    return tickets


def query(**params: str) -> QueueQuery:
    return read_queue_query(params, sorts=SORTS)


def test_all_matching_changes_every_ticket_the_filters_list(lena, otto, initech, globex):
    tickets = open_all()
    high = [t for t, request in zip(tickets, REQUESTS, strict=True) if request[3] == "high"]

    checked = bulk.check_bulk_matching(lena, "open", query(priority="3"), {"assignee": "otto"})
    outcomes = bulk.apply_bulk(lena, checked)

    assert sorted(checked.references) == sorted(t.reference for t in high)
    assert {o.reference for o in outcomes} == {t.reference for t in high}
    assert all(o.result == "changed" for o in outcomes)
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.assignee == otto) == (ticket in high)
        assert Event.objects.filter(ticket=ticket, kind="assigned").count() == (ticket in high)


def test_the_queue_decides_as_well_as_the_filters(lena, otto, initech, globex):
    tickets = open_all()
    workflow.assign(tickets[0], lena, otto)
    checked = bulk.check_bulk_matching(lena, "unassigned", QueueQuery(),
                                       {"priority": "urgent"})
    assert tickets[0].reference not in checked.references
    assert len(checked.references) == len(tickets) - 1


def test_a_developer_reaches_only_the_tickets_they_may_see(lena, dana, initech, globex):
    tickets = open_all()
    workflow.set_tier(tickets[3], lena, 3, reason="Import fails on 500 rows and more")
    checked = bulk.check_bulk_matching(dana, "open", QueueQuery(), {"tags": "import"})
    assert checked.references == [tickets[3].reference]


def test_a_viewer_is_refused_per_ticket_as_for_a_single_change(vera, initech, globex):
    open_all()
    checked = bulk.check_bulk_matching(vera, "open", QueueQuery(), {"priority": "urgent"})
    outcomes = bulk.apply_bulk(vera, checked)
    assert outcomes and all(o.refused and o.status_code == 403 for o in outcomes)
    assert not Ticket.objects.filter(priority=Priority.URGENT).exists()


def test_more_than_the_bound_is_refused_whole_with_the_reason(lena, initech, globex,
                                                              monkeypatch):
    open_all()
    monkeypatch.setattr(bulk, "MAX_MATCHING", 5)
    before = Event.objects.count()
    with pytest.raises(InvalidInput, match="More than 5 tickets match this queue") as refused:
        bulk.check_bulk_matching(lena, "open", QueueQuery(), {"priority": "low"})
    assert refused.value.status_code == 422
    assert Event.objects.count() == before
    # Narrowed below the bound, the same change goes through.
    assert len(bulk.check_bulk_matching(lena, "open", query(priority="3"),
                                        {"priority": "low"}).references) == 4


@pytest.mark.parametrize(("queue", "changes", "message"), [
    ("nowhere", {"priority": "low"}, "There is no queue 'nowhere'"),
    ("mine", {"priority": "low"}, "No ticket matches this queue any more"),
    ("open", {"colour": "red"}, "'colour' cannot be changed in bulk"),
    ("open", {}, "Say what to change"),
])
def test_what_no_ticket_could_take_is_a_clear_error(lena, initech, globex, queue, changes,
                                                    message):
    open_all()
    with pytest.raises(InvalidInput, match=message):
        bulk.check_bulk_matching(lena, queue, QueueQuery(), changes)


def test_all_matching_can_be_merged_into_the_oldest(lena, initech, globex):
    tickets = open_all()
    checked = bulk.check_bulk_matching(lena, "open", query(priority="3"),
                                       {"merge_into": "oldest", "confirm_other_customer": True})
    outcomes = bulk.apply_bulk(lena, checked)
    high = [t for t, request in zip(tickets, REQUESTS, strict=True) if request[3] == "high"]
    assert outcomes[0].reference == high[0].reference and outcomes[0].result == "kept"
    assert sorted(o.reference for o in outcomes[1:]) == sorted(t.reference for t in high[1:])
    assert all(o.result == "merged" for o in outcomes[1:])
