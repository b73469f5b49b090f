"""Live mail waiting in the worker's queue is processed in batches (mail/batch.py,
`process_stored`; issue 11, part 3) with the outcome one mail at a time gives:
the same tickets, messages, facts, questions asked, participants, events and
acknowledgements; dated when processed, as live mail is; heard by the webhooks."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.core.errors import NotFound
from frontline.customers.models import Product
from frontline.intake import questions
from frontline.intake.models import PendingReading, TicketFact
from frontline.mail import batch, services
from frontline.mail.models import InboundMail, InboundSource, InboundState, OutboundMail
from frontline.mail.store import accept_raw
from frontline.tickets.models import Event, Message, Participant, Status, Ticket
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category
from frontline.webhooks import endpoints
from frontline.webhooks.models import Delivery
from tests.mail.inbound_mails import compose
from tests.worker_claims import claims_while_working

SUPPORT = "support@frontline.localhost"
QUESTIONS = [
    {"key": "product", "text": "Which of our products is it?", "type": "choice",
     "choices": ["Ledger", "Payroll"], "required": True,
     "why": "Each product has its own team."},
    {"key": "database", "text": "Which database runs it?", "type": "choice",
     "choices": ["PostgreSQL", "Oracle", "SQL Server"], "required": True,
     "why": "Many faults depend on the database."},
    {"key": "impact", "text": "Who is affected?", "type": "choice",
     "choices": ["Only me", "A team", "Everyone"], "required": True,
     "why": "It sets the urgency.",
     "keywords": {"Everyone": ["all users", "todos los usuarios"], "Only me": ["only me"]}},
]


@pytest.fixture
def asked(ada: Any, ledger: Product) -> Category:
    standard = Category.objects.get(slug=STANDARD_CATEGORY)
    questions.write_draft(ada, standard, QUESTIONS)
    questions.publish(ada, standard)
    return standard


def backlog(run: str) -> list[bytes]:
    """One busy minute's live mail; `run` keeps two copies of it apart (their
    senders, domains and Message-IDs), so both can land in one database."""
    def mid(number: int) -> str:
        return f"live-{number}.{run}@mail.example"

    def at(domain: str) -> str:
        return f"{domain.split('.')[0]}-{run}.example"

    return [compose(sender=f"Mara Quist <mara@{at('quist.example')}>", subject="Export bricht ab",
                    body="Seit gestern bricht der Export in Ledger ab. Wir nutzen Oracle.",
                    message_id=mid(1), date="Tue, 02 Apr 2019 08:00:00 +0200"),
            compose(sender=f"tomas@{at('ruiz.example')}", subject="Factura duplicada",
                    body="Nos cobraron dos veces; afecta a todos los usuarios.\n" * 4,
                    cc=f"Lucía Ruiz <lucia@{at('ruiz.example')}>, {SUPPORT}",
                    message_id=mid(2)),
            compose(sender=f"Kenji Sato <kenji@{at('sato.example')}>",
                    subject="ログインできません", body="Payroll のログインが失敗します。",
                    html="<p>Payroll の<b>ログイン</b>が失敗します。</p>", message_id=mid(3),
                    attachments=[("screen.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"7" * 90)]),
            compose(sender=f"Mara Quist <mara@{at('quist.example')}>",
                    subject="Re: Export bricht ab", message_id=mid(4), in_reply_to=mid(1),
                    body="Nachtrag: PostgreSQL auf dem Testsystem, dort geht es."),
            compose(sender=f"Aoife Byrne <aoife@{at('byrne.example')}>", subject="Out of office",
                    body="Away until Monday.", message_id=mid(5),
                    headers={"Auto-Submitted": "auto-replied"}),
            compose(sender=f"Priya Nair <priya@{at('nair.example')}>",
                    subject="API 502 on large reports", message_id=mid(6),
                    body="Ledger answers 502 for reports over 10,000 rows; only me so far."),
            ]


def live(run: str) -> list[InboundMail]:
    return [accept_raw(raw, source=InboundSource.LMTP, process=False).inbound
            for raw in backlog(run)]


def outcome(stored: list[InboundMail]) -> list[dict[str, Any]]:
    """What became of each mail, in words that do not depend on ids or the run."""
    described = []
    for row in stored:
        inbound = InboundMail.objects.get(pk=row.pk)
        ticket = inbound.ticket
        if ticket is None:
            described.append({"state": inbound.state})
            continue
        acks = OutboundMail.objects.filter(ticket=ticket, automatic=True)
        described.append({
            "state": inbound.state,
            "opened": Message.objects.filter(ticket=ticket).order_by("pk").first()
            == inbound.message,
            "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
            "team": ticket.team_id, "due set": ticket.clock.sla_due is not None,
            "messages": ticket.messages.filter(kind="inbound").count(),
            "facts": {fact.key: fact.value for fact in TicketFact.objects.filter(ticket=ticket)},
            "events": Counter(Event.objects.filter(ticket=ticket)
                              .values_list("kind", flat=True)),
            "participants": sorted(part.contact.name for part in
                                   Participant.objects.filter(ticket=ticket)),
            "attachments": sorted(ticket.messages.values_list("attachments__filename",
                                                              flat=True).exclude(
                attachments__filename=None)),
            "acknowledged": acks.count(),
        })
    return described


def test_a_batch_of_live_mail_ends_as_one_mail_at_a_time_ends(
        asked, django_capture_on_commit_callbacks):
    one_by_one = live("single")
    with django_capture_on_commit_callbacks(execute=True):
        for inbound in one_by_one:
            services.process_inbound(inbound.pk)
    batched = live("batch")
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        done = batch.process_stored([inbound.pk for inbound in batched])
    assert sorted(done) == sorted(inbound.pk for inbound in batched)

    expected = outcome(one_by_one)
    assert outcome(batched) == expected
    # The example is read as it should be: facts from the text at once (the
    # acknowledgement asked only for the rest), not queued for later; the reply's
    # database replaces the first mail's.
    assert expected[0]["facts"] == {"product": "Ledger", "database": "PostgreSQL"}
    assert expected[1]["facts"] == {"impact": "Everyone"}
    assert [item["state"] for item in expected] == [InboundState.PROCESSED] * 4 + [
        InboundState.IGNORED, InboundState.PROCESSED]
    assert expected[3]["opened"] is False and expected[3]["messages"] == 2
    assert expected[1]["participants"] == ["Lucía Ruiz"]
    assert not PendingReading.objects.exists()
    # Live mail is dated when it is processed, not by its Date header (2019).
    first = Message.objects.get(email_message_id="live-1.batch@mail.example")
    assert first.created_at >= started - timedelta(seconds=1)
    # New tickets are queued for detection and their acknowledgements for delivery,
    # once the batch commits.
    assert len(queued) >= 4


def test_the_worker_takes_the_waiting_live_mail_as_one_batch(asked,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = [accept_raw(raw, source=InboundSource.LMTP).inbound
                  for raw in backlog("worker")]
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        assert claims_while_working() == ["process_inbound_task"]
    states = [InboundMail.objects.get(pk=inbound.pk).state for inbound in stored]
    assert states.count(InboundState.PROCESSED) == 5
    # The contacts, quoted messages and tickets of the six mails were each read once
    # for the batch: far fewer statements than six mails one at a time cost.
    tickets = Ticket.objects.filter(requester__emails__address__endswith="-worker.example")
    assert tickets.count() == 4
    assert len(queries) < 6 * 60


def test_what_the_batch_writes_is_heard_by_the_webhooks(asked, ada, settings):
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = True
    endpoints.create_endpoint(ada, url="http://localhost:9/nobody")
    stored = live("hooks")
    batch.process_stored([inbound.pk for inbound in stored])
    bodies = [json.loads(row.body) for row in Delivery.objects.order_by("pk")]
    created = [body["ticket"]["subject"] for body in bodies if body["event"] == "ticket.created"]
    assert sorted(created) == sorted(["Export bricht ab", "Factura duplicada", "ログインできません",
                                      "API 502 on large reports"])
    added = [body for body in bodies if body["event"] == "ticket.message_added"]
    assert [body["message"]["text"][:9] for body in added] == ["Nachtrag:"]


def test_a_reply_that_reopens_goes_one_at_a_time_within_the_batch(asked, lena):
    [original] = live("reopen")[:1]
    services.process_inbound(original.pk)
    ticket = InboundMail.objects.get(pk=original.pk).ticket
    workflow.change_status(ticket, lena, "resolved")
    later = [accept_raw(compose(sender="Mara Quist <mara@quist-reopen.example>",
                                subject="Re: Export bricht ab",
                                in_reply_to="live-1.reopen@mail.example",
                                body="Leider wieder kaputt.",
                                message_id="again.reopen@mail.example"),
                        source=InboundSource.LMTP, process=False).inbound,
             accept_raw(compose(sender="zoe@fresh-reopen.example", subject="Neue Frage",
                                body="Wie exportiere ich nach CSV?"),
                        source=InboundSource.LMTP, process=False).inbound]
    batch.process_stored([inbound.pk for inbound in later])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.filter(kind="inbound").count() == 2
    assert Ticket.objects.filter(subject="Neue Frage").count() == 1
    assert all(InboundMail.objects.get(pk=row.pk).state == InboundState.PROCESSED
               for row in later)


def test_a_mail_that_is_gone_is_left_to_process_inbound(asked):
    stored = live("gone")[:2]
    missing = max(InboundMail.objects.values_list("pk", flat=True)) + 100
    done = batch.process_stored([stored[0].pk, missing, stored[1].pk])
    assert sorted(done) == sorted(inbound.pk for inbound in stored)
    assert {row.state for row in done.values()} == {InboundState.PROCESSED}
    with pytest.raises(NotFound):
        services.process_inbound(missing)
