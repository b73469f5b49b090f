"""Demo data: a support desk three months into its life.

Everything goes through the real services, so the data obeys the same rules
as real use: every ticket has a timeline of messages and events, escalations
carry reasons, resolved tickets get their reminder and close after the quiet
period because the real periodic job ran at the simulated times.

How: each ticket's story is written first as a list of timed steps (opened,
triaged, asked, answered, escalated, resolved, confirmed...). The steps of all
tickets, plus one run of the quiet-period job per night, are then played in
time order, up to now. Stories that would continue in the future stop where
"now" is, which is what leaves recent tickets new, open or pending.

Loading is one transaction: either all of the demo is there or none of it.
That makes the check for "already loaded" one natural key: the first demo
organization's email domain.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from frontline.core import accounts
from frontline.core.errors import FrontlineError
from frontline.core.models import Notification, Role, User
from frontline.costs.models import TimeEntry
from frontline.costs.settings import update_cost_settings
from frontline.customers import services as customers
from frontline.customers.models import Contact, OrganizationDomain, Plan, Product, Version
from frontline.routing import escalation
from frontline.routing.models import (
    Assignment,
    EscalationRule,
    EscalationTrigger,
    RoutingRule,
    Team,
)
from frontline.sla import services as clock_services
from frontline.sla.calendars import create_calendar
from frontline.sla.models import BusinessCalendar, SlaPolicy
from frontline.sla.plans import create_plan, set_organization_plan, update_plan
from frontline.sla.policies import create_policy
from frontline.tickets import services
from frontline.tickets.models import ACTIVE_STATUSES, Category, Priority, Ticket

DEMO_PASSWORD = "frontline"
DEFAULT_TICKETS = 300
HISTORY_DAYS = 90
SEED = 20250101

# (username, role, tier, first name, last name, team)
STAFF = [
    ("ada", Role.ADMIN, 3, "Ada", "Byron", None),
    ("lena", Role.AGENT, 1, "Lena", "Hoffmann", "Frontline"),
    ("otto", Role.AGENT, 2, "Otto", "Nilsen", "Specialists"),
    ("dana", Role.DEVELOPER, 3, "Dana", "Okafor", "Developers"),
    ("vera", Role.VIEWER, 1, "Vera", "Costa", None),
]
TEAMS = [("Frontline", 1), ("Specialists", 2), ("Developers", 3)]
PLANS = [
    ("Standard", "standard", 1, True, "Business hours, replies within one working day."),
    ("Premium", "premium", 2, False,
     "Around the clock: first reply within two hours, urgent issues within one."),
    ("Enterprise", "enterprise", 3, False,
     "Around the clock for urgent issues, named specialists, one-hour first reply."),
]
CATEGORIES = [
    ("Installation & upgrades", "installation"),
    ("Login & access", "login"),
    ("Performance", "performance"),
    ("Import, export & integrations", "integrations"),
    ("Bug report", "bug"),
    ("Billing", "billing"),
    ("How-to question", "how-to"),
]
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


@dataclass(frozen=True)
class Scenario:
    """One kind of support request, with the words its conversation uses."""

    flow: str  # quick | needs_info | escalate | develop | outage
    category: str
    product: str | None
    subject: str
    body: str
    answer: str
    ask: str = ""
    info: str = ""
    note: str = ""
    dev_note: str = ""


SCENARIOS = [
    Scenario(
        "needs_info", "login", "atlas-server",
        "Cannot log in after upgrade to {version}",
        "Since we upgraded to {version} this morning the login page says 'invalid token' for "
        "everyone except the local admin account. Nothing else was changed.",
        ask="Sorry about that. Could you send us the last 200 lines of atlas.log from the "
            "server and tell us whether you sign in through LDAP or local accounts?",
        info="We use LDAP (Active Directory). Log attached below:\n\n"
             "ERROR auth.ldap: bind failed: certificate verify failed (self signed certificate "
             "in certificate chain)",
        answer="Thanks, the log shows it: {version} verifies the LDAP server's certificate by "
               "default. Add your internal CA under Settings > Authentication > Trusted "
               "certificates (or set ldap.verify_tls=false as a stop-gap) and sign-in works "
               "again.",
    ),
    Scenario(
        "escalate", "login", "atlas-cloud",
        "SAML login loops back to the sign-in page",
        "Users who sign in through our identity provider end up back on the sign-in page. "
        "It started yesterday afternoon. Direct logins still work.",
        ask="We can see the SAML responses arriving. Could you export the SAML metadata from "
            "your identity provider and send us a HAR file of one failed attempt?",
        info="Metadata and HAR file attached. Our IdP team rotated the signing certificate "
             "yesterday, could that be related?",
        note="Assertion signature fails against the old certificate. Customer rotated the IdP "
             "signing cert; the new one is not in their Atlas Cloud tenant.",
        answer="That was it: your tenant still trusted the previous signing certificate. We "
               "have uploaded the new one from the metadata you sent; sign-in works again. "
               "Next time you rotate, upload the new certificate under Settings > SSO first.",
    ),
    Scenario(
        "quick", "login", "atlas-cloud",
        "Password reset email never arrives",
        "I requested a password reset three times in the last hour and no email came. "
        "Spam folder is empty too.",
        answer="Our mail logs show your mail server rejected the messages as bulk mail. Please "
               "ask your IT team to allow mail from no-reply@atlas-cloud.example; meanwhile I "
               "have sent you a one-time sign-in link separately.",
    ),
    Scenario(
        "needs_info", "installation", "atlas-server",
        "Installer stops at 'configuring database'",
        "The {version} installer on a fresh server stops at 'configuring database' and never "
        "finishes. We left it for an hour.",
        ask="Which database version do you use, and does the installer's log "
            "(/var/log/atlas/install.log) show anything after 'configuring database'?",
        info="PostgreSQL 16. The log ends with: 'waiting for lock on schema atlas'.",
        answer="A previous, interrupted installation still holds a lock. Stop the old "
               "atlas-migrate process (systemctl stop atlas-migrate) and run the installer "
               "again; it resumes where it stopped.",
    ),
    Scenario(
        "develop", "installation", "atlas-server",
        "Upgrade from 4.1 to {version} fails during migration 0412",
        "The upgrade aborts with 'duplicate key value violates unique constraint "
        "report_schedule_name' in migration 0412. We restored the backup and are back on 4.1.",
        ask="Thanks for restoring. Could you run the query below on the 4.1 database and send "
            "us the output?\n\nSELECT name, count(*) FROM report_schedule GROUP BY name "
            "HAVING count(*) > 1;",
        info="It returns 14 rows, all schedules that were copied from a template.",
        note="Reproduced with duplicate schedule names. Migration 0412 adds a unique "
             "constraint without de-duplicating first. Needs a code fix: escalating.",
        dev_note="Root cause confirmed: 0412 assumes names are unique, the 4.1 'copy schedule' "
                 "action did not enforce it. Fix renames duplicates to 'name (2)' before adding "
                 "the constraint; goes out in the next patch release.",
        answer="The fix is in the latest patch release: the migration now renames duplicate "
               "schedules ('Weekly sales (2)') before adding the constraint. Please upgrade "
               "straight to it; no manual clean-up is needed.",
    ),
    Scenario(
        "develop", "integrations", "atlas-server",
        "Nightly export job fails with a timeout",
        "Our nightly export to the data warehouse has failed three nights in a row with "
        "'statement timeout'. It ran fine for months.",
        ask="Roughly how many rows does the export table hold now, and when did the failures "
            "start relative to your upgrade to {version}?",
        info="About 40 million rows. The failures started two days after the upgrade.",
        note="{version} changed the export query to sort by updated_at; there is no index on "
             "it. Full scan on 40M rows hits the 30-minute statement timeout.",
        dev_note="Confirmed: the new export query needs an index on (updated_at, id). Adding it "
                 "in a migration; as a workaround CREATE INDEX CONCURRENTLY is safe to run by "
                 "hand.",
        answer="Engineering confirmed the cause (a missing index after {version}). The patch "
               "release adds it; until you upgrade, you can create it by hand:\n\nCREATE INDEX "
               "CONCURRENTLY export_updated_id ON export_rows (updated_at, id);",
    ),
    Scenario(
        "escalate", "integrations", "atlas-cloud",
        "CSV import rejects our file: 'unexpected character in header'",
        "The customer import says 'unexpected character in header' for a file exported from "
        "Excel. The columns look right to us.",
        ask="Could you attach the file (or its first few lines)? Which Excel version and "
            "which 'Save as' type did you use?",
        info="Excel 365, 'CSV UTF-8'. First line: customer_id;name;email",
        note="Two things: Excel's 'CSV UTF-8' writes a byte-order mark, and the file uses "
             "semicolons. The importer handles the BOM but the delimiter is set to comma.",
        answer="Your file uses semicolons as separators (Excel does that in many European "
               "locales). Choose 'Semicolon' under Import > Options > Delimiter and it imports "
               "cleanly.",
    ),
    Scenario(
        "escalate", "performance", "atlas-cloud",
        "Dashboards take over a minute to load",
        "Since Monday our sales dashboards take 60-90 seconds to load, they used to be "
        "instant. Every user sees it.",
        ask="Which dashboards are affected, and do they use the 'all time' date range?",
        info="All dashboards based on the 'Orders' dataset. Yes, most default to all time.",
        note="The Orders dataset grew past 20M rows after their ERP sync started sending line "
             "items. All-time ranges bypass the aggregate cache.",
        answer="The Orders dataset grew twentyfold last week (your ERP now sends line items). "
               "We have enabled pre-aggregation for it, and we suggest a default range of the "
               "last 12 months; dashboards now load in about two seconds.",
    ),
    Scenario(
        "develop", "performance", "atlas-server",
        "Report generation runs out of memory",
        "Generating the quarterly report fails with 'java.lang.OutOfMemoryError: Java heap "
        "space' on {version}. The server has 16 GB.",
        ask="Could you send us the report definition (Reports > Export definition) and the "
            "heap size configured in atlas.conf?",
        info="Definition attached. Heap is -Xmx4g.",
        note="Report has a pivot on customer x product x day: 30M cells held in memory. 4.1 "
             "streamed this; {version} materialises it.",
        dev_note="Regression from the new pivot engine: it builds the whole grid before "
                 "writing. Patch streams rows again. Raising the heap to 8g works meanwhile.",
        answer="This is a regression in {version}'s pivot engine, fixed in the next patch. "
               "Until then, raising the heap to -Xmx8g in atlas.conf lets the report finish.",
    ),
    Scenario(
        "develop", "bug", "beacon-mobile",
        "App crashes on launch after updating to {version}",
        "Since the {version} update the app closes immediately on launch on several of our "
        "iPads. Reinstalling does not help.",
        ask="Which iPadOS version are the affected devices on? Are they managed by an MDM?",
        info="iPadOS 16.7, managed through Intune. iPads on 17 are fine.",
        note="Crash log shows a call to an API only available on iPadOS 17. Reproduced on a "
             "16.7 simulator.",
        dev_note="Guarded the call behind an availability check; also added a 16.x device to "
                 "the release test matrix.",
        answer="The crash affects iPadOS 16 only and is fixed in the next app update, now in "
               "the App Store review. Updating the devices to iPadOS 17 also avoids it.",
    ),
    Scenario(
        "needs_info", "bug", "beacon-mobile",
        "Push notifications not received on Android",
        "Our drivers stopped getting push notifications on their Android phones. iPhones "
        "still get them.",
        ask="Do the affected phones use battery optimisation or a work profile? Could you send "
            "us the device model and Android version of one of them?",
        info="Samsung Galaxy XCover 6 Pro, Android 14, battery optimisation on (default).",
        answer="Samsung's battery optimisation puts the app to sleep. Under Settings > Apps > "
               "Beacon > Battery choose 'Unrestricted'; your MDM can push that setting to all "
               "devices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Invoice shows the wrong VAT number",
        "Our latest invoice shows our old VAT number. Could you reissue it with the new one? "
        "Our finance team cannot book it otherwise.",
        answer="I have updated the VAT number on your account and reissued the invoice; you "
               "will find the corrected copy under Billing > Invoices.",
    ),
    Scenario(
        "quick", "billing", None,
        "Adding 25 seats to our subscription",
        "We are onboarding a new team next month. How do we add 25 seats, and will it be "
        "prorated?",
        answer="You can add seats any time under Billing > Subscription > Seats; the new seats "
               "are prorated to your renewal date. I can also do it for you if you tell me the "
               "start date.",
    ),
    Scenario(
        "quick", "how-to", "atlas-cloud",
        "How do we send events to our own system with webhooks?",
        "We want our ticketing system to be notified when an order is flagged. Is there a "
        "webhook for that?",
        answer="Yes: Settings > Integrations > Webhooks > Add. Choose the 'order.flagged' "
               "event and your endpoint URL; each delivery is signed (X-Atlas-Signature) so "
               "your side can check it.",
    ),
    Scenario(
        "quick", "how-to", "atlas-server",
        "Can reports be emailed on a schedule?",
        "Is it possible to email the weekly KPI report to a distribution list every Monday "
        "morning?",
        answer="It is: open the report, choose Schedule > Weekly, Monday 07:00, and add the "
               "list's address as a recipient. The server needs outgoing mail configured under "
               "Settings > Mail.",
    ),
    Scenario(
        "outage", "bug", "atlas-server",
        "URGENT: production down, all users get error 502",
        "Phone call: since 20 minutes all users get '502 Bad Gateway'. Production is down for "
        "the whole company.",
        ask="We are on it. Please send the output of 'atlasctl status' and the last lines of "
            "atlas.log.",
        info="atlasctl says the worker pool is 'starting' in a loop. Log: 'disk quota exceeded "
             "on /var/lib/atlas/tmp'.",
        note="Temp directory full: a stuck export wrote 200 GB of spill files. Clearing "
             "/var/lib/atlas/tmp restores service.",
        dev_note="The export spill files are not cleaned up when the job is cancelled. Fix: "
                 "clean up on cancel and cap spill size.",
        answer="Service is back: the temporary directory was full from a cancelled export's "
               "spill files. Engineering is adding a clean-up on cancel; until then we "
               "recommend monitoring /var/lib/atlas/tmp.",
    ),
]

ACKNOWLEDGEMENTS = [
    "Thanks for the details. I am looking into this now and will get back to you today.",
    "Thank you for reporting this. I have reproduced the behaviour and am checking with our "
    "specialists.",
    "Thanks, we have what we need to start. I will update you as soon as I know more.",
]
ESCALATION_NOTES = [
    "Basic checks done (versions, logs, known issues). Needs a specialist: escalating to tier 2.",
    "Not covered by the knowledge base; customer is blocked. Escalating to tier 2.",
]
ENGINEERING_REPLIES = [
    "Our engineers have confirmed this is a defect and are working on a fix. I will let you "
    "know as soon as it is available.",
    "We have passed this to engineering together with your logs. I will update you when the "
    "fix is scheduled.",
]
STILL_BROKEN = [
    "Unfortunately it is happening again since this morning.",
    "We applied the change but two of our users still see the problem.",
]
FOLLOW_UPS = [
    "Those two users had a cached session; signing out everywhere (Profile > Sessions) clears "
    "it. Everything else from my previous reply still applies.",
    "Thanks for checking. One more step was missing: restart the service after the change. "
    "That should settle it.",
]



# Most requests are answered at the front line; a few need engineering.
FLOW_WEIGHTS = {"quick": 3.0, "needs_info": 2.0, "escalate": 1.5, "develop": 1.0, "outage": 1.0}

Step = Callable[["_Story", datetime], None]


@dataclass
class Summary:
    created: bool
    tickets: int
    organizations: int
    contacts: int
    # (username, password or "" when the account existed before, what it is)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class _Story:
    """One ticket's life as timed steps; the first step opens the ticket."""

    steps: list[tuple[datetime, Step]] = field(default_factory=list)
    ticket: Ticket | None = None

    def at(self, when: datetime, step: Step) -> datetime:
        self.steps.append((when, step))
        return when


