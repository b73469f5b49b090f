"""The demo's known errors: what /problems is for.

The history's upgrade failures ("Upgrade from 4.1 to 4.2 fails during migration
0412", frontline.demo.scenarios) have one cause, found by engineering in the
first of them. Support records it once as a known error with its workaround,
owned by the developer who found it, and links every ticket it explains, so the
next customer who hits it is answered from the problem page. Recorded through
frontline.problems' services after the history, as an admin would.
"""

from __future__ import annotations

from frontline.core.models import User
from frontline.problems.models import ProblemStatus
from frontline.problems.services import create_problem, update_problem
from frontline.tickets.models import Ticket

TITLE = "Upgrade fails in migration 0412 when report schedules share a name"
DESCRIPTION = (
    "Migration 0412 adds a unique constraint on report schedule names without "
    "de-duplicating them first. Schedules copied from a template in earlier releases "
    "share their names, so the upgrade aborts with 'duplicate key value violates "
    "unique constraint report_schedule_name' and the customer restores the backup.")
WORKAROUND = (
    "Before upgrading, rename the duplicates:\n\n"
    "SELECT name, count(*) FROM report_schedule GROUP BY name HAVING count(*) > 1;\n\n"
    "then give each copy its own name (Reports > Schedules) and run the upgrade again.")
TRACKER = "https://tracker.example/ATLAS/issues/4120"


def record_known_errors(admin: User) -> None:
    """The migration 0412 problem, a known error linked to the tickets it explains
    (none when the history has no such ticket)."""
    tickets = list(Ticket.objects.filter(subject__startswith="Upgrade from",
                                         subject__contains="migration 0412",
                                         merged_into__isnull=True)
                   .order_by("created_at"))
    if not tickets:
        return
    dana = User.objects.get(username="dana")
    problem = create_problem(admin, title=TITLE, description=DESCRIPTION, workaround=WORKAROUND,
                             tracker_links=[TRACKER], owner=dana, tickets=tickets)
    update_problem(problem, admin, {"status": ProblemStatus.KNOWN_ERROR.value})
