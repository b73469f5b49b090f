"""Composer drafts: what an agent typed on a ticket and has not sent (issue 12).

The desk saves the composer's text a moment after the agent stops typing
(desk/static/desk/composer_drafts.js) and once more as the page goes away, and the
ticket page opens with it, so a reload, a closed tab or a crashed browser loses
nothing. Sending the reply or note ends the draft: frontline.workflow.conversation
calls `discard` in the same transaction as the message, so a draft never outlives
what it became.

A draft is private to its writer: nobody else's page shows it, and only somebody
who may write on the ticket may keep one (the same rule as sending,
frontline.core.permissions.check_can_change_ticket).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.tickets.models import ComposerDraft, DraftKind, Ticket
from frontline.tickets.services.inputs import MAX_BODY


def parse_kind(value: str) -> DraftKind:
    try:
        return DraftKind(value or DraftKind.REPLY)
    except ValueError:
        raise InvalidInput(f"'{value}' is neither a reply nor a note.", field="kind") from None


# A To or Cc field holds addresses, not prose: far below a body's limit.
MAX_RECIPIENTS_TEXT = 10_000


@transaction.atomic
def save_draft(ticket: Ticket, user: User, body: str, *, kind: str = DraftKind.REPLY,
               at: datetime | None = None, to: str | None = None,
               cc: str | None = None) -> ComposerDraft | None:
    """Keep `body` as `user`'s draft on `ticket` (replacing the one before); an empty
    body, the agent having cleared the box, removes it and returns None. Refused
    whole (422) when longer than a message may be: a cut draft would lose the end
    silently.

    `to` and `cc` are the composer's fields as typed, kept as they are (checking the
    addresses is for the send, frontline.mail.recipients: a draft may be half
    written); None for a field left at the reply's default."""
    permissions.check_can_change_ticket(user, ticket)
    draft_kind = parse_kind(kind)
    text = (body or "").replace("\r\n", "\n")
    if len(text) > MAX_BODY:
        raise InvalidInput(f"The draft is longer than {MAX_BODY:,} characters; it was not "
                           "saved.", field="body")
    for field, typed in (("to", to), ("cc", cc)):
        if typed is not None and len(typed) > MAX_RECIPIENTS_TEXT:
            raise InvalidInput(f"The {field.capitalize()} field is longer than "
                               f"{MAX_RECIPIENTS_TEXT:,} characters; the draft was not saved.",
                               field=field)
    if not text.strip():
        discard(user, [ticket.pk])
        return None
    row = ComposerDraft(ticket=ticket, user=user, kind=draft_kind, body=text, to=to, cc=cc,
                        updated_at=at or timezone.now())
    # One statement, safe against the same agent's two tabs saving at once.
    ComposerDraft.objects.bulk_create([row], update_conflicts=True,
                                      unique_fields=["ticket", "user"],
                                      update_fields=["kind", "body", "to", "cc", "updated_at"])
    return ComposerDraft.objects.get(ticket=ticket, user=user)


def draft_for(ticket: Ticket, user: User) -> ComposerDraft | None:
    """`user`'s unsent text on `ticket`, if any."""
    return ComposerDraft.objects.filter(ticket=ticket, user=user).first()


def discard(user: User, ticket_ids: Iterable[int]) -> None:
    """`user`'s drafts on these tickets are done with (sent, or cleared)."""
    ComposerDraft.objects.filter(user=user, ticket_id__in=list(ticket_ids)).delete()
