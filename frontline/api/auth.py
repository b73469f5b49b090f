"""Per-user API tokens: `Authorization: Bearer flt_...`."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from frontline.core.models import ApiToken, User

# last_used_at is for "is this token still in use?", not an audit log: writing it
# at most once a minute keeps a busy client from turning every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 200


class BearerToken(HttpBearer):
    """Find the token by its SHA-256 (only the hash is stored) and act as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return None
        try:
            key_hash = ApiToken.hash_key(token)
        except UnicodeEncodeError:
            return None
        found = (ApiToken.objects.select_related("user").filter(key_hash=key_hash).first())
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - LAST_USED_RESOLUTION:
            # Conditional UPDATE: of many parallel requests, only one writes.
            ApiToken.objects.filter(pk=found.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        return found.user


def request_user(request: HttpRequest) -> User:
    """The user the request's token belongs to (set by BearerToken)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "endpoint is missing BearerToken auth"
    return user
