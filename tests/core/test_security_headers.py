"""The headers every answer carries (issue 11): a Content-Security-Policy without
inline script on every page, no caching of desk pages, customer files only as
downloads, cookies that scripts cannot read and that stay on https when the site is."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import frontline
from frontline.core.csp import POLICY
from frontline.tickets import access
from tests.mail.inbound_mails import compose, deliver

TEMPLATES = sorted(Path(frontline.__file__).parent.glob("*/templates/**/*.html"))
# An inline script: a <script> element without src (a JSON data block is inert), an
# event-handler attribute (htmx's hx-on included: it needs eval), or a javascript: URL.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                           re.I)
HANDLER = re.compile(r"(\son[a-z]+|\shx-on[:a-z-]*)\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _directives(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
            for part in header.split(";") if part.strip()}


def test_the_policy_forbids_inline_script_plugins_base_and_framing():
    directives = _directives(POLICY)
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in POLICY and "unsafe-eval" not in POLICY
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("frontline/")[-1])
def test_no_template_carries_inline_script(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script into a static .js file"
    assert not HANDLER.search(text), "listen for the event in a static .js file"
    assert not JS_URL.search(text)


def test_every_face_answers_with_the_policy(lena, bobs_ticket):
    desk = _signed_in(lena)
    answers = {
        "desk page": desk.get(f"/t/{bobs_ticket.reference}"),
        "desk queue (htmx part)": desk.get("/q/open", HTTP_HX_REQUEST="true"),
        "sign-in page": Client().get("/login"),
        "portal ticket": Client().get(access.ticket_path(bobs_ticket, bobs_ticket.requester)),
        "request form": Client().get("/request"),
        "api": Client().get("/api/v1/me"),
        "desk 404": desk.get("/no/such/page/here"),
    }
    for name, response in answers.items():
        assert response["Content-Security-Policy"] == POLICY, name


def test_desk_pages_are_never_cached_like_the_portals(otto, bobs_ticket):
    desk = _signed_in(otto)
    for path in ("/q/open", f"/t/{bobs_ticket.reference}", "/search?q=upgrade", "/problems"):
        response = desk.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    portal = Client().get(access.ticket_path(bobs_ticket, bobs_ticket.requester))
    assert "no-store" in portal["Cache-Control"]


@pytest.fixture
def hostile_files(bob):
    """A mail from Bob with an SVG that carries a script, an HTML page and a PNG."""
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
           b'<script>fetch("/api/v1/me")</script></svg>')
    page = b"<html><body><script>document.cookie</script>Rechnung</body></html>"
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
           b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00"
           b"\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")
    deliver(compose(subject="Screenshots of the broken export", attachments=[
        ("diagram.svg", "image/svg+xml", svg),
        ("Rechnung 2026.html", "text/html", page),
        ("screen.png", "image/png", png),
    ]))
    from frontline.tickets.models import Attachment

    return {a.filename: a for a in Attachment.objects.select_related("message__ticket")}


def test_customer_files_are_downloads_in_the_desk(lena, hostile_files):
    desk = _signed_in(lena)
    for name, attachment in hostile_files.items():
        response = desk.get(f"/t/{attachment.message.ticket.reference}/files/{attachment.pk}")
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        # Should a browser render it anyway: sandboxed, no script, opaque origin.
        assert _directives(response["Content-Security-Policy"])["sandbox"] == "", name


def test_customer_files_are_downloads_on_the_portal(hostile_files):
    attachment = hostile_files["diagram.svg"]
    ticket = attachment.message.ticket
    response = Client().get(access.ticket_path(ticket, ticket.requester)
                            + f"/files/{attachment.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_csrf_cookie_is_http_only(client):
    response = client.get("/login")
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def _settings_under(environment: dict[str, str], tmp_path: Path) -> dict[str, object]:
    """The cookie and HSTS settings a fresh process reads from `environment`."""
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
             "SECURE_HSTS_SECONDS"]
    code = ("import json; from frontline import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FRONTLINE_SITE_URL", "FRONTLINE_SECURE_COOKIES",
                                  "FRONTLINE_HSTS"))}
    env.update(environment, FRONTLINE_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_https_site_gets_secure_cookies_and_hsts_by_default(tmp_path):
    found = _settings_under({"FRONTLINE_SITE_URL": "https://help.example.com"}, tmp_path)
    assert found["SESSION_COOKIE_SECURE"] is True and found["CSRF_COOKIE_SECURE"] is True
    assert found["SECURE_HSTS_SECONDS"] == 31536000
    assert found["CSRF_COOKIE_HTTPONLY"] is True


def test_a_plain_http_site_keeps_cookies_usable_and_no_hsts(tmp_path):
    found = _settings_under({"FRONTLINE_SITE_URL": "http://127.0.0.1:8000"}, tmp_path)
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0


def test_the_explicit_setting_still_wins(tmp_path):
    found = _settings_under({"FRONTLINE_SITE_URL": "https://help.example.com",
                             "FRONTLINE_SECURE_COOKIES": "0",
                             "FRONTLINE_HSTS_SECONDS": "600"}, tmp_path)
    assert found["SESSION_COOKIE_SECURE"] is False
    assert found["SECURE_HSTS_SECONDS"] == 600
    found = _settings_under({"FRONTLINE_SECURE_COOKIES": "yes"}, tmp_path)
    assert found["SESSION_COOKIE_SECURE"] is True


def test_hsts_is_sent_on_https_requests(settings, client):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
