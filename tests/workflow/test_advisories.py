"""Upgrade early warning: the advisory to organizations at risk
(frontline.workflow.advisories), recorded on each chosen organization's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput, NotAllowed
from frontline.core.models import User
from frontline.customers.models import Contact, Organization, OrganizationNote
from frontline.insights import alerts, detection
from frontline.insights.models import AlertTicket
from frontline.mail.models import OutboundMail
from frontline.tickets.models import MessageKind, Status, Ticket
from frontline.tickets.services.lookup import get_ticket
from frontline.workflow import advisories
from tests.insights.customer_base import customer_base, with_setups
from tests.mail.inbound_mails import compose, deliver

DAY = timedelta(days=1)


@pytest.fixture
def view(db: None, lena: User) -> alerts.AlertView:
    base = with_setups(customer_base(12))
    for n in range(3):
        base.problem(n, base.contact(n), base.now - (3 - n) * DAY)
    detection.run(limit=None)
    return alerts.list_alerts(lena)[0]


def test_the_draft_names_the_setup_and_the_version(view: alerts.AlertView) -> None:
    text = advisories.draft_advisory(view)
    assert "customers running database=oracle on Ledger 5.1" in text
    assert "you are not on Ledger 5.1 yet" in text
    assert "reported the same problem in the last days: ORA-01722." in text


def test_the_advisory_is_recorded_on_each_chosen_organization(view: alerts.AlertView,
                                                              lena: User) -> None:
    d, e = (risk.organization for risk in view.at_risk)
    notes = advisories.send_advisory(lena, view, "  Please wait with 5.1.  ", [str(d.pk)])
    assert len(notes) == 1
    note = OrganizationNote.objects.get()
    assert (note.organization, note.text, note.author, note.kind) == (
        d, "Please wait with 5.1.", lena, "advisory")
    ticket = get_ticket(note.detail["ticket"])
    assert note.detail == {"alert": view.alert.pk, "title": view.alert.title,
                           "ticket": ticket.reference, "to": ticket.requester.primary_email}
    assert not OrganizationNote.objects.filter(organization=e).exists()


def test_each_organization_gets_a_ticket_that_mails_the_advisory(view: alerts.AlertView,
                                                                  lena: User) -> None:
    chosen = [risk.organization for risk in view.at_risk]
    notes = advisories.send_advisory(lena, view, "Please wait with 5.1.",
                                     [org.pk for org in chosen], subject="Before 5.1")
    tickets = [get_ticket(n.detail["ticket"]) for n in notes]
    assert sorted(t.organization_id for t in tickets) == sorted(org.pk for org in chosen)
    for ticket in tickets:
        # Ours is the first message, the ticket waits for the customer and is lena's.
        (message,) = ticket.messages.all()
        assert (message.kind, message.author_user, message.body) == (
            MessageKind.OUTBOUND, lena, "Please wait with 5.1.")
        assert (ticket.status, ticket.assignee, ticket.subject) == (
            Status.PENDING_CUSTOMER, lena, "Before 5.1")
        assert ticket.first_response_at == ticket.created_at
        assert ticket.last_customer_message_at is None
        mail = OutboundMail.objects.get(message=message)
        assert mail.to == [ticket.requester.primary_email]
        assert ticket.events.get(kind="created").detail == {"proactive": True}


def test_the_advisory_goes_to_the_person_we_last_heard_from(view: alerts.AlertView,
                                                             lena: User) -> None:
    organization = view.at_risk[0].organization
    (first,) = Contact.objects.filter(organization=organization)
    newer = Contact.objects.create(name="Noor Haddad", organization=organization)
    newer.emails.create(address="noor.haddad@risk.example", is_primary=True)
    never_wrote = Contact.objects.create(name="Quiet Person", organization=organization)
    never_wrote.emails.create(address="quiet@risk.example", is_primary=True)
    # Nobody has written yet at this organization: its first contact.
    assert not Ticket.objects.filter(organization=organization).exists()
    assert advisories.recipient(organization) == first
    workflow.open_ticket(requester_email="noor.haddad@risk.example", subject="Printer",
                         body="Where is the print button?", requester=newer)
    assert advisories.recipient(organization) == newer
    # A bouncing address is never chosen.
    newer.emails.update(bouncing_since=view.alert.raised_at)
    assert advisories.recipient(organization) == first


def test_an_organization_nobody_can_be_mailed_at_is_recorded_only(view: alerts.AlertView,
                                                                   lena: User) -> None:
    organization = view.at_risk[0].organization
    for contact in Contact.objects.filter(organization=organization):
        contact.emails.update(bouncing_since=view.alert.raised_at)
    (note,) = advisories.send_advisory(lena, view, "Please wait.", [organization.pk])
    assert "ticket" not in note.detail
    assert note.detail["not_mailed"] == "Nobody at this organization has a working address."
    assert not OutboundMail.objects.filter(ticket__organization=organization,
                                           message__kind=MessageKind.OUTBOUND).exists()


def test_the_customers_answer_lands_on_the_advisory_ticket(view: alerts.AlertView,
                                                            lena: User) -> None:
    organization = view.at_risk[0].organization
    (note,) = advisories.send_advisory(lena, view, "Please wait with 5.1.",
                                       [organization.pk])
    ticket = get_ticket(note.detail["ticket"])
    sent = OutboundMail.objects.get(ticket=ticket)
    deliver(compose(sender=ticket.requester.primary_email, subject=f"Re: {ticket.subject}",
                    body="Thanks - we upgraded yesterday already, export still works.",
                    in_reply_to=sent.header_message_id.strip("<>")))
    ticket.refresh_from_db()
    assert ticket.messages.count() == 2 and ticket.status == Status.OPEN
    assert Ticket.objects.filter(organization=organization,
                                 subject__icontains="upgrade to").count() == 1


def test_advisory_tickets_never_form_an_alert_of_their_own(view: alerts.AlertView,
                                                          lena: User) -> None:
    organizations = [risk.organization.pk for risk in view.at_risk]
    # More organizations to mail, so that the advisory's words reach three or more.
    organizations += list(Organization.objects.filter(name__in=["Org F", "Org G"])
                          .values_list("pk", flat=True))
    text = ("Several customers report ORA-01722 when the export runs on Ledger 5.1. "
            "Please wait with the upgrade.")
    notes = advisories.send_advisory(lena, view, text, organizations)
    assert len([n for n in notes if "ticket" in n.detail]) >= 3
    before = set(AlertTicket.objects.values_list("ticket_id", flat=True))
    detection.run(limit=None)
    advisory_ids = {get_ticket(n.detail["ticket"]).pk for n in notes}
    assert not advisory_ids & set(AlertTicket.objects.values_list("ticket_id", flat=True))
    assert before <= set(AlertTicket.objects.values_list("ticket_id", flat=True))


def test_an_advisory_needs_text_and_organizations(view: alerts.AlertView, lena: User) -> None:
    with pytest.raises(InvalidInput, match="Write the advisory"):
        advisories.send_advisory(lena, view, " ", [view.at_risk[0].organization.pk])
    with pytest.raises(InvalidInput, match="at least one organization"):
        advisories.send_advisory(lena, view, "Wait.", [])
    with pytest.raises(InvalidInput, match="by id"):
        advisories.send_advisory(lena, view, "Wait.", ["D"])
    assert not OrganizationNote.objects.exists()


def test_viewers_may_not_send_advisories(view: alerts.AlertView, vera: User) -> None:
    with pytest.raises(NotAllowed):
        advisories.send_advisory(vera, view, "Wait.", [view.at_risk[0].organization.pk])
