"""Answers to a request's questions, as the form, the phone script, the answer
page and the API receive them: checked against each question's type, all errors
at once, nothing the customer typed dropped.

    checked = check_answers(questions_for(category), {"product": "Ledger", ...})
    checked.values   {key: "text"}       what to record, for the questions that apply
    checked.errors   {key: "message"}    one message per question that is not right
    checked.asked    [Question]          the questions that apply, given these answers
    checked.given    [FactInput]         the values as facts, each with its question set

Pure (no queries): the questions are handed in, so the public form can check an
answer each time the customer moves on without asking the database again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from frontline.intake.facts import MAX_VALUE, FactInput
from frontline.intake.models import Question, QuestionType
from frontline.intake.questions import YES_NO, applicable

MAX_TEXT_ANSWER = 1_000
MAX_VERSION = 50
# "5.1", "v5.1.2", "2024.3 LTS", "19c": a version names a number.
_VERSION = re.compile(r"^[vV]?\d[\w.+-]*(?: [\w.+-]+){0,3}$")
_YES = {"yes", "y", "true", "1", "on", "ja", "j"}
_NO = {"no", "n", "false", "0", "off", "nein"}


@dataclass
class Checked:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    asked: list[Question] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def given(self) -> list[FactInput]:
        sets = {question.key: question.question_set for question in self.asked}
        return [FactInput(key, value, asked_with=sets.get(key))
                for key, value in self.values.items()]


def _as_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list | tuple | set | frozenset):
        return [str(item).strip() for item in raw if str(item).strip()]
    text = str(raw).strip()
    return [text] if text else []


def _choice(question: Question, answer: str) -> str | None:
    wanted = " ".join(answer.split()).casefold()
    return next((choice for choice in question.choices
                 if " ".join(str(choice).split()).casefold() == wanted), None)


def check_answer(question: Question, raw: Any) -> tuple[str, str]:
    """(value, error) for one answer; value "" when there is none."""
    kind = question.type
    if kind == QuestionType.MULTI_CHOICE:
        picked = _as_list(raw)
        found = [_choice(question, each) for each in picked]
        unknown = [each for each, choice in zip(picked, found, strict=True) if choice is None]
        if unknown:
            return "", f"\u201c{unknown[0]}\u201d is not one of the choices."
        return ", ".join(dict.fromkeys(choice for choice in found if choice)), ""
    items = _as_list(raw)
    if len(items) > 1 and kind != QuestionType.FILE:
        return "", "Give one answer."
    answer = items[0] if items else ""
    if not answer:
        return "", ""
    if kind == QuestionType.CHOICE:
        choice = _choice(question, answer)
        return (choice, "") if choice else ("", f"\u201c{answer}\u201d is not one of the choices.")
    if kind == QuestionType.YES_NO:
        word = answer.casefold()
        if word in _YES:
            return YES_NO[0], ""
        if word in _NO:
            return YES_NO[1], ""
        return "", "Answer yes or no."
    if kind == QuestionType.VERSION:
        version = " ".join(answer.split())
        if len(version) > MAX_VERSION or not _VERSION.match(version):
            return "", "Give a version number, such as 5.1 or 5.1.2."
        return version, ""
    if kind == QuestionType.FILE:
        return ", ".join(items)[:MAX_TEXT_ANSWER], ""
    limit = MAX_VALUE if kind == QuestionType.LONG_TEXT else MAX_TEXT_ANSWER
    if len(answer) > limit:
        return "", f"Keep it under {limit:,} characters (this is {len(answer):,})."
    return answer, ""


def check_answers(questions: Sequence[Question], raw: Mapping[str, Any], *,
                  require: bool = True, known: Mapping[str, str] | None = None) -> Checked:
    """Check `raw` ({key: answer}) against the questions that apply to it.

    Answers to questions that do not apply (a condition no longer holds) are left
    out. `known`: facts the ticket already has; they count for the conditions and
    for what is required, and are not asked again. `require`: whether a required
    question left unanswered is an error (the customer's form) or not (an agent on
    the phone notes what the caller knows).
    """
    known = dict(known or {})
    checked = Checked()
    so_far: dict[str, object] = dict(known)
    for question in questions:
        if not applicable_now(question, so_far, checked.asked):
            continue
        checked.asked.append(question)
        value, error = check_answer(question, raw.get(question.key))
        if error:
            checked.errors[question.key] = error
            so_far[question.key] = raw.get(question.key)
            continue
        if value:
            checked.values[question.key] = value
            so_far[question.key] = (value.split(", ") if question.type == QuestionType.MULTI_CHOICE
                                    else value)
        elif require and question.required and not known.get(question.key):
            checked.errors[question.key] = "Please answer this question."
    return checked


def applicable_now(question: Question, answers: Mapping[str, object],
                   asked: Sequence[Question]) -> bool:
    """Whether `question` applies after the questions `asked` before it (the rule
    of questions.applicable, one question at a time)."""
    return bool(applicable([*asked, question], answers)[-1:] == [question])