@dataclass
class _World:
    """What the stories act with, loaded once per `load()`."""

    lena: User
    otto: User
    dana: User
    teams: dict[str, Team]
    contacts: list[Contact]
    versions: dict[str, list[Version]]


def already_loaded() -> bool:
    return OrganizationDomain.objects.filter(domain=ORGANIZATIONS[0][1]).exists()


def load(
    *,
    tickets: int = DEFAULT_TICKETS,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> Summary:
    """Load the demo unless it is there already. Safe to run any number of times.

    `progress(done, total)` is called as the timeline is played.
    """
    if already_loaded():
        return Summary(created=False, tickets=0, organizations=0, contacts=0,
                       logins=_logins({s[0] for s in STAFF}))
    now = now or timezone.now()
    rng = random.Random(SEED)
    with transaction.atomic():
        created_users = _staff()
        _reference_data(now.date())
        ada = User.objects.get(username="ada")
        # Promises first, so every ticket of the history gets its due times as it is played.
        _promises(ada, now.date())
        world = _world(_customers(ada, now.date()))
        stories = [_story(rng, world, now) for _ in range(tickets)]
        _play(stories, now, progress)
        # Routing and escalation rules, costs and tracked time come after the history:
        # the history was written before those rules existed; new tickets meet them.
        _after_history(ada, now)
    return Summary(created=True, tickets=sum(1 for s in stories if s.ticket is not None),
                   organizations=len(ORGANIZATIONS), contacts=len(world.contacts),
                   logins=_logins(created_users))


def _logins(created_users: set[str]) -> list[tuple[str, str, str]]:
    """The demo logins; an account that existed before the demo keeps its own password."""
    rows = []
    for username, role, tier, *_ in STAFF:
        what = f"agent, tier {tier}" if role == Role.AGENT else str(role.label).lower()
        rows.append((username, DEMO_PASSWORD if username in created_users else "", what))
    return rows


def _staff() -> set[str]:
    """The demo staff; existing accounts with the same names are left alone."""
    created = set()
    for name, tier in TEAMS:
        Team.objects.get_or_create(name=name, defaults={"tier": tier})
    teams = {t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])}
    # One hash for all demo accounts: they share a published password anyway, and
    # each hash costs the better part of a second by design.
    password_hash = make_password(DEMO_PASSWORD)
    for username, role, tier, first, last, team in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_user(
                username=username, role=role, tier=tier,
                email=f"{username}@frontline.example", first_name=first, last_name=last)
            user.password = password_hash
            user.save(update_fields=["password"])
            created.add(username)
        if team:
            teams[team].members.add(user)
            if teams[team].lead_id is None:
                teams[team].lead = user
                teams[team].save(update_fields=["lead"])
    return created


