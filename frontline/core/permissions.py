"""Who may see and do what. The one place desk, API and CLI ask.

Roles (issue 2): admins do everything; agents work tickets at any tier;
developers (tier 3) read and work the tickets escalated to tier 3; viewers
(account managers) read everything and change nothing.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet

from frontline.core.errors import NotAllowed
from frontline.core.models import Role, User

DEVELOPER_TIER = 3


class TicketLike(Protocol):
    """What the ticket rules read of a ticket. The tickets app's Ticket is one;
    core depends on no domain app, so the rules name only what they use."""

    @property
    def tier(self) -> int: ...

    @property
    def reference(self) -> str: ...


# A queryset of tickets keeps the caller's type; the rules narrow it on `tier`.
TicketModel = TypeVar("TicketModel", bound=Model)


def is_staff_user(user: object) -> bool:
    return isinstance(user, User) and user.is_active


def can_view_ticket(user: User, ticket: TicketLike) -> bool:
    if not is_staff_user(user):
        return False
    if user.role == Role.DEVELOPER and not user.is_admin:
        return ticket.tier >= DEVELOPER_TIER
    return True


def writes_on_tickets(user: User) -> bool:
    """Whether the person replies, writes notes and changes tickets at all (every staff
    role but the viewer); which tickets is can_change_ticket's. The desk offers the
    composer and its shortcuts only to them: a viewer was offered notes, then refused."""
    return is_staff_user(user) and (user.role != Role.VIEWER or user.is_admin)


def can_change_ticket(user: User, ticket: TicketLike) -> bool:
    if not can_view_ticket(user, ticket):
        return False
    return writes_on_tickets(user)


def check_can_view_ticket(user: User, ticket: TicketLike) -> None:
    if not can_view_ticket(user, ticket):
        raise NotAllowed(f"You may not see {ticket.reference}.")


def check_can_change_ticket(user: User, ticket: TicketLike) -> None:
    check_can_view_ticket(user, ticket)
    if not can_change_ticket(user, ticket):
        raise NotAllowed(f"Your role ({user.role}) may read {ticket.reference} but not change it.")


def can_escalate_ticket(user: User, ticket: TicketLike) -> bool:
    """Agents and admins move a ticket up a tier. Developers receive escalations
    (they see tier 3 only, the top), viewers change nothing."""
    if not can_change_ticket(user, ticket):
        return False
    return user.is_admin or user.role == Role.AGENT


def check_can_escalate_ticket(user: User, ticket: TicketLike) -> None:
    check_can_change_ticket(user, ticket)
    if not can_escalate_ticket(user, ticket):
        raise NotAllowed(f"Your role ({user.role}) may not escalate {ticket.reference}.")


def check_can_de_escalate_ticket(user: User, ticket: TicketLike) -> None:
    """Whoever may change the ticket, developers included: handing a ticket back
    to tier 1 for customer communication is how a developer says "over to you"."""
    check_can_change_ticket(user, ticket)


def visible_tickets(user: User, tickets: QuerySet[TicketModel]) -> QuerySet[TicketModel]:
    """Narrow a ticket queryset to what `user` may see."""
    if not is_staff_user(user):
        return tickets.none()
    if user.role == Role.DEVELOPER and not user.is_admin:
        return tickets.filter(tier__gte=DEVELOPER_TIER)
    return tickets


def users_who_can_view_ticket(users: QuerySet[User], ticket: TicketLike) -> QuerySet[User]:
    """Narrow a user queryset to those can_view_ticket allows for `ticket`, in SQL
    (the ticket page's assignee menu lists 300 agents; no User object per person)."""
    users = users.filter(is_active=True)
    if ticket.tier < DEVELOPER_TIER:
        # A developer who is not an admin (role admin or superuser) sees tier 3 only.
        users = users.exclude(role=Role.DEVELOPER, is_superuser=False)
    return users


def can_change_customers(user: User) -> bool:
    return is_staff_user(user) and (user.is_admin or user.role == Role.AGENT)


def check_can_change_customers(user: User) -> None:
    if not can_change_customers(user):
        raise NotAllowed(f"Your role ({user.role}) may not change organizations or contacts.")


def can_view_customers(user: User) -> bool:
    return is_staff_user(user)


def can_view_reports(user: User) -> bool:
    """Reports (promises kept and missed, costs) are for admins, agents and viewers
    (account managers). Not developers: they have their own desk (/dev), and the
    breach and cost lists link tickets at every tier, most of which they may not open."""
    return is_staff_user(user) and (user.is_admin or user.role in (Role.AGENT, Role.VIEWER))


def check_can_view_reports(user: User) -> None:
    if not can_view_reports(user):
        raise NotAllowed("Reports are for support staff and account managers; developers "
                         "have their own desk at /dev.")


def can_view_insights(user: User) -> bool:
    """Recurring-problem alerts (/insights, frontline.insights.detection) are for
    agents and admins, who act on them; viewers and developers see none for now."""
    return is_staff_user(user) and (user.is_admin or user.role == Role.AGENT)


def check_can_view_insights(user: User) -> None:
    if not can_view_insights(user):
        raise NotAllowed("Recurring-problem alerts are for support agents and admins.")


def can_view_organization_insights(user: User) -> bool:
    """Customers with more problems than their peers (frontline.insights.peers): agents
    and admins see every organization, viewers (account managers) the ones they
    manage (sees_managed_organizations_only); developers none."""
    return is_staff_user(user) and (user.is_admin or user.role in (Role.AGENT, Role.VIEWER))


def check_can_view_organization_insights(user: User) -> None:
    if not can_view_organization_insights(user):
        raise NotAllowed("Customer insights are for support staff and account managers.")


def sees_managed_organizations_only(user: User) -> bool:
    """A viewer's customer insights cover the organizations whose account manager
    they are (Organization.account_manager)."""
    return is_read_only(user)


def check_is_admin(user: User) -> None:
    if not (is_staff_user(user) and user.is_admin):
        raise NotAllowed("Only an admin may do this.")


# -- rules that used to be re-implemented in views and services ----------------


def sees_developer_tier_only(user: User) -> bool:
    """A developer who is not an admin works the tickets escalated to tier 3 only."""
    return user.role == Role.DEVELOPER and not user.is_admin


def is_read_only(user: User) -> bool:
    """Viewers (account managers) read everything and change nothing."""
    return user.role == Role.VIEWER and not user.is_admin


def can_own_tickets(user: User) -> bool:
    """Who may be a ticket's assignee or a team's working member: anyone active
    who may change tickets (not a viewer)."""
    return is_staff_user(user) and not is_read_only(user)


def ticket_owners(users: QuerySet[User]) -> QuerySet[User]:
    """can_own_tickets in SQL, for menus and assignment."""
    return users.filter(is_active=True).exclude(role=Role.VIEWER, is_superuser=False)


def can_open_ticket(user: User) -> bool:
    """Agents and admins open tickets for customers (a call, the API). Not viewers, who
    change nothing; not developers, who would open a tier-1 ticket they may not see:
    a developer who hears from a customer hands it to support."""
    return is_staff_user(user) and (user.is_admin or user.role == Role.AGENT)


def check_can_open_ticket(user: User) -> None:
    if not can_open_ticket(user):
        raise NotAllowed(f"Your role ({user.role}) may not open tickets; support agents do.")


def check_can_change_tier(user: User, ticket: TicketLike) -> None:
    """Moving a ticket between tiers from a generic route (a field, the API's PATCH) is
    escalating it: the same people and the same error as the escalation. Handing a
    ticket back to tier 1 with a note (de-escalation) is the developer's own route,
    checked apart (check_can_de_escalate_ticket)."""
    check_can_escalate_ticket(user, ticket)


def can_change_contract(user: User) -> bool:
    """An organization's plan and contract dates are commercial terms: admins only,
    from the desk or the API alike."""
    return is_staff_user(user) and user.is_admin


def check_can_change_contract(user: User) -> None:
    if not can_change_contract(user):
        raise NotAllowed("Only an admin may change an organization's plan or contract.")


# -- problems (many tickets, one cause: frontline.problems) ---------------------


def can_view_problems(user: User) -> bool:
    """Every member of staff reads problems and their impact: agents and admins work
    them, developers fix them, viewers (account managers) follow them."""
    return is_staff_user(user)


def check_can_view_problems(user: User) -> None:
    if not can_view_problems(user):
        raise NotAllowed("Problems are for signed-in staff.")


def can_change_problems(user: User) -> bool:
    """Agents and admins record problems, link tickets and tell customers. Developers
    read them (and mark them fixed through their tracker's webhook); viewers read."""
    return is_staff_user(user) and (user.is_admin or user.role == Role.AGENT)


def check_can_change_problems(user: User) -> None:
    if not can_change_problems(user):
        raise NotAllowed(f"Your role ({user.role}) may read problems but not change them; "
                         "support agents do.")


def can_see_contract_values(user: User) -> bool:
    """Annual contract values are commercial: support staff and account managers see
    them; developers only when an admin allows it
    (FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES)."""
    if not is_staff_user(user):
        return False
    if user.role == Role.DEVELOPER and not user.is_admin:
        return bool(getattr(settings, "FRONTLINE_DEVELOPERS_SEE_CONTRACT_VALUES", False))
    return True


# -- canned replies (frontline.kb.macros) ----------------------------------------------------


def can_manage_macro(user: User, owner_id: int | None) -> bool:
    """A personal macro (owner_id set) belongs to its owner alone: only they see and
    change it, admins included, since it is their own way of writing. A shared one
    (owner_id None) speaks for the whole desk, so admins keep it. Viewers write to no
    customer and keep none."""
    if not can_own_tickets(user):
        return False
    if owner_id is None:
        return user.is_admin
    return owner_id == user.pk


def check_can_manage_macro(user: User, owner_id: int | None) -> None:
    if can_manage_macro(user, owner_id):
        return
    if owner_id is None:
        raise NotAllowed("Only an admin may add or change shared macros; keep yours personal.")
    raise NotAllowed(f"Your role ({user.role}) may not keep macros."
                     if not can_own_tickets(user) else "This macro is someone else's.")


# -- saved views (frontline.tickets.services.saved_views) ---------------------------------


def can_share_views(user: User) -> bool:
    """Anyone who works tickets may share a view with the desk; a viewer keeps their
    own (a view changes no ticket, but a shared one fills everybody's sidebar)."""
    return can_own_tickets(user)


def can_manage_saved_view(user: User, owner_id: int | None, created_by_id: int | None) -> bool:
    """A personal view is its owner's alone. A shared one is renamed or removed by
    whoever shared it, or by an admin (the person who shared it may have left)."""
    if not is_staff_user(user):
        return False
    if owner_id is not None:
        return owner_id == user.pk
    return user.is_admin or (created_by_id == user.pk and can_share_views(user))


def check_can_manage_saved_view(user: User, owner_id: int | None,
                                created_by_id: int | None) -> None:
    if can_manage_saved_view(user, owner_id, created_by_id):
        return
    if owner_id is None:
        raise NotAllowed("Only whoever shared this view, or an admin, may change it.")
    raise NotAllowed("This view is someone else's.")
