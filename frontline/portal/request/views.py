"""The public request form, /request: no account, two steps.

1. What it is about (a category) and who you are (name, email).
2. The request (subject, description), the questions that apply, files.

The questions are the category's (frontline.workflow.requests.check: the
standard questions, then the category's, each shown when its condition on
earlier answers holds). With htmx, changing an answer another question waits on
re-renders the questions part (POST /request/questions); without JavaScript the
"Update questions", "Next" and "Back" buttons post the whole form, and the page
comes back with every value in a field, visible or hidden. Sending posts it once
more; the workflow opens the ticket (workflow.requests.open_request) and the
browser is sent to a confirmation page (POST/redirect/GET) keyed by a signed
token, which names one ticket and opens no other.

Spam: a honeypot field (a filled one gets the same confirmation and no ticket)
and limits per address and per client (limits.py); files within the limits of
inbound mail (uploads.py). Input the form cannot use is an error beside its
field, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontline.core.errors import FrontlineError, InvalidInput
from frontline.intake import categories as intake_categories
from frontline.intake.models import Question
from frontline.mail import outbound
from frontline.portal import suggestions as kb
from frontline.portal.request import form, limits, uploads
from frontline.portal.request.form import Topic, Typed
from frontline.portal.views import private
from frontline.sla import promises
from frontline.tickets import access
from frontline.tickets.models import Ticket
from frontline.workflow import requests as intake_requests

STEP_TOPIC = "topic"
STEP_DETAILS = "details"
# What the confirmation token signs; a honeypot's names no ticket.
_SENT_SALT = "frontline.portal.request.sent"
_NO_TICKET = 0
# What Django refuses before the form can read it: more text than
# DATA_UPLOAD_MAX_MEMORY_SIZE, more fields or files than allowed, a broken body.
_UNREADABLE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError)


# -- the views ------------------------------------------------------------------------------


@csrf_exempt  # checked below, once the upload limits are in place (Django's documented way)
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    refused = uploads.limit(request)
    try:
        return _request_form(request, refused)
    except _UNREADABLE as error:
        return _unreadable(request, error)


@csrf_exempt
@require_POST
def questions_part(request: HttpRequest) -> HttpResponse:
    """The questions part alone (htmx), for the answers so far. Without htmx the
    whole step comes back, as "Update questions" does."""
    refused = uploads.limit(request)
    try:
        return _questions_part(request, refused)
    except _UNREADABLE as error:
        return _unreadable(request, error)


@require_GET
def sent(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: the reference and when we will answer. The no-login link
    goes by mail only (the acknowledgement): anyone can send the form with another
    person's address, and a link shown here would open that person's request."""
    try:
        payload = signing.TimestampSigner(salt=_SENT_SALT).unsign_object(
            token, max_age=access.link_lifetime())
        number, contact_id = int(payload["t"]), int(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return private(render(request, "portal/request/sent.html", _base({"invalid": True}),
                              status=404))
    context = _base({"promise": str(settings.FRONTLINE_ACK_PROMISE).strip()})
    if number != _NO_TICKET:
        ticket = Ticket.objects.select_related("requester").filter(pk=number).first()
        if ticket is None or ticket.requester_id != contact_id:
            return private(render(request, "portal/request/sent.html",
                                  _base({"invalid": True}), status=404))
        context.update({
            "ticket": ticket,
            "promise": promises.acknowledgement_promise(ticket),
            "address": ticket.requester.primary_email,
        })
    return private(render(request, "portal/request/sent.html", context))


# -- the steps ------------------------------------------------------------------------------


@csrf_protect
def _request_form(request: HttpRequest, refused: uploads.SizeLimits) -> HttpResponse:
    offered = form.topics(intake_categories.categories())
    if request.method == "GET":
        wanted = str(request.GET.get("category", ""))[:100]
        return _page(request, STEP_TOPIC, Typed(category=wanted), offered)
    typed = Typed.read(request.POST)
    action = str(request.POST.get("action", ""))
    dropped = uploads.dropped(request, refused)
    if action == "back":
        return _page(request, STEP_TOPIC, typed, offered, dropped=dropped)
    errors = form.who_errors(typed, offered)
    topic = form.topic_of(typed, offered)
    if errors or topic is None:
        return _page(request, STEP_TOPIC, typed, offered, errors=errors, dropped=dropped,
                     status=422)
    if action != "send":
        # Next, Update questions: the questions for the answers so far, errors only
        # where an answer is wrong, not yet where one is missing.
        checked = intake_requests.check(topic.category, _answers(typed, topic), require=False)
        return _page(request, STEP_DETAILS, typed, offered, topic=topic,
                     errors=_answer_errors(checked.errors), dropped=dropped)
    return _send(request, typed, offered, topic, refused)


def _send(request: HttpRequest, typed: Typed, offered: list[Topic], topic: Topic,
          refused: uploads.SizeLimits) -> HttpResponse:
    every = intake_requests.asked_for(topic.category)
    files = uploads.files_sent(request, every)
    answers = form.answers_for(every, typed, files)
    checked = intake_requests.check(topic.category, answers)
    errors = {**form.details_errors(typed), **_answer_errors(checked.errors),
              **uploads.file_errors(files, refused)}
    dropped = uploads.dropped(request, refused)
    if errors:
        return _page(request, STEP_DETAILS, typed, offered, topic=topic, errors=errors,
                     dropped=dropped, status=422)
    if typed.trap:
        # A robot: the same confirmation, no ticket. It counts against its client.
        limits.take("", limits.client_of(request))
        return _to_sent(_NO_TICKET, 0)
    held = limits.take(typed.email, limits.client_of(request))
    if held is not None:
        response = _page(request, STEP_DETAILS, typed, offered, topic=topic, held=held,
                         dropped=dropped, status=429)
        response["Retry-After"] = str(held.seconds)
        return response
    try:
        ticket = intake_requests.open_request(
            requester_email=typed.email.strip(), requester_name=" ".join(typed.name.split()),
            subject=typed.subject, body=typed.description, answers=answers,
            category=topic.slug, channel="web",
            files=[upload for each in files.values() for upload in each])
    except InvalidInput as error:
        return _page(request, STEP_DETAILS, typed, offered, topic=topic,
                     errors={form.field_of(error): error.message}, dropped=dropped,
                     status=error.status_code)
    except FrontlineError as error:
        return _page(request, STEP_DETAILS, typed, offered, topic=topic,
                     errors={"form": error.message}, dropped=dropped,
                     status=error.status_code)
    outbound.acknowledge(ticket)
    return _to_sent(ticket.pk, ticket.requester_id)


@csrf_protect
def _questions_part(request: HttpRequest, refused: uploads.SizeLimits) -> HttpResponse:
    if not getattr(request, "htmx", False):
        return _request_form(request, refused)
    typed = Typed.read(request.POST)
    offered = form.topics(intake_categories.categories())
    topic = form.topic_of(typed, offered)
    if topic is None:
        # htmx swaps only 2xx answers: say it in the part.
        return private(render(request, "portal/request/_questions.html",
                              {"missing_topic": True}))
    checked = intake_requests.check(topic.category, _answers(typed, topic), require=False)
    context = _questions_context(typed, topic, checked.asked, _answer_errors(checked.errors))
    if request.POST.get("shape") == context["shape"]:
        # The same questions: nothing to swap, so nothing the customer is typing
        # meanwhile is overwritten.
        return private(HttpResponse(status=204))
    context["oob"] = True
    context["announcement"] = _announcement(str(request.POST.get("shape", "")), checked.asked)
    return private(render(request, "portal/request/questions_part.html", context))


# -- pieces ---------------------------------------------------------------------------------


def _answers(typed: Typed, topic: Topic) -> dict[str, Any]:
    """The typed answers without files (the pages between the steps have none)."""
    return form.answers_for(intake_requests.asked_for(topic.category), typed, {})


def _answer_errors(errors: dict[str, str]) -> dict[str, str]:
    return {form.ANSWER_PREFIX + key: message for key, message in errors.items()}


def _announcement(before: str, asked: list[Question]) -> str:
    """What a screen reader says when the questions change: the new ones by name."""
    old = set(before.split(","))
    new = [question.text for question in asked if question.key not in old]
    gone = len(old - {question.key for question in asked} - {""})
    parts = ([f"New question: {' / '.join(new)}"] if new else []) + (
        [f"{gone} question{'s' if gone != 1 else ''} no longer needed"] if gone else [])
    return ". ".join(parts)


def _to_sent(number: int, contact_id: int) -> HttpResponse:
    token = signing.TimestampSigner(salt=_SENT_SALT).sign_object(
        {"t": number, "c": contact_id}, compress=False)
    return private(HttpResponseRedirect(reverse("portal_request:sent", args=[token])))


def _base(context: dict[str, Any]) -> dict[str, Any]:
    return {"support_address": settings.FRONTLINE_SUPPORT_ADDRESS, **context}


def _questions_context(typed: Typed, topic: Topic, asked: list[Question],
                       errors: dict[str, str]) -> dict[str, Any]:
    every = intake_requests.asked_for(topic.category)
    rows = form.rows(asked, every, typed,
                     {key.removeprefix(form.ANSWER_PREFIX): message
                      for key, message in errors.items()
                      if key.startswith(form.ANSWER_PREFIX)})
    return {
        "groups": form.groups(rows, topic),
        # Which questions are shown: the questions part is swapped only when it changes.
        "shape": ",".join(question.key for question in asked),
        "hidden_answers": form.carried(typed, asked, every),
        "conditional": any(question.when for question in every),
        "suggestions": kb.suggestions_for(topic.category, typed.text),
        "questions_url": reverse("portal_request:questions"),
    }


def _page(request: HttpRequest, step: str, typed: Typed, offered: list[Topic], *,
          topic: Topic | None = None, errors: dict[str, str] | None = None,
          dropped: list[str] | None = None, held: limits.Held | None = None,
          status: int = 200) -> HttpResponse:
    errors = errors or {}
    context = _base({
        "step": step,
        "typed": typed,
        "topics": offered,
        "topic": topic,
        "errors": errors,
        "dropped": dropped or [],
        "held": held,
        "file_limits": form.file_limits_text(),
        "trap_field": form.TRAP_FIELD,
    })
    asked: list[Question] = []
    if step == STEP_TOPIC:
        context["hidden_answers"] = form.carried(typed, (), ())
    else:
        assert topic is not None
        asked = intake_requests.asked_for(topic.category)
        checked = intake_requests.check(topic.category, _answers(typed, topic), require=False)
        context.update(_questions_context(typed, topic, checked.asked, errors))
    context["error_list"] = _error_list(errors, asked)
    return private(render(request, "portal/request/form.html", context, status=status))


_LABELS = {"category": "What it is about", "name": "Your name", "email": "Your email address",
           "subject": "Subject", "description": "Description", "attachments": "Files",
           "form": "Your request"}
_ANCHORS = {"category": "topics", "form": "request-error"}


def _error_list(errors: dict[str, str], asked: list[Question]) -> list[dict[str, str]]:
    """The errors for the summary at the top, each linking to its field (a question
    by its text, as the customer reads it)."""
    texts = {form.ANSWER_PREFIX + question.key: question.text for question in asked}
    found = []
    for name, message in errors.items():
        if name.startswith(form.ANSWER_PREFIX):
            label, anchor = texts.get(name, "A question"), f"{name}-block"
        else:
            label, anchor = _LABELS.get(name, "Your request"), _ANCHORS.get(name, f"f-{name}")
        found.append({"anchor": anchor, "label": label, "message": message})
    return found


def _unreadable(request: HttpRequest, error: Exception) -> HttpResponse:
    too_big = isinstance(error, RequestDataTooBig)
    return private(render(request, "portal/request/unreadable.html",
                          _base({"too_big": too_big}), status=413 if too_big else 400))