# -- support levels: calendars, plans, SLA policies, rules, costs ---------------

# name, time zone, weekly hours, public holidays (country, region), description
CALENDARS = [
    ("Berlin office", "Europe/Berlin", "Mon-Fri 08:00-18:00", "DE", "BE",
     "The front line in Berlin: weekdays 8 to 6, Berlin's public holidays."),
    ("New York office", "America/New_York", "Mon-Fri 09:00-17:00", "US", "NY",
     "Specialists in New York: weekdays 9 to 5, New York's public holidays."),
    ("Around the clock", "UTC", "Mon-Sun 00:00-24:00", "", "",
     "24x7, no holidays: Premium, Enterprise and bought incidents."),
]
# slug, annual list price, per-incident price (for the per-incident plan)
PLAN_PRICES = [("standard", 12_000, None), ("premium", 60_000, None),
               ("enterprise", 250_000, None)]
INCIDENT_PLAN = ("Priority incident", "priority-incident", 250,
                 "Bought for one ticket by a customer on any plan: first reply within an "
                 "hour around the clock, then a specialist.")
# plan, priority, calendar, first response / next response / resolution minutes,
# formal, breach actions
POLICIES: list[tuple[str, int | None, str, int, int, int, bool, dict[str, object]]] = [
    # 24 business hours; 5 business days of 10 hours.
    ("standard", None, "Berlin office", 24 * 60, 24 * 60, 5 * 10 * 60, True, {}),
    # Low-priority Standard questions: an internal target only, never promised.
    ("standard", Priority.LOW, "Berlin office", 16 * 60, 24 * 60, 10 * 10 * 60, False,
     {"notify": False}),
    ("premium", None, "Around the clock", 2 * 60, 4 * 60, 48 * 60, True,
     {"raise_priority": True}),
    ("premium", Priority.URGENT, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"move_to_tier": 2, "move_to_team": "Specialists"}),
    ("enterprise", None, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"raise_priority": True}),
    ("enterprise", Priority.URGENT, "Around the clock", 30, 60, 8 * 60, True,
     {"move_to_tier": 2, "move_to_team": "Specialists"}),
    ("priority-incident", None, "Around the clock", 60, 2 * 60, 24 * 60, True,
     {"move_to_tier": 2}),
]
# team -> (calendar, assignment)
TEAM_SETUP = {"Frontline": ("Berlin office", Assignment.ROUND_ROBIN),
              "Specialists": ("New York office", Assignment.LEAST_LOADED),
              "Developers": ("Berlin office", Assignment.MANUAL)}


