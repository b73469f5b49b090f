"""The ticket page and every change an agent makes from it.

Each change calls one service. With htmx the answer is a small partial: the
new timeline entries appended, header, facts and navigation swapped out of
band, and the composer or a flash in place; without JavaScript it redirects
back to the page. A refused change (frontline.core.errors) is shown where it
was made, with its 4xx status, never as a 500.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import inputs, permissions
from frontline.core.errors import FrontlineError, InvalidInput, NotFound
from frontline.core.lookup import MAX_ID
from frontline.core.models import User
from frontline.desk.views.common import (
    desk_user,
    desk_view,
    error_page,
    is_htmx,
    nav_context,
    render_desk,
)
from frontline.desk.views.developers import developer_brief
from frontline.desk.views.problems import ticket_problem_context
from frontline.desk.views.sla import sla_context
from frontline.intake import asking, follow_up
from frontline.intake import facts as intake_facts
from frontline.intake import questions as intake_questions
from frontline.intake.models import TicketFact
from frontline.mail import outbound
from frontline.mail.formatting import markdown_html
from frontline.routing.models import Team
from frontline.tickets.models import (
    Category,
    Message,
    Priority,
    Status,
    Ticket,
    parse_reference,
)
from frontline.tickets.selectors import (
    QUEUES,
    SORTS,
    TimelineMark,
    environment_facts,
    linked_tickets,
    newest_message_id,
    next_in_queue,
    requester_recent_tickets,
    ticket_for_page,
    timeline,
)
from frontline.tickets.services import drafts
from frontline.tickets.services.attachments import UploadedFile, check_files
from frontline.tickets.services.collision import NewerEntries, check_seen
from frontline.tickets.services.state import TRANSITIONS

# The composer's confirmation: send a reply that asks for facts the ticket has.
SEND_ANYWAY = "send_anyway"

# What "Send and set status" offers next to a reply; "" keeps the status
# (add_reply still moves a new ticket to open).
REPLY_STATUSES = [
    ("", "Send"),
    (Status.PENDING_CUSTOMER.value, "Send, pending customer"),
    (Status.PENDING_INTERNAL.value, "Send, pending internal"),
    (Status.RESOLVED.value, "Send and resolve"),
]


def _queue_context(request: HttpRequest) -> tuple[str | None, str]:
    queue = request.GET.get("q") or request.POST.get("q") or None
    sort = request.GET.get("sort") or request.POST.get("sort") or "updated"
    return (queue if queue in QUEUES else None), (sort if sort in SORTS else "updated")


def load_ticket(reference: str) -> Ticket:
    """The ticket a change is aimed at; a merged one refuses changes (409, naming the
    ticket that lives on: frontline.tickets.services.entry)."""
    ticket = workflow.get_ticket(reference)
    workflow.landing(ticket, workflow.EntryKind.CHANGE)
    return ticket


def _composer(ticket: Ticket, *, kind: str = "reply", body: str = "", status: str = "",
              error: str | None = None, error_field: str | None = None,
              known: list[TicketFact] | None = None, seen: int | None = None,
              newer: list[Message] | None = None, newer_title: str = "",
              send_anyway: bool = False, dropped: list[str] | None = None,
              draft_at: datetime | None = None, to: str | None = None,
              cc: str | None = None, sent: dict[str, Any] | None = None) -> dict[str, Any]:
    if to is None or cc is None:
        # Where a reply goes unless the agent changes it (frontline.mail.recipients):
        # To the requester, Cc whoever was copied in. Shown, and editable. A draft
        # may keep one field as typed and leave the other at the default.
        default = workflow.reply_recipients(ticket)
        to = ", ".join(default.to) if to is None else to
        cc = ", ".join(default.cc) if cc is None else cc
    return {
        "composer_kind": kind if kind in ("reply", "note") else "reply",
        # The newest message the page shows (frontline.tickets.services.collision);
        # ticket_live.js sends the one on screen instead; this is the fallback.
        "composer_seen": seen if seen is not None else newest_message_id(ticket),
        # What came in while the agent wrote (held back until sent again):
        # _held_for_newer.
        "composer_newer": newer or [],
        "composer_newer_title": newer_title,
        "composer_send_anyway": send_anyway,
        "composer_body": body,
        # A draft the page opened with (frontline.tickets.services.drafts): when saved.
        "composer_draft_at": draft_at,
        # Files chosen for a send that was held back: a file box cannot be refilled.
        "composer_dropped": dropped or [],
        "composer_status": status,
        # The To and Cc fields, as typed (or the default, above).
        "composer_to": to or "",
        "composer_cc": cc or "",
        # The reply just sent and held for the undo window (_sent_reply), or None.
        "composer_sent": sent,
        "composer_error": error,
        "composer_error_field": error_field,
        # What the reply asks for that the ticket already knows (held back until
        # "Send anyway"): known_asked.
        "composer_known": known or [],
        "reply_statuses": REPLY_STATUSES,
        "composer_closed": ticket.status == Status.CLOSED,
        # Mail to these came back for good: the agent should know before writing.
        "bouncing": [email for email in ticket.requester.emails.all()
                     if email.bouncing_since is not None],
    }


def _assignee_options(user: User, ticket: Ticket) -> list[tuple[str, str]]:
    """(username, label) of everyone who may hold the ticket, for the assignee menu.

    Rendered with the `options` tag rather than a template loop over User objects:
    with 300 agents that loop was a large part of the page (bench/RESULTS.md, finding 5).
    """
    people = (permissions.users_who_can_view_ticket(permissions.ticket_owners(User.objects.all()),
                                                    ticket)
              .order_by("first_name", "username")
              .values_list("pk", "username", "first_name", "last_name"))
    options = []
    for pk, username, first, last in people:
        name = f"{first} {last}".strip() or username  # User.display_name
        options.append((username, f"{name} (me)" if pk == user.pk else name))
    return options


def _panel_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """Header, facts and actions: everything but the timeline and the composer."""
    can_change = permissions.can_change_ticket(user, ticket)
    known = intake_facts.facts_of(ticket)
    missing = intake_facts.missing(ticket, known)
    # Read once with the composer's Cc (frontline.mail.recipients.participant_addresses).
    prefetch_related_objects([ticket], "participants__contact__emails")
    participants = list(ticket.participants.all())
    context: dict[str, Any] = {
        "ticket": ticket,
        "can_change": can_change,
        "facts": environment_facts(ticket),
        "ticket_facts": known,
        "missing_facts": missing,
        # Offered only while nothing was asked yet (frontline.intake.follow_up).
        "follow_up": follow_up.plan(ticket, missing) if missing and can_change else None,
        "links": linked_tickets(ticket),
        # Near the top of the side column (desk/tickets/_recent.html).
        "recent_tickets": requester_recent_tickets(ticket),
        # People copied in on the mail (frontline.mail makes them participants).
        "participants": participants,
        "merged_here": list(Ticket.objects.filter(merged_into=ticket).order_by("pk")
                            .values_list("pk", flat=True)),
        **sla_context(user, ticket),  # desk/tickets/_sla.html
        **ticket_problem_context(user, ticket),  # desk/tickets/_problem.html
    }
    if can_change:
        context.update({
            "next_statuses": [(value, label) for value, label in Status.choices
                              if value == ticket.status
                              or value in TRANSITIONS[ticket.status]],
            "priorities": Priority.choices,
            "teams": list(Team.objects.order_by("tier", "name")),
            "categories": list(Category.objects.order_by("name")),
            "assignees": _assignee_options(user, ticket),
            "assignee_username": ticket.assignee.username if ticket.assignee else "",
            "can_reopen": ticket.status in (Status.RESOLVED, Status.CLOSED),
        })
    return context


def _page_ticket(pk: int) -> Ticket:
    ticket = ticket_for_page(pk)
    if ticket is None:
        raise NotFound(f"There is no ticket {pk}.")
    # The requester's address is shown; one query instead of one per access.
    prefetch_related_objects([ticket], "requester__emails")
    return ticket


@desk_view
def ticket_page(request: HttpRequest, reference: str) -> HttpResponse:
    user = desk_user(request)
    number = parse_reference(reference)
    ticket = ticket_for_page(number) if number is not None else None
    if ticket is None:
        try:
            workflow.get_ticket(reference)  # for its wording of what is wrong
            message = f"There is no ticket {reference}."
        except NotFound as error:
            message = error.message
        return render_desk(request, "desk/tickets/not_found.html",
                           {"error": message, "reference": reference}, status=404)
    if ticket.merged_into_id is not None:
        target = workflow.surviving_ticket(ticket)
        query = urlencode({"merged": ticket.reference, **request.GET.dict()})
        return redirect(f"{target.get_absolute_url()}?{query}")
    prefetch_related_objects([ticket], "requester__emails")
    try:
        permissions.check_can_view_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    draft = (drafts.draft_for(ticket, user) if permissions.can_change_ticket(user, ticket)
             else None)
    composer = (_composer(ticket, seen=0, kind=draft.kind, body=draft.body,
                          draft_at=draft.updated_at, to=draft.to, cc=draft.cc)
                if draft is not None
                else _composer(ticket, seen=0))
    return _ticket_page(request, user, ticket, composer)


def _ticket_page(request: HttpRequest, user: User, ticket: Ticket, composer: dict[str, Any],
                 *, status: int = 200) -> HttpResponse:
    """The whole ticket page, with the composer as `composer` says (a fresh one, or
    one given back with what was typed)."""
    queue, sort = _queue_context(request)
    merged_from = request.GET.get("merged", "")
    panel = _panel_context(user, ticket)
    entries = timeline(ticket)
    context = {
        **panel,
        **composer,
        # The newest message shown: what the composer has seen.
        "composer_seen": max((entry.message.pk for entry in entries if entry.message), default=0),
        "entries": entries,
        "from_queue": queue,
        "from_queue_label": QUEUES.get(queue or "", ""),
        "sort": sort,
        "context_query": urlencode({"q": queue, "sort": sort}) if queue else "",
        "next_id": next_in_queue(user, queue, ticket, sort=sort) if queue else None,
        "merged_from": merged_from if parse_reference(merged_from) else "",
        # Tier 3 only (frontline.desk.views.developers), with the facts the panel read.
        "brief": developer_brief(user, ticket, known=panel["ticket_facts"],
                                 facts=panel["facts"]),
    }
    return render_desk(request, "desk/tickets/ticket.html", context, queue=queue,
                       status=status)


def timeline_mark(request: HttpRequest) -> TimelineMark | None:
    """How far the page's timeline goes, as ticket_live.js sends it with every request
    from the ticket page (`after_message`, `after_event`); None without it (no
    JavaScript, an older page)."""
    message = inputs.whole_number(request.POST.get("after_message", ""))
    event = inputs.whole_number(request.POST.get("after_event", ""))
    if message is None or event is None or not (0 <= message <= MAX_ID and 0 <= event <= MAX_ID):
        return None
    return TimelineMark(message=message, event=event)


def changed_response(request: HttpRequest, user: User, pk: int, since: datetime, *,
                     main: str, extra: dict[str, Any] | None = None,
                     status: int = 200) -> HttpResponse:
    """The htmx answer to a change: `main` in place, the rest swapped out of band.
    The timeline gets what the page does not show yet: this change's entries and
    what others added meanwhile (only this change's, since `since`, when the page
    did not say how far it goes)."""
    ticket = _page_ticket(pk)
    queue, sort = _queue_context(request)
    mark = timeline_mark(request)
    context = {
        **nav_context(user, queue),
        **_panel_context(user, ticket),
        "new_entries": (timeline(ticket, after=mark) if mark is not None
                        else timeline(ticket, since=since)),
        "main_template": main,
        "from_queue": queue,
        "from_queue_label": QUEUES.get(queue or "", ""),
        "context_query": urlencode({"q": queue, "sort": sort}) if queue else "",
        "next_id": next_in_queue(user, queue, ticket, sort=sort) if queue else None,
        **(extra or {}),
    }
    return render(request, "desk/tickets/_changed.html", context, status=status)


@desk_view
@require_POST
def post_message(request: HttpRequest, reference: str) -> HttpResponse:
    """A reply to the customer or an internal note, from the composer. Sent from the
    page of a ticket merged since, it lands on the one that lives on (a reply only
    if that is the same customer's: frontline.tickets.services.entry), and the page
    moves there."""
    user = desk_user(request)
    kind = request.POST.get("kind", "reply")
    body = request.POST.get("body", "")
    status = request.POST.get("status", "")
    send_anyway = request.POST.get(SEND_ANYWAY) == "1"
    # The To and Cc fields as typed (None: a page without them; the default applies).
    to_text, cc_text = request.POST.get("to"), request.POST.get("cc")
    since = timezone.now()
    chosen = request.FILES.getlist("attachments")
    dropped = [str(upload.name) for upload in chosen]
    try:
        ticket = workflow.get_ticket(reference)
        files = composer_files(chosen)
        # The Markdown subset, rendered and sanitised; the text keeps it as typed.
        body_html = markdown_html(body)
        # The newest message the agent had on screen: a send is held while somebody
        # wrote since (frontline.tickets.services.collision). Empty: an old page.
        seen = inputs.whole(request.POST.get("seen", ""), "seen", label="The newest message seen",
                            low=0, high=MAX_ID, optional=True)
        if kind == "note":
            message = workflow.add_note(ticket, user, body, seen=seen, body_html=body_html,
                                        files=files)
        elif kind == "reply":
            if status and status not in dict(REPLY_STATUSES):
                raise InvalidInput(f"'{status}' is not a status to set with a reply.",
                                   field="status")
            if not send_anyway:
                target = workflow.surviving_ticket(ticket)
                permissions.check_can_change_ticket(user, target)
                # What came in first, then what the reply asks: the agent may
                # rewrite it after reading the colleague's answer.
                check_seen(target, user, seen)
                known = known_asked(target, body)
                if known:
                    return _asks_what_we_know(request, user, target, body, status, known,
                                              seen=seen, dropped=dropped, to=to_text,
                                              cc=cc_text)
            message = workflow.add_reply(ticket, user, body, status=status or None,
                                         reopen=request.POST.get("reopen") == "1", seen=seen,
                                         body_html=body_html, files=files,
                                         to=address_list(to_text), cc=address_list(cc_text),
                                         undo_seconds=settings.FRONTLINE_UNDO_SEND_SECONDS)
        else:
            raise InvalidInput(f"'{kind}' is neither a reply nor a note.", field="kind")
    except NewerEntries as held:
        return _held_for_newer(request, user, reference, held, kind=kind, body=body,
                               status=status, send_anyway=send_anyway, since=since,
                               dropped=dropped, to=to_text, cc=cc_text)
    except FrontlineError as error:
        if not is_htmx(request):
            return error_page(request, error)
        current = Ticket.objects.filter(pk=parse_reference(reference) or 0).first()
        if current is None:
            return error_page(request, error)
        # What the page had seen still stands: nothing newer was shown with the error.
        posted_seen = inputs.whole_number(request.POST.get("seen", ""))
        context = _composer(current, kind=kind, body=body, status=status,
                            error=error.message, error_field=error.field, dropped=dropped,
                            to=to_text, cc=cc_text,
                            seen=posted_seen if posted_seen is not None and posted_seen >= 0
                            else None)
        context["ticket"] = current
        return render(request, "desk/tickets/_composer.html", context,
                      status=error.status_code)
    if message.ticket_id != ticket.pk:
        landed = f"{message.ticket.get_absolute_url()}?{urlencode({'merged': ticket.reference})}"
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Location"] = landed
            return response
        return redirect(landed)
    if not is_htmx(request):
        return redirect(ticket.get_absolute_url())
    return changed_response(request, user, ticket.pk, since,
                            main="desk/tickets/_composer.html",
                            extra=_composer(ticket, kind=kind, sent=_held_reply(message)))


_ADDRESS_SEPARATORS = re.compile(r"[,;\n]+")
_ANGLED = re.compile(r"<([^<>]*)>\s*$")


def address_list(text: str | None) -> list[str] | None:
    """The addresses typed in a To or Cc field: separated by commas, semicolons or
    lines, each bare or as `Name <address>` (as pasted from a mail program). None
    for a field the page did not send. Checking them is the workflow's
    (frontline.mail.recipients): an invalid one comes back as a 422 naming it."""
    if text is None:
        return None
    found = []
    for part in _ADDRESS_SEPARATORS.split(text):
        angled = _ANGLED.search(part)
        address = (angled.group(1) if angled else part).strip()
        if address:
            found.append(address)
    return found


def _held_reply(message: Message) -> dict[str, Any] | None:
    """The reply's mail held for the undo window: what the composer's "Sending in
    Ns — Undo" bar shows; None when nothing waits (no window, nobody to mail)."""
    now = timezone.now()
    until = outbound.held_until(message, now)
    if until is None:
        return None
    return {"message": message.pk, "seconds": max(1, math.ceil((until - now).total_seconds()))}


@desk_view
@require_POST
def undo_reply(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Undo send, from the composer's bar during the window: the reply leaves the
    timeline, its text comes back in the composer (the agent's draft again), and its
    files are named (a draft does not keep files). After the window: 409 "already
    sent", shown in the bar."""
    user = desk_user(request)
    since = timezone.now()
    try:
        ticket = workflow.get_ticket(reference)
        withdrawn = workflow.undo_reply(ticket, user, pk)
    except FrontlineError as error:
        return error_page(request, error)
    if not is_htmx(request):
        return redirect(withdrawn.ticket.get_absolute_url())
    composer = _composer(withdrawn.ticket, body=withdrawn.body, dropped=withdrawn.files,
                         to=", ".join(withdrawn.to), cc=", ".join(withdrawn.cc))
    response = changed_response(
        request, user, withdrawn.ticket.pk, since, main="desk/tickets/_composer.html",
        extra={**composer, "withdrawn_message": pk,
               "withdrawn_events": withdrawn.removed_events,
               "composer_notice": "Reply withdrawn: it was not sent. Edit it and send again "
                                  "when ready."})
    # The button sits in the bar (an error replaces the bar); the answer is the composer.
    response["HX-Retarget"] = "#composer"
    response["HX-Reswap"] = "outerHTML"
    return response


def _held_for_newer(request: HttpRequest, user: User, reference: str, held: NewerEntries, *,
                    kind: str, body: str, status: str, send_anyway: bool,
                    since: datetime, dropped: list[str] | None = None,
                    to: str | None = None, cc: str | None = None) -> HttpResponse:
    """The reply or note held back because somebody wrote since the agent last looked:
    the newer messages join the timeline, the composer comes back with what was
    typed, a warning naming them, and "Send now" (with the newer `seen`) and "Edit".
    409 until it is sent, as the known-facts warning (_asks_what_we_know)."""
    ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
    composer = _composer(ticket, kind=kind, body=body, status=status, newer=held.messages,
                         newer_title=held.message,
                         seen=max(message.pk for message in held.messages),
                         send_anyway=send_anyway, dropped=dropped, to=to, cc=cc)
    if not is_htmx(request):
        prefetch_related_objects([ticket], "requester__emails")
        return _ticket_page(request, user, ticket, composer, status=409)
    if timeline_mark(request) is None:
        # No mark from the page: at least the messages it was missing.
        extra_entries = timeline(ticket, after=TimelineMark(message=min(
            message.pk for message in held.messages) - 1, event=None))
        return changed_response(request, user, ticket.pk, since,
                                main="desk/tickets/_composer.html",
                                extra={**composer, "new_entries": extra_entries}, status=409)
    return changed_response(request, user, ticket.pk, since, main="desk/tickets/_composer.html",
                            extra=composer, status=409)


def composer_files(chosen: list[Any]) -> list[UploadedFile]:
    """The files chosen in the composer, checked against the limits before any is read
    into memory (frontline.tickets.services.attachments.check_files)."""
    check_files(chosen)
    return [UploadedFile(name=str(upload.name or "attachment"), content=upload.read(),
                         content_type=str(upload.content_type or "")) for upload in chosen]


@desk_view
@require_POST
def save_draft(request: HttpRequest, reference: str) -> HttpResponse:
    """The composer's text, kept while the agent types (composer_drafts.js): 204, or
    the refusal (frontline.tickets.services.drafts)."""
    user = desk_user(request)
    try:
        ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
        to, cc = _changed_recipients(ticket, request.POST.get("to"), request.POST.get("cc"))
        drafts.save_draft(ticket, user, request.POST.get("body", ""),
                          kind=request.POST.get("kind", "reply"), to=to, cc=cc)
    except FrontlineError as error:
        return error_page(request, error)
    return HttpResponse(status=204)


def _changed_recipients(ticket: Ticket, to: str | None,
                        cc: str | None) -> tuple[str | None, str | None]:
    """The composer's To and Cc as a draft keeps them: as typed where the agent
    changed them, None where they still say the reply's default, so a draft reopened
    after somebody was copied in shows them in Cc."""
    if to is None and cc is None:
        return None, None
    default = workflow.reply_recipients(ticket)

    def changed(typed: str | None, addresses: list[str]) -> str | None:
        if typed is None:
            return None
        same = ([a.lower() for a in address_list(typed) or []]
                == [a.lower() for a in addresses])
        return None if same else typed

    return changed(to, list(default.to)), changed(cc, list(default.cc))


def known_asked(ticket: Ticket, body: str) -> list[TicketFact]:
    """The facts `ticket` already has that the reply `body` asks the customer for
    (frontline.intake.asking), in the order it asks them. No query unless it asks."""
    asked = asking.asked_keys(body, intake_questions.questions_for(ticket.category))
    if not asked:
        return []
    order = {key: index for index, key in enumerate(asked)}
    known = sorted((fact for fact in intake_facts.facts_of(ticket)
                    if fact.key in order and fact.value.strip()),
                   key=lambda fact: order[fact.key])
    prefetch_related_objects(known, "actor")  # "set by Lena"
    return known


def _asks_what_we_know(request: HttpRequest, user: User, ticket: Ticket, body: str,
                       status: str, known: list[TicketFact], *,
                       seen: int | None = None,
                       dropped: list[str] | None = None,
                       to: str | None = None, cc: str | None = None) -> HttpResponse:
    """The reply held back: the composer again with what was typed, the facts it asks
    for and where each came from, "Send anyway" and "Edit". 409 until it is sent, as
    every change that needs a confirmation (frontline.core.errors.NeedsConfirmation)."""
    composer = _composer(ticket, kind="reply", body=body, status=status, known=known, seen=seen,
                         dropped=dropped, to=to, cc=cc)
    if is_htmx(request):
        return render(request, "desk/tickets/_composer.html", {**composer, "ticket": ticket},
                      status=409)
    prefetch_related_objects([ticket], "requester__emails")
    return _ticket_page(request, user, ticket, composer, status=409)


@desk_view
@require_POST
def check_reply(request: HttpRequest, reference: str) -> HttpResponse:
    """While the agent types (the composer asks after a pause): the facts the reply
    so far asks for that the ticket already has, as a hint under the text."""
    user = desk_user(request)
    try:
        ticket = workflow.surviving_ticket(workflow.get_ticket(reference))
        permissions.check_can_change_ticket(user, ticket)
    except FrontlineError as error:
        return error_page(request, error)
    known = (known_asked(ticket, request.POST.get("body", ""))
             if request.POST.get("kind", "reply") == "reply" else [])
    return render(request, "desk/tickets/_known_hint.html", {"known": known, "ticket": ticket})


def _set_assignee(ticket: Ticket, user: User, value: str) -> Ticket:
    if value == "me":
        return workflow.assign(ticket, user, user)
    return workflow.assign(ticket, user, value or None)


def _set_status(ticket: Ticket, user: User, value: str) -> Ticket:
    return workflow.change_status(ticket, user, value)


SETTERS: dict[str, Callable[[Ticket, User, str], Ticket]] = {
    "status": _set_status,
    # The number or the name, read by tickets.taxonomy.find_priority.
    "priority": lambda ticket, user, value: workflow.set_priority(ticket, user, value),
    "category": lambda ticket, user, value: workflow.set_category(ticket, user, value or None),
    "team": lambda ticket, user, value: workflow.set_team(ticket, user, value or None),
    "assignee": _set_assignee,
}


def act_on_ticket(request: HttpRequest, reference: str,
                  change: Callable[[Ticket, User], str]) -> HttpResponse:
    """Run one change from the actions panel and answer with what it did."""
    user = desk_user(request)
    since = timezone.now()
    try:
        ticket = load_ticket(reference)
        # Asked before the form's input is read: a role that may not change the ticket
        # (a viewer; a developer below tier 3) hears that, not what it typed wrong or
        # the state of a ticket it may not see (the authorization matrix test).
        permissions.check_can_change_ticket(user, ticket)
        done = change(ticket, user)
    except FrontlineError as error:
        return error_page(request, error)
    if done.startswith("/"):
        # The change moved the work to another ticket (a merge): go there.
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Location"] = done
            return response
        return redirect(done)
    if not is_htmx(request):
        return redirect(ticket.get_absolute_url())
    return changed_response(request, user, ticket.pk, since, main="desk/_flash.html",
                            extra={"notice": done})


@desk_view
@require_POST
def set_fact(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent sets one fact (an empty value clears it)."""
    key, value = request.POST.get("key", ""), request.POST.get("value", "")

    def change(ticket: Ticket, user: User) -> str:
        intake_facts.set_facts(user, ticket, {key: value})
        return "Fact saved." if value.strip() else "Fact cleared."

    return act_on_ticket(request, reference, change)


@desk_view
@require_POST
def set_field(request: HttpRequest, reference: str, field: str) -> HttpResponse:
    value = request.POST.get("value", "").strip()

    def change(ticket: Ticket, user: User) -> str:
        if field not in SETTERS:
            raise InvalidInput(f"'{field}' cannot be changed here.", field=field)
        SETTERS[field](ticket, user, value)
        return f"{field.capitalize()} saved."

    return act_on_ticket(request, reference, change)


@desk_view
@require_POST
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Fold this ticket into the one named in `target` (its messages move there).
    Another customer's request needs `confirm_other_customer`: refused without it,
    the answer shows the warning and a button that sends the form again with it
    (common.error_page)."""
    target_ref = request.POST.get("target", "").strip()
    confirmed = request.POST.get("confirm_other_customer") == "1"

    def change(ticket: Ticket, user: User) -> str:
        if not target_ref:
            raise InvalidInput("Name the ticket to merge into (e.g. FL-10427).", field="target")
        target = workflow.get_ticket(target_ref)
        survivor = workflow.merge_tickets(ticket, target, user,
                                          confirm_other_customer=confirmed)
        return f"{survivor.get_absolute_url()}?{urlencode({'merged': ticket.reference})}"

    return act_on_ticket(request, reference, change)


@desk_view
@require_POST
def link(request: HttpRequest, reference: str) -> HttpResponse:
    other_ref = request.POST.get("other", "").strip()

    def change(ticket: Ticket, user: User) -> str:
        if not other_ref:
            raise InvalidInput("Name the related ticket (e.g. FL-10427).", field="other")
        other = workflow.get_ticket(other_ref)
        workflow.link_tickets(ticket, other, user)
        return f"Linked to {other.reference}."

    return act_on_ticket(request, reference, change)


@desk_view
@require_POST
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "").strip()

    def change(ticket: Ticket, user: User) -> str:
        workflow.reopen(ticket, user, reason=reason)
        return "Reopened."

    return act_on_ticket(request, reference, change)
