"""Recurring-problem detection: similar tickets from several customers raise an alert.

    run(limit=None, everything=False) -> Detection   # the worker's job, the CLI
    detect_ticket(ticket_id) -> Detection             # one new ticket (the queued task)
    dismiss(user, alert)                              # an agent says it is nothing

What is decided here:

- Which tickets: every ticket gets a signature once (frontline.insights
  .signatures); a ticket without one is pending. New tickets are queued by the
  workflow after their opening commits (frontline.workflow.opening); the batched
  mail import queues nothing and relies on the periodic job, which reads the
  pending tickets among the newest LOOKBACK ids (a ticket committed late, below
  the newest signature, is still found), so the import keeps its rate. An
  existing database is read from its first ticket by `frontline insights
  refresh` (or the job, RUN_LIMIT tickets a minute).
- Which tickets group: a ticket that reports an error (an error code, an error
  line, an exception or a quoted error message: the extractor's rules) and its
  neighbours that do too: tickets sharing at least GROUP_SCORE of its signature
  weight (frontline.insights.similarity.neighbours), within the window of its
  own time (ticket times: an import of old mail is judged by when it was
  written, never by when it was imported). How-to questions, invoices and
  password resets report no error and never group, however alike they read;
  paraphrases of one failure share its code, product, version and rare words.
- Linked tickets are not grouped again: a ticket in an alert stays in it (a new
  ticket like it joins that alert, silently if it was dismissed), and the
  tickets of an alert that became a problem (`problem_id`) are left out.
- When it raises: when the group, within one window of WINDOW days of ticket
  time, has MIN_TICKETS tickets from MIN_ORGANIZATIONS customers (an
  organization, or the requester when there is none): settings
  FRONTLINE_ALERT_MIN_TICKETS, _MIN_ORGANIZATIONS, _WINDOW_DAYS (3, 3, 7).
  `raised_at` is the time of the ticket that crossed the threshold.
- Who hears: the problem managers. There is no problem-manager flag on users
  yet (frontline.core.models.User), so they are the active admins
  (`problem_managers`). An alert raised on history older than the window (an
  import) is shown on /insights but notifies nobody: it is not news.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidTransition
from frontline.core.models import Role, User
from frontline.insights import signatures, similarity
from frontline.insights.models import Alert, AlertStatus, AlertTicket, TicketSignature, TicketTerm
from frontline.notifications.services import notify
from frontline.tickets.models import Ticket

logger = logging.getLogger(__name__)

# A neighbour shares at least this share of the new ticket's signature weight.
GROUP_SCORE = 0.3
# Postings read per term for detection (the window narrows them first).
POSTINGS = 2000
LOOKBACK = 5000
RUN_LIMIT = 3000
CHUNK = 500


@dataclass
class Detection:
    signatures: int = 0
    groups: int = 0  # tickets that had similar tickets to group with
    joined: int = 0  # tickets added to an alert raised before
    raised: list[Alert] = field(default_factory=list)


def window() -> timedelta:
    return timedelta(days=settings.FRONTLINE_ALERT_WINDOW_DAYS)


def problem_managers() -> list[User]:
    """Who is told of a new alert. No user is flagged as a problem manager yet, so:
    the active admins (role admin, or superusers)."""
    return list(User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True))


# -- which tickets -------------------------------------------------------------------


def pending_ticket_ids(limit: int, *, everything: bool = False) -> list[int]:
    """Tickets without a signature, oldest id first: among the newest LOOKBACK ids
    once signatures exist, else (or with `everything`) all of them."""
    tickets = Ticket.objects.filter(~Exists(TicketSignature.objects.filter(pk=OuterRef("pk"))))
    if not everything:
        newest = TicketSignature.objects.aggregate(newest=Max("ticket_id"))["newest"]
        if newest is not None:
            tickets = tickets.filter(pk__gt=newest - LOOKBACK)
    return list(tickets.order_by("pk").values_list("pk", flat=True)[:limit])


def run(limit: int | None = RUN_LIMIT, *, everything: bool = False) -> Detection:
    """Build the pending tickets' signatures and detect, CHUNK tickets at a time, in
    ticket-time order within a chunk. `limit` None: until none is pending."""
    result = Detection()
    while limit is None or result.signatures < limit:
        size = CHUNK if limit is None else min(CHUNK, limit - result.signatures)
        ids = pending_ticket_ids(size, everything=everything)
        if not ids:
            break
        built = signatures.build(ids)
        result.signatures += len(built)
        for signature in sorted(built, key=lambda s: (s.at, s.ticket_id)):
            _detect_one(signature, result)
    return result


def detect_ticket(ticket_id: int) -> Detection:
    """One new ticket: its signature, then detection (the task the workflow queues)."""
    return detect_tickets([ticket_id])[ticket_id]


def detect_tickets(ticket_ids: Sequence[int]) -> dict[int, Detection]:
    """New tickets (the queued tasks waiting together, insights/tasks.py): their
    signatures in one build, then detection in ticket-time order, as `run` does.
    Each ticket's own result; a ticket that has its signature already is skipped."""
    results = {ticket_id: Detection() for ticket_id in ticket_ids}
    done = set(TicketSignature.objects.filter(pk__in=list(results))
               .values_list("pk", flat=True))
    pending = [ticket_id for ticket_id in results if ticket_id not in done]
    if not pending:
        return results
    built = signatures.build(pending)
    for signature in sorted(built, key=lambda s: (s.at, s.ticket_id)):
        result = results[signature.ticket_id]
        result.signatures = 1
        _detect_one(signature, result)
    return results


