"""What an agent sees of mail in the desk: the new reply with the quote folded,
safe HTML with remote images on request, attachments to download (dangerous ones
marked), bounces and the warning before writing, and the admins' failed-mail page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from frontline.core.models import User
from frontline.customers.models import Contact
from frontline.mail import addresses
from frontline.mail.models import InboundMail, InboundState, OutboundMail
from frontline.tickets.models import Ticket
from tests.mail.inbound_mails import compose, deliver
from tests.mail.test_inbound_guard import bounce

HTML = ('<p>Still broken <b>after</b> the update.</p>'
        '<img src="https://tracker.example/pixel.gif" alt="pixel">'
        '<img src="cid:shot@client" alt="screenshot">'
        '<script>alert(1)</script><p onclick="steal()">click</p>')


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def bobs_mail_ticket(bob: Contact) -> Ticket:
    inbound = deliver(compose(message_id="first.bob@standard.example"))
    assert inbound.ticket is not None
    return inbound.ticket


def _page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/t/{ticket.reference}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_new_reply_shows_and_the_quoted_part_is_folded(signed_in, lena, bobs_mail_ticket):
    deliver(compose(subject="Re: login", in_reply_to="first.bob@standard.example",
                    body="It works after clearing cookies.\n\nOn Monday Support wrote:\n"
                         "> Please clear your cookies.\n"))
    page = _page(signed_in(lena), bobs_mail_ticket)
    assert '<div class="body">It works after clearing cookies.</div>' in page
    assert '<details class="quoted"><summary>Show quoted text</summary>' in page
    assert "&gt; Please clear your cookies." in page
    # The fold holds the history only, not the reply again (issue 12).
    fold = page.split('<details class="quoted">', 1)[1].split("</details>", 1)[0]
    assert "It works after clearing cookies." not in fold


def test_html_mail_shows_sanitised_without_remote_images_until_asked(signed_in, lena, bob):
    raw = compose(body="Still broken after the update.", html=HTML)
    inbound = deliver(raw)
    client = signed_in(lena)
    page = _page(client, inbound.ticket)
    assert "<b>after</b>" in page
    assert "alert(1)" not in page and "steal()" not in page
    assert "tracker.example" not in page
    assert "Load remote images" in page

    url = f"/t/{inbound.ticket.reference}/messages/{inbound.message.pk}/html?remote=1"
    loaded = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'src="https://tracker.example/pixel.gif"' in loaded
    assert "alert(1)" not in loaded and "steal()" not in loaded


def test_an_inline_image_is_served_from_our_own_storage(signed_in, lena, bob):
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = "bob@standard.example"
    mail["To"] = "support@frontline.localhost"
    mail["Subject"] = "Screenshot"
    mail["Message-ID"] = "<shot.mail@standard.example>"
    mail.set_content("See the screenshot.")
    mail.add_alternative('<p>See:</p><img src="cid:shot@client">', subtype="html")
    mail.get_payload()[1].add_related(b"\x89PNG fake", maintype="image", subtype="png",
                                      cid="<shot@client>", filename="shot.png")
    inbound = deliver(bytes(mail))
    attachment = inbound.message.attachments.get()
    page = _page(signed_in(lena), inbound.ticket)
    assert f'src="/t/{inbound.ticket.pk}/files/{attachment.pk}"' in page


def test_attachments_are_listed_with_size_and_download_safely(signed_in, lena, vera, bob):
    inbound = deliver(compose(attachments=[("report.pdf", "application/pdf", b"%PDF-1.4 x"),
                                           ("invoice.pdf.exe", "application/octet-stream",
                                            b"MZ\x90\x00")]))
    client = signed_in(lena)
    page = _page(client, inbound.ticket)
    report, program = inbound.message.attachments.order_by("pk")
    assert f'/files/{report.pk}">report.pdf</a> <span class="size">10\xa0bytes</span>' in page
    assert "invoice.pdf.exe</a>" in page
    assert page.count("dangerous type</span>") == 1

    response = client.get(f"/t/{inbound.ticket.reference}/files/{program.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"MZ\x90\x00"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_attachment_of_another_ticket_is_not_served_through_this_one(
        signed_in, lena, bob, bobs_mail_ticket):
    other = deliver(compose(subject="Other", attachments=[("a.txt", "text/plain", b"a")]))
    attachment = other.message.attachments.get()
    response = signed_in(lena).get(f"/t/{bobs_mail_ticket.reference}/files/{attachment.pk}")
    assert response.status_code == 404


def test_a_developer_cannot_download_files_of_a_tier_one_ticket(signed_in, dana, bob):
    inbound = deliver(compose(attachments=[("a.txt", "text/plain", b"secret")]))
    attachment = inbound.message.attachments.get()
    response = signed_in(dana).get(f"/t/{inbound.ticket.reference}/files/{attachment.pk}")
    assert response.status_code == 403


def test_a_bounce_shows_on_the_ticket_and_warns_before_writing(signed_in, lena,
                                                               bobs_mail_ticket):
    deliver(bounce("bob@standard.example", addresses.new_message_id(bobs_mail_ticket.pk)))
    page = _page(signed_in(lena), bobs_mail_ticket)
    assert "Mail to <b>bob@standard.example</b> failed permanently" in page
    assert "User unknown" in page
    assert 'class="warning bouncing"' in page
    assert "your reply may not reach Bob Standard" in page


def test_no_warning_when_the_address_works(signed_in, lena, bobs_mail_ticket):
    assert 'class="warning bouncing"' not in _page(signed_in(lena), bobs_mail_ticket)


def test_admins_see_failed_mail_with_its_error_and_can_download_the_raw(signed_in, ada, lena):
    raw = b"Subject: no sender\r\nMessage-ID: <broken@x>\r\n\r\nHello\r\n"
    inbound = deliver(raw)
    assert inbound.state == InboundState.FAILED
    client = signed_in(ada)
    page = client.get("/mail/inbound").content.decode()
    assert "The mail has no sender address (From)." in page
    assert f"/mail/inbound/{inbound.pk}/raw" in page

    response = client.get(f"/mail/inbound/{inbound.pk}/raw")
    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Disposition"] == f'attachment; filename="inbound-{inbound.pk}.eml"'

    # Agents may not read raw mail.
    assert signed_in(lena).get("/mail/inbound").status_code == 403
    assert signed_in(lena).get(f"/mail/inbound/{inbound.pk}/raw").status_code == 403


def test_an_admin_processes_a_failed_mail_again(signed_in, ada, bob):
    accepted = InboundMail.objects.create(
        dedupe_key="k", sha256="s", raw=compose(subject="Retry me"), size=1, source="lmtp",
        received_at="2026-11-26T10:00:00Z", state=InboundState.FAILED, error="db was down",
        attempts=1)
    response = signed_in(ada).post(f"/mail/inbound/{accepted.pk}/retry")
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.state == InboundState.PROCESSED
    assert accepted.ticket.subject == "Retry me"
    assert OutboundMail.objects.filter(ticket=accepted.ticket).count() == 1


def test_people_copied_in_are_shown_beside_the_ticket(signed_in, lena, bob):
    inbound = deliver(compose(cc="Erin Ops <erin@partner.example>"))
    page = _page(signed_in(lena), inbound.ticket)
    assert "<h2>Copied in</h2>" in page
    assert 'Erin Ops <span class="muted">erin@partner.example</span>' in page
