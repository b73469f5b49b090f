"""The timeline says in words what happened: one sentence per event kind."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.desk.templatetags.desk import event_line
from frontline.routing.escalation import escalate
from frontline.tickets.models import Event
from frontline.tickets.services.events import record_event


def line(ticket, kind, **fields) -> str:
    event = Event(ticket=ticket, kind=kind, at=timezone.now(), **fields)
    return re.sub(r"<[^>]+>", "", str(event_line(event)))


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    ("routed", {"after": {"team": "Installation", "tags": ["install"]}, "detail": {}},
     "Routing rules set team Installation; tags install"),
    ("routed", {"after": {"team": "Billing", "tier": 2, "priority": "high"},
                "before": {"team": "Frontdesk", "tier": 1, "priority": "normal"},
                "detail": {"reason": "by Invoices"}},
     "Routing rules set team Billing (was Frontdesk); tier 2 (was 1); priority high "
     "(was normal) — by Invoices"),
    ("assigned", {"after": "otto", "before": "lena",
                  "detail": {"after_name": "Otto Level-Two", "before_name": "Lena Level-One"}},
     "Automatically assigned to Otto Level-Two (was Lena Level-One)"),
    ("tags_changed", {"after": ["install", "upgrade"], "detail": {}},
     "Automatically tagged install, upgrade"),
    ("escalated", {"before": 1, "after": 3, "detail": {"team": "Developers", "reason": "Bug"}},
     "Automatically escalated to tier 3 (Developers) (was tier 1) — Bug"),
    ("de_escalated", {"before": 3, "after": 1, "detail": {"reason": "Fix shipped"}},
     "Automatically handed it back to tier 1 for the customer (was tier 3) — Fix shipped"),
    ("escalation_assessed", {"after": "workaround", "detail": {"to_tier": 3}},
     "Automatically weighed an escalation to tier 3 and chose workaround"),
    ("time_logged", {"after": "25 min", "detail": {"tier": 2}},
     "Automatically logged 25 min at tier 2"),
    ("time_deleted", {"before": "10 min", "detail": {}}, "Automatically removed 10 min"),
])
def test_new_event_kinds_read_as_sentences(bobs_ticket, kind, fields, expected):
    assert line(bobs_ticket, kind, **fields) == expected


def test_the_ticket_page_reads_another_apps_event_from_its_declaration(signed_in, lena,
                                                                       bobs_ticket):
    """An SLA breach (declared by the sla app) shows on the desk as its sentence."""
    record_event(bobs_ticket, "sla_breach", at=timezone.now(), target="first_response",
                 due="2030-01-07T09:00:00+00:00", formal=True)
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert '<span class="sla-breach">SLA breached: first response missed its target' in html


# -- what nobody did by hand reads as automatic (issue 12: "Frontline unassigned Otto"
# read as if the Frontline team, or a person, had done it) -------------------------


def test_an_escalation_to_a_manual_team_reads_as_an_automatic_unassignment(
        signed_in, lena, otto, lenas_ticket):
    """Specialists assign by hand: the desk says the owner went by itself, and why."""
    escalate(lenas_ticket, lena, 2, reason="Needs a specialist", tried="Cleared the cache")
    html = signed_in(otto).get(f"/t/{lenas_ticket.reference}").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert ("Automatically unassigned Lena Level-One — moved to tier 2: Specialists assigns "
            "by hand") in text
    assert "Frontline unassigned" not in text


def test_a_fact_read_from_a_later_message_says_where_it_came_from(bob, otto, bobs_ticket):
    workflow.add_customer_message(bobs_ticket, bob, "Our database is PostgreSQL 15.",
                                  at=timezone.now())
    workflow.add_customer_message(bobs_ticket, bob, "Sorry, correction: we moved to "
                                  "PostgreSQL 16 last month.", at=timezone.now())
    event = Event.objects.filter(ticket=bobs_ticket, kind="fact_set",
                                 detail__key="database").latest("id")
    assert event.actor is None and event.detail["source"] == "message"
    assert html.unescape(line(bobs_ticket, "fact_set", before=event.before, after=event.after,
                              detail=event.detail)) == (
        "Automatically set database to PostgreSQL 16 from the customer's message "
        "(was PostgreSQL 15)")
    # An agent's correction names the agent, not a source.
    assert line(bobs_ticket, "fact_set", actor=otto, after="Oracle",
                detail={"key": "database", "source": "agent"}) == (
        "Otto Level-Two set database to Oracle")
