"""Question sets: write a category's draft, publish it as the next version, and
read which questions a request is asked.

A category's questions are edited as one draft (the QuestionSet without a
version) and published as version 1, 2, ...; a published version is never
written again, so a ticket that records the version it was asked with reads the
same questions years later. Publishing copies the draft; the draft stays, so
the next edit starts from what was published.

Every request is asked the questions of the category `standard` first, then its
own category's (questions_for). A question may be shown only when earlier
answers match (`when`, {"key": value}, every pair must hold); `applicable`
works that out from the answers given so far, without the database, so the
public form, the phone script and the follow-up all ask the same questions.

A question may also say how its fact is read from what the customer writes:
`patterns`, regular expressions (the first group, or the whole match, is the
value; each refused here when the extractor would not run it, see
extract.check_pattern), and `keywords`, {value: [keyword, ...]} ("Oracle":
["ora", "oracle db"]). Customers never see either.

Writing is for admins (core.permissions.check_is_admin), like the rest of the
configuration. Each write locks the category's row, so two admins editing the
same set are applied one after the other, never interleaved.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from frontline.core import inputs, permissions
from frontline.core.errors import InvalidInput, InvalidTransition, NotFound
from frontline.core.models import User
from frontline.intake import extract
from frontline.intake.models import Question, QuestionSet, QuestionType
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category

MAX_QUESTIONS = 100
MAX_CHOICES = 50
MAX_CHOICE = 200
MAX_CONDITIONS = 5
MAX_CONDITION_VALUE = 200
# The columns' lengths (intake.models.Question).
MAX_KEY = 50
MAX_TEXT = 500

# How a question reads its fact from the customer's text (frontline.intake.extract):
# regular expressions, and keywords that give a value.
MAX_PATTERNS = 10
MAX_PATTERN = extract.MAX_PATTERN
MAX_KEYWORD_VALUES = 50
MAX_KEYWORD_VALUE = 200
MAX_KEYWORDS = 20
MAX_KEYWORD = 100

QUESTION_FIELDS = ("key", "text", "agent_text", "why", "type", "required", "choices", "when",
                   "patterns", "keywords")
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)
# A yes/no question is a choice question with these two answers.
YES_NO = ("yes", "no")

_KEY = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


class Asked(Protocol):
    """What `applicable` reads of a question: a Question row, or anything shaped like one."""

    @property
    def key(self) -> str: ...

    @property
    def when(self) -> Mapping[str, Any]: ...


AskedT = TypeVar("AskedT", bound=Asked)


# -- reading -----------------------------------------------------------------------------


def _with_questions() -> Prefetch[Any]:
    return Prefetch("questions", queryset=Question.objects.order_by("position"))


def published(category: Category, version: int | None = None) -> QuestionSet | None:
    """The category's latest published version (or version `version`), its
    questions loaded; None when there is none."""
    sets = QuestionSet.objects.filter(category=category, version__isnull=False)
    if version is not None:
        sets = sets.filter(version=version)
    return (sets.select_related("published_by").prefetch_related(_with_questions())
            .order_by("-version").first())


def version_of(category: Category, version: int) -> QuestionSet:
    """Version `version` of the category's questions, as a ticket that recorded it
    reads it; NotFound when it was never published."""
    found = published(category, version)
    if found is None:
        raise NotFound(f"{category.name} has no version {version} of its questions.")
    return found


def draft(category: Category) -> QuestionSet | None:
    """The category's draft with its questions; None when it was never written."""
    return (QuestionSet.objects.filter(category=category, version__isnull=True)
            .prefetch_related(_with_questions()).first())


def draft_questions(category: Category) -> list[Question]:
    """What the draft holds, to edit: the draft's questions, or the published
    version's when no draft was written."""
    found = draft(category) or published(category)
    return list(found.questions.all()) if found is not None else []


