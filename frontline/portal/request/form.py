"""What the customer typed into the request form, read back as typed, and what
the form shows for it: each question with its input, its value and its error.

Nothing here decides what a good answer is. The answers are checked by
frontline.workflow.requests.check (intake.answers), the address by the customers
app, the subject and the message by the ticket's own limits
(tickets.services.inputs). This module reads any POST without failing (a field
sent twice, a multi-choice sent as one string, control characters, bytes that
are no UTF-8), keeps every value so the form can show it again, and says which
field each error belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict

from frontline.core.errors import InvalidInput
from frontline.customers.services import normalize_email
from frontline.intake import questions as intake_questions
from frontline.intake.models import Question, QuestionType
from frontline.portal.request import uploads
from frontline.tickets.services.inputs import MAX_BODY, MAX_SUBJECT
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category
from frontline.workflow.requests import MAX_FILES, UploadedFile

# The standard category as a customer picks it: "none of the above".
STANDARD_LABEL = "Something else / general"
MAX_NAME = 200  # Contact.name
MAX_EMAIL = 254  # RFC 5321's limit for a path, less the brackets
# Well under Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB for all the text
# fields together), which Django refuses before the form could show it again.
MAX_DESCRIPTION = min(MAX_BODY, 100_000)
ANSWER_PREFIX = uploads.ANSWER_PREFIX
# A form with more answers than any category asks was not typed by a person.
MAX_ANSWER_KEYS = 2 * intake_questions.MAX_QUESTIONS
MAX_VALUES = intake_questions.MAX_CHOICES
# Up to this many choices show as radio buttons; more as a list to pick from.
RADIO_CHOICES = 6
# The honeypot: a field people never see (hidden by CSS, labelled "leave empty"
# for screen readers), which form-filling robots fill.
TRAP_FIELD = "website"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEY = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def clean(value: Any) -> str:
    """A value as typed, less what no text may hold: NUL and the other control
    characters (PostgreSQL refuses NUL), and with Unix line ends."""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


@dataclass
class Typed:
    """Every value of the form as the customer typed it (files aside: a browser
    never sends a chosen file twice)."""

    category: str = ""
    name: str = ""
    email: str = ""
    subject: str = ""
    description: str = ""
    answers: dict[str, list[str]] = field(default_factory=dict)
    trap: str = ""

    @classmethod
    def read(cls, post: QueryDict) -> Typed:
        def one(name: str) -> str:
            return clean(post.get(name, ""))

        answers: dict[str, list[str]] = {}
        for name in post:
            key = name[len(ANSWER_PREFIX):]
            if (not name.startswith(ANSWER_PREFIX) or len(key) > intake_questions.MAX_KEY
                    or not _KEY.match(key)):
                continue
            if len(answers) >= MAX_ANSWER_KEYS:
                break
            values = [clean(value) for value in post.getlist(name)[:MAX_VALUES]]
            if any(value.strip() for value in values):
                answers[key] = [value for value in values if value.strip()]
        return cls(category=one("category").strip(), name=one("name"), email=one("email"),
                   subject=one("subject"), description=one("description"), answers=answers,
                   trap=one(TRAP_FIELD))

    @property
    def text(self) -> str:
        """The subject and the description, as the knowledge base will read them."""
        return f"{self.subject}\n{self.description}".strip()


# -- the categories -----------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A category as the customer picks it."""

    category: Category
    label: str
    description: str

    @property
    def slug(self) -> str:
        return self.category.slug


def topics(found: Iterable[Category]) -> list[Topic]:
    """The categories to pick from, by name, with the standard one last as
    "Something else / general"."""
    rows = [Topic(category, category.name, category.description)
            for category in found if category.slug != STANDARD_CATEGORY]
    rows.sort(key=lambda topic: topic.label.casefold())
    rows += [Topic(category, STANDARD_LABEL, "") for category in found
             if category.slug == STANDARD_CATEGORY]
    return rows


def topic_of(typed: Typed, offered: Sequence[Topic]) -> Topic | None:
    return next((topic for topic in offered if topic.slug == typed.category), None)


# -- errors -------------------------------------------------------------------------------


def who_errors(typed: Typed, offered: Sequence[Topic]) -> dict[str, str]:
    """Step 1: the topic, the name and the address."""
    errors: dict[str, str] = {}
    if not typed.category:
        errors["category"] = "Choose what your request is about."
    elif topic_of(typed, offered) is None:
        errors["category"] = "Choose one of the topics listed."
    name = " ".join(typed.name.split())
    if not name:
        errors["name"] = "Please tell us your name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep your name under {MAX_NAME} characters."
    email = typed.email.strip()
    if not email:
        errors["email"] = "Please give the email address we should answer."
    elif len(email) > MAX_EMAIL:
        errors["email"] = f"An email address has at most {MAX_EMAIL} characters."
    else:
        try:
            normalize_email(email)
        except InvalidInput:
            errors["email"] = "This does not look like an email address (name@example.com)."
    return errors


def details_errors(typed: Typed) -> dict[str, str]:
    """Step 2's own fields: the subject and the description."""
    errors: dict[str, str] = {}
    subject = " ".join(typed.subject.split())
    if not subject:
        errors["subject"] = "Please give your request a subject: a few words are enough."
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = (f"Keep the subject under {MAX_SUBJECT} characters "
                             f"(this is {len(subject):,}); the details go below.")
    description = typed.description.strip()
    if not description:
        errors["description"] = "Please describe your request in a few sentences."
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = (f"Keep the description under {MAX_DESCRIPTION:,} characters "
                                 f"(this is {len(description):,}); attach longer logs as "
                                 f"files.")
    return errors


