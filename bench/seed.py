"""Fill a Frontline database with realistic data, fast.

    python -m bench.seed --tickets 100000 [--database-url URL] [--data-dir DIR] [--reset]

It migrates, then writes plans, organizations with domains and environment
facts, contacts with emails, products and versions, categories, teams and
agents, and N tickets spread over two years (most closed, a few percent still
active), with about four messages and three events each, and finally builds the
search index.

Speed comes from doing what the services do row by row in bulk: rows are
generated in Python (one seeded `random.Random`, so runs repeat) and written in
batches, `executemany` on SQLite (synchronous off, no journal, foreign keys off
during the load) and COPY on PostgreSQL (foreign-key triggers off through
session_replication_role, which is safe here because every id is generated
consistently). Secondary indexes of the three big tables are dropped first and
rebuilt at the end, which is several times faster than maintaining them row by
row. The data is written with explicit ids; the id sequences are moved past
them afterwards so the application keeps handing out new references.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import text as words

# Tickets whose rows are generated and written together. Big enough that the
# per-statement overhead vanishes, small enough to keep memory flat.
BATCH = 20_000
BIG_TABLES = ("tickets_ticket", "tickets_message", "tickets_event")
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-password-1"
SPAN_DAYS = 730


class Phases:
    """Prints each phase with its duration, and the total."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.timings: list[tuple[str, float]] = []
        self._name = ""
        self._at = 0.0

    def start(self, name: str) -> None:
        self._name, self._at = name, time.monotonic()
        print(f"-- {name} ...", flush=True)

    def done(self, note: str = "") -> None:
        elapsed = time.monotonic() - self._at
        self.timings.append((self._name, elapsed))
        print(f"   {self._name}: {elapsed:.1f}s {note}".rstrip(), flush=True)

    def total(self) -> float:
        return time.monotonic() - self.started


# -- database access ------------------------------------------------------------


class Loader:
    """Bulk row writer for one engine, on Django's own connection."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.vendor = connection.vendor
        self.raw: Any = connection.connection

    def prepare(self) -> None:
        if self.vendor == "sqlite":
            # Only for the seed: a crash half-way leaves a database to throw away anyway.
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "journal_mode=OFF",
                           "cache_size=-1048576", "temp_store=MEMORY", "threads=2"):
                self.raw.execute(f"PRAGMA {pragma}")
        else:
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SET maintenance_work_mem = '512MB'")

    def finish(self) -> None:
        """Back to the settings the application runs with (WAL is kept in the file).

        synchronous stays off on this connection for the search rebuild that
        follows: it only decides when pages reach the disk, not what they hold.
        """
        if self.vendor == "sqlite":
            self.raw.execute("PRAGMA journal_mode=WAL")
            self.raw.execute("PRAGMA foreign_keys=ON")
        else:
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Write rows in one transaction."""
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.execute("BEGIN")
            self.raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
            self.raw.execute("COMMIT")
        else:
            with self.raw.transaction(), self.raw.cursor() as cursor, cursor.copy(
                f'COPY "{table}" ({names}) FROM STDIN'
            ) as copy:
                for row in rows:
                    copy.write_row(row)

    def execute(self, sql: str) -> None:
        if self.vendor == "sqlite":
            self.raw.execute(sql)
        else:
            with self.raw.cursor() as cursor:
                cursor.execute(sql)

    def scalar(self, sql: str) -> Any:
        if self.vendor == "sqlite":
            return self.raw.execute(sql).fetchone()[0]
        with self.raw.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the big tables' indexes that no constraint owns."""
        tables = ", ".join(f"'{t}'" for t in BIG_TABLES)
        if self.vendor == "sqlite":
            rows = self.raw.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND tbl_name IN ({tables}) AND sql IS NOT NULL ORDER BY tbl_name, name"
            ).fetchall()
            return [(name, sql) for name, sql in rows]
        with self.raw.cursor() as cursor:
            cursor.execute(
                f"SELECT i.indexname, i.indexdef FROM pg_indexes i "
                f"WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) "
                f"AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                f"  WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
                f"  quote_ident(i.indexname))::regclass) "
                f"ORDER BY i.tablename, i.indexname"
            )
            return [(name, sql) for name, sql in cursor.fetchall()]


