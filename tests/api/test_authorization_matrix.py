"""Who may call which API operation: every operation of the OpenAPI schema (so a new
one cannot be added without a row here), against every role, each outcome written
down. The desk's pages have their own table (tests/desk/test_authorization_matrix.py).

Roles, in column order: anonymous (no token), a customer sending their ticket link's
token as a Bearer token (it is no key to the API), viewer, developer, tier-1 agent,
tier-2 agent, admin, each with a token of their own. Records come from one world
(tests/authorization.World, with a second ticket, a shared canned reply and a saved
view of the tier-1 agent's added here): the ticket is at tier 1, so a developer is
refused it. Each POST, PATCH and PUT sends a valid body (BODIES), so that a role let
in meets the operation's real answer (OK, or BAD only where the world's state refuses
the change, as a de-escalation of a tier-1 ticket) and one that is not meets 401 or
403, never a 422 that hides the permission check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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

Body = Callable[[dict[str, Any]], dict[str, Any]]

# A valid body per operation that takes one, from the world's records (World.ids).
BODIES: dict[str, Body] = {
    "POST /api/v1/tickets": lambda ids: {
        "subject": "Export nach CSV verliert Umlaute",
        "body": "Beim Export wird aus Müller & Söhne M?ller & S?hne.",
        "requester_email": "jana@standard.example"},
    "PATCH /api/v1/tickets/{reference}": lambda ids: {"priority": "high"},
    "PATCH /api/v1/tickets/{reference}/facts": lambda ids: {
        "facts": {"report-name": "Monthly revenue"}},
    "POST /api/v1/tickets/{reference}/messages": lambda ids: {
        "kind": "note", "body": "Reproduced on 5.1 with an empty ledger."},
    "POST /api/v1/tickets/{reference}/merge": lambda ids: {
        "into": ids["other_reference"], "confirm_other_customer": True},
    "POST /api/v1/tickets/{reference}/escalate": lambda ids: {
        "tier": 2, "reason": "The report query needs a database check.",
        "tried": "Rebuilt the report cache; still empty."},
    "POST /api/v1/tickets/{reference}/de-escalate": lambda ids: {
        "note": "Tell them the cache rebuild is the fix."},
    "POST /api/v1/tickets/bulk": lambda ids: {
        "references": [ids["reference"]], "changes": {"priority": "urgent"}},
    "POST /api/v1/views": lambda ids: {"name": "Urgent first", "queue": "open"},
    "PATCH /api/v1/views/{view_id}": lambda ids: {"name": "Mes tickets ouverts"},
    "POST /api/v1/organizations": lambda ids: {
        "name": "Umbrella Health", "domains": ["umbrella.example"]},
    "PATCH /api/v1/organizations/{organization_id}": lambda ids: {
        "notes": "Renewal talks start in March."},
    "POST /api/v1/contacts": lambda ids: {
        "emails": ["nadia.petrova@standard.example"], "name": "Надя Петрова",
        "organization": ids["organization"]},
    "PATCH /api/v1/contacts/{contact_id}": lambda ids: {"phone": "+49 30 1234567"},
    "POST /api/v1/tickets/{reference}/time": lambda ids: {
        "minutes": 25, "note": "Read the export logs"},
    "POST /api/v1/plans": lambda ids: {"name": "Gold 24/7", "annual_price": "48000.00"},
    "PATCH /api/v1/plans/{plan}": lambda ids: {"description": "Answers within two days."},
    "POST /api/v1/sla-policies": lambda ids: {
        "plan": ids["plan_slug"], "priority": "urgent", "first_response_minutes": 60},
    "PATCH /api/v1/sla-policies/{policy_id}": lambda ids: {"first_response_minutes": 180},
    "POST /api/v1/calendars": lambda ids: {"name": "Tokyo office", "timezone": "Asia/Tokyo"},
    "PATCH /api/v1/calendars/{calendar_id}": lambda ids: {
        "description": "Closed on Berlin's public holidays."},
    "POST /api/v1/teams": lambda ids: {"name": "Billing desk", "tier": 1},
    "PATCH /api/v1/teams/{team_id}": lambda ids: {"name": "Frontdesk Europe"},
    "PATCH /api/v1/teams/{team_id}/members/{username}": lambda ids: {"away": True},
    "POST /api/v1/routing-rules": lambda ids: {
        "name": "Invoices are urgent", "words": ["invoice"], "set_priority": "urgent"},
    "PATCH /api/v1/routing-rules/{rule_id}": lambda ids: {"active": False},
    "POST /api/v1/escalation-rules": lambda ids: {
        "name": "Urgent to tier 3", "to_tier": 3, "min_priority": "urgent"},
    "PATCH /api/v1/escalation-rules/{rule_id}": lambda ids: {"active": False},
    "POST /api/v1/categories": lambda ids: {"name": "Billing"},
    "PATCH /api/v1/categories/{slug}": lambda ids: {"description": "Reports and exports."},
    "PUT /api/v1/categories/{slug}/questions": lambda ids: {"questions": [{
        "key": "report-name", "text": "Which report is empty?",
        "why": "Each report runs its own query.", "type": "text"}]},
    "POST /api/v1/insights/alerts/{alert_id}/advisory": lambda ids: {
        "text": "Version 5.1.2 fixes the empty monthly report.",
        "organizations": [ids["organization"]]},
    "POST /api/v1/problems": lambda ids: {"title": "CSV export drops umlauts"},
    "PATCH /api/v1/problems/{problem_id}": lambda ids: {
        "description": "The 5.1 report query filters on the wrong date column."},
    "POST /api/v1/problems/{problem_id}/tickets": lambda ids: {
        "references": [ids["other_reference"]]},
    "POST /api/v1/problems/{problem_id}/workaround": lambda ids: {
        "text": "Run the report week by week until 5.1.2."},
    "POST /api/v1/products": lambda ids: {"name": "Atlas Server"},
    "POST /api/v1/products/{slug}/versions": lambda ids: {
        "version": "5.2.0", "released_on": "2026-11-02"},
    "POST /api/v1/macros": lambda ids: {
        "title": "Ask for the log file", "body": "Could you send us the export log?"},
    "PATCH /api/v1/macros/{macro_id}": lambda ids: {"title": "Ask for the export log"},
    "POST /api/v1/webhooks": lambda ids: {"url": "https://hooks.example.org/support"},
    "PATCH /api/v1/webhooks/{endpoint_id}": lambda ids: {"active": False},
}

ROWS: dict[str, Row] = {
    "GET /api/v1/me": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/tickets": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/tickets": Row("GET", "401 401 OK OK OK OK OK"),
    "GET /api/v1/tickets/{reference}": Row("GET", "401 401 OK 403 OK OK OK"),
    "PATCH /api/v1/tickets/{reference}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "PATCH /api/v1/tickets/{reference}/facts": Row("PATCH", "401 401 403 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/messages": Row("POST", "401 401 403 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/merge": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/tickets/{reference}/escalation-assessment": Row("GET", "401 401 OK 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/escalate": Row("POST", "401 401 403 403 OK OK OK"),
    # The world's ticket is at tier 1: it cannot go lower (409).
    "POST /api/v1/tickets/{reference}/de-escalate": Row("POST", "401 401 403 403 BAD BAD BAD"),
    "GET /api/v1/organizations": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/organizations": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/organizations/{organization_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/organizations/{organization_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "GET /api/v1/contacts": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/contacts": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/contacts/{contact_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/contacts/{contact_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "GET /api/v1/search": Row("GET", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/search/people": Row("GET", "401 401 BAD BAD BAD BAD BAD"),
    "GET /api/v1/tickets/{reference}/time": Row("GET", "401 401 OK 403 OK OK OK"),
    "POST /api/v1/tickets/{reference}/time": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/reports/sla-compliance": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/reports/intake": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/plans": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/plans": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/plans/{plan}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/plans/{plan}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/plans/{plan}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/sla-policies": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/sla-policies": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/sla-policies/{policy_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/sla-policies/{policy_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/sla-policies/{policy_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/sla-recompute": Row("GET", "401 401 OK OK OK OK OK"),
    "GET /api/v1/calendars": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/calendars": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/calendars/{calendar_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/calendars/{calendar_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/calendars/{calendar_id}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/teams": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/teams": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/teams/{team_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/teams/{team_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/teams/{team_id}": Row("DELETE", "401 401 403 403 403 403 BAD"),
    "PATCH /api/v1/teams/{team_id}/members/{username}": Row("PATCH", "401 401 403 403 OK 403 OK"),
    "GET /api/v1/routing-rules": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/routing-rules": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/routing-rules/{rule_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/routing-rules/{rule_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/routing-rules/{rule_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/escalation-rules": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/escalation-rules": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/escalation-rules/{rule_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/escalation-rules/{rule_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/escalation-rules/{rule_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/categories": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/categories": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/categories/{slug}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/categories/{slug}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "GET /api/v1/categories/{slug}/questions": Row("GET", "401 401 OK OK OK OK OK"),
    "PUT /api/v1/categories/{slug}/questions": Row("PUT", "401 401 403 403 403 403 OK"),
    "POST /api/v1/categories/{slug}/questions/publish": Row("POST", "401 401 403 403 403 403 BAD"),
    "GET /api/v1/insights/alerts": Row("GET", "401 401 403 403 OK OK OK"),
    "GET /api/v1/insights/alerts/{alert_id}/advisory": Row("GET", "401 401 403 403 OK OK OK"),
    "POST /api/v1/insights/alerts/{alert_id}/advisory": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/insights/versions": Row("GET", "401 401 403 403 OK OK OK"),
    "GET /api/v1/insights/organizations": Row("GET", "401 401 OK 403 OK OK OK"),
    "GET /api/v1/problems": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/problems": Row("POST", "401 401 403 403 OK OK OK"),
    "POST /api/v1/problems/webhook": Row("POST", "403 403 403 403 403 403 403"),
    "GET /api/v1/problems/{problem_id}": Row("GET", "401 401 OK OK OK OK OK"),
    "PATCH /api/v1/problems/{problem_id}": Row("PATCH", "401 401 403 403 OK OK OK"),
    "POST /api/v1/problems/{problem_id}/tickets": Row("POST", "401 401 403 403 OK OK OK"),
    "DELETE /api/v1/problems/{problem_id}/tickets/{reference}":
        Row("DELETE", "401 401 403 403 OK OK OK"),
    "POST /api/v1/problems/{problem_id}/workaround": Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/products": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/products": Row("POST", "401 401 403 403 403 403 OK"),
    "GET /api/v1/products/{slug}": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/products/{slug}/versions": Row("POST", "401 401 403 403 403 403 OK"),
    # A bulk change answers 200 with a result per ticket; a role that may not change
    # a ticket finds it "refused" (403) there. Saved views are their owner's (the
    # tier-1 agent's): others do not find them.
    "POST /api/v1/tickets/bulk": Row("POST", "401 401 OK OK OK OK OK"),
    "GET /api/v1/views": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/views": Row("POST", "401 401 OK OK OK OK OK"),
    "DELETE /api/v1/views/{view_id}": Row("DELETE", "401 401 404 404 OK 404 404"),
    "PATCH /api/v1/views/{view_id}": Row("PATCH", "401 401 404 404 OK 404 404"),
    # Canned replies: anyone who writes may keep one of their own; the world's is
    # shared with the desk, which only an admin changes.
    "GET /api/v1/macros": Row("GET", "401 401 OK OK OK OK OK"),
    "POST /api/v1/macros": Row("POST", "401 401 403 OK OK OK OK"),
    "PATCH /api/v1/macros/{macro_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/macros/{macro_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "POST /api/v1/tickets/{reference}/macros/{macro_id}":
        Row("POST", "401 401 403 403 OK OK OK"),
    "GET /api/v1/webhooks": Row("GET", "401 401 403 403 403 403 OK"),
    "POST /api/v1/webhooks": Row("POST", "401 401 403 403 403 403 OK"),
    "PATCH /api/v1/webhooks/{endpoint_id}": Row("PATCH", "401 401 403 403 403 403 OK"),
    "DELETE /api/v1/webhooks/{endpoint_id}": Row("DELETE", "401 401 403 403 403 403 OK"),
    "GET /api/v1/webhooks/{endpoint_id}/deliveries": Row("GET", "401 401 403 403 403 403 OK"),
    "POST /api/v1/webhooks/{endpoint_id}/test": Row("POST", "401 401 403 403 403 403 OK"),
}


@pytest.fixture
def world(ada, lena, otto, dana, vera, bob, standard_plan, premium_plan, frontdesk):
    from frontline.kb.macros import create_macro
    from frontline.problems import services as problems
    from frontline.tickets.services.saved_views import save_view
    from tests.mail.inbound_mails import compose, deliver

    world = World({"admin": ada, "tier1": lena, "tier2": otto, "developer": dana,
                   "viewer": vera, "standard_plan": standard_plan,
                   "premium_plan": premium_plan})
    # What only the API's operations name: a second ticket (merge into, link to a
    # problem), a canned reply shared with the desk and the tier-1 agent's saved view.
    other = deliver(compose(sender="Alice Premium <alice@premium.example>",
                            subject="Le rapport annuel est vide aussi",
                            body="Même problème avec le rapport annuel depuis la 5.1."))
    world.ids["other_reference"] = other.ticket.reference
    world.ids["macro_id"] = create_macro(
        ada, title="Thanks for the logs", body="Thank you, the logs help.", shared=True).pk
    world.ids["view_id"] = save_view(lena, "Frontdesk, oldest first", "open", {}).pk
    # A workaround written down, for the push of it to reach its permission check.
    problems.update_problem(problems.get_problem(world.ids["problem"]), ada,
                            {"workaround": "Run the report week by week."})
    return world


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
    body = {}
    if operation in BODIES:
        body = {"data": json.dumps(BODIES[operation](world.ids)),
                "content_type": "application/json"}
    return cell(world.api_client(role), method, world.path(path, role, _records(path)), **body)


def test_every_operation_that_takes_a_body_has_a_valid_one():
    """An operation whose schema takes a JSON body is sent one in the matrix."""
    schema = api.get_openapi_schema()
    taking = {f"{method.upper()} {path}" for path, operations in schema["paths"].items()
              for method, operation in operations.items()
              if "application/json" in operation.get("requestBody", {}).get("content", {})}
    assert sorted(taking - set(BODIES)) == []
    assert sorted(set(BODIES) - taking) == []


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
