"""Desk settings for categories and their questions (admins):
/settings/categories lists them, /settings/categories/<slug> edits a category
and the draft of its questions (add, change, move, remove, publish), and
/settings/categories/<slug>/preview shows the questions as the customer sees
them. Every change calls frontline.intake.categories or .questions; a refusal
is shown on its form, next to its field. The URLs live here and are included
once by frontline/desk/urls.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from frontline.core.errors import FrontlineError, InvalidInput
from frontline.desk.views.common import desk_user, error_page
from frontline.desk.views.settings_common import (
    admin_view,
    posted,
    render_form,
    saved,
)
from frontline.insights.intake import intake_report
from frontline.insights.reports import Period
from frontline.intake import categories, questions
from frontline.intake.models import Question, QuestionType
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, FollowUp, find_category

CATEGORY_FORM = ("name", "slug", "description", "follow_up")
QUESTION_FORM = ("key", "type", "text", "agent_text", "why", "required", "choices", "when",
                 "patterns", "keywords")
QUESTION_CHECKBOXES = ("required",)
MOVES = {"up": -1, "down": 1}


def _category(slug: str) -> Category:
    """The category the URL names by its slug, with its published version; 404 when none."""
    try:
        found = find_category(slug, field="slug")
    except InvalidInput as error:
        raise Http404(error.message) from None
    if found is None:
        raise Http404("Not found.")
    return categories.categories().get(pk=found.pk)


def _question_form(question: Question) -> dict[str, Any]:
    return {"key": question.key, "type": question.type, "text": question.text,
            "agent_text": question.agent_text, "why": question.why,
            "required": question.required, "choices": "\n".join(question.choices),
            "when": questions.when_lines(question.when),
            "patterns": "\n".join(question.patterns),
            "keywords": questions.keyword_lines(question.keywords)}


def _rows(found: list[Question]) -> list[dict[str, Any]]:
    return [{"question": q, "shown_when": questions.condition_text(q.when)} for q in found]


# How far back the category page shows each question's intake figures (the reports
# page has any period).
FIGURES_DAYS = 28


def _with_figures(rows: list[dict[str, Any]], category: Category) -> list[dict[str, Any]]:
    """Each row with its question's intake figures over the last FIGURES_DAYS days, by
    key (frontline.insights.intake): answered at first contact, asked later."""
    today = timezone.localdate()
    report = intake_report(Period.from_dates(today - timedelta(days=FIGURES_DAYS - 1), today),
                           None if category.slug == STANDARD_CATEGORY else category)
    figures = {row.key: row for row in report.questions if row.category.pk == category.pk}
    return [{**row, "figures": figures.get(row["question"].key)} for row in rows]


# -- the list ------------------------------------------------------------------------------


def _list_page(request: HttpRequest, *, form: dict[str, Any] | None = None,
               error: FrontlineError | None = None) -> HttpResponse:
    context = {"categories": list(categories.categories()),
               "form": form or {"follow_up": FollowUp.SEND},
               "follow_ups": FollowUp.choices}
    return render_form(request, "desk/settings/categories.html", context, error)


@admin_view
def category_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _list_page(request)
    form = posted(request, CATEGORY_FORM)
    try:
        category = categories.create_category(desk_user(request), **form)
    except FrontlineError as error:
        return _list_page(request, form=form, error=error)
    return saved(request, f"Category {category.name} added. Now give it its questions.",
                 "desk:settings_category", slug=category.slug)


# -- a category and its draft --------------------------------------------------------------


def _category_page(request: HttpRequest, category: Category, *,
                   form: dict[str, Any] | None = None, editing: str | None = None,
                   question_form: dict[str, Any] | None = None,
                   error: FrontlineError | None = None, error_on: str = "") -> HttpResponse:
    """The category page; `error_on` says which form the refusal belongs to:
    "category", "question" (the one being added or changed) or "" (the page)."""
    draft = questions.draft_questions(category)
    if editing is not None and question_form is None:
        question_form = next((_question_form(q) for q in draft if q.key == editing), None)
    context = {
        "category": category,
        "standard": category.slug == STANDARD_CATEGORY,
        "form": form or {f: getattr(category, f) for f in CATEGORY_FORM},
        "rows": _with_figures(_rows(draft), category),
        "editing": editing,
        "question_form": question_form or {"type": QuestionType.TEXT},
        "types": QuestionType.choices,
        "follow_ups": FollowUp.choices,
        "changed": questions.is_changed(category),
        "latest": questions.published(category),
        "error_on": error_on if error else "",
    }
    return render_form(request, "desk/settings/category.html", context, error)


@admin_view
def category_edit(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category(slug)
    if request.method != "POST":
        return _category_page(request, category)
    form = posted(request, CATEGORY_FORM)
    try:
        category = categories.update_category(desk_user(request), category, **form)
    except FrontlineError as error:
        return _category_page(request, category, form=form, error=error, error_on="category")
    return saved(request, f"Category {category.name} saved.", "desk:settings_category",
                 slug=category.slug)


@admin_view
def question_edit(request: HttpRequest, slug: str, key: str | None = None) -> HttpResponse:
    """GET: the category page with the question `key` open in its form. POST: add
    a question (no key) or save the one named."""
    category = _category(slug)
    if request.method != "POST":
        if key is not None and not any(q.key == key
                                       for q in questions.draft_questions(category)):
            return _category_page(request, category)
        return _category_page(request, category, editing=key)
    form = posted(request, QUESTION_FORM, QUESTION_CHECKBOXES)
    try:
        questions.save_question(desk_user(request), category, key, form)
    except FrontlineError as error:
        on_form = error.field is None or not error.field.startswith("questions")
        return _category_page(request, category, editing=key, question_form=form, error=error,
                              error_on="question" if on_form else "")
    return saved(request, f"Question {form['key'] or ''} saved in the draft.",
                 "desk:settings_category", slug=category.slug)


@admin_view
@require_POST
def question_action(request: HttpRequest, slug: str, key: str, action: str) -> HttpResponse:
    """Move a question up or down, or remove it."""
    category = _category(slug)
    try:
        if action == "remove":
            questions.remove_question(desk_user(request), category, key)
            message = f"Question {key} removed from the draft."
        elif action in MOVES:
            questions.move_question(desk_user(request), category, key, MOVES[action])
            message = f"Question {key} moved {action}."
        else:
            return _category_page(request, category)
    except FrontlineError as error:
        if error.status_code == 404:
            return error_page(request, error)
        return _category_page(request, category, error=error)
    return saved(request, message, "desk:settings_category", slug=category.slug)


@admin_view
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    category = _category(slug)
    try:
        found = questions.publish(desk_user(request), category)
    except FrontlineError as error:
        return _category_page(request, category, error=error)
    return saved(request, f"Published version {found.version} of {category.name}'s questions: "
                          f"new requests are asked these.",
                 "desk:settings_category", slug=category.slug)


@admin_view
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft as the customer will see it, after the standard questions every
    request answers first (their published version)."""
    category = _category(slug)
    standard = ([] if category.slug == STANDARD_CATEGORY
                else questions.questions_for(None))
    context = {"category": category, "standard_rows": _rows(standard),
               "rows": _rows(questions.draft_questions(category)),
               "changed": questions.is_changed(category)}
    return render_form(request, "desk/settings/category_preview.html", context)


ROUTES = [
    ("categories", category_list, "settings_categories"),
    ("categories/<slug:slug>", category_edit, "settings_category"),
    ("categories/<slug:slug>/preview", preview, "settings_category_preview"),
    ("categories/<slug:slug>/publish", publish, "settings_category_publish"),
    ("categories/<slug:slug>/questions", question_edit, "settings_question_add"),
    ("categories/<slug:slug>/questions/<slug:key>", question_edit, "settings_question"),
    ("categories/<slug:slug>/questions/<slug:key>/<slug:action>", question_action,
     "settings_question_action"),
]


def urlpatterns_under(prefix: str) -> list[URLPattern]:
    return [path(prefix + route, view, name=name) for route, view, name in ROUTES]
