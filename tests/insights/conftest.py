"""Three weeks of promises kept and missed, and time spent, from Monday 3 March 2025 (UTC).

Premium (Globex, alice): 3 targets measured, 2 met (66.7%).
Standard (Initech, bob): 2 measured, 1 met (50%): the first response was late
though the scan never flagged it; lateness alone is a miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from frontline.insights.reports import Period
from frontline.routing.models import Team
from frontline.sla.models import SlaMeasurement
from frontline.tickets.models import Ticket
from tests.api.conftest import api  # noqa: F401
from tests.costs.factories import log, make_ticket
from tests.desk.conftest import signed_in  # noqa: F401
from tests.insights.factories import measure

MONDAY = datetime.fromisoformat("2025-03-03T00:00:00+00:00")
H = timedelta(hours=1)


def day(n: int, hour: int = 10) -> datetime:
    return MONDAY + timedelta(days=n, hours=hour)


@dataclass
class Story:
    export: Ticket  # alice, premium, tier 1
    crash: Ticket  # alice, premium, escalated to tier 3
    login: Ticket  # bob, standard
    frontdesk: Team
    specialists: Team
    period: Period


@pytest.fixture
def story(alice: Any, bob: Any, lena: Any, otto: Any, dana: Any, premium_plan: Any,
          standard_plan: Any) -> Story:
    frontdesk = Team.objects.get(name="Frontdesk")
    specialists = Team.objects.get(name="Specialists")
    export = make_ticket(alice, "Nightly export fails", plan=premium_plan, team=frontdesk,
                         at=day(0))
    crash = make_ticket(alice, "Crash on save", plan=premium_plan, team=specialists, tier=3,
                        at=day(7))
    login = make_ticket(bob, "Cannot log in", plan=standard_plan, team=frontdesk, at=day(2))
    measure(export, "first_response", due=day(1), met_after=H)
    measure(export, "resolution", due=day(2), met_after=2 * H + timedelta(minutes=30),
            breached=True, business_seconds=9000)
    measure(crash, "first_response", due=day(8), met_after=90 * timedelta(minutes=1))
    measure(login, "first_response", due=day(3), met_after=3 * H)
    unassigned = measure(login, "resolution", due=day(15), met_after=H)
    SlaMeasurement.objects.filter(pk=unassigned.pk).update(team=None)
    measure(login, "next_response", due=MONDAY - timedelta(days=11), met_after=H)  # before
    log(export, lena, 90, at=day(1))
    log(login, otto, 60, at=day(3))
    log(crash, dana, 120, at=day(8))
    return Story(export, crash, login, frontdesk, specialists,
                 Period(MONDAY, MONDAY + timedelta(days=21)))
