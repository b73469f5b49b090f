"""Upgrade early warning: the advisory to organizations at risk
(frontline.workflow.advisories), recorded on each chosen organization's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.core.models import User
from frontline.customers.models import OrganizationNote
from frontline.insights import alerts, detection
from frontline.workflow import advisories
from tests.insights.customer_base import customer_base, with_setups

DAY = timedelta(days=1)


@pytest.fixture
def view(db: None, lena: User) -> alerts.AlertView:
    base = with_setups(customer_base(12))
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run(limit=None)
    return alerts.list_alerts(lena)[0]


def test_the_draft_names_the_setup_and_the_version(view: alerts.AlertView) -> None:
    text = advisories.draft_advisory(view)
    assert "customers running database=oracle on Ledger 5.1" in text
    assert "you are not on Ledger 5.1 yet" in text and view.alert.title in text


def test_the_advisory_is_recorded_on_each_chosen_organization(view: alerts.AlertView,
                                                              lena: User) -> None:
    d, e = (risk.organization for risk in view.at_risk)
    notes = advisories.send_advisory(lena, view, "  Please wait with 5.1.  ", [str(d.pk)])
    assert len(notes) == 1
    note = OrganizationNote.objects.get()
    assert (note.organization, note.text, note.author, note.kind) == (
        d, "Please wait with 5.1.", lena, "advisory")
    assert note.detail == {"alert": view.alert.pk, "title": view.alert.title}
    assert not OrganizationNote.objects.filter(organization=e).exists()


def test_an_advisory_needs_text_and_organizations(view: alerts.AlertView, lena: User) -> None:
    with pytest.raises(InvalidInput, match="Write the advisory"):
        advisories.send_advisory(lena, view, " ", [view.at_risk[0].organization.pk])
    with pytest.raises(InvalidInput, match="at least one organization"):
        advisories.send_advisory(lena, view, "Wait.", [])
    with pytest.raises(InvalidInput, match="by id"):
        advisories.send_advisory(lena, view, "Wait.", ["D"])
    assert not OrganizationNote.objects.exists()


def test_viewers_may_not_send_advisories(view: alerts.AlertView, vera: User) -> None:
    with pytest.raises(NotAllowed):
        advisories.send_advisory(vera, view, "Wait.", [view.at_risk[0].organization.pk])
