"""The no-login answer page a follow-up links to: the questions that apply to the
request, what we know already filled in, the required ones still missing marked.

Access is the ticket's signed link (frontline.tickets.access), like the ticket
page. The answers become the customer's message and facts from the form
(frontline.workflow.requests.add_answers); a known fact is shown with its value,
so the customer corrects it rather than being asked it again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from frontline import workflow
from frontline.core.errors import FrontlineError
from frontline.intake import facts
from frontline.intake.models import QuestionType
from frontline.portal.views import _open, _private, _refused
from frontline.tickets import access
from frontline.tickets.models import Channel, Ticket
from frontline.workflow import requests

MAX_ANSWER_CHARS = 10_000


def _raw_answers(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """What the form sent, per question key (a list for several choices), bounded."""
    raw: dict[str, Any] = {}
    for question in requests.asked_for(ticket.category):
        name = f"answer-{question.key}"
        if question.type == QuestionType.MULTI_CHOICE:
            raw[question.key] = [str(value)[:MAX_ANSWER_CHARS]
                                 for value in request.POST.getlist(name)][:100]
        elif name in request.POST:
            raw[question.key] = str(request.POST.get(name, ""))[:MAX_ANSWER_CHARS + 1]
    return raw


def _page(request: HttpRequest, ticket: Ticket, token: str, typed: dict[str, Any] | None,
          errors: dict[str, str] | None = None, *, error: str = "",
          status: int = 200) -> HttpResponse:
    known_rows = {fact.key: fact for fact in facts.facts_of(ticket)}
    known = {key: fact.value for key, fact in known_rows.items()}
    values: dict[str, Any] = dict(known)
    values.update({key: value for key, value in (typed or {}).items()})
    checked = requests.check(ticket.category, values, require=False)
    fields = []
    for question in checked.asked:
        value = values.get(question.key, "")
        fields.append({
            "question": question,
            "name": f"answer-{question.key}",
            "value": value,
            "picked": (value if isinstance(value, list) else
                       [part.strip() for part in str(value).split(",")]
                       if question.type == QuestionType.MULTI_CHOICE else [str(value)]),
            "known": known_rows.get(question.key),
            "missing": question.required and not known.get(question.key),
            "error": (errors or {}).get(question.key, ""),
        })
    context = {
        "ticket": ticket, "token": token, "fields": fields, "error": error,
        "open_count": sum(1 for field in fields if field["missing"]),
        "support_address": settings.FRONTLINE_SUPPORT_ADDRESS,
    }
    return _private(render(request, "portal/answers.html", context, status=status))


@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        grant = _open(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as refused:
        return _refused(request, reference, refused)
    ticket = workflow.surviving_ticket(grant.ticket)
    if request.method == "GET":
        return _page(request, ticket, token, None)
    typed = _raw_answers(request, ticket)
    if "refresh" in request.POST:  # "Show the questions that apply" without JavaScript
        return _page(request, ticket, token, typed)
    checked = requests.check(ticket.category, typed, require=False,
                             known=facts.answers_of(ticket))
    if checked.errors:
        return _page(request, ticket, token, typed, checked.errors,
                     error="Please check the answers marked below.", status=422)
    try:
        requests.add_answers(ticket, typed, contact=grant.contact, channel=Channel.PORTAL)
    except FrontlineError as refused:
        return _page(request, ticket, token, typed, error=refused.message,
                     status=refused.status_code)
    url = access.ticket_path(grant.ticket, grant.contact)
    return _private(HttpResponseRedirect(f"{url}?done=answered"))