def is_changed(category: Category) -> bool:
    """Whether the draft differs from the latest published version (what Publish would do)."""
    found = draft(category)
    if found is None:
        return False
    latest = published(category)
    return _content(found.questions.all()) != (
        _content(latest.questions.all()) if latest is not None else [])


# Every ticket opened asks which questions apply (the batched mail import opens
# thousands a minute). A published version never changes, so a process keeps the
# answer per category for a few seconds; a publish in this process drops it at
# once, other processes see it within CACHE_SECONDS.
CACHE_SECONDS = 30.0
_asked: dict[int | None, tuple[float, list[Question]]] = {}


def clear_cache() -> None:
    _asked.clear()


def questions_for(category: Category | None) -> list[Question]:
    """The questions a request in `category` is asked, in order: the standard
    category's published questions, then the category's own (once when the
    category is the standard one). A key the standard questions already ask is
    not asked again (write_draft refuses it; this guards a standard set
    published later)."""
    key = category.pk if category is not None else None
    now = time.monotonic()
    held = _asked.get(key)
    if held is not None and now - held[0] < CACHE_SECONDS:
        return list(held[1])
    asked = _questions_for(category)
    _asked[key] = (now, asked)
    return list(asked)


def _questions_for(category: Category | None) -> list[Question]:
    standard = Category.objects.filter(slug=STANDARD_CATEGORY).first()
    sets = [standard] if standard is not None else []
    if category is not None and category.pk not in {c.pk for c in sets}:
        sets.append(category)
    asked: list[Question] = []
    seen: set[str] = set()
    for each in sets:
        found = published(each)
        for question in (found.questions.all() if found is not None else []):
            if question.key not in seen:
                seen.add(question.key)
                asked.append(question)
    return asked


# -- conditions (pure) -------------------------------------------------------------------


def _word(value: Any) -> str:
    """An answer or a condition's value as compared: yes/no for booleans, trimmed,
    ignoring case ("Oracle" and "oracle " are the same choice)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split()).casefold()


def matches(answer: Any, expected: Any) -> bool:
    """Whether an answer satisfies a condition's value. A multi-choice answer (a
    list) satisfies it when one of its choices does; no answer satisfies nothing."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return False
    if isinstance(answer, list | tuple | set | frozenset):
        return any(matches(each, expected) for each in answer)
    return _word(answer) == _word(expected)


def applicable(questions: Sequence[AskedT], answers: Mapping[str, object]) -> list[AskedT]:
    """The questions to ask, in order, given the answers so far.

    A question without `when` is always asked. A question with `when` is asked
    when every key it names belongs to a question asked before it and that
    question's answer matches. So a skipped question takes the questions that
    depend on it along (an answer left over from before it was skipped counts
    for nothing), and a question not yet answered hides those that wait on it:
    the form shows them as the customer answers.
    """
    asked: list[AskedT] = []
    shown: set[str] = set()
    for question in questions:
        when = question.when or {}
        if all(key in shown and matches(answers.get(key), value) for key, value in when.items()):
            asked.append(question)
            shown.add(question.key)
    return asked


def condition_text(when: Mapping[str, Any]) -> str:
    """`when` in words, as the desk and the preview state it: "database is Oracle
    and impact is everyone" ("" for no condition)."""
    return " and ".join(f"{key} is {_display(value)}" for key, value in when.items())


