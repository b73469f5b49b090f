"""A problem's operations: record it, change it (status by an explicit table), link
and unlink tickets. Each is one transaction under the problem's row lock, checks
permission through frontline.core.permissions, records the change on the problem
(and, for links, on each ticket's timeline) and queues the outbound webhook.

What goes to customers (the workaround, the fix's release) spans the tickets'
channels, the SLA clock and search: frontline.workflow.problems.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from frontline.core import inputs, paging, permissions
from frontline.core.accounts import find_assignee
from frontline.core.errors import InvalidInput, InvalidTransition, NotFound
from frontline.core.inputs import blank
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.customers.finders import find_product, find_version
from frontline.customers.models import Version
from frontline.problems import links, webhooks
from frontline.problems.models import (
    OPEN_PROBLEM_STATUSES,
    Problem,
    ProblemChange,
    ProblemStatus,
    ProblemTicket,
)
from frontline.tickets.models import Ticket
from frontline.tickets.services import get_ticket, record_event, surviving_ticket

MAX_TITLE = 300
MAX_TEXT = 20_000

# Which status may follow which. Verified is the end; won't fix may be reconsidered;
# a fix that did not hold goes back to planned.
TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.INVESTIGATING: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.FIX_PLANNED,
                                            ProblemStatus.FIXED, ProblemStatus.WONT_FIX}),
    ProblemStatus.KNOWN_ERROR: frozenset({ProblemStatus.INVESTIGATING, ProblemStatus.FIX_PLANNED,
                                          ProblemStatus.FIXED, ProblemStatus.WONT_FIX}),
    ProblemStatus.FIX_PLANNED: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.FIXED,
                                          ProblemStatus.WONT_FIX}),
    ProblemStatus.FIXED: frozenset({ProblemStatus.VERIFIED, ProblemStatus.FIX_PLANNED}),
    ProblemStatus.VERIFIED: frozenset(),
    ProblemStatus.WONT_FIX: frozenset({ProblemStatus.INVESTIGATING}),
}
# What a status needs recorded on the problem first.
NEEDS_WORKAROUND = frozenset({ProblemStatus.KNOWN_ERROR})
NEEDS_FIX_VERSION = frozenset({ProblemStatus.FIX_PLANNED, ProblemStatus.FIXED,
                               ProblemStatus.VERIFIED})

UPDATABLE_FIELDS = ("title", "description", "status", "workaround", "fix_version",
                    "tracker_links", "owner")


# -- reading ----------------------------------------------------------------------


# The order of problem lists, desk and API: the latest change first.
LIST_ORDER = paging.Keyset("-updated_at", "-id")


def problems_page(status: str | None = None, *, cursor: str | None = None, limit: int = 50,
                  restart_on_bad_cursor: bool = False) -> paging.Page[Problem]:
    """One page of problems_list in LIST_ORDER, after `cursor`."""
    return paging.page(problems_list(status), LIST_ORDER, cursor=cursor, limit=limit,
                       restart_on_bad_cursor=restart_on_bad_cursor)


def problems_list(status: str | None = None) -> QuerySet[Problem]:
    """Problems newest change first, with their ticket count, for lists."""
    rows = (Problem.objects.select_related("owner", "fix_version__product")
            .annotate(ticket_count=Count("links")))
    if status == "open":
        rows = rows.filter(status__in=OPEN_PROBLEM_STATUSES)
    elif status:
        rows = rows.filter(status=parse_status(status))
    return rows


def get_problem(value: int | str) -> Problem:
    number = as_id(str(value).removeprefix("P-").removeprefix("p-"))
    problem = (Problem.objects.select_related("owner", "fix_version__product")
               .filter(pk=number).first() if number is not None else None)
    if problem is None:
        raise NotFound(f"There is no problem {value}.")
    return problem


def problem_of(ticket: Ticket) -> Problem | None:
    link = (ProblemTicket.objects.select_related("problem").filter(ticket=ticket).first())
    return link.problem if link is not None else None


def linked_tickets(problem: Problem) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(problem_link__problem=problem)
            .select_related("organization__plan", "requester")
            .order_by("pk"))


def changes_of(problem: Problem) -> list[ProblemChange]:
    return list(problem.changes.select_related("actor").order_by("-at", "-id")[:50])


# -- reading input ------------------------------------------------------------------


def parse_status(value: Any) -> ProblemStatus:
    text = str(value or "").strip().lower().replace(" ", "_").replace("'", "")
    try:
        return ProblemStatus(text)
    except ValueError:
        names = ", ".join(ProblemStatus.values)
        raise InvalidInput(f"No problem status '{value}' ({names}).", field="status") from None


def _clean_title(value: Any) -> str:
    title = inputs.storable(" ".join(str(value or "").split()), "title", "The title")
    if not title:
        raise InvalidInput("Give the problem a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title has at most {MAX_TITLE} characters.", field="title")
    return title


def _clean_text(value: Any, field: str) -> str:
    text = inputs.storable(str(value or "").strip(), field)
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"At most {MAX_TEXT:,} characters.", field=field)
    return text


def find_fix_version(value: Any, product: Any = None, *,
                     field: str = "fix_version") -> Version | None:
    """The version a fix ships in: a version id, or a name with its product (the
    name alone when only one product has it). None when empty."""
    if isinstance(value, Version):
        return value
    if blank(value):
        return None
    if not blank(product):
        return find_version(find_product(product, field="product"), value, field=field)
    matches = list(Version.objects.select_related("product").filter(name=str(value).strip())[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InvalidInput(f"Several products have a version '{value}'; name the product.",
                           field="product")
    # No version has that name: the desk's menu sends the version's id.
    number = as_id(value)
    found = (Version.objects.select_related("product").filter(pk=number).first()
             if number is not None else None)
    if found is not None:
        return found
    raise InvalidInput(f"No version '{value}' (name the product, or add the version to it "
                       "first).", field=field)


def check_transition(problem: Problem, target: ProblemStatus, *, workaround: str,
                     fix_version: Version | None) -> None:
    before = ProblemStatus(problem.status)
    if target == before:
        return
    if target not in TRANSITIONS[before]:
        allowed = ", ".join(ProblemStatus(s).label.lower() for s in sorted(TRANSITIONS[before]))
        raise InvalidTransition(
            f"P-{problem.pk} cannot go from {before.label.lower()} to "
            f"{target.label.lower()} (from {before.label.lower()}: {allowed or 'nothing'}).",
            field="status")
    if target in NEEDS_WORKAROUND and not workaround:
        raise InvalidInput("A known error needs its workaround written down first.",
                           field="workaround")
    if target in NEEDS_FIX_VERSION and fix_version is None:
        raise InvalidInput(f"Say which version the fix is in before setting "
                           f"{target.label.lower()}.", field="fix_version")


# -- changing ---------------------------------------------------------------------


def _record(problem: Problem, kind: str, actor: User | None, at: datetime, *,
            actor_label: str = "", **detail: Any) -> ProblemChange:
    return ProblemChange.objects.create(problem=problem, kind=kind, actor=actor,
                                        actor_label=actor_label, at=at, detail=detail)


def _resolve(problem: Problem, changes: dict[str, Any]) -> dict[str, Any]:
    """Every new value, read and checked before anything is written."""
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS) - {"product"})
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' cannot be changed here.", field=unknown[0])
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _clean_title(changes["title"])
    for field in ("description", "workaround"):
        if field in changes:
            values[field] = _clean_text(changes[field], field)
    if "fix_version" in changes:
        values["fix_version"] = find_fix_version(changes["fix_version"], changes.get("product"))
    elif "product" in changes:
        raise InvalidInput("A product goes with a fix_version.", field="product")
    if "tracker_links" in changes:
        values["tracker_links"] = links.clean_links(changes["tracker_links"])
    if "owner" in changes:
        values["owner"] = find_assignee(changes["owner"], field="owner")
    if "status" in changes:
        target = parse_status(changes["status"])
        check_transition(problem, target,
                         workaround=values.get("workaround", problem.workaround),
                         fix_version=values.get("fix_version", problem.fix_version))
        values["status"] = target.value
    return values


def _shown(field: str, value: Any) -> Any:
    if isinstance(value, Version):
        return str(value)
    if isinstance(value, User):
        return value.username
    return value


@transaction.atomic
def create_problem(actor: User, *, title: str, description: str = "", workaround: str = "",
                   tracker_links: Any = None, owner: Any = None, fix_version: Any = None,
                   product: Any = None, tickets: list[Ticket] | None = None) -> Problem:
    """Record a problem (investigating), optionally with the tickets it explains."""
    permissions.check_can_change_problems(actor)
    now = timezone.now()
    problem = Problem(
        title=_clean_title(title), description=_clean_text(description, "description"),
        workaround=_clean_text(workaround, "workaround"),
        tracker_links=links.clean_links(tracker_links),
        owner=find_assignee(owner, field="owner") if not blank(owner) else actor
        if permissions.can_own_tickets(actor) else None,
        fix_version=find_fix_version(fix_version, product),
        created_by=actor, created_at=now, updated_at=now,
    )
    if tickets:
        _check_linkable(actor, problem, tickets)
    problem.save()
    _record(problem, ProblemChange.Kind.CREATED, actor, now, title=problem.title)
    if tickets:
        _do_link(problem, actor, tickets, now)
    webhooks.notify(problem, "problem.created")
    return problem


def locked_problem(problem: Problem) -> Problem:
    return (Problem.objects.select_for_update(of=("self",))
            .select_related("fix_version__product", "owner")
            .get(pk=problem.pk))


@transaction.atomic
def update_problem(problem: Problem, actor: User | None, changes: dict[str, Any], *,
                   actor_label: str = "") -> Problem:
    """Apply several changes at once (the API's PATCH, the desk's form): all or none.
    `actor` None is the system (a tracker's webhook), named by `actor_label`."""
    if actor is not None:
        permissions.check_can_change_problems(actor)
    problem = locked_problem(problem)
    values = _resolve(problem, changes)
    now = timezone.now()
    changed: dict[str, list[Any]] = {}
    for field, value in values.items():
        before = getattr(problem, field)
        if (before.pk if hasattr(before, "pk") else before) == (
                value.pk if hasattr(value, "pk") else value):
            continue
        changed[field] = [_shown(field, before), _shown(field, value)]
        setattr(problem, field, value)
    if not changed:
        return problem
    if "status" in changed and problem.status == ProblemStatus.FIXED:
        problem.fixed_at = now
    problem.updated_at = now
    problem.save()
    status = changed.pop("status", None)
    if status is not None:
        _record(problem, ProblemChange.Kind.STATUS, actor, now, actor_label=actor_label,
                before=status[0], after=status[1])
    if changed:
        _record(problem, ProblemChange.Kind.UPDATED, actor, now, actor_label=actor_label,
                fields=sorted(changed))
    webhooks.notify(problem, "problem.updated")
    return problem


def _check_linkable(actor: User, problem: Problem, tickets: list[Ticket]) -> None:
    for ticket in tickets:
        permissions.check_can_view_ticket(actor, ticket)
        others = ProblemTicket.objects.filter(ticket=ticket)
        if problem.pk is not None:
            others = others.exclude(problem_id=problem.pk)
        other = others.first()
        if other is not None:
            raise InvalidTransition(f"{ticket.reference} is linked to problem P-"
                                    f"{other.problem_id} already; unlink it there first.",
                                    field="references")


def _do_link(problem: Problem, actor: User, tickets: list[Ticket], now: datetime) -> list[Ticket]:
    already = set(ProblemTicket.objects.filter(problem=problem).values_list("ticket_id",
                                                                             flat=True))
    added = [ticket for ticket in tickets if ticket.pk not in already]
    ProblemTicket.objects.bulk_create([ProblemTicket(problem=problem, ticket=ticket,
                                                     linked_at=now, linked_by=actor)
                                       for ticket in added])
    for ticket in added:
        record_event(ticket, "problem_linked", actor=actor, at=now, problem=problem.pk,
                     title=problem.title)
    if added:
        _record(problem, ProblemChange.Kind.LINKED, actor, now,
                tickets=[ticket.reference for ticket in added])
    return added


def tickets_from(references: list[Any], *, field: str = "references") -> list[Ticket]:
    """The tickets named (a merged one counts as the one it lives on in), in order."""
    if not references:
        raise InvalidInput("Name at least one ticket (e.g. FL-10427).", field=field)
    found: list[Ticket] = []
    for reference in references:
        try:
            ticket = surviving_ticket(get_ticket(str(reference).strip()))
        except NotFound as error:
            raise InvalidInput(error.message, field=field) from None
        if ticket.pk not in {t.pk for t in found}:
            found.append(ticket)
    return found


@transaction.atomic
def link_tickets(problem: Problem, actor: User, tickets: list[Ticket]) -> list[Ticket]:
    """Link tickets to the problem (those already linked are left as they are); a
    ticket linked to another problem is refused. Returns the ones linked now."""
    permissions.check_can_change_problems(actor)
    problem = locked_problem(problem)
    _check_linkable(actor, problem, tickets)
    now = timezone.now()
    added = _do_link(problem, actor, tickets, now)
    if added:
        problem.updated_at = now
        problem.save(update_fields=["updated_at"])
        webhooks.notify(problem, "problem.tickets_linked")
    return added


@transaction.atomic
def unlink_ticket(problem: Problem, actor: User, ticket: Ticket) -> None:
    permissions.check_can_change_problems(actor)
    problem = locked_problem(problem)
    deleted, _ = ProblemTicket.objects.filter(problem=problem, ticket=ticket).delete()
    if not deleted:
        raise NotFound(f"{ticket.reference} is not linked to P-{problem.pk}.")
    now = timezone.now()
    record_event(ticket, "problem_unlinked", actor=actor, at=now, problem=problem.pk,
                 title=problem.title)
    _record(problem, ProblemChange.Kind.UNLINKED, actor, now, ticket=ticket.reference)
    problem.updated_at = now
    problem.save(update_fields=["updated_at"])
    webhooks.notify(problem, "problem.ticket_unlinked")
