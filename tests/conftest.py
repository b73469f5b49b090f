"""The cast every test can call on.

- ada: admin
- lena: L1 agent (tier 1, team "Frontdesk")
- otto: L2 agent (tier 2, team "Specialists")
- dana: developer (tier 3, team "Engineering")
- vera: viewer (account manager of Globex)
- Globex (premium.example, Premium plan) with alice@premium.example
- Initech (standard.example, Standard plan) with bob@standard.example
"""

from __future__ import annotations

from typing import Any

import pytest

from frontline import workflow
from frontline.core.models import Role, User
from frontline.customers.models import Contact, Organization, Plan
from frontline.routing.models import Assignment, Team
from frontline.tickets.models import Ticket
from tests.factories import (
    CategoryFactory,
    ContactFactory,
    OrganizationFactory,
    PlanFactory,
    TeamFactory,
    UserFactory,
)
from tests.smtp_sink import smtp_sink, smtputf8_sink  # noqa: F401  (fixtures for every package)
from tests.webhooks.receiver import receiver  # noqa: F401  (a webhook receiver, for every package)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash test passwords with a cheap hasher: the real one costs up to a second per user
    by design, which across the cast dominated the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _standard_category(request: Any) -> None:
    """The category `standard` comes with a data migration (intake 0002) and always
    exists. A transactional test (the browser tests' live server) empties the tables
    when it ends, so a test after it would find it gone: put it back as it was."""
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category

    Category.objects.get_or_create(
        slug=STANDARD_CATEGORY,
        defaults={"name": "Every request", "follow_up": "send",
                  "description": "The questions asked of every request, before its own "
                                 "category's."})


@pytest.fixture(autouse=True)
def _fresh_sla_cache() -> None:
    """The SLA clock caches plans and policies per process, routing its rules and
    teams, intake its questions, search its statistics; a test's rolled-back or
    flushed rows must not be seen by the next test (SQLite hands the same ids out
    again; a browser test's live server reads the rules a unit test left)."""
    from frontline.intake import questions, reading
    from frontline.routing import ruleset
    from frontline.search.engines import postgresql as postgresql_search
    from frontline.sla import clock

    clock.clear_cache()
    ruleset.forget_cached()
    postgresql_search.forget_statistics()
    questions.clear_cache()
    reading.clear_cache()


@pytest.fixture
def standard_plan(db: None) -> Plan:
    return PlanFactory(name="Standard", slug="standard", is_default=True, rank=1)


@pytest.fixture
def premium_plan(db: None) -> Plan:
    return PlanFactory(name="Premium", slug="premium", rank=2)


@pytest.fixture
def ada(db: None) -> User:
    return UserFactory(username="ada", role=Role.ADMIN, tier=3, first_name="Ada",
                       last_name="Admin")


@pytest.fixture
def frontdesk(db: None) -> Team:
    return TeamFactory(name="Frontdesk", tier=1)


@pytest.fixture
def lena(frontdesk: Team) -> User:
    user = UserFactory(username="lena", role=Role.AGENT, tier=1, first_name="Lena",
                       last_name="Level-One")
    frontdesk.members.add(user)
    return user


@pytest.fixture
def otto(db: None) -> User:
    user = UserFactory(username="otto", role=Role.AGENT, tier=2, first_name="Otto",
                       last_name="Level-Two")
    TeamFactory(name="Specialists", tier=2).members.add(user)
    return user


@pytest.fixture
def dana(db: None) -> User:
    user = UserFactory(username="dana", role=Role.DEVELOPER, tier=3, first_name="Dana",
                       last_name="Developer")
    TeamFactory(name="Engineering", tier=3).members.add(user)
    return user


@pytest.fixture
def vera(db: None) -> User:
    return UserFactory(username="vera", role=Role.VIEWER, tier=1, first_name="Vera",
                       last_name="Viewer")


@pytest.fixture
def globex(premium_plan: Plan, vera: User) -> Organization:
    return OrganizationFactory(name="Globex", plan=premium_plan, annual_contract_value=250000,
                               account_manager=vera, domains=["premium.example"])


@pytest.fixture
def initech(standard_plan: Plan) -> Organization:
    return OrganizationFactory(name="Initech", plan=standard_plan, annual_contract_value=12000,
                               domains=["standard.example"])


@pytest.fixture
def alice(globex: Organization) -> Contact:
    return ContactFactory(name="Alice Premium", organization=globex,
                          email="alice@premium.example", timezone="America/New_York")


@pytest.fixture
def bob(initech: Organization) -> Contact:
    return ContactFactory(name="Bob Standard", organization=initech,
                          email="bob@standard.example", timezone="Europe/Berlin")


@pytest.fixture
def installation(db: None) -> Any:
    return CategoryFactory(name="Installation", slug="installation")


@pytest.fixture
def bobs_ticket(bob: Contact, standard_plan: Plan) -> Ticket:
    """Bob cannot log in after the upgrade: a fresh ticket from the web form."""
    return workflow.open_ticket(
        requester_email="bob@standard.example",
        subject="Cannot log in after upgrade to 4.2",
        body="Since the upgrade this morning the login page says 'invalid token'.",
        channel="web",
    )


@pytest.fixture
def alices_ticket(alice: Contact, premium_plan: Plan) -> Ticket:
    return workflow.open_ticket(
        requester_email="alice@premium.example",
        subject="Nightly export job fails with timeout",
        body="Our nightly export has failed three nights in a row with a timeout error.",
        channel="email",
    )


@pytest.fixture
def specialists_round_robin(otto: User) -> Team:
    """Otto's tier-2 team, Specialists, handing out its tickets by round robin
    (teams assign by hand unless told otherwise)."""
    team = Team.objects.get(name="Specialists")
    team.assignment = Assignment.ROUND_ROBIN
    team.save()
    return team


@pytest.fixture
def lenas_ticket(bobs_ticket: Ticket, lena: User, frontdesk: Team) -> Ticket:
    """Bob's login ticket at tier 1, in Frontdesk and owned by Lena."""
    workflow.set_team(bobs_ticket, lena, frontdesk.name)
    return workflow.assign(bobs_ticket, lena, lena)


@pytest.fixture
def ledger(db: None) -> Any:
    """A product customers name in their mail, with the versions it was released in
    (the extractor knows a product's versions; frontline.intake.reading)."""
    from frontline.customers.models import Product, Version
    from frontline.intake import reading

    product = Product.objects.create(name="Ledger", slug="ledger")
    for name in ("5.0", "5.1", "5.1.2", "5.2"):
        Version.objects.create(product=product, name=name)
    reading.clear_cache()
    return product
