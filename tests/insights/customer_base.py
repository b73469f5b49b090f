"""A simulated customer base for similarity and detection tests.

Organizations with a contact each, background tickets in English and German
(how-to questions, invoices, password resets, one-off failures with their own
codes) written in varied words, and an injected problem: one failure of Ledger
5.1's export (ORA-01722) told differently in every ticket. Tickets are opened
through the workflow (`open_ticket`), with the times given (an import keeps
each mail's date).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from frontline import workflow
from frontline.customers.models import (
    Contact,
    Deployment,
    EnvironmentFact,
    Organization,
    Product,
    Version,
)
from frontline.tickets.models import Ticket
from tests.factories import ContactFactory, OrganizationFactory

# The injected problem, paraphrased: the code and the version are what they share;
# the words differ (export / exporting / Ausfuhr / CSV download), half are German.
PROBLEM = [
    ("Export fails with ORA-01722",
     "Hi,\nsince this morning our monthly export in Ledger 5.1 stops with ORA-01722: "
     "invalid number. We tried it twice.\n\nBest regards\nTom"),
    ("Ledger export broken - invalid number",
     "Hello team,\nexporting the ledger to CSV no longer works. The error says "
     "\"ORA-01722 invalid number\". We are on version 5.1."),
    ("Fehler beim Export: ORA-01722",
     "Guten Tag,\nder Export bricht mit der Meldung ORA-01722 (ungültige Zahl) ab. "
     "Wir nutzen Ledger 5.1.\n\nMit freundlichen Grüßen\nAnna"),
    ("CSV download aborts",
     "When we run the year-end export the job aborts with ORA-01722. Running Ledger 5.1 "
     "on Oracle 19c."),
    ("Export job error after update",
     "Our nightly export job crashed.\nError: ORA-01722: invalid number\nLedger version 5.1"),
    ("Ausfuhr schlägt fehl",
     "Seit dem Update auf Ledger 5.1 schlägt jeder Export mit ORA-01722 fehl. "
     "Können Sie helfen?"),
    ("Exports stopped working",
     "Exports of journal entries stopped working today, Oracle says ORA-01722. Ledger 5.1."),
]

HOW_TO = [
    ("How do I export my invoices?", "Hello, how do I export all invoices of last year to PDF?"),
    ("Question about user roles", "How can I give a colleague read-only access to reports?"),
    ("Wie kann ich einen Benutzer anlegen?",
     "Hallo, wie lege ich einen neuen Benutzer für unsere Buchhaltung an?"),
    ("How to change the language", "Is it possible to switch the interface to German?"),
    ("Frage zum Export", "Wie kann ich den Export auf Semikolon als Trennzeichen umstellen?"),
    ("How do I add a cost centre?", "Where do I add a new cost centre in Ledger?"),
    ("Import of bank statements",
     "How do I import our bank statements from a CAMT file? Thanks in advance."),
]
INVOICES = [
    ("Invoice question", "Hi, we received invoice INV-{n} twice. Could you check it?"),
    ("Rechnung {n}", "Guten Tag, die Rechnung {n} enthält eine falsche Adresse."),
    ("Question about our invoice", "Our invoice {n} lists 12 seats but we only have 10."),
    ("Invoice address change", "Please send future invoices to accounts@{domain}."),
    ("Rechnungskopie benötigt", "Bitte senden Sie uns eine Kopie der Rechnung {n}."),
]
PASSWORDS = [
    ("Password reset", "I forgot my password, can you reset it please?"),
    ("Passwort zurücksetzen", "Hallo, ich habe mein Passwort vergessen. Bitte zurücksetzen."),
    ("Cannot remember password", "Hi, please send me a link to set a new password."),
    ("Reset link", "Could you send a new password reset link to my colleague?"),
]
# Failures each customer has alone: their own codes and words. `noise` uses each in
# turn, so none is reported more than twice (below any alert threshold).
ONE_OFFS = [
    ("Print preview empty", "The print preview shows an empty page, error E4711 appears."),
    ("Login fails", "Login fails with HTTP 503 since 9:00."),
    ("Sync stopped", "Der Abgleich bricht mit Fehlercode 8812 ab."),
    ("Report crash", "Opening the balance report gives java.lang.NullPointerException."),
    ("Upload too large", "Uploading the scan fails: 413 Request Entity Too Large"),
    ("Kalender zeigt nichts", "Im Kalender erscheint die Meldung \"Termine konnten nicht "
     "geladen werden\"."),
    ("Mobile app freezes", "The iOS app freezes on the dashboard, ERR_NETWORK_CHANGED."),
    ("Backup warning", "Nightly backup ends with SQLSTATE 08006 connection failure."),
]


@dataclass
class CustomerBase:
    organizations: list[Organization]
    contacts: list[Contact]
    now: datetime
    rng: random.Random = field(default_factory=lambda: random.Random(10))
    counter: int = 0

    def contact(self, index: int) -> Contact:
        return self.contacts[index % len(self.contacts)]

    def open(self, contact: Contact, subject: str, body: str, at: datetime,
             **kwargs: object) -> Ticket:
        self.counter += 1
        return workflow.open_ticket(  # type: ignore[arg-type]
            requester_email=contact.primary_email, subject=subject, body=body, at=at, **kwargs)

    def problem(self, n: int, contact: Contact, at: datetime, *,
                read_now: bool = True) -> Ticket:
        subject, body = PROBLEM[n % len(PROBLEM)]
        # Half name the product on the form; the rest only in their words.
        extra: dict[str, object] = (
            {"product": "Ledger", "version": "5.1"} if n % 2 == 0 else {})
        return self.open(contact, subject, body, at, read_now=read_now, **extra)

    def noise(self, count: int, *, start: datetime, days: float,
              one_offs: bool = True) -> list[Ticket]:
        """`count` background tickets from every organization, spread over `days`."""
        kinds = [HOW_TO, INVOICES, PASSWORDS] + ([ONE_OFFS] if one_offs else [])
        tickets = []
        for i in range(count):
            pool = kinds[i % len(kinds)]
            pick = (i // len(kinds)) % len(pool) if pool is ONE_OFFS else self.rng.randrange(
                len(pool))
            subject, body = pool[pick]
            contact = self.contact(self.rng.randrange(len(self.contacts)))
            number = f"{2024}-{self.rng.randrange(10000, 99999)}"
            domain = f"c{contact.organization_id}.example"
            at = start + timedelta(days=days * i / max(count, 1))
            tickets.append(self.open(contact, subject.format(n=number),
                                     body.format(n=number, domain=domain), at))
        return tickets


def customer_base(organizations: int = 8) -> CustomerBase:
    ledger = Product.objects.create(name="Ledger", slug="ledger")
    for name in ("5.0", "5.1"):
        Version.objects.create(product=ledger, name=name)
    orgs = [OrganizationFactory(name=f"Org {letter}", domains=[f"org{letter.lower()}.example"])
            for letter in "ABCDEFGHIJKL"[:organizations]]
    contacts = [ContactFactory(name=f"Person {org.name}", organization=org,
                               email=f"it@org{org.name[-1].lower()}.example") for org in orgs]
    return CustomerBase(orgs, contacts, timezone.now())


# What twelve organizations run (for explain, at-risk and advisories), written as
# people type it: case and spaces vary. The injected problem hits Oracle on 5.1
# (A, B, C); D and E run Oracle on 5.0 (at risk); F to I run PostgreSQL on 5.1;
# J and K 5.0 on PostgreSQL and SQL Server; L has no recorded setup.
SETUPS: dict[str, tuple[dict[str, str], str | None]] = {
    "A": ({"database": "Oracle", "os": "linux", "deployment": "on-premise"}, "5.1"),
    "B": ({"database": "oracle ", "os": "Windows", "deployment": "On-Premise"}, "5.1"),
    "C": ({"Database": "ORACLE", "os": "linux", "deployment": "on-premise"}, "5.1"),
    "D": ({"database": "oracle", "os": "linux", "deployment": "on-premise"}, "5.0"),
    "E": ({"database": "Oracle", "os": "windows", "deployment": "on-premise"}, "5.0"),
    "F": ({"database": "postgresql", "os": "linux", "deployment": "cloud"}, "5.1"),
    "G": ({"database": "PostgreSQL", "os": "linux", "deployment": "cloud"}, "5.1"),
    "H": ({"database": "postgresql", "os": "Linux", "deployment": "cloud"}, "5.1"),
    "I": ({"database": " PostgreSQL ", "os": "windows", "deployment": "on-premise"}, "5.1"),
    "J": ({"database": "postgresql", "os": "linux", "deployment": "on-premise"}, "5.0"),
    "K": ({"database": "mssql", "os": "linux", "deployment": "on-premise"}, "5.0"),
    "L": ({"deployment": "on-premise"}, None),
}


def with_setups(base: CustomerBase) -> CustomerBase:
    """Give the twelve organizations of `customer_base(12)` their SETUPS: facts, and
    Ledger 5.0 from 190 days ago (released 200 days ago), 5.1 from 20 days ago for
    those on it (released 30 days ago). A contact-level fact is noise: explain
    reads organization-level facts only."""
    ledger = Product.objects.get(slug="ledger")
    today = timezone.localdate(base.now)
    five_o = Version.objects.get(product=ledger, name="5.0")
    five_one = Version.objects.get(product=ledger, name="5.1")
    Version.objects.filter(pk=five_o.pk).update(released_on=today - timedelta(days=200))
    Version.objects.filter(pk=five_one.pk).update(released_on=today - timedelta(days=30))
    for organization in base.organizations:
        facts, version = SETUPS[organization.name[-1]]
        for key, value in facts.items():
            EnvironmentFact.objects.create(organization=organization, key=key, value=value)
        if version is None:
            continue
        Deployment.objects.create(organization=organization, product=ledger, version=five_o,
                                  since=today - timedelta(days=190))
        if version == "5.1":
            Deployment.objects.create(organization=organization, product=ledger,
                                      version=five_one, since=today - timedelta(days=20))
    EnvironmentFact.objects.create(contact=base.contacts[-1], key="database", value="oracle")
    return base
