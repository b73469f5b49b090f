"""Who may call which API operation: every operation of the OpenAPI schema (so a new
one cannot be added without a row here), against every role, each outcome written
down. The desk's pages have their own table (tests/desk/test_authorization_matrix.py).

Roles, in column order: anonymous (no token), a customer sending their ticket link's
token as a Bearer token (it is no key to the API), viewer, developer, tier-1 agent,
tier-2 agent, admin, each with a token of their own. Records come from one world
(tests/authorization.World): the ticket is at tier 1, so a developer is refused it.
Bodies are empty (`{}`): a role that is let in meets BAD (422, the missing fields
named) or OK, one that is not meets 401 or 403.
"""

from __future__ import annotations

import pytest

from frontline.api.api import api
from tests.authorization import ROLES, Row, World, cell

# Which record a path parameter names where its name alone does not say (keys of
# World.ids).
RECORDS: dict[str, dict[str, str]] = {
    "plan": {"plan": "plan_slug"},
    "routing-rules": {"rule_id": "routing_rule"},
    "escalation-rules": {"rule_id": "escalation_rule"},
    "products": {"slug": "product"},
}

# An empty body fails the schema of an operation with required fields before its
# handler asks who is calling: there BAD stands for every role let past the token,
# and the role's rule shows in the operation's GET, PATCH or DELETE rows.
ROWS: dict[str, Row] = {
    "GET /api/v1/me": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/tickets": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/tickets": Row("GET", "401 401 OK OK OK OK OK"),
    "GET /api/v1/tickets/{reference}": Row("GET", "401 401 OK 403 OK OK OK"),
    "PATCH /api/v1/tickets/{reference}": Row("PATCH", "401 401 OK 403 OK OK OK"),
    "PATCH /api/v1/tickets/{reference}/facts": Row("PATCH", "401 401 BAD BAD BAD BAD BAD"),
    "POST /api/v1/tickets/{reference}/messages": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "POST /api/v1/tickets/{reference}/merge": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/tickets/{reference}/escalation-assessment": Row("GET", "401 401 OK 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/escalate": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "POST /api/v1/tickets/{reference}/de-escalate": Row("POST", "401 401 403 403 BAD BAD BAD"),
    "GET /api/v1/organizations": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/organizations": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/organizations/{organization_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/organizations/{organization_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "GET /api/v1/contacts": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/contacts": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/contacts/{contact_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/contacts/{contact_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "GET /api/v1/search": Row("GET", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/search/people": Row("GET", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/tickets/{reference}/time": Row("GET", "401 401 OK 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/time": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/reports/sla-compliance": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/reports/intake": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/plans": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/plans": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/plans/{plan}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/plans/{plan}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/plans/{plan}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/sla-policies": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/sla-policies": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/sla-policies/{policy_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/sla-policies/{policy_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/sla-policies/{policy_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/calendars": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/calendars": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/calendars/{calendar_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/calendars/{calendar_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/calendars/{calendar_id}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/teams": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/teams": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/teams/{team_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/teams/{team_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/teams/{team_id}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "PATCH /api/v1/teams/{team_id}/members/{username}": Row("PATCH", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/routing-rules": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/routing-rules": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/routing-rules/{rule_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/routing-rules/{rule_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/routing-rules/{rule_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/escalation-rules": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/escalation-rules": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/escalation-rules/{rule_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/escalation-rules/{rule_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/escalation-rules/{rule_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/categories": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/categories": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/categories/{slug}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/categories/{slug}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "GET /api/v1/categories/{slug}/questions": Row("GET", "401 401 OK OK OK OK OK"),
    "PUT /api/v1/categories/{slug}/questions": Row("PUT", "401 401 BAD BAD BAD BAD BAD"),
    "POST /api/v1/categories/{slug}/questions/publish": Row("POST", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/insights/alerts": Row("GET", "401 401 403 403 OK OK OK"),
    "GET /api/v1/insights/alerts/{alert_id}/advisory": Row("GET", "401 401 403 403 OK OK OK"),
    "POST /api/v1/insights/alerts/{alert_id}/advisory": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/insights/versions": Row("GET", "401 401 403 403 OK OK OK"),
    "GET /api/v1/insights/organizations": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/problems": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/problems": Row("POST", "401 401 403 403 BAD BAD BAD"),
    "POST /api/v1/problems/webhook": Row("POST", "403 403 403 403 403 403 403"),
    "GET /api/v1/problems/{problem_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/problems/{problem_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "POST /api/v1/problems/{problem_id}/tickets": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "DELETE /api/v1/problems/{problem_id}/tickets/{reference}":
        Row("DELETE", "401 401 403 403 OK OK OK"),
    "POST /api/v1/problems/{problem_id}/workaround": Row("POST", "401 401 403 403 BAD BAD BAD"),
    "GET /api/v1/products": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/products": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/products/{slug}": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/products/{slug}/versions": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    # Bulk changes and saved views, new and still in the works (no saved view yet).
    "POST /api/v1/tickets/bulk": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/views": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/views": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "DELETE /api/v1/views/{view_id}": Row("DELETE", "401 401 404 404 404 404 404"),
    "PATCH /api/v1/views/{view_id}": Row("PATCH", "401 401 BAD BAD BAD BAD BAD"),
    # Canned replies, new and still in the works: the world holds no macro yet.
    "GET /api/v1/macros": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/macros": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "PATCH /api/v1/macros/{macro_id}": Row("PATCH", "401 401 404 404 404 404 404"),
    "DELETE /api/v1/macros/{macro_id}": Row("DELETE", "401 401 404 404 404 404 404"),
    "POST /api/v1/tickets/{reference}/macros/{macro_id}":
        Row("POST", "401 401 403 403 404 404 404"),
    "GET /api/v1/webhooks": Row("GET", "401 401 403 403 403 403 OK"),
    "POST /api/v1/webhooks": Row("POST", "401 401 BAD BAD BAD BAD BAD"),
    "PATCH /api/v1/webhooks/{endpoint_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/webhooks/{endpoint_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries": Row("GET", "401 401 403 403 403 403 OK"),
    "POST /api/v1/webhooks/{endpoint_id}/test": Row("POST", "401 401 403 403 403 403 OK"),
}


@pytest.fixture
def world(ada, lena, otto, dana, vera, bob, standard_plan, premium_plan, frontdesk):
    return World({"admin": ada, "tier1": lena, "tier2": otto, "developer": dana,
                  "viewer": vera, "standard_plan": standard_plan,
                  "premium_plan": premium_plan})


def _operations() -> dict[str, str]:
    """{"GET /api/v1/tickets/{reference}": its path} for every operation in the schema."""
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}": path
            for path, operations in schema["paths"].items() for method in operations}


def _records(path: str) -> dict[str, str]:
    for marker, records in RECORDS.items():
        if f"/{marker}" in path.replace("/plans/{plan}", "/plan"):
            return records
    return {}


def _send(world: World, role: str, operation: str) -> str:
    method, path = operation.split(" ", 1)
    body = {"data": "{}", "content_type": "application/json"} if method in (
        "POST", "PATCH", "PUT") else {}
    return cell(world.api_client(role), method, world.path(path, role, _records(path)), **body)


def test_every_operation_has_a_row():
    missing = sorted(set(_operations()) - set(ROWS))
    assert not missing, f"add a row to ROWS for {missing}"
    gone = sorted(set(ROWS) - set(_operations()))
    assert not gone, f"remove the rows of operations that no longer exist: {gone}"


def test_every_role_meets_the_outcome_written_down(world):
    wrong = []
    for operation, row in ROWS.items():
        assert operation.startswith(row.method + " ")
        for role, expected in row.outcomes().items():
            found = _send(world, role, operation)
            if found != expected:
                wrong.append(f"{operation} as {role}: {found}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def discover(world: World) -> list[str]:
    """Rows as the operations answer now, for operations without one: a person checks
    each before it goes into ROWS."""
    return [f'    "{operation}": Row("{operation.split()[0]}", "'
            + " ".join(_send(world, role, operation) for role in ROLES) + '"),'
            for operation in _operations() if operation not in ROWS]