# -- grouping -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    ticket_id: int
    at: datetime
    customer_key: int
    organization_id: int | None


def _detect_one(signature: signatures.Signature, result: Detection) -> None:
    if not signature.failure or not signature.terms:
        return
    try:
        with transaction.atomic():
            _group(signature, result)
    except IntegrityError:
        # Another worker put one of these tickets in an alert at the same moment.
        logger.info("Ticket %s was grouped by another worker meanwhile", signature.ticket_id)


def _group(signature: signatures.Signature, result: Detection) -> None:
    ticket_id = signature.ticket_id
    if AlertTicket.objects.filter(ticket_id=ticket_id).exists() or Ticket.objects.filter(
            pk=ticket_id, merged_into__isnull=False).exists():
        return
    weights, counts, total = signatures.weights(signature.terms)
    query = similarity.Query(signature, weights, counts, total)
    span = window()
    found = similarity.neighbours(query, within=(signature.at - span, signature.at + span),
                                  postings=POSTINGS)
    close = {ticket_id: match for ticket_id, match in found.items()
             if match.score >= GROUP_SCORE and _says_the_same(query, match)}
    if not close:
        return
    rows = (TicketSignature.objects.filter(pk__in=list(close), failure=True,
                                           ticket__merged_into__isnull=True)
            .values_list("ticket_id", "at", "customer_key", "organization_id"))
    members = {row[0]: _Member(*row) for row in rows}
    taken = dict(AlertTicket.objects.filter(ticket_id__in=list(members))
                 .values_list("ticket_id", "alert_id"))
    alerts = Alert.objects.in_bulk(set(taken.values()))
    # Tickets of an alert that became a problem are linked: not grouped again.
    linked = {a.pk for a in alerts.values()
              if a.problem_id is not None or a.status == AlertStatus.PROBLEM}
    members = {t: m for t, m in members.items() if taken.get(t) not in linked}
    if not members:
        return
    result.groups += 1
    me = _Member(ticket_id, signature.at, signature.customer_key, signature.organization_id)
    joined = [taken[t] for t in members if t in taken]
    if joined:
        alert = alerts[max(set(joined), key=joined.count)]
        _add(alert, [me])
        result.joined += 1
        return
    group = _crossing(me, list(members.values()))
    if group is None:
        return
    shared = _defining_terms(query, [m.ticket_id for m in group])
    result.raised.append(_raise(query, group, shared))


