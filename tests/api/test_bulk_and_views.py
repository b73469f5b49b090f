"""`POST /tickets/bulk` and `/views` (issue 12): per-ticket results, refusals
reported beside the changes; saved views with their counts."""

from __future__ import annotations

from frontline import workflow
from frontline.tickets.models import Event, Ticket
from frontline.workflow.bulk import MAX_TICKETS
from tests.api.conftest import field_errors


def open_requests() -> list[Ticket]:
    return [
        workflow.open_ticket(requester_email="ines@standard.example",
                             subject="Conexión rechazada tras actualizar",
                             body="El servidor rechaza la conexión desde ayer."),
        workflow.open_ticket(requester_email="tom@premium.example",
                             subject="CSV import drops the last row",
                             body="Every import of our price list misses one line. " * 4),
        workflow.open_ticket(requester_email="ada.l@standard.example", subject="Quick q",
                             body="Where is the audit log?"),
    ]


def test_bulk_answers_one_result_per_ticket(api, lena, otto, initech, globex):
    tickets = open_requests()
    workflow.change_status(tickets[2], lena, "resolved")
    workflow.change_status(tickets[2], lena, "closed")
    refs = [t.reference for t in tickets] + ["FL-424242", tickets[0].reference]
    response = api(lena).post("/tickets/bulk", {
        "references": refs, "changes": {"assignee": "otto", "status": "pending_internal"}})
    assert response.status_code == 200
    body = response.json()
    assert [r["reference"] for r in body["results"]] == refs[:4]  # a repeat counts once
    assert [r["result"] for r in body["results"]] == ["changed", "changed", "refused",
                                                      "refused"]
    closed, missing = body["results"][2:]
    assert closed["status"] == 409 and closed["detail"]
    assert missing["status"] == 404 and "FL-424242" in missing["detail"]
    assert (body["changed"], body["refused"]) == (2, 2)
    for ticket in tickets[:2]:
        ticket.refresh_from_db()
        assert ticket.assignee == otto and ticket.status == "pending_internal"
        assert Event.objects.filter(ticket=ticket, kind="assigned").count() == 1
    tickets[2].refresh_from_db()
    assert tickets[2].assignee is None


def test_bulk_refusals_for_the_whole_request_are_422(api, lena, initech, globex):
    tickets = open_requests()
    refs = [t.reference for t in tickets]
    client = api(lena)
    too_many = client.post("/tickets/bulk", {
        "references": [f"FL-{10001 + i}" for i in range(MAX_TICKETS + 1)],
        "changes": {"priority": "low"}})
    assert too_many.status_code == 422
    assert str(MAX_TICKETS) in field_errors(too_many)["references"]
    typo = client.post("/tickets/bulk", {"references": refs, "changes": {"prio": "low"}})
    assert typo.status_code == 422
    nobody = client.post("/tickets/bulk", {"references": refs,
                                           "changes": {"assignee": "no-such-person"}})
    assert nobody.status_code == 422 and "assignee" in field_errors(nobody)
    null = client.post("/tickets/bulk", {"references": refs, "changes": {"status": None}})
    assert null.status_code == 422 and "changes.status" in field_errors(null)
    assert Event.objects.filter(kind="priority_changed").count() == 0


def test_a_viewer_hears_403_for_each_ticket(api, vera, initech, globex):
    tickets = open_requests()
    body = api(vera).post("/tickets/bulk", {"references": [t.reference for t in tickets],
                                            "changes": {"priority": "urgent"}}).json()
    assert {r["status"] for r in body["results"]} == {403}
    assert body["changed"] == 0


def test_bulk_merge_into_a_chosen_ticket(api, lena, initech, globex):
    first, second, third = open_requests()
    body = api(lena).post("/tickets/bulk", {
        "references": [first.reference, second.reference],
        "changes": {"merge_into": third.reference, "confirm_other_customer": True}}).json()
    assert body["results"][0] == {"reference": third.reference, "result": "kept",
                                  "status": 200, "detail": None, "field": None}
    assert {r["result"] for r in body["results"][1:]} == {"merged"}
    assert Ticket.objects.filter(merged_into=third).count() == 2


def test_saved_views_list_create_and_delete(api, lena, otto, initech, globex):
    tickets = open_requests()
    workflow.change_status(tickets[1], lena, "resolved")
    client = api(lena)
    created = client.post("/views", {"name": "Gelöst", "queue": "open",
                                     "query": "status=resolved&tier=7"})
    assert created.status_code == 201
    view = created.json()
    assert (view["query"], view["url"], view["count"], view["shared"]) == (
        "status=resolved", "/q/open?status=resolved", 1, False)
    shared = client.post("/views", {"name": "Tier one", "queue": "tier1", "shared": True})
    assert shared.json()["count"] == 2
    listed = client.get("/views").json()["items"]
    assert [v["name"] for v in listed] == ["Tier one", "Gelöst"]  # shared first
    assert [v["name"] for v in api(otto).get("/views").json()["items"]] == ["Tier one"]
    again = client.post("/views", {"name": "Gelöst", "queue": "mine"})
    assert again.status_code == 422 and "name" in field_errors(again)
    bad_queue = client.post("/views", {"name": "X", "queue": "everything"})
    assert bad_queue.status_code == 422 and "queue" in field_errors(bad_queue)
    assert api(otto).client.delete(f"/api/v1/views/{view['id']}").status_code == 404
    shared_id = shared.json()["id"]
    renamed = client.patch(f"/views/{view['id']}", {"name": "Erledigt"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Erledigt"
    assert api(otto).patch(f"/views/{shared_id}", {"name": "Mine now"}).status_code == 403
    clash = client.patch(f"/views/{view['id']}", {"name": "Erledigt\x00"})
    assert clash.status_code == 422
    assert api(otto).client.delete(f"/api/v1/views/{shared_id}").status_code == 403
    assert client.client.delete(f"/api/v1/views/{view['id']}").status_code == 204
    assert [v["name"] for v in client.get("/views").json()["items"]] == ["Tier one"]
    assert client.client.delete(f"/api/v1/views/{view['id']}").status_code == 404
