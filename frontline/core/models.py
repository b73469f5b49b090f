from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"
    DEVELOPER = "developer", "Developer"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    """A member of staff. Customers are Contacts, not Users."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    tier = models.PositiveSmallIntegerField(default=1)
    # Away (holiday, sick): automatic assignment skips them.
    away = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__in=[1, 2, 3]), name="user_tier_1_to_3"),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        key = "flt_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:12]
        )
        return token, key


class PeriodicJob(models.Model):
    """A job the workers run on a schedule; `next_run_at` is claimed compare-and-set.

    Several workers may look at the same job at once; only the one whose UPDATE
    moves `next_run_at` forward from the value it read enqueues the task, so a
    job never runs twice for one slot.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A worker process, alive while `seen_at` keeps moving (core/worker.py writes it
    every few seconds, from a thread of its own, also while a long task runs). A task
    still "running" under a worker whose heartbeat stopped was lost with it
    (core/lost_tasks.py queues it again)."""

    worker_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.worker_id


class SignInOutcome(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    FAILED = "failed", "Wrong username or password"
    HELD = "held", "Refused: too many failed sign-ins"


class SignInEvent(models.Model):
    """One attempt to sign in to the desk, kept for the record and counted by the
    limits (frontline.core.signin). `username` is what was typed (normalised), so
    attempts on names that do not exist count too; `user` is set when it names one."""

    at = models.DateTimeField(db_index=True)
    username = models.CharField(max_length=150)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="sign_in_events")
    client = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=SignInOutcome.choices)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="signin_username_at"),
            models.Index(fields=["client", "at"], name="signin_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} from {self.client}: {self.outcome}"
