"""The API's timeline events carry the sentence staff read on the desk, from the
kind's declaration, beside the raw fields."""

from __future__ import annotations

from django.utils import timezone

from frontline.routing.escalation import escalate
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


def test_an_automatic_change_says_so_in_its_text_and_its_actor(api, lena, otto, lenas_ticket):
    """Escalated to Specialists, who assign by hand: nobody unassigned Lena, the team's
    mode did, and the API's sentence reads like the desk's."""
    escalate(lenas_ticket, lena, 2, reason="Crash in the export module", tried="Logs read")
    timeline = api(otto).get(f"/tickets/{lenas_ticket.reference}").json()["timeline"]
    unassigned = [entry for entry in timeline
                  if entry["kind"] == "assigned" and entry["after"] is None]
    assert [entry["text"] for entry in unassigned] == [
        "Automatically unassigned Lena Level-One — moved to tier 2: Specialists assigns by hand"]
    assert unassigned[0]["actor"]["automatic"] is True
    assert unassigned[0]["actor"]["username"] is None
    # Lena's own escalation is hers, not automatic.
    escalated = next(entry for entry in timeline if entry["kind"] == "escalated")
    assert escalated["actor"] == {"name": "Lena Level-One", "username": "lena",
                                  "contact_id": None, "automatic": False}
