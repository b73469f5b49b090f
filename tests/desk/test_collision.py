"""Two agents on one ticket (issue 12): the composer's send is held while somebody
wrote since the agent last looked, the newer messages join the timeline, and the
page shows who else is viewing and typing."""

from __future__ import annotations

import re

from frontline import workflow
from frontline.tickets.models import Event, Message, Ticket
from frontline.tickets.services import presence
from tests.desk.conftest import HTMX


def newest(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket).order_by("-pk").values_list(
        "pk", flat=True)[0]


def newest_event(ticket: Ticket) -> int:
    return Event.objects.filter(ticket=ticket).order_by("-pk").values_list(
        "pk", flat=True)[0]


def send(client, ticket: Ticket, body: str, *, seen: int | None, kind: str = "reply",
         htmx: bool = True, **fields):
    data = {"kind": kind, "body": body, **fields}
    if seen is not None:
        data["seen"] = str(seen)
    return client.post(f"/t/{ticket.reference}/messages", data, **(HTMX if htmx else {}))


def seen_field(html: str) -> int:
    [value] = re.findall(r'<input type="hidden" name="seen" value="(\d+)">', html)
    return int(value)


def test_the_ticket_page_composer_carries_the_newest_message(signed_in, lena, otto,
                                                             bobs_ticket):
    ottos = workflow.add_note(bobs_ticket, otto, "Known issue with 4.2 tokens.")
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert seen_field(html) == ottos.pk
    assert 'id="presence"' in html and "ticket_live.js" in html


def test_lenas_reply_is_held_and_shows_ottos_reply_first(signed_in, lena, otto, bobs_ticket):
    seen = newest(bobs_ticket)
    ottos = workflow.add_reply(bobs_ticket, otto, "Please clear the token cache, Bob.")
    response = send(signed_in(lena), bobs_ticket, "Hi Bob, could you send a screenshot?",
                    seen=seen, status="pending_customer", after_message=str(seen),
                    after_event=str(newest_event(bobs_ticket)))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not sent yet." in html
    assert "Otto Level-Two replied on" in html
    assert "Hi Bob, could you send a screenshot?</textarea>" in html  # nothing typed is lost
    assert '<option value="pending_customer" selected>' in html
    assert 'hx-swap-oob="beforeend:#timeline"' in html
    assert f'id="m{ottos.pk}"' in html  # his reply joins her timeline
    assert "Please clear the token cache, Bob." in html
    assert seen_field(html) == ottos.pk  # the next send has seen it
    assert not Message.objects.filter(ticket=bobs_ticket, author_user=lena).exists()


def test_sent_again_after_reading_it_goes_out(signed_in, lena, otto, bobs_ticket):
    client = signed_in(lena)
    seen = newest(bobs_ticket)
    ottos = workflow.add_note(bobs_ticket, otto, "I am on the phone with Bob right now.")
    assert send(client, bobs_ticket, "Hello Bob!", seen=seen).status_code == 409
    response = send(client, bobs_ticket, "Hello Bob, Otto will call you.", seen=ottos.pk)
    assert response.status_code == 200
    [reply] = Message.objects.filter(ticket=bobs_ticket, author_user=lena)
    assert reply.body == "Hello Bob, Otto will call you."
    assert seen_field(response.content.decode()) == reply.pk


def test_a_note_is_held_the_same_way(signed_in, lena, bob, bobs_ticket):
    seen = newest(bobs_ticket)
    workflow.add_customer_message(bobs_ticket, bob, "Es geht wieder, danke!")
    response = send(signed_in(lena), bobs_ticket, "Try the cache fix.", seen=seen, kind="note")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Bob Standard wrote on" in html
    assert "Es geht wieder, danke!" in html


