"""Signing a webhook body: `X-Frontline-Signature: t=<unix time>,v1=<hex>`.

v1 is HMAC-SHA256, keyed with the endpoint's secret, over "<t>.<body>" (the
scheme Stripe documents, so receivers have code for it). The time is inside
what is signed: a receiver that refuses signatures older than a few minutes
cannot be fed a captured request again. `verify` is what a receiver does, and
what our tests do.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Frontline-Signature"
TOLERANCE_SECONDS = 300


def digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds."""
    if not secret or not header:
        return False
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = digest(secret, timestamp, body)
    # Several v1 values may come while a secret is being replaced.
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
