"""The demo's history: ninety days of tickets, written as stories and played in time.

Everything goes through the real services, so the data obeys the same rules
as real use: every ticket has a timeline of messages and events, escalations
carry reasons, resolved tickets get their reminder and close after the quiet
period because the real periodic job ran at the simulated times.

How: each ticket's story is written first as a list of timed steps (opened,
triaged, asked, answered, escalated, resolved, confirmed...). The steps of all
tickets, plus one run of the quiet-period job per night, are then played in
time order, up to now. Stories that would continue in the future stop where
"now" is, which is what leaves recent tickets new, open or pending.

One seeded random generator drives all of it, consumed in a fixed order, so
every load writes the same history relative to its "now".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from frontline import workflow
from frontline.core.errors import FrontlineError
from frontline.core.models import User
from frontline.costs.models import TimeEntry
from frontline.costs.services import week_start
from frontline.customers.models import Contact, Deployment, Version
from frontline.demo.configuration import INCIDENT_PLAN, TEAMS, WEEKLY_DEVELOPER_BUDGET_HOURS
from frontline.demo.scenarios import (
    ACKNOWLEDGEMENTS,
    ENGINEERING_REPLIES,
    ESCALATION_NOTES,
    FLOW_WEIGHTS,
    FOLLOW_UPS,
    SCENARIOS,
    STILL_BROKEN,
    Scenario,
)
from frontline.notifications.models import Notification
from frontline.routing import escalation
from frontline.routing.models import Team
from frontline.sla import services as clock_services
from frontline.tickets.models import ACTIVE_STATUSES, Priority, Ticket

HISTORY_DAYS = 90
SEED = 20250101
# The share of customers who write everything support needs in their first message
# (a scenario's `complete` wordings); the others are asked. Drawn from a generator
# of its own, so the rest of the history is the same whatever the share.
COMPLETE_SHARE = 0.6
# How long staff take to act on a plan's tickets, as a share of the Standard pace.
PACE = {"standard": 1.0, "premium": 0.2, "enterprise": 0.1}
# Developers spend at most this share of their weekly support budget in the history
# (frontline.costs: the developers' desk and /reports show used against budget).
DEVELOPER_BUDGET_SHARE = 0.7

Step = Callable[["Story", datetime], None]


@dataclass
class Story:
    """One ticket's life as timed steps; the first step opens the ticket. `work` is
    the time staff spent on it: (start, username, tier, minutes), logged by `settle`."""

    steps: list[tuple[datetime, Step]] = field(default_factory=list)
    ticket: Ticket | None = None
    work: list[tuple[datetime, str, int, int]] = field(default_factory=list)

    def at(self, when: datetime, step: Step) -> datetime:
        self.steps.append((when, step))
        return when


@dataclass
class _World:
    """What the stories act with, loaded once per `write()`."""

    lena: User
    otto: User
    dana: User
    teams: dict[str, Team]
    contacts: list[Contact]
    versions: dict[str, list[Version]]
    # organization id -> [(product slug, version name or None, since)], oldest first
    deployments: dict[int, list[tuple[str, str | None, date]]]


def write(contacts: list[Contact], tickets: int, now: datetime) -> list[Story]:
    """The stories of `tickets` tickets from `contacts`, opened in the last
    HISTORY_DAYS before `now`."""
    rng = random.Random(SEED)
    wording = random.Random(SEED + 1)
    world = _world(contacts)
    return [_story(rng, wording, world, now) for _ in range(tickets)]


def play(stories: list[Story], now: datetime,
         progress: Callable[[int, int], None] | None) -> None:
    """Play the steps of all stories and the nightly quiet-period job in time order,
    up to `now`; `progress(done, total)` is called as they are played."""
    # (time, order of writing, story, step): the order keeps each story's steps
    # in sequence when two share a timestamp, and makes every load identical.
    timeline: list[tuple[datetime, int, Story, Step]] = []
    for story in stories:
        for when, step in story.steps:
            if when < now:
                timeline.append((when, len(timeline), story, step))
    first = (now - timedelta(days=HISTORY_DAYS + 1)).replace(hour=2, minute=0, second=0,
                                                             microsecond=0)
    nightly = Story()
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


def settle(stories: list[Story], admin: User, now: datetime) -> None:
    """The desk as it stands at `now`, after the history: the time staff tracked on
    the tickets, one bought priority incident, every open ticket's promises as the
    clock sees them now, and the history's notifications read."""
    _tracked_time(stories, now)
    # One Standard customer paid for a priority incident on an open ticket.
    bought = (Ticket.objects.filter(status__in=ACTIVE_STATUSES, organization__plan__slug="standard")
              .order_by("-created_at").first())
    if bought is not None:
        clock_services.buy_incident_premium(bought, admin, INCIDENT_PLAN[1], at=now)
    # Every open ticket's promises as the clock sees them now.
    clock_services.recompute_all(at=now)
    # The history's notifications (escalations, warnings) were read at the time.
    Notification.objects.filter(read_at__isnull=True, created_at__lt=now).update(read_at=now)