def _promises(admin: User, today: date) -> None:
    """Calendars with real holidays, plan prices, the per-incident plan and the SLA
    policies, through frontline.sla.calendars, .plans and .policies (what an admin
    would do)."""
    calendars = {}
    for name, zone, hours, country, region, description in CALENDARS:
        calendars[name] = (BusinessCalendar.objects.filter(name=name).first()
                           or create_calendar(
                               admin, name=name, timezone=zone, hours=hours,
                               holiday_country=country, holiday_subdivision=region,
                               description=description,
                               # The Berlin office closes between the holidays.
                               closed_days=[
                                   {"date": date(year, 12, day), "name": "Company holiday"}
                                   for year in (today.year, today.year + 1) for day in (24, 31)
                               ] if country == "DE" else []))
    for slug, annual, _ in PLAN_PRICES:
        plan = Plan.objects.get(slug=slug)
        if plan.annual_price is None:
            update_plan(admin, plan, annual_price=annual)
    name, slug, price, description = INCIDENT_PLAN
    if not Plan.objects.filter(slug=slug).exists():
        create_plan(admin, name=name, slug=slug, rank=5, per_incident=True,
                    incident_price=price, description=description)
    for plan_slug, priority, calendar, first, later, resolution, formal, actions in POLICIES:
        if SlaPolicy.objects.filter(plan__slug=plan_slug, priority=priority).exists():
            continue
        create_policy(
            admin, plan=plan_slug, priority=priority, calendar=calendars[calendar],
            first_response_minutes=first, next_response_minutes=later,
            resolution_minutes=resolution, formal=formal, **actions)
    for team, (calendar, _assignment) in TEAM_SETUP.items():
        Team.objects.filter(name=team, calendar__isnull=True).update(
            calendar=calendars[calendar])