def _says_the_same(query: similarity.Query, match: similarity.Match) -> bool:
    """Whether two tickets describe the same failure, not merely the same release:
    what they share besides product and version (error codes, rare words) must carry
    GROUP_SCORE of what the ticket says besides them. Customers on one version write
    about many different failures; the version explains an alert, it does not make
    one (seen once organizations' deployments named every ticket's version)."""
    said = {term: weight for term, weight in query.weights.items()
            if signatures.kind(term) not in ("@p", "@v")}
    mass = sum(said.values())
    return mass > 0 and sum(said.get(term, 0.0) for term in match.shared) >= GROUP_SCORE * mass


def _crossing(me: _Member, others: Sequence[_Member]) -> list[_Member] | None:
    """The members within one window (containing `me`) that meet both thresholds, in
    time order, up to the one that crossed them; None when no window does."""
    span = window()
    everyone = sorted([me, *others], key=lambda m: (m.at, m.ticket_id))
    best: list[_Member] | None = None
    for first in everyone:
        if not first.at <= me.at <= first.at + span:
            continue
        inside = [m for m in everyone if first.at <= m.at <= first.at + span]
        if _meets(inside) and (best is None or len(inside) > len(best)):
            best = inside
    return best


def _meets(members: Sequence[_Member]) -> bool:
    return (len(members) >= settings.FRONTLINE_ALERT_MIN_TICKETS
            and len({m.customer_key for m in members})
            >= settings.FRONTLINE_ALERT_MIN_ORGANIZATIONS)


def _crossed_at(members: Sequence[_Member]) -> datetime:
    """The time of the ticket with which the group first met the thresholds."""
    for count in range(1, len(members) + 1):
        if _meets(members[:count]):
            return members[count - 1].at
    return members[-1].at


def _defining_terms(query: similarity.Query, ticket_ids: list[int]) -> list[str]:
    """The query's weighed terms that at least half the group shares, heaviest first."""
    counts: dict[str, int] = {}
    for term in TicketTerm.objects.filter(ticket_id__in=ticket_ids,
                                          term__in=list(query.weights)).values_list(
                                              "term", flat=True):
        counts[term] = counts.get(term, 0) + 1
    needed = (len(ticket_ids) + 1) // 2
    return sorted((t for t, n in counts.items() if n >= needed and query.weights.get(t, 0) > 0),
                  key=lambda t: -query.weights[t])


def _raise(query: similarity.Query, group: list[_Member], shared: list[str]) -> Alert:
    now = timezone.now()
    shown = similarity.reasons(query, shared)
    title = " · ".join(shown) or query.signature.shown.get(query.signature.terms[0], "")
    customers = len({m.customer_key for m in group})
    alert = Alert.objects.create(
        title=title[:200], raised_at=_crossed_at(group), detected_at=now,
        terms=[query.signature.shown.get(t, t) for t in shared][:12], keys=shared[:12])
    _add(alert, group, now=now)
    if alert.raised_at >= now - window():
        crossing = Ticket.objects.filter(pk=group[-1].ticket_id).first()
        notify(problem_managers(), "alert_raised",
               f"Recurring problem: {title} ({len(group)} tickets from {customers} "
               f"customers). See /insights.", ticket=crossing, at=now)
    return alert


def _add(alert: Alert, members: Sequence[_Member], *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    AlertTicket.objects.bulk_create([
        AlertTicket(alert=alert, ticket_id=m.ticket_id, at=m.at,
                    organization_id=m.organization_id, added_at=now) for m in members])


# -- what people do with an alert ---------------------------------------------------------


def dismiss(user: User, alert: Alert) -> Alert:
    """An agent or admin says the alert is no recurring problem. Its tickets stay in
    it (a like ticket joins it silently), so it does not come back."""
    permissions.check_can_view_insights(user)
    if alert.status != AlertStatus.OPEN:
        raise InvalidTransition(f"This alert is {alert.get_status_display().lower()} already.")
    alert.status = AlertStatus.DISMISSED
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = user
    alert.save(update_fields=["status", "dismissed_at", "dismissed_by"])
    return alert
