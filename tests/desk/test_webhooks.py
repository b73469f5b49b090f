"""Settings → Webhooks on the desk: an admin adds an endpoint, reads its secret,
sends a test, sees the delivery log; agents are refused."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline.webhooks import delivery
from frontline.webhooks.models import Endpoint


def test_an_admin_adds_an_endpoint_and_reads_its_secret(signed_in, ada):
    browser = signed_in(ada)
    page = browser.get("/settings/webhooks")
    assert page.status_code == 200 and b"No endpoints yet." in page.content
    assert b'value="ticket.sla_breach"' in page.content
    added = browser.post("/settings/webhooks/add", {
        "url": "https://chat.example.org/hooks/support", "description": "Canal #support",
        "events": ["ticket.sla_breach", "ticket.escalated"]})
    endpoint = Endpoint.objects.get()
    assert added.status_code == 302 and added["Location"] == f"/settings/webhooks/{endpoint.pk}"
    assert endpoint.events == ["ticket.escalated", "ticket.sla_breach"]
    detail = browser.get(added["Location"])
    assert endpoint.secret.encode() in detail.content
    assert b"Canal #support" in detail.content and b"Nothing sent yet." in detail.content


def test_a_bad_url_is_shown_on_the_form_with_what_was_typed(signed_in, ada, settings):
    settings.FRONTLINE_WEBHOOK_ALLOW_LOCAL_HTTP = False
    page = signed_in(ada).post("/settings/webhooks/add", {
        "url": "http://chat.example.org/hooks", "description": "Sans TLS"})
    assert page.status_code == 422
    assert b"must use https://" in page.content and b"Sans TLS" in page.content
    assert not Endpoint.objects.exists()


def test_the_log_shows_each_attempt_and_its_answer(signed_in, ada, receiver):
    browser = signed_in(ada)
    browser.post("/settings/webhooks/add", {"url": receiver.url()})
    endpoint = Endpoint.objects.get()
    receiver.answers = [503]
    assert browser.post(f"/settings/webhooks/{endpoint.pk}/test").status_code == 302
    now = timezone.now() + timedelta(seconds=1)
    delivery.run_due(now=now)
    delivery.run_due(now=now + timedelta(minutes=5))
    page = browser.get(f"/settings/webhooks/{endpoint.pk}").content.decode()
    assert 'data-state="delivered"' in page
    assert "1: HTTP 503" in page and "2: HTTP 200" in page


def test_an_admin_switches_an_endpoint_off_replaces_its_secret_and_removes_it(signed_in, ada):
    browser = signed_in(ada)
    browser.post("/settings/webhooks/add", {"url": "https://h.example.net/in"})
    endpoint = Endpoint.objects.get()
    browser.post(f"/settings/webhooks/{endpoint.pk}/edit",
                 {"url": "https://h.example.net/in2", "description": ""})  # "active" unticked
    changed = Endpoint.objects.get()
    assert (changed.url, changed.active) == ("https://h.example.net/in2", False)
    browser.post(f"/settings/webhooks/{endpoint.pk}/secret")
    assert Endpoint.objects.get().secret != endpoint.secret
    browser.post(f"/settings/webhooks/{endpoint.pk}/delete")
    assert not Endpoint.objects.exists()
    assert browser.get(f"/settings/webhooks/{endpoint.pk}").status_code == 404


def test_agents_are_refused_the_webhooks_pages(signed_in, lena, ada):
    browser = signed_in(lena)
    assert browser.get("/settings/webhooks").status_code == 403
    assert browser.post("/settings/webhooks/add",
                        {"url": "https://h.example.net/in"}).status_code == 403
    assert not Endpoint.objects.exists()