def _after_history(admin: User, now: datetime) -> None:
    _rules()
    for team, (_, assignment) in TEAM_SETUP.items():
        Team.objects.filter(name=team).update(assignment=assignment)
    update_cost_settings(
        admin, tier1_hourly="45", tier2_hourly="70", tier3_hourly="120", currency="EUR",
        default_developer_hours="6", weekly_developer_budget_hours="30")
    _tracked_time(now)
    # One Standard customer paid for a priority incident on an open ticket.
    bought = (Ticket.objects.filter(status__in=ACTIVE_STATUSES, organization__plan__slug="standard")
              .order_by("-created_at").first())
    if bought is not None:
        clock_services.buy_incident_premium(bought, admin, INCIDENT_PLAN[1], at=now)
    # Every open ticket's promises as the clock sees them now.
    clock_services.recompute_all(at=now)
    # The history's notifications (escalations, warnings) were read at the time.
    Notification.objects.filter(read_at__isnull=True, created_at__lt=now).update(read_at=now)


def _rules() -> None:
    """Routing and escalation rules that show how they work (rows only: the
    routing code in frontline.routing applies them)."""
    if RoutingRule.objects.exists() or EscalationRule.objects.exists():
        return  # the admin has rules of their own
    teams = {t.name: t for t in Team.objects.all()}
    installation = Category.objects.get(slug="installation")
    RoutingRule.objects.bulk_create([
        RoutingRule(position=10, name="Outage words make a ticket urgent",
                    words="down, outage, 502, production", set_priority=Priority.URGENT,
                    set_tags="outage", stop=False),
        RoutingRule(position=20, name="Subject mentions install: installation, front line",
                    words="install, installer, upgrade", set_team=teams["Frontline"],
                    set_tags="installation", stop=False),
        RoutingRule(position=30, name="Mobile app questions go to the Specialists",
                    product=Product.objects.get(slug="beacon-mobile"),
                    set_team=teams["Specialists"], set_tier=2),
        RoutingRule(position=40, name="Everything else starts at the front line",
                    set_team=teams["Frontline"], set_tier=1),
    ])
    EscalationRule.objects.bulk_create([
        EscalationRule(position=10, name="Premium and urgent: straight to tier 2",
                       plan=Plan.objects.get(slug="premium"), min_priority=Priority.URGENT,
                       trigger=EscalationTrigger.ON_CREATE, to_tier=2,
                       to_team=teams["Specialists"]),
        EscalationRule(position=20, name="To tier 2 when category is Installation and no "
                                         "resolution after 4 business hours",
                       category=installation, trigger=EscalationTrigger.NO_RESOLUTION,
                       after_minutes=4 * 60, to_tier=2, to_team=teams["Specialists"]),
        EscalationRule(position=30, name="Enterprise without a first response after 30 "
                                         "minutes: tier 2",
                       plan=Plan.objects.get(slug="enterprise"),
                       trigger=EscalationTrigger.NO_FIRST_RESPONSE, after_minutes=30,
                       to_tier=2, to_team=teams["Specialists"]),
    ])


