"""The mail settings page (admins): the IMAP mailboxes the workers poll, their
state and last error; add, remove, poll now. Every change calls frontline.mail.imap."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page, render_desk
from frontline.mail import imap
from frontline.mail.addresses import support_address


def _page(request: HttpRequest, *, form: dict[str, str] | None = None,
          error: FrontlineError | None = None) -> HttpResponse:
    rows = [{"mailbox": mailbox, "url": imap.display_url(mailbox),
             "skipped": list(reversed(mailbox.skipped_uids or []))[:10]}
            for mailbox in imap.mailboxes()]
    context: dict[str, Any] = {
        "rows": rows,
        "form": form or {"url": "", "name": ""},
        "error": error.message if error else "",
        "error_field": error.field if error else "",
        "support_address": support_address(),
    }
    return render_desk(request, "desk/mail/settings.html", context,
                       status=error.status_code if error else 200)


@desk_view
def mail_settings(request: HttpRequest) -> HttpResponse:
    try:
        permissions.check_is_admin(desk_user(request))
    except FrontlineError as error:
        return error_page(request, error)
    return _page(request)


@desk_view
@require_POST
def add_mailbox(request: HttpRequest) -> HttpResponse:
    form = {"url": request.POST.get("url", ""), "name": request.POST.get("name", "")}
    try:
        mailbox = imap.add_mailbox(form["url"], name=form["name"], actor=desk_user(request))
    except FrontlineError as error:
        if error.status_code == 403:
            return error_page(request, error)
        # The password is never sent back into the page.
        return _page(request, form={"url": "", "name": form["name"]}, error=error)
    messages.success(request, f"Mailbox '{mailbox.name}' added; it is polled from now on.")
    return redirect("desk:mail_settings")


@desk_view
@require_POST
def remove_mailbox(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        mailbox = imap.remove_mailbox(pk, actor=desk_user(request))
    except FrontlineError as error:
        return error_page(request, error)
    messages.success(request, f"Mailbox '{mailbox.name}' removed; the mail it brought stays.")
    return redirect("desk:mail_settings")


@desk_view
@require_POST
def poll_mailbox(request: HttpRequest, pk: int) -> HttpResponse:
    from frontline.mail.tasks.polling import poll_mailbox_task

    try:
        permissions.check_is_admin(desk_user(request))
        mailbox = imap.get_mailbox(pk)
    except FrontlineError as error:
        return error_page(request, error)
    # Queued, not run here: a slow server must not hold a web request.
    poll_mailbox_task.enqueue(mailbox.pk)
    messages.success(request, f"Mailbox '{mailbox.name}' will be polled in a moment.")
    return redirect("desk:mail_settings")
