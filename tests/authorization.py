"""What the authorization matrix (tests/desk/ and tests/api/test_authorization_matrix.py)
shares: the roles, one world of records every route can name, and how an answer
is classed.

Each cell is one request, made inside a transaction that is rolled back, so a
change one role is allowed to make (a plan deleted, a ticket reopened) never
changes what the next role finds.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from frontline import workflow
from frontline.core.models import ApiToken, User
from frontline.tickets import access

ROLES = ("anonymous", "customer", "viewer", "developer", "tier1", "tier2", "admin")

# How an answer is classed. OK: 2xx; GO: a redirect elsewhere than the sign-in page
# (after a change); LOGIN: a redirect to the sign-in page; BAD: 400/409/422, the
# role was let in and the (empty) input refused; otherwise the status code.
OUTCOMES = {"OK", "GO", "LOGIN", "BAD", "401", "403", "404", "405", "410"}


def outcome(response: HttpResponse) -> str:
    code = response.status_code
    if 300 <= code < 400:
        return "LOGIN" if response["Location"].startswith("/login") else "GO"
    if 200 <= code < 300:
        return "OK"
    if code in (400, 409, 422):
        return "BAD"
    return str(code)


@dataclass(frozen=True)
class Row:
    """One route's expected outcomes, one per role in ROLES order ("LOGIN LOGIN OK ...");
    `method` is how the route is reached."""

    method: str
    expected: str

    def outcomes(self) -> dict[str, str]:
        found = self.expected.split()
        assert len(found) == len(ROLES), f"{self.expected!r}: one outcome per role {ROLES}"
        assert set(found) <= OUTCOMES, set(found) - OUTCOMES
        return dict(zip(ROLES, found, strict=True))


def resolver_routes(prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern Django knows; name is "namespace:name"."""

    def walk(patterns: list[Any], route: str, namespace: str | None
             ) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route + str(pattern.pattern),
                                pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or str(pattern.pattern)
                yield route + str(pattern.pattern), (f"{namespace}:{name}" if namespace
                                                      else name)

    for route, name in walk(get_resolver().url_patterns, "", None):
        if route.startswith(prefix):
            yield route, name


# The id of a record the world does not hold (a route whose records it does not make
# yet): those let in meet the route's 404, the others their refusal.
NO_RECORD = 999_999

_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\{(\w+)\}|\(\?P<(\w+)>[^)]*\)")
_OPTIONAL_GROUP = re.compile(r"\([^)]*\)\?")


def _name(match: re.Match[str]) -> str:
    return match.group(2) or match.group(3) or match.group(4)


def fill(route: str, values: dict[str, Any]) -> str:
    """A route ("t/<str:reference>/files/<int:pk>", "/tickets/{reference}", or a regex
    route's "^(?P<rest>.*)$") with its parameters replaced by `values`."""
    path = _PARAMETER.sub(lambda m: str(values[_name(m)]), route)
    path = _OPTIONAL_GROUP.sub("", path).replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


def parameters(route: str) -> list[str]:
    return [_name(m) for m in _PARAMETER.finditer(route)]