def _tracked_time(now: datetime) -> None:
    """Time the tiers spent on some escalated tickets (manual entries)."""
    rng = random.Random(SEED + 1)
    people = {u.username: u for u in User.objects.filter(username__in=["lena", "otto", "dana"])}
    entries = []
    for ticket in Ticket.objects.filter(tier__gte=2).order_by("pk")[:20]:
        start = ticket.created_at + timedelta(minutes=30)
        for username, tier, low, high in (("lena", 1, 15, 45), ("otto", 2, 60, 180),
                                          ("dana", 3, 120, 420)):
            if tier > ticket.tier:
                break
            seconds = rng.randrange(low, high) * 60
            if start + timedelta(seconds=seconds) >= now:
                break
            entries.append(TimeEntry(ticket=ticket, user=people[username], tier=tier,
                                     started_at=start,
                                     ended_at=start + timedelta(seconds=seconds),
                                     seconds=seconds, manual=True,
                                     note="Reproduced and investigated" if tier > 1
                                     else "Triage and first checks"))
            start += timedelta(seconds=seconds, hours=rng.randrange(2, 30))
    TimeEntry.objects.bulk_create(entries)


def _reference_data(today: date) -> None:
    has_default = Plan.objects.filter(is_default=True).exists()
    for name, slug, rank, is_default, description in PLANS:
        Plan.objects.get_or_create(slug=slug, defaults={
            "name": name, "rank": rank, "description": description,
            "is_default": is_default and not has_default})
    for name, slug in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})
    for name, slug, versions in PRODUCTS:
        product, _ = Product.objects.get_or_create(slug=slug, defaults={"name": name})
        for version, days_ago in versions:
            Version.objects.get_or_create(product=product, name=version,
                                          defaults={"released_on": today - timedelta(days_ago)})


def _customers(admin: User, today: date) -> list[Contact]:
    created = []
    for number, (name, domain, plan, value, manager, environment, people) in enumerate(
            ORGANIZATIONS):
        extra_domain, extra_addresses = CAST_ADDRESSES.get(name, ("", {}))
        organization = customers.create_organization(
            admin, name=name, domains=[domain] + ([extra_domain] if extra_domain else []),
            plan=plan, annual_contract_value=Decimal(value), account_manager=manager,
            environment=environment)
        # Contracts that began at different times; one renews soon.
        set_organization_plan(
            admin, organization, plan=plan, starts_on=today - timedelta(days=200 + 60 * number),
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


def _world(contacts: list[Contact]) -> _World:
    users = {u.username: u for u in User.objects.filter(username__in=["lena", "otto", "dana"])}
    versions: dict[str, list[Version]] = {}
    for version in Version.objects.select_related("product"):
        versions.setdefault(version.product.slug, []).append(version)
    return _World(
        lena=users["lena"], otto=users["otto"], dana=users["dana"],
        teams={t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])},
        contacts=contacts, versions=versions)


