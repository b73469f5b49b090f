"""Assignment per team: round robin and least loaded, skipping who is away,
inactive or may not see the ticket; one pointer move per ticket, even at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from frontline import workflow
from frontline.core.models import Role, User
from frontline.routing import ruleset
from frontline.routing.assignment import choose
from frontline.routing.models import Assignment, RoutingRule, Team
from frontline.tickets.models import Status, Ticket
from tests.factories import ContactFactory, OrganizationFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    ruleset.clear_cache()
    yield
    ruleset.clear_cache()


def agents(*names: str) -> list[User]:
    return [UserFactory(username=name, role=Role.AGENT, tier=1) for name in names]


def team_of(mode: str, members: list[User]) -> Team:
    team = TeamFactory(name="Installation", tier=1, assignment=mode)
    team.members.add(*members)
    RoutingRule.objects.create(name="Everything to Installation", set_team=team)
    return team


def open_one(subject: str = "Help") -> Ticket:
    return workflow.open_ticket(requester_email="bob@standard.example", subject=subject,
                                body="Please.")


def test_round_robin_wraps_and_skips_the_inactive(bob):
    ann, ben, cat = agents("ann", "ben", "cat")
    ben.is_active = False
    ben.save()
    team_of(Assignment.ROUND_ROBIN, [ann, ben, cat])

    owners = [open_one().assignee.username for _ in range(4)]

    assert owners == ["ann", "cat", "ann", "cat"]


def test_least_loaded_picks_whoever_has_fewest_active_tickets(bob):
    ann, ben, cat = agents("ann", "ben", "cat")
    team = team_of(Assignment.MANUAL, [ann, ben, cat])
    # Ann has two open tickets, Ben one open and one closed, Cat one.
    for owner, status in ((ann, "open"), (ann, "open"), (ben, "open"), (ben, "closed"),
                          (cat, "open")):
        Ticket.objects.filter(pk=open_one().pk).update(assignee=owner, status=status)
    team.assignment = Assignment.LEAST_LOADED
    team.save()

    first = open_one()
    second = open_one()

    # Ben and Cat tie on one: round robin order breaks the tie (Ben first), then
    # Cat has fewer than Ben.
    assert first.assignee == ben
    assert second.assignee == cat
    assert first.events.get(kind="assigned").detail["reason"] == "least loaded in Installation"


def test_manual_assigns_nobody(bob):
    team_of(Assignment.MANUAL, agents("ann"))

    ticket = open_one()

    assert ticket.team is not None and ticket.assignee is None


def test_nobody_available_leaves_it_unassigned(bob):
    ann, = agents("ann")
    ann.away = True
    ann.save()
    team_of(Assignment.ROUND_ROBIN, [ann])

    assert open_one().assignee is None


def test_a_viewer_in_a_team_is_never_chosen(bob, vera):
    team = team_of(Assignment.ROUND_ROBIN, [vera])
    ticket = open_one()

    assert ticket.assignee is None
    assert choose(team, ticket) is None


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="a real race needs a server with row locks and concurrent writers")
def test_tickets_opened_at_once_are_shared_out_evenly(transactional_db):
    """Six tickets from three threads at once: the team row lock makes each
    pointer move see the one before, so everyone gets two."""
    organization = OrganizationFactory(name="Initech", domains=["standard.example"])
    ContactFactory(name="Bob", organization=organization, email="bob@standard.example")
    team_of(Assignment.ROUND_ROBIN, agents("ann", "ben", "cat"))
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def work() -> None:
        try:
            start.wait()
            for n in range(2):
                open_one(f"At once {n}")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    owners = sorted(Ticket.objects.filter(status=Status.NEW)
                    .values_list("assignee__username", flat=True))
    assert owners == ["ann", "ann", "ben", "ben", "cat", "cat"]
