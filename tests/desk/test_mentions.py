"""The desk's side of mentions and notifications: the composer's staff lookup, the
mention marked on the timeline (and the one who could not be told), the paged and
filtered notifications page with its mail switch, and customers on the search page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline import workflow
from frontline.notifications.models import Notification, NotificationPreference
from frontline.notifications.services import notify
from tests.desk.conftest import HTMX
from tests.factories import ContactFactory, OrganizationFactory


def test_the_composer_lookup_lists_staff_who_may_see_the_ticket(signed_in, lena, otto, dana,
                                                               lenas_ticket):
    client = signed_in(lena)
    url = f"/t/{lenas_ticket.reference}/mentionable"
    people = client.get(url, {"q": "o"}).json()["people"]
    assert people == [{"username": "otto", "name": "Otto Level-Two"}]
    everyone = [person["username"] for person in client.get(url).json()["people"]]
    assert "dana" not in everyone and {"lena", "otto"} <= set(everyone)
    assert client.get(url, {"q": "zz"}).json() == {"people": []}
    assert client.get("/t/FL-999999/mentionable").status_code == 404


def test_a_note_shows_its_mentions_and_who_could_not_be_told(signed_in, lena, otto, dana,
                                                            lenas_ticket):
    client = signed_in(lena)
    response = client.post(f"/t/{lenas_ticket.reference}/messages",
                           {"kind": "note", "body": "@otto bitte prüfen; @dana <b>too</b>?"},
                           **HTMX)
    assert response.status_code == 200
    page = client.get(f"/t/{lenas_ticket.reference}").content.decode()
    assert '<mark class="mention" title="Otto Level-Two was notified">@otto</mark>' in page
    assert '<mark class="mention unreachable"' in page
    assert "(cannot see this ticket: not notified)" in page
    assert "&lt;b&gt;too&lt;/b&gt;" in page
    assert "desk/mentions.js" in page and 'id="mention-source"' in page
    assert Notification.objects.get(kind="mention").user == otto


def test_the_notifications_page_pages_and_filters(signed_in, lena, otto, lenas_ticket):
    start = timezone.now() - timedelta(days=2)
    for number in range(55):
        notify([otto], "sla_warning" if number % 5 else "escalated",
               f"Warning number {number:02d}", ticket=lenas_ticket,
               at=start + timedelta(minutes=number))
    workflow.assign(lenas_ticket, lena, otto)
    client = signed_in(otto)
    first = client.get("/notifications").content.decode()
    assert "Lena Level-One assigned" in first
    assert "Warning number 54" in first and "Warning number 05" not in first
    assert 'rel="next"' in first
    next_url = first.split('href="?', 2)[-1].split('" rel="next"')[0].replace("&amp;", "&")
    older = client.get("/notifications?" + next_url).content.decode()
    assert "Warning number 05" in older and "Warning number 54" not in older

    escalations = client.get("/notifications", {"kind": "escalated"}).content.decode()
    assert "Warning number 50" in escalations and "Warning number 51" not in escalations
    client.post("/notifications/read")
    notify([otto], "mention", "Lena mentioned you on a new one")
    unread = client.get("/notifications", {"show": "unread"}).content.decode()
    assert "Lena mentioned you" in unread and "Warning number" not in unread
    assert client.get("/notifications", {"kind": "gossip"}).status_code == 422
    # A cursor that was not handed out starts again from the newest.
    assert client.get("/notifications", {"after": "%%%"}).status_code == 200


def test_a_person_switches_mail_about_mentions_on_and_off(signed_in, otto):
    client = signed_in(otto)
    assert "checked" not in client.get("/notifications").content.decode().split(
        'name="by_mail"')[1][:20]
    assert client.post("/notifications/mail", {"by_mail": "on"}).status_code == 302
    assert NotificationPreference.objects.get(user=otto).by_mail
    assert 'name="by_mail" checked' in client.get("/notifications").content.decode()
    client.post("/notifications/mail", {})
    assert not NotificationPreference.objects.get(user=otto).by_mail


def test_search_shows_customer_cards_above_the_tickets(signed_in, lena, standard_plan):
    acme = OrganizationFactory(name="Acme Robotics", plan=standard_plan,
                               domains=["acme-robotics.example"])
    ContactFactory(name="Priya Raman", organization=acme, email="priya@acme-robotics.example")
    ticket = workflow.open_ticket(requester_email="priya@acme-robotics.example",
                                  subject="Gripper loses calibration", body="Every night.",
                                  channel="email")
    client = signed_in(lena)
    page = client.get("/search", {"q": "Acme Robotics"}).content.decode()
    assert 'class="person-card org-card"' in page
    assert f'href="/o/{acme.pk}"' in page
    assert f'href="/t/{ticket.reference}"' in page
    assert page.index("person-card") < page.index("<h2 class=\"section\">Tickets</h2>")
    person = client.get("/search", {"q": "priya"}).content.decode()
    assert 'class="person-card contact-card"' in person and "Priya Raman" in person
    nothing = client.get("/search", {"q": "Umbrella"}).content.decode()
    assert "person-card" not in nothing
