"""Demo data for `frontline demo`: a support desk three months into its life.

`load()` is the one entry point; the parts, by concept:

- `people`: the staff (one per role and tier) and the logins printed afterwards;
- `configuration`: teams, plans, categories, calendars, SLA policies, rules, costs;
- `customers`: products and releases, organizations with contracts, contacts;
- `scenarios`: the words of the support requests and their answers;
- `history`: each ticket's story as timed steps, played in time order up to now;
- `problems`: the known error behind the history's upgrade failures.

Everything goes through the real services, so the data obeys the same rules as
real use (see `history`). Loading is one transaction: either all of the demo is
there or none of it. That makes the check for "already loaded" one natural key:
the first demo organization's email domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.core.models import User
from frontline.demo import configuration, customers, history, people, regression
from frontline.demo.macros import create_macros
from frontline.demo.problems import record_known_errors
from frontline.demo.questions import create_question_sets

__all__ = ["DEFAULT_TICKETS", "load"]

DEFAULT_TICKETS = 300


@dataclass
class Summary:
    """What `load()` did, for the command to report."""

    created: bool
    tickets: int
    organizations: int
    contacts: int
    # (username, password or "" when the account existed before, what it is)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def load(
    *,
    tickets: int = DEFAULT_TICKETS,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> Summary:
    """Load the demo unless it is there already. Safe to run any number of times.

    `progress(done, total)` is called as the timeline is played.
    """
    if customers.already_loaded():
        return Summary(created=False, tickets=0, organizations=0, contacts=0,
                       logins=people.logins({s[0] for s in people.STAFF}))
    now = now or timezone.now()
    today = now.date()
    with transaction.atomic():
        created_users = people.create_staff(configuration.create_teams())
        configuration.create_plans()
        configuration.create_categories()
        customers.create_products(today)
        ada = User.objects.get(username="ada")
        # Promises first, so every ticket of the history gets its due times as it is played.
        configuration.create_promises(ada, today)
        # The intake's questions (standard, then per category), version 1 of each.
        create_question_sets(ada)
        contacts = customers.create_customers(ada, today)
        stories = history.write(contacts, tickets, now)
        history.play(stories, now, progress)
        # Routing and escalation rules, costs and tracked time come after the history:
        # the history was written before those rules existed; new tickets meet them.
        configuration.create_rules()
        configuration.set_assignment_methods()
        configuration.set_costs(ada)
        # Shared canned replies in English and German (frontline.kb).
        create_macros(ada)
        history.settle(stories, ada, now)
        # A regression of the latest release that detection finds (frontline.demo.regression).
        regression.report(now)
        # The upgrade failures' one cause, a known error on /problems (frontline.demo.problems).
        record_known_errors(ada)
    return Summary(created=True, tickets=sum(1 for s in stories if s.ticket is not None)
                   + len(regression.REPORTS),
                   organizations=len(customers.ORGANIZATIONS), contacts=len(contacts),
                   logins=people.logins(created_users))
