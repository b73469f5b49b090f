"""What the customers an alert hits have in common, and who is about to be hit
(issue 10, part 4).

For a set of affected organizations at a time t, every trait they have is
ranked by lift: the share of the affected organizations with it over its share
among all organizations. A trait is

- an organization-level environment fact (`EnvironmentFact` without a contact):
  key and value trimmed and lower-cased, so "PostgreSQL " and "postgresql" are
  one value, shown lower-cased ("database=oracle");
- a version in use at t (frontline.customers.deployments): key "version", value
  "<product> <version>" ("Ledger 5.1"), since an organization may run several
  products and "5.1" alone would be ambiguous. `at_risk` uses the same label.

The base is every organization, not only those that ever wrote: an organization
that never needed us is exactly the evidence that a configuration is healthy.
Traits are kept when at least half the affected organizations have them and the
lift is above 1, best first (lift, then share).

Everything is computed from a `Population` read in a fixed number of queries
(organizations, their facts, their deployments), so listing 200 alerts costs
the same queries as listing one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from frontline.customers.deployments import in_effect, in_order
from frontline.customers.models import Deployment, EnvironmentFact, Organization, Version

VERSION = "version"
MIN_SHARE = 0.5
# Facts this far above the base share all count as "what they share" for at-risk;
# when none does, the top fact alone.
STRONG_LIFT = 1.5


@dataclass(frozen=True)
class Explain:
    key: str
    value: str
    share: float  # of the affected organizations
    base_share: float  # of all organizations
    lift: float
    affected: int  # affected organizations with it
    of: int  # affected organizations

    @property
    def label(self) -> str:
        return self.value if self.key == VERSION else f"{self.key}={self.value}"


@dataclass(frozen=True)
class AtRisk:
    organization: Organization
    version: str  # "<product> <version>", as in Explain
    reason: str


@dataclass
class Population:
    """All organizations with their facts and version histories."""

    organizations: dict[int, Organization]
    facts: dict[int, set[tuple[str, str]]]
    deployments: dict[int, list[Deployment]]  # in_order

    @classmethod
    def read(cls) -> Population:
        """Three queries."""
        organizations = {org.pk: org for org in Organization.objects.only("id", "name")}
        facts: dict[int, set[tuple[str, str]]] = {}
        rows = (EnvironmentFact.objects.filter(contact__isnull=True, organization__isnull=False)
                .values_list("organization_id", "key", "value"))
        for organization_id, key, value in rows:
            if normal(key) and normal(value):
                facts.setdefault(organization_id, set()).add((normal(key), normal(value)))
        deployments: dict[int, list[Deployment]] = {}
        for deployment in in_order():
            if deployment.version is not None:
                deployment.version.product = deployment.product  # no query per label
            deployments.setdefault(deployment.organization_id, []).append(deployment)
        return cls(organizations, facts, deployments)

    def running(self, organization_id: int, at: date | datetime) -> list[Deployment]:
        return in_effect(self.deployments.get(organization_id, ()), at)

    def traits(self, organization_id: int, at: date | datetime) -> set[tuple[str, str]]:
        found = set(self.facts.get(organization_id, ()))
        for deployment in self.running(organization_id, at):
            if deployment.version is not None:
                found.add((VERSION, version_label(deployment.version)))
        return found


def normal(text: str) -> str:
    return " ".join(text.split()).lower()


def version_label(version: Version) -> str:
    return f"{version.product.name} {version.name}"


def version_order(version: Version) -> tuple[date, tuple[int, ...], str]:
    """Older first: by release day when known, then by the numbers in the name
    (5.9 before 5.10)."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", version.name))
    return (version.released_on or date.min, numbers, version.name)


