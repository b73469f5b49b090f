"""/api/v1/categories: staff read categories and their questions; admins write
the draft and publish it as the next version."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import field_errors

DATABASE = {"key": "database", "text": "Which database do you use?",
            "why": "Import errors differ by database.", "type": "choice",
            "choices": ["PostgreSQL", "Oracle", "SQL Server", "MySQL"], "required": True}
ORACLE = {"key": "oracle-version", "text": "Which Oracle release?",
          "why": "Oracle 12 and 19 treat empty strings differently.",
          "when": {"database": "Oracle"}, "agent_text": "Ask for the release, e.g. 19c."}


def put_questions(client: Any, slug: str, rows: list[dict[str, Any]]) -> Any:
    return client.put(f"/categories/{slug}/questions", {"questions": rows})


def test_staff_list_categories_with_standard_first(api, lena, installation):
    response = api(lena).get("/categories")
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0] == {"slug": "standard", "name": "Every request", "standard": True,
                        "description": items[0]["description"], "follow_up": "send",
                        "published_version": None}
    assert [i["slug"] for i in items] == ["standard", "installation"]


def test_ada_creates_reads_and_patches_a_category(api, ada):
    client = api(ada)
    response = client.post("/categories", {"name": "Import & export"})
    assert response.status_code == 201
    assert response.json()["slug"] == "import-export"
    assert response.json()["follow_up"] == "send"
    assert client.get("/categories/import-export").json()["name"] == "Import & export"
    response = client.patch("/categories/import-export", {"follow_up": "suggest"})
    assert (response.status_code, response.json()["follow_up"]) == (200, "suggest")


def test_agents_read_but_may_not_write(api, lena, installation):
    client = api(lena)
    assert client.get("/categories/installation").status_code == 200
    assert client.get("/categories/installation/questions").status_code == 200
    for response in (client.post("/categories", {"name": "Billing"}),
                     client.patch("/categories/installation", {"follow_up": "off"}),
                     put_questions(client, "installation", [DATABASE]),
                     client.post("/categories/installation/questions/publish")):
        assert response.status_code == 403
        assert response.json()["detail"] == "Only an admin may do this."


def test_an_unknown_slug_is_404(api, ada):
    client = api(ada)
    for response in (client.get("/categories/nope"), client.patch("/categories/nope", {}),
                     client.get("/categories/nope/questions"),
                     put_questions(client, "nope", [DATABASE]),
                     client.post("/categories/nope/questions/publish")):
        assert response.status_code == 404
        assert "No category 'nope'" in response.json()["detail"]


def test_nothing_published_reads_as_version_null(api, lena, installation):
    response = api(lena).get("/categories/installation/questions")
    assert response.json() == {"category": "installation", "version": None,
                               "published_at": None, "published_by": None, "questions": []}


def test_write_publish_and_read_versions(api, ada, lena, installation):
    client = api(ada)
    response = put_questions(client, "installation", [DATABASE, ORACLE])
    assert response.status_code == 200
    draft = response.json()
    assert draft["version"] is None
    assert [q["key"] for q in draft["questions"]] == ["database", "oracle-version"]
    assert api(lena).get("/categories/installation/questions").json()["version"] is None

    response = client.post("/categories/installation/questions/publish")
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["published_by"]) == (1, "ada")

    put_questions(client, "installation", [DATABASE])
    assert client.post("/categories/installation/questions/publish").json()["version"] == 2
    latest = api(lena).get("/categories/installation/questions").json()
    assert (latest["version"], len(latest["questions"])) == (2, 1)
    first = api(lena).get("/categories/installation/questions", {"version": 1}).json()
    assert first["questions"][1] == {
        "position": 2, "key": "oracle-version", "text": "Which Oracle release?",
        "agent_text": "Ask for the release, e.g. 19c.",
        "why": "Oracle 12 and 19 treat empty strings differently.", "type": "text",
        "required": False, "choices": [], "when": {"database": "Oracle"},
        "shown_when": "database is Oracle", "patterns": [], "keywords": {}}
    assert api(lena).get("/categories/installation/questions",
                         {"version": 3}).status_code == 404
    assert api(lena).get("/categories/installation").json()["published_version"] == 2


def test_publishing_an_unchanged_or_empty_draft_is_409(api, ada, installation):
    client = api(ada)
    response = client.post("/categories/installation/questions/publish")
    assert response.status_code == 409
    assert "has no questions" in response.json()["detail"]
    put_questions(client, "installation", [DATABASE])
    client.post("/categories/installation/questions/publish")
    response = client.post("/categories/installation/questions/publish")
    assert response.status_code == 409
    assert "the same as version 1" in response.json()["detail"]


def test_bad_questions_are_422_naming_the_field(api, ada, installation):
    client = api(ada)
    cases = [
        ([DATABASE, {**ORACLE, "when": {"database": "DB2"}}], "questions.1.when"),
        ([{**DATABASE, "choices": []}], "questions.0.choices"),
        ([{**DATABASE, "type": "dropdown"}], "questions.0.type"),
        ([{**DATABASE, "key": "Data base"}], "questions.0.key"),
        ([{"key": "db", "text": "Which?"}], "questions.0.why"),
        ([DATABASE, DATABASE], "questions.1.key"),
        ([{**DATABASE, "colour": "red"}], "questions.0.colour"),
        ([ORACLE], "questions.0.when"),
    ]
    for rows, field in cases:
        response = put_questions(client, "installation", rows)
        assert response.status_code == 422, (rows, response.json())
        assert field in field_errors(response), (field, response.json())
    response = client.put("/categories/installation/questions", {"questions": "all"})
    assert (response.status_code, list(field_errors(response))) == (422, ["questions"])


def test_bad_category_input_is_422(api, ada, installation):
    client = api(ada)
    response = client.patch("/categories/standard", {"slug": "every"})
    assert (response.status_code, field_errors(response)["slug"]) == (
        422, "The standard category's slug stays 'standard': its questions are found by it.")
    response = client.patch("/categories/installation", {"follow_up": "sometimes"})
    assert (response.status_code, list(field_errors(response))) == (422, ["follow_up"])
    response = client.post("/categories", {"name": "Installation"})
    assert (response.status_code, list(field_errors(response))) == (422, ["name"])


def test_the_endpoints_are_in_the_openapi_document(api):
    paths = api(None).client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/categories", "/api/v1/categories/{slug}",
            "/api/v1/categories/{slug}/questions",
            "/api/v1/categories/{slug}/questions/publish"} <= set(paths)
    assert set(paths["/api/v1/categories/{slug}/questions"]) == {"get", "put"}
