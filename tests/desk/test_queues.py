"""Queues: who lands where, what each queue holds, counts, filters, sorting, pages."""

from __future__ import annotations

import re

import pytest

from frontline import workflow
from frontline.tickets.models import Ticket


def nav_count(html: str, queue: str) -> str:
    match = re.search(rf'data-queue="{queue}".*?<span class="count[^"]*">([^<]+)</span>', html,
                      re.S)
    assert match, f"no {queue} queue in the navigation"
    return match.group(1)


def refs(html: str) -> list[str]:
    return re.findall(r'<span class="ref">(FL-\d+)</span>', html)


def test_every_desk_page_asks_for_a_login(db, bobs_ticket):
    client = pytest.importorskip("django.test").Client()
    for path in ["/", "/q/open", f"/t/{bobs_ticket.reference}", "/search?q=x", "/o/1"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login?next="), path


def test_signing_in_lands_an_agent_on_their_own_queue(client, lena):
    response = client.post("/login", {"username": "lena", "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/q/mine"
    assert "Lena Level-One" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, lena):
    response = client.post("/login", {"username": "lena", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_developers_land_on_tier_3_and_viewers_on_all_open(signed_in, dana, vera):
    assert signed_in(dana).get("/")["Location"] == "/q/tier3"
    assert signed_in(vera).get("/")["Location"] == "/q/open"


def test_signing_out_is_a_post(signed_in, lena):
    client = signed_in(lena)
    response = client.post("/logout")
    assert response.status_code == 302 and response["Location"] == "/login"
    assert client.get("/q/open").status_code == 302


def test_each_queue_lists_its_tickets(signed_in, lena, otto, bobs_ticket, alices_ticket):
    workflow.set_tier(alices_ticket, lena, 2, reason="Needs tier 2")
    workflow.assign(alices_ticket, lena, lena)  # (an escalation hands the ticket over)
    workflow.change_status(alices_ticket, lena, "pending_customer")
    client = signed_in(lena)

    def queue(name: str) -> list[str]:
        response = client.get(f"/q/{name}")
        assert response.status_code == 200
        return refs(response.content.decode())

    assert queue("mine") == [alices_ticket.reference]
    assert queue("unassigned") == [bobs_ticket.reference]
    assert queue("tier1") == [bobs_ticket.reference]
    assert queue("tier2") == [alices_ticket.reference]
    assert queue("tier3") == []
    assert queue("pending") == [alices_ticket.reference]
    assert queue("open") == [alices_ticket.reference, bobs_ticket.reference]
    workflow.set_team(bobs_ticket, lena, "Frontdesk")
    assert queue("team") == [bobs_ticket.reference]
    assert client.get("/q/nonsense").status_code == 404


def test_closed_tickets_leave_the_open_queues(signed_in, lena, bobs_ticket, alices_ticket):
    workflow.change_status(bobs_ticket, lena, "resolved")
    assert refs(signed_in(lena).get("/q/open").content.decode()) == [alices_ticket.reference]


def test_the_navigation_counts_each_queue(signed_in, lena, bobs_ticket, alices_ticket):
    workflow.assign(alices_ticket, lena, lena)
    html = signed_in(lena).get("/q/open").content.decode()
    assert nav_count(html, "mine") == "1"
    assert nav_count(html, "unassigned") == "1"
    assert nav_count(html, "open") == "2"
    assert nav_count(html, "pending") == "0"


def test_a_developer_sees_only_tier_3_in_queues_and_counts(signed_in, lena, dana, bobs_ticket,
                                                          alices_ticket):
    workflow.set_tier(alices_ticket, lena, 3, reason="Needs tier 3")
    html = signed_in(dana).get("/q/open").content.decode()
    assert refs(html) == [alices_ticket.reference]
    assert nav_count(html, "open") == "1"
    assert 'data-queue="tier1"' not in html


def test_filters_narrow_the_queue(signed_in, lena, otto, bobs_ticket, alices_ticket):
    workflow.set_priority(alices_ticket, lena, "urgent")
    workflow.assign(bobs_ticket, lena, otto)
    client = signed_in(lena)
    assert refs(client.get("/q/open?priority=4").content.decode()) == [alices_ticket.reference]
    assert refs(client.get(f"/q/open?assignee={otto.pk}").content.decode()) == [
        bobs_ticket.reference]
    assert refs(client.get("/q/open?status=new&tier=1").content.decode()) == [
        bobs_ticket.reference, alices_ticket.reference]
    html = client.get("/q/open?priority=1").content.decode()
    assert refs(html) == [] and "No ticket matches these filters." in html
    # Nonsense in a filter is ignored, not a 500.
    assert client.get("/q/open?priority=abc&tier=9&team=x&sort=evil").status_code == 200


def test_sorting_by_priority_and_by_age(signed_in, lena, bobs_ticket, alices_ticket):
    workflow.set_priority(bobs_ticket, lena, "high")  # bob's is now the most recently updated
    client = signed_in(lena)
    assert refs(client.get("/q/open").content.decode()) == [
        bobs_ticket.reference, alices_ticket.reference]
    assert refs(client.get("/q/open?sort=oldest").content.decode()) == [
        alices_ticket.reference, bobs_ticket.reference]
    workflow.set_priority(alices_ticket, lena, "urgent")
    assert refs(client.get("/q/open?sort=priority").content.decode()) == [
        alices_ticket.reference, bobs_ticket.reference]
    assert refs(client.get("/q/open?sort=created").content.decode()) == [
        alices_ticket.reference, bobs_ticket.reference]


def test_long_queues_are_paged_by_position_not_by_count(signed_in, lena, bob):
    tickets = [workflow.open_ticket(requester_email="bob@standard.example", subject=f"Q{i}",
                                    body="b") for i in range(53)]
    client = signed_in(lena)
    html = client.get("/q/open").content.decode()
    first = refs(html)
    assert len(first) == 50 and first[0] == tickets[-1].reference
    next_link = re.search(r'href="\?(after=[^"]+)" rel="next"', html)
    assert next_link
    second = refs(client.get("/q/open?" + next_link.group(1).replace("&amp;", "&"))
                  .content.decode())
    assert second == [t.reference for t in reversed(tickets[:3])]
    # A hand-edited cursor starts from the top instead of failing.
    assert refs(client.get("/q/open?after=garbage").content.decode())[:1] == first[:1]


def test_queue_links_carry_the_queue_so_the_ticket_offers_the_next_one(
        signed_in, lena, bobs_ticket, alices_ticket):
    client = signed_in(lena)
    html = client.get("/q/open").content.decode()
    assert f'href="/t/{alices_ticket.reference}?q=open&amp;sort=updated"' in html
    page = client.get(f"/t/{alices_ticket.reference}?q=open&sort=updated").content.decode()
    assert f'data-next-url="/t/{bobs_ticket.reference}?q=open&amp;sort=updated"' in page
    assert "Next ticket →" in page
    last = client.get(f"/t/{bobs_ticket.reference}?q=open&sort=updated").content.decode()
    assert "Next ticket →" not in last and "data-next-url" not in last


def test_a_ticket_count_in_a_new_queue_never_breaks(db, signed_in, ada):
    assert signed_in(ada).get("/q/mine").status_code == 200
    assert Ticket.objects.count() == 0


def test_navigation_counts_stop_at_a_cap(signed_in, lena, bob, monkeypatch):
    for i in range(3):
        workflow.open_ticket(requester_email="bob@standard.example", subject=f"S{i}", body="b")
    monkeypatch.setattr("frontline.desk.views.common.NAV_COUNT_CAP", 2)
    html = signed_in(lena).get("/q/open").content.decode()
    assert nav_count(html, "open") == "1+"
    assert nav_count(html, "mine") == "0"
