"""Never two answers at once: a reply or note written without seeing what came in
since is held, and the writer is shown what is new (issue 12).

What `seen` is
--------------
The writer says what they had read: `seen`, the id of the newest *message* on the
ticket's timeline they have seen (a customer message, a reply, an internal note,
a call). Messages and events are numbered apart; only messages count, because
what changes an answer is what somebody said, and a status change or an
assignment shows in the header anyway. Message ids only grow, so "newer" is an id
above `seen`; 0 says "none yet". The desk's composer sends the newest message id
on the page, the API's `POST /tickets/{ref}/messages` what its client read.

What holds a send
-----------------
A message on the ticket above `seen` written by anyone but the writer: the
customer, a colleague, the system. The writer's own messages do not hold (they
wrote them: a second tab, a script posting twice). The hold is a 409
(NewerEntries) carrying the newer messages; the face shows them, keeps what was
typed, and the next send carries the newer `seen`.

The check runs in frontline.workflow.conversation under the ticket's row lock
(tickets.services.entry.locked_landing), so two agents sending at the same
moment are put in a row: the second one's check sees the first one's reply.
Without `seen` (older API clients, an agent's reply by mail) nothing is checked.

Known gap: messages that a merge moves onto the ticket keep their older ids and
do not hold a send; the merge itself shows on the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.core.errors import InvalidInput, InvalidTransition
from frontline.core.lookup import MAX_ID
from frontline.core.models import User
from frontline.tickets.models import Message, MessageKind, Ticket


class NewerEntries(InvalidTransition):
    """The send was held: `messages` came in after the one the writer last saw."""

    def __init__(self, message: str, *, messages: Sequence[Message]) -> None:
        super().__init__(message, field="seen")
        self.messages = list(messages)


def newer_messages(ticket: Ticket, seen: int, writer: User) -> list[Message]:
    """The messages on `ticket` after the one numbered `seen`, oldest first, that
    somebody other than `writer` wrote (authors loaded, for the sentence)."""
    return list(Message.objects.filter(ticket=ticket, pk__gt=seen)
                .exclude(author_user=writer)
                .select_related("author_user", "author_contact")
                .order_by("pk"))


def check_seen(ticket: Ticket, writer: User, seen: int | None) -> None:
    """Hold a send by `writer` on `ticket` (NewerEntries, 409) when somebody wrote
    after the message `seen`; InvalidInput (422) when `seen` names no message of
    this ticket. None: the writer did not say, nothing is checked."""
    if seen is None:
        return
    on_ticket = seen == 0 or (0 < seen <= MAX_ID
                              and Message.objects.filter(pk=seen, ticket=ticket).exists())
    if not on_ticket:
        raise InvalidInput(f"Message {seen} is not on {ticket.reference}: send the id of the "
                           "newest message of its timeline you have read.", field="seen")
    newer = newer_messages(ticket, seen, writer)
    if newer:
        raise NewerEntries(f"{_what_happened(newer)} on {ticket.reference} since the message "
                           "you last saw. Read it, then send yours.", messages=newer)


def _what_happened(messages: Sequence[Message]) -> str:
    """'Otto Level-Two replied and Bob Smith wrote': each author once, in order."""
    phrases: list[str] = []
    for message in messages:
        if message.kind == MessageKind.OUTBOUND:
            verb = "replied"
        elif message.kind == MessageKind.NOTE:
            verb = "added a note"
        else:
            verb = "wrote"
        phrase = f"{message.author_name} {verb}"
        if phrase not in phrases:
            phrases.append(phrase)
    if len(phrases) == 1:
        return phrases[0]
    return f"{', '.join(phrases[:-1])} and {phrases[-1]}"
