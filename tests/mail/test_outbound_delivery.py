"""Agent replies go out by mail through the task queue, to a real SMTP server
(aiosmtpd, the `smtp_sink` fixture): threaded, tagged, signed, with retries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline import workflow
from frontline.core.worker import FrontlineWorker
from frontline.mail import addresses, outbound
from frontline.mail.models import OutboundMail
from frontline.mail.tasks.delivery import deliver_due_task
from frontline.tickets.models import Message
from frontline.tickets.services.attachments import attach


def customer_message_id(ticket, message_id: str = "CAF=xyz.123@mail.premium.example") -> str:
    first = ticket.messages.get()
    first.email_message_id = message_id
    first.save(update_fields=["email_message_id"])
    return message_id


def run_worker() -> None:
    FrontlineWorker(batch=True, schedule=False, interval=0).run()


def test_an_agent_reply_is_queued_then_delivered_threaded_by_the_worker(
        smtp_sink, alices_ticket, lena, django_capture_on_commit_callbacks):
    """Lena answers Alice; the worker sends it; it arrives with everything that threads."""
    first_id = customer_message_id(alices_ticket)
    with django_capture_on_commit_callbacks(execute=True):
        reply = workflow.add_reply(alices_ticket, lena, "Please send us the export log.\n\n"
                                   "Thanks, Lena <b>not bold</b>")
        attach(reply, "checklist.txt", b"1. open the log\n2. send it\n", content_type="text/plain")
    mail = OutboundMail.objects.get(message=reply)
    assert mail.state == "queued" and not smtp_sink.delivered

    run_worker()

    mail.refresh_from_db()
    assert mail.state == "sent" and mail.sent_at is not None and mail.attempts == 1
    [delivered] = smtp_sink.delivered
    assert delivered.rcpt_tos == ["alice@premium.example"]
    message = delivered.message
    # Signed Message-ID, stored on the reply so the customer's answer threads back.
    message_id = message["Message-ID"].strip("<>")
    assert addresses.ticket_from_message_id(message_id) == alices_ticket.pk
    assert Message.objects.get(pk=reply.pk).email_message_id == message_id
    assert message["In-Reply-To"] == f"<{first_id}>"
    assert message["References"] == f"<{first_id}>"
    assert message["Subject"] == f"Re: [{alices_ticket.reference}] Nightly export job fails " \
                                 "with timeout"
    # From is the ticket's own signed reply address, and so is the envelope sender.
    assert message["From"].addresses[0].display_name == "Lena Level-One via Support"
    reply_to = message["From"].addresses[0].addr_spec
    assert addresses.ticket_from_reply_address(reply_to) == alices_ticket.pk
    assert delivered.mail_from == reply_to
    assert message["To"] == "alice@premium.example"
    assert message["X-Frontline-Loop"]
    assert message["Auto-Submitted"] is None  # a person wrote this one
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Please send us the export log." in text and "<b>not bold</b>" in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html
    assert "<br>" in html or "<p>" in html
    # The link to the no-login page is in both parts.
    assert f"/my/{alices_ticket.reference}/" in text and f"/my/{alices_ticket.reference}/" in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "checklist.txt"
    assert attachment.get_content().replace("\r\n", "\n") == "1. open the log\n2. send it\n"
    # The timeline says what happened.
    states = list(alices_ticket.events.filter(kind="delivery").values_list("after", flat=True))
    assert states == ["sent"]


def test_a_second_reply_references_the_whole_thread_answered_message_last(
        smtp_sink, alices_ticket, lena):
    first_id = customer_message_id(alices_ticket)
    workflow.add_reply(alices_ticket, lena, "Which version?")
    our_id = alices_ticket.messages.get(kind="outbound").email_message_id
    workflow.add_customer_message(alices_ticket, alices_ticket.requester, "4.2.1")
    Message.objects.filter(body="4.2.1").update(email_message_id="second@mail.premium.example")
    reply = workflow.add_reply(alices_ticket, lena, "Thanks, a fix is coming.")
    assert outbound.deliver_due() == {"sent": 2}
    last = next(m for m in smtp_sink.messages()
                if m["Message-ID"] == f"<{reply.email_message_id}>")
    assert last["In-Reply-To"] == "<second@mail.premium.example>"
    assert last["References"] == f"<{first_id}> <{our_id}> <second@mail.premium.example>"


def test_a_reply_to_a_subject_that_already_says_re_and_the_tag_is_tagged_once(
        smtp_sink, bob, lena):
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="RE: Re: [FL-1] AW: Invoice question", body="Hi",
                                  channel="email")
    ticket.subject = f"Re: [{ticket.reference}] Invoice question"
    ticket.save()
    workflow.add_reply(ticket, lena, "Hello Bob")
    outbound.deliver_due()
    subject = smtp_sink.messages()[0]["Subject"]
    assert subject == f"Re: [{ticket.reference}] [FL-1] AW: Invoice question" or \
        subject == f"Re: [{ticket.reference}] Invoice question"
    assert subject.count(ticket.reference) == 1 and subject.lower().count("re:") == 1


def test_internal_notes_are_never_mailed(smtp_sink, alices_ticket, lena):
    workflow.add_note(alices_ticket, lena, "Customer is on the old plan, be careful.")
    assert not OutboundMail.objects.exists()
    outbound.deliver_due()
    assert smtp_sink.delivered == []


def test_a_requester_without_an_address_gets_no_mail(smtp_sink, alices_ticket, lena):
    alices_ticket.requester.emails.all().delete()
    workflow.add_reply(alices_ticket, lena, "We called you back.")
    assert not OutboundMail.objects.exists()


def test_a_server_answering_451_is_retried_with_backoff_until_it_accepts(
        smtp_sink, alices_ticket, lena, settings):
    """Greylisting or a busy server: the mail waits and goes out later; the desk sees why."""
    settings.FRONTLINE_MAIL_RETRY_SECONDS = 60
    smtp_sink.answer("451 4.7.1 Greylisted, please try again later",
                     "451 4.3.0 Mailbox busy")
    reply = workflow.add_reply(alices_ticket, lena, "Here is the fix.")
    mail = OutboundMail.objects.get(message=reply)
    start = timezone.now()

    assert outbound.deliver(mail.pk, now=start) == "queued"
    mail.refresh_from_db()
    assert mail.attempts == 1 and mail.next_attempt_at == start + timedelta(seconds=60)
    assert "451 4.7.1 Greylisted" in mail.last_error
    # Not due yet: the periodic job leaves it alone.
    assert outbound.deliver_due(now=start + timedelta(seconds=30)) == {}

    assert outbound.deliver(mail.pk, now=start + timedelta(seconds=61)) == "queued"
    mail.refresh_from_db()
    assert mail.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled

    assert outbound.deliver_due(now=start + timedelta(seconds=200)) == {"sent": 1}
    mail.refresh_from_db()
    assert mail.state == "sent" and mail.attempts == 3 and mail.last_error == ""
    assert len(smtp_sink.delivered) == 1 and len(smtp_sink.refused) == 2
    events = list(alices_ticket.events.filter(kind="delivery").order_by("pk"))
    assert [e.after for e in events] == ["retrying", "retrying", "sent"]
    assert events[0].detail["answer"].startswith("451 4.7.1 Greylisted")


def test_a_permanent_550_fails_at_once_with_the_servers_answer_on_the_desk(
        smtp_sink, alices_ticket, lena, client):
    smtp_sink.answer("550 5.1.1 <alice@premium.example>: Recipient address rejected")
    reply = workflow.add_reply(alices_ticket, lena, "Here is the fix.")
    mail = OutboundMail.objects.get(message=reply)
    assert outbound.deliver(mail.pk) == "failed"
    mail.refresh_from_db()
    assert mail.state == "failed" and mail.attempts == 1
    assert mail.last_error == "550 5.1.1 <alice@premium.example>: Recipient address rejected"
    assert outbound.deliver_due(now=timezone.now() + timedelta(days=1)) == {}
    assert smtp_sink.delivered == []

    client.force_login(lena)
    page = client.get(f"/t/{alices_ticket.reference}").content.decode()
    assert "Not delivered to alice@premium.example" in page
    assert "550 5.1.1 &lt;alice@premium.example&gt;: Recipient address rejected" in page
    assert "Mail could not be delivered to alice@premium.example" in page


def test_a_server_that_is_down_is_retried_and_gives_up_after_the_last_attempt(
        alices_ticket, lena, settings):
    settings.FRONTLINE_SMTP_URL = "smtp://127.0.0.1:9?timeout=2"  # nothing listens on 9
    settings.FRONTLINE_MAIL_MAX_ATTEMPTS = 2
    reply = workflow.add_reply(alices_ticket, lena, "Hello")
    mail = OutboundMail.objects.get(message=reply)
    assert outbound.deliver(mail.pk) == "queued"
    mail.refresh_from_db()
    assert mail.last_error.startswith("cannot connect")
    assert outbound.deliver(mail.pk, now=mail.next_attempt_at) == "failed"
    mail.refresh_from_db()
    assert "gave up after 2 attempts" in mail.last_error


def test_the_periodic_job_sends_a_mail_whose_enqueue_was_lost(smtp_sink, alices_ticket, lena):
    """No on-commit enqueue ran (as after a crash): the minute sweep still sends it."""
    workflow.add_reply(alices_ticket, lena, "Hello again")
    assert deliver_due_task.call() == {"sent": 1}
    assert len(smtp_sink.delivered) == 1


def test_without_an_smtp_url_mail_lands_in_the_outbox_folder(alices_ticket, lena, settings,
                                                             tmp_path):
    settings.FRONTLINE_SMTP_URL = ""
    settings.FRONTLINE_EMAIL_BACKEND = ""
    settings.FRONTLINE_OUTBOX_DIR = tmp_path / "outbox"
    workflow.add_reply(alices_ticket, lena, "Demo reply")
    assert outbound.deliver_due() == {"sent": 1}
    [written] = list((tmp_path / "outbox").iterdir())
    assert b"Demo reply" in written.read_bytes()


def test_replies_recorded_as_history_are_not_mailed(smtp_sink, alices_ticket, lena):
    """An import or the demo writes old replies: they are not news to send now."""
    workflow.add_reply(alices_ticket, lena, "Old answer", at=timezone.now() - timedelta(days=30))
    assert not OutboundMail.objects.exists()


def test_a_provider_backend_from_django_anymail_can_send_instead_of_smtp(
        alices_ticket, lena, settings, mailoutbox):
    """FRONTLINE_EMAIL_BACKEND picks an anymail backend (here its test backend)."""
    settings.FRONTLINE_EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {}
    reply = workflow.add_reply(alices_ticket, lena, "Sent through a provider")
    assert outbound.deliver_due() == {"sent": 1}
    [mail] = mailoutbox
    assert mail.to == ["alice@premium.example"]
    sent_id = Message.objects.get(pk=reply.pk).email_message_id
    assert mail.extra_headers["Message-ID"] == f"<{sent_id}>"
    assert OutboundMail.objects.get(message=reply).state == "sent"


def test_people_copied_in_on_the_ticket_get_the_reply_too(smtp_sink, alices_ticket, lena):
    from frontline.customers import services as customers
    from frontline.tickets.models import Participant

    colleague = customers.resolve_contact("carol@premium.example", "Carol")
    Participant.objects.create(ticket=alices_ticket, contact=colleague,
                               added_at=timezone.now())
    workflow.add_reply(alices_ticket, lena, "Hello both")
    outbound.deliver_due()
    [delivered] = smtp_sink.delivered
    assert sorted(delivered.rcpt_tos) == ["alice@premium.example", "carol@premium.example"]
    assert delivered.message["Cc"] == "carol@premium.example"