def explain(population: Population, affected: Iterable[int],
            at: date | datetime) -> list[Explain]:
    """The traits the affected organizations share more than the base does, best first."""
    affected = [pk for pk in set(affected) if pk in population.organizations]
    if not affected or not population.organizations:
        return []
    mine: Counter[tuple[str, str]] = Counter()
    for pk in affected:
        mine.update(population.traits(pk, at))
    candidates = {trait for trait, count in mine.items() if count / len(affected) >= MIN_SHARE}
    if not candidates:
        return []
    everyone: Counter[tuple[str, str]] = Counter()
    for pk in population.organizations:
        everyone.update(population.traits(pk, at) & candidates)
    total = len(population.organizations)
    found = []
    for key, value in candidates:
        share = mine[(key, value)] / len(affected)
        base_share = everyone[(key, value)] / total
        lift = share / base_share
        if lift > 1:
            found.append(Explain(key, value, share, base_share, lift,
                                 mine[(key, value)], len(affected)))
    found.sort(key=lambda e: (-e.lift, -e.share, e.key, e.value))
    return found


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def sentence(explains: Sequence[Explain]) -> str:
    """"78% of affected customers run database=oracle vs 12% of all customers; all are
    on Ledger 5.1": the top fact and the top version."""
    fact = next((e for e in explains if e.key != VERSION), None)
    version = next((e for e in explains if e.key == VERSION), None)
    parts = []
    if fact is not None:
        who = "all affected customers" if fact.share == 1 else (
            f"{_percent(fact.share)} of affected customers")
        parts.append(f"{who} run {fact.label} vs {_percent(fact.base_share)} of all customers")
    if version is not None:
        if fact is None:
            who = "all affected customers are" if version.share == 1 else (
                f"{_percent(version.share)} of affected customers are")
            parts.append(f"{who} on {version.value} vs {_percent(version.base_share)} "
                         "of all customers")
        elif version.share == 1:
            parts.append(f"all are on {version.value}")
        else:
            parts.append(f"{_percent(version.share)} are on {version.value}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def tested_configurations() -> set[str]:
    return {normal(item) for item in settings.FRONTLINE_TESTED_CONFIGURATIONS}


def configuration_specific(explains: Sequence[Explain]) -> bool:
    """The top fact (not a version) is a configuration we do not test ourselves
    (settings.FRONTLINE_TESTED_CONFIGURATIONS). With no list set nothing is flagged:
    not knowing what we test is not evidence that we do not."""
    tested = tested_configurations()
    fact = next((e for e in explains if e.key != VERSION), None)
    return bool(tested) and fact is not None and fact.label not in tested


def at_risk(population: Population, affected: Iterable[int], explains: Sequence[Explain],
            now: date | datetime) -> list[AtRisk]:
    """Organizations not affected that share the explaining facts (every fact with a
    lift above STRONG_LIFT, or the top one) and run, at `now`, the product of the
    version the alert concentrates on (the top version trait) in an earlier version:
    upgrading walks them into it. By name."""
    affected = set(affected)
    version = next((e for e in explains if e.key == VERSION), None)
    facts = [e for e in explains if e.key != VERSION]
    shared = [e for e in facts if e.lift > STRONG_LIFT] or facts[:1]
    if version is None or not shared:
        return []
    target = _version_named(population, affected, version.value)
    if target is None:
        return []
    needed = {(e.key, e.value) for e in shared}
    both = sum(1 for pk in affected if needed <= population.facts.get(pk, set()))
    labels = " and ".join(e.label for e in shared)
    found = []
    for pk, organization in population.organizations.items():
        if pk in affected or not needed <= population.facts.get(pk, set()):
            continue
        running = next((d for d in population.running(pk, now)
                        if d.product_id == target.product_id), None)
        if running is None or running.version is None:
            continue
        if version_order(running.version) >= version_order(target):
            continue
        label = version_label(running.version)
        found.append(AtRisk(organization, label,
                            f"runs {labels} like {both} of {len(affected)} affected, still on "
                            f"{label} (the alert concentrates on {version.value})"))
    found.sort(key=lambda risk: (risk.organization.name, risk.organization.pk))
    return found


def _version_named(population: Population, affected: set[int], label: str) -> Version | None:
    for pk in affected:
        for deployment in population.deployments.get(pk, ()):
            if deployment.version is not None and version_label(deployment.version) == label:
                return deployment.version
    return None
