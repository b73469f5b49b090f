"""The customer's no-login ticket page: read the conversation, reply, confirm a fix.

Access is the signed link alone (frontline.tickets.access): no account, no
password, no session. Each request checks the link again; a forged, expired or
other-ticket link opens nothing and offers to mail a fresh link instead.
"""

from __future__ import annotations

import io
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from frontline import workflow
from frontline.core.errors import FrontlineError, InvalidTransition
from frontline.intake import facts
from frontline.mail import outbound
from frontline.mail.formatting import linked_text
from frontline.portal.request import uploads
from frontline.sla import promises
from frontline.tickets import access, event_kinds, selectors
from frontline.tickets.models import Attachment, MessageKind, Status, Ticket, parse_reference
from frontline.tickets.services.attachments import UploadedFile, read_attachment

# What a customer is told about where their request stands.
STATUS_WORDS = {
    Status.NEW: "Received: we will get back to you",
    Status.OPEN: "We are working on it",
    Status.PENDING_INTERNAL: "We are working on it",
    Status.PENDING_CUSTOMER: "Waiting for your reply",
    Status.RESOLVED: "Solved: please confirm",
    Status.CLOSED: "Closed",
}
MAX_REPLY_CHARS = 100_000
# A body Django cannot read (as the request form: frontline.portal.request.views).
UNREADABLE_UPLOADS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent,
                      MultiPartParserError)
_Response = TypeVar("_Response", bound=HttpResponseBase)


def private(response: _Response) -> _Response:
    # The link is the key: keep it out of caches, search engines and other sites' logs.
    # (same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on
    # our own form posts, and Django's CSRF check rightly refuses those.)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def open_grant(reference: str, token: str) -> access.TicketAccess:
    return access.open_link(parse_reference(reference), token)


def refused_page(request: HttpRequest, reference: str, error: FrontlineError) -> HttpResponse:
    expired = isinstance(error, access.LinkExpired)
    number = parse_reference(reference)
    context = {
        "expired": expired,
        "reference": f"{settings.FRONTLINE_REFERENCE_PREFIX}-{number}" if number else "",
        "support_address": settings.FRONTLINE_SUPPORT_ADDRESS,
    }
    return private(render(request, "portal/refused.html", context,
                           status=410 if expired else 403))


def _conversation(grant: access.TicketAccess) -> list[dict[str, Any]]:
    """Public messages, and in plain words the events whose kind has a customer
    sentence (frontline.tickets.event_kinds); no notes, no staff-only events. A merged
    ticket's link shows the ticket that lives on, with only the messages this
    customer was party to (selectors.customer_messages)."""
    entries = []
    for entry in selectors.timeline(workflow.surviving_ticket(grant.ticket),
                                    customer_id=grant.contact.pk):
        if entry.message is not None:
            message = entry.message
            if message.kind == MessageKind.INBOUND:
                mine = message.author_contact_id == grant.contact.pk
                who = "You" if mine else (str(message.author_contact or "") or "Customer")
            else:
                mine = False
                who = (message.author_user.display_name if message.author_user
                       else settings.FRONTLINE_SUPPORT_NAME)
            entries.append({
                "type": "message", "message": message, "who": who, "mine": mine,
                "ours": message.kind != MessageKind.INBOUND,
                "text": getattr(message, "body_reply", "") or message.body,
                # Escaped, links clickable (frontline.mail.formatting).
                "text_html": linked_text(getattr(message, "body_reply", "") or message.body),
                "files": [a for a in message.attachments.all() if not a.inline],
            })
        elif entry.event is not None:
            words = event_kinds.customer_sentence(entry.event)
            if words:
                entries.append({"type": "event", "at": entry.event.at, "words": words})
    return entries


