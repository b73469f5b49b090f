"""Upgrade early warning (issue 10, part 4): an advisory to the organizations that
share what explains an alert but are still on an earlier version
(frontline.insights.explain.at_risk).

Frontline drafts the subject and text; an agent edits them, picks the
organizations and sends. Sending, in one transaction, for each organization:
opens a ticket to the person there we last heard from (workflow.opening.
open_proactive: the advisory is mailed from the ticket's reply address, so their
answer lands on it), and records the advisory on the organization's timeline
(customers OrganizationNote, shown on its desk page) with that ticket's
reference, or with why nobody could be mailed (no contact with a working
address): then it goes out through the account relationship, and the record says
so. It lives in the workflow layer because it reads insights and writes to many
organizations and tickets.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.lookup import as_id
from frontline.core.models import User
from frontline.customers.models import Contact, Organization, OrganizationNote
from frontline.insights.alerts import AlertView
from frontline.insights.explain import VERSION
from frontline.workflow.opening import open_proactive

MAX_TEXT = 5000
MAX_SUBJECT = 200


def draft_subject(view: AlertView) -> str:
    version = next((e.value for e in view.explains if e.key == VERSION), None)
    if version:
        return f"Before you upgrade to {version}: a known problem"[:MAX_SUBJECT]
    return f"A known problem: {view.alert.title}"[:MAX_SUBJECT]


def draft_advisory(view: AlertView) -> str:
    """The text Frontline proposes for the alert's organizations at risk."""
    facts = [e.label for e in view.explains if e.key != VERSION]
    version = next((e.value for e in view.explains if e.key == VERSION), None)
    where = f" running {facts[0]}" if facts else ""
    on = f" on {version}" if version else ""
    lines = [
        "Hello,",
        "",
        f"Several customers{where}{on} have reported the same problem in the last days: "
        f"{_problem_name(view)}.",
    ]
    if version:
        lines += ["", f"Your setup is similar and you are not on {version} yet. We advise you "
                      f"to wait with the upgrade to {version} until we have published a fix; "
                      "we will tell you as soon as it is available."]
    lines += ["", "If you have already upgraded, or see this problem, reply to us and we will "
                  "help you at once.", "", "Your support team"]
    return "\n".join(lines)


def recipient(organization: Organization) -> Contact | None:
    """Who at `organization` the advisory is mailed to: the contact whose latest ticket
    is the newest (the person we last heard from), else the first contact we have; only
    people with an address that does not bounce."""
    reachable = (Contact.objects.filter(organization=organization, emails__isnull=False,
                                        emails__bouncing_since__isnull=True)
                 .distinct())
    latest = (reachable.annotate(last=Max("tickets__created_at"))
              .filter(last__isnull=False).order_by("-last", "pk").first())
    return latest or reachable.order_by("pk").first()


def _problem_name(view: AlertView) -> str:
    """What the customer is told the problem is: the problem's title once the alert
    became one, else the alert's first defining term (its error code, when it has
    one): the rest of the title is detection's shorthand, not words for customers."""
    problem = view.alert.problem
    if problem is not None:
        return problem.title
    return view.alert.title.split(" · ")[0]


@transaction.atomic
def send_advisory(actor: User, view: AlertView, text: str,
                  organization_ids: Iterable[int | str], *,
                  subject: str | None = None) -> list[OrganizationNote]:
    """Mail `text` to each chosen organization (a ticket each) and record it on their
    timelines. Agents and admins."""
    permissions.check_can_view_insights(actor)
    permissions.check_can_open_ticket(actor)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the advisory.", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"At most {MAX_TEXT} characters.", field="text")
    subject = (draft_subject(view) if subject is None else subject).strip()
    if not subject:
        raise InvalidInput("Write the subject.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"At most {MAX_SUBJECT} characters.", field="subject")
    found_ids = [as_id(pk) for pk in organization_ids]
    wanted = {pk for pk in found_ids if pk is not None}
    if len(wanted) != len(set(found_ids)):
        raise InvalidInput("Organizations are given by id.", field="organizations")
    organizations = list(Organization.objects.filter(pk__in=wanted).order_by("name"))
    if not organizations:
        raise InvalidInput("Choose at least one organization.", field="organizations")
    if len(organizations) != len(wanted):
        raise InvalidInput("One of the organizations no longer exists.", field="organizations")
    now = timezone.now()
    notes = []
    for organization in organizations:
        detail: dict[str, object] = {"alert": view.alert.pk, "title": view.alert.title}
        person = recipient(organization)
        if person is None:
            detail["not_mailed"] = "Nobody at this organization has a working address."
        else:
            ticket = open_proactive(actor, person, subject=subject, body=text, at=now)
            detail["ticket"] = ticket.reference
            detail["to"] = person.primary_email
        notes.append(OrganizationNote(organization=organization,
                                      kind=OrganizationNote.Kind.ADVISORY, text=text,
                                      author=actor, at=now, detail=detail))
    return OrganizationNote.objects.bulk_create(notes)
