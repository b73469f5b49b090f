"""The organization page's plan form with dates at the edges: a clear answer or the
page again, never a 500 (issue 11's fuzzing found one when no plan was chosen)."""

from __future__ import annotations

import pytest

from frontline import workflow
from frontline.customers.models import Plan
from tests.factories import OrganizationFactory


@pytest.mark.parametrize(("starts", "ends"), [
    ("0001-01-01", "9999-12-31"), ("²", ""), ("2026-13-01", "x"),
    ("2030-01-01", "2020-01-01"), ("1900-01-01", "1900-01-02"), ("2999-12-31", "")])
@pytest.mark.parametrize("with_plan", [True, False])
def test_odd_contract_dates_never_break_the_page(signed_in, ada, starts, ends, with_plan):
    organization = OrganizationFactory(name="Odd dates", domains=["odd.example"])
    workflow.open_ticket(requester_email="kim@odd.example", subject="Hallo", body="Frage")
    plan = Plan.objects.filter(per_incident=False).first()
    chosen = plan.slug if with_plan and plan else ""
    client = signed_in(ada)
    answer = client.post(f"/o/{organization.pk}/plan", {
        "plan": chosen, "plan_starts_on": starts, "plan_ends_on": ends})
    assert answer.status_code in (302, 422), answer.status_code
    page = client.get(f"/o/{organization.pk}")
    assert page.status_code == 200
    if answer.status_code == 302 and chosen:
        assert f'<option value="{chosen}" selected>' in page.content.decode()
