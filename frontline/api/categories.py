"""Categories and their question sets: list, read, create, change; write the
draft of a category's questions and publish it as the next version.

Every member of staff reads them; only admins change them (403 otherwise). A
category is named by its slug in the path (404 when there is none). The
category `standard` always exists: its questions are asked of every request,
before its own category's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from frontline.api.auth import request_user
from frontline.api.errors import in_path
from frontline.api.schemas import ERROR_RESPONSES, InputSchema, NonEmptyText, Omissible, Text
from frontline.intake import categories, questions
from frontline.intake.models import QuestionSet
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, find_category

router = Router(tags=["categories"])

FollowUpName = Literal["off", "suggest", "send"]
TypeName = Literal["text", "long_text", "choice", "multi_choice", "yes_no", "version", "file"]
Name = Annotated[NonEmptyText, Field(max_length=categories.MAX_NAME)]
Slug = Annotated[Text, Field(max_length=questions.MAX_KEY)]
Description = Annotated[Text, Field(max_length=categories.MAX_DESCRIPTION)]
QuestionText = Annotated[Text, Field(max_length=questions.MAX_TEXT)]
Choice = Annotated[Text, Field(max_length=questions.MAX_CHOICE)]
ConditionValue = bool | Annotated[Text, Field(max_length=questions.MAX_CONDITION_VALUE)]
Pattern = Annotated[Text, Field(max_length=questions.MAX_PATTERN)]
KeywordValue = Annotated[Text, Field(max_length=questions.MAX_KEYWORD_VALUE)]
Keyword = Annotated[Text, Field(max_length=questions.MAX_KEYWORD)]
Keywords = Annotated[list[Keyword], Field(max_length=questions.MAX_KEYWORDS)]


# -- shapes -------------------------------------------------------------------------------


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    follow_up: FollowUpName = Field(description="When a new request by email lacks required "
                                                "facts: off, suggest to the agent, send.")
    standard: bool = Field(description="The category whose questions every request answers.")
    published_version: int | None = Field(description="The latest published version of its "
                                                      "questions; null before the first.")


class CategoryIn(InputSchema):
    name: Name
    slug: Slug | None = Field(None, description="By default from the name.")
    description: Description = ""
    follow_up: FollowUpName = "send"


class CategoryPatchIn(InputSchema):
    name: Omissible[Name] = None
    slug: Omissible[Slug] = None
    description: Omissible[Description] = None
    follow_up: Omissible[FollowUpName] = None


class CategoryListOut(Schema):
    items: list[CategoryOut]


class QuestionIn(InputSchema):
    key: Slug = Field(description="The fact it fills: version, database, steps.")
    text: QuestionText = Field(description="As the customer reads it.")
    why: QuestionText = Field(description="Why we ask, shown to customers and agents.")
    type: TypeName = "text"
    required: bool = False
    choices: list[Choice] = Field([], max_length=questions.MAX_CHOICES,
                                  description="For choice and multi_choice only.")
    when: dict[Slug, ConditionValue] = Field(
        {}, description='Asked only when earlier answers match, e.g. {"database": "Oracle"}; '
                        "keys of earlier questions of this set or of the standard set.")
    agent_text: QuestionText = Field("", description="As an agent asks it (phone script).")
    patterns: list[Pattern] = Field(
        [], max_length=questions.MAX_PATTERNS,
        description="Regular expressions that read the fact from the customer's text "
                    "(case-insensitive; the first group, or the whole match, is the value), "
                    r"e.g. contract\s*#?\s*(\d{6}). Refused when one could backtrack "
                    "catastrophically, such as (a+)+. Customers never see them.")
    keywords: dict[KeywordValue, Keywords] = Field(
        {}, max_length=questions.MAX_KEYWORD_VALUES,
        description='Words that give a value when the customer names one (a whole word or '
                    'phrase, any case), e.g. {"Oracle": ["ora", "oracle db"]}; for a choice '
                    "question the values are its choices.")


class QuestionsIn(InputSchema):
    questions: list[QuestionIn] = Field(max_length=questions.MAX_QUESTIONS)


class QuestionOut(Schema):
    position: int
    key: str
    text: str
    agent_text: str
    why: str
    type: TypeName
    required: bool
    choices: list[str]
    when: dict[str, str]
    shown_when: str | None = Field(description='The condition in words: "database is Oracle".')
    patterns: list[str]
    keywords: dict[str, list[str]]


class QuestionSetOut(Schema):
    category: str = Field(description="The category's slug.")
    version: int | None = Field(description="Null for the draft, or when nothing is published.")
    published_at: datetime | None
    published_by: str | None = Field(description="Who published it (username).")
    questions: list[QuestionOut]


# -- rendering ------------------------------------------------------------------------------


def category_out(category: Category) -> dict[str, Any]:
    return {"slug": category.slug, "name": category.name, "description": category.description,
            "follow_up": category.follow_up, "standard": category.slug == STANDARD_CATEGORY,
            "published_version": getattr(category, "published_version", None)}


def question_set_out(category: Category, found: QuestionSet | None) -> dict[str, Any]:
    return {
        "category": category.slug,
        "version": found.version if found is not None else None,
        "published_at": found.published_at if found is not None else None,
        "published_by": (found.published_by.username
                         if found is not None and found.published_by else None),
        "questions": [
            {"position": q.position, "key": q.key, "text": q.text, "agent_text": q.agent_text,
             "why": q.why, "type": q.type, "required": q.required, "choices": q.choices,
             "when": q.when, "shown_when": questions.condition_text(q.when) or None,
             "patterns": q.patterns, "keywords": q.keywords}
            for q in (found.questions.all() if found is not None else [])],
    }


def _category(slug: str) -> Category:
    return in_path(find_category, slug, field="slug")


def _listed(slug: str) -> Category:
    """The category with its published version, as the list shows it."""
    return categories.categories().get(pk=_category(slug).pk)


# -- categories -------------------------------------------------------------------------------


@router.get("/categories", response={200: CategoryListOut, **ERROR_RESPONSES})
def list_categories(request: HttpRequest) -> dict[str, Any]:
    """Every category, `standard` first, then by name."""
    return {"items": [category_out(c) for c in categories.categories()]}


@router.post("/categories", response={201: CategoryOut, **ERROR_RESPONSES})
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    """Add a category. Admins only."""
    category = categories.create_category(request_user(request), **payload.model_dump())
    return Status(201, category_out(category))


@router.get("/categories/{slug}", response={200: CategoryOut, **ERROR_RESPONSES})
def get_category(request: HttpRequest, slug: str) -> dict[str, Any]:
    return category_out(_listed(slug))


@router.patch("/categories/{slug}", response={200: CategoryOut, **ERROR_RESPONSES})
def update_category(request: HttpRequest, slug: str,
                    payload: CategoryPatchIn) -> dict[str, Any]:
    """Change a category (the slug of `standard` stays). Admins only."""
    changes = payload.model_dump(exclude_unset=True)
    category = categories.update_category(request_user(request), _category(slug), **changes)
    return category_out(category)


# -- questions ------------------------------------------------------------------------------


@router.get("/categories/{slug}/questions", response={200: QuestionSetOut, **ERROR_RESPONSES})
def get_questions(request: HttpRequest, slug: str,
                  version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
                  ) -> dict[str, Any]:
    """The category's latest published questions with their version number, or
    version `version` (404 when it was never published), as a ticket that was asked
    with it reads it. Before the first publish: `version` null and no questions
    (not a 404: the category exists and asks nothing of its own yet). The standard
    questions, asked of every request first, are those of `standard`."""
    category = _category(slug)
    if version is not None:
        return question_set_out(category, questions.version_of(category, version))
    return question_set_out(category, questions.published(category))


@router.put("/categories/{slug}/questions", response={200: QuestionSetOut, **ERROR_RESPONSES})
def write_questions(request: HttpRequest, slug: str, payload: QuestionsIn) -> dict[str, Any]:
    """Replace the draft of the category's questions, in this order (`version` null
    in the answer). Published versions are not touched: publish to make this the
    next one. Admins only; 422 names the field (`questions.2.when`)."""
    category = _category(slug)
    body = payload.model_dump()
    found = questions.write_draft(request_user(request), category, body["questions"])
    return question_set_out(category, found)


@router.post("/categories/{slug}/questions/publish",
             response={201: QuestionSetOut, **ERROR_RESPONSES})
def publish_questions(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    """Publish the draft as the next version (1, 2, ...). Admins only; 409 when
    the draft is empty or the same as the latest version."""
    category = _category(slug)
    return Status(201, question_set_out(category,
                                        questions.publish(request_user(request), category)))
