"""The timeline says in words what happened: one sentence per event kind."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from frontline.desk.templatetags.desk import event_line
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
     "Frontline assigned to Otto Level-Two (was Lena Level-One)"),
    ("tags_changed", {"after": ["install", "upgrade"], "detail": {}},
     "Frontline tagged install, upgrade"),
    ("escalated", {"before": 1, "after": 3, "detail": {"team": "Developers", "reason": "Bug"}},
     "Frontline escalated to tier 3 (Developers) (was tier 1) — Bug"),
    ("de_escalated", {"before": 3, "after": 1, "detail": {"reason": "Fix shipped"}},
     "Frontline handed it back to tier 1 for the customer (was tier 3) — Fix shipped"),
    ("escalation_assessed", {"after": "workaround", "detail": {"to_tier": 3}},
     "Frontline weighed an escalation to tier 3 and chose workaround"),
    ("time_logged", {"after": "25 min", "detail": {"tier": 2}},
     "Frontline logged 25 min at tier 2"),
    ("time_deleted", {"before": "10 min", "detail": {}}, "Frontline removed 10 min"),
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
