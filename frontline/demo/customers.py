"""The demo's customers: products and their releases, organizations on each plan
with contracts, environments, seats and deployments, their contacts, and two
individuals.

Organizations and contacts are created through frontline.customers' services and
the contracts through frontline.sla.plans, as the desk would. The first
organization's email domain is also the mark that the demo is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from frontline.core.models import User
from frontline.customers import services as customers
from frontline.customers.models import Contact, OrganizationDomain, Product, Version
from frontline.sla.plans import set_organization_plan

# product name, slug, [(version, days before today it was released)]
PRODUCTS = [
    ("Atlas Server", "atlas-server", [("4.0", 330), ("4.1", 190), ("4.2", 62), ("4.2.1", 19)]),
    ("Atlas Cloud", "atlas-cloud", []),
    ("Beacon Mobile", "beacon-mobile", [("2.8", 210), ("3.0", 76), ("3.1", 14)]),
]
# name, domain, plan, annual contract value, account manager, environment,
# [(contact name, local part, timezone)]
ORGANIZATIONS = [
    ("Northwind Traders", "northwind.example", "enterprise", 480_000, "vera",
     {"deployment": "on-premises", "os": "RHEL 9.3", "database": "PostgreSQL 15",
      "users": "2,400"},
     [("Maria Anders", "maria.anders", "Europe/Berlin"),
      ("Thomas Hardy", "thomas.hardy", "Europe/London"),
      ("Hanna Moos", "hanna.moos", "Europe/Berlin"),
      ("Yoshi Tannamuri", "yoshi.t", "America/Vancouver")]),
    ("Umbrella Health", "umbrella.example", "enterprise", 620_000, "vera",
     {"deployment": "on-premises", "os": "Windows Server 2022", "database": "SQL Server 2019",
      "users": "5,100"},
     [("Priya Raman", "priya.raman", "Asia/Kolkata"),
      ("Jonas Weber", "jonas.weber", "Europe/Zurich"),
      ("Claire Dubois", "claire.dubois", "Europe/Paris")]),
    ("Globex Corporation", "globex.example", "premium", 250_000, "vera",
     {"deployment": "on-premises", "os": "Ubuntu 22.04", "database": "PostgreSQL 14"},
     [("Alice Moreno", "alice", "America/New_York"),
      ("Hank Scorpio", "hank", "America/Chicago"),
      ("Frank Grimes", "frank.grimes", "America/New_York")]),
    ("Acme Robotics", "acme.example", "premium", 140_000, None,
     {"deployment": "cloud", "region": "eu-central", "sso": "Okta (SAML)"},
     [("Wile Coyote", "wile", "America/Phoenix"),
      ("Rosa Diaz", "rosa.diaz", "America/Los_Angeles")]),
    ("Stark Logistics", "starklogistics.example", "premium", 95_000, None,
     {"deployment": "cloud", "region": "us-east", "sso": "Azure AD (OIDC)",
      "mobile": "Android fleet devices"},
     [("Pepper Potts", "pepper", "America/New_York"),
      ("Happy Hogan", "happy", "America/New_York")]),
    ("Initech", "initech.example", "standard", 12_000, None,
     {"deployment": "cloud", "browser": "Chrome 126"},
     [("Bob Porter", "bob.porter", "America/Chicago"),
      ("Milton Waddams", "milton", "America/Chicago")]),
    ("Wayne Analytics", "wayne.example", "standard", 18_000, None,
     {"deployment": "on-premises", "os": "Debian 12", "database": "PostgreSQL 16"},
     [("Lucius Fox", "lucius", "America/New_York")]),
    ("Hooli Retail", "hooli.example", "standard", 9_000, None,
     {"deployment": "cloud", "mobile": "iOS 17 tablets in stores"},
     [("Gavin Belson", "gavin", "America/Los_Angeles"),
      ("Monica Hall", "monica", "America/Los_Angeles")]),
    ("Soylent Foods", "soylent.example", "standard", 6_000, None,
     {"deployment": "cloud"},
     [("Sol Roth", "sol.roth", "America/New_York")]),
]
# What each organization licenses and runs: seats (None: not known) and its
# deployments [(product slug, version or None, days before today it came into use)];
# a negative number of days is an upgrade planned for later. Some run the newest
# release, some lag behind, one runs two products, one has none recorded.
SETUP: dict[str, tuple[int | None, list[tuple[str, str | None, int]]]] = {
    "Northwind Traders": (2_500, [("atlas-server", "4.0", 300), ("atlas-server", "4.1", 150),
                                  ("atlas-server", "4.2", 40), ("atlas-server", "4.2.1", 8)]),
    "Umbrella Health": (5_200, [("atlas-server", "4.0", 320), ("atlas-server", "4.1", 118),
                                ("atlas-server", "4.2.1", -14)]),
    "Globex Corporation": (800, [("atlas-server", "4.1", 181), ("atlas-server", "4.2", 55),
                                 ("atlas-server", "4.2.1", 12), ("beacon-mobile", "3.0", 61)]),
    "Acme Robotics": (350, [("atlas-cloud", None, 410)]),
    "Stark Logistics": (1_200, [("beacon-mobile", "2.8", 199), ("beacon-mobile", "3.0", 70),
                                ("beacon-mobile", "3.1", 9)]),
    "Initech": (60, [("atlas-cloud", None, 520)]),
    "Wayne Analytics": (150, [("atlas-server", "4.2", 48), ("atlas-server", "4.2.1", 4)]),
    "Hooli Retail": (None, [("atlas-cloud", None, 300), ("beacon-mobile", "3.0", 66)]),
    "Soylent Foods": (25, []),
}
# The addresses the stories use, on top of each organization's own:
# organization -> (extra domain, {local part: address that becomes primary}).
CAST_ADDRESSES = {
    "Globex Corporation": ("premium.example", {"alice": "alice@premium.example"}),
    "Initech": ("standard.example", {"bob.porter": "bob@standard.example"}),
}
# People who write without an organization (personal addresses).
INDIVIDUALS = [
    ("Jo Freelance", "jo.freelance@mail.example", "Europe/Lisbon"),
    ("Sam Okoye", "sam.okoye@mail.example", "Africa/Lagos"),
]


def already_loaded() -> bool:
    """Whether the demo is there: loading is one transaction, so its first
    organization's domain stands for all of it."""
    return OrganizationDomain.objects.filter(domain=ORGANIZATIONS[0][1]).exists()


