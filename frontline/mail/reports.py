"""Reports about mail we sent that are not failures: abuse feedback and delivery.

Two kinds of machine mail arrive with a copy (or the headers) of a mail of ours
and say something about it that an agent may want to know, but that no customer
wrote and nobody must answer:

- RFC 5965 feedback reports (ARF, `multipart/report; report-type=feedback-report`):
  a mailbox provider's feedback loop tells us that its user marked our mail as
  spam (`abuse`), `fraud`, a `virus`, or `not-spam`. Help desks that read them as
  customer mail opened tickets for them and acknowledged the provider's robot.
- RFC 3464 delivery status notifications whose every recipient was `delivered`,
  `relayed` or `expanded` (an MTA honouring NOTIFY=SUCCESS, Exchange's "Relayed:"
  and "Delivered:" reports). Failures and delays are bounces (bounces.py); a report
  that mixes both is a bounce, since the failure is what needs acting on.

`parse_report` reads either into a `MailReport`; the mail intake records it on
the ticket of the mail it is about and never makes it a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from frontline.mail.bounces import address_field, field_blocks, original_message_id

FEEDBACK = "feedback"
DELIVERED = "delivered"

# RFC 5965 §7.3 registers these; anything else is kept as the provider wrote it.
FEEDBACK_TYPES = {
    "abuse": "spam (abuse)",
    "fraud": "fraud",
    "virus": "carrying a virus",
    "not-spam": "not spam",
    "auth-failure": "failing authentication",
    "other": "unwanted (other)",
}
_SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")


@dataclass
class MailReport:
    kind: str  # FEEDBACK or DELIVERED
    original_message_id: str | None
    recipients: list[str] = field(default_factory=list)
    feedback_type: str | None = None  # FEEDBACK only: abuse, fraud, virus, not-spam, ...
    reporter: str | None = None  # the reporting software or MTA, as it names itself
    status: str | None = None  # DELIVERED only: the first 2.x.x status

    @property
    def summary(self) -> str:
        """One line for the admin's list and the automatic-mail reason."""
        recipients = ", ".join(self.recipients) or "an unnamed recipient"
        if self.kind == FEEDBACK:
            what = FEEDBACK_TYPES.get(self.feedback_type or "", self.feedback_type or "unwanted")
            by = f" ({self.reporter})" if self.reporter else ""
            return f"feedback report{by}: our mail to {recipients} was reported as {what}"
        return f"delivery report: our mail reached {recipients}"


def _report_type(message: Message) -> str:
    if message.get_content_type() != "multipart/report":
        return ""
    try:
        return str(message.get_param("report-type") or "").strip().lower()
    except Exception:  # a hostile parameter list
        return ""


def parse_report(message: Message) -> MailReport | None:
    """A feedback report or an all-successful delivery report; None for anything else."""
    report_type = _report_type(message)
    feedback_part = next((part for part in message.walk()
                          if part.get_content_type() == "message/feedback-report"), None)
    if feedback_part is not None or report_type == "feedback-report":
        return _feedback(message, feedback_part)
    status_part = next((part for part in message.walk()
                        if part.get_content_type() in _STATUS_PARTS), None)
    return _delivered(message, status_part) if status_part is not None else None


def _feedback(message: Message, part: Message | None) -> MailReport:
    fields: dict[str, str] = {}
    for block in field_blocks(part) if part is not None else []:
        fields.update(block)
    recipients = [address for address in (address_field(fields.get("original-rcpt-to")),)
                  if address]
    feedback_type = (fields.get("feedback-type") or "").strip().lower() or None
    return MailReport(
        kind=FEEDBACK,
        original_message_id=original_message_id(message),
        recipients=recipients,
        feedback_type=feedback_type,
        reporter=(fields.get("user-agent") or fields.get("reporting-mta") or "").strip()[:120]
        or None,
    )


def _delivered(message: Message, part: Message) -> MailReport | None:
    recipients: list[str] = []
    statuses: list[str] = []
    reporter: str | None = None
    for block in field_blocks(part):
        if "reporting-mta" in block:
            reporter = address_field(block["reporting-mta"])
        if "final-recipient" not in block and "original-recipient" not in block:
            continue
        action = block.get("action", "").strip().lower()
        if action not in _SUCCESS_ACTIONS:
            return None  # a failure or delay in it: a bounce, read by bounces.parse_dsn
        address = (address_field(block.get("original-recipient"))
                   or address_field(block.get("final-recipient")))
        if address and address not in recipients:
            recipients.append(address)
        status = block.get("status", "").strip()
        if status.startswith("2."):
            statuses.append(status.split()[0])
    if not recipients:
        return None
    return MailReport(kind=DELIVERED, original_message_id=original_message_id(message),
                      recipients=recipients, reporter=reporter,
                      status=statuses[0] if statuses else None)
