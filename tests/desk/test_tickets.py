"""The ticket page: timeline, facts, the composer and the actions, as agents use them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from frontline import workflow
from frontline.customers.models import EnvironmentFact
from frontline.tickets.models import Message, Status, Ticket
from tests.desk.conftest import HTMX


def test_the_page_tells_the_whole_story_oldest_first(signed_in, lena, bob, bobs_ticket):
    start = bobs_ticket.created_at
    workflow.add_note(bobs_ticket, lena, "Probably the token cache.",
                      at=start + timedelta(minutes=1))
    workflow.add_reply(bobs_ticket, lena, "Could you clear the cache?",
                       at=start + timedelta(minutes=2))
    workflow.add_customer_message(bobs_ticket, bob, "Done, still broken.",
                                  at=start + timedelta(minutes=3))
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    order = [html.index(text) for text in (
        "invalid token", "opened the ticket", "Probably the token cache.",
        "Could you clear the cache?", "sent the first response", "assigned to Lena Level-One",
        "Done, still broken.")]
    assert order == sorted(order)
    note = re.search(r'<li class="entry msg kind-(\w+)"[^>]*>(?:(?!</li>).)*Probably the token',
                     html, re.S)
    assert note and note.group(1) == "note"
    assert "Internal note" in html


def test_message_bodies_are_escaped(signed_in, lena, bob, bobs_ticket):
    workflow.add_customer_message(bobs_ticket, bob, "<script>alert(1)</script>\nline two")
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_facts_panel_shows_requester_organization_plan_and_environment(
        signed_in, lena, bob, initech, bobs_ticket):
    EnvironmentFact.objects.create(organization=initech, key="database", value="PostgreSQL 15")
    EnvironmentFact.objects.create(contact=bob, key="os", value="Ubuntu 22.04")
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    for text in ("Bob Standard", "bob@standard.example", "Initech", "Standard", "12,000",
                 "PostgreSQL 15", "Ubuntu 22.04", f'href="/o/{initech.pk}"'):
        assert text in html, text


def test_a_reply_through_htmx_returns_the_new_entry_and_a_fresh_composer(
        signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "Please clear the cache.",
                            "status": "pending_customer"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#timeline"' in html
    assert "Please clear the cache." in html
    assert '<form id="composer"' in html and "</textarea>" in html
    assert re.search(r'<textarea[^>]*>\s*</textarea>', html), "the composer is reset"
    assert "set status to <b>pending customer</b>" in html
    assert "<html" not in html, "a partial, not a page"
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    assert reply.body == "Please clear the cache." and reply.author_user == lena
    assert Ticket.objects.get(pk=bobs_ticket.pk).status == Status.PENDING_CUSTOMER


def test_an_internal_note_is_not_a_reply(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages",
                                    {"kind": "note", "body": "Call them tomorrow."}, **HTMX)
    assert response.status_code == 200
    assert 'class="entry msg kind-note"' in response.content.decode()
    assert Message.objects.get(ticket=bobs_ticket, kind="note").body == "Call them tomorrow."
    assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()


def test_a_reply_without_javascript_redirects_back_to_the_ticket(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages",
                                    {"kind": "reply", "body": "Hello"})
    assert response.status_code == 302 and response["Location"] == f"/t/{bobs_ticket.reference}"
    assert Message.objects.filter(ticket=bobs_ticket, kind="outbound").count() == 1


def test_an_empty_reply_is_refused_in_the_composer(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "   "}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The message is empty." in html and 'aria-invalid="true"' in html
    assert '<form id="composer"' in html
    assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()
    page = client.post(f"/t/{bobs_ticket.reference}/messages", {"kind": "reply", "body": ""})
    assert page.status_code == 422 and "The message is empty." in page.content.decode()


def test_nonsense_in_the_composer_is_a_clear_error(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "x", "status": "closed"}, **HTMX)
    assert response.status_code == 422 and "not a status to set" in response.content.decode()
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "shout", "body": "x"}, **HTMX)
    assert response.status_code == 422 and "neither a reply nor a note" in response.content.decode()
    assert client.post("/t/FL-999999/messages", {"kind": "reply", "body": "x"},
                       **HTMX).status_code == 404
    assert client.get(f"/t/{bobs_ticket.reference}/messages").status_code == 405


def test_a_viewer_reads_but_cannot_write(signed_in, vera, bobs_ticket):
    client = signed_in(vera)
    html = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "invalid token" in html
    assert 'id="composer"' not in html and 'id="f-status"' not in html
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "Hi"}, **HTMX)
    assert response.status_code == 403 and "may read" in response.content.decode()
    assert client.post(f"/t/{bobs_ticket.reference}/set/status",
                       {"value": "open"}).status_code == 403
    assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()


def test_a_viewer_is_not_offered_what_she_may_not_do(signed_in, vera, lena, bobs_ticket):
    """The page told a viewer she could write notes, then the note was refused (issue 12)."""
    html = signed_in(vera).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "neither reply nor write notes" in html
    assert "Write an internal note" not in html and "Reply to the customer" not in html
    refused = signed_in(vera).post(f"/t/{bobs_ticket.reference}/messages",
                                   {"kind": "note", "body": "Kunde ruft morgen an"}, **HTMX)
    assert refused.status_code == 403 and "may read" in refused.content.decode()
    # An agent is offered both, and the note is written.
    agent = signed_in(lena)
    html = agent.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Write an internal note" in html and 'id="composer"' in html
    assert agent.post(f"/t/{bobs_ticket.reference}/messages",
                      {"kind": "note", "body": "Kunde ruft morgen an"}, **HTMX).status_code == 200


def test_an_unknown_address_is_our_404_page_not_djangos(client, signed_in, lena, db):
    for path in ("/no-such-page", "/t/FL-10001/no-such-part/x"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "This page does not exist" in html and "/request" in html
        assert "core/favicon.svg" in html
        # No "Questions? Write to ." with an empty address (the 404 knows none).
        assert 'href="mailto:"' not in html and "Write to <a" not in html
    assert "core/favicon.svg" in signed_in(lena).get("/q/open").content.decode()


def test_a_developer_cannot_open_a_tier_1_ticket(signed_in, lena, dana, bobs_ticket):
    client = signed_in(dana)
    response = client.get(f"/t/{bobs_ticket.reference}")
    assert response.status_code == 403
    assert f"You may not see {bobs_ticket.reference}." in response.content.decode()
    assert "invalid token" not in response.content.decode()
    workflow.set_tier(bobs_ticket, lena, 3, reason="Needs tier 3")
    assert client.get(f"/t/{bobs_ticket.reference}").status_code == 200


def test_an_unknown_reference_is_a_friendly_404_with_a_search_box(signed_in, lena, db):
    client = signed_in(lena)
    for reference in ("FL-999999", "not-a-ref"):
        response = client.get(f"/t/{reference}")
        assert response.status_code == 404
        html = response.content.decode()
        assert "No such ticket" in html
        assert re.search(r'<form action="/search"[^>]*>', html)
        assert f'name="q" value="{reference}"' in html


def test_a_merged_ticket_redirects_to_the_one_that_lives_on(signed_in, lena, bobs_ticket,
                                                            alices_ticket):
    workflow.merge_tickets(bobs_ticket, alices_ticket, lena, confirm_other_customer=True)
    client = signed_in(lena)
    response = client.get(f"/t/{bobs_ticket.reference}")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{alices_ticket.reference}?merged={bobs_ticket.reference}"
    html = client.get(response["Location"]).content.decode()
    assert f"{bobs_ticket.reference} was merged into this ticket" in html
    assert "invalid token" in html  # bob's message moved along


def test_changing_fields_from_the_actions_panel(signed_in, lena, otto, bobs_ticket, installation):
    client = signed_in(lena)
    ref = bobs_ticket.reference
    response = client.post(f"/t/{ref}/set/assignee", {"value": "otto"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Assignee saved." in html and "assigned to Otto Level-Two" in html
    assert 'id="ticket-side" class="side" hx-swap-oob="true"' in html
    assert 'id="nav-queues"' in html
    for field, value in [("status", "pending_internal"), ("priority", "3"),
                         ("team", "Frontdesk"), ("category", "installation")]:
        assert client.post(f"/t/{ref}/set/{field}", {"value": value}, **HTMX).status_code == 200
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert (ticket.assignee, ticket.status, ticket.priority, ticket.team.name,
            ticket.category) == (otto, "pending_internal", 3, "Frontdesk", installation)
    assert client.post(f"/t/{ref}/set/assignee", {"value": "me"}, **HTMX).status_code == 200
    assert Ticket.objects.get(pk=bobs_ticket.pk).assignee == lena


def test_a_refused_change_is_shown_in_place_never_a_500(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    ref = bobs_ticket.reference
    response = client.post(f"/t/{ref}/set/status", {"value": "closed"}, **HTMX)
    assert response.status_code == 409
    assert 'class="flash error"' in response.content.decode()
    assert "cannot go from new to closed" in response.content.decode()
    assert client.post(f"/t/{ref}/set/priority", {"value": "whenever"}, **HTMX).status_code == 422
    assert client.post(f"/t/{ref}/set/assignee", {"value": "nobody"}, **HTMX).status_code == 422
    assert client.post(f"/t/{ref}/set/subject", {"value": "x"}, **HTMX).status_code == 422
    assert client.post(f"/t/{ref}/reopen", **HTMX).status_code == 409
    assert client.post(f"/t/{ref}/link", {"other": ""}, **HTMX).status_code == 422
    assert client.post(f"/t/{ref}/merge", {"target": ref}, **HTMX).status_code == 422
    assert client.post(f"/t/{ref}/merge", {"target": "FL-424242"}, **HTMX).status_code == 404


def test_merge_link_and_reopen(signed_in, lena, bobs_ticket, alices_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{alices_ticket.reference}/link",
                           {"other": bobs_ticket.reference}, **HTMX)
    assert response.status_code == 200 and f"Linked to {bobs_ticket.reference}." in (
        response.content.decode())
    html = client.get(f"/t/{alices_ticket.reference}").content.decode()
    assert f'<a href="/t/{bobs_ticket.reference}">{bobs_ticket.reference}</a>' in html

    workflow.change_status(alices_ticket, lena, "resolved")
    assert client.post(f"/t/{alices_ticket.reference}/reopen", **HTMX).status_code == 200
    assert Ticket.objects.get(pk=alices_ticket.pk).status == Status.OPEN

    # Bob's and Alice's requests: a merge across customers is confirmed first
    # (tests/tickets/test_merge_rules.py tells that story).
    response = client.post(f"/t/{bobs_ticket.reference}/merge",
                           {"target": alices_ticket.reference,
                            "confirm_other_customer": "1"}, **HTMX)
    assert response.status_code == 204
    assert response["HX-Location"] == (
        f"/t/{alices_ticket.reference}?merged={bobs_ticket.reference}")
    assert Ticket.objects.get(pk=bobs_ticket.pk).merged_into_id == alices_ticket.pk
    refused = client.post(f"/t/{bobs_ticket.reference}/set/priority", {"value": "3"}, **HTMX)
    assert refused.status_code == 409 and "was merged into" in refused.content.decode()


def test_times_are_relative_with_the_exact_time_on_hover(signed_in, lena, bobs_ticket):
    Ticket.objects.filter(pk=bobs_ticket.pk).update(
        created_at=timezone.now() - timedelta(hours=2))
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">2 h ago</time>', html)


def test_replying_on_a_closed_ticket_reopens_it_and_sends(signed_in, lena, bob, bobs_ticket):
    workflow.change_status(bobs_ticket, lena, "resolved")
    workflow.confirm_resolution(bobs_ticket, bob)
    client = signed_in(lena)
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Reopen and send" in page and "sending reopens it" in page
    response = client.post(f"/t/{bobs_ticket.reference}/messages",
                           {"kind": "reply", "body": "One more thing: try 2.4.1.",
                            "reopen": "1"}, **HTMX)
    assert response.status_code == 200
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.OPEN
    assert bobs_ticket.messages.filter(kind="outbound", body__startswith="One more").exists()
    assert bobs_ticket.events.filter(kind="reopened").exists()


def test_the_composer_given_back_after_a_note_has_the_notes_placeholder(signed_in, lena,
                                                                         bobs_ticket):
    html = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages",
                                {"kind": "note", "body": "Called him back, no answer"},
                                **HTMX).content.decode()
    assert 'placeholder="Write an internal note' in html
    page = signed_in(lena).get(bobs_ticket.get_absolute_url()).content.decode()
    assert 'placeholder="Write a reply' in page


def test_the_composer_names_everyone_a_reply_is_mailed_to(signed_in, lena, bob, bobs_ticket):
    """It said "to Bob" of a reply that also went Cc to his colleague (issue 12)."""
    from frontline.mail import outbound
    from frontline.tickets.models import Participant
    from tests.factories import ContactFactory

    carol = ContactFactory(name="Carol Ruiz", email="carol.ruiz@standard.example")
    now = timezone.now()
    Participant.objects.create(ticket=bobs_ticket, contact=carol, added_at=now)
    Participant.objects.create(ticket=bobs_ticket, contact=bob, added_at=now)  # no Cc: requester
    html = signed_in(lena).get(bobs_ticket.get_absolute_url()).content.decode()
    # The To and Cc fields show (and let the agent change) where the reply goes.
    assert re.search(r'<input id="composer-to" name="to" value="bob@standard.example"', html)
    assert re.search(r'<input id="composer-cc" name="cc" value="carol.ruiz@standard.example"',
                     html)
    # What the composer says is what the mail does.
    message = workflow.add_reply(bobs_ticket, lena, "Both of you: the fix is in 4.2.2.")
    mail = message.outbound_mails.get()
    assert (mail.to, mail.cc) == (["bob@standard.example"], ["carol.ruiz@standard.example"])
    assert outbound.participant_addresses(bobs_ticket, exclude="bob@standard.example") == [
        "carol.ruiz@standard.example"]


def test_older_entries_show_their_exact_time_beside_the_relative_one(signed_in, lena, bob,
                                                                    bobs_ticket):
    start = timezone.now() - timedelta(days=3, hours=2)
    workflow.add_note(bobs_ticket, lena, "Waiting for the vendor's answer.", at=start)
    workflow.add_customer_message(bobs_ticket, bob, "Any news?")
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    local = timezone.localtime(start).strftime("%a %d %b %H:%M")
    old = html.split("Waiting for the vendor", 1)[0].rsplit('<span class="at">', 1)[1]
    assert f'<span class="exact">· {local}</span>' in old
    new = html.split("Any news?", 1)[0].rsplit('<span class="at">', 1)[1]
    assert 'class="exact"' not in new.split("</span>", 1)[0]


def test_the_requesters_other_tickets_are_near_the_top_of_the_side_column(
        signed_in, lena, bob, bobs_ticket):
    older = workflow.open_ticket(requester_email="bob@standard.example",
                                 subject="Rechnung doppelt", body="Zweimal abgebucht.",
                                 at=timezone.now() - timedelta(days=40))
    newer = workflow.open_ticket(requester_email="bob@standard.example",
                                 subject="VPN drops every hour", body="Since Monday.")
    html = signed_in(lena).get(bobs_ticket.get_absolute_url()).content.decode()
    side = html.split('id="ticket-side"', 1)[1]
    panel = side.split('class="panel recent"', 1)[1].split("</section>", 1)[0]
    assert panel.index(newer.reference) < panel.index(older.reference)
    assert bobs_ticket.reference not in panel
    # Right under the promises, above time, actions and facts.
    assert side.index('class="panel recent"') < side.index('id="ticket-time"')
