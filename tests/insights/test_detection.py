"""Recurring-problem detection on a simulated customer base (tests/insights/customer_base.py)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import timedelta

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from frontline import cli, workflow
from frontline.core.models import User
from frontline.insights import detection
from frontline.insights.models import Alert, AlertStatus, AlertTicket, TicketSignature
from frontline.notifications.models import Notification
from frontline.workflow import problems as problem_flow
from tests.insights.customer_base import CustomerBase, customer_base

DAY = timedelta(days=1)


@pytest.fixture
def base(db: None, ada: User) -> CustomerBase:
    """Eight organizations and 60 background tickets over the last three weeks, detected."""
    found = customer_base()
    found.noise(60, start=found.now - 21 * DAY, days=20)
    detection.run(limit=None)
    return found


def test_the_third_ticket_from_the_third_organization_raises_the_alert(base: CustomerBase,
                                                                       ada: User) -> None:
    now = base.now
    first = base.problem(0, base.contact(0), now - 3 * DAY)
    detection.run()
    second = base.problem(1, base.contact(1), now - 2 * DAY)
    detection.run()
    assert not Alert.objects.exists()
    third = base.problem(2, base.contact(2), now - DAY)
    result = detection.run()

    assert len(result.raised) == 1
    alert = result.raised[0]
    assert set(AlertTicket.objects.filter(alert=alert).values_list("ticket_id", flat=True)) == {
        first.pk, second.pk, third.pk}
    assert alert.status == AlertStatus.OPEN
    assert alert.raised_at == third.created_at
    assert "ORA-01722" in alert.title and "ORA-01722" in alert.terms
    note = Notification.objects.get(user=ada, kind="alert_raised")
    assert "ORA-01722" in note.text and note.ticket_id == third.pk


def test_three_tickets_from_one_organization_raise_nothing(base: CustomerBase) -> None:
    for n in range(4):
        base.problem(n, base.contact(0), base.now - (4 - n) * DAY)
        detection.run()
    assert not Alert.objects.exists()


def test_tickets_further_apart_than_the_window_raise_nothing(base: CustomerBase) -> None:
    """Imported with their own old dates: three weeks apart is no burst."""
    for n, days_ago in enumerate((60, 40, 20)):
        base.problem(n, base.contact(n), base.now - days_ago * DAY)
    detection.run()
    assert not Alert.objects.exists()


def test_imported_history_is_judged_by_ticket_times(base: CustomerBase, ada: User) -> None:
    """Old mail imported today: the burst a year ago raises an alert dated then, and
    tells nobody (it is not news)."""
    year_ago = base.now - 365 * DAY
    tickets = [base.problem(n, base.contact(n), year_ago + n * DAY, read_now=False)
               for n in range(3)]
    result = detection.run()
    assert len(result.raised) == 1
    assert result.raised[0].raised_at == tickets[2].created_at
    assert not Notification.objects.filter(kind="alert_raised").exists()


def test_background_noise_raises_no_alert(db: None, ada: User) -> None:
    """How-to questions, invoices and password resets from every organization within a
    week, in English and German, many alike: none of it is a recurring problem."""
    found = customer_base(organizations=12)
    found.noise(150, start=found.now - 7 * DAY, days=7, one_offs=False)
    found.noise(30, start=found.now - 6 * DAY, days=5)
    result = detection.run(limit=None)
    assert result.signatures >= 180
    assert not Alert.objects.exists()


def test_a_like_ticket_joins_the_open_alert(base: CustomerBase) -> None:
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run()
    alert = Alert.objects.get()
    fourth = base.problem(3, base.contact(3), base.now)
    result = detection.run()
    assert result.joined == 1 and not result.raised
    assert AlertTicket.objects.get(ticket=fourth).alert == alert


def test_tickets_of_an_alert_linked_to_a_problem_are_not_grouped_again(
        base: CustomerBase) -> None:
    first = [base.problem(n, base.contact(n), base.now - (6 - n) * DAY) for n in range(3)]
    detection.run()
    problem_flow.problem_from_alert(User.objects.get(username="ada"), Alert.objects.get())
    later = []
    for n in range(3, 5):
        later.append(base.problem(n, base.contact(n), base.now - (6 - n) * DAY))
        detection.run()
    assert Alert.objects.count() == 1  # two new tickets from two customers: no group yet
    later.append(base.problem(5, base.contact(5), base.now))
    result = detection.run()
    assert len(result.raised) == 1
    new = set(AlertTicket.objects.filter(alert=result.raised[0]).values_list("ticket", flat=True))
    assert new == {t.pk for t in later}
    assert not new & {t.pk for t in first}


def test_dismissed_alert_keeps_its_tickets_and_like_tickets_join_it_silently(
        base: CustomerBase, ada: User) -> None:
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run()
    alert = detection.dismiss(ada, Alert.objects.get())
    notes = Notification.objects.count()
    base.problem(4, base.contact(4), base.now)
    detection.run()
    assert Alert.objects.count() == 1 and alert.links.count() == 4
    assert Notification.objects.count() == notes


def test_a_new_ticket_is_queued_for_detection_after_it_opens(
        base: CustomerBase, django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        ticket = base.problem(0, base.contact(0), base.now)
    task = DBTaskResult.objects.get(task_path="frontline.insights.tasks.detect_ticket")
    assert task.args_kwargs["args"] == [ticket.pk]
    detection.detect_ticket(ticket.pk)
    assert TicketSignature.objects.filter(pk=ticket.pk).exists()


def test_an_imported_ticket_is_not_queued_one_by_one(
        base: CustomerBase, django_capture_on_commit_callbacks: object) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        base.problem(0, base.contact(0), base.now, read_now=False)
    assert not DBTaskResult.objects.filter(
        task_path="frontline.insights.tasks.detect_ticket").exists()
    assert detection.pending_ticket_ids(10)


def test_cli_refresh_detects_now_and_says_what_it_did(db: None, ada: User) -> None:
    found = customer_base()
    found.noise(20, start=found.now - 5 * DAY, days=5)
    for n in range(3):
        found.problem(n, found.contact(n), found.now - (3 - n) * DAY)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["insights", "refresh"]) == 0
    text = out.getvalue()
    assert "23 signatures built" in text and "1 alerts raised" in text
    assert "ORA-01722" in text
    assert Alert.objects.count() == 1
    assert workflow is not None



@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_ticket_another_worker_is_signing_is_skipped_not_written_twice(ada: User) -> None:
    import threading

    from django.db import connections, transaction

    from frontline.insights import signatures
    from frontline.tickets.models import Ticket

    found = customer_base()
    ticket = found.problem(0, found.contact(0), found.now)
    TicketSignature.objects.filter(pk=ticket.pk).delete()
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(Ticket.objects.select_for_update().filter(pk=ticket.pk))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert signatures.build([ticket.pk]) == []
    finally:
        release.set()
        thread.join(10)
    assert [s.ticket_id for s in signatures.build([ticket.pk])] == [ticket.pk]
    assert TicketSignature.objects.filter(pk=ticket.pk).count() == 1


def test_a_signature_built_again_moves_its_term_counts(db: None, ada: User) -> None:
    """A ticket signed again (its text changed since: a customer's correction) takes
    its old terms' counts away and adds its new ones. On PostgreSQL the taking away
    must not go through INSERT ... ON CONFLICT: the CHECK (tickets >= 0) is tested
    on the row proposed for insertion, a negative count, before the conflict is seen."""
    from frontline.insights import signatures
    from frontline.insights.models import TermStat, TicketTerm
    from frontline.tickets.models import Message

    def counts() -> dict[str, int]:
        return dict(TermStat.objects.values_list("term", "tickets"))

    tickets = [workflow.open_ticket(
        requester_email=f"kunde{number}@firma{number}.example", channel="email",
        subject=subject, body=body) for number, (subject, body) in enumerate([
            ("Upload fails", "Every upload answers HTTP 413 since the proxy change."),
            ("Hochladen scheitert", "Der Upload bricht mit HTTP 413 ab, Datei 40 MB."),
        ])]
    signatures.build([ticket.pk for ticket in tickets])
    before = counts()
    assert before["#http413"] == 2
    first = Message.objects.filter(ticket=tickets[0]).order_by("pk").first()
    assert first is not None
    Message.objects.filter(pk=first.pk).update(
        body="Sorry, my mistake: uploads answer HTTP 504 after 60 seconds.", body_reply="")
    signatures.build([tickets[0].pk])
    after = counts()
    assert after["#http413"] == 1 and after["#http504"] == before.get("#http504", 0) + 1
    assert after[signatures.TOTAL] == before[signatures.TOTAL]
    for term, stored in after.items():
        if term != signatures.TOTAL:
            assert stored == TicketTerm.objects.filter(term=term).count(), term