class World:
    """The records every route can name: the cast, a tier-1 ticket from a customer's
    mail (with a file), its time, a problem it is linked to, an alert, a mailbox, and
    a plan, policy, calendar, team, rules and a category with a question."""

    def __init__(self, cast: dict[str, Any]) -> None:
        from frontline.costs.models import TimeEntry
        from frontline.customers.models import Product
        from frontline.insights.models import Alert
        from frontline.intake import questions
        from frontline.mail.models import Mailbox
        from frontline.problems import services as problems
        from frontline.routing import ruleset
        from frontline.routing.models import EscalationRule, RoutingRule, Team
        from frontline.sla.models import BusinessCalendar, ClosedDay, SlaPolicy
        from frontline.tickets.models import Attachment, Category
        from frontline.webhooks.models import Endpoint
        from tests.mail.inbound_mails import compose, deliver

        self.users: dict[str, User] = {role: cast[role] for role in ROLES[2:]}
        inbound = deliver(compose(
            subject="Rapport mensuel vide depuis la mise à jour",
            body="Depuis la version 5.1 le rapport mensuel est vide. Capture jointe.",
            attachments=[("capture écran.txt", "text/plain", b"rapport: 0 lignes\n")]))
        attachment = Attachment.objects.select_related("message__ticket").get()
        self.ticket = attachment.message.ticket
        admin, agent = self.users["admin"], self.users["tier1"]
        workflow.assign(self.ticket, agent, agent)
        now = timezone.now()
        entry = TimeEntry.objects.create(ticket=self.ticket, user=agent, tier=1,
                                         started_at=now - timedelta(minutes=20),
                                         ended_at=now - timedelta(minutes=5), seconds=900,
                                         manual=True, note="Reproduced the empty report")
        problem = problems.create_problem(admin, title="Monthly report empty after 5.1")
        problems.link_tickets(problem, admin, [self.ticket])
        alert = Alert.objects.create(title="Empty monthly report", raised_at=now,
                                     detected_at=now, terms=["rapport", "5.1"])
        mailbox = Mailbox.objects.create(name="Support inbox",
                                         url="imap://support:secret@127.0.0.1:9/INBOX")
        plan = cast["standard_plan"]
        calendar = BusinessCalendar.objects.create(name="Berlin office")
        closed_day = ClosedDay.objects.create(calendar=calendar,
                                              date=now.date() + timedelta(days=30))
        policy = SlaPolicy.objects.create(plan=plan, calendar=calendar,
                                          first_response_minutes=240)
        team = Team.objects.get(name="Frontdesk")
        routing_rule = RoutingRule.objects.create(name="Reports to Frontdesk", words="report",
                                                  set_team=team)
        escalation_rule = EscalationRule.objects.create(name="Premium to tier 2", to_tier=2,
                                                        plan=cast["premium_plan"])
        ruleset.clear_cache()
        category = Category.objects.create(name="Reports", slug="reports")
        questions.write_draft(admin, category, [{
            "key": "report-name", "text": "Which report?", "why": "Each has its own query.",
            "type": "text", "agent_text": "", "required": False, "choices": [], "when": {}}])
        questions.publish(admin, category)
        product = Product.objects.create(name="Ledger", slug="ledger")
        webhook = Endpoint.objects.create(
            url="https://hooks.example.net/frontline", secret="whsec_matrix", events=[],
            created_at=now, updated_at=now)

        requester = self.ticket.requester
        assert requester is not None
        link = access.ticket_path(self.ticket, requester)
        self.portal_token = link.rstrip("/").rsplit("/", 1)[1]
        self.ids: dict[str, Any] = {
            "reference": self.ticket.reference, "attachment": attachment.pk,
            "message": attachment.message.pk, "inbound": inbound.pk,
            "organization": requester.organization_id,
            "contact": requester.pk, "alert": alert.pk, "mailbox": mailbox.pk,
            "plan": plan.pk, "plan_slug": plan.slug, "policy": policy.pk,
            "calendar": calendar.pk, "closed_day": closed_day.pk, "time_entry": entry.pk,
            "team": team.pk, "routing_rule": routing_rule.pk,
            "escalation_rule": escalation_rule.pk, "problem": problem.pk,
            "category": category.slug, "question": "report-name", "product": product.slug,
            "username": agent.username, "queue": "open", "field": "priority",
            "action": "up", "token": "not-a-link-of-ours", "rest": "no/such/operation",
        }
        # The names the API and the desk give the same records.
        self.ids.update({
            "organization_id": self.ids["organization"], "contact_id": self.ids["contact"],
            "policy_id": policy.pk, "calendar_id": calendar.pk, "team_id": team.pk,
            "alert_id": alert.pk, "problem_id": problem.pk, "name": "open",
            "key": "report-name", "day": closed_day.pk, "slug": category.slug,
            "webhook": webhook.pk, "endpoint_id": webhook.pk,
        })
        self._desk_clients: dict[str, Client] = {}
        self.api_keys = {role: ApiToken.issue(user, name="matrix")[1]
                         for role, user in self.users.items()}

    def path(self, route: str, role: str, records: dict[str, str] | None = None) -> str:
        """`route` filled in for `role`: each parameter names the record `records` says
        (else the one of its own name, else NO_RECORD); the customer opens portal pages
        with their link."""
        values = {parameter: self.ids.get((records or {}).get(parameter, parameter), NO_RECORD)
                  for parameter in parameters(route)}
        if role == "customer" and "token" in values:
            values["token"] = self.portal_token
        return fill(route, values)

    def desk_client(self, role: str) -> Client:
        """One browser per role, signed in once (staff) or never (anonymous, customer)."""
        if role not in self._desk_clients:
            client = Client()
            if role in self.users:
                client.force_login(self.users[role])
            self._desk_clients[role] = client
        return self._desk_clients[role]

    def api_client(self, role: str) -> Client:
        if role == "customer":
            # The customer's link is no key to the API.
            return Client(headers={"Authorization": f"Bearer {self.portal_token}"})
        if role in self.api_keys:
            return Client(headers={"Authorization": f"Bearer {self.api_keys[role]}"})
        return Client()


def cell(client: Client, method: str, path: str, **extra: Any) -> str:
    """One request, its changes rolled back and the client's cookies put back (signing
    out must not sign the next cell out); the outcome's class."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.generic(method, path, **extra)
        transaction.set_rollback(True)
    client.cookies = cookies
    return outcome(response)
