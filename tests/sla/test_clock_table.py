"""The SLA clock in its own narrow table (TicketClock): every ticket has its row
however it was made, the recompute and the scan write that row and never the
ticket's, a ticket whose row went missing reads as one without a clock, and the
migration that moved the columns copied every ticket's values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline import workflow
from frontline.sla import clock
from frontline.sla import services as sla
from frontline.tickets.models import Priority, Status, Ticket, TicketClock
from frontline.tickets.services.rows import new_ticket_rows
from frontline.workflow import promises
from tests.costs.factories import make_ticket
from tests.sla.conftest import berlin
from tests.sla.queues import due_queue_ids

HOUR = timedelta(hours=1)
# An UPDATE of the ticket table itself (not tickets_ticketclock).
TICKET_UPDATE = re.compile(r'UPDATE\s+"?tickets_ticket"?(\s|$)', re.IGNORECASE)


def ticket_updates(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries
            if TICKET_UPDATE.search(query["sql"])]


# -- every ticket has its row -----------------------------------------------------------


def test_a_ticket_opened_by_mail_or_the_desk_has_its_clock_from_the_start(
        alice, bob, premium_policy):
    mailed = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Exports stopped overnight",
                                  body="Nothing arrived since Tuesday.")
    untouched = workflow.open_ticket(requester_email="bob@standard.example",
                                     subject="Wie ändere ich die Rechnungsadresse?",
                                     body="Wir sind umgezogen.")
    rows = dict(TicketClock.objects.filter(ticket__in=[mailed, untouched])
                .values_list("ticket_id", "sla_policy_id"))
    # Bob's plan has no policy here: his ticket has a row, with no promise in it.
    assert rows == {mailed.pk: premium_policy.pk, untouched.pk: None}


def test_a_ticket_made_directly_has_a_blank_clock_row(bob):
    created = make_ticket(bob, "Printer driver missing")
    saved = Ticket(subject="Löschen eines Kontos", requester=bob, created_at=timezone.now(),
                   updated_at=timezone.now())
    saved.save()
    for ticket in (created, saved):
        row = TicketClock.objects.get(ticket=ticket)
        assert (row.plan_id, row.sla_due, row.sla_check_at) == (None, None, None)


def test_tickets_written_in_bulk_get_their_rows_with_one_more_insert(alice, bob):
    at = timezone.now()
    tickets = [new_ticket_rows(requester=person, subject=subject, body="…", channel="email",
                               at=at + n * timedelta(seconds=7))[0]
               for n, (person, subject) in enumerate([
                   (alice, "SSO login loops"), (bob, "CSV import drops umlauts"),
                   (alice, "Quota warning twice a day")])]
    tickets[1].clock.sla_paused_seconds = 42  # set in memory before the write: kept
    with CaptureQueriesContext(connection) as queries:
        Ticket.objects.bulk_create(tickets)
    inserts = [q["sql"] for q in queries.captured_queries
               if "INSERT" in q["sql"] and "tickets_ticketclock" in q["sql"]]
    assert len(inserts) == 1
    assert dict(TicketClock.objects.filter(ticket__in=tickets).values_list(
        "ticket_id", "sla_paused_seconds")) == {tickets[0].pk: None, tickets[1].pk: 42,
                                                tickets[2].pk: None}


def test_the_demo_leaves_no_ticket_without_a_clock(db):
    from frontline.cli import main

    assert main(["demo", "--tickets", "12"]) == 0
    assert Ticket.objects.count() >= 12
    assert not Ticket.objects.filter(clock__isnull=True).exists()


# -- a missing row reads as "no clock" ----------------------------------------------------


def test_a_ticket_whose_clock_row_is_missing_reads_as_one_without_promises(
        alice, premium_policy):
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Report export empty", body="Zero rows.")
    TicketClock.objects.filter(ticket=ticket).delete()
    loaded = Ticket.objects.select_related("clock").get(pk=ticket.pk)
    assert loaded.clock.sla_due is None and loaded.clock._state.adding
    assert clock.summary(loaded)["first_response_due"] is None
    assert clock.targets_view(loaded) == []
    lazily = Ticket.objects.get(pk=ticket.pk)
    assert lazily.clock.plan_id is None


def test_the_next_change_gives_a_ticket_without_a_row_its_clock_again(
        alice, lena, premium_policy):
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Webhook retries forever", body="Every minute.")
    TicketClock.objects.filter(ticket=ticket).delete()
    workflow.set_priority(Ticket.objects.get(pk=ticket.pk), lena, "high")
    row = TicketClock.objects.get(ticket=ticket)
    assert row.sla_policy_id == premium_policy.pk and row.first_response_due is not None


def test_the_bulk_recompute_writes_a_missing_row_too(alice, premium_policy):
    at = berlin(2025, 3, 14, 19, 0)
    tickets = [workflow.open_ticket(requester_email="alice@premium.example",
                                    subject=f"Sync gap {n}", body="Half the records.", at=at)
               for n in range(3)]
    TicketClock.objects.filter(ticket=tickets[1]).delete()
    sla.recompute_tickets(Ticket.objects.filter(pk__in=[t.pk for t in tickets]), at=at)
    assert TicketClock.objects.get(ticket=tickets[1]).first_response_due == at + 2 * HOUR


# -- the recompute and the scan write the clock row only ------------------------------------


def test_the_recompute_writes_no_ticket_row(alice, bob, premium_policy, standard_policy):
    at = berlin(2025, 3, 17, 9, 30)
    tickets = [workflow.open_ticket(requester_email=email, subject=subject, body="…", at=at)
               for email, subject in (("alice@premium.example", "Dashboard blank"),
                                      ("bob@standard.example", "Invoice PDF garbled"),
                                      ("alice@premium.example", "API 502 at noon"))]
    updated = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets])
                   .values_list("pk", "updated_at"))
    premium_policy.first_response_minutes = 45
    premium_policy.save()
    clock.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        changed = sla.recompute_tickets(Ticket.objects.filter(pk__in=list(updated)), at=at)
    assert changed == 2  # Alice's two tickets
    assert ticket_updates(queries) == []
    assert dict(Ticket.objects.filter(pk__in=list(updated))
                .values_list("pk", "updated_at")) == updated
    assert TicketClock.objects.get(ticket=tickets[0]).first_response_due == at + 45 * \
        timedelta(minutes=1)


def test_the_scan_warns_and_breaches_without_writing_the_ticket_row(
        alice, bob, premium_policy, settings):
    settings.FRONTLINE_SLA_ACTION_WINDOW_HOURS = 0  # recorded, not acted on
    start = berlin(2025, 3, 14, 8, 0)
    for subject in ("Cannot attach files", "Search ignores accents", "Mobile app crashes"):
        workflow.open_ticket(requester_email="alice@premium.example", subject=subject,
                             body="Since the update.", at=start)
    with CaptureQueriesContext(connection) as queries:
        counts = promises.scan_due(start + 3 * HOUR)
    assert counts["checked"] == 3 and counts["breaches"] == 3
    assert ticket_updates(queries) == []
    assert not TicketClock.objects.filter(sla_check_at__lte=start + 3 * HOUR).exists()


def test_a_breach_that_raises_the_priority_still_writes_the_ticket(alice, premium_policy):
    """The policy's actions change the ticket itself: that one write stays."""
    premium_policy.raise_priority = True
    premium_policy.save()
    clock.clear_cache()
    start = timezone.now() - 3 * HOUR
    ticket = workflow.open_ticket(requester_email="alice@premium.example",
                                  subject="Checkout page times out", body="500s.", at=start)
    promises.scan_due(timezone.now())
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.clock.sla_breached