def _world(contacts: list[Contact]) -> _World:
    """The cast (Lena, Otto, Dana), the teams and each product's releases."""
    users = {u.username: u for u in User.objects.filter(username__in=["lena", "otto", "dana"])}
    versions: dict[str, list[Version]] = {}
    for version in Version.objects.select_related("product"):
        versions.setdefault(version.product.slug, []).append(version)
    deployments: dict[int, list[tuple[str, str | None, date]]] = {}
    for deployment in Deployment.objects.select_related("product", "version").order_by(
            "since", "pk"):
        deployments.setdefault(deployment.organization_id, []).append(
            (deployment.product.slug,
             deployment.version.name if deployment.version is not None else None,
             deployment.since))
    return _World(
        lena=users["lena"], otto=users["otto"], dana=users["dana"],
        teams={t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])},
        contacts=contacts, versions=versions, deployments=deployments)


# -- steps: each calls one service at the step's time -------------------------


def _reply(actor: User, body: str, status: str | None = None) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        workflow.add_reply(story.ticket, actor, body, status=status, at=at)
    return step


def _note(actor: User, body: str) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        workflow.add_note(story.ticket, actor, body, at=at)
    return step


def _customer(contact: Contact, body: str) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        workflow.add_customer_message(story.ticket, contact, body, at=at)
    return step


def _triage(actor: User, team: Team) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        workflow.set_team(story.ticket, actor, team.name, at=at)
    return step


def _escalate(actor: User, tier: int, team: Team, assignee: User, reason: str) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        # The real escalation (weighed, promises carried, decision recorded), so
        # the developer brief shows the reason and what was tried.
        escalation.escalate(story.ticket, actor, tier, reason=reason,
                            tried=escalation.prefill_tried(story.ticket), team=team, at=at)
        workflow.assign(story.ticket, actor, assignee, at=at)
    return step


def _confirm(contact: Contact) -> Step:
    def step(story: Story, at: datetime) -> None:
        assert story.ticket is not None
        workflow.confirm_resolution(story.ticket, contact, at=at)
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


def _released(product: str | None, opened: datetime, world: _World) -> list[str]:
    """The product's releases out at `opened`, oldest first."""
    out = sorted((v for v in world.versions.get(product or "", [])
                  if v.released_on is not None and v.released_on <= opened.date()),
                 key=lambda v: (v.released_on, v.name))
    return [v.name for v in out]


def _running(contact: Contact, opened: datetime, world: _World) -> dict[str, str | None] | None:
    """What the contact's organization runs at `opened` (product slug -> version name);
    None when nothing is on record (see `_fits`)."""
    history = world.deployments.get(contact.organization_id or 0)
    if not history:
        return None
    return {product: version for product, version, since in history if since <= opened.date()}


def _fits(scenario: Scenario, running: dict[str, str | None] | None, opened: datetime,
          world: _World) -> bool:
    """Whether the customer could ask this: about a product they run, and an upgrade
    only when a newer release than theirs is out."""
    if scenario.product is None:
        return True
    released = _released(scenario.product, opened, world)
    if running is None:
        # Nothing on record (a freelancer, a small cloud customer): they use what we
        # host, not a server they install and upgrade.
        return not released
    if scenario.product not in running:
        return False
    current = running[scenario.product]
    return not scenario.upgrade or (current in released and current != released[-1])