def test_without_javascript_the_held_page_shows_everything(signed_in, lena, otto, bobs_ticket):
    seen = newest(bobs_ticket)
    workflow.add_reply(bobs_ticket, otto, "Fixed in 4.2.1, please update.")
    response = send(signed_in(lena), bobs_ticket, "Let me check.", seen=seen, htmx=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "<!doctype html>" in html.lower()
    assert html.count("Fixed in 4.2.1, please update.") == 2  # timeline and the warning
    assert "Let me check.</textarea>" in html


def test_the_newer_check_comes_before_the_known_facts_warning(signed_in, lena, otto,
                                                              bobs_ticket):
    seen = newest(bobs_ticket)
    workflow.add_reply(bobs_ticket, otto, "On it.")
    html = send(signed_in(lena), bobs_ticket, "Which version are you on?",
                seen=seen).content.decode()
    assert "Not sent yet." in html


def test_a_seen_that_is_not_a_number_is_a_clear_error(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/messages",
                                    {"kind": "reply", "body": "Hi", "seen": "newest"}, **HTMX)
    assert response.status_code == 422
    assert "The newest message seen must be a whole number." in response.content.decode()
    assert not Message.objects.filter(ticket=bobs_ticket, author_user__isnull=False).exists()


def test_any_change_brings_what_others_wrote_meanwhile(signed_in, lena, otto, bobs_ticket):
    seen, seen_event = newest(bobs_ticket), newest_event(bobs_ticket)
    ottos = workflow.add_note(bobs_ticket, otto, "Customer is on 4.2.0, not 4.2.1.")
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/set/priority",
                                    {"value": "high", "after_message": str(seen),
                                     "after_event": str(seen_event)}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="m{ottos.pk}"' in html
    assert "priority" in html.lower()
    assert f'id="e{seen_event}"' not in html  # nothing the page already shows


def test_the_beat_shows_who_else_is_viewing_and_typing(signed_in, lena, otto, dana, ada,
                                                       bobs_ticket):
    presence.beat(bobs_ticket, otto, typing=True)
    presence.beat(bobs_ticket, ada)
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/presence", {"typing": "0"},
                                    **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<b>Ada Admin</b> is viewing</span>" in html
    assert "<b>Otto Level-Two</b> is viewing ·" in html and "typing" in html
    assert "Lena" not in html
    seen_by_otto = [p.username for p, _ in presence.others_here(bobs_ticket, otto)]
    assert seen_by_otto == ["ada", "lena"]


def test_the_beat_brings_new_entries_after_the_pages_mark(signed_in, lena, otto, bobs_ticket):
    seen, seen_event = newest(bobs_ticket), newest_event(bobs_ticket)
    ottos = workflow.add_reply(bobs_ticket, otto, "Bitte leeren Sie den Token-Cache.")
    html = signed_in(lena).post(f"/t/{bobs_ticket.reference}/presence",
                                {"after_message": str(seen), "after_event": str(seen_event)},
                                **HTMX).content.decode()
    assert f'id="m{ottos.pk}"' in html
    assert "Bitte leeren Sie den Token-Cache." in html
    quiet = signed_in(lena).post(f"/t/{bobs_ticket.reference}/presence",
                                 {"after_message": str(ottos.pk),
                                  "after_event": str(newest_event(bobs_ticket))},
                                 **HTMX).content.decode()
    assert "hx-swap-oob" not in quiet


def test_leaving_and_who_may_beat(signed_in, lena, otto, dana, vera, bobs_ticket):
    url = f"/t/{bobs_ticket.reference}/presence"
    assert signed_in(otto).post(url, {}, **HTMX).status_code == 200
    assert signed_in(otto).post(url, {"left": "1"}, **HTMX).status_code == 204
    assert presence.others_here(bobs_ticket, lena) == []
    assert signed_in(vera).post(url, {}, **HTMX).status_code == 200  # viewers read
    assert signed_in(dana).post(url, {}, **HTMX).status_code == 403  # tier 3 only
    assert signed_in(lena).get(url).status_code == 405
