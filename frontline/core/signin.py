"""Signing in: every attempt recorded, and guessing held back (issue 11).

Each attempt at the desk's sign-in is a `SignInEvent` row: who was named, from
which client, and how it ended. The same rows are the counters, so the limits
hold across web processes and machines without a shared cache:

- **per account**: after FRONTLINE_SIGNIN_ACCOUNT_FAILURES failures on one
  username within FRONTLINE_SIGNIN_LOCK_MINUTES (and since its last successful
  sign-in), that username is held until the window has passed, the right password
  included: a guesser learns nothing more.
- **per client address** (core.client_address: IPv6 by /64): after
  FRONTLINE_SIGNIN_ADDRESS_FAILURES failures within the same window, every
  sign-in from there is held. A success does not reset it, or a guesser with one
  account of its own could clear the count between tries.

A username that does not exist counts and is held exactly like one that does,
so the answers never tell which names are real. A refused attempt (held) is
recorded but does not count as a failure: otherwise someone else's tries would
keep a person locked out for as long as they go on.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from frontline.core.errors import FrontlineError
from frontline.core.models import SignInEvent, SignInOutcome, User

USER_AGENT_CHARS = 200


class SignInHeld(FrontlineError):
    """Too many failed sign-ins: 429 Too Many Requests (RFC 6585 §4), with Retry-After."""

    status_code = 429

    def __init__(self, message: str, *, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


def normalised(username: str) -> str:
    """The typed name as counted: trimmed, case-folded, bounded (the field's length)."""
    return username.strip().casefold()[:150]


def _window() -> timedelta:
    return timedelta(minutes=settings.FRONTLINE_SIGNIN_LOCK_MINUTES)


def _held_until(failures: list[datetime], limit: int) -> datetime | None:
    """With `failures` newest first: when the count in the window drops below `limit`
    again, or None if it is below already."""
    if limit <= 0 or len(failures) < limit:
        return None
    return failures[limit - 1] + _window()


def check_may_sign_in(username: str, client: str, now: datetime | None = None) -> None:
    """Raise SignInHeld when `username` or `client` has failed too often lately."""
    now = now or timezone.now()
    since = now - _window()
    name = normalised(username)
    account_limit = settings.FRONTLINE_SIGNIN_ACCOUNT_FAILURES
    address_limit = settings.FRONTLINE_SIGNIN_ADDRESS_FAILURES

    last_success = (SignInEvent.objects
                    .filter(username=name, outcome=SignInOutcome.SIGNED_IN, at__gt=since)
                    .order_by("-at").values_list("at", flat=True).first())
    account_failures = list(
        SignInEvent.objects.filter(username=name, outcome=SignInOutcome.FAILED,
                                   at__gt=max(since, last_success or since))
        .order_by("-at").values_list("at", flat=True)[:max(account_limit, 0)])
    client_failures = list(
        SignInEvent.objects.filter(client=client, outcome=SignInOutcome.FAILED, at__gt=since)
        .order_by("-at").values_list("at", flat=True)[:max(address_limit, 0)])

    account_until = _held_until(account_failures, account_limit)
    client_until = _held_until(client_failures, address_limit)
    until = max((moment for moment in (account_until, client_until) if moment), default=None)
    if until is None or until <= now:
        return
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if client_until is not None and client_until == until:
        raise SignInHeld(f"Too many failed sign-ins from your network. Try again in {wait}.",
                         seconds=seconds)
    raise SignInHeld(f"Too many failed sign-ins for this username. Try again in {wait}, "
                     "or ask an admin to reset your password.", seconds=seconds)


def record_sign_in(username: str, client: str, outcome: SignInOutcome, *,
                   user: User | None = None, user_agent: str = "",
                   now: datetime | None = None) -> SignInEvent:
    """Keep one attempt. `user` is the account it signed in to; for a failure, the
    account the name belongs to, if any (so an admin sees attacks on real accounts)."""
    name = normalised(username)
    if user is None and name:
        user = User.objects.filter(username__iexact=name).first()
    return SignInEvent.objects.create(
        at=now or timezone.now(), username=name, user=user, client=client[:64],
        outcome=outcome, user_agent=user_agent[:USER_AGENT_CHARS])