with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    _utcfromtimestamp = datetime.utcfromtimestamp

# -- timestamps and values --------------------------------------------------------


def _stamp(seconds: float) -> str:
    """UTC timestamp text as Django writes it on SQLite (naive, UTC); PostgreSQL reads
    it in the connection's UTC time zone. utcfromtimestamp is the fastest way there
    (it runs some twenty million times), hence the silenced 3.12 deprecation."""
    return _utcfromtimestamp(seconds).isoformat(" ")


def _json(value: Any) -> str:
    return json.dumps(value)


# -- the generator ---------------------------------------------------------------


class Seeder:
    def __init__(self, loader: Loader, tickets: int, seed: int, phases: Phases) -> None:
        self.loader = loader
        self.tickets = tickets
        self.seed = seed
        self.rng = random.Random(seed)
        self.phases = phases
        # Two years up to the start of this hour: recent tickets are the active ones.
        self.end = float(int(time.time()) // 3600 * 3600)
        self.start = self.end - SPAN_DAYS * 86400
        self.bank = words.TextBank(random.Random(seed))
        self._status_json = {status: _json(status) for status in (
            "new", "open", "pending_customer", "pending_internal", "resolved", "closed")}
        self._created_after = {
            (channel, priority): _json({"status": "new", "channel": channel,
                                        "priority": _PRIORITY_NAMES[priority]})
            for channel in set(_CHANNELS) for priority in set(_PRIORITIES)}

    # reference data through the ORM: a few hundred rows at most

    def reference_data(self) -> None:
        from django.contrib.auth.hashers import make_password

        from frontline.core.models import Role, User
        from frontline.customers.models import Plan, Product, Version
        from frontline.routing.models import Team
        from frontline.tickets.models import Category

        rng = self.rng
        plans = [
            Plan.objects.create(name="Basic", slug="basic", rank=0,
                                description="Email support, next-business-day answers."),
            Plan.objects.create(name="Standard", slug="standard", rank=1, is_default=True,
                                description="Business-hours support with SLAs."),
            Plan.objects.create(name="Premium", slug="premium", rank=2,
                                description="Priority support, two-hour first response."),
            Plan.objects.create(name="Enterprise", slug="enterprise", rank=3,
                                description="24/7 support with a named engineer."),
        ]
        self.plan_ids = [p.pk for p in plans]
        self.plan_weights = (25, 50, 20, 5)

        self.products: list[tuple[int, list[int]]] = []
        for name in words.PRODUCTS:
            product = Product.objects.create(name=name, slug=name.lower())
            versions = Version.objects.bulk_create([
                Version(product=product, name=v,
                        released_on=(datetime.now(UTC) - timedelta(days=900 - 40 * i)).date())
                for i, v in enumerate(
                    f"{major}.{minor}" for major in range(3, 7) for minor in range(0, 5))
            ])
            self.products.append((product.pk, [v.pk for v in versions]))

        self.category_ids = [Category.objects.create(name=n, slug=s).pk
                             for n, s in words.CATEGORIES]

        team_names = {1: ("Frontdesk EMEA", "Frontdesk Americas", "Frontdesk APAC"),
                      2: ("Specialists Billing", "Specialists Platform",
                          "Specialists Integrations"),
                      3: ("Engineering Core", "Engineering Data")}
        self.teams: dict[int, list[int]] = {
            tier: [Team.objects.create(name=n, tier=tier).pk for n in names]
            for tier, names in team_names.items()
        }

        # One password hash for everybody: hashing is deliberately slow.
        password = make_password(BENCH_PASSWORD)
        agent_count = max(12, min(300, self.tickets // 4000))
        users = [User(username=BENCH_USERNAME, first_name="Bench", last_name="Admin",
                      email="bench@frontline.test", role=Role.ADMIN, tier=3, is_staff=True,
                      is_superuser=True, password=password)]
        tiers = []
        for i in range(agent_count):
            share = i / agent_count
            tier = 1 if share < 0.6 else 2 if share < 0.9 else 3
            tiers.append(tier)
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            users.append(User(
                username=f"{first.lower()}.{last.lower().replace(' ', '')}{i}",
                first_name=first, last_name=last, email=f"agent{i}@frontline.test",
                role=Role.DEVELOPER if tier == 3 else Role.AGENT, tier=tier, password=password))
        users += [User(username=f"viewer{i}", first_name="Account", last_name=f"Manager {i}",
                       email=f"viewer{i}@frontline.test", role=Role.VIEWER, tier=1,
                       password=password) for i in range(3)]
        created = User.objects.bulk_create(users)
        bench, agents = created[0], created[1:1 + agent_count]
        self.viewer_ids = [u.pk for u in created[1 + agent_count:]]
        # Agents by team, and each agent's display name for signatures.
        self.team_agents: dict[int, list[int]] = {}
        self.agent_names: dict[int, tuple[str, str]] = {}
        memberships = []
        for agent, tier in zip(agents, tiers, strict=True):
            team_id = rng.choice(self.teams[tier])
            self.team_agents.setdefault(team_id, []).append(agent.pk)
            self.agent_names[agent.pk] = (agent.first_name, agent.username)
            memberships.append(Team.members.through(team_id=team_id, user_id=agent.pk))
        memberships.append(Team.members.through(team_id=self.teams[1][0], user_id=bench.pk))
        Team.members.through.objects.bulk_create(memberships)
        self.bench_id = bench.pk
        self.all_agent_ids = [a.pk for a in agents]

    # customers: organizations (N/50) and contacts (N/5)

    def customers(self) -> None:
        rng = self.rng
        now = _stamp(self.end)
        org_count = max(5, self.tickets // 50)
        contact_count = max(20, self.tickets // 5)

        names: set[str] = set()
        domains: set[str] = set()
        org_rows, domain_rows, fact_rows = [], [], []
        self.org_names: list[str] = []
        fact_id = 0
        for org_id in range(1, org_count + 1):
            while True:
                name = f"{rng.choice(words.COMPANY_WORDS)} {rng.choice(words.COMPANY_KINDS)}"
                suffix = rng.choice(words.COMPANY_SUFFIXES)
                name = f"{name} {suffix}".strip()
                if name not in names:
                    break
                name = f"{name} {rng.choice(words.CITIES)}"
                if name not in names:
                    break
                name = f"{name} {org_id}"
                break
            names.add(name)
            self.org_names.append(name)
            stem = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
            domain = f"{stem}.example"
            if domain in domains:
                domain = f"{stem}{org_id}.example"
            domains.add(domain)
            plan_id = rng.choices(self.plan_ids, self.plan_weights)[0]
            value = rng.choice((0, 1200, 6000, 12000, 24000, 60000, 150000, 400000))
            manager = rng.choice(self.viewer_ids) if rng.random() < 0.3 else None
            org_rows.append((org_id, name, plan_id, str(value), manager, "", now))
            domain_rows.append((org_id, org_id, domain))
            for key, choices in (("os", words.OPERATING_SYSTEMS), ("database", words.DATABASES),
                                 ("deployment", words.DEPLOYMENTS)):
                fact_id += 1
                fact_rows.append((fact_id, org_id, None, key, rng.choice(choices), now))
        self.org_domains = [row[2] for row in domain_rows]
        self.loader.insert(
            "customers_organization",
            ("id", "name", "plan_id", "annual_contract_value", "account_manager_id", "notes",
             "created_at"), org_rows)
        self.loader.insert("customers_organizationdomain", ("id", "organization_id", "domain"),
                           domain_rows)

        contact_rows, email_rows = [], []
        emails: set[str] = set()
        # contact id -> (name, first name, organization id or None, organization name)
        self.contacts: list[tuple[str, str, int | None, str]] = [("", "", None, "")]
        free_mail = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com")
        email_id = 0
        for contact_id in range(1, contact_count + 1):
            first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
            name = f"{first} {last}"
            contact_org: int | None = None
            domain, org_name = rng.choice(free_mail), ""
            if rng.random() < 0.95:
                # Bigger customers write more: skew towards the first organizations.
                contact_org = 1 + int(org_count * rng.random() ** 2)
                domain = self.org_domains[contact_org - 1]
                org_name = self.org_names[contact_org - 1]
            local = f"{first}.{last}".lower().replace(" ", "")
            address = f"{local}@{domain}"
            if address in emails:
                address = f"{local}{contact_id}@{domain}"
            emails.add(address)
            phone = (f"+{rng.randrange(1, 99)} {rng.randrange(100, 999)} "
                     f"{rng.randrange(1000000, 9999999)}" if rng.random() < 0.5 else "")
            contact_rows.append((contact_id, name, contact_org, phone, "UTC", "en", now))
            email_id += 1
            email_rows.append((email_id, contact_id, address, True))
            if rng.random() < 0.08:
                email_id += 1
                email_rows.append((email_id, contact_id,
                                   f"{local}.{contact_id}@{rng.choice(free_mail)}", False))
            self.contacts.append((name, first, contact_org, org_name))
        self.loader.insert(
            "customers_contact",
            ("id", "name", "organization_id", "phone", "timezone", "language", "created_at"),
            contact_rows)
        self.loader.insert("customers_contactemail", ("id", "contact_id", "address", "is_primary"),
                           email_rows)
        self.loader.insert(
            "customers_environmentfact",
            ("id", "organization_id", "contact_id", "key", "value", "updated_at"), fact_rows)
        print(f"   {org_count} organizations, {contact_count} contacts, {email_id} emails",
              flush=True)

    # tickets, messages, events

    TICKET_COLUMNS = (
        "id", "subject", "status", "priority", "tier", "channel", "created_at", "updated_at",
        "first_response_at", "last_customer_message_at", "last_agent_message_at", "resolved_at",
        "resolution_reminder_at", "closed_at", "assignee_id", "category_id", "organization_id",
        "product_id", "requester_id", "team_id", "version_id", "merged_into_id",
    )
    # Messages and events take their ids from the database, in the order written,
    # so batches can be generated in parallel without knowing each other's sizes.
    MESSAGE_COLUMNS = ("ticket_id", "kind", "author_user_id", "author_contact_id",
                       "channel", "body", "body_html", "created_at")
    EVENT_COLUMNS = ("ticket_id", "kind", "actor_id", "actor_contact_id", "at", "before",
                     "after", "detail")

    def tickets_messages_events(self, workers: int) -> tuple[int, int]:
        """Generate batches (in `workers` forked processes) and write them in order."""
        global _SEEDER
        loader = self.loader
        batches = range((self.tickets + BATCH - 1) // BATCH)
        messages = events = written = 0
        started = time.monotonic()

        def write(rows: tuple[list[Any], list[Any], list[Any]]) -> None:
            nonlocal messages, events, written
            ticket_rows, message_rows, event_rows = rows
            loader.insert("tickets_ticket", self.TICKET_COLUMNS, ticket_rows)
            # Every ticket has its clock row (frontline.tickets.models.TicketClock);
            # the seed computes no due times, so each is blank.
            loader.insert("tickets_ticketclock", ("ticket_id",),
                          [(row[0],) for row in ticket_rows])
            loader.insert("tickets_message", self.MESSAGE_COLUMNS, message_rows)
            loader.insert("tickets_event", self.EVENT_COLUMNS, event_rows)
            written += len(ticket_rows)
            messages += len(message_rows)
            events += len(event_rows)
            elapsed = time.monotonic() - started
            print(f"   {written:>9,} tickets  {messages:>10,} messages  {events:>10,} events"
                  f"  {elapsed:6.1f}s  ({written / elapsed:,.0f} tickets/s)", flush=True)

        if workers <= 1:
            for index in batches:
                write(self.batch(index))
            return messages, events
        # Forked workers inherit the customers and agents generated above; each
        # batch has its own random stream, so the data is the same for any
        # number of workers. At most 2 batches per worker wait in memory.
        _SEEDER = self
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            pending: deque[Any] = deque()
            for index in batches:
                pending.append(pool.apply_async(_generate_batch, (index,)))
                if len(pending) >= 2 * workers:
                    write(pending.popleft().get())
            while pending:
                write(pending.popleft().get())
        _SEEDER = None
        return messages, events

    def batch(self, index: int) -> tuple[list[Any], list[Any], list[Any]]:
        """The rows of tickets [index * BATCH, (index + 1) * BATCH), their messages and events."""
        rng = random.Random(self.seed * 1_000_003 + index)
        rnd = rng.random
        bank = self.bank
        bank.rng = rng
        n = self.tickets
        end = self.end
        span = end - self.start
        contacts = self.contacts
        contact_count = len(contacts) - 1
        teams = self.teams
        team_agents_of = self.team_agents
        agent_names = self.agent_names
        category_ids = self.category_ids
        products = self.products
        all_agents = self.all_agent_ids
        created_after = self._created_after
        status_json = self._status_json
        stamp = _stamp
        ticket_rows: list[tuple[Any, ...]] = []
        message_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []

        for i in range(index * BATCH, min(n, (index + 1) * BATCH)):
            ticket_id = FIRST_TICKET_ID + i
            created = self.start + span * (i + rnd()) / n
            status = self._status(rng, (end - created) / 86400)
            active = status not in ("resolved", "closed")
            requester = 1 + int(contact_count * rnd() ** 1.5)
            name, first, org_id, org_name = contacts[requester]
            tier = _TIERS[int(rnd() * 100)]
            tier_teams = teams[tier]
            team_id = tier_teams[int(rnd() * len(tier_teams))]
            team_agents = team_agents_of.get(team_id) or all_agents
            unassigned = (status == "new" and rnd() < 0.7) or (active and rnd() < 0.08)
            agent_id = team_agents[int(rnd() * len(team_agents))]
            assignee = None if unassigned else agent_id
            agent_first, agent_username = agent_names[agent_id]
            priority = _PRIORITIES[int(rnd() * 100)]
            channel = _CHANNELS[int(rnd() * 100)]
            product_id, version_ids = products[int(rnd() * len(products))]
            version_id = version_ids[int(rnd() * len(version_ids))] if rnd() < 0.8 else None

            # The conversation: customer, agent, customer...; sometimes an internal note.
            count = 1 if status == "new" else _MESSAGE_COUNTS[int(rnd() * 100)]
            kinds = ["inbound"]
            while len(kinds) < count:
                last = kinds[-1]
                if last == "inbound":
                    kinds.append("note" if rnd() < 0.15 else "outbound")
                elif last == "note":
                    kinds.append("outbound")
                else:
                    kinds.append("inbound")
            if status == "pending_customer" and kinds[-1] != "outbound":
                kinds.append("outbound")
            elif status == "pending_internal" and kinds[-1] != "note":
                kinds.append("note")
            elif not active and len(kinds) == 1:
                kinds.append("outbound")
            # Agents answer within hours, customers within a day, notes come quickly.
            gaps = [0.0] + [-_GAP_MEAN[kind] * math.log(1.0 - rnd()) for kind in kinds[1:]]
            total = sum(gaps)
            room = (end - created) * 0.9
            if total > room:
                gaps = [g * room / total for g in gaps]

            at = created
            first_response = last_agent = last_customer = None
            for kind, gap in zip(kinds, gaps, strict=True):
                at += gap
                if kind == "inbound":
                    message_rows.append((ticket_id, kind, None, requester, channel,
                                         bank.customer_message(name, org_name, agent_first),
                                         None, stamp(at)))
                    last_customer = at
                elif kind == "outbound":
                    message_rows.append((ticket_id, kind, agent_id, None, "email",
                                         bank.agent_message(first, agent_first), None, stamp(at)))
                    if first_response is None:
                        first_response = at
                    last_agent = at
                else:
                    message_rows.append((ticket_id, kind, agent_id, None, "web", bank.note(),
                                         None, stamp(at)))
            last_at = at

            resolved_at = closed_at = None
            if not active:
                resolved_at = last_at + 60 + rnd() * 7140
                if status == "closed":
                    # Closed on the customer's confirmation, or after the quiet week.
                    closed_at = resolved_at + (3600 + rnd() * 82800 if rnd() < 0.4
                                               else 7 * 86400)
                    if closed_at > end:
                        status, closed_at = "resolved", None
            updated = closed_at or resolved_at or last_at

            # History: created, assigned, the tier change if any, the last status change.
            event_rows.append((ticket_id, "created", None, requester, stamp(created), None,
                               created_after[channel, priority], "{}"))
            touched = first_response or created + 600
            if assignee is not None:
                event_rows.append((ticket_id, "assigned", agent_id, None, stamp(touched), None,
                                   f'"{agent_username}"', "{}"))
            if tier > 1:
                event_rows.append((ticket_id, "tier_changed", agent_id, None,
                                   stamp(touched + 60), str(tier - 1), str(tier),
                                   _TIER_REASONS[int(rnd() * len(_TIER_REASONS))]))
            if closed_at is not None:
                event_rows.append((ticket_id, "status_changed", None, None, stamp(closed_at),
                                   status_json["resolved"], status_json["closed"],
                                   _CLOSED_REASON))
            elif status != "new":
                before = "new" if status == "open" else "open"
                event_rows.append((ticket_id, "status_changed", agent_id, None,
                                   stamp(resolved_at or last_at), status_json[before],
                                   status_json[status], "{}"))

            ticket_rows.append((
                ticket_id, bank.subject(), status, priority, tier, channel,
                stamp(created), stamp(updated),
                stamp(first_response) if first_response else None,
                stamp(last_customer) if last_customer else None,
                stamp(last_agent) if last_agent else None,
                stamp(resolved_at) if resolved_at else None,
                None,
                stamp(closed_at) if closed_at else None,
                assignee,
                category_ids[int(rnd() * len(category_ids))] if rnd() < 0.85 else None,
                org_id, product_id, requester, team_id, version_id, None,
            ))
        return ticket_rows, message_rows, event_rows

    @staticmethod
    def _status(rng: random.Random, age_days: float) -> str:
        """Most tickets are closed; the recent ones are still being worked."""
        r = rng.random()
        if age_days < 2:
            if r < 0.9:
                return _FRESH_STATUSES[int(rng.random() * 100)]
            return "resolved"
        if age_days < 14:
            active_share, resolved_share = 0.6, 0.25
        elif age_days < 60:
            active_share, resolved_share = 0.45, 0.0
        else:
            active_share, resolved_share = 0.02, 0.0
        if r < active_share:
            return _ACTIVE_STATUSES[int(rng.random() * 100)]
        if r < active_share + resolved_share:
            return "resolved"
        return "closed"


def _spread(weights: dict[Any, int]) -> tuple[Any, ...]:
    """A 100-entry table to draw from with one random number (weights sum to 100)."""
    assert sum(weights.values()) == 100
    return tuple(value for value, weight in weights.items() for _ in range(weight))


FIRST_TICKET_ID = 10001
_TIERS = _spread({1: 80, 2: 16, 3: 4})
_PRIORITIES = _spread({1: 20, 2: 55, 3: 20, 4: 5})
_CHANNELS = _spread({"email": 60, "web": 18, "portal": 12, "phone": 5, "chat": 3, "api": 2})
_MESSAGE_COUNTS = _spread({1: 8, 2: 14, 3: 20, 4: 20, 5: 14, 6: 10, 7: 6, 8: 5, 10: 3})
_FRESH_STATUSES = _spread({"new": 35, "open": 40, "pending_customer": 15, "pending_internal": 10})
_ACTIVE_STATUSES = _spread({"new": 5, "open": 45, "pending_customer": 38, "pending_internal": 12})
_GAP_MEAN = {"outbound": 4 * 3600.0, "inbound": 12 * 3600.0, "note": 1800.0}
_TIER_REASONS = ('{"reason": "Needs a specialist."}',
                 '{"reason": "Reproducible defect, needs engineering."}',
                 '{"reason": "Customer is blocked; premium plan."}')
_CLOSED_REASON = '{"reason": "No reply from the customer within the quiet period."}'
_PRIORITY_NAMES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
_SEEDER: Seeder | None = None


def _generate_batch(index: int) -> tuple[list[Any], list[Any], list[Any]]:
    assert _SEEDER is not None
    return _SEEDER.batch(index)


# -- orchestration ----------------------------------------------------------------


def _prepare_environment(args: argparse.Namespace) -> None:
    if args.data_dir:
        os.environ["FRONTLINE_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    url = os.environ.get("FRONTLINE_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(url, reset=args.reset)
    elif args.reset:
        data_dir = os.environ.get("FRONTLINE_DATA_DIR", "./var")
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = os.path.join(data_dir, "frontline.sqlite3" + suffix)
            if os.path.exists(path):
                os.remove(path)


def _ensure_postgres_database(url: str, *, reset: bool) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        dbname="postgres", host=config.get("HOST") or None, port=config.get("PORT") or None,
        user=config.get("USER") or None, password=config.get("PASSWORD") or None,
        autocommit=True)
    with admin:
        name = config["NAME"]
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _reindex_search(phases: Phases) -> None:
    try:
        from frontline.search import services as search_services
    except ImportError:
        print("   frontline.search.services is not there yet: search index NOT built", flush=True)
        return
    reindex: Callable[..., int] | None = getattr(search_services, "reindex", None)
    if reindex is None:
        print("   frontline.search.services.reindex is missing: search index NOT built",
              flush=True)
        return
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 5 or done >= total:
            last[0] = now
            print(f"   search index: {done:,}/{total:,}", flush=True)

    count = reindex(progress=progress)
    print(f"   indexed {count:,}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, help="how many tickets")
    parser.add_argument("--database-url",
                        help="FRONTLINE_DATABASE_URL (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", help="FRONTLINE_DATA_DIR")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument("--reset", action="store_true",
                        help="start from an empty database (drops the PostgreSQL database "
                             "or deletes the SQLite file)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes generating rows (default: one per core)")
    parser.add_argument("--no-search", action="store_true", help="skip building the search index")
    parser.add_argument("--search-only", action="store_true",
                        help="only (re)build the search index of an already seeded database")
    args = parser.parse_args(argv)
    if args.search_only:
        return _search_only(args)
    if args.tickets is None or args.tickets < 1:
        parser.error("--tickets must be at least 1")

    phases = Phases()
    phases.start("database")
    _prepare_environment(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from frontline.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    if Ticket.objects.exists():
        print("The database already holds tickets; use --reset to start over.", file=sys.stderr)
        return 2
    loader = Loader()
    loader.prepare()
    print(f"   {connection.vendor}: {connection.settings_dict['NAME']}", flush=True)
    indexes = loader.secondary_indexes()
    for name, _ in indexes:
        loader.execute(f'DROP INDEX "{name}"')
    phases.done(f"(migrated; dropped {len(indexes)} secondary indexes for the load)")

    seeder = Seeder(loader, args.tickets, args.seed, phases)
    phases.start("reference data")
    seeder.reference_data()
    phases.done()
    phases.start("customers")
    seeder.customers()
    phases.done()
    phases.start("tickets, messages, events")
    messages, events = seeder.tickets_messages_events(args.workers)
    phases.done(f"({args.tickets:,} tickets, {messages:,} messages, {events:,} events)")

    phases.start("indexes")
    for name, create in indexes:
        step = time.monotonic()
        loader.execute(create)
        print(f"   {name}: {time.monotonic() - step:.1f}s", flush=True)
    phases.done()

    phases.start("sequences and statistics")
    _reset_sequences(loader)
    if loader.vendor == "sqlite":
        loader.execute("ANALYZE")
    else:
        loader.execute("VACUUM ANALYZE")
    loader.finish()
    phases.done()

    if not args.no_search:
        phases.start("search index")
        _reindex_search(phases)
        phases.done()

    active = Ticket.objects.exclude(status__in=("resolved", "closed")).count()
    print(f"\nseeded {args.tickets:,} tickets ({active:,} active) in {phases.total():.1f}s")
    for name, seconds in phases.timings:
        print(f"   {name:<28} {seconds:8.1f}s")
    print(f"log in as {BENCH_USERNAME!r} / {BENCH_PASSWORD!r}")
    return 0


def _search_only(args: argparse.Namespace) -> int:
    phases = Phases()
    args.reset = False
    _prepare_environment(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if Loader().vendor == "sqlite":
        Loader().execute("PRAGMA synchronous=OFF")
    phases.start("search index")
    _reindex_search(phases)
    phases.done()
    return 0


def _reset_sequences(loader: Loader) -> None:
    """Move every id sequence past the explicit ids the seed wrote."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if loader.vendor == "sqlite":
        # AUTOINCREMENT already remembers the largest id inserted; check it anyway.
        top = loader.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'tickets_ticket'")
        highest = loader.scalar("SELECT MAX(id) FROM tickets_ticket")
        if top is None or top < highest:
            loader.execute(f"UPDATE sqlite_sequence SET seq = {highest} "
                           f"WHERE name = 'tickets_ticket'")
        return
    models = [m for m in apps.get_models() if m._meta.app_label in
              ("core", "customers", "routing", "tickets")]
    for statement in connection.ops.sequence_reset_sql(no_style(), models):
        loader.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
