"""Desk settings for tiers and routing (admins): teams (/settings/teams),
routing rules (/settings/routing) and escalation rules (/settings/escalation).

Every rule is listed as the sentence it amounts to. Every change calls the
routing services (frontline.routing.teams, .rules, .escalation_rules); a
refusal is shown on the form, next to its field. The URLs live here and are
included once by frontline/desk/urls.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from frontline.core import permissions
from frontline.core.errors import FrontlineError
from frontline.core.inputs import split_list
from frontline.core.models import User
from frontline.customers.models import Organization, Plan, Product
from frontline.desk.views.common import desk_user, error_page, render_desk
from frontline.desk.views.settings_common import (
    admin_view,
    found_or_404,
    posted,
    render_form,
    saved,
)
from frontline.routing import escalation_rules, ordering, rules, teams
from frontline.routing.inputs import priority_name
from frontline.routing.models import (
    Assignment,
    EscalationRule,
    EscalationTrigger,
    RoutingRule,
    Team,
)
from frontline.routing.ordering import RuleKind
from frontline.routing.sentences import describe
from frontline.sla.hours_text import format_duration
from frontline.sla.models import BusinessCalendar
from frontline.tickets.models import Category, Channel, Priority

# Organizations are offered as a menu up to this many; beyond, a name or id is typed.
ORGANIZATION_MENU = 200


def _choices() -> dict[str, Any]:
    """What the rule forms offer in their menus (a few small queries)."""
    organizations = list(Organization.objects.order_by("name")[:ORGANIZATION_MENU + 1])
    return {
        "channels": Channel.choices,
        "categories": list(Category.objects.order_by("name")),
        "products": list(Product.objects.order_by("name")),
        "plans": list(Plan.objects.order_by("-rank", "name")),
        "organizations": organizations[:ORGANIZATION_MENU],
        "organizations_typed": len(organizations) > ORGANIZATION_MENU,
        "teams": list(Team.objects.order_by("tier", "name")),
        "priorities": [(p.name.lower(), p.label) for p in Priority],
        "tiers": (1, 2, 3),
        "triggers": EscalationTrigger.choices,
        "assignments": Assignment.choices,
        "calendars": list(BusinessCalendar.objects.order_by("name")),
    }


# -- teams ------------------------------------------------------------------------------

TEAM_FORM = ("name", "tier", "calendar", "assignment", "lead", "members")


def _team_form(request: HttpRequest) -> dict[str, Any]:
    form = posted(request, TEAM_FORM)
    form["members"] = request.POST.getlist("members")
    return form


def _team_initial(team: Team) -> dict[str, Any]:
    return {"name": team.name, "tier": str(team.tier),
            "calendar": str(team.calendar_id or ""), "assignment": team.assignment,
            "lead": team.lead.username if team.lead else "",
            "members": [m.username for m in team.members.all()]}


def _staff() -> list[User]:
    return list(permissions.ticket_owners(User.objects.all()).order_by("username"))


def _team_rows() -> list[dict[str, Any]]:
    return [{"team": team, "members": list(team.members.all())} for team in teams.teams()]


def _teams_page(request: HttpRequest, *, form: dict[str, Any] | None = None,
                error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "rows": _team_rows(), "staff": _staff(), **_choices(),
        "form": form or {"tier": "1", "assignment": Assignment.MANUAL, "members": []},
    }
    return render_form(request, "desk/settings/routing_teams.html", context, error)


@admin_view
def teams_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _teams_page(request)
    form = _team_form(request)
    try:
        team = teams.create_team(desk_user(request), **form)
    except FrontlineError as error:
        return _teams_page(request, form=form, error=error)
    return saved(request, f"Team {team.name} added.", "desk:routing_teams")


def _team(pk: int) -> Team:
    return found_or_404(teams.find_team, pk, rows=teams.teams())


def _team_page(request: HttpRequest, team: Team, *, form: dict[str, Any] | None = None,
               error: FrontlineError | None = None) -> HttpResponse:
    context = {"team": team, "staff": _staff(), **_choices(),
               "form": form or _team_initial(team)}
    return render_form(request, "desk/settings/routing_team.html", context, error)


@admin_view
def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    if request.method != "POST":
        return _team_page(request, team)
    form = _team_form(request)
    try:
        team = teams.update_team(desk_user(request), team, **form)
    except FrontlineError as error:
        return _team_page(request, team, form=form, error=error)
    return saved(request, f"Team {team.name} saved.", "desk:routing_teams")


@admin_view
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    try:
        teams.delete_team(desk_user(request), team)
    except FrontlineError as error:
        return _team_page(request, team, error=error)
    return saved(request, f"Team {team.name} deleted; its tickets keep their tier.",
                 "desk:routing_teams")


@admin_view
@require_POST
def member_away(request: HttpRequest, pk: int, username: str) -> HttpResponse:
    """Mark a member away or back (the switch on the teams list)."""
    try:
        member = teams.team_of_member(_team(pk), username)
        user = teams.set_away(desk_user(request), member, request.POST.get("away") == "on")
    except FrontlineError as error:
        return error_page(request, error)
    return saved(request, f"{user.display_name} is {'away' if user.away else 'back'}"
                 f"{': automatic assignment skips them' if user.away else ''}.",
                 "desk:routing_teams")


# -- rules (both kinds share the list, form and move pages) ------------------------------


@dataclass(frozen=True)
class _Kind:
    """What differs between routing and escalation rules on these pages; the
    service side (fields, listing, how they are read) is `rules`."""

    rules: RuleKind[Any]
    slug: str
    title: str
    checkboxes: tuple[str, ...]
    initial: Callable[[Any], dict[str, Any]]
    blank: dict[str, Any]

    @property
    def list_url(self) -> str:
        return f"desk:{self.slug}_rules"


def _routing_initial(rule: RoutingRule) -> dict[str, Any]:
    return {
        "name": rule.name, "position": str(rule.position), "active": rule.active,
        "channel": rule.channel, "category": rule.category.slug if rule.category else "",
        "product": rule.product.slug if rule.product else "",
        "version": rule.version.name if rule.version else "",
        "plan": rule.plan.slug if rule.plan else "",
        "organization": str(rule.organization_id or ""),
        "words": ", ".join(split_list(rule.words)), "set_team": str(rule.set_team_id or ""),
        "set_tier": str(rule.set_tier or ""), "set_priority": priority_name(rule.set_priority)
        or "", "set_tags": ", ".join(split_list(rule.set_tags)), "stop": rule.stop,
    }


def _escalation_initial(rule: EscalationRule) -> dict[str, Any]:
    return {
        "name": rule.name, "position": str(rule.position), "active": rule.active,
        "trigger": rule.trigger,
        "after_minutes": format_duration(rule.after_minutes) if rule.after_minutes else "",
        "category": rule.category.slug if rule.category else "",
        "product": rule.product.slug if rule.product else "",
        "plan": rule.plan.slug if rule.plan else "",
        "min_priority": priority_name(rule.min_priority) or "",
        "to_tier": str(rule.to_tier), "to_team": str(rule.to_team_id or ""),
    }


ROUTING = _Kind(
    rules=rules.ROUTING, slug="routing", title="Routing rules", checkboxes=("active", "stop"),
    initial=_routing_initial, blank={"active": True, "stop": True},
)
ESCALATION = _Kind(
    rules=escalation_rules.ESCALATION, slug="escalation", title="Escalation rules",
    checkboxes=("active",), initial=_escalation_initial,
    blank={"active": True, "trigger": EscalationTrigger.ON_CREATE, "to_tier": "2"},
)


def _rule(kind: _Kind, pk: int) -> Any:
    rule = kind.rules.listing().filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def _list_page(request: HttpRequest, kind: _Kind) -> HttpResponse:
    rules_in_order = list(kind.rules.listing())
    rows = [{"rule": rule, "sentence": describe(rule), "first": i == 0,
             "last": i == len(rules_in_order) - 1,
             "edit_url": reverse(f"desk:{kind.slug}_rule", args=[rule.pk]),
             "move_url": reverse(f"desk:{kind.slug}_rule_move", args=[rule.pk])}
            for i, rule in enumerate(rules_in_order)]
    return render_desk(request, f"desk/settings/routing_{kind.slug}_rules.html",
                       {"rows": rows, "kind": kind.slug, "title": kind.title,
                        "new_url": reverse(f"desk:{kind.slug}_rule_new")})


def _form_page(request: HttpRequest, kind: _Kind, rule: Any = None, *,
               form: dict[str, Any] | None = None,
               error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "rule": rule, "sentence": describe(rule) if rule is not None else "",
        "kind": kind.slug, "title": kind.title, **_choices(),
        "list_url": reverse(kind.list_url),
        "action_url": (reverse(f"desk:{kind.slug}_rule", args=[rule.pk]) if rule is not None
                       else reverse(f"desk:{kind.slug}_rule_new")),
        "delete_url": (reverse(f"desk:{kind.slug}_rule_delete", args=[rule.pk])
                       if rule is not None else ""),
        "form": form or (kind.initial(rule) if rule is not None else dict(kind.blank)),
    }
    return render_form(request, f"desk/settings/routing_{kind.slug}_rule.html", context, error)


def _list(kind: _Kind) -> Callable[[HttpRequest], HttpResponse]:
    @admin_view
    def view(request: HttpRequest) -> HttpResponse:
        return _list_page(request, kind)

    view.__name__ = f"{kind.slug}_rules"
    return view


def _new(kind: _Kind) -> Callable[[HttpRequest], HttpResponse]:
    @admin_view
    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return _form_page(request, kind)
        form = posted(request, kind.rules.fields, kind.checkboxes)
        try:
            rule = ordering.create_rule(kind.rules, desk_user(request), form)
        except FrontlineError as error:
            return _form_page(request, kind, form=form, error=error)
        return saved(request, f"Rule “{rule.name}” added: {describe(rule)}.", kind.list_url)

    view.__name__ = f"{kind.slug}_rule_new"
    return view


def _edit(kind: _Kind) -> Callable[..., HttpResponse]:
    @admin_view
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        rule = _rule(kind, pk)
        if request.method != "POST":
            return _form_page(request, kind, rule)
        form = posted(request, kind.rules.fields, kind.checkboxes)
        try:
            rule = ordering.update_rule(kind.rules, desk_user(request), rule, form)
        except FrontlineError as error:
            return _form_page(request, kind, rule, form=form, error=error)
        return saved(request, f"Rule “{rule.name}” saved: {describe(rule)}.", kind.list_url)

    view.__name__ = f"{kind.slug}_rule"
    return view


def _rule_action(kind: _Kind, name: str, act: Callable[[HttpRequest, User, Any], str]
                 ) -> Callable[..., HttpResponse]:
    """A button on a rule (delete, move): `act` does it and says what it did
    ("" for nothing to say); a refusal is a page of its own."""

    @admin_view
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        rule = _rule(kind, pk)
        try:
            done = act(request, desk_user(request), rule)
        except FrontlineError as error:
            return error_page(request, error)
        return saved(request, done, kind.list_url) if done else redirect(kind.list_url)

    view.__name__ = f"{kind.slug}_rule_{name}"
    return view


def _delete(kind: _Kind) -> Callable[..., HttpResponse]:
    def act(request: HttpRequest, user: User, rule: Any) -> str:
        ordering.delete_rule(kind.rules, user, rule)
        return f"Rule “{rule.name}” deleted."

    return _rule_action(kind, "delete", act)


def _move(kind: _Kind) -> Callable[..., HttpResponse]:
    def act(request: HttpRequest, user: User, rule: Any) -> str:
        ordering.move_rule(kind.rules, user, rule,
                           -1 if request.POST.get("direction") == "up" else 1)
        return ""

    return _rule_action(kind, "move", act)


routing_rules = _list(ROUTING)
routing_rule_new = _new(ROUTING)
routing_rule = _edit(ROUTING)
routing_rule_delete = _delete(ROUTING)
routing_rule_move = _move(ROUTING)
escalation_rules_page = _list(ESCALATION)
escalation_rule_new = _new(ESCALATION)
escalation_rule = _edit(ESCALATION)
escalation_rule_delete = _delete(ESCALATION)
escalation_rule_move = _move(ESCALATION)


# Spread into frontline/desk/urls.py under "settings/" (names in the desk namespace).
ROUTES: list[tuple[str, Callable[..., HttpResponse], str]] = [
    ("teams", teams_page, "routing_teams"),
    ("teams/<int:pk>", team_page, "routing_team"),
    ("teams/<int:pk>/delete", team_delete, "routing_team_delete"),
    ("teams/<int:pk>/members/<str:username>/away", member_away, "routing_member_away"),
    ("routing", routing_rules, "routing_rules"),
    ("routing/new", routing_rule_new, "routing_rule_new"),
    ("routing/<int:pk>", routing_rule, "routing_rule"),
    ("routing/<int:pk>/delete", routing_rule_delete, "routing_rule_delete"),
    ("routing/<int:pk>/move", routing_rule_move, "routing_rule_move"),
    ("escalation", escalation_rules_page, "escalation_rules"),
    ("escalation/new", escalation_rule_new, "escalation_rule_new"),
    ("escalation/<int:pk>", escalation_rule, "escalation_rule"),
    ("escalation/<int:pk>/delete", escalation_rule_delete, "escalation_rule_delete"),
    ("escalation/<int:pk>/move", escalation_rule_move, "escalation_rule_move"),
]


def urlpatterns_under(prefix: str) -> list[URLPattern]:
    return [path(prefix + route, view, name=name) for route, view, name in ROUTES]