def _versions_for(scenario: Scenario, running: dict[str, str | None] | None, opened: datetime,
                  world: _World, rng: random.Random) -> tuple[str | None, str | None]:
    """(version, previous) for the scenario's `{version}` and `{previous}`: the release
    the customer runs (or upgrades to) and the one before it (or they upgrade from)."""
    released = _released(scenario.product, opened, world)
    if not released:
        return None, None
    current = (running or {}).get(scenario.product or "")
    if current not in released:
        # Their version is not on record: most customers run the newest release; some
        # lag one behind.
        behind = scenario.upgrade or (rng.random() >= 0.7 and len(released) > 1)
        current = released[-2 if behind and len(released) > 1 else -1]
    at = released.index(current)
    if scenario.upgrade:
        return released[-1], current
    return current, released[at - 1] if at > 0 else None


def _story(rng: random.Random, wording: random.Random, world: _World,
           now: datetime) -> Story:
    contact = rng.choice(world.contacts)
    organization = contact.organization
    plan = organization.plan.slug if organization and organization.plan else "standard"
    opened = _opened_at(rng, now)
    running = _running(contact, opened, world)
    # Outages are phoned in by customers who pay for around-the-clock help, and rare.
    outage = plan != "standard" and rng.random() < 0.04
    fitting = [s for s in SCENARIOS if _fits(s, running, opened, world)]
    candidates = ([s for s in fitting if (s.flow == "outage") == outage]
                  or [s for s in fitting if s.flow != "outage"])
    scenario = rng.choices(candidates, [FLOW_WEIGHTS[s.flow] for s in candidates])[0]
    outage = scenario.flow == "outage"
    version, previous = _versions_for(scenario, running, opened, world, rng)

    # What the customer writes first: everything support needs, or the short version.
    complete = bool(scenario.complete) and wording.random() < COMPLETE_SHARE
    body = wording.choice(scenario.complete) if complete else scenario.body
    # Atlas Cloud's monthly release, as its Help > About shows it; the latest invoice.
    release = f"{opened.year}.{opened.month}"
    invoice = f"INV-{opened.year}-{wording.randrange(1000, 99999):05d}"

    def text(template: str) -> str:
        return template.format(version=version or "the latest release",
                               previous=previous or "the previous release",
                               release=release, invoice=invoice)

    if outage:
        priority, channel = Priority.URGENT, "phone"
    else:
        priority = rng.choices([Priority.LOW, Priority.NORMAL, Priority.HIGH],
                               [2, 6, 1 if plan == "standard" else 3])[0]
        channel = rng.choice(["email", "email", "email", "web", "portal"])
    lena, otto, dana = world.lena, world.otto, world.dana
    email = contact.primary_email
    # The desk works to the promises: Premium and Enterprise are promised replies within
    # hours around the clock (sla policies in frontline.demo.configuration), so their
    # tickets are worked at any hour and faster; Standard ones in office hours.
    around_the_clock = outage or plan != "standard"
    pace = PACE.get(plan, 1.0)

    def opened_step(story: Story, at: datetime) -> None:
        story.ticket = workflow.open_ticket(
            requester_email=email, subject=text(scenario.subject), body=text(body),
            channel=channel, category=scenario.category, priority=int(priority),
            product=scenario.product, version=version, at=at,
            actor=lena if channel == "phone" else None)

    def staff_time(when: datetime) -> datetime:
        return when if around_the_clock else _working(when, rng)

    def staff_hours(low: float, high: float) -> timedelta:
        return _hours(rng, low * pace, high * pace)

    def soon(low: int = 2, high: int = 25) -> timedelta:
        return timedelta(minutes=rng.randrange(low, high))

    def worked(start: datetime, user: User, tier: int, low: int, high: int) -> None:
        story.work.append((start, user.username, tier, rng.randrange(low, high)))

    story = Story()
    story.at(opened, opened_step)
    # A promise around the clock knows no "low" priority: such tickets wait as normal ones.
    waits = Priority.NORMAL if around_the_clock and priority == Priority.LOW else priority
    delay = {Priority.URGENT: (0.05, 0.3), Priority.HIGH: (0.5, 3), Priority.NORMAL: (1, 8),
             Priority.LOW: (3, 24)}[waits]
    when = story.at(staff_time(opened + staff_hours(*delay)),
                    _triage(lena, world.teams["Frontline"]))
    worked(when, lena, 1, 8, 30)
    agent = lena
    flow = scenario.flow
    if flow == "quick":
        when = story.at(when + soon(), _reply(lena, text(scenario.answer), "resolved"))
    elif flow == "needs_info":
        when = story.at(when + soon(), _reply(lena, text(scenario.ask), "pending_customer"))
        if rng.random() < 0.12:
            return story  # the customer never answered
        when = story.at(when + _hours(rng, 2, 40), _customer(contact, text(scenario.info)))
        when = story.at(staff_time(when + staff_hours(0.5, 6)),
                        _reply(lena, text(scenario.answer), "resolved"))
        worked(when - timedelta(minutes=20), lena, 1, 5, 20)
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
        worked(when, otto, 2, 45, 150)
        agent = otto
        if not outage:
            when = story.at(staff_time(when + staff_hours(0.5, 8)),
                            _reply(otto, text(scenario.ask), "pending_customer"))
            if rng.random() < 0.08:
                return story
            when = story.at(when + _hours(rng, 2, 30), _customer(contact, text(scenario.info)))
            if rng.random() < 0.08:
                return story  # open: the specialist is still on it
        when = story.at(staff_time(when + staff_hours(0.3, 5)), _note(otto, text(scenario.note)))
        if flow in ("develop", "outage"):
            reason = "Production outage: engineering on call." if outage else "Needs a code fix."
            when = story.at(when + soon(1, 5), _escalate(
                otto, 3, world.teams["Developers"], dana, reason))
            if outage:
                worked(when, dana, 3, 30, 90)
                when = story.at(when + _hours(rng, 0.2, 1), _note(dana, text(scenario.dev_note)))
            else:
                when = story.at(when + soon(), _reply(otto, rng.choice(ENGINEERING_REPLIES),
                                                      "pending_internal"))
                when = story.at(_working(when + _hours(rng, 20, 120), rng),
                                _note(dana, text(scenario.dev_note)))
                # The investigation that ends in her note.
                minutes = rng.randrange(90, 360)
                story.work.append((when - timedelta(minutes=minutes), dana.username, 3, minutes))
                if rng.random() < 0.5 and when > now - timedelta(days=21):
                    return story  # waiting for the release (older fixes have shipped)
                when = _working(when + _hours(rng, 24, 200), rng)
        when = story.at(staff_time(when + staff_hours(0.5, 6)),
                        _reply(otto, text(scenario.answer), "resolved"))

    # After the resolution the customer confirms, finds it is not fixed, or stays
    # quiet and the nightly job sends the reminder and later closes the ticket.
    roll = rng.random()
    if roll < 0.45:
        story.at(when + _hours(rng, 1, 40), _confirm(contact))
    elif roll < 0.6:
        when = story.at(when + _hours(rng, 20, 70), _customer(contact, rng.choice(STILL_BROKEN)))
        when = story.at(staff_time(when + staff_hours(1, 8)),
                        _reply(agent, rng.choice(FOLLOW_UPS), "resolved"))
        worked(when - timedelta(minutes=30), agent, 1 if agent is lena else 2, 10, 30)
    return story


