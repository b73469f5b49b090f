"""@mentions in internal notes: who a note names, and telling them.

A note names a colleague as `@username` (what the composer's autocomplete
inserts) or `@"Full Name"` (what people type by hand, names having spaces).
`@` right after a letter, digit or dot is part of an address (bob@example.com),
not a mention. A sentence's full stop or comma after a name is not part of it.

Only active staff who may see the ticket are told (core.permissions, the one
owner of that rule). A name that matches a person who may not see the ticket is
stored too, as not notified, so the timeline tells the writer instead of the
mention vanishing; a name that matches nobody stays plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower

from frontline.core import permissions
from frontline.core.models import User
from frontline.notifications.models import Kind, Mention
from frontline.notifications.services import notify
from frontline.tickets.models import Message, Ticket

# Django's usernames hold letters, digits and @.+-_; a mention stops at a second "@"
# ("@otto@lena.example" names otto; the rest reads as an address), and a trailing
# dot or dash is the sentence's (parse strips it).
_MENTION = re.compile(r'(?<![\w.@])@(?:"([^"\n]{1,150})"|([\w.+-]{1,150}))')
# More names than this in one note are not a conversation but a broadcast.
MAX_MENTIONS = 20


@dataclass(frozen=True)
class Named:
    """One mention as written: its place in the text, and the username or full name."""

    start: int
    end: int
    username: str = ""
    full_name: str = ""


def parse(text: str) -> list[Named]:
    """The mentions in `text`, in order (pure; no database)."""
    found = []
    for match in _MENTION.finditer(text or ""):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            name = " ".join(quoted.split())
            if name:
                found.append(Named(match.start(), match.end(), full_name=name))
            continue
        username = bare.rstrip(".-")
        if username:
            found.append(Named(match.start(), match.start() + 1 + len(username),
                               username=username))
    return found


def people_named(named: list[Named]) -> dict[Named, User]:
    """Which staff member each mention names (one query): usernames match exactly
    but for case, full names ("first last") too. A full name two people share
    names neither: the writer should use the username the autocomplete offers."""
    usernames = {n.username.lower() for n in named if n.username}
    full_names = {n.full_name.lower() for n in named if n.full_name}
    if not usernames and not full_names:
        return {}
    rows = list(User.objects.annotate(
        lower_username=Lower("username"),
        lower_full=Lower(Concat("first_name", Value(" "), "last_name")),
    ).filter(Q(lower_username__in=usernames) | Q(lower_full__in=full_names)))
    by_username = {user.username.lower(): user for user in rows}
    by_full: dict[str, list[User]] = {}
    for user in rows:
        by_full.setdefault(user.get_full_name().lower(), []).append(user)
    people: dict[Named, User] = {}
    for mention in named:
        if mention.username and mention.username.lower() in by_username:
            people[mention] = by_username[mention.username.lower()]
        elif mention.full_name and len(by_full.get(mention.full_name.lower(), [])) == 1:
            people[mention] = by_full[mention.full_name.lower()][0]
    return people


def record_mentions(message: Message, actor: User) -> list[Mention]:
    """Store whom the note `message` names and notify those who may see its ticket
    (not the writer). Runs in the note's transaction: rows and notifications
    commit with the note, and the mail to those who opted in leaves after commit."""
    named = parse(message.body)[:MAX_MENTIONS]
    people = people_named(named)
    ticket: Ticket = message.ticket
    mentions: dict[int, Mention] = {}
    for user in people.values():
        if user.pk in mentions or user.pk == actor.pk:
            continue
        reachable = user.is_active and permissions.can_view_ticket(user, ticket)
        mentions[user.pk] = Mention(message=message, user=user, notified=reachable)
    rows = Mention.objects.bulk_create(list(mentions.values()))
    told = [mention.user for mention in rows if mention.notified]
    if told:
        notify(told, Kind.MENTION,
               f"{actor.display_name} mentioned you on {ticket.reference}: {ticket.subject}",
               ticket=ticket, at=message.created_at)
    return rows


def mention_spans(message: Message) -> list[tuple[Named, Mention]]:
    """The places in a note's text that name a stored mention, for the timeline's
    highlight (one query, only for notes that have an "@")."""
    if "@" not in (message.body or ""):
        return []
    stored = {m.user_id: m for m in Mention.objects.filter(message=message)
              .select_related("user")}
    if not stored:
        return []
    # Matched against the stored people, not looked up again: a full name shared
    # since the note was written still marks the person it named then.
    by_username = {m.user.username.lower(): m for m in stored.values()}
    by_full = {m.user.get_full_name().lower(): m for m in stored.values()}
    spans = []
    for named in parse(message.body):
        mention = (by_username.get(named.username.lower()) if named.username
                   else by_full.get(named.full_name.lower()))
        if mention is not None:
            spans.append((named, mention))
    return spans


MAX_SUGGESTIONS = 8


def mentionable(ticket: Ticket, text: str, *, limit: int = MAX_SUGGESTIONS) -> list[User]:
    """Staff the note composer offers for `@text`: active people who may see the
    ticket whose username, first or last name starts with `text` (any case), by
    username. An empty `text` offers the first few, so `@` alone shows the list."""
    text = (text or "").strip()[:150]
    users = permissions.users_who_can_view_ticket(User.objects.all(), ticket)
    if text:
        users = users.filter(Q(username__istartswith=text) | Q(first_name__istartswith=text)
                             | Q(last_name__istartswith=text))
    return list(users.order_by("username")[:limit])
