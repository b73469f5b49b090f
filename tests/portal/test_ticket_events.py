"""The customer's page shows only the events whose kind has a customer sentence, in
those words; staff-only kinds (SLA, assignment, escalation) never."""

from __future__ import annotations

from django.utils import timezone

from frontline.tickets import access
from frontline.tickets.services.events import record_event


def test_the_customer_sees_status_words_and_no_staff_only_events(client, lena, bobs_ticket):
    now = timezone.now()
    record_event(bobs_ticket, "assigned", actor=lena, at=now, after="lena")
    record_event(bobs_ticket, "sla_breach", at=now, target="first_response",
                 due=now.isoformat(), formal=True)
    record_event(bobs_ticket, "escalated", actor=lena, at=now, before=1, after=2,
                 reason="Needs a specialist")
    record_event(bobs_ticket, "status_changed", actor=lena, at=now, before="new",
                 after="pending_customer")
    html = client.get(access.ticket_path(bobs_ticket, bobs_ticket.requester)).content.decode()
    assert "We asked you for something" in html
    for staff_only in ("assigned", "SLA", "breach", "escalated", "specialist"):
        assert staff_only not in html
