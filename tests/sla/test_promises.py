"""What the customer is promised: the formal first-response time in their own timezone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from frontline import workflow
from frontline.mail import outbound
from frontline.sla import promises
from frontline.sla.models import SlaPolicy
from frontline.tickets import access
from tests.mail.inbound_mails import compose, deliver
from tests.sla.conftest import NEW_YORK, berlin


def test_a_premium_customers_mail_is_acknowledged_with_a_two_hour_promise_in_their_zone(
        smtp_sink, alice, premium_policy):
    inbound = deliver(compose(sender="Alice Premium <alice@premium.example>",
                              subject="Nightly export fails", body="Timeout three nights."))
    outbound.deliver_due()

    ticket = inbound.ticket
    by = ticket.clock.first_response_due.astimezone(NEW_YORK)
    [mail] = [m for m in smtp_sink.messages() if "alice@premium.example" in str(m["To"])]
    text = mail.get_body(("plain",)).get_content()
    assert (f"You will hear from us within about two hours, by {by:%H:%M} "
            f"(America/New_York).") in text
    assert settings.FRONTLINE_ACK_PROMISE not in text


def test_a_standard_customers_mail_on_friday_evening_is_promised_for_the_next_business_day(
        bob, standard_policy):
    friday_evening = berlin(2025, 3, 14, 19, 0)
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Login",
                                  body="Cannot log in.", at=friday_evening)
    assert promises.acknowledgement_promise(ticket, friday_evening) == (
        "You will hear from us by Monday 17:00 (Europe/Berlin).")


def test_a_promise_within_the_day_and_tomorrow(bob, standard_policy):
    morning = berlin(2025, 3, 11, 8, 0)  # Tuesday, before opening
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Login",
                                  body="Cannot log in.", at=morning)
    assert promises.acknowledgement_promise(ticket, morning) == (
        "You will hear from us by 17:00 today (Europe/Berlin).")
    afternoon = berlin(2025, 3, 11, 15, 0)
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Login",
                                  body="Cannot log in.", at=afternoon)
    assert promises.acknowledgement_promise(ticket, afternoon) == (
        "You will hear from us by tomorrow, Wednesday 15:00 (Europe/Berlin).")


def test_an_informal_policy_promises_nothing_particular(bob, standard_policy):
    SlaPolicy.objects.filter(pk=standard_policy.pk).update(formal=False)
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Login",
                                  body="Cannot log in.")
    assert promises.acknowledgement_promise(ticket) == settings.FRONTLINE_ACK_PROMISE
    assert promises.promise_text(ticket) is None


@pytest.mark.parametrize(("minutes", "words"), [
    (120, "two hours"), (118, "two hours"), (90, "an hour and a half"), (60, "an hour"),
    (20, "20 minutes"), (270, "four and a half hours"),
])
def test_durations_read_like_a_person_would_say_them(minutes, words):
    assert promises._duration(timedelta(minutes=minutes)) == words


def test_the_no_login_page_says_when_they_will_hear_from_us(client, bob, standard_policy):
    ticket = workflow.open_ticket(requester_email="bob@standard.example", subject="Login",
                                  body="Cannot log in.", at=timezone.now())
    page = client.get(access.ticket_path(ticket, ticket.requester))
    html = page.content.decode()
    assert page.status_code == 200
    assert "You will hear from us" in html
    assert "(Europe/Berlin)" in html
