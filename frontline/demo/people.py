"""The demo's staff: one person per role and tier, the logins `frontline demo` prints.

Ada administers, Lena answers at tier 1, Otto is the tier-2 specialist, Dana the
developer at tier 3, Vera a read-only viewer (and account manager of the largest
customers). The history's stories act as these people, so their names are the
cast that `frontline.demo.history` looks up.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from frontline.core import accounts
from frontline.core.models import Role, User
from frontline.routing.models import Team

DEMO_PASSWORD = "frontline"

# (username, role, tier, first name, last name, team)
STAFF = [
    ("ada", Role.ADMIN, 3, "Ada", "Byron", None),
    ("lena", Role.AGENT, 1, "Lena", "Hoffmann", "Frontline"),
    ("otto", Role.AGENT, 2, "Otto", "Nilsen", "Specialists"),
    ("dana", Role.DEVELOPER, 3, "Dana", "Okafor", "Developers"),
    ("vera", Role.VIEWER, 1, "Vera", "Costa", None),
]


def create_staff(teams: dict[str, Team]) -> set[str]:
    """The demo staff, as members (the first one lead) of `teams`; existing accounts
    with the same names are left alone. Returns the usernames created now."""
    created = set()
    # One hash for all demo accounts: they share a published password anyway, and
    # each hash costs the better part of a second by design.
    password_hash = make_password(DEMO_PASSWORD)
    for username, role, tier, first, last, team in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_user(
                username=username, role=role, tier=tier,
                email=f"{username}@frontline.example", first_name=first, last_name=last)
            user.password = password_hash
            user.save(update_fields=["password"])
            created.add(username)
        if team:
            teams[team].members.add(user)
            if teams[team].lead_id is None:
                teams[team].lead = user
                teams[team].save(update_fields=["lead"])
    return created


def logins(created_users: set[str]) -> list[tuple[str, str, str]]:
    """The demo logins; an account that existed before the demo keeps its own password."""
    rows = []
    for username, role, tier, *_ in STAFF:
        what = f"agent, tier {tier}" if role == Role.AGENT else str(role.label).lower()
        rows.append((username, DEMO_PASSWORD if username in created_users else "", what))
    return rows
