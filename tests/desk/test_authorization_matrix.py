"""Who reaches which page: every URL Django knows (desk, portal, request form, mail
webhooks, the API's own pages), taken from the URL resolver, against every role,
each outcome written down. A new URL without a row here fails with "add a row";
the API's operations have their own table (tests/api/test_authorization_matrix.py).

Roles, in column order: anonymous, a customer holding the signed link to their
ticket, viewer (vera), developer (dana), tier-1 agent (lena), tier-2 agent (otto),
admin (ada). Pages take their records from one world (tests/authorization.World):
a tier-1 ticket, so a developer, who works tier 3, is refused it. Portal pages are
opened by the customer with their link and by everyone else with a link that is
not ours. Requests send no form fields: a role that is let in meets BAD (its empty
input refused) or OK/GO, one that is not meets LOGIN, 403 or 404.
"""

from __future__ import annotations

import pytest

from tests.authorization import ROLES, Row, World, cell, resolver_routes

# Ninja's operations under /api/v1/: the API's table covers them, from the schema.
# The API's own pages (its schema, its docs, its JSON 404) are rows here.
API_NAMESPACE = "api-v1:"
API_PAGES = {"api-v1:openapi-json", "api-v1:openapi-view"}

# Which record a route's `pk` (or `day`) names: keys of World.ids.
RECORDS: dict[str, dict[str, str]] = {
    "portal:attachment": {"pk": "attachment"},
    "desk:attachment": {"pk": "attachment"},
    "desk:message_html": {"pk": "message"},
    "desk:undo_reply": {"pk": "message"},
    "desk:inbound_raw": {"pk": "inbound"},
    "desk:inbound_retry": {"pk": "inbound"},
    "desk:organization": {"pk": "organization"},
    "desk:organization_plan": {"pk": "organization"},
    "desk:organization_setup": {"pk": "organization"},
    "desk:insight_dismiss": {"pk": "alert"},
    "desk:insight_problem": {"pk": "alert"},
    "desk:insight_advisory": {"pk": "alert"},
    "desk:mail_mailbox_remove": {"pk": "mailbox"},
    "desk:mail_mailbox_poll": {"pk": "mailbox"},
    "desk:settings_plan": {"pk": "plan"},
    "desk:settings_plan_delete": {"pk": "plan"},
    "desk:settings_policy": {"pk": "policy"},
    "desk:settings_policy_delete": {"pk": "policy"},
    "desk:settings_calendar": {"pk": "calendar"},
    "desk:settings_calendar_delete": {"pk": "calendar"},
    "desk:settings_closed_day_add": {"pk": "calendar"},
    "desk:settings_closed_day_remove": {"pk": "calendar", "day": "closed_day"},
    "desk:time_edit": {"pk": "time_entry"},
    "desk:time_delete": {"pk": "time_entry"},
    "desk:routing_team": {"pk": "team"},
    "desk:routing_team_delete": {"pk": "team"},
    "desk:routing_member_away": {"pk": "team"},
    "desk:routing_rule": {"pk": "routing_rule"},
    "desk:routing_rule_delete": {"pk": "routing_rule"},
    "desk:routing_rule_move": {"pk": "routing_rule"},
    "desk:escalation_rule": {"pk": "escalation_rule"},
    "desk:escalation_rule_delete": {"pk": "escalation_rule"},
    "desk:escalation_rule_move": {"pk": "escalation_rule"},
    "desk:problem": {"pk": "problem"},
    "desk:webhook": {"pk": "webhook"},
    "desk:webhook_edit": {"pk": "webhook"},
    "desk:webhook_rotate": {"pk": "webhook"},
    "desk:webhook_test": {"pk": "webhook"},
    "desk:webhook_delete": {"pk": "webhook"},
    "desk:problem_edit": {"pk": "problem"},
    "desk:problem_link": {"pk": "problem"},
    "desk:problem_unlink": {"pk": "problem"},
    "desk:problem_workaround": {"pk": "problem"},
}

