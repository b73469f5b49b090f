"""Staff accounts and their API tokens: the operations the CLI (and later the desk) call."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from frontline.core import permissions
from frontline.core.errors import InvalidInput, NotFound
from frontline.core.inputs import blank
from frontline.core.lookup import find_row
from frontline.core.models import ApiToken, Role, User
from frontline.core.tiers import parse_tier

_USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")

# Developers work the tickets escalated to tier 3; admins see everything, so tier 3
# describes them best. Agents and viewers start at the front line.
DEFAULT_TIER = {Role.ADMIN: 3, Role.AGENT: 1, Role.DEVELOPER: 3, Role.VIEWER: 1}


def _role(value: str) -> Role:
    try:
        return Role((value or "").strip().lower())
    except ValueError:
        names = ", ".join(Role.values)
        raise InvalidInput(f"'{value}' is not a role ({names}).", field="role") from None


def _tier(value: int | str | None, role: Role) -> int:
    if value in (None, ""):
        return DEFAULT_TIER[role]
    return parse_tier(value)


def create_user(
    *,
    username: str,
    role: str,
    tier: int | str | None = None,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A new member of staff. Without a password the account cannot log in
    (it can still be given API tokens)."""
    username = (username or "").strip()
    if not _USERNAME_RE.match(username):
        raise InvalidInput(
            "A username is 1-150 letters, digits and @ . + - _ characters.", field="username"
        )
    found_role = _role(role)
    found_tier = _tier(tier, found_role)
    user = User(username=username, role=found_role, tier=found_tier, email=email,
                first_name=first_name, last_name=last_name,
                is_staff=found_role == Role.ADMIN, is_superuser=found_role == Role.ADMIN)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"The username '{username}' is taken.", field="username")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Created by someone else between the check and the insert.
        raise InvalidInput(f"The username '{username}' is taken.", field="username") from None
    return user


def get_user(username: str) -> User:
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise NotFound(f"There is no user '{username}'.", field="username")
    return user


def issue_token(username: str, *, name: str = "") -> str:
    """A new API token for the user. Only its hash is kept: the caller shows it once."""
    user = get_user(username)
    if not user.is_active:
        raise InvalidInput(f"The user '{username}' is deactivated.", field="username")
    _, key = ApiToken.issue(user, name=name[:100])
    return key


def find_assignee(value: str | int | User | None, *, field: str = "assignee") -> User | None:
    """The active person with this username or id who may own tickets; None for
    nobody (a blank value)."""
    if blank(value):
        return None
    user = find_row(User.objects.all(), value, exact=("username",))
    if user is None or not user.is_active:
        raise InvalidInput(f"No active user '{value}'.", field=field)
    if not permissions.can_own_tickets(user):
        raise InvalidInput(f"{user.username} is a viewer and cannot own tickets.", field=field)
    return user


def active_admins() -> list[User]:
    """The people told about what only an admin can fix (a webhook switched off):
    active users with the admin role, and superusers."""
    return list(User.objects.filter(
        Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).order_by("pk"))
