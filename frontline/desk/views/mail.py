"""Mail in the desk: attachment downloads, a message's HTML with remote images on
request, and the admins' list of mail that could not be processed (with the raw)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontline import workflow
from frontline.core import permissions
from frontline.core.errors import FrontlineError, NotFound
from frontline.desk.templatetags.desk_mail import with_inline_images
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.mail import services as mail_services
from frontline.mail.models import InboundMail, InboundState
from frontline.mail.stored_html import shown_html
from frontline.tickets.models import Attachment, Message, Ticket

ADMIN_STATES = {
    "failed": "Failed",
    "review": "Waiting for review",
    "ignored": "Ignored (automatic)",
    "stored": "Not processed yet",
}
PAGE_SIZE = 100


def _visible_ticket(request: HttpRequest, reference: str) -> Ticket:
    ticket = workflow.get_ticket(reference)
    permissions.check_can_view_ticket(desk_user(request), ticket)
    return ticket


def _downloadable(response: HttpResponseBase) -> HttpResponseBase:
    # A file a customer sent must never run as a page of ours: no sniffing, and
    # a sandbox (no scripts, opaque origin) should a browser render it anyway.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self' data:"
    return response


@desk_view  # type: ignore[arg-type]  # a streamed file is not an HttpResponse
def attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    try:
        ticket = _visible_ticket(request, reference)
        found = (Attachment.objects.select_related("blob")
                 .filter(pk=pk, message__ticket=ticket).first())
        if found is None:
            raise NotFound(f"{ticket.reference} has no attachment {pk}.")
    except FrontlineError as error:
        return error_page(request, error)
    response = FileResponse(found.blob.file.open("rb"), as_attachment=True,
                            filename=found.shown_name,
                            content_type=found.content_type or "application/octet-stream")
    return _downloadable(response)


@desk_view
def message_html(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The message's sanitised HTML; `?remote=1` re-reads the raw mail with remote
    images allowed (the agent asked; the sender may learn that it was opened)."""
    try:
        ticket = _visible_ticket(request, reference)
        message = Message.objects.filter(pk=pk, ticket=ticket).first()
        if message is None:
            raise NotFound(f"{ticket.reference} has no message {pk}.")
    except FrontlineError as error:
        return error_page(request, error)
    html = (mail_services.remote_image_html(message) if request.GET.get("remote") == "1"
            else shown_html(message)) or ""
    return HttpResponse(with_inline_images(html, message))  # sanitised once, when read


@desk_view
def inbound_list(request: HttpRequest) -> HttpResponse:
    """Mail an admin has to look at: failed, waiting for review, ignored, or stuck."""
    try:
        permissions.check_is_admin(desk_user(request))
    except FrontlineError as error:
        return error_page(request, error)
    state = request.GET.get("state", "failed")
    if state not in ADMIN_STATES:
        state = "failed"
    mails = list(InboundMail.objects.filter(state=state).defer("raw")
                 .order_by("-received_at", "-pk")[:PAGE_SIZE])
    tabs = [(name, label, InboundMail.objects.filter(state=name).count())
            for name, label in ADMIN_STATES.items()]
    return render_desk(request, "desk/mail/inbound.html", {
        "mails": mails, "state": state, "state_label": ADMIN_STATES[state], "tabs": tabs,
        "notice": request.GET.get("done", ""),
    })


@desk_view
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        permissions.check_is_admin(desk_user(request))
        inbound = InboundMail.objects.filter(pk=pk).first()
        if inbound is None:
            raise NotFound(f"There is no stored mail {pk}.")
    except FrontlineError as error:
        return error_page(request, error)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
    _downloadable(response)
    return response


@desk_view
@require_POST
def inbound_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Process a failed or stuck mail again (after a fix, or to see the error anew)."""
    try:
        permissions.check_is_admin(desk_user(request))
        if not InboundMail.objects.filter(pk=pk).exists():
            raise NotFound(f"There is no stored mail {pk}.")
        inbound = mail_services.process_inbound(pk)
    except FrontlineError as error:
        return error_page(request, error)
    if request.headers.get("HX-Request"):
        return render(request, "desk/_flash.html",
                      {"notice": f"Mail {pk}: {inbound.get_state_display()}."})
    return redirect(f"/mail/inbound?state={InboundState.FAILED}&done={inbound.state}")
