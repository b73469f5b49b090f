"""Warnings and breaches: the scan over sla_check_at, with controlled time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.worker import FrontlineWorker
from frontline.notifications.models import Notification
from frontline.sla.models import SlaMeasurement
from frontline.tickets.models import Priority, Ticket
from frontline.workflow import promises
from tests.factories import set_clock
from tests.sla.conftest import berlin

MINUTE = timedelta(minutes=1)


@pytest.fixture
def unanswered(alice, lena, ada, frontdesk, premium_policy) -> Ticket:
    """Alice's ticket, arrived at 10:00, assigned to Lena on the Frontdesk (led by Ada)."""
    frontdesk.lead = ada
    frontdesk.save()
    at = berlin(2025, 3, 10, 10, 0)
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Nightly export fails", body="Timeout again.", at=at)
    workflow.set_team(ticket, ada, "Frontdesk", at=at)
    workflow.assign(ticket, ada, "lena", at=at)
    return Ticket.objects.get(pk=ticket.pk)


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.filter(kind__startswith="sla_").values_list("kind", flat=True))


def test_an_unanswered_ticket_is_warned_at_75_percent_then_breached_with_its_actions(
        unanswered, lena, ada):
    start = unanswered.created_at
    assert promises.scan_due(start + 89 * MINUTE)["checked"] == 0

    counts = promises.scan_due(start + 90 * MINUTE)
    assert counts == {"checked": 1, "warnings": 1, "breaches": 0}
    unanswered.refresh_from_db()
    assert kinds(unanswered) == ["sla_warning"]
    warning = unanswered.events.get(kind="sla_warning")
    assert warning.detail["target"] == "first_response"
    assert warning.detail["due"] == (start + 120 * MINUTE).isoformat()
    told = Notification.objects.filter(kind="sla_warning")
    assert sorted(n.user.username for n in told) == ["ada", "lena"]
    assert "honest update" in told.first().text
    assert unanswered.clock.sla_check_at == start + 120 * MINUTE
    # Nothing new a minute later: the warning is not repeated.
    assert promises.scan_due(start + 91 * MINUTE)["checked"] == 0

    counts = promises.scan_due(start + 120 * MINUTE)
    assert counts["breaches"] == 1
    unanswered.refresh_from_db()
    assert kinds(unanswered) == ["sla_warning", "sla_breach"]
    # The policy's actions: priority up one step, to tier 2, people told.
    assert unanswered.priority == Priority.HIGH
    assert unanswered.tier == 2
    assert unanswered.events.filter(kind="priority_changed", after="high").exists()
    assert unanswered.events.filter(kind="escalated", after=2).exists()
    assert sorted(Notification.objects.filter(kind="sla_breach")
                  .values_list("user__username", flat=True)) == ["ada", "lena"]
    breach = SlaMeasurement.objects.get(ticket=unanswered)
    assert (breach.target, breach.breached_at, breach.met_at) == (
        "first_response", start + 120 * MINUTE, None)
    # The scan moves on to the next moment: the resolution warning at 18 h.
    assert unanswered.clock.sla_check_at == start + timedelta(hours=18)

    # The late answer completes the breached measurement rather than adding one.
    workflow.add_reply(unanswered, lena, "Sorry for the wait.", at=start + 150 * MINUTE)
    breach.refresh_from_db()
    assert breach.met_at == start + 150 * MINUTE
    assert SlaMeasurement.objects.filter(ticket=unanswered).count() == 1


def test_a_reply_before_the_warning_leaves_nothing_to_warn(unanswered, lena):
    start = unanswered.created_at
    workflow.add_reply(unanswered, lena, "On it.", at=start + 30 * MINUTE)
    assert promises.scan_due(start + 100 * MINUTE)["checked"] == 0
    assert kinds(unanswered) == []


def test_a_paused_ticket_is_never_breached(unanswered, lena):
    start = unanswered.created_at
    workflow.add_reply(unanswered, lena, "Which version?", status="pending_customer",
                       at=start + 10 * MINUTE)
    assert promises.scan_due(start + timedelta(days=3))["breaches"] == 0
    assert kinds(unanswered) == ["sla_paused"]


def test_the_scan_rechecks_under_the_lock(unanswered, lena):
    """A ticket found by the query but answered before its lock is taken is left alone."""
    start = unanswered.created_at
    set_clock(unanswered, sla_check_at=start + 200 * MINUTE)
    assert promises.scan_due(start + 120 * MINUTE)["checked"] == 0


def test_the_worker_runs_the_scan(alice, lena, premium_policy):
    """Through the worker's own scheduler tick: a ticket already past its due time."""
    long_ago = timezone.now() - timedelta(hours=3)
    ticket = workflow.open_ticket(requester_email="alice@premium.example", subject="Down",
                                  body="Everything is down.", at=long_ago)

    FrontlineWorker(batch=True, interval=0).run()

    assert kinds(ticket) == ["sla_breach"]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL,
                                       task_path="frontline.workflow.tasks.scan_due").count() == 1


def test_a_breach_found_long_after_its_due_time_is_recorded_but_not_acted_on(
        unanswered, settings):
    """SLAs switched on over a backlog: old breaches count in the reports, but
    nobody's priorities jump and nobody is paged for them."""
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 24
    start = unanswered.created_at
    counts = promises.scan_due(start + timedelta(days=3))
    assert counts["breaches"] >= 1
    unanswered.refresh_from_db()
    assert unanswered.priority == Priority.NORMAL and unanswered.tier == 1
    assert not Notification.objects.filter(kind="sla_breach").exists()
    breach = unanswered.events.filter(kind="sla_breach").first()
    assert breach is not None and breach.detail.get("found_late") is True
    assert SlaMeasurement.objects.filter(ticket=unanswered, breached_at__isnull=False).exists()
