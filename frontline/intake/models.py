"""Question sets per category, versioned, and the facts a ticket holds.

A category's questions are edited as a draft (the set with no version number)
and published as the next version; a published version never changes, so a
ticket that records the version it was asked with can always show what it was
asked. The category `standard` holds the questions every request is asked,
before its own category's.

A ticket's facts are one row per key with where the value came from: the form,
the customer's message (with the quote it came from), an agent, or the
organization's deployment and environment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class QuestionType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Several choices"
    YES_NO = "yes_no", "Yes or no"
    VERSION = "version", "Version of a product"
    FILE = "file", "File"


class QuestionSet(models.Model):
    category = models.ForeignKey("tickets.Category", on_delete=models.CASCADE,
                                 related_name="question_sets")
    version = models.PositiveIntegerField(null=True, blank=True,
                                          help_text="None: the draft being edited.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "version"],
                                    name="question_set_version"),
            models.UniqueConstraint(fields=["category"], condition=Q(version__isnull=True),
                                    name="question_set_one_draft"),
        ]

    def __str__(self) -> str:
        which = f"version {self.version}" if self.version else "draft"
        return f"{self.category_id} {which}"


class Question(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE,
                                     related_name="questions")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=50, help_text="The fact it fills: version, database, steps.")
    text = models.CharField(max_length=500, help_text="As the customer reads it.")
    agent_text = models.CharField(max_length=500, blank=True, help_text="As an agent asks it.")
    why = models.CharField(max_length=500, help_text="Why we ask, shown to both.")
    type = models.CharField(max_length=20, choices=QuestionType.choices,
                            default=QuestionType.TEXT)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    when = models.JSONField(default=dict, blank=True,
                            help_text='Shown only when earlier answers match: {"key": value}.')
    patterns = models.JSONField(
        default=list, blank=True,
        help_text="Regular expressions that read the fact from a customer's text; "
                  "the first group (or the whole match) is the value.")
    keywords = models.JSONField(
        default=dict, blank=True,
        help_text='Words that give a value: {"Oracle": ["ora", "oracle db"]}.')

    class Meta:
        ordering = ["question_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "key"], name="question_key_once"),
        ]

    def __str__(self) -> str:
        return self.key


class FactSource(models.TextChoices):
    FORM = "form", "Form"
    MESSAGE = "message", "The customer's message"
    AGENT = "agent", "Agent"
    ORGANIZATION = "organization", "Organization"


class TicketFact(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="facts")
    key = models.SlugField(max_length=50)
    value = models.TextField()
    source = models.CharField(max_length=20, choices=FactSource.choices)
    quote = models.TextField(blank=True, help_text="What the customer wrote that says it.")
    question_set = models.ForeignKey(QuestionSet, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey("tickets.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["ticket", "key"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "key"], name="ticket_fact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value[:40]}"


class PendingReading(models.Model):
    """A customer message whose facts are still to be read.

    The batched mail import opens thousands of tickets a minute; reading each
    message's facts there would halve its rate, and imported history gets no
    follow-up that would need them at once. So the import queues its messages
    here (one INSERT per batch) and the worker reads them
    (frontline.workflow.tasks, "intake.read_pending")."""

    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    opened = models.BooleanField(default=False,
                                 help_text="The ticket's first message: its organization's "
                                           "defaults are read too.")
    queued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"message {self.message_id}"
