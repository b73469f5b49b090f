"""The composer's To and Cc, and undo send, in the desk (issue 12): the agent sees and
edits where a reply goes, a bad address comes back as a form error with the typed
text kept, and after Send the reply waits "Sending in Ns — Undo"."""

from __future__ import annotations

import re

from django.utils import timezone

from frontline.mail.models import OutboundMail
from frontline.tickets.models import ComposerDraft, Message, Participant
from tests.desk.conftest import HTMX
from tests.factories import ContactFactory


def send(client, ticket, body: str, **fields: str):
    return client.post(f"/t/{ticket.reference}/messages",
                       {"kind": "reply", "body": body, **fields}, **HTMX)


def test_the_agent_changes_to_and_cc_and_the_timeline_says_where_it_went(signed_in, lena,
                                                                         bobs_ticket):
    carol = ContactFactory(name="Carol Ruiz", email="carol.ruiz@standard.example")
    Participant.objects.create(ticket=bobs_ticket, contact=carol, added_at=timezone.now())
    response = send(signed_in(lena), bobs_ticket, "Ich antworte nur Ihnen und der IT.",
                    to="Bob Standard <bob@standard.example>",
                    cc="it@standard.example;\nJürgen Weiß <jürgen@weiß.example>")
    assert response.status_code == 200
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    mail = OutboundMail.objects.get(message=reply)
    assert mail.to == ["bob@standard.example"]
    assert mail.cc == ["it@standard.example", "jürgen@weiß.example"]
    html = response.content.decode()
    assert ("Mail to bob@standard.example, cc it@standard.example, jürgen@weiß.example goes "
            "out at") in html
    # The fresh composer offers the default again: Carol is still copied in.
    assert 'name="cc" value="carol.ruiz@standard.example"' in html


def test_a_bad_address_is_a_form_error_that_keeps_what_was_typed(signed_in, lena,
                                                                  bobs_ticket):
    response = send(signed_in(lena), bobs_ticket, "Bitte prüfen Sie die Adresse.",
                    to="bob@standard.example", cc="carol.ruiz@standard, it@standard.example")
    assert response.status_code == 422
    html = response.content.decode()
    assert "&#x27;carol.ruiz@standard&#x27; is not a valid email address." in html
    assert re.search(r'name="cc" value="carol.ruiz@standard, it@standard.example"[^>]*'
                     r'aria-invalid="true"', html)
    assert "Bitte prüfen Sie die Adresse.</textarea>" in html
    assert not Message.objects.filter(ticket=bobs_ticket, kind="outbound").exists()


def test_after_send_the_composer_counts_down_with_an_undo(signed_in, lena, bobs_ticket,
                                                          settings):
    settings.FRONTLINE_UNDO_SEND_SECONDS = 8
    html = send(signed_in(lena), bobs_ticket, "Gleich unterwegs.").content.decode()
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    bar = re.search(r'<div class="undo-send" id="undo-send" role="status" '
                    r'data-seconds="(\d+)">.*?</div>', html, re.S)
    assert bar is not None and int(bar.group(1)) in (7, 8)
    assert "Sending in <b class=\"undo-seconds\">" in bar.group(0)
    assert f'hx-post="/t/{bobs_ticket.reference}/messages/{reply.pk}/undo"' in bar.group(0)


def test_undo_brings_the_text_back_and_takes_the_reply_off_the_timeline(signed_in, lena,
                                                                        bobs_ticket):
    client = signed_in(lena)
    send(client, bobs_ticket, "Falsche Lizenz, bitte ignorieren.")
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    first_response = bobs_ticket.events.get(kind="first_response")
    response = client.post(f"/t/{bobs_ticket.reference}/messages/{reply.pk}/undo",
                           {"after_message": reply.pk, "after_event": 0}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#composer"
    html = response.content.decode()
    assert "Falsche Lizenz, bitte ignorieren.</textarea>" in html
    assert f'<div id="m{reply.pk}" hx-swap-oob="delete"></div>' in html
    # The first response it gave leaves the page too.
    assert f'<div id="e{first_response.pk}" hx-swap-oob="delete"></div>' in html
    assert "Reply withdrawn: it was not sent." in html
    assert "Lena Level-One withdrew a reply to bob@standard.example before it was mailed" in html
    assert not Message.objects.filter(pk=reply.pk).exists()
    assert ComposerDraft.objects.get(user=lena).body == "Falsche Lizenz, bitte ignorieren."
    # The page, opened again, has the text in the composer and no reply on the timeline.
    page = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert "Falsche Lizenz, bitte ignorieren.</textarea>" in page
    assert f'id="m{reply.pk}"' not in page


def test_with_no_window_there_is_no_undo_and_a_late_one_is_refused(signed_in, lena,
                                                                     bobs_ticket, settings):
    settings.FRONTLINE_UNDO_SEND_SECONDS = 0
    client = signed_in(lena)
    html = send(client, bobs_ticket, "Sofort raus.").content.decode()
    assert "undo-send" not in html
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    response = client.post(f"/t/{bobs_ticket.reference}/messages/{reply.pk}/undo", **HTMX)
    assert response.status_code == 409
    assert "This reply was already sent; it can no longer be undone." in response.content.decode()
    assert Message.objects.filter(pk=reply.pk).exists()


def test_another_agent_cannot_undo_lenas_reply(signed_in, lena, otto, bobs_ticket):
    send(signed_in(lena), bobs_ticket, "Von Lena.")
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    response = signed_in(otto).post(f"/t/{bobs_ticket.reference}/messages/{reply.pk}/undo")
    assert response.status_code == 403
    assert Message.objects.filter(pk=reply.pk).exists()


def test_without_javascript_undo_goes_back_to_the_page_with_the_draft(signed_in, lena,
                                                                      bobs_ticket):
    client = signed_in(lena)
    client.post(f"/t/{bobs_ticket.reference}/messages", {"kind": "reply", "body": "Ohne JS."})
    reply = Message.objects.get(ticket=bobs_ticket, kind="outbound")
    response = client.post(f"/t/{bobs_ticket.reference}/messages/{reply.pk}/undo")
    assert response.status_code == 302 and response["Location"] == f"/t/{bobs_ticket.reference}"
    assert "Ohne JS.</textarea>" in client.get(response["Location"]).content.decode()
