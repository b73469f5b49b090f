"""The indexes of tickets 0018: the clock's plan and policy (a plan's or policy's
tickets, without reading the whole clock table) and one person's open tickets by
id (their queue sorted by time left). The migration applies and reverses on both
engines; the lookups they serve answer as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from frontline import workflow
from frontline.core.errors import InvalidTransition
from frontline.customers.models import Plan
from frontline.sla import plans, policies
from frontline.tickets.models import Status, TicketClock
from frontline.tickets.selectors import page_of, queue_tickets
from tests.factories import UserFactory

BEFORE = [("tickets", "0017_ticket_clock")]
AFTER = [("tickets", "0018_clock_and_assignee_due_indexes")]
NEW = {"ticket_active_assignee_id": ("tickets_ticket", ["assignee_id", "id"]),
       "clock_plan": ("tickets_ticketclock", ["plan_id"]),
       "clock_sla_policy": ("tickets_ticketclock", ["sla_policy_id"])}


def indexes_of(table: str) -> dict[str, list[str]]:
    """The table's indexes and their columns (PRAGMA on SQLite: Django's introspection
    of a table altered by DROP COLUMN trips over its rewritten CREATE TABLE text)."""
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            found = connection.introspection.get_constraints(cursor, table)
            return {name: info["columns"] for name, info in found.items() if info["index"]}
        cursor.execute(f'PRAGMA index_list("{table}")')
        names = [row[1] for row in cursor.fetchall()]
        columns = {}
        for name in names:
            cursor.execute(f'PRAGMA index_info("{name}")')
            columns[name] = [row[2] for row in sorted(cursor.fetchall())]
        return columns


def sqlite_statistics() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_adds_the_three_indexes_and_takes_them_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for name, (table, _) in NEW.items():
        assert name not in indexes_of(table)
    old = executor.loader.project_state(BEFORE).apps
    plan = old.get_model("customers", "Plan").objects.create(name="Gold", slug="gold", rank=3)
    contact = old.get_model("customers", "Contact").objects.create(name="Ayşe Demir")
    # The people's table is at its latest state (only tickets went back): today's model.
    agent = UserFactory(username="kofi")
    policy = old.get_model("sla", "SlaPolicy").objects.create(
        plan=plan, first_response_minutes=90, resolution_minutes=600)
    stamp = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    Ticket = old.get_model("tickets", "Ticket")
    Clock = old.get_model("tickets", "TicketClock")
    for n, status in enumerate(["open", "closed", "new"]):
        ticket = Ticket.objects.create(subject=f"Export {n}", requester=contact, status=status,
                                       assignee_id=agent.pk, created_at=stamp, updated_at=stamp)
        Clock.objects.create(ticket=ticket, plan=plan if n != 2 else None,
                             sla_policy=policy if n == 0 else None,
                             sla_due=stamp + timedelta(hours=n))

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    for name, (table, columns) in NEW.items():
        assert indexes_of(table)[name] == columns
    if connection.vendor == "sqlite":
        # Their statistics are written at once (the rest of the tables' are not redone).
        assert set(NEW) <= sqlite_statistics()
    # The rows are as they were.
    assert TicketClock.objects.filter(plan_id=plan.pk).count() == 2
    assert TicketClock.objects.filter(sla_policy_id=policy.pk).count() == 1

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for name, (table, _) in NEW.items():
        assert name not in indexes_of(table)
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert indexes_of("tickets_ticketclock")["clock_plan"] == ["plan_id"]


def test_one_persons_queue_by_time_left_lists_theirs_in_due_order(
        lena, otto, ada, alice, bob, premium_policy, standard_policy):
    """Lena's open tickets among Otto's and nobody's, paged two at a time: hers only,
    the earliest due first, the paused one (no due time) last, the resolved one not at all."""
    start = datetime.now(UTC) - timedelta(hours=6)
    people = [lena, otto, None, lena, lena, otto, lena, lena]
    opened = []
    for n, person in enumerate(people):
        ticket = workflow.open_ticket(
            requester_email="alice@premium.example" if n % 2 else "bob@standard.example",
            subject=["Sync stalls at 99 %", "Facture en double", "Login loop on SSO",
                     "Webhook 署名 fails", "Export times out", "Zeitzone falsch",
                     "CSV import drops rows", "API 429 at night"][n],
            body="…", at=start + timedelta(minutes=17 * n))
        if person is not None:
            workflow.assign(ticket, ada, person)
        opened.append(ticket)
    workflow.change_status(opened[3], lena, Status.PENDING_CUSTOMER)  # paused: no due time
    workflow.change_status(opened[6], lena, Status.RESOLVED)

    seen: list[int] = []
    cursor = None
    while True:
        page = page_of(queue_tickets(ada, "open", sort="due", assignee_id=lena.pk), sort="due",
                       after=cursor, size=2, active_only=True)
        seen += [ticket.pk for ticket in page.tickets]
        cursor = page.next_cursor
        if cursor is None:
            break
    dated = sorted((opened[0], opened[4], opened[7]),
                   key=lambda t: (TicketClock.objects.get(ticket=t).sla_due, t.pk))
    assert all(TicketClock.objects.get(ticket=t).sla_due for t in dated)
    assert seen == [t.pk for t in dated] + [opened[3].pk]


def test_a_deleted_policy_leaves_no_clock_naming_it_and_a_served_plan_stays(
        ada, lena, alice, globex, premium_plan, premium_policy, standard_plan):
    urgent = policies.create_policy(ada, plan=premium_plan, priority=4, first_response_minutes=30,
                                    resolution_minutes=240)
    ticket = workflow.open_ticket(requester_email="alice@premium.example", priority=4,
                                  subject="Produktion steht", body="Alles rot.")
    assert TicketClock.objects.get(ticket=ticket).sla_policy_id == urgent.pk

    policies.delete_policy(ada, urgent)
    assert not TicketClock.objects.filter(sla_policy_id=urgent.pk).exists()
    assert TicketClock.objects.get(ticket=ticket).sla_policy_id == premium_policy.pk

    # Finished on Premium, then Globex moves to Standard: nobody is on Premium, but a
    # ticket was served on it.
    workflow.change_status(ticket, lena, Status.RESOLVED)
    plans.set_organization_plan(ada, globex, plan=standard_plan)
    with pytest.raises(InvalidTransition, match="Tickets were served on Premium"):
        plans.delete_plan(ada, premium_plan)
    unused = plans.create_plan(ada, name="Bronze", slug="bronze", rank=7)
    plans.delete_plan(ada, unused)
    assert set(Plan.objects.values_list("slug", flat=True)) == {"premium", "standard"}
