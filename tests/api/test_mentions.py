"""POST /api/v1/tickets/{reference}/messages answers whom a note's @mentions told."""

from __future__ import annotations


def test_a_note_posted_through_the_api_says_whom_it_told(api, lena, otto, dana, lenas_ticket):
    """Dana (tier 3) may not see the tier-1 ticket: the answer says she was not told."""
    response = api(lena).post(f"/tickets/{lenas_ticket.reference}/messages",
                              {"kind": "note", "body": "@dana @otto: Stacktrace im Anhang"})
    assert response.status_code == 201, response.json()
    assert response.json()["mentions"] == [{"username": "dana", "notified": False},
                                           {"username": "otto", "notified": True}]
    reply = api(lena).post(f"/tickets/{lenas_ticket.reference}/messages",
                           {"kind": "reply", "body": "Hi @otto is not a mention in a reply"})
    assert reply.json()["mentions"] == []