def _display(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def when_lines(when: Mapping[str, Any]) -> str:
    """`when` as the desk's form shows it: one "key = value" a line."""
    return "\n".join(f"{key} = {_display(value)}" for key, value in when.items())


def keyword_lines(keywords: Mapping[str, Any]) -> str:
    """`keywords` as the desk's form shows it: one "Value: keyword, keyword" a line, by
    value (PostgreSQL's jsonb keeps no order of keys, so none is promised)."""
    return "\n".join(f"{value}: {', '.join(keywords[value])}"
                     for value in sorted(keywords, key=str.casefold))


# -- validation --------------------------------------------------------------------------


def _choices(value: Any, field: str, kind: str, label: str) -> list[str]:
    if inputs.blank(value) or value == []:
        items: list[Any] = []
    elif isinstance(value, str):
        items = value.splitlines()  # the desk's textarea: one choice a line
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise InvalidInput(f"{label}: choices must be a list of texts.", field=field)
    found: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInput(f"{label}: every choice must be a text.", field=field)
        choice = " ".join(item.split())
        if not choice:
            if isinstance(value, str):
                continue  # a blank line in the textarea
            raise InvalidInput(f"{label}: a choice is empty.", field=field)
        if len(choice) > MAX_CHOICE:
            raise InvalidInput(f"{label}: a choice is at most {MAX_CHOICE} characters.",
                               field=field)
        if _word(choice) in {_word(c) for c in found}:
            raise InvalidInput(f"{label}: the choice '{choice}' is there twice.", field=field)
        found.append(choice)
    if kind in CHOICE_TYPES:
        if not found:
            raise InvalidInput(f"{label} is a choice question: give its choices.", field=field)
        if len(found) > MAX_CHOICES:
            raise InvalidInput(f"{label}: at most {MAX_CHOICES} choices.", field=field)
    elif found:
        raise InvalidInput(f"{label}: only choice and multi-choice questions have choices "
                           f"(this one is {QuestionType(kind).label.lower()}).", field=field)
    return found


def _shown(pattern: str) -> str:
    return pattern if len(pattern) <= 60 else pattern[:57] + "..."


def _patterns(value: Any, field: str, kind: str, label: str) -> list[str]:
    """Regular expressions that read the fact from a customer's text, each checked
    as the extractor checks it (extract.check_pattern), so a pattern that would be
    ignored, or could take minutes on a crafted message, is refused here."""
    if inputs.blank(value) or value == []:
        return []
    if isinstance(value, str):
        items: list[Any] = value.splitlines()  # the desk's textarea: one pattern a line
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise InvalidInput(f"{label}: patterns must be a list of regular expressions.",
                           field=field)
    found: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInput(f"{label}: every pattern must be a text.", field=field)
        pattern = item.strip()
        if not pattern:
            if isinstance(value, str):
                continue  # a blank line in the textarea
            raise InvalidInput(f"{label}: a pattern is empty.", field=field)
        if len(pattern) > MAX_PATTERN:
            raise InvalidInput(f"{label}: a pattern is at most {MAX_PATTERN} characters "
                               f"('{_shown(pattern)}' has {len(pattern)}).", field=field)
        wrong = extract.check_pattern(pattern)
        if wrong is not None:
            raise InvalidInput(f"{label}: the pattern '{_shown(pattern)}' {wrong}.", field=field)
        if pattern in found:
            raise InvalidInput(f"{label}: the pattern '{_shown(pattern)}' is there twice.",
                               field=field)
        found.append(pattern)
    if len(found) > MAX_PATTERNS:
        raise InvalidInput(f"{label}: at most {MAX_PATTERNS} patterns ({len(found)} given).",
                           field=field)
    if found and kind == QuestionType.FILE:
        raise InvalidInput(f"{label} is answered with a file: patterns read text, so it has "
                           f"none.", field=field)
    return found


def _keyword_pairs(value: Any, field: str, label: str) -> list[tuple[Any, Any]]:
    if isinstance(value, Mapping):
        return list(value.items())
    if not isinstance(value, str):
        raise InvalidInput(f'{label}: keywords must be an object such as '
                           f'{{"Oracle": ["ora", "oracle db"]}}.', field=field)
    return [(answer, words.split(",")) for answer, words in _lines(
        value, ":", f"{label}: write each line of keywords as value: keyword, keyword, "
                    f"e.g. Oracle: ora, oracle db.", field)]


def _keywords(value: Any, field: str, kind: str, choices: list[str], label: str,
              ) -> dict[str, list[str]]:
    """{value: [keyword, ...]}: a keyword named in the customer's text (a whole word
    or phrase, any case) gives its value. A choice question's values are its
    answers, spelled as the choices are; a keyword gives one value only."""
    if inputs.blank(value) or value == {}:
        return {}
    pairs = _keyword_pairs(value, field, label)
    if len(pairs) > MAX_KEYWORD_VALUES:
        raise InvalidInput(f"{label}: keywords for at most {MAX_KEYWORD_VALUES} values "
                           f"({len(pairs)} given).", field=field)
    options = list(YES_NO) if kind == QuestionType.YES_NO else (
        choices if kind in CHOICE_TYPES else None)
    found: dict[str, list[str]] = {}
    owner: dict[str, str] = {}  # keyword (as compared) -> the value it gives
    for raw_value, raw_words in pairs:
        if not isinstance(raw_value, str) or not raw_value.strip():
            raise InvalidInput(f"{label}: a value with keywords is empty: write it before "
                               f"the colon, e.g. Oracle: ora.", field=field)
        answer = " ".join(raw_value.split())
        if len(answer) > MAX_KEYWORD_VALUE:
            raise InvalidInput(f"{label}: a value is at most {MAX_KEYWORD_VALUE} characters.",
                               field=field)
        if kind == QuestionType.FILE:
            raise InvalidInput(f"{label} is answered with a file: keywords read text, so it "
                               f"has none.", field=field)
        if options is not None:
            spelled = next((o for o in options if _word(o) == _word(answer)), None)
            if spelled is None:
                raise InvalidInput(f"{label}: the keywords for '{answer}' give an answer that "
                                   f"is not one of its choices ({', '.join(options)}).",
                                   field=field)
            answer = spelled
        if _word(answer) in {_word(v) for v in found}:
            raise InvalidInput(f"{label}: the value '{answer}' is there twice.", field=field)
        if not isinstance(raw_words, list | tuple) or not all(
                isinstance(word, str) for word in raw_words):
            raise InvalidInput(f"{label}: the keywords for '{answer}' must be a list of "
                               f"texts.", field=field)
        words: list[str] = []
        for raw_word in raw_words:
            word = " ".join(raw_word.split())
            if not word:
                if isinstance(value, str):
                    continue  # "Oracle: ora, , oracle db" in the textarea
                raise InvalidInput(f"{label}: a keyword for '{answer}' is empty.", field=field)
            if len(word) > MAX_KEYWORD:
                raise InvalidInput(f"{label}: a keyword is at most {MAX_KEYWORD} characters.",
                                   field=field)
            if _word(word) in owner:
                given = owner[_word(word)]
                raise InvalidInput(
                    f"{label}: the keyword '{word}' is there twice" + (
                        f" (for '{given}' and '{answer}'): a keyword gives one value."
                        if given != answer else "."), field=field)
            owner[_word(word)] = answer
            words.append(word)
        if not words:
            raise InvalidInput(f"{label}: give at least one keyword for '{answer}'.",
                               field=field)
        if len(words) > MAX_KEYWORDS:
            raise InvalidInput(f"{label}: at most {MAX_KEYWORDS} keywords for '{answer}' "
                               f"({len(words)} given).", field=field)
        found[answer] = words
    return found


def _when_pairs(value: Any, field: str, label: str) -> dict[str, Any]:
    if inputs.blank(value) or value == {}:
        return {}
    if isinstance(value, dict):
        return dict(value)
    if not isinstance(value, str):
        raise InvalidInput(f'{label}: the condition must be an object such as '
                           f'{{"product": "Atlas Server"}}.', field=field)
    return {key.strip(): expected.strip() for key, expected in _lines(
        value, "=", f"{label}: write each condition as key = value, e.g. database = Oracle.",
        field)}


def _lines(text: str, separator: str, wrong: str, field: str) -> list[tuple[str, str]]:
    """The desk's textareas of pairs, one a line ("key = value", "value: words"):
    (left, right) per non-blank line; `wrong` is the error of a line without the
    separator."""
    pairs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, found, right = line.partition(separator)
        if not found:
            raise InvalidInput(wrong, field=field)
        pairs.append((left, right))
    return pairs


def _when(value: Any, field: str, label: str, earlier: Mapping[str, Question | dict[str, Any]],
          ) -> dict[str, str]:
    """The condition, checked against the questions it may name (`earlier`: the
    standard questions and this set's questions before this one)."""
    pairs = _when_pairs(value, field, label)
    if len(pairs) > MAX_CONDITIONS:
        raise InvalidInput(f"{label}: at most {MAX_CONDITIONS} conditions.", field=field)
    found: dict[str, str] = {}
    for raw_key, expected in pairs.items():
        key = str(raw_key).strip().lower()
        if key not in earlier:
            names = ", ".join(earlier) or "none"
            raise InvalidInput(f"{label} is shown when '{raw_key}' is answered, but that is "
                               f"not an earlier question (earlier: {names}).", field=field)
        source = earlier[key]
        kind = source["type"] if isinstance(source, dict) else source.type
        choices = source["choices"] if isinstance(source, dict) else source.choices
        if isinstance(expected, bool):
            expected = "yes" if expected else "no"
        if not isinstance(expected, str | int | float) or not str(expected).strip():
            raise InvalidInput(f"{label}: the condition on '{key}' needs a value.", field=field)
        text = " ".join(str(expected).split())
        if len(text) > MAX_CONDITION_VALUE:
            raise InvalidInput(f"{label}: a condition's value is at most "
                               f"{MAX_CONDITION_VALUE} characters.", field=field)
        options = list(YES_NO) if kind == QuestionType.YES_NO else (
            list(choices) if kind in CHOICE_TYPES else None)
        if options is not None:
            spelled = next((o for o in options if _word(o) == _word(text)), None)
            if spelled is None:
                raise InvalidInput(f"{label}: '{text}' is not one of the answers to '{key}' "
                                   f"({', '.join(options)}).", field=field)
            text = spelled
        found[key] = text
    return found


def _key(value: Any, field: str, label: str) -> str:
    key = "" if value is None else str(value).strip().lower()
    if not key:
        raise InvalidInput(f"{label} needs a key: the fact it fills, such as version or "
                           f"database.", field=field)
    if len(key) > MAX_KEY:
        raise InvalidInput(f"{label}: the key is at most {MAX_KEY} characters.", field=field)
    if not _KEY.match(key):
        raise InvalidInput(f"{label}: the key '{key}' may hold only lower-case letters, digits, "
                           f"and - or _ between them.", field=field)
    return key


def _kind(value: Any, field: str, label: str) -> str:
    kind = "text" if inputs.blank(value) else str(value).strip().lower().replace("-", "_")
    if kind not in QuestionType.values:
        raise InvalidInput(f"{label}: '{value}' is not a question type "
                           f"({', '.join(QuestionType.values)}).", field=field)
    return kind


def _standard_questions() -> dict[str, Question]:
    """The standard questions another category's conditions may name: the
    published ones, and the draft's not yet published."""
    standard = Category.objects.filter(slug=STANDARD_CATEGORY).first()
    if standard is None:
        return {}
    found: dict[str, Question] = {}
    for each in (published(standard), draft(standard)):
        for question in (each.questions.all() if each is not None else []):
            found.setdefault(question.key, question)
    return found


def check_questions(category: Category, questions: Any) -> list[dict[str, Any]]:
    """The questions as they will be stored, in order, or InvalidInput naming the
    field (`questions.2.key`, 0 first as in the JSON list; the message names the
    question by its key, or its number when it has none)."""
    if not isinstance(questions, list | tuple):
        raise InvalidInput("Send the questions as a list.", field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(f"A category has at most {MAX_QUESTIONS} questions "
                           f"({len(questions)} sent).", field="questions")
    standard = {} if category.slug == STANDARD_CATEGORY else _standard_questions()
    earlier: dict[str, Question | dict[str, Any]] = dict(standard)
    checked: list[dict[str, Any]] = []
    for index, question in enumerate(questions):
        where = f"questions.{index}"
        if not isinstance(question, Mapping):
            raise InvalidInput(f"Question {index + 1} must be an object.", field=where)
        unknown = sorted(set(question) - set(QUESTION_FIELDS))
        if unknown:
            raise InvalidInput(f"'{unknown[0]}' is not a field of a question "
                               f"({', '.join(QUESTION_FIELDS)}).", field=f"{where}.{unknown[0]}")
        key = _key(question.get("key"), f"{where}.key", f"Question {index + 1}")
        label = f"The question '{key}'"
        if key in standard:
            raise InvalidInput(f"{label} is one of the standard questions, which every request "
                               f"answers first: it would be asked twice.", field=f"{where}.key")
        if any(c["key"] == key for c in checked):
            raise InvalidInput(f"{label} is there twice: each question fills its own fact.",
                               field=f"{where}.key")
        kind = _kind(question.get("type"), f"{where}.type", label)
        choices = _choices(question.get("choices"), f"{where}.choices", kind, label)
        entry = {
            "key": key,
            "text": inputs.text(question.get("text"), f"{where}.text", max_length=MAX_TEXT,
                                required=True, label=f"{label}: the text for customers"),
            "agent_text": inputs.text(question.get("agent_text"), f"{where}.agent_text",
                                      max_length=MAX_TEXT, label=f"{label}: the text for agents"),
            "why": inputs.text(question.get("why"), f"{where}.why", max_length=MAX_TEXT,
                               required=True, label=f"{label}: why we ask"),
            "type": kind,
            "required": inputs.boolean(question.get("required", False), f"{where}.required"),
            "choices": choices,
            "when": _when(question.get("when"), f"{where}.when", label, earlier),
            "patterns": _patterns(question.get("patterns"), f"{where}.patterns", kind, label),
            "keywords": _keywords(question.get("keywords"), f"{where}.keywords", kind, choices,
                                  label),
        }
        checked.append(entry)
        earlier[key] = entry
    return checked


def _content(questions: Iterable[Question | dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What makes two sets the same: every field but the row ids, in order."""
    return [tuple((q[f] if isinstance(q, dict) else getattr(q, f)) for f in QUESTION_FIELDS)
            for q in questions]


# -- writing -----------------------------------------------------------------------------


def _locked(category: Category) -> Category:
    return Category.objects.select_for_update().get(pk=category.pk)


def do_write_draft(category: Category, questions: list[dict[str, Any]]) -> QuestionSet:
    """Replace the draft's questions by `questions` (checked, as check_questions
    returns them). The caller holds the category's row lock."""
    found, _ = QuestionSet.objects.get_or_create(category=category, version=None)
    found.questions.all().delete()
    Question.objects.bulk_create([Question(question_set=found, position=position, **question)
                                  for position, question in enumerate(questions, start=1)])
    found.save(update_fields=["updated_at"])
    result = draft(category)
    assert result is not None
    return result


@transaction.atomic
def write_draft(actor: User, category: Category, questions: Any) -> QuestionSet:
    """Replace the category's draft by `questions` (dicts with QUESTION_FIELDS), in
    this order. Admins only. Published versions stay as they are."""
    permissions.check_is_admin(actor)
    category = _locked(category)
    return do_write_draft(category, check_questions(category, questions))


def do_publish(actor: User, category: Category, source: QuestionSet) -> QuestionSet:
    """Copy `source` (the draft) into the next version. The caller holds the
    category's row lock, so two publishes cannot take the same number."""
    number = (QuestionSet.objects.filter(category=category).aggregate(n=Max("version"))["n"]
              or 0) + 1
    version = QuestionSet.objects.create(category=category, version=number,
                                         published_at=timezone.now(), published_by=actor)
    Question.objects.bulk_create([
        Question(question_set=version, position=q.position,
                 **{f: getattr(q, f) for f in QUESTION_FIELDS})
        for q in source.questions.all()])
    result = published(category, number)
    assert result is not None
    clear_cache()
    transaction.on_commit(clear_cache)
    return result


@transaction.atomic
def publish(actor: User, category: Category) -> QuestionSet:
    """Publish the draft as the category's next version (1, 2, ...). Admins only.
    Refused when the draft is empty or the same as the latest version: a new
    number for the same questions would tell readers something changed."""
    permissions.check_is_admin(actor)
    category = _locked(category)
    source = draft(category)
    questions = list(source.questions.all()) if source is not None else []
    if source is None or not questions:
        raise InvalidTransition(f"The draft of {category.name} has no questions: add some "
                                f"before publishing.")
    latest = published(category)
    if latest is not None and _content(latest.questions.all()) == _content(questions):
        raise InvalidTransition(f"The draft of {category.name} is the same as version "
                                f"{latest.version}: change it before publishing.")
    return do_publish(actor, category, source)


def question_dicts(questions: Iterable[Question]) -> list[dict[str, Any]]:
    """Questions as write_draft takes them."""
    return [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in questions]


# -- one question of the draft (the desk's forms) --------------------------------------------


def _index(rows: list[dict[str, Any]], category: Category, key: str) -> int:
    for index, row in enumerate(rows):
        if row["key"] == key:
            return index
    raise NotFound(f"The draft of {category.name} has no question '{key}'.")


def _rewrite(category: Category, rows: list[dict[str, Any]], edited: int | None = None,
             ) -> QuestionSet:
    """Check and store the draft's new list. A refusal about the edited question
    names its own field (`text`); one about another question the change breaks
    (a condition on a removed question) keeps `questions.N.field`."""
    try:
        checked = check_questions(category, rows)
    except InvalidInput as error:
        prefix = f"questions.{edited}."
        if edited is not None and error.field and error.field.startswith(prefix):
            raise InvalidInput(error.message, field=error.field[len(prefix):]) from None
        raise
    return do_write_draft(category, checked)


@transaction.atomic
def save_question(actor: User, category: Category, key: str | None,
                  fields: Mapping[str, Any]) -> QuestionSet:
    """Add a question at the end of the draft (`key` None) or change the draft's
    question `key` in place. Admins only."""
    permissions.check_is_admin(actor)
    category = _locked(category)
    rows = question_dicts(draft_questions(category))
    if key is None:
        rows.append(dict(fields))
        return _rewrite(category, rows, len(rows) - 1)
    index = _index(rows, category, key)
    rows[index] = dict(fields)
    return _rewrite(category, rows, index)


@transaction.atomic
def move_question(actor: User, category: Category, key: str, step: int) -> QuestionSet:
    """Move the draft's question `key` up (step -1) or down (+1); refused when a
    condition would then name a later question. Admins only."""
    permissions.check_is_admin(actor)
    category = _locked(category)
    rows = question_dicts(draft_questions(category))
    index = _index(rows, category, key)
    to = min(max(index + step, 0), len(rows) - 1)
    rows.insert(to, rows.pop(index))
    return _rewrite(category, rows)


@transaction.atomic
def remove_question(actor: User, category: Category, key: str) -> QuestionSet:
    """Remove the draft's question `key`; refused while a later question is shown
    on its answer. Admins only."""
    permissions.check_is_admin(actor)
    category = _locked(category)
    rows = question_dicts(draft_questions(category))
    rows.pop(_index(rows, category, key))
    return _rewrite(category, rows)
