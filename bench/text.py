"""Believable support text, fast.

Search is only benchmarked honestly over a realistic vocabulary: a few thousand
common words with a long tail of rare tokens (error codes, hosts, invoice
numbers), not one sentence repeated a million times. Filling templates for every
one of four million messages costs too much, so `TextBank` fills a pool of
sentences once (each with its own slot values) and messages are assembled from
the pool plus a few per-message tokens. Everything draws from one seeded
`random.Random`, so a run is repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaron Abigail Adam Adrian Aisha Alan Albert Alejandro Alex Alice Alicia Amanda Amelia Amir "
    "Ana Andrea Andrew Angela Anna Anton Arjun Astrid Ben Benjamin Bianca Boris Brandon Brian "
    "Carla Carlos Carmen Caroline Catherine Charles Chen Chloe Chris Claire Clara Daniel David "
    "Deepak Diana Diego Dmitri Elena Eli Elif Elizabeth Emil Emily Emma Eric Erik Eva Fatima "
    "Felix Fernando Fiona Francesca Frank Gabriel George Giulia Grace Greta Hana Hannah Hassan "
    "Heidi Helen Henrik Hiroshi Hugo Ian Ingrid Isaac Isabel Ivan Jack Jakob James Jan Jana "
    "Javier Jennifer Jessica Joao John Jonas Jorge Jose Julia Julian Kai Karen Karim Kate Kenji "
    "Kevin Kim Klaus Lars Laura Leila Leo Lily Linda Lucas Lucia Luis Luka Maja Manuel Marco "
    "Maria Mark Marta Martin Mateo Max Maya Mehmet Mei Mia Michael Miguel Mohammed Nadia Naomi "
    "Nathan Nicole Nikolai Nina Noah Olga Oliver Olivia Omar Oscar Pablo Paul Paula Pedro Peter "
    "Priya Rachel Rafael Rahul Raj Rebecca Ricardo Robert Rosa Ryan Sakura Samuel Sara Sarah "
    "Sebastian Sergei Simon Sofia Sophie Stefan Steven Susan Svetlana Tanja Thomas Tim Tobias "
    "Tom Valentina Victor Viktor Wei William Xavier Yara Yuki Yusuf Zara Zoe"
)

LAST_NAMES = _words(
    "Adams Ahmed Alvarez Andersen Bauer Becker Bergstrom Bianchi Brown Campbell Carter Castro "
    "Chen Clark Costa Cruz Silva Davies Diaz Dubois Edwards Evans Fernandez Fischer Fontaine "
    "Garcia Gomez Gonzalez Green Gupta Hall Hansen Harris Hoffmann Hughes Ivanov Jackson Jansen "
    "Johansson Johnson Jones Kaur Keller Khan Kim Klein Koch Kowalski Kumar Larsen Laurent Lee "
    "Lehmann Lewis Li Lindqvist Lopez Martin Martinez Meyer Moreau Moreno Muller Murphy Nakamura "
    "Nguyen Nielsen Novak Olsen Ortiz Park Patel Perez Petrov Popescu Ramirez Reyes Richter Rossi "
    "Russo Sanchez Santos Sato Schmidt Schneider Schulz Silva Singh Smith Sorensen Suzuki Tanaka "
    "Taylor Thomas Thompson Torres Tran Varga Wagner Walker Wang Weber White Williams Wilson "
    "Wong Wright Yamamoto Yilmaz Young Zhang Zimmermann"
)

COMPANY_WORDS = _words(
    "Acme Alpine Amber Apex Arbor Atlas Aurora Beacon Birch Blue Bright Cedar Cobalt Compass "
    "Copper Coral Crest Crystal Delta Echo Ember Evergreen Falcon Fjord Frontier Galaxy Granite "
    "Harbor Helix Horizon Indigo Iron Juniper Keystone Lakeside Lantern Linden Lumen Maple "
    "Meridian Metro Midland Nimbus Noble Northwind Oak Onyx Orbit Pacific Peak Pine Pioneer "
    "Polar Prairie Prism Quantum Quarry Radiant Redwood Ridge River Rock Sage Sapphire Silver "
    "Solar Spruce Stellar Stone Summit Sun Terra Tidal Timber Titan Trident Union Valley Vector "
    "Vertex Vista Willow Zenith"
)

COMPANY_KINDS = _words(
    "Logistics Health Bank Insurance Foods Energy Systems Labs Media Retail Pharma Motors "
    "Analytics Telecom Airlines Hotels Farms Capital Robotics Software Clinics Freight Textiles "
    "Brewing Publishing Studios Dental Realty Security Solar Water Mining Consulting"
)

COMPANY_SUFFIXES = ("Inc", "Ltd", "GmbH", "LLC", "AG", "SA", "BV", "Co", "Group", "Oy", "AB", "")

PRODUCTS = {
    "Ledger": ("invoices", "payments", "tax rates", "reconciliation", "bank feeds", "credit notes"),
    "Pulse": ("dashboards", "alerts", "metrics", "reports", "widgets", "exports"),
    "Relay": ("webhooks", "API keys", "rate limits", "queues", "retries", "connectors"),
    "Vault": ("backups", "restores", "snapshots", "encryption keys", "retention rules"),
    "Atlas": ("maps", "geocoding", "routes", "territories", "layers", "imports"),
    "Beacon": ("notifications", "email templates", "SMS", "push messages", "campaigns"),
    "Forge": ("builds", "pipelines", "artifacts", "runners", "deployments", "secrets"),
}

FEATURES = (
    "single sign-on", "SAML login", "LDAP sync", "the mobile app", "the desktop client",
    "the web editor", "bulk import", "CSV export", "PDF export", "scheduled reports",
    "user provisioning", "audit log", "search", "the calendar view", "attachments",
    "two-factor authentication", "password reset", "the admin console", "role permissions",
    "the REST API", "the GraphQL endpoint", "the Outlook add-in", "the Slack integration",
    "the Salesforce connector", "the Jira integration", "offline mode", "data sync",
    "the billing page", "license activation", "the installer", "the upgrade wizard",
    "custom fields", "workflow rules", "approval chains", "the print layout", "time zones",
    "multi-currency support", "the audit trail", "session handling", "file previews",
    "the dashboard filters", "saved views", "the activity feed", "user invitations",
)

SYMPTOMS = (
    "fails with a timeout", "returns a 500 error", "hangs at 99%", "shows a blank page",
    "is extremely slow", "crashes on startup", "logs users out randomly", "duplicates records",
    "drops the last row", "loses the formatting", "sends the email twice", "never finishes",
    "shows the wrong totals", "rejects valid input", "ignores the filter",
    "reports a permission error", "displays garbled characters", "uses the wrong time zone",
    "freezes the browser", "keeps spinning", "returns stale data", "throws an exception",
    "skips some entries", "corrupts the file", "stops syncing", "fails silently",
    "rounds amounts incorrectly", "shows an expired certificate warning",
)

ERRORS = (
    "Connection reset by peer", "SSL handshake failed", "NullReferenceException",
    "java.lang.OutOfMemoryError: Java heap space", "ORA-01555 snapshot too old",
    "deadlock detected", "HTTP 413 Request Entity Too Large", "HTTP 429 Too Many Requests",
    "HTTP 502 Bad Gateway", "HTTP 504 Gateway Timeout", "invalid_grant", "token expired",
    "certificate verify failed", "disk quota exceeded", "permission denied",
    "could not serialize access due to concurrent update", "unexpected end of JSON input",
    "Segmentation fault (core dumped)", "ECONNREFUSED", "ETIMEDOUT", "UnicodeDecodeError",
    "KeyError: 'customer_id'", "TypeError: cannot read properties of undefined",
    "database is locked", "too many open files", "no space left on device",
    "license key is invalid", "signature mismatch",
    "duplicate key value violates unique constraint",
    "request body exceeds limit", "upstream connect error", "DNS resolution failed",
)

OPERATING_SYSTEMS = (
    "Windows 10", "Windows 11", "Windows Server 2019", "Windows Server 2022", "macOS Sonoma",
    "macOS Ventura", "macOS Sequoia", "Ubuntu 20.04", "Ubuntu 22.04", "Ubuntu 24.04",
    "Debian 11", "Debian 12", "RHEL 8", "RHEL 9", "Rocky Linux 9", "Amazon Linux 2023",
    "SUSE 15", "iOS 17", "iOS 18", "Android 14",
)

DATABASES = (
    "PostgreSQL 13", "PostgreSQL 15", "PostgreSQL 16", "MySQL 8.0", "MariaDB 10.11",
    "SQL Server 2019", "SQL Server 2022", "Oracle 19c", "SQLite",
)

BROWSERS = ("Chrome 126", "Chrome 124", "Firefox 128 ESR", "Firefox 127", "Safari 17",
            "Edge 125", "Edge 126", "Brave")

DEPLOYMENTS = ("on-premises", "our private cloud", "AWS", "Azure", "Google Cloud", "Kubernetes",
               "Docker Compose", "a VMware cluster", "the hosted service")

CATEGORIES = (
    ("Bug report", "bug"), ("How-to question", "how-to"), ("Billing", "billing"),
    ("Account access", "account-access"), ("Performance", "performance"),
    ("Integration", "integration"), ("Installation and upgrade", "installation"),
    ("Data import and export", "data"), ("Feature request", "feature-request"),
    ("Security", "security"), ("Outage", "outage"), ("Licensing", "licensing"),
)

# -- sentence templates, by who writes them -----------------------------------

CUSTOMER_SENTENCES = (
    "Since this morning {feature} {symptom}.",
    "When we open {object} in {product}, it {symptom}.",
    "After upgrading to {product} {version}, {feature} {symptom}.",
    "We run {product} {version} on {os} with {db}, deployed on {deployment}.",
    "The log shows: {error}.",
    "Our users in the {city} office see \"{error}\" every time they try to use {feature}.",
    "This affects about {number} users and they cannot finish their {object} work.",
    "It worked fine last week, nothing changed on our side as far as I know.",
    "We already restarted the service and cleared the browser cache, no change.",
    "Steps to reproduce: open {object}, click {button}, then wait about {small} seconds.",
    "Is there a workaround until this is fixed? Our {object} deadline is {weekday}.",
    "I attached a screenshot and the log file from {host}.",
    "The error started right after we rotated the certificate on {host}.",
    "Could you check whether our {object} with reference {code} was processed?",
    "Our auditor needs {object} exported to PDF before the end of the quarter.",
    "We are evaluating whether to roll back to {product} {old_version}.",
    "Please treat this as urgent, our {team} team is blocked.",
    "It only happens in {browser}; in {browser2} everything looks fine.",
    "The import of {number} rows stops at row {small} with \"{error}\".",
    "How do I configure {feature} so that only admins can change {object}?",
    "We were charged twice on invoice {invoice}, please refund the duplicate.",
    "I cannot log in since my password expired, the reset link says \"{error}\".",
    "The nightly job on {host} ran for {small} hours instead of the usual twenty minutes.",
    "Memory usage on {host} grows until the process is killed.",
    "Our integration with {integration} stopped sending {object} yesterday at {clock}.",
    "The totals on the {object} page do not match the export.",
    "Several colleagues report that {feature} is much slower than before the upgrade.",
    "Can you tell me when version {next_version} will be released?",
    "We would like {feature} to support {object}, is that on the roadmap?",
    "The documentation for {feature} seems outdated, the {button} button no longer exists.",
    "Request id {request_id} failed with \"{error}\".",
    "We see this in production but not in our staging environment.",
    "Is it safe to delete old {object} to free disk space on {host}?",
)

AGENT_SENTENCES = (
    "Thank you for the detailed report, that helps a lot.",
    "Could you send us the full log from {host} covering the time of the error?",
    "This is a known issue in {product} {version}; it is fixed in {next_version}.",
    "As a workaround, please disable {feature} under Settings > {settings_page} and retry.",
    "I was able to reproduce the problem on our side with {os} and {db}.",
    "Our engineers confirmed the cause: {cause}.",
    "Please upgrade to {product} {next_version}, which includes the fix for \"{error}\".",
    "I have escalated this to our second-level team; they will answer within {small} hours.",
    "The article {kb_url} explains how to configure {feature}.",
    "Can you confirm which browser and version your users are on?",
    "I refunded the duplicate charge on invoice {invoice}; it will show within five business days.",
    "We rolled out a hotfix at {clock} UTC; could you check whether {feature} works again?",
    "Please run the diagnostics tool and attach the resulting archive to this ticket.",
    "Increasing the timeout to {number} seconds in the configuration file should avoid this.",
    "For {object}, the limit is {number} entries per request; larger imports need to be split.",
    "I reset the two-factor enrolment for your account, please log in and enrol again.",
    "The certificate chain on {host} is missing the intermediate certificate.",
    "Your license has been extended until the end of {month}.",
    "I will mark this ticket as resolved; just reply if the problem comes back.",
    "Could you tell us how many users are affected and since when?",
    "We are tracking this under problem {problem}; I will update you as soon as we know more.",
    "The behaviour you describe is expected when {feature} is enabled together with {feature2}.",
    "I changed the setting on our side, no action is needed from you.",
    "We can schedule a call on {weekday} at {clock} if that suits you.",
)

NOTE_SENTENCES = (
    "Reproduced on staging with {product} {version} on {os}.",
    "Customer is on the {plan} plan, {number} seats; handle with care.",
    "Looks like the same cause as {problem}.",
    "Checked the logs on {host}: \"{error}\" every {small} minutes.",
    "Escalating to tier {tier}: needs access to the customer's {db} instance.",
    "Asked engineering in #support-escalations, waiting for an answer.",
    "Workaround from {kb_url} worked for the last three customers.",
    "Customer was already told about the {next_version} release date, do not promise anything.",
    "Billing confirmed the duplicate charge on {invoice}.",
    "Related to the {integration} outage on {weekday}.",
    "Root cause: {cause}. Fix is in review.",
    "Talked to {first} on the phone, they will send the logs tomorrow.",
)

CAUSES = (
    "a race condition in the sync worker", "an index missing after the migration",
    "a proxy stripping the Authorization header", "an expired intermediate certificate",
    "the cache not being invalidated after the upgrade", "a rounding error in the tax module",
    "a memory leak in the export service", "a wrong time zone in the scheduler",
    "a connection pool that is too small", "a regression in the {product} {version} release",
    "the rate limiter counting retries twice", "a corrupted search index on the tenant",
    "a misconfigured SMTP relay", "an unhandled empty value in custom fields",
)

OBJECTS = (
    "invoices", "reports", "customer lists", "orders", "purchase orders", "timesheets",
    "project boards", "contracts", "shipments", "user accounts", "price lists",
    "product catalogs", "expense claims", "payroll runs", "tickets", "leads", "assets",
    "inventory counts", "work orders", "patient records", "ledger entries", "budgets",
)

BUTTONS = ("Save", "Export", "Sync now", "Publish", "Approve", "Submit", "Generate",
           "Import", "Apply", "Refresh", "Download")

SETTINGS_PAGES = ("Integrations", "Security", "Advanced", "Notifications", "Users", "Billing",
                  "Storage", "Email", "API")

INTEGRATIONS = ("Salesforce", "SAP", "HubSpot", "Slack", "Microsoft Teams", "Jira", "Zapier",
                "Shopify", "Stripe", "QuickBooks", "Xero", "Okta", "Azure AD", "Google Workspace")

CITIES = ("Berlin", "London", "Madrid", "Lisbon", "Warsaw", "Chicago", "Toronto", "Austin",
          "Sydney", "Singapore", "Tokyo", "Bangalore", "Paris", "Milan", "Stockholm", "Dublin",
          "Zurich", "Vienna", "Prague", "Boston", "Denver", "Seattle", "Mumbai", "Seoul")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
TEAMS_OF_CUSTOMER = ("finance", "accounting", "operations", "sales", "IT", "warehouse",
                     "marketing", "HR", "engineering", "logistics")
PLANS = ("Basic", "Standard", "Premium", "Enterprise")

SUBJECTS = (
    "{feature} {symptom}",
    "{product}: {feature} {symptom}",
    "\"{error}\" in {product} {version}",
    "{product} {version}: {object} {symptom}",
    "Cannot use {feature} since upgrade to {version}",
    "Question about {feature}",
    "How to export {object} from {product}?",
    "Duplicate charge on invoice {invoice}",
    "Login problem: {error}",
    "Urgent: {object} {symptom}",
    "{integration} integration {symptom}",
    "Slow {object} page after upgrade",
    "Feature request: {feature} for {object}",
    "License renewal for {product}",
    "{error} on {host}",
)

GREETINGS_CUSTOMER = ("Hi,", "Hello,", "Hi team,", "Hello support,", "Dear support team,",
                      "Hi there,", "Good morning,", "Hi {agent},", "Hello {agent},")
CLOSINGS_CUSTOMER = ("Thanks,\n{name}", "Best regards,\n{name}", "Kind regards,\n{name}\n{org}",
                     "Cheers,\n{name}", "Thank you in advance,\n{name}", "Regards,\n{name}",
                     "{name}\n{org}\nSent from my phone")
GREETINGS_AGENT = ("Hi {first},", "Hello {first},", "Dear {first},", "Hi {first}, thanks for "
                   "getting back to us.", "Hello {first}, thank you for your patience.")
CLOSINGS_AGENT = ("Best regards,\n{agent}\nFrontline Support",
                  "Kind regards,\n{agent}\nCustomer Support",
                  "Thanks,\n{agent}", "Have a good day,\n{agent}\nSupport team")


_PRODUCT_NAMES = tuple(PRODUCTS)
_FEATURES_BY_PRODUCT = {product: features + FEATURES for product, features in PRODUCTS.items()}
_HOST_KINDS = ("app", "db", "web", "api", "batch", "sync", "mail")
_HOST_WORDS = tuple(word.lower() for word in COMPANY_WORDS)


class TextBank:
    """Pools of filled sentences and subjects; messages are assembled from them."""

    def __init__(self, rng: random.Random, *, pool_size: int = 40_000) -> None:
        self.rng = rng
        self.product_versions = {
            product: [f"{major}.{minor}" for major in range(3, 7) for minor in range(0, 5)]
            for product in PRODUCTS
        }
        self.customer_pool = [self._fill(rng.choice(CUSTOMER_SENTENCES))
                              for _ in range(pool_size)]
        self.agent_pool = [self._fill(rng.choice(AGENT_SENTENCES)) for _ in range(pool_size // 2)]
        self.note_pool = [self._fill(rng.choice(NOTE_SENTENCES)) for _ in range(pool_size // 4)]
        self.subject_pool = [self._fill(rng.choice(SUBJECTS)) for _ in range(pool_size)]
        self.subject_pool = [s[0].upper() + s[1:] for s in self.subject_pool]

    def _slots(self) -> dict[str, str]:
        rnd = self.rng.random

        def pick(seq: Sequence[str]) -> str:
            # random.choice costs several times more, and this runs millions of times.
            return seq[int(rnd() * len(seq))]

        def number(low: int, high: int) -> int:
            return low + int(rnd() * (high - low))

        product = pick(_PRODUCT_NAMES)
        versions = self.product_versions[product]
        index = number(1, len(versions) - 1)
        return {
            "product": product,
            "version": versions[index],
            "old_version": versions[index - 1],
            "next_version": f"{versions[index + 1]}.{number(1, 9)}",
            "feature": pick(_FEATURES_BY_PRODUCT[product]),
            "feature2": pick(FEATURES),
            "symptom": pick(SYMPTOMS),
            "error": pick(ERRORS),
            "os": pick(OPERATING_SYSTEMS),
            "db": pick(DATABASES),
            "deployment": pick(DEPLOYMENTS),
            "browser": pick(BROWSERS),
            "browser2": pick(BROWSERS),
            "object": pick(OBJECTS),
            "button": pick(BUTTONS),
            "settings_page": pick(SETTINGS_PAGES),
            "integration": pick(INTEGRATIONS),
            "city": pick(CITIES),
            "weekday": pick(WEEKDAYS),
            "month": pick(MONTHS),
            "team": pick(TEAMS_OF_CUSTOMER),
            "plan": pick(PLANS),
            "first": pick(FIRST_NAMES),
            "tier": pick(("2", "3")),
            "number": pick(("5", "12", "20", "40", "75", "150", "300", "1200", "5000", "25000")),
            "small": str(number(2, 60)),
            "clock": f"{number(0, 24):02d}:{pick(('00', '15', '30', '45'))}",
            # The long tail: tokens that occur in a handful of messages only.
            "host": f"{pick(_HOST_KINDS)}{number(1, 40):02d}.{pick(_HOST_WORDS)}.internal",
            "code": f"{pick(('PO', 'SO', 'WO', 'REF'))}-{number(100000, 999999)}",
            "invoice": f"INV-{number(2022, 2026)}-{number(1, 99999):05d}",
            "problem": f"PRB-{number(100, 2000)}",
            "request_id": f"{self.rng.getrandbits(64):016x}",
            "kb_url": f"https://help.frontline.example/kb/{number(100, 1500)}",
            "cause": pick(CAUSES).format(product=product, version=versions[index]),
        }

    def _fill(self, template: str) -> str:
        return template.format(**self._slots())

    def subject(self) -> str:
        pool = self.subject_pool
        return pool[int(self.rng.random() * len(pool))]

    def customer_message(self, name: str, org: str, agent: str) -> str:
        rnd = self.rng.random
        pool = self.customer_pool
        size = len(pool)
        parts = [GREETINGS_CUSTOMER[int(rnd() * len(GREETINGS_CUSTOMER))].format(agent=agent), "",
                 " ".join([pool[int(rnd() * size)] for _ in range(2 + int(rnd() * 4))])]
        if rnd() < 0.4:
            parts += ["", " ".join([pool[int(rnd() * size)] for _ in range(1 + int(rnd() * 3))])]
        parts += ["", CLOSINGS_CUSTOMER[int(rnd() * len(CLOSINGS_CUSTOMER))].format(
            name=name, org=org)]
        return "\n".join(parts)

    def agent_message(self, first: str, agent: str) -> str:
        rnd = self.rng.random
        pool = self.agent_pool
        size = len(pool)
        return "\n".join((
            GREETINGS_AGENT[int(rnd() * len(GREETINGS_AGENT))].format(first=first), "",
            " ".join([pool[int(rnd() * size)] for _ in range(2 + int(rnd() * 3))]), "",
            CLOSINGS_AGENT[int(rnd() * len(CLOSINGS_AGENT))].format(agent=agent),
        ))

    def note(self) -> str:
        rnd = self.rng.random
        pool = self.note_pool
        return " ".join([pool[int(rnd() * len(pool))] for _ in range(1 + int(rnd() * 2))])
