"""Ticket events become deliveries in the same transaction as the change, with the
ticket, the actor, before and after and a link; a receiver that is slow, failing
or broken never holds up or undoes a ticket change."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import InvalidTransition
from frontline.core.worker import FrontlineWorker
from frontline.routing.escalation import escalate
from frontline.tickets.models import Status, Ticket
from frontline.tickets.services.events import record_event
from frontline.webhooks import endpoints
from frontline.webhooks.models import Delivery, DeliveryState, Endpoint


@pytest.fixture
def hook(ada: Any, settings: Any) -> Endpoint:
    """An endpoint for every event; nobody listens there (the tests read the rows)."""
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = True
    return endpoints.create_endpoint(ada, url="http://localhost:9/nobody")


def sent(event: str | None = None) -> list[dict[str, Any]]:
    rows = Delivery.objects.order_by("pk")
    if event is not None:
        rows = rows.filter(event=event)
    return [json.loads(row.body) for row in rows]


def test_a_new_ticket_and_its_messages_are_published(hook, alice, premium_plan, lena):
    ticket = workflow.open_ticket(
        requester_email="alice@premium.example", channel="email",
        subject="Export nocturne en échec", body="L'export échoue chaque nuit : délai dépassé.")
    [created] = sent("ticket.created")
    assert created["ticket"]["reference"] == ticket.reference
    assert created["ticket"]["subject"] == "Export nocturne en échec"
    assert created["ticket"]["url"].endswith(f"/t/{ticket.reference}")
    assert created["actor"]["type"] == "customer"
    assert created["after"]["channel"] == "email"
    workflow.add_note(ticket, lena, "Checked the job log: the timeout is at 30 minutes.")
    workflow.add_reply(ticket, lena, "Bonjour Alice, nous regardons le délai de l'export.")
    kinds = [(body["message"]["kind"], body["actor"]["username"])
             for body in sent("ticket.message_added")]
    assert kinds == [("note", "lena"), ("outbound", "lena")]
    note = sent("ticket.message_added")[0]["message"]
    assert note["text"].startswith("Checked the job log") and note["truncated"] is False


def test_status_assignee_and_resolution_carry_before_and_after(hook, bobs_ticket, lena):
    workflow.assign(bobs_ticket, lena, lena)
    workflow.change_status(bobs_ticket, lena, "resolved", reason="Token cache cleared.")
    [assigned] = sent("ticket.assignee_changed")
    assert (assigned["before"], assigned["after"]) == (None, "lena")
    statuses = [(b["before"], b["after"]) for b in sent("ticket.status_changed")]
    assert statuses == [(Status.NEW, Status.RESOLVED)]
    [resolved] = sent("ticket.resolved")
    assert resolved["detail"]["reason"] == "Token cache cleared."
    assert resolved["actor"] == {"type": "staff", "id": lena.pk, "username": "lena",
                                 "name": "Lena Level-One"}
    assert resolved["ticket"]["status"] == Status.RESOLVED


def test_an_escalation_and_an_sla_breach_are_published(hook, lenas_ticket, lena, otto):
    escalate(lenas_ticket, lena, 2, reason="Needs a look at the token service",
             tried="Cleared the cache, asked Bob to log in again")
    [escalated] = sent("ticket.escalated")
    assert (escalated["before"], escalated["after"]) == (1, 2)
    assert escalated["ticket"]["tier"] == 2
    record_event(lenas_ticket, "sla_breach", at=timezone.now(), target="first_response")
    [breach] = sent("ticket.sla_breach")
    assert breach["detail"]["target"] == "first_response" and breach["actor"] is None


def test_an_endpoint_gets_only_the_events_it_asked_for(ada, hook, bobs_ticket, lena):
    only_resolved = endpoints.create_endpoint(ada, url="https://ci.example.org/frontline",
                                              events=["ticket.resolved"])
    workflow.assign(bobs_ticket, lena, lena)
    workflow.change_status(bobs_ticket, lena, "resolved")
    assert list(Delivery.objects.filter(endpoint=only_resolved)
                .values_list("event", flat=True)) == ["ticket.resolved"]
    assert Delivery.objects.filter(endpoint=hook).count() > 1


def test_a_change_that_rolls_back_sends_nothing(hook, bobs_ticket, lena):
    before = Delivery.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.assign(bobs_ticket, lena, lena)
        raise RuntimeError("the request failed after the change")
    assert Delivery.objects.count() == before


def test_a_slow_failing_receiver_never_holds_up_a_ticket_change(
        ada, bobs_ticket, lena, receiver, settings, django_capture_on_commit_callbacks):
    settings.FRONTLINE_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.pause_seconds = 3
    receiver.answers = [500] * 5
    endpoints.create_endpoint(ada, url=receiver.url(), events=["ticket.status_changed"])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.change_status(bobs_ticket, lena, "pending_internal")
    assert time.monotonic() - started < 1
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == Status.PENDING_INTERNAL
    assert receiver.received == []
    # The worker tries, waits at most the timeout, and keeps the delivery for later.
    FrontlineWorker(batch=True, schedule=False, interval=0).run()
    [delivery] = Delivery.objects.all()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert "timed out" in delivery.last_error


def test_a_broken_endpoint_row_never_breaks_a_ticket_change(hook, bobs_ticket, lena, caplog):
    # A filter that is no list (written around the service) makes publishing fail:
    # the failure is logged, the change stands.
    Endpoint.objects.filter(pk=hook.pk).update(events=7)
    endpoints.forget_active_endpoints()  # the test's transaction remembers the endpoints
    before = Delivery.objects.count()
    workflow.change_status(bobs_ticket, lena, "pending_internal")
    assert Ticket.objects.get(pk=bobs_ticket.pk).status == Status.PENDING_INTERNAL
    assert Delivery.objects.count() == before
    assert "Could not queue the webhook event ticket.status_changed" in caplog.text


def test_an_undone_reply_is_published_as_withdrawn_to_a_real_receiver(
        ada, bobs_ticket, lena, receiver, django_capture_on_commit_callbacks):
    """The receiver that got message_added for the reply learns it never went out."""
    endpoint = endpoints.create_endpoint(
        ada, url=receiver.url(), events=["ticket.message_added", "ticket.message_withdrawn"])
    receiver.signed_by(endpoint.secret)
    text = "Leider die falsche Lizenz: bitte ignorieren Sie den Schlüssel QX-7741."
    with django_capture_on_commit_callbacks(execute=True):
        reply = workflow.add_reply(bobs_ticket, lena, text, status="pending_customer",
                                   cc=["it-team@standard.example"], undo_seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.undo_reply(bobs_ticket, lena, reply.pk,
                            at=reply.created_at + timedelta(seconds=3))
    FrontlineWorker(batch=True, schedule=False, interval=0).run()

    bodies = {request.headers["X-Frontline-Event"]: json.loads(request.body)
              for request in receiver.received}
    assert sorted(bodies) == ["ticket.message_added", "ticket.message_withdrawn"]
    assert all(request.signed for request in receiver.received)
    added, withdrawn = bodies["ticket.message_added"], bodies["ticket.message_withdrawn"]
    assert withdrawn["event"] == "ticket.message_withdrawn"
    assert withdrawn["message"]["id"] == added["message"]["id"] == reply.pk
    assert withdrawn["message"]["text"] == text and withdrawn["message"]["truncated"] is False
    assert withdrawn["actor"]["username"] == "lena"
    assert withdrawn["detail"]["to"] == ["bob@standard.example"]
    assert withdrawn["detail"]["cc"] == ["it-team@standard.example"]
    # The status the reply set went back with it: the ticket is open, not waiting.
    assert withdrawn["ticket"]["status"] == Status.OPEN
    assert withdrawn["ticket"]["reference"] == bobs_ticket.reference


def test_a_long_withdrawn_reply_is_cut_and_says_so(hook, bobs_ticket, lena):
    text = "Schritt für Schritt: " + "Zeile mit Details zum Export. " * 600
    reply = workflow.add_reply(bobs_ticket, lena, text, undo_seconds=10)
    workflow.undo_reply(bobs_ticket, lena, reply.pk, at=reply.created_at)
    [withdrawn] = sent("ticket.message_withdrawn")
    assert len(withdrawn["message"]["text"]) == 10_000
    assert withdrawn["message"]["truncated"] is True
    assert withdrawn["detail"]["status_kept"] == ""


def test_a_reply_mailed_at_once_publishes_no_withdrawal(hook, bobs_ticket, lena):
    reply = workflow.add_reply(bobs_ticket, lena, "Straight out, no window.")
    with pytest.raises(InvalidTransition):
        workflow.undo_reply(bobs_ticket, lena, reply.pk, at=reply.created_at)
    assert sent("ticket.message_withdrawn") == []
    assert len(sent("ticket.message_added")) == 1
