"""Which questions a customer is asked, given the answers so far (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from frontline.intake.questions import applicable, condition_text, matches, when_lines


@dataclass(frozen=True)
class Asked:
    key: str
    when: dict[str, Any] = field(default_factory=dict)


PRODUCT = Asked("product")
DATABASE = Asked("database", {"product": "Atlas Server"})
ORACLE_VERSION = Asked("oracle-version", {"database": "Oracle"})
IMPACT = Asked("impact")
WORKAROUND = Asked("workaround", {"impact": "everyone", "product": "Atlas Server"})
FORM = [PRODUCT, DATABASE, ORACLE_VERSION, IMPACT, WORKAROUND]


def keys(answers: dict[str, object]) -> list[str]:
    return [q.key for q in applicable(FORM, answers)]


def test_questions_without_conditions_are_always_asked():
    assert keys({}) == ["product", "impact"]


def test_a_condition_met_shows_its_question():
    assert keys({"product": "Atlas Server"}) == ["product", "database", "impact"]


def test_a_chain_shows_as_each_link_is_answered():
    assert keys({"product": "Atlas Server", "database": "Oracle"}) == [
        "product", "database", "oracle-version", "impact"]


def test_a_skipped_question_takes_its_dependants_along():
    """Bob first said Atlas Server and Oracle, then changed the product: the Oracle
    question goes, although the old database answer is still in the form."""
    assert keys({"product": "Atlas Cloud", "database": "Oracle"}) == ["product", "impact"]


def test_every_condition_of_a_question_must_hold():
    assert "workaround" not in keys({"product": "Atlas Cloud", "impact": "everyone"})
    assert "workaround" in keys({"product": "Atlas Server", "impact": "Everyone "})


def test_answers_match_ignoring_case_spaces_lists_and_yes_no():
    assert matches(" oracle ", "Oracle")
    assert matches(["PostgreSQL", "Oracle"], "Oracle")
    assert matches(True, "yes") and matches(False, "no") and not matches(True, "no")
    assert not matches("", "") and not matches(None, "Oracle") and not matches([], "Oracle")


def test_a_condition_reads_as_a_sentence_and_as_form_lines():
    assert condition_text({"database": "Oracle", "impact": "everyone"}) == (
        "database is Oracle and impact is everyone")
    assert condition_text({}) == ""
    assert when_lines({"database": "Oracle", "ok": True}) == "database = Oracle\nok = yes"


VALUES = st.sampled_from(["a", "b", "c", "A ", True, False])


@st.composite
def question_sets(draw: st.DrawFn) -> list[Asked]:
    """Up to 12 questions, each conditioned on a few earlier ones (or on a key
    nobody asks, which can never be met)."""
    count = draw(st.integers(min_value=0, max_value=12))
    made: list[Asked] = []
    for index in range(count):
        earlier = [q.key for q in made] + ["nobody"]
        names = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True))
        when = {name: draw(st.sampled_from(["a", "b", "yes"])) for name in names}
        made.append(Asked(f"q{index}", when))
    return made


def reference(questions: list[Asked], answers: dict[str, object]) -> list[Asked]:
    """The definition, recursively: a question is asked when each key it names is a
    question asked (before it) whose answer matches."""
    by_key = {q.key: q for q in questions}

    def asked(question: Asked) -> bool:
        return all(key in by_key and by_key[key] is not question
                   and questions.index(by_key[key]) < questions.index(question)
                   and asked(by_key[key]) and matches(answers.get(key), value)
                   for key, value in question.when.items())

    return [q for q in questions if asked(q)]


@given(question_sets(), st.dictionaries(st.sampled_from([f"q{n}" for n in range(12)]), VALUES))
def test_applicable_agrees_with_the_definition(questions, answers):
    found = applicable(questions, answers)
    assert found == reference(questions, answers)
    # In order, a subsequence, and every unconditional question is there.
    assert [q for q in questions if q in found] == found
    assert all(q in found for q in questions if not q.when)


@given(question_sets(), st.dictionaries(st.sampled_from([f"q{n}" for n in range(12)]), VALUES),
       st.sampled_from([f"q{n}" for n in range(12)]))
def test_forgetting_an_answer_never_shows_more_questions(questions, answers, key):
    fewer = {k: v for k, v in answers.items() if k != key}
    assert set(map(id, applicable(questions, fewer))) <= set(map(id, applicable(questions,
                                                                                 answers)))
