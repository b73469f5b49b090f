"""Bulk actions on a queue's selected tickets (issue 12): one confirmation that says
what will happen, then what happened to each ticket.

The queue's bulk bar posts here twice: first without `confirmed`, and the answer
is the confirmation (the tickets and the changes in words); then with it, and
the changes run through frontline.workflow.bulk, the same path as
`POST /api/v1/tickets/bulk`, which answers per ticket. With htmx both answers
land in the queue page's dialog; without, each is a page.

With `scope=matching` (the banner's "Select all N tickets matching this queue",
desk/static/desk/bulk.js) the form names the queue and its canonical filters
(`queue`, `query`) instead of references, and the server reads the tickets from
them (frontline.workflow.bulk.check_bulk_matching) on each of the two posts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from frontline.core.accounts import find_assignee
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page, is_htmx, render_desk
from frontline.routing.teams import find_team
from frontline.tickets.models import Status
from frontline.tickets.queue_query import read_queue_query
from frontline.tickets.selectors import SORTS
from frontline.tickets.services.inputs import parse_status
from frontline.tickets.taxonomy import find_priority
from frontline.workflow import bulk

# A select's value that means "clear it" (an empty value means "leave it").
NOBODY = "none"
# The fields the bar sends, passed on unchanged by the confirmation.
BAR_FIELDS = ("action", "assignee", "status", "priority", "team", "tags", "merge_into",
              "confirm_other_customer", "next", "scope", "queue", "query")
# The confirmation of "select all matching" names this many references, then a count.
SHOWN_REFERENCES = 30


def bar_changes(form: QueryDict) -> dict[str, Any]:
    """The bulk bar's fields as the changes frontline.workflow.bulk reads."""
    if form.get("action") == "merge":
        changes: dict[str, Any] = {"merge_into": form.get("merge_into") or bulk.OLDEST}
        if form.get("confirm_other_customer") == "1":
            changes["confirm_other_customer"] = True
        return changes
    changes = {}
    for field in ("assignee", "team"):
        value = form.get(field, "")
        if value:
            changes[field] = None if value == NOBODY else value
    for field in ("status", "priority"):
        if form.get(field):
            changes[field] = form[field]
    if form.get("tags", "").strip():
        changes["tags"] = form["tags"]
    return changes


def describe(changes: dict[str, Any], references: list[str]) -> list[str]:
    """The confirmation's sentences: what each change will do, in words."""
    if "merge_into" in changes:
        target = changes["merge_into"]
        into = "the oldest of them" if target == bulk.OLDEST else target
        lines = [f"Merge {len(references)} tickets into {into}: their messages move there "
                 "and the others close, each redirecting to it."]
        if changes.get("confirm_other_customer"):
            lines.append("Other customers' requests are merged too; each customer still "
                         "sees only their own messages.")
        return lines
    lines = []
    if "assignee" in changes:
        person = find_assignee(changes["assignee"])
        lines.append(f"Assign to {person.display_name}." if person else "Unassign.")
    if "status" in changes:
        lines.append(f"Set the status to {Status(parse_status(changes['status'])).label}.")
    if "priority" in changes:
        priority = find_priority(changes["priority"])
        lines.append(f"Set the priority to {priority.label if priority else 'none'}.")
    if "team" in changes:
        team = find_team(changes["team"])
        lines.append(f"Move to the team {team.name}." if team else "Take off their team.")
    if "tags" in changes:
        lines.append(f"Add the tags {changes['tags']}.")
    return lines


def _next(request: HttpRequest) -> str:
    """Where "back to the queue" goes: the queue page the bar was on."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@desk_view
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    user = desk_user(request)
    changes = bar_changes(request.POST)
    matching = request.POST.get("scope") == "matching"
    try:
        if matching:
            query = read_queue_query(QueryDict(request.POST.get("query", "")), sorts=SORTS)
            checked = bulk.check_bulk_matching(user, request.POST.get("queue", ""), query,
                                               changes)
        else:
            checked = bulk.check_bulk(user, request.POST.getlist("references"), changes)
        if request.POST.get("confirmed") != "1":
            shown = checked.references[:SHOWN_REFERENCES] if matching else checked.references
            context: dict[str, Any] = {
                "references": checked.references,
                "matching": matching,
                "shown_references": shown,
                "more": len(checked.references) - len(shown),
                "lines": describe(changes, checked.references),
                "fields": [(name, request.POST[name]) for name in BAR_FIELDS
                           if request.POST.get(name)],
                "next": _next(request),
            }
            return _answer(request, "desk/queues/_bulk_confirm.html", context)
        outcomes = bulk.apply_bulk(user, checked)
    except FrontlineError as error:
        return error_page(request, error)
    done = [o for o in outcomes if not o.refused]
    refused = [o for o in outcomes if o.refused]
    return _answer(request, "desk/queues/_bulk_result.html",
                   {"done": done, "refused": refused, "next": _next(request)})


def _answer(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if is_htmx(request):
        return render(request, template, context)
    return render_desk(request, "desk/queues/bulk.html", {**context, "part": template})
