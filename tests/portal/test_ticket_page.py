"""The customer's no-login ticket page: a signed, expiring link opens one ticket for
its requester, to read the conversation and reply; anything else opens nothing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from frontline import workflow
from frontline.mail import outbound
from frontline.mail.models import OutboundMail
from frontline.tickets import access
from frontline.tickets.models import Message, Status, Ticket
from frontline.tickets.services.attachments import attach


def link(ticket: Ticket) -> str:
    return access.ticket_path(ticket, ticket.requester)


@pytest.fixture
def conversation(bobs_ticket, lena) -> Ticket:
    workflow.add_note(bobs_ticket, lena, "SECRET: customer is on a legacy licence")
    workflow.add_reply(bobs_ticket, lena, "Could you clear your browser cookies and retry?",
                       status="pending_customer")
    return bobs_ticket


def test_the_link_opens_the_public_conversation_and_its_status(client, conversation):
    page = client.get(link(conversation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cannot log in after upgrade to 4.2" in html
    assert "Since the upgrade this morning the login page says" in html
    assert "Could you clear your browser cookies and retry?" in html
    assert "Waiting for your reply" in html
    assert "SECRET" not in html  # internal notes never
    assert "assigned" not in html  # no events except status, in plain words
    assert "We asked you for something" in html
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"


def test_a_tampered_link_opens_nothing_and_offers_a_fresh_one(client, conversation):
    path = link(conversation)
    page = client.get(path[:-3] + ("xyz" if not path.endswith("xyz") else "abc"))
    assert page.status_code == 403
    html = page.content.decode()
    assert "This link does not open a request" in html
    assert "Cannot log in" not in html
    assert 'name="email"' in html and "Send me a new link" in html


def test_an_expired_link_answers_410_gone(client, conversation, settings):
    class Yesterday(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 31 * 86400)

    token = Yesterday(salt=access._SALT).sign_object(
        {"t": conversation.pk, "c": conversation.requester_id})
    page = client.get(f"/my/{conversation.reference}/{token}")
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    settings.FRONTLINE_PORTAL_LINK_DAYS = 60
    assert client.get(f"/my/{conversation.reference}/{token}").status_code == 200


def test_a_link_for_one_ticket_opens_no_other(client, conversation, alices_ticket):
    token = link(conversation).rsplit("/", 1)[1]
    page = client.get(f"/my/{alices_ticket.reference}/{token}")
    assert page.status_code == 403
    assert "Nightly export" not in page.content.decode()
    # Nor a token signed for something else with the same secret.
    other = signing.TimestampSigner(salt="something.else").sign_object(
        {"t": alices_ticket.pk, "c": alices_ticket.requester_id})
    assert client.get(f"/my/{alices_ticket.reference}/{other}").status_code == 403


def test_a_link_stops_working_when_the_ticket_gets_another_requester(client, conversation,
                                                                      alice):
    path = link(conversation)
    Ticket.objects.filter(pk=conversation.pk).update(requester=alice)
    assert client.get(path).status_code == 403


def test_replying_on_the_page_adds_a_customer_message_and_reopens_a_resolved_ticket(
        client, conversation, lena):
    workflow.change_status(conversation, lena, "resolved")
    page = client.post(link(conversation) + "/reply", {"body": "Still broken, sorry!"})
    assert page.status_code == 302
    message = Message.objects.get(body="Still broken, sorry!")
    assert message.channel == "portal" and message.author_contact == conversation.requester
    assert page["Location"].endswith(f"?done=sent#m{message.pk}")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    after = client.get(page["Location"]).content.decode()
    assert "Thank you, your message is on its way to us." in after
    assert "Still broken, sorry!" in after


def test_an_empty_reply_is_refused_with_a_clear_message(client, conversation):
    page = client.post(link(conversation) + "/reply", {"body": "   "})
    assert page.status_code == 422
    assert "The message is empty." in page.content.decode()


@pytest.mark.parametrize("length", [100_001, 123_457, 400_000])
def test_a_reply_over_the_limit_is_refused_whole_and_given_back(client, conversation, length):
    """Issue 11: a reply over 100,000 characters was cut and reported as sent."""
    words = "Der Export bricht ab: ERR-4711 nach 3 Minuten. "
    body = (words * (length // len(words) + 1))[:length - 5] + " Ende"
    before = Message.objects.count()
    page = client.post(link(conversation) + "/reply", {"body": body})
    assert page.status_code == 422
    html = page.content.decode()
    assert f"Your reply is {length:,} characters; a reply can have at most 100,000." in html
    assert "Nothing was sent" in html
    assert body[-200:] in html  # what they typed comes back, to the last word
    assert Message.objects.count() == before


def test_a_reply_of_exactly_the_limit_is_sent_whole(client, conversation):
    body = ("Zeile mit Umlauten äöü und Ziffern 0123456789.\n" * 3000)[:100_000]
    page = client.post(link(conversation) + "/reply", {"body": body})
    assert page.status_code == 302
    assert Message.objects.filter(ticket=conversation).latest("pk").body == body.strip()


def test_the_reply_form_needs_the_csrf_token(conversation):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link(conversation) + "/reply", {"body": "hi"}).status_code == 403
    assert not Message.objects.filter(body="hi").exists()


def test_a_forged_link_cannot_reply(client, conversation):
    page = client.post(f"/my/{conversation.reference}/forged:token/reply", {"body": "spam"})
    assert page.status_code == 403
    assert not Message.objects.filter(body="spam").exists()


def test_this_is_solved_closes_a_resolved_ticket(client, conversation, lena):
    workflow.change_status(conversation, lena, "resolved")
    page = client.get(link(conversation))
    assert "Yes, this is solved" in page.content.decode()
    done = client.post(link(conversation) + "/solved")
    assert done.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED
    assert "Thank you for confirming" in client.get(done["Location"]).content.decode()
    # Confirming twice is a clear refusal, not an error page.
    again = client.post(link(conversation) + "/solved")
    assert again.status_code == 409
    assert "is not waiting for a confirmation" in again.content.decode()


def test_a_ticket_closed_long_ago_takes_no_reply_on_the_page(client, conversation, lena):
    workflow.change_status(conversation, lena, "resolved")
    workflow.confirm_resolution(conversation, conversation.requester)
    Ticket.objects.filter(pk=conversation.pk).update(
        closed_at=timezone.now() - timedelta(days=30))
    page = client.get(link(conversation)).content.decode()
    assert "This request is closed" in page and "Send reply" not in page
    refused = client.post(link(conversation) + "/reply", {"body": "hello?"})
    assert refused.status_code == 409


def test_files_of_the_conversation_download_but_not_those_of_notes(client, conversation, lena):
    reply = conversation.messages.get(kind="outbound")
    shown = attach(reply, "steps.html", b"<script>alert(1)</script>", content_type="text/html")
    note = workflow.add_note(conversation, lena, "internal log")
    hidden = attach(note, "internal.log", b"secret")
    page = client.get(link(conversation))
    assert "steps.html" in page.content.decode() and "internal.log" not in page.content.decode()
    download = client.get(link(conversation) + f"/files/{shown.pk}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"<script>alert(1)</script>"
    assert client.get(link(conversation) + f"/files/{hidden.pk}").status_code == 404


def test_asking_for_a_fresh_link_mails_the_requester_and_tells_nobody_else(
        client, smtp_sink, conversation):
    answer = client.post("/my/link", {"email": "bob@standard.example",
                                      "reference": conversation.reference}, follow=True)
    stranger = client.post("/my/link", {"email": "mallory@evil.example",
                                        "reference": conversation.reference}, follow=True)
    nowhere = client.post("/my/link", {"email": "bob@standard.example", "reference": "FL-1"},
                          follow=True)
    assert answer.status_code == stranger.status_code == nowhere.status_code == 200
    assert answer.content == stranger.content == nowhere.content
    assert "If that address belongs to this request" in answer.content.decode()
    assert OutboundMail.objects.filter(automatic=True).count() == 1
    assert outbound.deliver_due() == {"sent": 2}  # with Lena's reply
    [mail] = [m for m in smtp_sink.messages() if m["Auto-Submitted"]]
    assert mail["To"] == "bob@standard.example" and mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(("plain",)).get_content()
    fresh = next(line for line in text.splitlines() if "/my/" in line).split("8000", 1)[1]
    assert client.get(fresh.strip()).status_code == 200


def test_reloading_the_check_your_email_page_sends_no_second_link(client, conversation):
    """Post/Redirect/Get: the browser reloads the page it was sent to, not the POST."""
    answer = client.post("/my/link", {"email": "Bob@Standard.example ",
                                      "reference": conversation.reference})
    assert answer.status_code == 303 and answer["Location"] == "/my/link/sent"
    assert answer["Cache-Control"] == "private, no-store"
    for _ in range(3):
        page = client.get(answer["Location"])
        assert page.status_code == 200 and "Check your email" in page.content.decode()
    assert OutboundMail.objects.filter(automatic=True).count() == 1


def test_asking_for_a_link_without_an_address_says_what_is_missing(client, conversation):
    page = client.post("/my/link", {"email": "", "reference": conversation.reference})
    assert page.status_code == 422
    assert "Please enter the email address you wrote to us from." in page.content.decode()


@pytest.mark.parametrize("path", ["/my/FL-10001/x", "/my/nonsense/%00%0d%0a",
                                  "/my/FL-99999999/a:b:c"])
def test_garbage_links_are_refused_never_a_server_error(client, bobs_ticket, path):
    assert client.get(path).status_code == 403
