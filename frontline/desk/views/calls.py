"""The phone script: an agent logs a call ("Log a call", /calls/new).

One page, in the order a call goes: who is calling (a phone number, an address
or a name, matched as the agent types: /calls/lookup), a new request or one of
the caller's tickets, then the questions of its category as lines to say, each
with why we ask. A ticket's facts known already are shown, not asked again. The
questions are drawn again as answers come in (/calls/questions, htmx), so one
shown only on an earlier answer appears then; without JavaScript the same form
posts to /calls/new, whose "Update questions" does the same as a whole page.

Saving goes through the workflow like the public form (frontline.workflow.
requests: open_request, or add_answers for an existing ticket), on the phone
channel with the agent as actor, and the number the caller rang from goes on
their contact when it has none (frontline.customers.services.set_phone). A
refusal is shown next to its field with everything typed kept; never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.customers import services as customers
from frontline.customers.finders import find_contact, find_contacts, looks_like_phone
from frontline.customers.models import Contact
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.intake.answers import Checked
from frontline.intake.facts import answers_of
from frontline.intake.models import Question, QuestionType
from frontline.intake.questions import condition_text
from frontline.tickets.models import ACTIVE_STATUSES, Ticket
from frontline.tickets.services.inputs import clean_body, clean_subject
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category, find_category
from frontline.workflow import requests as call_requests

ANSWER = "answer-"
MATCHES = 8
OPEN_TICKETS_SHOWN = 5
# A choice question with more choices than this is a menu rather than a row of buttons.
MAX_RADIOS = 6
# Where a service's refusal is shown: its field, as this form names it.
FIELDS = {"requester_email": "new_email", "requester_name": "new_name", "emails": "new_email",
          "files": "answers"}
FORM_FIELDS = {"caller", "contact", "new_name", "new_email", "phone", "mode", "category",
               "subject", "body", "reference", "answers"}
# The refusals the questions part shows (the others are next to fields it does not draw).
SHOWN_WITH_QUESTIONS = {"answers", "reference"}


@dataclass
class Call:
    """What the agent typed so far, read back from the form as it was sent."""

    caller: str = ""
    contact: str = ""  # a contact's id, "new" for a new caller, "" for none chosen yet
    new_name: str = ""
    new_email: str = ""
    phone: str = ""
    mode: str = "new"  # "new" request, or "existing" ticket
    category: str = ""
    subject: str = ""
    body: str = ""
    ticket: str = ""  # one of the caller's open tickets, picked
    reference: str = ""  # or typed
    answers: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, data: QueryDict) -> Call:
        def text(name: str) -> str:
            return str(data.get(name, "")).strip()

        return cls(
            caller=text("caller"), contact=text("contact"), new_name=text("new_name"),
            new_email=text("new_email"), phone=text("phone"),
            mode="existing" if text("mode") == "existing" else "new",
            category=text("category"), subject=text("subject"),
            body=str(data.get("body", "")).replace("\r\n", "\n").strip(),
            ticket=text("ticket"), reference=text("reference"),
            answers={name[len(ANSWER):]: [str(value) for value in data.getlist(name)]
                     for name in data if name.startswith(ANSWER) and len(name) > len(ANSWER)},
        )

    @property
    def ticket_reference(self) -> str:
        return self.reference or self.ticket

    @property
    def contact_id(self) -> int | None:
        return as_id(self.contact)


@dataclass
class Line:
    """One question of the script as the page shows it."""

    question: Question
    known: str
    values: list[str]
    error: str

    @property
    def say(self) -> str:
        return self.question.agent_text or self.question.text

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def shown_when(self) -> str:
        return condition_text(self.question.when or {})

    @property
    def widget(self) -> str:
        kind = self.question.type
        if kind == QuestionType.CHOICE and len(self.question.choices) > MAX_RADIOS:
            return "select"
        return str(kind)


@dataclass
class Script:
    """The request and its questions, worked out from the Call."""

    call: Call
    contact: Contact | None = None
    ticket: Ticket | None = None
    category: Category | None = None
    known: dict[str, str] = field(default_factory=dict)
    checked: Checked = field(default_factory=Checked)
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200

    def refuse(self, error: FrontlineError, where: str) -> None:
        """Note a refusal next to `where`, or next to the field the error names."""
        named = FIELDS.get(error.field or "", error.field or "")
        if named.startswith("answers."):
            named = ANSWER + named[len("answers."):]
        target = named if named and (named in FORM_FIELDS or named.startswith(ANSWER)) else where
        self.errors.setdefault(target, error.message)
        if self.status == 200:
            self.status = error.status_code

    @property
    def rows(self) -> list[Line]:
        return [Line(question, self.known.get(question.key, ""),
                      self.call.answers.get(question.key, []),
                      self.errors.get(ANSWER + question.key, ""))
                for question in self.checked.asked]

    @property
    def answers(self) -> dict[str, Any]:
        """What the caller answered, but for the facts the ticket knows already: those
        are shown, not asked, and an answer left in the form from before the ticket
        was picked must not count for the conditions."""
        return {key: values for key, values in self.call.answers.items()
                if key not in self.known}

    @property
    def kept(self) -> list[tuple[str, str]]:
        """Answers not asked now (a condition that no longer holds, a fact the ticket
        knows): kept in the form, so they are back if they are asked again."""
        asked = {question.key for question in self.checked.asked} - set(self.known)
        return [(ANSWER + key, value) for key, values in self.call.answers.items()
                if key not in asked for value in values if value.strip()]

    @property
    def shape(self) -> str:
        """What the questions part shows, in one string: the page sends it back, and
        an answer that changes none of it is answered with 204 (nothing to redraw),
        so the field being typed in is not redrawn under the agent's fingers."""
        return "|".join([
            self.call.mode, str(self.category.pk if self.category else ""),
            str(self.ticket.pk if self.ticket else ""),
            ",".join(question.key for question in self.checked.asked),
            ",".join(sorted(self.known)),
            ",".join(f"{key}={value}" for key, value in sorted(self.errors.items())
                     if key in SHOWN_WITH_QUESTIONS or key.startswith(ANSWER)),
        ])



