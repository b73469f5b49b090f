"""How many requests the public form opens per email address and per client.

The form needs no account, so nothing but a limit stops a script from opening
tickets by the thousand in somebody's name: at most PER_ADDRESS per address
and PER_CLIENT per client address (an IPv6 client counts per /64, the block
one household or server is given). A request counts when it would open a
ticket (its input checked, the honeypot included), not when the form comes
back with errors, so a customer fixing a typo is never the one held back.

The counts live in Django's cache, in fixed windows (`cache.add` + `cache.incr`,
atomic in every backend Django ships). Frontline configures no cache, so Django's
local-memory cache counts per web process: exact on one machine (the embedded
default: one process, many threads); with several web processes configure a
shared cache (Redis, Memcached or the database cache), or each process counts on
its own. Clients are counted by `core.client_address.client_of`.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache

from frontline.core.client_address import client_of
from frontline.mail.outbound import Limit

# The client as counted (an IPv6 client per /64), one definition for every limit;
# the form's views read it from here.
__all__ = ["PER_ADDRESS", "PER_CLIENT", "Held", "client_of", "take"]

PER_ADDRESS = Limit(5, timedelta(minutes=10))
PER_CLIENT = Limit(20, timedelta(hours=1))
_PREFIX = "frontline:request-form"


@dataclass(frozen=True)
class Held:
    """Why a request waits: the limit it reached and the seconds until it frees."""

    limit: Limit
    per: str  # "address" or "client"
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def period_words(self) -> str:
        """ "10 minutes", "hour": the period, as "in the last ..." reads it."""
        return str(Limit(0, self.limit.period)).removeprefix("0 per ")


def _count(kind: str, who: str, limit: Limit, now: float) -> tuple[int, int]:
    """One more in `who`'s current window; (the count, seconds until the window ends)."""
    period = int(limit.period.total_seconds())
    window = int(now // period)
    # Hashed: keys stay short and safe for any backend, and no address is stored.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    key = f"{_PREFIX}:{kind}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 60)
        count = 1
    return count, period - int(now % period)


def take(address: str, client: str, now: float | None = None) -> Held | None:
    """Count one request from `address` (an email address; "" for none) sent by
    `client`; None when it may go, else what holds it."""
    now = time.time() if now is None else now
    held: Held | None = None
    counted, left = _count("client", client, PER_CLIENT, now)
    if counted > PER_CLIENT.count:
        held = Held(PER_CLIENT, "client", left)
    if address:
        counted, left = _count("address", address.strip().lower(), PER_ADDRESS, now)
        if counted > PER_ADDRESS.count and (held is None or left > held.seconds):
            held = Held(PER_ADDRESS, "address", left)
    return held
