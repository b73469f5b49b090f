"""Intake metrics (issue 9, part 1): are requests complete at first contact, and
which questions do agents still have to ask?

    report = intake_report(period, category=None)
    report.overall        all tickets: how many, how many complete at first contact
    report.categories     the same per category (tickets without one together)
    report.questions      per question: tickets it applied to, answered at first
                          contact, asked for later

What the words mean, decided here:

- The tickets: opened in the period (`Ticket.created_at` in [start, end)), not
  merged into another; with `category`, that category's only.
- First contact: the customer's first message and FIRST_CONTACT (5 minutes)
  after it. A ticket is created with its first message (tickets.services.rows),
  so `Ticket.created_at` is that message's time. A fact counts as known at first
  contact when its row was recorded by then (`at`: the form's answers, the
  organization's environment and the first message's facts are recorded when the
  ticket opens) or came from a message written by then (`message`: the worker
  reads an imported ticket's first message later, frontline.intake.reading). A
  fact replaced since (an agent corrected it) counts from its latest source:
  what had to be corrected was not complete.
- The questions: the latest published version of the standard category's and
  each category's questions, put together as frontline.intake.questions
  .questions_for does (the standard ones first; a key once). A question applies
  to a ticket as frontline.intake.questions.applicable says: on everything the
  ticket knows now for the per-question figures (a question shown only for
  Oracle counts where the database turned out to be Oracle), on what it knew at
  first contact for completeness (what the form would have asked).
- Complete at first contact: every required question that applied then had its
  fact then.
- Asked later: the ticket has a `facts_asked` (an agent's reply asked for it,
  frontline.intake.asking) or `facts_requested` (the follow-up) event naming the
  key. A key asked for that is no question of the ticket's category (agents keep
  asking for the database on performance tickets) is counted apart (`unlisted`):
  a candidate for the category's questions.

Six queries whatever the number of tickets: the latest question sets and their
questions, tickets per category, the categories' names, the facts of the
period's tickets with a first-contact flag (streamed in ticket order) and the
asking events. Conditions and completeness are then worked out per ticket on
those rows, because `applicable` owns the rule; a category without conditions
skips it (the same questions apply to every ticket).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)

from frontline.insights.reports import Period
from frontline.intake import questions as intake_questions
from frontline.intake.models import Question, QuestionSet, TicketFact
from frontline.tickets.models import Event, Ticket
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category

FIRST_CONTACT = timedelta(minutes=5)
# The events that ask the customer for facts after first contact, with {"keys": [...]}.
ASKING_KINDS = ("facts_asked", "facts_requested")
NO_CATEGORY = "No category"


@dataclass
class Completeness:
    tickets: int = 0
    complete: int = 0  # every required question that applied had its fact at first contact

    @property
    def incomplete(self) -> int:
        return self.tickets - self.complete

    @property
    def percent(self) -> float | None:
        return round(100 * self.complete / self.tickets, 1) if self.tickets else None


@dataclass
class CategoryFigures(Completeness):
    category: Category | None = None  # None: the tickets without a category
    required: int = 0  # required questions a ticket of the category may be asked

    @property
    def label(self) -> str:
        return self.category.name if self.category is not None else NO_CATEGORY

    @property
    def slug(self) -> str | None:
        return self.category.slug if self.category is not None else None


@dataclass
class QuestionFigures:
    question: Question
    category: Category  # whose question it is: the standard category's or the ticket's
    asked: int = 0  # tickets it applied to
    answered: int = 0  # ... whose fact was known at first contact
    asked_later_tickets: set[int] = field(default_factory=set, repr=False)

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def standard(self) -> bool:
        return self.category.slug == STANDARD_CATEGORY

    @property
    def asked_later(self) -> int:
        """Tickets on which an agent's reply or the follow-up asked for it."""
        return len(self.asked_later_tickets)

    @property
    def percent(self) -> float | None:
        """Share of the tickets it applied to that answered it at first contact."""
        return round(100 * self.answered / self.asked, 1) if self.asked else None


@dataclass
class IntakeReport:
    period: Period
    category: Category | None
    overall: Completeness
    categories: list[CategoryFigures]
    questions: list[QuestionFigures]
    # Facts asked for later that are no question of the ticket's category: {key: tickets},
    # most asked first. Candidates for the category's questions.
    unlisted: dict[str, int] = field(default_factory=dict)


# -- the questions ----------------------------------------------------------------------


def latest_questions() -> dict[int, tuple[Category, list[Question]]]:
    """{category id: (category, its latest published questions in order)}: two queries."""
    latest = Subquery(QuestionSet.objects.filter(category=OuterRef("category"),
                                                 version__isnull=False)
                      .order_by("-version").values("version")[:1])
    sets = (QuestionSet.objects.filter(version__isnull=False, version=latest)
            .select_related("category")
            .prefetch_related(Prefetch("questions",
                                       queryset=Question.objects.order_by("position"))))
    return {found.category_id: (found.category, list(found.questions.all())) for found in sets}


@dataclass
class _Asked:
    """The questions a ticket of one category is asked, and what working them out needs."""

    questions: list[Question]
    conditional: bool  # some question has a condition: applicable per ticket
    by_key: dict[str, Question]

    @classmethod
    def of(cls, standard: list[Question], own: list[Question]) -> _Asked:
        # As frontline.intake.questions.questions_for: the standard questions, then the
        # category's own; a key the standard ones ask is not asked again.
        seen = {question.key for question in standard}
        asked = [*standard, *(question for question in own if question.key not in seen)]
        return cls(asked, any(question.when for question in asked),
                   {question.key: question for question in asked})

    def applying(self, answers: dict[str, str]) -> list[Question]:
        if not self.conditional:
            return self.questions
        return intake_questions.applicable(self.questions, answers)


