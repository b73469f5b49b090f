"""Admins set up SLA policies: targets checked field by field, one policy per plan
and priority, and open tickets' due times follow a change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline.sla import policies
from frontline.sla.models import SlaPolicy
from frontline.tickets.models import Ticket
from tests.sla.conftest import refused


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"first_response_minutes": 0}, "first_response_minutes",
     "The first response target must be a positive number of minutes."),
    ({"resolution_minutes": -5}, "resolution_minutes",
     "The resolution target must be a positive number of minutes."),
    ({"warn_percent": 0}, "warn_percent", "The warning share must be between 1 and 99."),
    ({"warn_percent": 100}, "warn_percent", "The warning share must be between 1 and 99."),
    ({"move_to_tier": 4}, "move_to_tier", "The tier to move to must be between 1 and 3."),
    ({"priority": "critical"}, "priority",
     "No priority 'critical' (low, normal, high, urgent, or empty for any)."),
    ({"first_response_minutes": None}, "first_response_minutes",
     "A policy needs at least one target (first response, next response or resolution)."),
    ({"calendar": 9999}, "calendar", "No calendar '9999'."),
    # A typo in a yes/no is refused, not read as "no".
    ({"notify": "maybe"}, "notify", "'maybe' is not yes or no."),
    ({"formal": 2}, "formal", "'2' is not yes or no."),
])
def test_policy_input_is_checked_field_by_field(ada, premium_plan, changes, field, message):
    fields = {"plan": "premium", "first_response_minutes": 120, **changes}
    with pytest.raises(Exception) as caught:
        policies.create_policy(ada, **fields)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert not SlaPolicy.objects.exists()


def test_one_policy_per_plan_and_priority(ada, premium_plan):
    policies.create_policy(ada, plan=premium_plan, first_response_minutes=120)
    urgent = policies.create_policy(ada, plan="premium", priority="urgent",
                                    first_response_minutes=60)
    assert urgent.priority == 4
    error = refused(policies.create_policy, ada, plan="premium", priority=None,
                    first_response_minutes=30)
    assert (error.field, error.message) == (
        "priority", "Premium already has a policy for every other priority; edit that one "
                    "instead.")
    error = refused(policies.create_policy, ada, plan="premium", priority=4,
                    first_response_minutes=30)
    assert "already has a policy for urgent priority" in error.message


def test_a_changed_policy_moves_the_due_times_of_open_tickets(ada, standard_policy, bobs_ticket):
    ticket = Ticket.objects.get(pk=bobs_ticket.pk)
    assert ticket.clock.sla_policy_id == standard_policy.pk
    assert ticket.clock.first_response_due is not None
    policies.update_policy(ada, standard_policy, calendar=None,
                           first_response_minutes=90)
    ticket.refresh_from_db()
    assert ticket.clock.first_response_due == ticket.created_at + timedelta(minutes=90)
