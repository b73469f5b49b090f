"""The scan checks a batch of due tickets together (frontline.workflow.promises.check_tickets):
the same records as checking them one by one, in a number of statements that does not
grow with the batch."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.notifications.models import Notification
from frontline.routing.models import Team
from frontline.sla.models import SlaMeasurement
from frontline.tickets.models import Event, Ticket
from frontline.webhooks.models import Delivery, Endpoint
from frontline.workflow import promises
from tests.sla.conftest import berlin

MINUTE = timedelta(minutes=1)
NOW = berlin(2025, 3, 12, 15, 0)

# (requester, minutes before NOW it arrived, subject, team, assignee): premium tickets
# inside the warning (90 min of 120), freshly breached (their actions run) and found
# days late; standard ones on the Berlin office calendar, warned and breached.
STORIES: list[tuple[str, int, str, str | None, str | None]] = [
    ("alice@premium.example", 100, "Nightly export fails again", "Frontdesk", "lena"),
    ("alice@premium.example", 125, "Exportación nocturna: tiempo de espera agotado",
     "Frontdesk", None),
    ("alice@premium.example", 150, "Синхронизация не работает с утра",  # noqa: RUF001
     None, None),
    ("alice@premium.example", 3 * 24 * 60, "Rapport mensuel vide depuis la mise à jour",
     "Frontdesk", "lena"),
    ("bob@standard.example", 7 * 60, "Login page says 'invalid token' after upgrade 4.2",
     "Frontdesk", "lena"),
    ("bob@standard.example", 26 * 60, "Passwort-Zurücksetzen schickt keine Mail", None, None),
    ("bob@standard.example", 55, "短信验证码收不到", "Frontdesk", None),
    ("alice@premium.example", 9 * 24 * 60, "CSV import drops the last row " + "x" * 200,
     None, "lena"),
]


@pytest.fixture
def due_tickets(alice, bob, lena, ada, otto, frontdesk, premium_policy, standard_policy,
                ) -> list[Ticket]:
    """The stories above, opened at their moments, with a webhook endpoint listening."""
    frontdesk.lead = ada
    frontdesk.save()
    Team.objects.filter(name="Specialists").update(lead=otto)
    Endpoint.objects.create(url="https://hooks.example/sla", secret="s3cret",
                            created_at=NOW - timedelta(days=30),
                            updated_at=NOW - timedelta(days=30))
    tickets = []
    for email, minutes_ago, subject, team, assignee in STORIES:
        at = NOW - minutes_ago * MINUTE
        ticket = workflow.open_ticket(requester_email=email, subject=subject,
                                      body=f"{subject}.\n\nSeit heute / since today.", at=at)
        if team:
            workflow.set_team(ticket, ada, team, at=at)
        if assignee:
            workflow.assign(ticket, ada, assignee, at=at)
        tickets.append(ticket)
    return tickets


def _record(tickets: list[Ticket], since_event: int, since_notification: int,
            since_delivery: int) -> dict[str, Any]:
    """Everything the checks wrote, ids of rows left out (a rolled-back run on
    PostgreSQL does not give its sequence numbers back)."""
    ids = [ticket.pk for ticket in tickets]

    def plain(detail: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in detail.items() if key != "escalation_decision"}

    return {
        "events": [(e.ticket_id, e.kind, e.actor_id, e.at, e.before, e.after, plain(e.detail))
                   for e in Event.objects.filter(ticket_id__in=ids, pk__gt=since_event)
                   .order_by("ticket_id", "pk")],
        "measurements": list(SlaMeasurement.objects.filter(ticket_id__in=ids)
                             .order_by("ticket_id", "target").values_list(
            "ticket_id", "target", "policy_id", "plan_id", "team_id", "priority", "formal",
            "started_at", "due_at", "breached_at", "met_at")),
        "notifications": list(Notification.objects.filter(pk__gt=since_notification)
                              .order_by("ticket_id", "user_id", "kind", "text")
                              .values_list("ticket_id", "user_id", "kind", "text",
                                           "created_at")),
        "webhooks": sorted((event, json.dumps(
            {**body, "detail": plain(body.get("detail") or {})}, sort_keys=True))
            for event, body in ((event, json.loads(text)) for event, text in
                                Delivery.objects.filter(pk__gt=since_delivery)
                                .values_list("event", "body"))),
        "tickets": list(Ticket.objects.filter(pk__in=ids).order_by("pk").values_list(
            "pk", "priority", "tier", "team_id", "assignee_id", "updated_at",
            "clock__first_response_due", "clock__next_response_due", "clock__resolution_due",
            "clock__sla_due", "clock__sla_check_at", "clock__sla_paused_at",
            "clock__sla_warned", "clock__sla_breached")),
    }


def _high_water() -> tuple[int, int, int]:
    return tuple(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                 for model in (Event, Notification, Delivery))  # type: ignore[return-value]


def _one_by_one(tickets: list[Ticket], now: datetime) -> tuple[int, int]:
    warnings = breaches = 0
    for ticket in tickets:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            found = promises.check_ticket(locked, now)
        warnings, breaches = warnings + found[0], breaches + found[1]
    return warnings, breaches


def _in_one_batch(tickets: list[Ticket], now: datetime) -> tuple[int, int]:
    with transaction.atomic():
        locked = list(Ticket.objects.select_for_update(of=("self",))
                      .filter(pk__in=[t.pk for t in tickets])
                      .select_related("assignee", "team__lead").order_by("pk"))
        return promises.check_tickets(locked, now)


def test_a_batch_records_exactly_what_one_by_one_records(due_tickets, settings):
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 24
    marks = _high_water()
    undo = transaction.savepoint()
    alone = _one_by_one(due_tickets, NOW)
    one_by_one = _record(due_tickets, *marks)
    transaction.savepoint_rollback(undo)
    assert not Event.objects.filter(pk__gt=marks[0]).exists()

    together = _in_one_batch(due_tickets, NOW)
    batch = _record(due_tickets, *marks)

    assert together == alone
    for part in ("events", "measurements", "notifications", "webhooks", "tickets"):
        assert batch[part] == one_by_one[part], part
    # The stories really did warn, breach and act (else the comparison proves little).
    kinds = [event[1] for event in batch["events"]]
    assert kinds.count("sla_warning") >= 2 and kinds.count("sla_breach") >= 5
    assert {"priority_changed", "escalated"} <= set(kinds)
    assert {row[2] for row in batch["notifications"]} >= {"sla_warning", "sla_breach",
                                                          "escalated"}
    assert {row[0] for row in batch["webhooks"]} >= {"ticket.sla_warning", "ticket.sla_breach",
                                                     "ticket.escalated"}
    late = [event for event in batch["events"] if event[6].get("found_late")]
    assert late and all(event[1] == "sla_breach" for event in late)


def test_the_scan_takes_the_batch_path_and_moves_every_ticket_on(due_tickets, settings):
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 24
    due = Ticket.objects.filter(clock__sla_check_at__lte=NOW).count()
    assert due >= len(STORIES) - 2
    counts = promises.scan_due(NOW)
    assert counts["checked"] >= due and counts["breaches"] >= 5
    assert not Ticket.objects.filter(pk__in=[t.pk for t in due_tickets],
                                     clock__sla_check_at__lte=NOW).exists()
    assert promises.scan_due(NOW) == {"checked": 0, "warnings": 0, "breaches": 0}


def _statements(count: int, alice: Any) -> int:
    """Statements the scan runs over `count` premium tickets breached days ago
    (recorded, not acted on: the bulk of a backlog)."""
    long_ago = timezone.now() - timedelta(days=4)
    for n in range(count):
        workflow.open_ticket(requester_email="alice@premium.example",
                             subject=f"Backlog #{n}: {'slow ' * (n % 5)}reports",
                             body="Still waiting." * (n + 1), at=long_ago + n * MINUTE)
    with CaptureQueriesContext(connection) as queries:
        counts = promises.scan_due(timezone.now())
    assert counts["checked"] == count and counts["breaches"] >= count
    return len(queries)


def test_the_scans_statements_do_not_grow_with_the_backlog(alice, premium_policy):
    small = _statements(3, alice)
    Ticket.objects.all().delete()
    large = _statements(17, alice)
    assert large == small


def test_a_ticket_that_cannot_be_checked_does_not_hold_up_the_others(due_tickets, settings,
                                                                      monkeypatch, caplog):
    """A fault injected into one ticket's breach actions (a bug, bad data): its batch
    is checked again ticket by ticket, every other ticket moves on, the broken one is
    left due (and named in the log) for the next run, and the scan ends."""
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 24
    # Premium, breached 5 minutes ago: its policy's actions run.
    broken = next(t for t in due_tickets if t.subject.startswith("Exportación"))
    real_actions = promises.run_breach_actions

    def failing_for_one(ticket, policy, now):
        if ticket.pk == broken.pk:
            raise RuntimeError("a policy pointing at nothing")
        return real_actions(ticket, policy, now)

    monkeypatch.setattr(promises, "run_breach_actions", failing_for_one)
    due = set(Ticket.objects.filter(clock__sla_check_at__lte=NOW).values_list("pk", flat=True))
    assert broken.pk in due

    counts = promises.scan_due(NOW)

    still_due = set(Ticket.objects.filter(clock__sla_check_at__lte=NOW)
                    .values_list("pk", flat=True))
    assert still_due == {broken.pk}
    assert counts["checked"] == len(due) - 1 and counts["breaches"] >= 4
    assert f"ticket {broken.pk} could not be checked" in caplog.text
    # Its breach was rolled back with it: recorded once, when it can be.
    assert not Event.objects.filter(ticket=broken, kind="sla_breach").exists()
    monkeypatch.setattr(promises, "run_breach_actions", real_actions)
    assert promises.scan_due(NOW)["checked"] == 1
    assert Event.objects.filter(ticket=broken, kind="sla_breach").exists()


def test_a_backlog_is_shared_once_and_a_short_scan_is_not(due_tickets, settings):
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 24
    due = Ticket.objects.filter(clock__sla_check_at__lte=NOW).count()
    assert due >= 4
    shared: list[str] = []
    # What fits one batch asks for nobody.
    undo = transaction.savepoint()
    counts = promises.scan_due(NOW, batch=due, spread=lambda: shared.append("one batch"))
    assert counts["checked"] == due and shared == []
    transaction.savepoint_rollback(undo)
    # Batches of 2: more than one batch is due, so the scan asks for help, once.
    counts = promises.scan_due(NOW, batch=2, spread=lambda: shared.append("backlog"))
    assert shared == ["backlog"]
    assert counts["checked"] == due


def test_the_periodic_scan_queues_a_share_for_each_other_live_worker(db, settings):
    from django_tasks_db.models import DBTaskResult

    from frontline.core.models import WorkerHeartbeat
    from frontline.workflow import tasks

    now = timezone.now()
    for name, seen in (("w-1", now), ("w-2", now - timedelta(seconds=5)),
                       ("w-3", now - timedelta(hours=2))):  # the last one is gone
        WorkerHeartbeat.objects.create(worker_id=name, started_at=now - timedelta(days=1),
                                       seen_at=seen, host="box", pid=1)
    tasks._share_scan()
    shares = DBTaskResult.objects.filter(task_path="frontline.workflow.tasks.scan_due_share")
    assert shares.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite runs one writing transaction at a time")
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_claim_different_tickets(due_tickets):
    """While one scan holds its batch, a second (another worker, its own connection)
    claims the next tickets due, not the same ones."""
    import threading

    from django.db import connections

    from frontline.sla import services as sla_services

    held = threading.Event()
    release = threading.Event()
    first: list[int] = []

    def first_scan() -> None:
        try:
            with transaction.atomic():
                first.extend(sla_services.due_ticket_ids(NOW, 3, claim=True))
                held.set()
                release.wait(10)
        finally:
            held.set()
            connections.close_all()

    thread = threading.Thread(target=first_scan)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            second = sla_services.due_ticket_ids(NOW, 3, claim=True)
        unclaimed = sla_services.due_ticket_ids(NOW, 100)
    finally:
        release.set()
        thread.join(10)
    assert len(first) == 3 and second
    assert not set(first) & set(second)
    assert second == [pk for pk in unclaimed if pk not in first][:3]
