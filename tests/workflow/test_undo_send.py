"""Undo send (issue 12): a reply is stored at once and mailed only after the window;
within it the writer takes it back (text to the draft, the timeline says so), after
it the undo is refused, and a worker restarted in the window neither loses the mail
nor sends it twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.errors import InvalidTransition, NotAllowed
from frontline.core.worker import FrontlineWorker
from frontline.mail import leases, outbound
from frontline.mail.models import OutboundMail
from frontline.search.services import search_tickets
from frontline.tickets import access
from frontline.tickets.models import ComposerDraft, Message, Status
from frontline.tickets.services import drafts

WINDOW = 10


def held_reply(ticket, agent, body: str, capture, **options):
    """`agent`'s reply, held for the window, its mail's task enqueued as after a commit."""
    with capture(execute=True):
        reply = workflow.add_reply(ticket, agent, body, undo_seconds=WINDOW, **options)
    return reply, OutboundMail.objects.get(message=reply)


def test_the_reply_is_stored_at_once_and_mailed_once_after_the_window(
        smtp_sink, bobs_ticket, lena, django_capture_on_commit_callbacks):
    reply, mail = held_reply(bobs_ticket, lena, "Der Fix ist in 4.2.2 enthalten.",
                             django_capture_on_commit_callbacks)
    assert Message.objects.filter(pk=reply.pk).exists()
    assert mail.state == "queued" and mail.next_attempt_at == reply.created_at + timedelta(
        seconds=WINDOW)
    # Its task waits for the window too (django-tasks-db's run_after).
    [task] = DBTaskResult.objects.filter(task_path__endswith="deliver_task")
    assert task.run_after == mail.next_attempt_at
    inside = reply.created_at + timedelta(seconds=WINDOW - 1)
    assert outbound.deliver_due(inside) == {} and outbound.deliver(mail.pk, now=inside) is None
    assert smtp_sink.delivered == []

    after = reply.created_at + timedelta(seconds=WINDOW + 1)
    assert outbound.deliver_due(after) == {"sent": 1}
    assert outbound.deliver_due(after + timedelta(minutes=1)) == {}
    assert [d.rcpt_tos for d in smtp_sink.delivered] == [["bob@standard.example"]]


def test_a_worker_restarted_in_the_window_sends_it_once(
        smtp_sink, bobs_ticket, lena, django_capture_on_commit_callbacks):
    reply, mail = held_reply(bobs_ticket, lena, "Please restart the agent service.",
                             django_capture_on_commit_callbacks)
    # A worker running now finds the task not due yet, and leaves it.
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    mail.refresh_from_db()
    assert mail.state == "queued" and mail.attempts == 0 and smtp_sink.delivered == []
    # The worker's process dies with the queue's row lost: the sweep still finds the mail.
    DBTaskResult.objects.all().delete()
    after = reply.created_at + timedelta(seconds=WINDOW + 2)
    assert outbound.deliver_due(after) == {"sent": 1}
    # And a task that did survive runs late: nothing is sent twice.
    assert outbound.deliver(mail.pk, now=after + timedelta(seconds=5)) is None
    assert len(smtp_sink.delivered) == 1


def test_undo_in_the_window_takes_the_reply_back_whole(
        smtp_sink, bobs_ticket, lena, django_capture_on_commit_callbacks):
    assert bobs_ticket.status == Status.NEW and bobs_ticket.first_response_at is None
    text = "Sorry, wrong customer: ignore the licence key ABC-123."
    reply, mail = held_reply(bobs_ticket, lena, text, django_capture_on_commit_callbacks,
                             status="pending_customer")
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.PENDING_CUSTOMER
    assert bobs_ticket.first_response_at == reply.created_at
    assert search_tickets(lena, "ABC-123").hits  # found while it stands

    withdrawn = workflow.undo_reply(bobs_ticket, lena, reply.pk,
                                    at=reply.created_at + timedelta(seconds=4))

    assert not Message.objects.filter(pk=reply.pk).exists()
    mail.refresh_from_db()
    assert mail.state == "withdrawn" and mail.next_attempt_at is None
    assert withdrawn.body == text
    assert drafts.draft_for(bobs_ticket, lena).body == text
    bobs_ticket.refresh_from_db()
    # The first response was not given after all; the ticket is open (an agent worked
    # on it), not waiting on a customer who was never written to.
    assert bobs_ticket.first_response_at is None and bobs_ticket.last_agent_message_at is None
    assert bobs_ticket.status == Status.OPEN
    assert not bobs_ticket.events.filter(kind="first_response").exists()
    event = bobs_ticket.events.get(kind="reply_withdrawn")
    assert event.actor == lena and event.detail["body"] == text
    assert event.detail["to"] == ["bob@standard.example"]
    # Gone from search too, and nothing is mailed later.
    assert search_tickets(lena, "ABC-123").hits == []
    assert outbound.deliver_due(reply.created_at + timedelta(minutes=5)) == {}
    assert smtp_sink.delivered == []


def test_undo_after_the_window_is_refused_as_already_sent(
        bobs_ticket, lena, django_capture_on_commit_callbacks):
    reply, _ = held_reply(bobs_ticket, lena, "Gesendet ist gesendet.",
                          django_capture_on_commit_callbacks)
    with pytest.raises(InvalidTransition) as refused:
        workflow.undo_reply(bobs_ticket, lena, reply.pk,
                            at=reply.created_at + timedelta(seconds=WINDOW + 1))
    assert refused.value.status_code == 409
    assert refused.value.message == "This reply was already sent; it can no longer be undone."
    assert Message.objects.filter(pk=reply.pk).exists()
    assert not ComposerDraft.objects.exists()


def test_undo_loses_to_a_worker_already_sending(bobs_ticket, lena,
                                                django_capture_on_commit_callbacks):
    reply, mail = held_reply(bobs_ticket, lena, "Racing the worker.",
                             django_capture_on_commit_callbacks)
    # A worker whose clock says the window has passed claims it first...
    assert leases.claim([mail.pk], reply.created_at + timedelta(seconds=WINDOW)) != []
    # ...so an undo that still saw the countdown cannot take it back.
    with pytest.raises(InvalidTransition):
        workflow.undo_reply(bobs_ticket, lena, reply.pk,
                            at=reply.created_at + timedelta(seconds=WINDOW - 2))
    mail.refresh_from_db()
    assert mail.state == "queued" and mail.attempts == 1


def test_only_the_writer_may_undo_a_reply(bobs_ticket, lena, otto,
                                          django_capture_on_commit_callbacks):
    reply, _ = held_reply(bobs_ticket, lena, "Mine to take back.",
                          django_capture_on_commit_callbacks)
    with pytest.raises(NotAllowed):
        workflow.undo_reply(bobs_ticket, otto, reply.pk, at=reply.created_at)
    assert Message.objects.filter(pk=reply.pk).exists()


def test_text_typed_during_the_window_is_kept_below_the_withdrawn_reply(
        bobs_ticket, lena, django_capture_on_commit_callbacks):
    reply, _ = held_reply(bobs_ticket, lena, "Erste Fassung.",
                          django_capture_on_commit_callbacks)
    drafts.save_draft(bobs_ticket, lena, "P.S. noch ein Gedanke")
    workflow.undo_reply(bobs_ticket, lena, reply.pk, at=reply.created_at + timedelta(seconds=1))
    assert drafts.draft_for(bobs_ticket, lena).body == "Erste Fassung.\n\nP.S. noch ein Gedanke"


def test_a_resolve_undone_from_pending_says_the_status_stays(
        bobs_ticket, lena, django_capture_on_commit_callbacks):
    workflow.change_status(bobs_ticket, lena, "pending_customer")
    reply, _ = held_reply(bobs_ticket, lena, "Closing this as solved.",
                          django_capture_on_commit_callbacks, status="resolved")
    workflow.undo_reply(bobs_ticket, lena, reply.pk, at=reply.created_at + timedelta(seconds=2))
    bobs_ticket.refresh_from_db()
    # Resolved goes back only to open: the timeline says it stays, instead of guessing.
    assert bobs_ticket.status == Status.RESOLVED
    event = bobs_ticket.events.get(kind="reply_withdrawn")
    assert event.detail["status_kept"] == "resolved"


def test_without_a_window_the_mail_is_due_at_once_and_cannot_be_undone(
        bobs_ticket, lena):
    reply = workflow.add_reply(bobs_ticket, lena, "Straight out.")
    mail = OutboundMail.objects.get(message=reply)
    assert mail.next_attempt_at == reply.created_at
    with pytest.raises(InvalidTransition):
        workflow.undo_reply(bobs_ticket, lena, reply.pk, at=reply.created_at)


def test_the_customer_reads_a_reply_only_once_its_window_has_passed(client, bobs_ticket, lena):
    """A reply withdrawn in the window must never have been on the customer's page."""
    now = timezone.now()
    workflow.add_reply(bobs_ticket, lena, "Earlier: the 4.2.2 patch is out.",
                       at=now - timedelta(seconds=6), undo_seconds=3)
    workflow.add_reply(bobs_ticket, lena, "Still held: wrong attachment, sorry.",
                       undo_seconds=WINDOW)
    page = client.get(access.ticket_path(bobs_ticket, bobs_ticket.requester)).content.decode()
    assert "Earlier: the 4.2.2 patch is out." in page
    assert "Still held" not in page
    # Staff see both at once (the desk's timeline), with the countdown on the held one.
    assert Message.objects.filter(ticket=bobs_ticket, kind="outbound").count() == 2


def test_undo_keeps_where_the_reply_was_going_in_the_draft(
        bobs_ticket, lena, django_capture_on_commit_callbacks):
    """A reload after the undo brings back the To and Cc the agent chose, not the default."""
    reply, _ = held_reply(bobs_ticket, lena, "Copie à l'équipe réseau, comme convenu.",
                          django_capture_on_commit_callbacks,
                          to=["bob@standard.example", "réseau@standard.example"],
                          cc=["noc@standard.example"])
    withdrawn = workflow.undo_reply(bobs_ticket, lena, reply.pk,
                                    at=reply.created_at + timedelta(seconds=2))
    draft = drafts.draft_for(bobs_ticket, lena)
    assert draft.body == "Copie à l'équipe réseau, comme convenu."
    assert draft.to == "bob@standard.example, réseau@standard.example"
    assert draft.cc == "noc@standard.example"
    # The withdrawal names what it took off the timeline, for pages still showing it.
    assert withdrawn.event.detail["message"] == reply.pk
    removed = withdrawn.removed_events  # its "sent the first response" line
    assert len(removed) == 1
    assert withdrawn.event.detail["removed_events"] == removed
