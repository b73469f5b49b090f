"""A path under /api/v1/ that names no operation answers the API's JSON 404, whatever
the method and whether or not a token is sent: never Django's HTML pages (the CSRF
refusal a PUT or POST used to get, or the site's 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import field_errors


@pytest.mark.parametrize(("method", "path"), [
    ("put", "/api/v1/nope"),
    ("post", "/api/v1/tickets/FL-1/no-such-action"),
    ("delete", "/api/v1/organisations/7"),
    ("patch", "/api/v1/tickets/FL-1/messages/3/edit"),
    ("get", "/api/v1/über/ünknown"),
    ("options", "/api/v1/v2/tickets"),
    # An encoded newline in a segment (found by schemathesis): "." in the catch-all's
    # pattern did not match it, and the site's HTML 404 answered.
    ("patch", "/api/v1/problems/%C3%90D%0A%08"),
    ("get", "/api/v1/no%0Asuch/path"),
])
def test_an_unknown_api_path_answers_json_404(db, method, path):
    # A browser-like client: CSRF checks on, a session cookie jar, no token.
    client = Client(enforce_csrf_checks=True)
    response = client.generic(method.upper(), path, data="{}", content_type="application/json")
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert field_errors(response) == {}
    assert "There is no API endpoint" in response.json()["detail"]


def test_an_unknown_path_answers_404_to_a_signed_in_client_too(api, otto):
    response = api(otto).put("/tickets/FL-1/owner", {"owner": "otto"})
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no API endpoint /api/v1/tickets/FL-1/owner."
