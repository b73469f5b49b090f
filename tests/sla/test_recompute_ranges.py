"""A large plan, policy or contract change commits at once and leaves its tickets' due
times to range tasks the workers run (frontline.sla.recompute); a small one recomputes
them in the request, as before. The chunk is lowered so a handful of tickets is
"large"."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from frontline import workflow
from frontline.core.models import ApiToken
from frontline.core.worker import FrontlineWorker
from frontline.sla import plans, policies, recompute
from frontline.sla.models import RecomputeRange, SlaPolicy
from frontline.tickets.models import Ticket
from tests.conftest import PASSWORD

RANGE_TASK = "frontline.sla.tasks.recompute_range"
SUBJECTS = ("Export stalls at 99 %", "Login loops back to the start page",
            "Rechnung doppelt gebucht", "Webhook fires twice", "Dashboard blank on Safari",
            "Import refuses UTF-16 file", "Sync misses Sunday's orders",
            "Le rapport mensuel est vide", "SSO redirects to the wrong tenant",
            "API returns 502 under load", "Search ignores accents")


def run_worker() -> None:
    FrontlineWorker(batch=True, schedule=False, interval=0).run()


def first_due(ticket: Ticket) -> datetime | None:
    return Ticket.objects.select_related("clock").get(pk=ticket.pk).clock.first_response_due


def clocks(tickets: list[Ticket]) -> dict[int, tuple[object, ...]]:
    rows = Ticket.objects.select_related("clock").filter(pk__in=[t.pk for t in tickets])
    return {t.pk: (t.clock.plan_id, t.clock.sla_policy_id, t.clock.first_response_due,
                   t.clock.next_response_due, t.clock.resolution_due, t.clock.sla_due)
            for t in rows}


@pytest.fixture
def desk(alice, bob, premium_policy, standard_policy, lena):
    """Eleven unanswered Premium tickets (Globex), two of them resolved, and four
    Standard ones (Initech), opened at varied moments of the last two days."""
    now = timezone.now()
    premium = [workflow.open_ticket(requester_email="alice@premium.example", subject=subject,
                                    body=f"{subject}. Since this morning.", channel="email",
                                    at=now - timedelta(minutes=17 + 131 * i))
               for i, subject in enumerate(SUBJECTS)]
    standard = [workflow.open_ticket(requester_email="bob@standard.example",
                                     subject=f"Standard question {i}", body="Where is it?",
                                     at=now - timedelta(minutes=43 + 97 * i))
                for i in range(4)]
    done = premium[3:5]
    for ticket in done:
        workflow.change_status(ticket, lena, "resolved")
    active = [t for t in premium if t not in done]
    return {"active": active, "resolved": done, "standard": standard}


@pytest.fixture
def small_chunks(settings):
    settings.FRONTLINE_SLA_RECOMPUTE_CHUNK = 3


def test_a_large_policy_change_is_left_to_range_tasks_that_make_every_clock_right(
        ada, desk, premium_policy, small_chunks, django_capture_on_commit_callbacks):
    before = {t.pk: first_due(t) for t in desk["active"]}
    untouched = clocks(desk["standard"] + desk["resolved"])

    with django_capture_on_commit_callbacks(execute=True):
        policies.update_policy(ada, premium_policy, first_response_minutes=45)

    # Committed without recomputing: the nine open Premium tickets wait for the workers.
    assert {t.pk: first_due(t) for t in desk["active"]} == before
    ranges = list(RecomputeRange.objects.order_by("after_id"))
    assert len(ranges) == 3
    assert [r.tickets for r in ranges] == [3, 3, 3]
    assert ranges[0].after_id == 0 and ranges[-1].last_id == max(t.pk for t in desk["active"])
    assert all(a.last_id == b.after_id for a, b in pairwise(ranges))
    queued = DBTaskResult.objects.filter(task_path=RANGE_TASK)
    assert sorted(row.args_kwargs["args"][0] for row in queued) == [r.pk for r in ranges]
    assert recompute.describe_left().startswith("Recomputing the promises of 9 open tickets")

    run_worker()

    for ticket in desk["active"]:
        assert first_due(ticket) == ticket.created_at + timedelta(minutes=45), ticket.subject
    assert clocks(desk["standard"] + desk["resolved"]) == untouched
    assert set(queued.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert sum(queued.values_list("return_value", flat=True)) == 9
    assert recompute.left().ranges == 0 and recompute.describe_left() == ""


def test_a_small_change_recomputes_in_the_request(ada, desk, premium_policy, settings,
                                                  django_capture_on_commit_callbacks):
    settings.FRONTLINE_SLA_RECOMPUTE_CHUNK = 9  # exactly the nine open Premium tickets
    with django_capture_on_commit_callbacks(execute=True):
        policies.update_policy(ada, premium_policy, first_response_minutes=75)

    for ticket in desk["active"]:
        assert first_due(ticket) == ticket.created_at + timedelta(minutes=75)
    assert not RecomputeRange.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=RANGE_TASK).exists()


def test_the_last_change_wins_whatever_order_the_ranges_run_in(
        ada, desk, premium_policy, small_chunks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policies.update_policy(ada, premium_policy, first_response_minutes=45)
        policies.update_policy(ada, premium_policy, first_response_minutes=20)
    ids = list(RecomputeRange.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 6

    # The later change's ranges first, then the earlier change's: each reads the
    # policy as it is when it runs.
    for range_id in reversed(ids):
        recompute.run_range(range_id)

    for ticket in desk["active"]:
        assert first_due(ticket) == ticket.created_at + timedelta(minutes=20)


def test_a_range_run_again_after_a_lost_worker_changes_nothing(
        ada, desk, premium_policy, small_chunks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policies.update_policy(ada, premium_policy, first_response_minutes=50)
    first = RecomputeRange.objects.order_by("after_id").first()
    assert first is not None
    assert recompute.run_range(first.pk) == 3
    after = clocks(desk["active"])

    # The task ran twice (its worker died before recording it): skipped.
    assert recompute.run_range(first.pk) == 0
    # Its row not marked done (the worker died mid-range): the range runs again and
    # finds every clock already right.
    RecomputeRange.objects.filter(pk=first.pk).update(done_at=None)
    assert recompute.run_range(first.pk) == 0
    assert clocks(desk["active"]) == after


def test_a_large_contract_change_moves_the_organizations_tickets_by_range(
        ada, desk, initech, premium_policy, settings, django_capture_on_commit_callbacks):
    """Initech moves to Premium: its four open tickets, in two ranges."""
    settings.FRONTLINE_SLA_RECOMPUTE_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=True):
        plans.set_organization_plan(ada, initech, plan="premium")
    assert RecomputeRange.objects.count() == 2
    assert all(first_due(t) != t.created_at + timedelta(hours=2) for t in desk["standard"])

    run_worker()

    for ticket in desk["standard"]:
        ticket.refresh_from_db()
        assert ticket.clock.plan_id == premium_policy.plan_id
        assert first_due(ticket) == ticket.created_at + timedelta(hours=2)


def test_the_settings_pages_and_the_api_say_what_is_left(
        client, ada, desk, premium_policy, small_chunks, django_capture_on_commit_callbacks):
    assert client.login(username="ada", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/settings/policies/{premium_policy.pk}", {
            "plan": str(premium_policy.plan_id), "priority": "",
            "first_response_minutes": "40m", "next_response_minutes": "4h",
            "resolution_minutes": "24h", "formal": "on", "warn_percent": "75"}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200, html
    assert "Recomputing the promises of 9 open tickets" in html
    _, key = ApiToken.issue(ada, name="tests")
    left = client.get("/api/v1/sla-recompute", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert (left["tickets_left"], left["ranges_left"]) == (9, 3)
    assert left["message"].startswith("Recomputing the promises of 9 open tickets")

    run_worker()

    html = client.get(f"/settings/plans/{premium_policy.plan_id}").content.decode()
    assert "Recomputing the promises" not in html
    left = client.get("/api/v1/sla-recompute", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert left == {"tickets_left": 0, "ranges_left": 0, "queued_since": None, "message": ""}
    assert first_due(desk["active"][0]) == desk["active"][0].created_at + timedelta(minutes=40)
    assert SlaPolicy.objects.get(pk=premium_policy.pk).first_response_minutes == 40


def test_a_range_overtaken_by_a_later_change_runs_again(
        ada, desk, premium_policy, small_chunks, django_capture_on_commit_callbacks):
    """Two workers: a later change's range over the same tickets started after this
    one did, so it may have written first; this one runs its range again (at most
    MAX_RUNS times), with the configuration as it is then."""
    with django_capture_on_commit_callbacks(execute=True):
        policies.update_policy(ada, premium_policy, first_response_minutes=45)
        policies.update_policy(ada, premium_policy, first_response_minutes=20)
    earlier, later = (RecomputeRange.objects.filter(after_id=0).order_by("queued_at"))
    elsewhere = RecomputeRange.objects.exclude(pk__in=[earlier.pk, later.pk]).filter(
        queued_at=later.queued_at).order_by("after_id").last()
    assert elsewhere is not None

    def runs(range_id: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            recompute.run_range(range_id)
        return sum('SET "started_at"' in query["sql"] for query in queries.captured_queries)

    # A later range over other ids started "after" (its clock ahead): no rerun.
    RecomputeRange.objects.filter(pk=elsewhere.pk).update(
        started_at=timezone.now() + timedelta(hours=1))
    assert runs(earlier.pk) == 1
    RecomputeRange.objects.filter(pk=earlier.pk).update(done_at=None)
    # The later range over the same ids started after this run began: it runs again.
    RecomputeRange.objects.filter(pk=later.pk).update(
        started_at=timezone.now() + timedelta(hours=1))
    assert runs(earlier.pk) == recompute.MAX_RUNS
    assert RecomputeRange.objects.get(pk=earlier.pk).done_at is not None
    first_three = sorted(desk["active"], key=lambda t: t.pk)[:3]
    for ticket in first_three:
        assert first_due(ticket) == ticket.created_at + timedelta(minutes=20)