# -- the report ---------------------------------------------------------------------------


def _in_period(period: Period, category: Category | None, prefix: str = "") -> Q:
    found = Q(**{f"{prefix}created_at__gte": period.start, f"{prefix}created_at__lt": period.end,
                 f"{prefix}merged_into__isnull": True})
    if category is not None:
        found &= Q(**{f"{prefix}category": category})
    return found


def _facts(period: Period, category: Category | None, keys: Iterable[str],
           ) -> Iterator[tuple[int, int | None, str, str, bool]]:
    """(ticket, its category, key, value, known at first contact) of the period's
    tickets, in ticket order: one query, streamed."""
    first_contact = ExpressionWrapper(F("ticket__created_at") + FIRST_CONTACT,
                                      output_field=TicketFact._meta.get_field("at"))
    at_first = ExpressionWrapper(Q(at__lte=first_contact)
                                 | Q(message__created_at__lte=first_contact),
                                 output_field=BooleanField())
    rows = (TicketFact.objects.filter(_in_period(period, category, "ticket__"), key__in=list(keys))
            .annotate(at_first=at_first)
            .order_by("ticket_id")
            .values_list("ticket_id", "ticket__category_id", "key", "value", "at_first"))
    for ticket, ticket_category, key, value, first in rows.iterator(chunk_size=2000):
        yield ticket, ticket_category, key, value, bool(first)


def intake_report(period: Period, category: Category | None = None) -> IntakeReport:
    """First-contact completeness per category and each question's figures, for the
    tickets opened in `period` (in `category` only, if given)."""
    published = latest_questions()
    owner = {question.pk: found for found, questions in published.values()
             for question in questions}
    standard = next((questions for found, questions in published.values()
                     if found.slug == STANDARD_CATEGORY), [])
    counts: dict[int | None, int] = dict(
        Ticket.objects.filter(_in_period(period, category)).order_by()
        .values_list("category_id").annotate(tickets=Count("id")))
    names = Category.objects.in_bulk([pk for pk in counts if pk is not None])
    if category is not None:  # its questions are shown even before its first ticket
        counts.setdefault(category.pk, 0)
        names.setdefault(category.pk, category)

    def own(pk: int | None) -> list[Question]:
        found = published.get(pk) if pk is not None else None
        return found[1] if found is not None and found[0].slug != STANDARD_CATEGORY else []

    asked = {pk: _Asked.of(standard, own(pk)) for pk in counts}
    figures = {question.pk: QuestionFigures(question, owner[question.pk])
               for entry in asked.values() for question in entry.questions}
    categories = {pk: CategoryFigures(tickets=count, category=names.get(pk) if pk else None,
                                      required=sum(q.required for q in asked[pk].questions))
                  for pk, count in counts.items()}

    keys = {question.key for entry in asked.values() for question in entry.questions}
    with_facts: dict[int | None, int] = defaultdict(int)
    for _ticket, group in groupby(_facts(period, category, keys) if keys else iter(()),
                                  key=itemgetter(0)):
        facts = list(group)
        ticket_category = facts[0][1]
        entry = asked.get(ticket_category)
        if entry is None:
            continue  # opened in a new category since the tickets were counted
        with_facts[ticket_category] += 1
        known = {key: value for _t, _c, key, value, _f in facts}
        first = {key: value for _t, _c, key, value, at_first in facts if at_first}
        for question in entry.applying(known):
            numbers = figures[question.pk]
            numbers.asked += 1
            numbers.answered += bool(first.get(question.key))
        if all(first.get(question.key) for question in entry.applying(first)
               if question.required):
            categories[ticket_category].complete += 1
    # Tickets without any fact the questions ask about: the questions that apply to
    # no answers apply to each of them, and none of those was answered.
    for pk, entry in asked.items():
        without = counts[pk] - with_facts[pk]
        if without > 0:  # (a ticket opened meanwhile may have been read with its facts)
            applying = entry.applying({})
            for question in applying:
                figures[question.pk].asked += without
            if not any(question.required for question in applying):
                categories[pk].complete += without

    events = (Event.objects.filter(_in_period(period, category, "ticket__"),
                                   kind__in=ASKING_KINDS)
              .values_list("ticket_id", "ticket__category_id", "detail"))
    unlisted: dict[str, set[int]] = defaultdict(set)
    for ticket, ticket_category, detail in events.iterator(chunk_size=2000):
        named = detail.get("keys") if isinstance(detail, dict) else None
        asking = asked.get(ticket_category)
        if asking is None or not isinstance(named, list):
            continue
        for key in named:
            if not isinstance(key, str):
                continue
            later = asking.by_key.get(key)
            if later is not None:
                figures[later.pk].asked_later_tickets.add(ticket)
            else:
                unlisted[key].add(ticket)

    rows = sorted(categories.values(),
                  key=lambda row: (row.category is None, -row.tickets, row.label))
    overall = Completeness(sum(row.tickets for row in rows), sum(row.complete for row in rows))
    return IntakeReport(period, category, overall, rows, _ordered(figures.values()),
                        {key: len(tickets) for key, tickets in sorted(
                            unlisted.items(), key=lambda item: (-len(item[1]), item[0]))})


def _ordered(figures: Iterable[QuestionFigures]) -> list[QuestionFigures]:
    """The standard questions first, then each category's, each in its order."""
    return sorted(figures, key=lambda row: (not row.standard, row.category.name,
                                            row.question.position))