def field_of(error: InvalidInput) -> str:
    """The form field an error from the workflow names."""
    named = error.field or ""
    if named.startswith("answers."):
        return ANSWER_PREFIX + named.removeprefix("answers.")
    return {"requester_email": "email", "requester_name": "name", "body": "description",
            "files": "attachments", "attachments": "attachments"}.get(named, named or "form")


# -- answers ------------------------------------------------------------------------------


def answers_for(asked: Sequence[Question], typed: Typed,
                files: Mapping[str, Sequence[UploadedFile]]) -> dict[str, Any]:
    """The answers as the workflow takes them: a file question is answered by the
    names of its files, a multi-choice by its list, anything else by one value
    (two, when a tampered form sent two: the check says "Give one answer")."""
    answers: dict[str, Any] = {}
    for question in asked:
        if question.type == QuestionType.FILE:
            names = [upload.name for upload in files.get(question.key, ())]
            if names:
                answers[question.key] = names
            continue
        values = typed.answers.get(question.key, [])
        if question.type == QuestionType.MULTI_CHOICE or len(values) > 1:
            answers[question.key] = values
        elif values:
            answers[question.key] = values[0]
    return answers


def carried(typed: Typed, shown: Iterable[Question], asked: Iterable[Question],
            ) -> list[tuple[str, str]]:
    """Hidden (name, value) pairs for the answers the page does not show: a
    question whose condition no longer holds keeps its answer in case it holds
    again, and the answers go back and forth between the steps. File questions
    carry nothing (a browser sends a file once)."""
    on_page = {question.key for question in shown}
    files = {question.key for question in asked if question.type == QuestionType.FILE}
    return [(ANSWER_PREFIX + key, value) for key, values in typed.answers.items()
            if key not in on_page and key not in files for value in values]


# -- the questions as the page shows them ----------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool
    id: str


@dataclass(frozen=True)
class Row:
    """One question on the page: its input, the value typed, its error."""

    question: Question
    widget: str  # text, version, textarea, radios, checkboxes, select, file
    value: str
    choices: list[Choice]
    error: str
    # Other questions are shown or hidden by this one's answer: changing it
    # refreshes the questions (htmx), or the customer presses "Update questions".
    drives: bool

    @property
    def name(self) -> str:
        return ANSWER_PREFIX + self.question.key

    @property
    def id(self) -> str:
        return ANSWER_PREFIX + self.question.key

    @property
    def grouped(self) -> bool:
        """Radio buttons and checkboxes: a fieldset whose legend is the question."""
        return self.widget in ("radios", "checkboxes")


@dataclass(frozen=True)
class Group:
    legend: str
    rows: list[Row]


def _widget(question: Question) -> str:
    kind = question.type
    if kind == QuestionType.LONG_TEXT:
        return "textarea"
    if kind == QuestionType.MULTI_CHOICE:
        return "checkboxes"
    if kind == QuestionType.YES_NO:
        return "radios"
    if kind == QuestionType.CHOICE:
        return "radios" if len(question.choices) <= RADIO_CHOICES else "select"
    if kind == QuestionType.VERSION:
        return "version"
    if kind == QuestionType.FILE:
        return "file"
    return "text"


def _choices(question: Question, values: list[str]) -> list[Choice]:
    if question.type == QuestionType.YES_NO:
        options = [(word, word.capitalize()) for word in intake_questions.YES_NO]
    elif question.type in intake_questions.CHOICE_TYPES:
        options = [(str(choice), str(choice)) for choice in question.choices]
    else:
        return []
    return [Choice(value, label, any(intake_questions.matches(each, value) for each in values),
                   f"{ANSWER_PREFIX}{question.key}-{number}")
            for number, (value, label) in enumerate(options, start=1)]


def rows(shown: Sequence[Question], every: Sequence[Question], typed: Typed,
         errors: Mapping[str, str]) -> list[Row]:
    """`shown` (the questions that apply) as the page shows them; `every` is all a
    request in the category may be asked, to know which answers others wait on."""
    drivers = {key for question in every for key in (question.when or {})}
    found = []
    for question in shown:
        values = typed.answers.get(question.key, [])
        found.append(Row(
            question=question, widget=_widget(question),
            value="" if question.type == QuestionType.FILE else (values[0] if values else ""),
            choices=_choices(question, values), error=errors.get(question.key, ""),
            drives=question.key in drivers))
    return found


def groups(shown_rows: Sequence[Row], topic: Topic | None) -> list[Group]:
    """The standard questions ("About your request"), then the category's own."""
    standard: list[Row] = []
    own: list[Row] = []
    for row in shown_rows:
        category_id = row.question.question_set.category_id
        is_own = (topic is not None and topic.slug != STANDARD_CATEGORY
                  and category_id == topic.category.pk)
        (own if is_own else standard).append(row)
    found = [Group("About your request", standard)] if standard else []
    if own and topic is not None:
        found.append(Group(topic.label, own))
    return found


def file_limits_text() -> str:
    return (f"Up to {MAX_FILES} files, {settings.FRONTLINE_MAX_ATTACHMENT_MB:g} MB each and "
            f"{settings.FRONTLINE_MAX_MESSAGE_MB:g} MB in all.")