def _page(request: HttpRequest, grant: access.TicketAccess, token: str, *,
          error: str = "", body: str = "", status: int = 200) -> HttpResponse:
    ticket = grant.ticket
    # A merged ticket's link keeps working: the customer writes on (and reads the
    # state of) the ticket that lives on; the rule is frontline.tickets.services.entry.
    decision = workflow.customer_message_decision(ticket)
    survivor = decision.ticket
    context = {
        "ticket": ticket,  # the reference and subject the customer knows (and the link's)
        "status": survivor.status,
        "merged": survivor.pk != ticket.pk,
        "token": token,
        "contact": grant.contact,
        "status_words": STATUS_WORDS.get(Status(survivor.status),
                                         survivor.get_status_display()),
        # When they will hear from us, from the formal SLA (None: nothing promised).
        "promise": promises.promise_text(survivor),
        # The required questions still open: the answer page takes them.
        "open_questions": (len(facts.missing(survivor))
                           if decision.accepted and survivor.requester_id == grant.contact.pk
                           else 0),
        "entries": _conversation(grant),
        "can_reply": decision.accepted,
        "resolved": (survivor.status == Status.RESOLVED
                     and survivor.requester_id == grant.contact.pk),
        "error": error,
        "body": body,
        "notice": {"sent": "Thank you, your message is on its way to us.",
                   "solved": "Thank you for confirming. We have closed the request.",
                   "answered": "Thank you, we have your answers."
                   }.get(request.GET.get("done", ""), ""),
        "support_address": settings.FRONTLINE_SUPPORT_ADDRESS,
    }
    # Times in the customer's own time zone, when we know a valid one.
    try:
        zone = ZoneInfo(grant.contact.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    with timezone.override(zone):
        return private(render(request, "portal/ticket.html", context, status=status))


@require_GET
def ticket_page(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        grant = open_grant(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as error:
        return refused_page(request, reference, error)
    return _page(request, grant, token)


@csrf_exempt  # checked below, once the upload limits are in place (as the request form)
@require_POST
def reply(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    # The inbound mail's limits, applied while the files stream in (before POST is read).
    limits = uploads.limit(request)
    try:
        return _reply(request, reference, token, limits)
    except UNREADABLE_UPLOADS as error:
        too_big = isinstance(error, RequestDataTooBig)
        return private(HttpResponse(
            "The files sent are too large to read." if too_big else "The form could not be read.",
            status=413 if too_big else 400, content_type="text/plain; charset=utf-8"))


@csrf_protect
def _reply(request: HttpRequest, reference: str, token: str,
           limits: uploads.SizeLimits) -> HttpResponse:
    try:
        grant = open_grant(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as error:
        return refused_page(request, reference, error)
    body = str(request.POST.get("body", ""))
    files = [UploadedFile(name=str(upload.name or "attachment"), content=upload.read(),
                          content_type=str(upload.content_type or ""))
             for upload in request.FILES.getlist("attachments")]
    if limits.refused:
        refused = limits.refused[0]
        return _page(request, grant, token, status=422, body=body, error=(
            f"{refused.filename} {refused.reason}. Nothing was sent: choose smaller files "
            "(or fewer) and send again."))
    if len(body) > MAX_REPLY_CHARS:
        # Refused whole, never cut: the customer was told a cut reply was sent. The
        # page gives back all they typed, to shorten or split.
        return _page(request, grant, token, status=422, body=body, error=(
            f"Your reply is {len(body):,} characters; a reply can have at most "
            f"{MAX_REPLY_CHARS:,}. Nothing was sent: shorten it or send it in parts "
            f"(long logs can be mailed as attachments)."))
    try:
        # Lands on the ticket that lives on if this one was merged; refused (409,
        # with the sentence to show) when closed longer than the reopen window.
        message = workflow.add_customer_message(grant.ticket, grant.contact, body,
                                                 channel="portal", files=files)
    except FrontlineError as error:
        return _page(request, grant, token, error=error.message, body=body,
                     status=error.status_code)
    url = access.ticket_path(grant.ticket, grant.contact)
    return private(HttpResponseRedirect(f"{url}?done=sent#m{message.pk}"))


@require_POST
def solved(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        grant = open_grant(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as error:
        return refused_page(request, reference, error)
    survivor = workflow.surviving_ticket(grant.ticket)
    try:
        # After a merge, only into the same person's request: confirming another
        # customer's fix is not for this link.
        if survivor.requester_id != grant.contact.pk:
            raise InvalidTransition("This request is not waiting for your confirmation.")
        workflow.confirm_resolution(survivor, grant.contact)
    except FrontlineError as error:
        return _page(request, grant, token, error=error.message, status=error.status_code)
    url = access.ticket_path(grant.ticket, grant.contact)
    return private(HttpResponseRedirect(f"{url}?done=solved"))


@require_GET
def attachment(request: HttpRequest, reference: str, token: str, pk: int) -> HttpResponseBase:
    try:
        grant = open_grant(reference, token)
    except (access.LinkExpired, access.LinkInvalid) as error:
        return refused_page(request, reference, error)
    readable = selectors.customer_messages(workflow.surviving_ticket(grant.ticket),
                                           grant.contact.pk)
    found = (Attachment.objects.select_related("blob", "message")
             .filter(pk=pk, message__in=readable).first())
    if found is None:
        raise Http404("No such file on this request.")
    # Always a download, never rendered in the page's origin (an HTML or SVG file
    # from a stranger must not run here).
    response = FileResponse(io.BytesIO(read_attachment(found)), as_attachment=True,
                            filename=found.shown_name, content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


@require_POST
def new_link(request: HttpRequest) -> HttpResponse:
    """Mail a fresh link to the address given, if it is the requester's. The answer
    is the same whether it was: a stranger learns nothing about the ticket."""
    address = str(request.POST.get("email", "")).strip()[:320]
    number = parse_reference(str(request.POST.get("reference", ""))[:40])
    if not address or "@" not in address:
        context = {"expired": False, "reference": str(request.POST.get("reference", ""))[:40],
                   "support_address": settings.FRONTLINE_SUPPORT_ADDRESS,
                   "error": "Please enter the email address you wrote to us from."}
        return private(render(request, "portal/refused.html", context, status=422))
    ticket = Ticket.objects.filter(pk=number).first() if number is not None else None
    if ticket is not None:
        outbound.send_portal_link(ticket, address)
    # Post/Redirect/Get: reloading the answer must not mail the link again.
    return private(HttpResponseRedirect(reverse("portal:link_sent"), status=303))


@require_GET
def link_sent(request: HttpRequest) -> HttpResponse:
    """What follows "Send me a new link" (the same for every address: see new_link)."""
    return private(render(request, "portal/link_sent.html",
                          {"support_address": settings.FRONTLINE_SUPPORT_ADDRESS}))