# -- playing them ------------------------------------------------------------


def _nightly_job(story: Story, at: datetime) -> None:
    workflow.close_quiet_resolved(now=at)


# -- after the history -------------------------------------------------------


def _tracked_time(stories: list[Story], now: datetime) -> None:
    """The time each tier spent on the tickets it worked (manual entries), written
    when the stories were. A developer's week has only so many hours for support:
    tier-3 work beyond DEVELOPER_BUDGET_SHARE of the weekly budget is left out, as
    it would have waited for the next week."""
    people = {u.username: u for u in User.objects.filter(username__in=["lena", "otto", "dana"])}
    developer_week = DEVELOPER_BUDGET_SHARE * WEEKLY_DEVELOPER_BUDGET_HOURS * 3600
    developer_used: dict[datetime, int] = {}
    notes = {1: "Triage and first checks", 2: "Reproduced and investigated",
             3: "Debugged and fixed"}
    entries = []
    for story in stories:
        if story.ticket is None:
            continue
        for start, username, tier, minutes in story.work:
            seconds = minutes * 60
            end = start + timedelta(seconds=seconds)
            if end >= now:
                continue  # still being worked: not logged yet
            if tier == 3:
                week = week_start(start)
                if developer_used.get(week, 0) + seconds > developer_week:
                    continue
                developer_used[week] = developer_used.get(week, 0) + seconds
            entries.append(TimeEntry(ticket=story.ticket, user=people[username], tier=tier,
                                     started_at=start, ended_at=end, seconds=seconds,
                                     manual=True, note=notes[tier]))
    TimeEntry.objects.bulk_create(entries)
