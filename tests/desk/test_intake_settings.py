"""The desk's categories and questions: admins edit the draft question by
question, preview it as the customer sees it, and publish it."""

from __future__ import annotations

from typing import Any

import pytest

from frontline.intake import questions
from frontline.tickets.taxonomy import Category

DATABASE = {"key": "database", "type": "choice", "text": "Which database do you use?",
            "why": "Import errors differ by database.",
            "choices": "PostgreSQL\nOracle\nSQL Server\nMySQL", "required": "on"}
ORACLE = {"key": "oracle-version", "type": "version", "text": "Which Oracle release?",
          "why": "Oracle 12 and 19 treat empty strings differently.",
          "when": "database = Oracle"}

PAGES = ["/settings/categories", "/settings/categories/standard",
         "/settings/categories/standard/preview"]


def keys(category: Category) -> list[str]:
    return [q.key for q in questions.draft_questions(category)]


@pytest.mark.parametrize("path", PAGES)
def test_only_admins_open_the_pages(signed_in, lena, vera, ada, path):
    for user in (lena, vera):
        response = signed_in(user).get(path)
        assert response.status_code == 403
        assert "Only an admin may do this." in response.content.decode()
    assert signed_in(ada).get(path).status_code == 200


def test_the_hub_links_the_categories(signed_in, ada):
    assert 'href="/settings/categories"' in signed_in(ada).get("/settings/support").content.decode()


def test_the_list_shows_follow_up_and_published_version(signed_in, ada, installation):
    questions.write_draft(ada, installation, [{**DATABASE, "required": True}])
    questions.publish(ada, installation)
    page = signed_in(ada).get("/settings/categories").content.decode()
    assert "Every request" in page and "not published" in page
    assert "version 1" in page
    assert "Send automatically" in page


def test_an_unknown_category_is_404(signed_in, ada):
    assert signed_in(ada).get("/settings/categories/nope").status_code == 404


def test_ada_adds_a_category_and_a_refusal_keeps_what_she_typed(signed_in, ada):
    client = signed_in(ada)
    response = client.post("/settings/categories", {"name": "Import & export", "slug": "Two words",
                                                    "follow_up": "suggest"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "may hold only lower-case letters" in page
    assert 'value="Import &amp; export"' in page
    response = client.post("/settings/categories", {"name": "Import & export", "slug": "",
                                                    "follow_up": "suggest"}, follow=True)
    assert response.redirect_chain[-1][0] == "/settings/categories/import-export"
    assert Category.objects.get(slug="import-export").follow_up == "suggest"


def test_ada_changes_a_categorys_follow_up(signed_in, ada, installation):
    response = signed_in(ada).post("/settings/categories/installation", {
        "name": "Installation", "slug": "installation", "description": "", "follow_up": "off"})
    assert response.status_code == 302
    installation.refresh_from_db()
    assert installation.follow_up == "off"


def test_ada_adds_edits_moves_removes_and_publishes_questions(signed_in, ada, installation):
    client = signed_in(ada)
    base = "/settings/categories/installation"
    assert client.post(f"{base}/questions", DATABASE).status_code == 302
    assert client.post(f"{base}/questions", ORACLE).status_code == 302
    assert client.post(f"{base}/questions", {**ORACLE, "key": "os", "type": "text",
                                             "when": ""}).status_code == 302
    assert keys(installation) == ["database", "oracle-version", "os"]

    page = client.get(base).content.decode()
    assert "Shown when database is Oracle" in page
    assert "Why we ask:</span> Import errors differ by database." in page
    assert "Publish as version 1" in page

    # Moving the Oracle question above the database question would ask it first: refused.
    response = client.post(f"{base}/questions/oracle-version/up")
    assert response.status_code == 422
    assert "not an earlier question" in response.content.decode()
    assert client.post(f"{base}/questions/os/up").status_code == 302
    assert keys(installation) == ["database", "os", "oracle-version"]

    edit = client.get(f"{base}/questions/os").content.decode()
    assert 'action="/settings/categories/installation/questions/os"' in edit
    response = client.post(f"{base}/questions/os", {**DATABASE, "key": "os", "type": "yes_no"})
    assert response.status_code == 422
    assert "only choice and multi-choice questions have choices" in response.content.decode()
    assert 'aria-invalid="true">PostgreSQL' in response.content.decode()
    assert client.post(f"{base}/questions/os", {**DATABASE, "key": "os", "choices": "",
                                                "type": "long_text"}).status_code == 302

    response = client.post(f"{base}/publish", follow=True)
    assert "Published version 1" in response.content.decode()
    assert questions.published(installation).version == 1

    assert client.post(f"{base}/questions/database/remove").status_code == 422  # oracle asks
    assert client.post(f"{base}/questions/oracle-version/remove").status_code == 302
    assert keys(installation) == ["database", "os"]
    assert len(questions.version_of(installation, 1).questions.all()) == 3


def test_publishing_an_unchanged_draft_shows_why_not(signed_in, ada, installation):
    response = signed_in(ada).post("/settings/categories/installation/publish")
    assert response.status_code == 409
    assert "has no questions" in response.content.decode()


def test_the_preview_shows_questions_as_the_customer_sees_them(signed_in, ada, installation):
    standard = Category.objects.get(slug="standard")
    questions.write_draft(ada, standard, [
        {"key": "impact", "type": "choice", "choices": ["Just me", "Everyone"],
         "text": "Who is affected?", "why": "Outages for everyone come first."}])
    questions.publish(ada, standard)
    rows: list[dict[str, Any]] = [
        {**DATABASE, "required": True, "choices": DATABASE["choices"].split("\n")},
        {**ORACLE, "when": {"database": "Oracle"}},
        {"key": "steps", "type": "long_text", "text": "What did you do?", "why": "To repeat it."},
        {"key": "log", "type": "file", "text": "The installer log", "why": "It says where."},
        {"key": "fresh", "type": "yes_no", "text": "A fresh install?", "why": "Upgrades differ."},
    ]
    questions.write_draft(ada, installation, rows)
    page = signed_in(ada).get("/settings/categories/installation/preview").content.decode()
    assert page.index("Who is affected?") < page.index("Which database do you use?")
    assert 'type="radio" name="database" value="Oracle"' in page
    assert "Shown when database is Oracle" in page
    assert "Why we ask: Import errors differ by database." in page
    assert '<textarea id="pq-steps"' in page
    assert 'type="file" id="pq-log"' in page
    assert 'name="fresh" value="yes"' in page