def work_out(call: Call, user: User) -> Script:
    """The caller, the ticket or category and the questions that apply, with every
    refusal noted next to its field (nothing is written)."""
    script = Script(call)
    if call.contact_id is not None:
        try:
            script.contact = find_contact(call.contact_id)
        except FrontlineError as error:
            script.refuse(error, "contact")
    if call.mode == "existing":
        if call.ticket_reference:
            try:
                ticket = workflow.get_ticket(call.ticket_reference)
                permissions.check_can_view_ticket(user, ticket)
            except FrontlineError as error:
                script.refuse(error, "reference")
            else:
                script.ticket = ticket
                script.category = ticket.category
                script.known = answers_of(ticket)
    else:
        try:
            script.category = find_category(call.category)
        except FrontlineError as error:
            script.refuse(error, "category")
    script.checked = call_requests.check(script.category, script.answers, require=False,
                                         known=script.known)
    for key, message in script.checked.errors.items():
        script.errors.setdefault(ANSWER + key, message)
        script.status = 422 if script.status == 200 else script.status
    return script


# -- who is calling --------------------------------------------------------------------------


def _with_open_tickets(user: User, contacts: list[Contact]) -> None:
    """Each contact's most recently updated open tickets, as `open_tickets`: one query
    however many contacts (a window per contact, Django's sliced prefetch)."""
    open_tickets = permissions.visible_tickets(
        user, Ticket.objects.filter(status__in=ACTIVE_STATUSES)).order_by("-updated_at", "-pk")
    prefetch_related_objects(contacts, Prefetch(
        "tickets", queryset=open_tickets[:OPEN_TICKETS_SHOWN], to_attr="open_tickets"))


def caller_context(call: Call, user: User) -> dict[str, Any]:
    """The contacts the lookup finds, the one chosen first when it is not among them."""
    matches = find_contacts(call.caller, MATCHES) if call.caller else []
    chosen = call.contact_id
    if chosen is not None and chosen not in {contact.pk for contact in matches}:
        found = Contact.objects.filter(pk=chosen).select_related("organization__plan")
        matches = [*found.prefetch_related("emails"), *matches][:MATCHES + 1]
    _with_open_tickets(user, matches)
    default_plan = None
    if any(contact.organization is None or contact.organization.plan is None
           for contact in matches):
        default_plan = customers.default_plan()
    return {
        "call": call,
        "matches": [{"contact": contact,
                     "plan": (contact.organization.plan if contact.organization is not None
                              and contact.organization.plan is not None else default_plan)}
                    for contact in matches],
        "caller_is_phone": looks_like_phone(call.caller),
        "caller_is_email": "@" in call.caller,
    }


# -- pages -----------------------------------------------------------------------------------


def _categories() -> list[Category]:
    return list(Category.objects.exclude(slug=STANDARD_CATEGORY).order_by("name"))


