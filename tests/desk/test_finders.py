"""The desk reaches records through their owners' finders, like the API: a form
value that names nothing is shown next to its field (422); a settings page for a
record that does not exist is a 404."""

from __future__ import annotations

import pytest

from frontline.sla.models import SlaPolicy


@pytest.mark.parametrize("path", ["/settings/teams/987654", "/settings/plans/987654",
                                  "/settings/policies/987654", "/settings/calendars/987654"])
def test_a_settings_page_for_a_missing_record_is_404(signed_in, ada, path):
    assert signed_in(ada).get(path).status_code == 404


def test_a_team_gone_since_the_policy_form_was_shown_is_refused_next_to_its_field(
        signed_in, ada, standard_plan, otto):
    form = {"plan": str(standard_plan.pk), "priority": "", "calendar": "",
            "first_response_minutes": "2h", "warn_percent": "75", "move_to_team": "987654"}
    client = signed_in(ada)
    refused = client.post("/settings/policies/new", form)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "No team &#x27;987654&#x27;." in page
    assert 'name="move_to_team" aria-invalid="true"' in page
    assert not SlaPolicy.objects.exists()

    specialists = otto.teams.get()
    saved = client.post("/settings/policies/new", {**form, "move_to_team": str(specialists.pk)})
    assert saved.status_code == 302
    assert SlaPolicy.objects.get().move_to_team == specialists
