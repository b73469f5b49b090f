"""Upgrade early warning (issue 10, part 4): an advisory to the organizations that
share what explains an alert but are still on an earlier version
(frontline.insights.explain.at_risk).

Frontline drafts the text; an agent edits it, picks the organizations and sends
it. Sending records it on each organization's timeline (customers
OrganizationNote, shown on the organization's desk page), in one transaction. It
is not mailed: an advisory goes out through the account relationship, and the
record says it was given, by whom and when. It lives in the workflow layer
because it reads insights and writes to many organizations.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from frontline.core import permissions
from frontline.core.errors import InvalidInput
from frontline.core.models import User
from frontline.customers.models import Organization, OrganizationNote
from frontline.insights.alerts import AlertView
from frontline.insights.explain import VERSION

MAX_TEXT = 5000


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
        f"{view.alert.title}.",
    ]
    if version:
        lines += ["", f"Your setup is similar and you are not on {version} yet. We advise you "
                      f"to wait with the upgrade to {version} until we have published a fix; "
                      "we will tell you as soon as it is available."]
    lines += ["", "If you have already upgraded, or see this problem, reply to us and we will "
                  "help you at once.", "", "Your support team"]
    return "\n".join(lines)


@transaction.atomic
def send_advisory(actor: User, view: AlertView, text: str,
                  organization_ids: Iterable[int | str]) -> list[OrganizationNote]:
    """Record `text` on the timeline of each chosen organization. Agents and admins."""
    permissions.check_can_view_insights(actor)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the advisory.", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"At most {MAX_TEXT} characters.", field="text")
    try:
        wanted = {int(pk) for pk in organization_ids}
    except (TypeError, ValueError):
        raise InvalidInput("Organizations are given by id.", field="organizations") from None
    organizations = list(Organization.objects.filter(pk__in=wanted).order_by("name"))
    if not organizations:
        raise InvalidInput("Choose at least one organization.", field="organizations")
    if len(organizations) != len(wanted):
        raise InvalidInput("One of the organizations no longer exists.", field="organizations")
    now = timezone.now()
    notes = [OrganizationNote(organization=organization, kind=OrganizationNote.Kind.ADVISORY,
                              text=text, author=actor, at=now,
                              detail={"alert": view.alert.pk, "title": view.alert.title})
             for organization in organizations]
    return OrganizationNote.objects.bulk_create(notes)
