"""The demo's recurring problem: what /insights is for.

Atlas Server 4.2.1 broke the scheduled exports of on-premises installations. Three
customers who moved to 4.2.1 in the last days report it, each in their own words
and language, and detection raises the alert. Umbrella Health runs the same setup
on 4.1 and has its upgrade to 4.2.1 planned: the alert lists it as at risk, so an
agent can warn it before it walks into the failure (the advisory).

The tickets are opened through the workflow after the history, at their own
times, and acknowledged by the front line within every plan's promise; detection
runs over everything once, as `frontline insights refresh` would.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from frontline import workflow
from frontline.core.models import User
from frontline.customers.models import ContactEmail
from frontline.insights import detection

# (contact's address local part, organization domain, days and hours ago, subject, body)
REPORTS = [
    ("thomas.hardy", "northwind.example", (6, 3), "Scheduled exports fail since 4.2.1",
     "Hello,\n\nsince we upgraded to Atlas Server 4.2.1 last week, every scheduled export "
     "stops with EXP-4471 \"time zone offset out of range\". Manual exports still run.\n\n"
     "Regards,\nThomas"),
    ("frank.grimes", "globex.example", (4, 20), "Nightly export job aborts (EXP-4471)",
     "Our nightly export job aborts right at the start. The log says:\n"
     "  EXP-4471: invalid time zone offset (+14:00)\n"
     "It worked fine on 4.2; we are on 4.2.1 now."),
    ("lucius", "wayne.example", (2, 6), "Export-Zeitplan bricht ab",
     "Guten Tag,\n\nnach dem Update auf 4.2.1 bricht jeder geplante Export mit dem Fehler "
     "EXP-4471 ab (Zeitzonen-Offset außerhalb des gültigen Bereichs). Bitte um Hilfe.\n\n"
     "Lucius Fox"),
]


# The front line's first answer, well inside every plan's promise: the desk works to
# its promises, and nobody yet knows the three reports share a cause.
ACKNOWLEDGEMENT = (
    "Thank you for the details and the error code. We are checking EXP-4471 against the "
    "4.2.1 release notes and will come back to you with a workaround.")
# Answered in the customer's own language.
ACKNOWLEDGEMENTS = {"lucius": (
    "Vielen Dank für die Angaben und den Fehlercode. Wir prüfen EXP-4471 anhand der "
    "Versionshinweise zu 4.2.1 und melden uns mit einer Umgehungslösung.")}


def report(now: datetime) -> int:
    """Open the three reports at their times, each acknowledged by the front line,
    then detect over the whole history. Returns the number of alerts raised."""
    lena = User.objects.get(username="lena")
    for local, domain, (days, hours), subject, body in REPORTS:
        email = ContactEmail.objects.select_related("contact").get(
            address=f"{local}@{domain}")
        opened = now - timedelta(days=days, hours=hours)
        ticket = workflow.open_ticket(requester_email=email.address, requester=email.contact,
                                      subject=subject, body=body, channel="email", at=opened)
        workflow.add_reply(ticket, lena, ACKNOWLEDGEMENTS.get(local, ACKNOWLEDGEMENT),
                           at=opened + timedelta(minutes=35))
    return len(detection.run(limit=None).raised)
