"""Impact and economics: exact figures on a small varied dataset, and the reasons."""

from __future__ import annotations

from decimal import Decimal

from frontline.costs.models import CostSettings
from frontline.insights.impact import problem_impact
from frontline.problems import services
from tests.costs.factories import log, make_ticket
from tests.factories import ContactFactory, OrganizationFactory


def test_figures_count_each_organization_once_and_split_hours_by_tier(
        lena, otto, dana, alice, bob, premium_plan):
    # Alice (Globex, 250,000, Premium) twice, Bob (Initech, 12,000, Standard) once, and
    # a contact with no organization; one of Alice's tickets is resolved.
    loner = ContactFactory(name="Sam Solo", email="sam@solo.example")
    tickets = [make_ticket(alice, "Export stalls", status="open"),
               make_ticket(alice, "Export stalls again", status="resolved"),
               make_ticket(bob, "Export: timeout"),
               make_ticket(loner, "export hangs forever", tier=3)]
    problem = services.create_problem(lena, title="Export stalls over 2 GB", tickets=tickets)
    log(tickets[0], lena, 50)            # tier 1
    log(tickets[2], otto, 25)            # tier 2
    log(tickets[3], dana, 90)            # tier 3
    log(tickets[3], dana, 30)
    impact = problem_impact(problem)
    assert (impact.tickets, impact.open_tickets, impact.organizations) == (4, 3, 2)
    assert impact.contract_value == Decimal("262000.00")
    assert [(s.plan, s.organizations) for s in impact.plan_mix] == [("Premium", 1),
                                                                    ("Standard", 1)]
    assert impact.support_hours == Decimal("1.25")
    assert impact.support_cost == Decimal("58.33")  # 50 min at 40 + 25 min at 60
    assert (impact.developer_hours, impact.developer_cost) == (Decimal("2.00"),
                                                                Decimal("220.00"))
    assert impact.estimated_fix_cost == Decimal("660.00")  # 6 h at 110
    # 262,000 is over ten times a 660 fix.
    assert impact.recommendation == "fix_now"
    assert impact.why[0] == "4 tickets linked, 3 still open, from 2 organizations (1 on " \
                            "Premium, 1 on Standard)."
    assert impact.why[1] == "The organizations affected are worth 262,000 EUR a year in " \
                            "contracts."
    assert impact.why[-1] == "Fix now: the customers affected are worth over 10 times the " \
                             "estimated fix."


def test_without_contract_values_no_sentence_names_an_amount(lena, alice):
    problem = services.create_problem(lena, title="Charts blank in Firefox",
                                      tickets=[make_ticket(alice, "Charts blank")])
    impact = problem_impact(problem, show_values=False)
    assert impact.contract_value is None
    assert not any("250,000" in sentence for sentence in impact.why)


def test_wide_reach_means_fix_now(lena, standard_plan):
    tickets = []
    for index, name in enumerate(["Umbrella", "Hooli", "Vandelay"]):
        org = OrganizationFactory(name=name, plan=standard_plan, annual_contract_value=0)
        person = ContactFactory(name=f"Person {index}", organization=org,
                                email=f"p{index}@{name.lower()}.example")
        tickets.append(make_ticket(person, f"Sync fails ({name})"))
    problem = services.create_problem(lena, title="Sync fails", tickets=tickets)
    impact = problem_impact(problem)
    assert impact.recommendation == "fix_now"
    assert impact.why[-1] == "Fix now: one fix serves every customer who reports it."


def test_a_small_problem_with_a_workaround_keeps_the_workaround_else_is_accepted(lena, bob):
    CostSettings.objects.create(tier3_hourly=Decimal("250"))
    ticket = make_ticket(bob, "Tooltip cut off")
    problem = services.create_problem(lena, title="Tooltip cut off", tickets=[ticket])
    # Initech's 12,000 covers a 1,500 fix, but not ten times over.
    assert problem_impact(problem).recommendation == "workaround"
    bob.organization.annual_contract_value = 0
    bob.organization.save()
    impact = problem_impact(problem)
    assert impact.recommendation == "accept"
    assert impact.why[-1].startswith("Accept: few customers")
    problem = services.update_problem(problem, lena, {"workaround": "Widen the window."})
    impact = problem_impact(problem)
    assert impact.recommendation == "workaround"
    assert impact.why[-1].startswith("Workaround: a workaround is written down")
