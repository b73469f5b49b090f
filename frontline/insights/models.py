"""Similar tickets and recurring-problem alerts (issue 10, part 2).

- TicketSignature: one row per ticket whose signature was built (its time, its
  organization, whether it reports an error). A ticket without one is still to
  be read by detection (frontline.insights.detection.pending_ticket_ids).
- TicketTerm: the signature's terms, one row per (ticket, term), indexed by
  (term, at, ticket): a lookup reads the postings of a handful of rare terms,
  newest first or within a window of ticket times, from the index alone.
- TermStat: in how many signatures each term occurs (the inverse document
  frequency is read from it at lookup time; see frontline.insights.signatures).
  The row with the empty term counts the signatures.
- Alert and AlertTicket: a group of similar tickets from several organizations
  that crossed the threshold, and its tickets (a ticket is in one alert at most).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TicketSignature(models.Model):
    ticket = models.OneToOneField("tickets.Ticket", primary_key=True, on_delete=models.CASCADE,
                                  related_name="+")
    at = models.DateTimeField(help_text="The ticket's time (created_at), not the build time.")
    organization = models.ForeignKey("customers.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The customer as detection counts them: the organization, or the requester
    # when there is none (negative: a contact id), so two lone requesters are two.
    customer_key = models.BigIntegerField()
    failure = models.BooleanField(help_text="The first message reports an error or a code.")
    terms = models.PositiveSmallIntegerField(default=0)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"signature of {self.ticket_id}"


class TicketTerm(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    term = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # Covering: postings of a term newest first, or in a time window,
            # with their ticket ids, read from the index alone.
            models.Index(fields=["term", "at", "ticket"], name="ticketterm_term_at"),
            models.Index(fields=["ticket"], name="ticketterm_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.term} in {self.ticket_id}"


class TermStat(models.Model):
    term = models.CharField(max_length=64, primary_key=True)
    tickets = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.tickets}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    PROBLEM = "problem", "Problem"


class Alert(models.Model):
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(
        help_text="The time of the ticket that crossed the threshold (ticket time).")
    detected_at = models.DateTimeField(help_text="When detection raised it.")
    terms = models.JSONField(default=list, help_text="The signature terms that define it, "
                                                     "as shown: ['ORA-01722', 'export', ...].")
    keys = models.JSONField(default=list, help_text="The same terms as stored in TicketTerm.")
    # The problem it became (workflow.problems.problem_from_alert); its tickets are
    # then linked there and not grouped again.
    problem = models.ForeignKey("problems.Problem", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="alerts")
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "raised_at"], name="alert_status_raised")]

    def __str__(self) -> str:
        return self.title


class AlertTicket(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="links")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(help_text="The ticket's time.")
    organization = models.ForeignKey("customers.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "ticket"]

    def __str__(self) -> str:
        return f"{self.ticket_id} in alert {self.alert_id}"
