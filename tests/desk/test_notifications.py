"""Staff see what they should know: the SLA warnings and escalations addressed to them."""

from __future__ import annotations

from frontline.notifications.models import Notification
from frontline.notifications.services import notify


def test_a_notification_is_counted_in_the_nav_listed_and_marked_read(signed_in, lena, otto,
                                                                      bobs_ticket):
    notify([lena], "sla_breach", f"{bobs_ticket.reference} missed its first response target",
           ticket=bobs_ticket)
    notify([otto], "escalated", "Not for Lena")
    client = signed_in(lena)
    page = client.get("/q/open").content.decode()
    assert '<span>Notifications</span><span class="count">1</span>' in page

    listing = client.get("/notifications").content.decode()
    assert "missed its first response target" in listing
    assert f'href="/t/{bobs_ticket.reference}"' in listing
    assert "Not for Lena" not in listing
    assert 'class="notification kind-sla_breach unread"' in listing

    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=lena, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=otto, read_at__isnull=True).count() == 1
    assert '<span class="count zero">0</span>' in client.get("/q/open").content.decode()
    assert client.get("/notifications/read").status_code == 405