def create_products(today: date) -> None:
    """The products and their releases, dated relative to `today`."""
    for name, slug, versions in PRODUCTS:
        product, _ = Product.objects.get_or_create(slug=slug, defaults={"name": name})
        for version, days_ago in versions:
            Version.objects.get_or_create(product=product, name=version,
                                          defaults={"released_on": today - timedelta(days_ago)})


def create_customers(admin: User, today: date) -> list[Contact]:
    """The organizations with their contracts and contacts, then the individuals;
    returned in creation order with organization, plan and emails loaded."""
    created = []
    for number, (name, domain, plan, value, manager, environment, people) in enumerate(
            ORGANIZATIONS):
        extra_domain, extra_addresses = CAST_ADDRESSES.get(name, ("", {}))
        seats, deployments = SETUP.get(name, (None, []))
        organization = customers.create_organization(
            admin, name=name, domains=[domain] + ([extra_domain] if extra_domain else []),
            plan=plan, annual_contract_value=Decimal(value), account_manager=manager,
            environment=environment, seats=seats,
            deployments=[{"product": product, "version": version,
                          "since": today - timedelta(days=days)}
                         for product, version, days in deployments])
        # Contracts that began at different times, each before the customer first ran
        # one of our products (a deployment needs a contract); one renews soon.
        began = max([200 + 60 * number] + [days + 30 for _, _, days in deployments])
        set_organization_plan(
            admin, organization, plan=plan, starts_on=today - timedelta(days=began),
            ends_on=today + timedelta(days=25 + 45 * number))
        for person, local, tz in people:
            emails = [f"{local}@{domain}"]
            if local in extra_addresses:
                emails.insert(0, extra_addresses[local])
            created.append(customers.create_contact(
                admin, emails=emails, name=person, organization_id=organization.pk,
                timezone=tz))
    for person, address, tz in INDIVIDUALS:
        created.append(customers.create_contact(admin, emails=[address], name=person,
                                                timezone=tz))
    return list(Contact.objects.filter(pk__in=[c.pk for c in created]).order_by("pk")
                .select_related("organization__plan").prefetch_related("emails"))