def _page(request: HttpRequest, user: User, call: Call, script: Script, *,
          status: int = 200) -> HttpResponse:
    if not call.phone and looks_like_phone(call.caller):
        call.phone = call.caller  # the number the lookup was typed with
    if not call.new_email and "@" in call.caller and not call.contact_id:
        call.new_email = call.caller
    context = {**caller_context(call, user), "script": script, "categories": _categories(),
               "errors": script.errors}
    return render_desk(request, "desk/calls/new.html", context, status=status)


def _refused(request: HttpRequest) -> HttpResponse | None:
    try:
        permissions.check_can_open_ticket(desk_user(request))
    except FrontlineError as error:
        return error_page(request, error)
    return None


@desk_view
def new_call(request: HttpRequest) -> HttpResponse:
    """The script. GET starts a call (`?caller=` a number or name to look up,
    `?ticket=FL-10427` to add to that ticket); POST "find" or "update" draws it again
    with what was typed (the form without JavaScript), "save" records the call."""
    refused = _refused(request)
    if refused is not None:
        return refused
    user = desk_user(request)
    if request.method == "POST":
        call = Call.read(request.POST)
        if request.POST.get("action") == "save":
            return _save(request, user, call)
    else:
        call = Call.read(request.GET)
        if call.ticket:
            call.mode = "existing"
    return _page(request, user, call, work_out(call, user))


@desk_view
def lookup(request: HttpRequest) -> HttpResponse:
    """The contacts matching what the agent typed (htmx, as they type)."""
    refused = _refused(request)
    if refused is not None:
        return refused
    user = desk_user(request)
    return render(request, "desk/calls/_matches.html", caller_context(Call.read(request.GET), user))


@desk_view
@require_POST
def questions(request: HttpRequest) -> HttpResponse:
    """The questions part again, after an answer (htmx); 204 when it would show the same."""
    refused = _refused(request)
    if refused is not None:
        return refused
    user = desk_user(request)
    script = work_out(Call.read(request.POST), user)
    if request.POST.get("shape") == script.shape:
        return HttpResponse(status=204)
    return render(request, "desk/calls/_questions.html",
                  {"script": script, "call": script.call, "errors": script.errors})


# -- saving ------------------------------------------------------------------------------------


def _check_before_saving(script: Script) -> None:
    """Every refusal the form can show at once, before anything is written (the
    services check again, and stop at the first)."""
    call = script.call
    checks: list[tuple[str, Any]] = [("phone", lambda: customers.clean_phone(call.phone))]
    if script.contact is None and (call.mode == "new" or call.new_email):
        if not call.new_email and call.mode == "new":
            script.errors.setdefault("new_email", "Pick the caller from the matches, or enter "
                                                  "a new caller's email address.")
        else:
            checks.append(("new_email", lambda: customers.normalize_email(call.new_email)))
    if script.contact is not None and call.mode == "new" and not script.contact.primary_email:
        script.errors.setdefault("contact", f"{script.contact} has no email address; enter "
                                            "the caller as a new caller with theirs.")
    if call.mode == "new":
        checks += [("subject", lambda: clean_subject(call.subject)),
                   ("body", lambda: clean_body(call.body))]
    elif not call.ticket_reference:
        script.errors.setdefault("reference", "Pick one of the caller's open tickets, or type "
                                              "the ticket's reference (e.g. FL-10427).")
    for where, check in checks:
        try:
            check()
        except FrontlineError as error:
            script.refuse(error, where)


def _record(script: Script, user: User) -> Ticket:
    call = script.call
    existing = call.mode == "existing"
    return call_requests.log_call(
        user, answers=script.answers, body=call.body,
        ticket=script.ticket if existing else None, caller=script.contact,
        new_email=call.new_email, new_name=call.new_name, subject=call.subject,
        category=script.category.slug if script.category and not existing else None,
        phone=call.phone)


def _save(request: HttpRequest, user: User, call: Call) -> HttpResponse:
    script = work_out(call, user)
    _check_before_saving(script)
    if not script.errors:
        try:
            ticket = _record(script, user)
        except FrontlineError as error:
            script.refuse(error, "reference" if call.mode == "existing" else "form")
        else:
            done = "added to" if call.mode == "existing" else "logged as"
            messages.success(request, f"Call {done} {ticket.reference}.")
            return redirect(ticket.get_absolute_url())
    status = script.status if script.status >= 400 else 422
    return _page(request, user, call, script, status=status)

