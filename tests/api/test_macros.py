"""/api/v1/macros and /api/v1/tickets/{ref}/macros/{id}: every endpoint, and who
sees and keeps which macro (someone else's personal macro is a 404)."""

from __future__ import annotations

import pytest

from frontline.kb.models import Macro
from tests.api.conftest import PREFIX, field_errors
from tests.factories import TeamFactory


@pytest.fixture
def escalations(db):
    return TeamFactory(name="Eskalation", tier=1)


def _create(client, **body):
    response = client.post("/macros", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_an_agent_creates_lists_changes_and_deletes_a_personal_macro(api, lena,
                                                                     escalations) -> None:
    client = api(lena)
    created = _create(client, title="Bitte Logs senden",
                      body="Hallo {{ customer.first_name }}, bitte senden Sie die Logs.",
                      status="pending_customer", team="Eskalation", tags=["logs", "de"])
    assert created["owner"] == "lena" and created["shared"] is False
    assert (created["status"], created["team"], created["tags"]) == \
        ("pending_customer", "Eskalation", ["logs", "de"])
    listed = client.get("/macros").json()["items"]
    assert [m["id"] for m in listed] == [created["id"]]
    assert client.get("/macros", {"q": "logs senden"}).json()["items"][0]["id"] == created["id"]
    assert client.get("/macros", {"q": "refund"}).json()["items"] == []

    changed = client.patch(f"/macros/{created['id']}", {"title": "Logs, bitte",
                                                          "team": None, "status": None})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["team"], changed.json()["status"]) == \
        ("Logs, bitte", None, None)
    deleted = client.client.delete(f"{PREFIX}/macros/{created['id']}")
    assert deleted.status_code == 204
    assert not Macro.objects.exists()


def test_personal_macros_are_invisible_to_everyone_else(api, lena, otto, ada,
                                                        bobs_ticket) -> None:
    mine = _create(api(lena), title="Lena's greeting", body="Moin {{ customer.first_name }}")
    for other in (otto, ada):
        client = api(other)
        assert client.get("/macros").json()["items"] == []
        assert client.patch(f"/macros/{mine['id']}", {"title": "x"}).status_code == 404
        assert client.client.delete(f"{PREFIX}/macros/{mine['id']}").status_code == 404
        applied = client.post(f"/tickets/{bobs_ticket.reference}/macros/{mine['id']}")
        assert applied.status_code == 404
    assert Macro.objects.get().title == "Lena's greeting"


def test_shared_macros_are_kept_by_admins_and_used_by_all(api, ada, lena, otto) -> None:
    refused = api(lena).post("/macros", {"title": "Welcome", "body": "Hi", "shared": True})
    assert refused.status_code == 403
    shared = _create(api(ada), title="Welcome", body="Hi {{ customer.first_name }}",
                     shared=True)
    assert shared["owner"] is None and shared["shared"] is True
    assert [m["title"] for m in api(otto).get("/macros").json()["items"]] == ["Welcome"]
    assert api(otto).patch(f"/macros/{shared['id']}", {"body": "Yo"}).status_code == 403
    assert api(otto).client.delete(f"{PREFIX}/macros/{shared['id']}").status_code == 403
    assert api(ada).patch(f"/macros/{shared['id']}", {"body": "Hello"}).json()["body"] == \
        "Hello"


def test_bad_input_is_a_422_naming_the_field(api, lena) -> None:
    client = api(lena)
    unknown = client.post("/macros", {"title": "Typo", "body": "Hi {{ customer.frist_name }}"})
    assert unknown.status_code == 422
    assert "Unknown placeholder {{ customer.frist_name }}" in field_errors(unknown)["body"]
    assert client.post("/macros", {"title": "", "body": "x"}).status_code == 422
    assert client.post("/macros", {"title": "S", "body": "x", "status": "later"}
                       ).status_code == 422
    assert client.post("/macros", {"title": "S", "body": "x", "colour": "red"}
                       ).status_code == 422
    nobody = client.post("/macros", {"title": "S", "body": "x", "assignee": "ghost"})
    assert "assignee" in field_errors(nobody)
    made = _create(client, title="Fine", body="ok")
    nulled = client.patch(f"/macros/{made['id']}", {"title": None})
    assert field_errors(nulled) == {"title": "This field cannot be null."}
    assert client.patch("/macros/999999", {"title": "x"}).status_code == 404


def test_applying_renders_the_text_and_reports_the_changes(api, lena, lenas_ticket,
                                                           escalations) -> None:
    client = api(lena)
    macro = _create(client, title="Escalate", team="Eskalation", tags=["vip"],
                    body="Hi {{ customer.first_name }}, {{ ticket.reference }} is with our "
                         "specialists. Version: {{ fact.version }}")
    response = client.post(f"/tickets/{lenas_ticket.reference}/macros/{macro['id']}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == (f"Hi Bob, {lenas_ticket.reference} is with our specialists. "
                            "Version: [version unknown]")
    assert body["changes"] == [{"field": "team", "before": "Frontdesk", "after": "Eskalation"},
                               {"field": "tags", "before": [], "after": ["vip"]}]
    assert body["warnings"] == [] and body["ticket"] == lenas_ticket.reference
    # Nothing was sent: the agent sends the text.
    assert not lenas_ticket.messages.filter(kind="outbound").exists()


def test_applying_needs_the_right_to_change_the_ticket(api, ada, vera, dana, lena,
                                                       bobs_ticket) -> None:
    shared = _create(api(ada), title="Pending", body="Waiting on you.", shared=True,
                     status="pending_customer")
    path = f"/tickets/{bobs_ticket.reference}/macros/{shared['id']}"
    assert api(vera).post(path).status_code == 403
    assert api(dana).post(path).status_code == 403
    assert api(lena).post("/tickets/FL-999999/macros/" + str(shared["id"])).status_code == 404
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.status == "new"
    assert api(lena).post(path).json()["changes"] == [
        {"field": "status", "before": "new", "after": "pending_customer"}]


def test_the_openapi_document_describes_the_macro_endpoints(api, lena) -> None:
    schema = api(lena).client.get(f"{PREFIX}/openapi.json").json()
    paths = schema["paths"]
    assert set(paths[f"{PREFIX}/macros"]) == {"get", "post"}
    assert set(paths[f"{PREFIX}/macros/{{macro_id}}"]) == {"patch", "delete"}
    assert "post" in paths[f"{PREFIX}/tickets/{{reference}}/macros/{{macro_id}}"]
    assert {"AppliedMacroOut", "MacroOut", "MacroIn"} <= set(schema["components"]["schemas"])