# Every other route: how it is reached, and its outcome per role (ROLES order).
ROWS: dict[str, Row] = {
    # Open to everyone: health, the API's schema and docs (its operations need a token),
    # and the API's JSON 404.
    "healthz": Row("GET", "OK OK OK OK OK OK OK"),
    "api-v1:openapi-json": Row("GET", "OK OK OK OK OK OK OK"),
    "api-v1:openapi-view": Row("GET", "OK OK OK OK OK OK OK"),
    "^(?P<rest>[\\s\\S]*)$": Row("GET", "404 404 404 404 404 404 404"),
    # Customers' pages: only the signed link opens a ticket; a staff session is no key.
    "portal:new_link": Row("POST", "BAD BAD BAD BAD BAD BAD BAD"),
    "portal:link_sent": Row("GET", "OK OK OK OK OK OK OK"),
    "portal:ticket": Row("GET", "403 OK 403 403 403 403 403"),
    "portal:reply": Row("POST", "403 BAD 403 403 403 403 403"),
    "portal:solved": Row("POST", "403 BAD 403 403 403 403 403"),
    "portal:answers": Row("GET", "403 OK 403 403 403 403 403"),
    "portal:attachment": Row("GET", "403 OK 403 403 403 403 403"),
    "portal_request:form": Row("GET", "OK OK OK OK OK OK OK"),
    "portal_request:questions": Row("POST", "BAD BAD BAD BAD BAD BAD BAD"),
    "portal_request:sent": Row("GET", "404 404 404 404 404 404 404"),
    # The desk: signed-in staff only; what each role may do is core/permissions.py's.
    "desk:login": Row("GET", "OK OK GO GO GO GO GO"),
    "desk:logout": Row("POST", "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "desk:home": Row("GET", "LOGIN LOGIN GO GO GO GO GO"),
    "desk:queue": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:ticket": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:post_message": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:check_reply": Row("POST", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:save_draft": Row("POST", "LOGIN LOGIN 403 403 OK OK OK"),
    # Undo send: the world's message is no reply of theirs to take back.
    "desk:undo_reply": Row("POST", "LOGIN LOGIN 403 403 404 404 404"),
    "desk:presence": Row("POST", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:set_field": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:set_fact": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:send_follow_up": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:merge": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:link": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:reopen": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:attachment": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:message_html": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:inbound_mail": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:inbound_raw": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:inbound_retry": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:organization": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:search": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:insights": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:insight_peers": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:insight_dismiss": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:insight_problem": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:insight_advisory": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:ticket_similar": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:mail_settings": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:mail_mailbox_add": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:mail_mailbox_remove": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:mail_mailbox_poll": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:settings_support": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_plans": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_plan": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_plan_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:settings_policies": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_policy_new": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_policy": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_policy_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:settings_calendars": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_calendar": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_calendar_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:settings_closed_day_add": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:settings_closed_day_remove": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:settings_costs": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:organization_plan": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:organization_setup": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:ticket_time": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:time_start": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:time_stop": Row("POST", "LOGIN LOGIN GO 403 GO GO GO"),
    "desk:time_leave": Row("POST", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:ticket_new": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:time_add": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:time_edit": Row("POST", "LOGIN LOGIN 403 403 GO 403 GO"),
    "desk:time_delete": Row("POST", "LOGIN LOGIN 403 403 GO 403 GO"),
    "desk:reports": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:escalation_dialog": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:escalate": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:de_escalate": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:developers": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:brief_similar": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:buy_premium": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:routing_teams": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:routing_team": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:routing_team_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:routing_member_away": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:routing_rules": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:routing_rule_new": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:routing_rule": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:routing_rule_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:routing_rule_move": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:escalation_rules": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:escalation_rule_new": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:escalation_rule": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:escalation_rule_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:escalation_rule_move": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:settings_categories": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_category": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_category_preview": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_category_publish": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:settings_question_add": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_question": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:settings_question_action": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:call_new": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:call_lookup": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:call_questions": Row("POST", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:notifications": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:notifications_read": Row("POST", "LOGIN LOGIN GO GO GO GO GO"),
    "desk:notifications_mail": Row("POST", "LOGIN LOGIN GO GO GO GO GO"),
    # The note composer's @-autocomplete: staff who may see the ticket (a tier-1 one).
    "desk:mentionable": Row("GET", "LOGIN LOGIN OK 403 OK OK OK"),
    "desk:problems": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:problem_new": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:problem": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:problem_edit": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:problem_link": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:problem_unlink": Row("POST", "LOGIN LOGIN 403 403 GO GO GO"),
    "desk:problem_workaround": Row("GET", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    "desk:ticket_problem": Row("POST", "LOGIN LOGIN 403 403 BAD BAD BAD"),
    # Canned replies, new and still in the works: the world holds no macro yet, so the
    # pages that name one answer their 404 to every role let in.
    "desk:macros": Row("GET", "LOGIN LOGIN OK OK OK OK OK"),
    "desk:webhooks": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:webhook_add": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:webhook": Row("GET", "LOGIN LOGIN 403 403 403 403 OK"),
    "desk:webhook_edit": Row("POST", "LOGIN LOGIN 403 403 403 403 BAD"),
    "desk:webhook_rotate": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:webhook_test": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:webhook_delete": Row("POST", "LOGIN LOGIN 403 403 403 403 GO"),
    "desk:macro": Row("GET", "LOGIN LOGIN 404 404 404 404 404"),
    "desk:macro_delete": Row("POST", "LOGIN LOGIN 404 404 404 404 404"),
    "desk:macro_picker": Row("GET", "LOGIN LOGIN 403 403 OK OK OK"),
    "desk:macro_apply": Row("POST", "LOGIN LOGIN 403 403 404 404 404"),
    # Bulk changes and saved views, new and still in the works (no saved view in the
    # world yet; an empty bulk form is refused before any ticket is named).
    "desk:bulk": Row("POST", "LOGIN LOGIN BAD BAD BAD BAD BAD"),
    "desk:view_save": Row("POST", "LOGIN LOGIN BAD BAD BAD BAD BAD"),
    "desk:view_rename": Row("POST", "LOGIN LOGIN 404 404 404 404 404"),
    "desk:view_delete": Row("POST", "LOGIN LOGIN 404 404 404 404 404"),
    # Providers' inbound mail webhooks: 404 to everyone until a secret is configured
    # (frontline/mail/webhooks.py), whoever is signed in.
    **{name: Row("POST", "404 404 404 404 404 404 404") for name in (
        "anymail:amazon_ses_inbound_webhook",
        "anymail:brevo_inbound_webhook",
        "anymail:mailersend_inbound_webhook",
        "anymail:mailgun_inbound_webhook",
        "anymail:mailjet_inbound_webhook",
        "anymail:mailtrap_inbound_webhook",
        "anymail:postal_inbound_webhook",
        "anymail:postmark_inbound_webhook",
        "anymail:sendgrid_inbound_webhook",
        "anymail:sendinblue_inbound_webhook",
        "anymail:sparkpost_inbound_webhook",
        "anymail:amazon_ses_tracking_webhook",
        "anymail:brevo_tracking_webhook",
        "anymail:mailersend_tracking_webhook",
        "anymail:mailgun_tracking_webhook",
        "anymail:mailjet_tracking_webhook",
        "anymail:mailtrap_tracking_webhook",
        "anymail:postal_tracking_webhook",
        "anymail:postmark_tracking_webhook",
        "anymail:resend_inbound_webhook",
        "anymail:resend_tracking_webhook",
        "anymail:sendgrid_tracking_webhook",
        "anymail:sendinblue_tracking_webhook",
        "anymail:sparkpost_tracking_webhook",
        "anymail:unisender_go_tracking_webhook",
        "anymail:mandrill_webhook",
        "anymail:mandrill_tracking_webhook",
    )},
}


@pytest.fixture
def world(ada, lena, otto, dana, vera, bob, standard_plan, premium_plan, frontdesk):
    return World({"admin": ada, "tier1": lena, "tier2": otto, "developer": dana,
                  "viewer": vera, "standard_plan": standard_plan,
                  "premium_plan": premium_plan})


def _routes() -> dict[str, str]:
    return {name: route for route, name in resolver_routes()
            if not name.startswith(API_NAMESPACE) or name in API_PAGES}


def test_every_route_has_a_row():
    missing = sorted(set(_routes()) - set(ROWS))
    assert not missing, f"add a row to ROWS for {missing}"
    gone = sorted(set(ROWS) - set(_routes()))
    assert not gone, f"remove the rows of routes that no longer exist: {gone}"


def test_every_role_meets_the_outcome_written_down(world):
    routes = _routes()
    wrong = []
    for name, row in ROWS.items():
        for role, expected in row.outcomes().items():
            path = world.path(routes[name], role, RECORDS.get(name))
            found = cell(world.desk_client(role), row.method, path)
            if found != expected:
                wrong.append(f"{name} {row.method} {path} as {role}: {found}, "
                             f"expected {expected}")
    assert not wrong, "\n".join(wrong)


def discover(world: World) -> list[str]:
    """Rows as the routes answer now, for routes without one: a person checks each
    before it goes into ROWS."""
    lines = []
    for name, route in _routes().items():
        if name in ROWS:
            continue
        admin = world.desk_client("admin")
        method = "GET"
        if cell(admin, "GET", world.path(route, "admin", RECORDS.get(name))) == "405":
            method = "POST"
        found = [cell(world.desk_client(role), method,
                      world.path(route, role, RECORDS.get(name))) for role in ROLES]
        lines.append(f'    "{name}": Row("{method}", "{" ".join(found)}"),  # {route}')
    return lines
