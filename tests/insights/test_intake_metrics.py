"""Intake metrics (issue 9, part 1): per question, how often it is answered at first
contact and how often agents had to ask it later; per category, the share of tickets
complete at first contact."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from frontline import workflow
from frontline.insights.intake import intake_report
from frontline.insights.reports import Period
from frontline.intake import facts as intake_facts
from frontline.intake import questions
from frontline.intake.models import FactSource
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services.events import record_event
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category
from tests.api.conftest import field_errors

MONDAY = datetime.fromisoformat("2025-03-03T09:00:00+00:00")
MARCH = Period(datetime.fromisoformat("2025-03-01T00:00:00+00:00"),
               datetime.fromisoformat("2025-04-01T00:00:00+00:00"))
QUERY = "from=2025-03-01&to=2025-03-31"
MIN = timedelta(minutes=1)


def publish(admin, slug: str, rows: list[dict]) -> Category:
    category = Category.objects.filter(slug=slug).first() or Category.objects.create(
        name=slug.title(), slug=slug)
    questions.write_draft(admin, category, [{"why": "So we need not ask.", **row} for row in rows])
    questions.publish(admin, category)
    return category


def open_at(at: datetime, subject: str, category: str | None = None,
            email: str = "bob@standard.example") -> Ticket:
    """A ticket whose text gives no fact (what it knows is recorded by the test)."""
    return workflow.open_ticket(requester_email=email, subject=subject, at=at,
                                body="It stopped working, please help.", category=category)


def record(ticket: Ticket, source: str, at: datetime, message: Message | None = None,
           **values: str) -> None:
    with transaction.atomic():
        intake_facts.do_record(ticket, [intake_facts.FactInput(key.replace("_", "-"), value)
                                        for key, value in values.items()],
                               source=source, at=at, message=message)


def first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("created_at", "pk").first()


def asked(ticket: Ticket, kind: str, keys: list[str], at: datetime, actor=None) -> None:
    record_event(ticket, kind, actor=actor, at=at, keys=keys, message=None)


@dataclass
class Month:
    integrations: Category
    billing: Category
    tickets: dict[str, Ticket]


@pytest.fixture
def month(ada, lena, bob, alice, standard_plan, premium_plan) -> Month:
    """Ten requests in March 2025, one before it and one merged away.

    Standard questions: version (required), impact (required, Only me / Everyone),
    error, steps (required when impact is Everyone). Integrations adds database
    (required) and oracle-version (required when the database is Oracle); billing
    adds invoice-number (required).
    """
    publish(ada, STANDARD_CATEGORY, [
        {"key": "version", "text": "Which version are you running?", "required": True},
        {"key": "impact", "text": "Who is affected?", "type": "choice", "required": True,
         "choices": ["Only me", "Everyone"]},
        {"key": "error", "text": "What does the error say?", "type": "long_text"},
        {"key": "steps", "text": "What did you do, step by step?", "type": "long_text",
         "required": True, "when": {"impact": "Everyone"}},
    ])
    integrations = publish(ada, "integrations", [
        {"key": "database", "text": "Which database?", "type": "choice", "required": True,
         "choices": ["Oracle", "PostgreSQL"]},
        {"key": "oracle-version", "text": "Which Oracle release, e.g. 19c?", "required": True,
         "when": {"database": "Oracle"}},
    ])
    billing = publish(ada, "billing", [
        {"key": "invoice-number", "text": "Which invoice is it about?", "required": True}])
    t: dict[str, Ticket] = {}
    day = MONDAY

    # No category. Complete: version from the message, impact from the form.
    t["complete"] = open_at(day, "Report crashes")
    record(t["complete"], FactSource.MESSAGE, day, first_message(t["complete"]), version="5.1")
    record(t["complete"], FactSource.FORM, day, impact="Only me")
    # Everyone is affected, so the steps were required; an agent asked for them.
    t["steps"] = open_at(day + timedelta(days=1, hours=3), "Nobody can print")
    at = t["steps"].created_at
    record(t["steps"], FactSource.FORM, at, version="5.2", impact="Everyone")
    asked(t["steps"], "facts_asked", ["steps"], at + timedelta(hours=2), lena)
    record(t["steps"], FactSource.AGENT, at + timedelta(days=2), steps="Open, print")
    # Nothing at first: the follow-up asked; the version came in a later message.
    t["late"] = open_at(day + timedelta(days=2), "Login fails", email="alice@premium.example")
    at = t["late"].created_at
    asked(t["late"], "facts_requested", ["version", "impact"], at)
    later = workflow.add_customer_message(t["late"], t["late"].requester, "We run 5.1.",
                                          at=at + timedelta(days=1))
    record(t["late"], FactSource.MESSAGE, at + timedelta(days=1), later, version="5.1")
    # Within five minutes is first contact, six is not.
    t["window"] = open_at(day + timedelta(days=3), "Slow search")
    at = t["window"].created_at
    record(t["window"], FactSource.MESSAGE, at + 4 * MIN, version="5.0")
    record(t["window"], FactSource.FORM, at + 6 * MIN, impact="Everyone")

    # Integrations.
    t["oracle"] = open_at(day + timedelta(days=4), "Import fails", "integrations")
    at = t["oracle"].created_at
    record(t["oracle"], FactSource.FORM, at, version="5.1", impact="Only me", database="Oracle")
    asked(t["oracle"], "facts_asked", ["oracle-version", "browser"], at + timedelta(hours=1),
          lena)
    record(t["oracle"], FactSource.AGENT, at + timedelta(hours=5), oracle_version="19c")
    t["postgres"] = open_at(day + timedelta(days=7), "Export fails", "integrations",
                            email="alice@premium.example")
    at = t["postgres"].created_at
    record(t["postgres"], FactSource.FORM, at, version="5.2", impact="Only me",
           database="PostgreSQL", error="ERROR: value too long")
    # Imported: the worker read the first message's facts an hour later.
    t["imported"] = open_at(day + timedelta(days=8), "Sync stops", "integrations")
    at = t["imported"].created_at
    record(t["imported"], FactSource.MESSAGE, at + timedelta(hours=1), first_message(t["imported"]),
           version="5.0", impact="Only me", database="PostgreSQL")

    # Billing, nothing known.
    t["invoice"] = open_at(day + timedelta(days=9), "Wrong amount", "billing")

    # Not counted: before March, and a duplicate merged into the complete one.
    t["february"] = open_at(datetime.fromisoformat("2025-02-27T10:00:00+00:00"), "Old")
    asked(t["february"], "facts_asked", ["version"], t["february"].created_at)
    t["duplicate"] = open_at(day + timedelta(days=10), "Report crashes again")
    workflow.merge_tickets(t["duplicate"], t["complete"], lena)
    return Month(integrations, billing, t)


def by_key(report):
    return {(row.category.slug, row.key): row for row in report.questions}


def test_first_contact_completeness_per_category(month):
    report = intake_report(MARCH)
    rows = {row.label: (row.tickets, row.complete, row.percent) for row in report.categories}
    assert rows == {"No category": (4, 1, 25.0), "Integrations": (3, 2, 66.7),
                    "Billing": (1, 0, 0.0)}
    assert [row.label for row in report.categories] == ["Integrations", "Billing", "No category"]
    assert (report.overall.tickets, report.overall.complete) == (8, 3)
    assert report.overall.percent == 37.5


def test_per_question_answered_at_first_contact_and_asked_later(month):
    questions_seen = by_key(intake_report(MARCH))
    figures = {key: (row.asked, row.answered, row.asked_later)
               for key, row in questions_seen.items()}
    assert figures == {
        # Every ticket is asked the standard questions; the version came late once, never
        # for the invoice; five and six minutes decide for the "window" ticket.
        ("standard", "version"): (8, 6, 1),
        ("standard", "impact"): (8, 5, 1),
        ("standard", "error"): (8, 1, 0),
        # Only where everyone is affected (as known now: "steps" and "window").
        ("standard", "steps"): (2, 0, 1),
        ("integrations", "database"): (3, 3, 0),
        ("integrations", "oracle-version"): (1, 0, 1),  # only where the database is Oracle
        ("billing", "invoice-number"): (1, 0, 0),
    }
    assert questions_seen[("standard", "version")].percent == 75.0
    assert questions_seen[("integrations", "oracle-version")].percent == 0.0
    order = [key for key in questions_seen]
    assert order[:4] == [("standard", k) for k in ("version", "impact", "error", "steps")]


def test_one_category_alone(month):
    report = intake_report(MARCH, month.integrations)
    assert [(row.label, row.tickets, row.complete) for row in report.categories] == [
        ("Integrations", 3, 2)]
    keys = {key: (row.asked, row.answered) for key, row in by_key(report).items()}
    assert keys == {("standard", "version"): (3, 3), ("standard", "impact"): (3, 3),
                    ("standard", "error"): (3, 1), ("standard", "steps"): (0, 0),
                    ("integrations", "database"): (3, 3),
                    ("integrations", "oracle-version"): (1, 0)}


def test_a_category_without_tickets_shows_its_questions_unasked(ada, month):
    empty = publish(ada, "bug", [
        {"key": "reproducible", "text": "Does it happen every time?", "type": "yes_no"}])
    report = intake_report(MARCH, empty)
    assert [(row.label, row.tickets, row.percent) for row in report.categories] == [
        ("Bug", 0, None)]
    assert by_key(report)[("bug", "reproducible")].percent is None


def test_an_empty_period(month):
    report = intake_report(Period(datetime.fromisoformat("2024-01-01T00:00:00+00:00"),
                                  datetime.fromisoformat("2024-02-01T00:00:00+00:00")))
    assert report.categories == [] and report.overall.percent is None


def test_the_report_costs_the_same_queries_for_few_or_many_tickets(month):
    with CaptureQueriesContext(connection) as few:
        intake_report(MARCH)
    for n in range(12):
        ticket = open_at(MONDAY + timedelta(days=12, hours=n), f"More {n}",
                         "integrations" if n % 2 else None)
        record(ticket, FactSource.FORM, ticket.created_at, version="5.1",
               impact="Everyone" if n % 3 else "Only me", database="Oracle")
        asked(ticket, "facts_asked", ["steps", "version"], ticket.created_at + timedelta(hours=1))
    with CaptureQueriesContext(connection) as many:
        report = intake_report(MARCH)
    assert len(few) == len(many) <= 6
    assert report.overall.tickets == 20


def test_replies_recorded_through_the_workflow_count_as_asked_later(month, lena):
    ticket = month.tickets["invoice"]
    workflow.add_reply(ticket, lena, "Which invoice is it about? And which version are you on?")
    rows = by_key(intake_report(MARCH))
    assert rows[("billing", "invoice-number")].asked_later == 1
    assert rows[("standard", "version")].asked_later == 2


# -- the desk and the API -----------------------------------------------------------------


def test_the_reports_page_shows_first_contact_completeness(signed_in, vera, month):
    html = signed_in(vera).get(f"/reports?{QUERY}").content.decode()
    assert "Intake: first-contact completeness" in html
    section = html[html.index('id="intake"'):]
    assert "37.5%" in section  # 3 of 8
    assert "Integrations" in section and "66.7%" in section
    assert "oracle-version" in section and "75%" in section  # version: 6 of 8
    assert "table=intake_by_category" in section and "table=intake_questions" in section


def test_the_reports_page_narrows_intake_to_a_category(signed_in, vera, month):
    html = signed_in(vera).get(f"/reports?{QUERY}&category=billing").content.decode()
    section = html[html.index('id="intake"'):]
    assert "invoice-number" in section and "oracle-version" not in section
    assert '<option value="billing" selected>' in section


def test_intake_tables_as_csv(signed_in, lena, month):
    client = signed_in(lena)
    rows = list(csv.reader(io.StringIO(b"".join(client.get(
        f"/reports?{QUERY}&format=csv&table=intake_by_category").streaming_content).decode())))
    assert rows[0] == ["category", "tickets", "complete_at_first_contact", "percent"]
    assert ["integrations", "3", "2", "66.7"] in rows and ["", "4", "1", "25.0"] in rows
    questions_csv = list(csv.reader(io.StringIO(b"".join(client.get(
        f"/reports?{QUERY}&format=csv&table=intake_questions").streaming_content).decode())))
    assert questions_csv[0] == ["category", "key", "required", "asked",
                                "answered_at_first_contact", "percent", "asked_later"]
    assert ["standard", "version", "yes", "8", "6", "75.0", "1"] in questions_csv


def test_the_api_reports_intake(api, vera, dana, month):
    body = api(vera).get("/reports/intake", {"from": "2025-03-01", "to": "2025-03-31"}).json()
    assert body["overall"] == {"tickets": 8, "complete": 3, "percent": 37.5}
    assert {"category": "integrations", "name": "Integrations", "tickets": 3, "complete": 2,
            "percent": 66.7} in body["categories"]
    version = next(q for q in body["questions"] if q["key"] == "version")
    assert version == {"category": "standard", "key": "version",
                       "text": "Which version are you running?", "required": True,
                       "asked": 8, "answered_at_first_contact": 6, "percent": 75.0,
                       "asked_later": 1}
    billing = api(vera).get("/reports/intake", {"from": "2025-03-01", "to": "2025-03-31",
                                                "category": "billing"}).json()
    assert [row["category"] for row in billing["categories"]] == ["billing"]
    unknown = api(vera).get("/reports/intake", {"category": "nonsense"})
    assert unknown.status_code == 422
    assert "No category 'nonsense'" in field_errors(unknown)["category"]
    assert api(dana).get("/reports/intake").status_code == 403


def test_the_category_page_shows_each_questions_recent_figures(signed_in, ada, lena, bob,
                                                               standard_plan):
    billing = publish(ada, "billing", [
        {"key": "invoice-number", "text": "Which invoice is it about?", "required": True},
        {"key": "amount", "text": "Which amount did you expect?"}])
    for n in range(3):
        ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                      subject=f"Invoice {n}", body="The amount is wrong.",
                                      category="billing")
        if n:
            record(ticket, FactSource.FORM, ticket.created_at, invoice_number=f"INV-{n}")
        else:
            workflow.add_reply(ticket, lena, "Which invoice is it about?")
    html = signed_in(ada).get(f"/settings/categories/{billing.slug}").content.decode()
    assert "answered at first contact on 66.7% of 3 tickets; asked later on 1" in html
    assert "answered at first contact on 0% of 3 tickets; asked later on 0" in html
