"""The queue, ticket and organization pages cost a fixed number of SQL queries,
however many tickets, messages or events there are (issue 2: quality)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline import workflow
from frontline.customers.models import EnvironmentFact
from frontline.intake.questions import questions_for
from frontline.routing.escalation import escalate
from frontline.tickets.models import Ticket
from tests.desk.conftest import HTMX
from tests.factories import TeamFactory, UserFactory


def count_queries(client, path: str, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200, path
    return len(captured)


def make_tickets(n: int, actor) -> list[Ticket]:
    """Tickets from different people and organizations, owned by different agents and teams,
    so that a query per row would show."""
    made = []
    for i in range(n):
        domain = "standard.example" if i % 2 else "premium.example"
        ticket = workflow.open_ticket(requester_email=f"person{Ticket.objects.count()}@{domain}",
                                      requester_name=f"Person {i}", subject=f"Trouble {i}",
                                      body="It broke.", category="installation")
        owner = UserFactory(username=f"owner{Ticket.objects.count()}")
        workflow.assign(ticket, actor, owner)
        workflow.set_team(ticket, actor, TeamFactory(name=f"Team {ticket.pk}").name)
        made.append(ticket)
    return made


def test_the_queue_page_costs_the_same_for_3_or_30_tickets(signed_in, lena, globex, initech,
                                                          installation):
    client = signed_in(lena)
    make_tickets(3, lena)
    small = count_queries(client, "/q/open")
    make_tickets(27, lena)
    large = count_queries(client, "/q/open")
    assert small == large
    assert large <= 16
    assert count_queries(client, "/q/open?sort=priority&tier=1") == large


def grow_story(ticket: Ticket, lena, otto, size: int) -> None:
    for i in range(size):
        workflow.add_note(ticket, lena if i % 2 else otto, f"note {i}")
        workflow.add_reply(ticket, otto if i % 2 else lena, f"reply {i}")
        workflow.add_customer_message(ticket, ticket.requester, f"answer {i}")
        workflow.set_priority(ticket, lena, "high" if i % 2 else "low")
        other = workflow.open_ticket(requester_email="bob@standard.example", subject=f"Rel {i}",
                                     body="x")
        workflow.link_tickets(ticket, other, lena)
        EnvironmentFact.objects.create(contact=ticket.requester, key=f"k{i}", value="v")


def test_the_ticket_page_costs_the_same_for_a_short_or_a_long_story(
        signed_in, lena, otto, bobs_ticket, alices_ticket, installation):
    client = signed_in(lena)
    grow_story(bobs_ticket, lena, otto, 1)
    grow_story(alices_ticket, lena, otto, 12)
    assert alices_ticket.messages.count() > 30 and alices_ticket.events.count() > 20
    questions_for(None)  # the process keeps the questions asked (frontline.intake.questions)
    short = count_queries(client, f"/t/{bobs_ticket.reference}?q=open")
    long = count_queries(client, f"/t/{alices_ticket.reference}?q=open")
    assert short == long
    # 26: the sidebar's saved views (counted with the queues, one statement) and the
    # requester's other tickets (desk/tickets/_recent.html, one statement).
    assert long <= 26


def test_a_tier_3_page_reads_its_brief_without_searching(signed_in, lena, otto, alices_ticket,
                                                        installation):
    """The developer brief adds a few fixed reads; its similar tickets, up to six
    searches at a million tickets, load after the page (desk:brief_similar)."""
    client = signed_in(lena)
    grow_story(alices_ticket, lena, otto, 6)
    questions_for(None)  # the process keeps the questions asked (frontline.intake.questions)
    at_tier_1 = count_queries(client, f"/t/{alices_ticket.reference}")
    escalate(alices_ticket, lena, 3, reason="Exporter bug", tried="Ran it by hand.")
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/t/{alices_ticket.reference}")
    assert page.status_code == 200 and 'id="developer-brief"' in page.content.decode()
    assert not [q for q in captured.captured_queries if "search_" in q["sql"]]
    # The report, the escalation, the cost settings and the premium.
    assert len(captured) <= at_tier_1 + 4


def test_a_reply_costs_the_same_however_long_the_story(signed_in, lena, otto, bobs_ticket,
                                                       alices_ticket):
    client = signed_in(lena)
    grow_story(alices_ticket, lena, otto, 8)
    questions_for(None)  # the process keeps the questions asked (frontline.intake.questions)
    counts = []
    for ticket in (bobs_ticket, alices_ticket):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(f"/t/{ticket.reference}/messages",
                                   {"kind": "reply", "body": "Try again?"}, **HTMX)
        assert response.status_code == 200
        # The services' own writes vary with what changes (first response, assignment);
        # count only the reads that render the answer.
        counts.append(len([q for q in captured.captured_queries
                           if q["sql"].lstrip().upper().startswith("SELECT")]))
    assert counts[0] == counts[1]


def test_the_organization_page_costs_the_same_for_few_or_many_tickets(signed_in, vera, lena,
                                                                     globex, initech,
                                                                     installation):
    client = signed_in(vera)
    make_tickets(4, lena)
    small = count_queries(client, f"/o/{globex.pk}")
    make_tickets(20, lena)
    assert count_queries(client, f"/o/{globex.pk}") == small
