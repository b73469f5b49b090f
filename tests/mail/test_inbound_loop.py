"""THE loop test (issue 3): an autoresponder peer answers every mail it gets; the
conversation stops after at most one acknowledgement.

Real SMTP (the aiosmtpd sink) on our side, the inbound pipeline (accept_raw +
process_inbound) on theirs. Two kinds of robot: a well-behaved one (RFC 3834
Auto-Submitted, a fresh subject, no threading headers) and a naive one that
marks nothing and answers "Re: <subject>" in the thread like a person would.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from frontline.mail import outbound
from frontline.mail.models import InboundMail, OutboundMail
from frontline.tickets.models import Ticket
from tests.mail.inbound_mails import compose, deliver

PEER = "robot@autoresponder.example"


def polite_robot(mail: EmailMessage, round_number: int) -> bytes:
    return compose(sender=f"Robot <{PEER}>", subject="Out of office",
                   body="I am away until Monday.",
                   message_id=f"polite.{round_number}@autoresponder.example",
                   headers={"Auto-Submitted": "auto-replied"})


def naive_robot(mail: EmailMessage, round_number: int) -> bytes:
    return compose(sender=f"Robot <{PEER}>", subject=f"Re: {mail['Subject']}",
                   body="Thank you for your message. We will get back to you.",
                   message_id=f"naive.{round_number}@autoresponder.example",
                   in_reply_to=str(mail["Message-ID"]).strip("<>"),
                   to=str(mail["Reply-To"] or mail["From"]))


@pytest.mark.parametrize("robot", [polite_robot, naive_robot], ids=["polite", "naive"])
def test_an_autoresponder_gets_at_most_one_acknowledgement(
        smtp_sink, db, robot: Callable[[EmailMessage, int], bytes]):
    deliver(compose(sender=f"Robot <{PEER}>", subject="Please help",
                    body="Our license expired."))
    answered = 0
    for round_number in range(1, 21):
        outbound.deliver_due()
        new = smtp_sink.messages()[answered:]
        if not new:
            break
        for mail in new:
            answered += 1
            deliver(robot(mail, round_number))
    else:
        pytest.fail("the conversation with the autoresponder never stopped")

    to_robot = [mail for mail in smtp_sink.messages() if PEER in str(mail["To"])]
    assert len(to_robot) == 1
    assert to_robot[0]["Auto-Submitted"] == "auto-replied"
    assert Ticket.objects.count() == 1
    assert OutboundMail.objects.filter(state="queued").count() == 0
    # Every robot mail was kept (stored on the ticket or kept as ignored), none lost.
    assert InboundMail.objects.count() == 2
