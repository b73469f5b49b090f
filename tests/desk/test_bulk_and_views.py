"""The queue's bulk bar, its one confirmation and its result; saved views in the
sidebar with their counts; column headers; resolved and closed in the status
filter (issue 12)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline import workflow
from frontline.tickets.models import Event, SavedView, Ticket
from tests.desk.conftest import HTMX

REQUESTS = [
    ("mara@standard.example", "Rechnung doppelt gebucht", "Die Rechnung 4711 wurde zweimal "
                                                         "abgebucht."),
    ("li@premium.example", "報告が表示されません", "月次レポートが空白です。"),
    ("sam@standard.example", "Webhook retries never stop", "We get the same event " * 5),
    ("eve@standard.example", "?", "Help."),
]


def open_requests(n: int) -> list[Ticket]:
    return [workflow.open_ticket(requester_email=email, subject=subject, body=body)
            for email, subject, body in REQUESTS[:n]]


def refs(html: str) -> list[str]:
    return re.findall(r'<span class="ref">(FL-\d+)</span>', html)


def sidebar_view(html: str, name: str) -> str:
    match = re.search(rf'data-view="\d+"[^>]*><span>{re.escape(name)}.*?'
                      r'<span class="count[^"]*">([^<]+)</span>', html, re.S)
    assert match, f"no saved view {name!r} in the sidebar"
    return match.group(1)


def test_the_queue_has_column_headers_and_a_checkbox_per_row(signed_in, lena, initech, globex):
    tickets = open_requests(3)
    html = signed_in(lena).get("/q/open").content.decode()
    head = html[html.index('class="ticket-head'):html.index('id="queue-list"')]
    for title in ("Priority", "Ticket", "Subject", "Status", "Assignee", "Time left", "Updated"):
        assert f">{title}" in head, title
    boxes = re.findall(r'<input type="checkbox" class="pick" form="bulk-form" '
                       r'name="references" value="(FL-\d+)"', html)
    assert sorted(boxes) == sorted(t.reference for t in tickets)
    assert 'data-pick-all' in html and 'id="bulk-form"' in html


def test_a_viewer_gets_no_bulk_bar(signed_in, vera, initech, globex):
    open_requests(2)
    html = signed_in(vera).get("/q/open").content.decode()
    assert 'id="bulk-form"' not in html and 'class="pick"' not in html
    assert ">Assignee<" in html  # the headers are for everyone


def test_the_status_filter_lists_resolved_and_closed_tickets(signed_in, lena, initech, globex):
    active, resolved, closed = open_requests(3)
    workflow.change_status(resolved, lena, "resolved")
    workflow.change_status(closed, lena, "resolved")
    workflow.change_status(closed, lena, "closed")
    client = signed_in(lena)
    assert refs(client.get("/q/open?status=resolved").content.decode()) == [resolved.reference]
    assert refs(client.get("/q/open?status=closed").content.decode()) == [closed.reference]
    assert refs(client.get("/q/unassigned?status=resolved&sort=oldest").content.decode()) == [
        resolved.reference]
    assert refs(client.get("/q/open").content.decode()) == [active.reference]
    pending = client.get("/q/pending?status=resolved").content.decode()
    assert refs(pending) == [] and "No ticket matches these filters." in pending


def test_bulk_assign_asks_once_then_reports_each_ticket(signed_in, lena, otto, dana, initech,
                                                        globex):
    first, second, merged = open_requests(3)
    workflow.merge_tickets(merged, first, lena, confirm_other_customer=True)
    client = signed_in(lena)
    form = {"references": [first.reference, second.reference, merged.reference],
            "action": "change", "assignee": "otto", "priority": "3", "next": "/q/open"}
    confirm = client.post("/bulk", form, **HTMX)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Change 3 tickets?" in html
    assert "Assign to Otto Level-Two." in html and "Set the priority to High." in html
    assert all(ticket.reference in html for ticket in (first, second, merged))
    assert Event.objects.filter(kind="assigned", ticket__in=[first, second]).count() == 0

    result = client.post("/bulk", {**form, "confirmed": "1"}, **HTMX).content.decode()
    assert "2 tickets changed, 1 refused" in result
    assert re.search(rf"{merged.reference}</a>: .*{first.reference}", result)
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.assignee == otto and ticket.priority == 3
        assert Event.objects.filter(ticket=ticket, kind="assigned").count() == 1


def test_a_bulk_request_without_tickets_or_with_a_bad_value_is_a_clear_error(signed_in, lena,
                                                                             initech, globex):
    (ticket,) = open_requests(1)
    client = signed_in(lena)
    empty = client.post("/bulk", {"action": "change", "status": "open"}, **HTMX)
    assert empty.status_code == 422 and "Select at least one ticket" in empty.content.decode()
    bad = client.post("/bulk", {"references": [ticket.reference], "action": "change",
                                "priority": "9"}, **HTMX)
    assert bad.status_code == 422 and "priority" in bad.content.decode()
    nothing = client.post("/bulk", {"references": [ticket.reference], "action": "change"})
    assert nothing.status_code == 422 and "Say what to change" in nothing.content.decode()


def test_merging_a_selection_from_the_bar(signed_in, lena, initech, globex):
    oldest, newer = open_requests(2)
    client = signed_in(lena)
    form = {"references": [newer.reference, oldest.reference], "action": "merge",
            "confirm_other_customer": "1"}
    assert "Merge 2 tickets into the oldest of them" in client.post(
        "/bulk", form, **HTMX).content.decode()
    result = client.post("/bulk", {**form, "confirmed": "1"}).content.decode()  # no htmx: a page
    assert "2 tickets changed" in result and "<nav" in result
    newer.refresh_from_db()
    assert newer.merged_into_id == oldest.pk


def test_a_saved_view_shows_in_the_sidebar_with_its_count(signed_in, lena, otto, initech,
                                                          globex):
    tickets = open_requests(4)
    workflow.set_priority(tickets[0], lena, "urgent")
    workflow.set_priority(tickets[2], lena, "urgent")
    client = signed_in(lena)
    saved = client.post("/views", {"name": "Urgent   work", "queue": "open",
                                   "query": "priority=4&nonsense=1&team=abc"})
    assert saved.status_code == 302 and saved["Location"] == "/q/open?priority=4"
    page = client.get(saved["Location"]).content.decode()
    assert sidebar_view(page, "Urgent work") == "2"
    assert "Saved view: <strong>Urgent work</strong>" in page
    workflow.set_priority(tickets[3], lena, "urgent")
    assert sidebar_view(client.get("/q/mine").content.decode(), "Urgent work") == "3"
    # Personal: Otto does not see it; shared: he does.
    assert "Urgent work" not in signed_in(otto).get("/q/open").content.decode()
    client.post("/views", {"name": "Резолвнуто", "queue": "open", "query": "status=resolved",
                           "shared": "1"})
    assert sidebar_view(signed_in(otto).get("/q/open").content.decode(), "Резолвнуто") == "0"


def test_saved_views_are_renamed_and_removed_by_their_owner_only(signed_in, lena, otto):
    client = signed_in(lena)
    client.post("/views", {"name": "Tier 2 backlog", "queue": "tier2", "query": ""})
    view = SavedView.objects.get(name="Tier 2 backlog")
    duplicate = client.post("/views", {"name": "Tier 2 backlog", "queue": "open"})
    assert duplicate.status_code == 422 and "already have a view" in duplicate.content.decode()
    assert signed_in(otto).post(f"/views/{view.pk}/delete").status_code == 404
    assert client.post(f"/views/{view.pk}/rename", {"name": "T2"}).status_code == 302
    view.refresh_from_db()
    assert view.name == "T2"
    assert client.post(f"/views/{view.pk}/delete").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saved_views_cost_the_page_no_query_per_view(signed_in, lena, initech, globex):
    open_requests(3)
    client = signed_in(lena)
    client.post("/views", {"name": "One", "queue": "open", "query": "priority=2"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/q/open").status_code == 200
        return len(captured)

    with_one = queries()
    for i, query in enumerate(["status=new", "tier=1&sort=due", "priority=4", "assignee=1",
                               "status=closed&sort=oldest"]):
        client.post("/views", {"name": f"View {i}", "queue": ["open", "mine"][i % 2],
                               "query": query})
    assert queries() == with_one


def test_odd_values_in_the_bulk_bar_and_the_view_form_never_crash(signed_in, lena, initech,
                                                                  globex):
    from tests.odd_values import ODD_TEXT

    (ticket,) = open_requests(1)
    client = signed_in(lena)
    for value in ODD_TEXT:
        for field in ("assignee", "status", "priority", "team", "tags", "merge_into"):
            action = "merge" if field == "merge_into" else "change"
            for confirmed in ("", "1"):
                response = client.post("/bulk", {"references": [ticket.reference, value],
                                                  "action": action, field: value,
                                                  "confirmed": confirmed}, **HTMX)
                assert response.status_code < 500, (field, value)
        response = client.post("/views", {"name": value, "queue": value, "query": value})
        assert response.status_code < 500, value
        response = client.post("/views", {"name": f"v {value}"[:80], "queue": "open",
                                          "query": f"status={value}&team={value}"})
        assert response.status_code < 500, value
        assert client.get(f"/q/open?status={value}&priority={value}").status_code == 200