def test_the_queue_sorted_by_time_left_pages_through_the_clock(alice, bob, lena,
                                                                premium_policy):
    """Due times first, earliest first; then the tickets with none (Bob's plan has no
    policy, one of Alice's waits on her), in id order; the cursor crosses both."""

    start = timezone.now() - HOUR
    opened = []
    for n, email in enumerate(["alice@premium.example", "bob@standard.example",
                               "alice@premium.example", "bob@standard.example",
                               "alice@premium.example"]):
        opened.append(workflow.open_ticket(requester_email=email, subject=f"Story {n}",
                                           body="…", at=start - n * timedelta(minutes=10)))
    workflow.change_status(opened[2], lena, Status.PENDING_CUSTOMER)
    seen = due_queue_ids(lena)
    # Alice's running ones by due time: the older one (opened[4]) is due first.
    assert seen == [opened[4].pk, opened[0].pk, opened[1].pk, opened[2].pk, opened[3].pk]


# -- the migration ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_every_tickets_clock_into_its_row():
    before, after = [("tickets", "0016_draft_recipients")], [("tickets", "0017_ticket_clock")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    plan = old.get_model("customers", "Plan").objects.create(name="Gold", slug="gold", rank=3)
    contact = old.get_model("customers", "Contact").objects.create(name="Mira Okafor")
    stamp = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    OldTicket = old.get_model("tickets", "Ticket")
    common = {"requester": contact, "created_at": stamp, "updated_at": stamp}
    with_clock = OldTicket.objects.create(
        subject="Reports late", plan=plan, first_response_due=stamp + HOUR,
        resolution_due=stamp + 8 * HOUR, sla_due=stamp + HOUR, sla_check_at=stamp,
        sla_paused_seconds=600, sla_warned=1, sla_breached=4, **common)
    paused = OldTicket.objects.create(subject="Waiting on logs", plan=plan,
                                      sla_paused_at=stamp, **common)
    without = OldTicket.objects.create(subject="Thank you note", **common)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = {row.ticket_id: row for row in new.get_model("tickets", "TicketClock").objects.all()}
    assert set(rows) == {with_clock.pk, paused.pk, without.pk}
    copied = rows[with_clock.pk]
    assert (copied.plan_id, copied.first_response_due, copied.resolution_due, copied.sla_due,
            copied.sla_check_at, copied.sla_paused_seconds, copied.sla_warned,
            copied.sla_breached) == (plan.pk, stamp + HOUR, stamp + 8 * HOUR, stamp + HOUR,
                                     stamp, 600, 1, 4)
    assert rows[paused.pk].sla_paused_at == stamp and rows[paused.pk].sla_due is None
    assert rows[without.pk].plan_id is None
    with connection.cursor() as cursor:
        cursor.execute('SELECT * FROM "tickets_ticket" WHERE 1 = 0')
        columns = {column[0] for column in cursor.description}
    assert not columns & {"plan_id", "sla_policy_id", "sla_due", "sla_check_at",
                          "sla_paused_at", "sla_warned"}
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
