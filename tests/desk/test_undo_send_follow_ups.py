"""Undo send as the others see it (issue 12): a colleague's open page drops the withdrawn
reply at its next beat, the timeline's "goes out at … (undo until then)" line counts
down with the page, and the draft brings the To and Cc back after a reload."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from frontline import workflow
from frontline.tickets.models import ComposerDraft, Event, Message, Participant
from tests.desk.conftest import HTMX
from tests.factories import ContactFactory


def send(client, ticket, body: str, **fields: str):
    return client.post(f"/t/{ticket.reference}/messages",
                       {"kind": "reply", "body": body, **fields}, **HTMX)


def undo(client, ticket, reply: Message):
    return client.post(f"/t/{ticket.reference}/messages/{reply.pk}/undo",
                       {"after_message": reply.pk, "after_event": 0}, **HTMX)


def field(html: str, name: str) -> str:
    return re.search(rf'<input id="composer-{name}" name="{name}" value="([^"]*)"', html).group(1)


def test_a_colleagues_beat_brings_the_withdrawal_naming_what_it_takes_away(
        signed_in, lena, otto, bobs_ticket):
    lenas = signed_in(lena)
    send(lenas, bobs_ticket, "Mauvais client : ignorez la clé ZX-90.")
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    first_response = bobs_ticket.events.get(kind="first_response")
    # Otto's page shows the reply and its "first response" line.
    ottos_page = signed_in(otto).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert f'id="m{reply.pk}"' in ottos_page and f'id="e{first_response.pk}"' in ottos_page
    shown_event = Event.objects.filter(ticket=bobs_ticket).order_by("-pk").first().pk

    assert undo(lenas, bobs_ticket, reply).status_code == 200
    beat = signed_in(otto).post(f"/t/{bobs_ticket.reference}/presence",
                                {"after_message": str(reply.pk),
                                 "after_event": str(shown_event)}, **HTMX)
    assert beat.status_code == 200
    html = beat.content.decode()
    withdrawal = bobs_ticket.events.get(kind="reply_withdrawn")
    assert (f'<li class="entry event" id="e{withdrawal.pk}" '
            f'data-withdraws="m{reply.pk} e{first_response.pk}">') in html
    assert "Lena Level-One withdrew a reply to bob@standard.example" in html
    # Opened afresh, Otto's page has neither the reply nor the removed line.
    page = signed_in(otto).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert f'id="m{reply.pk}"' not in page and f'id="e{first_response.pk}"' not in page
    assert f'data-withdraws="m{reply.pk}' in page


def test_a_held_reply_line_counts_down_and_reads_queued_once_the_window_passed(
        signed_in, otto, lena, bobs_ticket, settings):
    settings.FRONTLINE_UNDO_SEND_SECONDS = 9
    html = send(signed_in(lena), bobs_ticket, "Der Patch 4.2.3 ist unterwegs.").content.decode()
    line = re.search(r'<div class="delivery state-queued" data-held-for="(\d+)">([^<]*)</div>',
                     html)
    assert line is not None and int(line.group(1)) in (8, 9)
    assert line.group(2).startswith("Mail to bob@standard.example goes out at ")
    assert line.group(2).endswith("(undo until then)")
    # A page opened after a reply's window (its mail not picked up by the worker yet)
    # no longer offers the undo: the mail is queued.
    older = workflow.add_reply(bobs_ticket, otto, "Ältere Antwort, schon fällig.",
                               at=timezone.now() - timedelta(seconds=30), undo_seconds=5)
    page = signed_in(otto).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert page.count("data-held-for=") == 1
    entry = re.search(rf'<li [^>]*id="m{older.pk}">.*?</li>', page, re.S).group(0)
    assert '<div class="delivery state-queued">Mail to bob@standard.example queued</div>' in entry
    assert "undo until then" not in entry


def test_the_draft_keeps_changed_recipients_and_leaves_default_ones_to_follow(
        signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    # The fields at their default: nothing kept, so someone copied in later shows up.
    client.post(f"/t/{bobs_ticket.reference}/draft",
                {"body": "Erster Entwurf", "to": "Bob <BOB@standard.example>", "cc": ""})
    draft = ComposerDraft.objects.get(user=lena)
    assert (draft.to, draft.cc) == (None, None)
    carol = ContactFactory(name="Carol Ruiz", email="carol.ruiz@standard.example")
    Participant.objects.create(ticket=bobs_ticket, contact=carol, added_at=timezone.now())
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert field(page, "cc") == "carol.ruiz@standard.example"
    # Changed: kept as typed, and the reloaded page shows it so.
    saved = client.post(f"/t/{bobs_ticket.reference}/draft",
                        {"body": "Zweiter Entwurf", "to": "bob@standard.example",
                         "cc": "einkauf@standard.example; Søren <søren@standard.example>"})
    assert saved.status_code == 204
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert field(page, "to") == "bob@standard.example"
    assert field(page, "cc") == "einkauf@standard.example; Søren &lt;søren@standard.example&gt;"


def test_an_overlong_to_field_in_a_draft_is_a_422(signed_in, lena, bobs_ticket):
    response = signed_in(lena).post(f"/t/{bobs_ticket.reference}/draft",
                                    {"body": "Text", "to": "x@y.example," * 2000}, **HTMX)
    assert response.status_code == 422
    assert "The To field is longer than 10,000 characters" in response.content.decode()
    assert not ComposerDraft.objects.exists()


def test_a_reload_after_undo_brings_back_the_to_and_cc(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    send(client, bobs_ticket, "Réponse au service achats seulement.",
         to="achats@standard.example", cc="Bob <bob@standard.example>")
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    assert undo(client, bobs_ticket, reply).status_code == 200
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Réponse au service achats seulement.</textarea>" in page
    assert field(page, "to") == "achats@standard.example"
    assert field(page, "cc") == "bob@standard.example"
