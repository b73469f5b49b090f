"""Question sets: admins write a draft, publish it as versions 1, 2, ...; what a
ticket was asked never changes; every refusal names its field."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from frontline.demo import configuration
from frontline.demo.questions import CATEGORY_QUESTIONS, create_question_sets
from frontline.intake import questions
from frontline.intake.models import FactSource, QuestionSet, TicketFact
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category


def question(key: str, **fields: Any) -> dict[str, Any]:
    return {"key": key, "text": f"What is your {key}?", "why": f"The {key} tells us where to look.",
            **fields}


DATABASE = question("database", type="choice",
                    choices=["PostgreSQL", "Oracle", "SQL Server", "MySQL"], required=True)
ORACLE_VERSION = question("oracle-version", when={"database": "Oracle"})


@pytest.fixture
def standard(db: None) -> Category:
    return Category.objects.get(slug=STANDARD_CATEGORY)


def refusal(category: Category, actor: Any, rows: list[dict[str, Any]]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        questions.write_draft(actor, category, rows)
    return caught.value


def test_the_standard_category_always_exists(standard):
    assert standard.follow_up == "send"


def test_publishing_makes_version_one_then_two(ada, installation):
    questions.write_draft(ada, installation, [DATABASE])
    first = questions.publish(ada, installation)
    assert (first.version, first.published_by, first.published_at is not None) == (1, ada, True)
    questions.write_draft(ada, installation, [DATABASE, ORACLE_VERSION])
    second = questions.publish(ada, installation)
    assert second.version == 2
    assert questions.published(installation).version == 2
    assert [q.key for q in questions.published(installation).questions.all()] == [
        "database", "oracle-version"]


def test_editing_the_draft_after_publishing_leaves_version_one_as_it_was(ada, installation):
    questions.write_draft(ada, installation, [DATABASE])
    questions.publish(ada, installation)
    questions.write_draft(ada, installation, [question("database", text="Which database?")])
    version_one = questions.version_of(installation, 1)
    assert [(q.key, q.text, q.type) for q in version_one.questions.all()] == [
        ("database", "What is your database?", "choice")]
    assert questions.draft(installation).questions.get().text == "Which database?"
    assert questions.is_changed(installation)


def test_a_ticket_asked_with_version_one_still_reads_version_one(ada, installation, bobs_ticket):
    questions.write_draft(ada, installation, [DATABASE])
    version_one = questions.publish(ada, installation)
    TicketFact.objects.create(ticket=bobs_ticket, key="database", value="Oracle",
                              source=FactSource.FORM, question_set=version_one,
                              at=timezone.now())
    questions.write_draft(ada, installation, [question("db", text="Your database engine?")])
    questions.publish(ada, installation)
    fact = TicketFact.objects.get(ticket=bobs_ticket, key="database")
    assert fact.question_set.version == 1
    assert [(q.key, q.text) for q in fact.question_set.questions.all()] == [
        ("database", "What is your database?")]


def test_publish_refuses_an_empty_or_unchanged_draft(ada, installation):
    with pytest.raises(InvalidTransition, match="has no questions"):
        questions.publish(ada, installation)
    questions.write_draft(ada, installation, [DATABASE])
    questions.publish(ada, installation)
    assert not questions.is_changed(installation)
    with pytest.raises(InvalidTransition, match="the same as version 1"):
        questions.publish(ada, installation)
    assert QuestionSet.objects.filter(category=installation, version__isnull=False).count() == 1


def test_only_admins_write_and_publish(lena, vera, installation):
    for actor in (lena, vera):
        with pytest.raises(NotAllowed):
            questions.write_draft(actor, installation, [DATABASE])
        with pytest.raises(NotAllowed):
            questions.publish(actor, installation)


def test_nothing_published_reads_as_none_and_an_unknown_version_is_not_found(installation):
    assert questions.published(installation) is None
    assert questions.draft(installation) is None
    with pytest.raises(NotFound):
        questions.version_of(installation, 3)


def test_a_request_is_asked_the_standard_questions_first(ada, standard, installation):
    questions.write_draft(ada, standard, [question("product"), question("version")])
    questions.publish(ada, standard)
    questions.write_draft(ada, installation, [DATABASE])
    assert [q.key for q in questions.questions_for(installation)] == ["product", "version"]
    questions.publish(ada, installation)
    assert [q.key for q in questions.questions_for(installation)] == [
        "product", "version", "database"]
    assert [q.key for q in questions.questions_for(standard)] == ["product", "version"]
    assert [q.key for q in questions.questions_for(None)] == ["product", "version"]


@pytest.mark.parametrize(("rows", "field", "message"), [
    ([question("Data base")], "questions.0.key", "lower-case letters"),
    ([question("")], "questions.0.key", "needs a key"),
    ([question("x" * 51)], "questions.0.key", "at most 50"),
    ([question("db"), question("db")], "questions.1.key", "there twice"),
    ([question("db", text=" ")], "questions.0.text", "the text for customers is required"),
    ([question("db", why="")], "questions.0.why", "why we ask is required"),
    ([question("db", why="w" * 501)], "questions.0.why", "at most 500"),
    ([question("db", agent_text="a" * 501)], "questions.0.agent_text", "at most 500"),
    ([question("db", type="dropdown")], "questions.0.type", "not a question type"),
    ([question("db", type="choice")], "questions.0.choices", "give its choices"),
    ([question("db", type="choice", choices=["Oracle", "oracle "])], "questions.0.choices",
     "there twice"),
    ([question("db", type="choice", choices=["Oracle", ""])], "questions.0.choices", "empty"),
    ([question("db", type="multi_choice", choices=[1, 2])], "questions.0.choices", "a text"),
    ([question("db", choices=["Oracle"])], "questions.0.choices", "only choice"),
    ([question("db", required="maybe")], "questions.0.required", "not yes or no"),
    ([question("db", colour="red")], "questions.0.colour", "not a field"),
    ([question("db", when={"db": "x"})], "questions.0.when", "not an earlier question"),
    ([question("a", when={"b": "x"}), question("b")], "questions.0.when",
     "not an earlier question"),
    ([DATABASE, question("v", when={"database": "DB2"})], "questions.1.when",
     "not one of the answers"),
    ([question("ok", type="yes_no"), question("v", when={"ok": "maybe"})], "questions.1.when",
     "not one of the answers"),
    ([question("a"), question("v", when={"a": ""})], "questions.1.when", "needs a value"),
    ([question(f"q{n}") for n in range(101)], "questions", "at most 100"),
    ("not a list", "questions", "as a list"),
])
def test_every_refusal_names_its_field(ada, installation, rows, field, message):
    error = refusal(installation, ada, rows)
    assert error.field == field
    assert message in error.message
    assert questions.draft(installation) is None  # nothing half-written


def test_conditions_are_stored_as_the_choice_is_spelled(ada, installation):
    found = questions.write_draft(ada, installation, [
        DATABASE, question("ok", type="yes_no"),
        question("oracle-version", when={"database": "oracle", "ok": True})])
    assert found.questions.get(key="oracle-version").when == {"database": "Oracle", "ok": "yes"}


def test_the_desk_writes_choices_and_conditions_as_lines(ada, installation):
    found = questions.write_draft(ada, installation, [
        {**DATABASE, "choices": "PostgreSQL\n\nOracle\r\nMySQL\n"},
        question("oracle-version", when="database = Oracle\n")])
    assert found.questions.get(key="database").choices == ["PostgreSQL", "Oracle", "MySQL"]
    assert found.questions.get(key="oracle-version").when == {"database": "Oracle"}
    assert refusal(installation, ada, [question("v", when="database Oracle")]).field == (
        "questions.0.when")


def test_a_category_may_ask_on_standard_answers_but_not_ask_them_again(ada, standard,
                                                                       installation):
    questions.write_draft(ada, standard, [
        question("product", type="choice", choices=["Atlas Server", "Atlas Cloud"])])
    questions.publish(ada, standard)
    found = questions.write_draft(ada, installation, [
        question("installer", when={"product": "Atlas Server"})])
    assert found.questions.get().when == {"product": "Atlas Server"}
    error = refusal(installation, ada, [question("product")])
    assert (error.field, "standard questions" in error.message) == ("questions.0.key", True)


def test_the_standard_questions_cannot_name_another_categorys(ada, standard, installation):
    questions.write_draft(ada, installation, [DATABASE])
    questions.publish(ada, installation)
    assert refusal(standard, ada, [question("v", when={"database": "Oracle"})]).field == (
        "questions.0.when")


def test_writing_the_draft_replaces_it_in_order(ada, installation):
    questions.write_draft(ada, installation, [question("a"), question("b"), question("c")])
    found = questions.write_draft(ada, installation, [question("c"), question("a")])
    assert [(q.position, q.key) for q in found.questions.all()] == [(1, "c"), (2, "a")]
    assert QuestionSet.objects.filter(category=installation).count() == 1


def test_the_demo_question_sets_publish_as_version_one(ada):
    configuration.create_categories()
    create_question_sets(ada)
    create_question_sets(ada)  # safe to run again
    integrations = Category.objects.get(slug="integrations")
    asked = questions.questions_for(integrations)
    assert [q.key for q in asked][:2] == ["product", "version"]
    assert set(CATEGORY_QUESTIONS) <= set(Category.objects.values_list("slug", flat=True))
    assert all(questions.published(c).version == 1
               for c in Category.objects.filter(slug__in=CATEGORY_QUESTIONS))
    shown = [q.key for q in questions.applicable(asked, {"product": "Atlas Server",
                                                         "database": "Oracle"})]
    assert "oracle-version" in shown and "environment" in shown
    assert "database" not in [q.key for q in questions.applicable(asked, {"product": "Atlas "
                                                                                   "Cloud"})]