# -- steps: each calls one service at the step's time -------------------------


def _reply(actor: User, body: str, status: str | None = None) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        services.add_reply(story.ticket, actor, body, status=status, at=at)
    return step


def _note(actor: User, body: str) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        services.add_note(story.ticket, actor, body, at=at)
    return step


def _customer(contact: Contact, body: str) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        services.add_customer_message(story.ticket, contact, body, at=at)
    return step


def _triage(actor: User, team: Team) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        services.set_team(story.ticket, actor, team.name, at=at)
    return step


def _escalate(actor: User, tier: int, team: Team, assignee: User, reason: str) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        # The real escalation (weighed, promises carried, decision recorded), so
        # the developer brief shows the reason and what was tried.
        escalation.escalate(story.ticket, actor, tier, reason=reason,
                            tried=escalation.prefill_tried(story.ticket), team=team, at=at)
        services.assign(story.ticket, actor, assignee, at=at)
    return step


def _confirm(contact: Contact) -> Step:
    def step(story: _Story, at: datetime) -> None:
        assert story.ticket is not None
        services.confirm_resolution(story.ticket, contact, at=at)
    return step


# -- writing the stories -----------------------------------------------------


def _working(when: datetime, rng: random.Random) -> datetime:
    """The first moment staff would act at or after `when`: weekdays 08-18 UTC."""
    minute = rng.randrange(5, 50)
    if when.hour >= 18:
        when = (when + timedelta(days=1)).replace(hour=8, minute=minute)
    elif when.hour < 8:
        when = when.replace(hour=8, minute=minute)
    if when.weekday() >= 5:
        when = (when + timedelta(days=7 - when.weekday())).replace(hour=8, minute=minute)
    return when


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low * 60, high * 60))


def _opened_at(rng: random.Random, now: datetime) -> datetime:
    # Skewed towards recent weeks (the customer base grows); mostly on weekdays,
    # in the daytime; never in the last hour.
    when = now - timedelta(days=HISTORY_DAYS * rng.random() ** 1.3, hours=1)
    if when.weekday() >= 5 and rng.random() < 0.7:
        when -= timedelta(days=when.weekday() - 4)
    daytime = when.replace(hour=rng.randrange(6, 20), minute=rng.randrange(60),
                           second=rng.randrange(60))
    return daytime if daytime < now - timedelta(hours=1) else when


def _version_for(product: str | None, opened: datetime, world: _World,
                 rng: random.Random) -> str | None:
    released = sorted(
        (v for v in world.versions.get(product or "", [])
         if v.released_on is not None and v.released_on <= opened.date()),
        key=lambda v: (v.released_on, v.name), reverse=True)
    if not released:
        return None
    # Most customers run the newest release; some lag one behind.
    return released[0 if rng.random() < 0.7 or len(released) == 1 else 1].name


