"""The no-login answer page a follow-up links to: the questions that apply to the
request, what we know already filled in, the required ones still missing marked.

Access is the ticket's signed link (frontline.tickets.access), like the ticket
page. The questions are drawn and read as the public request form draws and
reads them (frontline.portal.request.form and .uploads: the same fields, the
same file limits); the answers become the customer's message and facts from the
form (frontline.workflow.requests.add_answers). A known fact is shown with its
value, so the customer corrects it rather than being asked it again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from frontline import workflow
from frontline.core.errors import FrontlineError
from frontline.intake import facts
from frontline.intake.models import QuestionType, TicketFact
from frontline.portal.request import form, uploads
from frontline.portal.views import open_grant, private, refused_page
from frontline.tickets import access
from frontline.tickets.models import Channel, Ticket
from frontline.workflow import requests

SOURCE_WORDS = {"message": "your message", "form": "your earlier answer",
                "organization": "your organization's details", "agent": "our support team"}


def _known(ticket: Ticket) -> tuple[dict[str, TicketFact], form.Typed]:
    rows = {fact.key: fact for fact in facts.facts_of(ticket)}
    typed = form.Typed(answers={
        key: [part.strip() for part in fact.value.split(",")] if _is_multi(ticket, key)
        else [fact.value] for key, fact in rows.items()})
    return rows, typed


def _is_multi(ticket: Ticket, key: str) -> bool:
    return any(question.key == key and question.type == QuestionType.MULTI_CHOICE
               for question in requests.asked_for(ticket.category))


def _page(request: HttpRequest, ticket: Ticket, token: str, typed: form.Typed | None = None,
          errors: dict[str, str] | None = None, *, error: str = "",
          dropped: list[str] | None = None, status: int = 200) -> HttpResponse:
    known_rows, known = _known(ticket)
    if typed is not None:
        known.answers.update(typed.answers)
    every = requests.asked_for(ticket.category)
    answers = form.answers_for(every, known, {})
    checked = requests.check(ticket.category, answers, require=False)
    rows = form.rows(checked.asked, every, known, errors or {})
    fields = [{"row": row, "known": known_rows.get(row.question.key),
               "known_from": SOURCE_WORDS.get(getattr(known_rows.get(row.question.key),
                                                      "source", ""), ""),
               "missing": row.question.required and row.question.key not in known_rows}
              for row in rows]
    context = {
        "ticket": ticket, "token": token, "error": error, "dropped": dropped or [],
        "fields": fields, "open_count": sum(1 for field in fields if field["missing"]),
        "hidden_answers": form.carried(known, checked.asked, every),
        "file_limits": form.file_limits_text(),
        "support_address": settings.FRONTLINE_SUPPORT_ADDRESS,
    }
    return private(render(request, "portal/answers.html", context, status=status))


@csrf_exempt  # checked below, once the upload limits are in place (as the request form)
@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    refused = uploads.limit(request)
    return _answers(request, reference, token, refused)


@csrf_protect
def _answers(request: HttpRequest, reference: str, token: str,
             refused: uploads.SizeLimits) -> HttpResponse:
    try:
        grant = open_grant(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as denied:
        return refused_page(request, reference, denied)
    ticket = workflow.surviving_ticket(grant.ticket)
    if request.method == "GET":
        return _page(request, ticket, token)
    typed = form.Typed.read(request.POST)
    dropped = uploads.dropped(request, refused)
    if "refresh" in request.POST:  # "Show the questions that apply", without JavaScript
        return _page(request, ticket, token, typed, dropped=dropped)
    every = requests.asked_for(ticket.category)
    files = uploads.files_sent(request, every)
    answers: dict[str, Any] = form.answers_for(every, typed, files)
    checked = requests.check(ticket.category, answers, require=False,
                             known=facts.answers_of(ticket))
    errors = {**checked.errors, **{key.removeprefix(form.ANSWER_PREFIX): message for key, message
                                   in uploads.file_errors(files, refused).items()}}
    if errors:
        return _page(request, ticket, token, typed, errors, dropped=dropped,
                     error="Please check the answers marked below.", status=422)
    try:
        requests.add_answers(ticket, answers, contact=grant.contact, channel=Channel.PORTAL,
                             files=[upload for each in files.values() for upload in each])
    except FrontlineError as refused_error:
        return _page(request, ticket, token, typed, dropped=dropped,
                     error=refused_error.message, status=refused_error.status_code)
    url = access.ticket_path(grant.ticket, grant.contact)
    return private(HttpResponseRedirect(f"{url}?done=answered"))
