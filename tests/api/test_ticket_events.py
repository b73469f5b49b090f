"""The API's timeline events carry the sentence staff read on the desk, from the
kind's declaration, beside the raw fields."""

from __future__ import annotations

from django.utils import timezone

from frontline.tickets.services.events import record_event


def test_an_event_carries_its_declared_sentence(api, lena, bobs_ticket):
    record_event(bobs_ticket, "escalated", actor=lena, at=timezone.now(), before=1, after=2,
                 reason="Crash in the export module", team="Specialists")
    timeline = api(lena).get(f"/tickets/{bobs_ticket.reference}").json()["timeline"]
    escalated = next(entry for entry in timeline if entry["kind"] == "escalated")
    assert escalated["text"] == ("Lena Level-One escalated to tier 2 (Specialists) (was tier 1)"
                                 " — Crash in the export module")
    assert (escalated["before"], escalated["after"]) == (1, 2)
    assert escalated["detail"]["team"] == "Specialists"
    created = next(entry for entry in timeline if entry["kind"] == "created")
    assert created["text"] == "Bob Standard opened the ticket via web"
