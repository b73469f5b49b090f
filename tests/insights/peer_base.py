"""A customer base for "customers with more problems than their peers"
(frontline.insights.peers): organizations of several plans and sizes with seats,
tickets over the period in varied categories, words and requesters.

Premium, 51-250 seats: four ordinary peers (0.1, 0.12, 0.1, 0.075 tickets per
seat) and Hotspot (100 seats, 33 tickets, mostly how-to questions: 3.3x the
median). Standard, 11-50 seats: three ordinary peers (0.2, 0.15, 0.3),
Concentrated (25 seats, 20 tickets, 16 about integrations: 3.2x) and Spread
(15 seats, 9 tickets over many categories from many people: 2.4x). Premium
Giant (1,500 seats, no peer of its size) and Enterprise Solo (the only
Enterprise customer) fall back to wider groups. Around them: tickets before the
period, merged tickets, tickets of an organization whose seats are unknown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from frontline.core.models import User
from frontline.customers.models import Contact, Organization, Plan
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import Category
from tests.costs.factories import make_ticket
from tests.factories import CategoryFactory, ContactFactory, OrganizationFactory, PlanFactory

DAY = timedelta(days=1)
SUBJECTS = ["Export is slow", "Wie ändere ich das Passwort?", "Report shows wrong totals",
            "Login page loops", "Question about invoices", "Sync stopped overnight",
            "Impossible d'imprimer", "Webhook returns 500", "Dashboard empty after update",
            "How do I add a user?", "Fehler beim Import", "Mobile app crashes on start"]


@dataclass
class PeerBase:
    now: datetime
    rng: random.Random
    categories: dict[str, Category] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    contacts: dict[str, list[Contact]] = field(default_factory=dict)

    def organization(self, name: str, plan: Plan, seats: int | None, *, people: int = 3,
                     manager: User | None = None) -> Organization:
        organization = OrganizationFactory(name=name, plan=plan, seats=seats,
                                           account_manager=manager)
        self.organizations[name] = organization
        self.contacts[name] = [ContactFactory(organization=organization)
                               for _ in range(people)]
        return organization

    def tickets(self, name: str, count: int, slugs: list[str], *, days: int = 90,
                requesters: int | None = None) -> list[Ticket]:
        """`count` tickets of `name` at random times within the last `days` days,
        in the categories `slugs` in turn (shuffled), from its first `requesters` people."""
        people = self.contacts[name][:requesters] if requesters else self.contacts[name]
        chosen = [slugs[n % len(slugs)] for n in range(count)]
        self.rng.shuffle(chosen)
        made = []
        for slug in chosen:
            at = self.now - timedelta(seconds=self.rng.randint(3600, days * 86400 - 3600))
            made.append(make_ticket(self.rng.choice(people), self.rng.choice(SUBJECTS),
                                    at=at, category=self.categories.get(slug)))
        return made


ORDINARY = ["billing", "login", "reports", "sync", "printing", "mobile"]


def peer_base(*, vera: User | None = None, seed: int = 7) -> PeerBase:
    base = PeerBase(now=timezone.now(), rng=random.Random(seed))
    for slug, name in [("billing", "Billing"), ("login", "Login and access"),
                       ("reports", "Reports"), ("sync", "Synchronisation"),
                       ("printing", "Printing"), ("mobile", "Mobile app"),
                       ("integrations", "Integrations"), ("how-to", "How-to"),
                       ("usage", "Usage questions")]:
        base.categories[slug] = CategoryFactory(slug=slug, name=name)
    premium = PlanFactory(name="Premium", slug="premium", rank=2)
    standard = PlanFactory(name="Standard", slug="standard", rank=1, is_default=True)
    enterprise = PlanFactory(name="Enterprise", slug="enterprise", rank=3)

    for name, seats, count in [("Pinewood", 100, 10), ("Quarry Bay", 200, 24),
                               ("Riverside", 80, 8), ("Oakfield", 120, 9)]:
        base.organization(name, premium, seats)
        base.tickets(name, count, ORDINARY)
    base.organization("Hotspot", premium, 100, people=5, manager=vera)
    base.tickets("Hotspot", 24, ["how-to", "usage", "how-to"])
    base.tickets("Hotspot", 9, ORDINARY)
    base.organization("Giant", premium, 1500, people=6)
    base.tickets("Giant", 60, ORDINARY)

    for name, seats, count in [("Saltmarsh", 20, 4), ("Thornbury", 40, 6),
                               ("Upton", 30, 9)]:
        base.organization(name, standard, seats, people=2)
        base.tickets(name, count, ORDINARY)
    base.organization("Concentrated", standard, 25, people=2)
    base.tickets("Concentrated", 16, ["integrations"])
    base.tickets("Concentrated", 4, ["billing", "login", "how-to", "reports"])
    base.organization("Spread", standard, 15, people=6, manager=vera)
    base.tickets("Spread", 9, ORDINARY)

    base.organization("Solo", enterprise, 2000, people=4)
    base.tickets("Solo", 100, [*ORDINARY, "how-to"])

    # Noise that must not count: seats unknown, tickets before the period, merged ones.
    base.organization("Unknown Size", standard, None)
    base.tickets("Unknown Size", 30, ORDINARY)
    old = base.tickets("Pinewood", 12, ORDINARY, days=80)
    for ticket in old:
        Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at - 100 * DAY)
    targets = Ticket.objects.filter(organization=base.organizations["Riverside"])[:2]
    for target in targets:
        duplicate = base.tickets("Riverside", 1, ["sync"])[0]
        Ticket.objects.filter(pk=duplicate.pk).update(merged_into=target)
    return base