def _story(rng: random.Random, world: _World, now: datetime) -> _Story:
    contact = rng.choice(world.contacts)
    organization = contact.organization
    plan = organization.plan.slug if organization and organization.plan else "standard"
    # Outages are phoned in by customers who pay for around-the-clock help, and rare.
    outage = plan != "standard" and rng.random() < 0.04
    candidates = [s for s in SCENARIOS if (s.flow == "outage") == outage]
    scenario = rng.choices(candidates, [FLOW_WEIGHTS[s.flow] for s in candidates])[0]
    opened = _opened_at(rng, now)
    version = _version_for(scenario.product, opened, world, rng)

    def text(template: str) -> str:
        return template.format(version=version or "the latest release")

    if outage:
        priority, channel = Priority.URGENT, "phone"
    else:
        priority = rng.choices([Priority.LOW, Priority.NORMAL, Priority.HIGH],
                               [2, 6, 1 if plan == "standard" else 3])[0]
        channel = rng.choice(["email", "email", "email", "web", "portal"])
    lena, otto, dana = world.lena, world.otto, world.dana
    email = contact.primary_email

    def opened_step(story: _Story, at: datetime) -> None:
        story.ticket = services.open_ticket(
            requester_email=email, subject=text(scenario.subject), body=text(scenario.body),
            channel=channel, category=scenario.category, priority=int(priority),
            product=scenario.product, version=version, at=at,
            actor=lena if channel == "phone" else None)

    def staff_time(when: datetime) -> datetime:
        # Urgent tickets are worked around the clock; the rest in office hours.
        return when if outage else _working(when, rng)

    def soon(low: int = 2, high: int = 25) -> timedelta:
        return timedelta(minutes=rng.randrange(low, high))

    story = _Story()
    story.at(opened, opened_step)
    delay = {Priority.URGENT: (0.05, 0.3), Priority.HIGH: (0.5, 3), Priority.NORMAL: (1, 8),
             Priority.LOW: (3, 24)}[priority]
    when = story.at(staff_time(opened + _hours(rng, *delay)),
                    _triage(lena, world.teams["Frontline"]))
    agent = lena
    flow = scenario.flow
    if flow == "quick":
        when = story.at(when + soon(), _reply(lena, text(scenario.answer), "resolved"))
    elif flow == "needs_info":
        when = story.at(when + soon(), _reply(lena, text(scenario.ask), "pending_customer"))
        if rng.random() < 0.12:
            return story  # the customer never answered
        when = story.at(when + _hours(rng, 2, 40), _customer(contact, text(scenario.info)))
        when = story.at(staff_time(when + _hours(rng, 0.5, 6)),
                        _reply(lena, text(scenario.answer), "resolved"))
    else:
        if outage:
            when = story.at(when + soon(1, 5), _reply(lena, text(scenario.ask),
                                                      "pending_customer"))
            when = story.at(when + soon(5, 20), _customer(contact, text(scenario.info)))
        else:
            when = story.at(when + soon(), _reply(lena, rng.choice(ACKNOWLEDGEMENTS)))
        when = story.at(when + soon(5, 60), _note(lena, rng.choice(ESCALATION_NOTES)))
        when = story.at(when + soon(1, 3), _escalate(
            lena, 2, world.teams["Specialists"], otto, "Needs a specialist."))
        agent = otto
        if not outage:
            when = story.at(staff_time(when + _hours(rng, 0.5, 8)),
                            _reply(otto, text(scenario.ask), "pending_customer"))
            if rng.random() < 0.08:
                return story
            when = story.at(when + _hours(rng, 2, 30), _customer(contact, text(scenario.info)))
            if rng.random() < 0.08:
                return story  # open: the specialist is still on it
        when = story.at(staff_time(when + _hours(rng, 0.3, 5)), _note(otto, text(scenario.note)))
        if flow in ("develop", "outage"):
            reason = "Production outage: engineering on call." if outage else "Needs a code fix."
            when = story.at(when + soon(1, 5), _escalate(
                otto, 3, world.teams["Developers"], dana, reason))
            if outage:
                when = story.at(when + _hours(rng, 0.2, 1), _note(dana, text(scenario.dev_note)))
            else:
                when = story.at(when + soon(), _reply(otto, rng.choice(ENGINEERING_REPLIES),
                                                      "pending_internal"))
                when = story.at(_working(when + _hours(rng, 20, 120), rng),
                                _note(dana, text(scenario.dev_note)))
                if rng.random() < 0.2:
                    return story  # waiting for the release
                when = _working(when + _hours(rng, 24, 200), rng)
        when = story.at(staff_time(when + _hours(rng, 0.5, 6)),
                        _reply(otto, text(scenario.answer), "resolved"))

    # After the resolution the customer confirms, finds it is not fixed, or stays
    # quiet and the nightly job sends the reminder and later closes the ticket.
    roll = rng.random()
    if roll < 0.45:
        story.at(when + _hours(rng, 1, 40), _confirm(contact))
    elif roll < 0.6:
        when = story.at(when + _hours(rng, 20, 70), _customer(contact, rng.choice(STILL_BROKEN)))
        story.at(staff_time(when + _hours(rng, 1, 8)),
                 _reply(agent, rng.choice(FOLLOW_UPS), "resolved"))
    return story


# -- playing them ------------------------------------------------------------


def _nightly_job(story: _Story, at: datetime) -> None:
    services.close_quiet_resolved(now=at)


def _play(stories: list[_Story], now: datetime,
          progress: Callable[[int, int], None] | None) -> None:
    # (time, order of writing, story, step): the order keeps each story's steps
    # in sequence when two share a timestamp, and makes every load identical.
    timeline: list[tuple[datetime, int, _Story, Step]] = []
    for story in stories:
        for when, step in story.steps:
            if when < now:
                timeline.append((when, len(timeline), story, step))
    first = (now - timedelta(days=HISTORY_DAYS + 1)).replace(hour=2, minute=0, second=0,
                                                             microsecond=0)
    nightly = _Story()
    for day in range(HISTORY_DAYS + 2):
        at = first + timedelta(days=day)
        if at < now:
            timeline.append((at, len(timeline), nightly, _nightly_job))
    timeline.sort(key=lambda item: (item[0], item[1]))
    broken: set[int] = set()
    for done, (when, _, story, step) in enumerate(timeline, 1):
        if id(story) in broken:
            continue
        try:
            step(story, when)
        except FrontlineError:
            # A story that no longer fits (the nightly job closed the ticket
            # first, say) ends there, as a real conversation would.
            broken.add(id(story))
        if progress is not None and (done % 25 == 0 or done == len(timeline)):
            progress(done, len(timeline))
