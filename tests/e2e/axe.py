"""The pages every desk and portal check walks, and axe-core run inside them.

axe-core (tests/e2e/vendor/axe-core, MPL-2.0) is evaluated through the DevTools
protocol, which a page's Content-Security-Policy does not govern: the pages keep
their real CSP, so a script of ours that the policy would block fails the test too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from frontline import demo
from frontline.customers.models import Organization
from frontline.problems.models import Problem
from frontline.tickets import access
from frontline.tickets.models import Ticket

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# WCAG 2.0 and 2.1, levels A and AA: what the issue asks the desk and portal to meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
GRAVE = {"serious", "critical"}

DESK_PAGES_WITHOUT_IDS = [
    "/q/open", "/q/mine", "/q/unassigned", "/search?q=login", "/search?q=FL-",
    "/notifications", "/reports", "/insights", "/insights/customers", "/problems",
    "/dev", "/calls/new", "/settings/macros", "/settings/support",
    "/settings/plans", "/settings/policies", "/settings/calendars", "/settings/costs",
    "/settings/teams", "/settings/categories", "/settings/mail", "/settings/webhooks",
    "/mail/inbound",
]


def load_demo_desk() -> None:
    """A believable desk (frontline.demo) with every page filled: tickets at all
    states, problems, insights alerts, reports over a history."""
    demo.load(tickets=40)


def desk_pages() -> list[str]:
    """Every desk page an agent or admin reads, with real ids from the demo."""
    ticket = Ticket.objects.filter(messages__isnull=False).order_by("-pk").first()
    assert ticket is not None, "the demo wrote no ticket with messages"
    pages = [*DESK_PAGES_WITHOUT_IDS, f"/t/{ticket.reference}"]
    escalated = Ticket.objects.filter(tier__gt=1).order_by("pk").first()
    if escalated is not None:
        pages.append(f"/t/{escalated.reference}")
    organization = Organization.objects.order_by("pk").first()
    if organization is not None:
        pages.append(f"/o/{organization.pk}")
    problem = Problem.objects.order_by("pk").first()
    if problem is not None:
        pages.append(f"/problems/{problem.pk}")
    return pages


def portal_pages() -> list[str]:
    """The customer's pages: the request form, their ticket and its answers page
    (signed links, frontline.tickets.access), a broken link offering a fresh one,
    and what follows asking for it."""
    ticket = (Ticket.objects.filter(messages__isnull=False, requester__isnull=False)
              .order_by("pk").first())
    assert ticket is not None and ticket.requester is not None
    ticket_path = access.ticket_path(ticket, ticket.requester)
    return ["/request", ticket_path, access.answers_path(ticket, ticket.requester),
            ticket_path[:-4] + "AAAA", "/my/link/sent"]


def request_form_steps(page: Any, base_url: str) -> Iterator[str]:
    """Walk the public request form (frontline.portal.request) as a customer does,
    yielding after each page it shows: the questions of the first topic, then
    whatever sending shows (the confirmation, or the form with its errors when the
    topic asks more than a subject and a description)."""
    page.goto(f"{base_url}/request")
    page.check("#topic-1")
    page.fill("#f-name", "Mirela Ionescu")
    page.fill("#f-email", "mirela@northwind.example")
    page.click("button[value=next]")
    page.wait_for_load_state("load")
    yield "/request (questions)"
    page.fill("#f-subject", "Die Synchronisierung bleibt bei 99 % stehen")
    page.fill("#f-description", "Seit dem Update hängt der Abgleich; Neustart hilft nicht.")
    page.click("button.primary[value=send]")
    page.wait_for_load_state("load")
    yield "/request (sent)"


def grave_violations(page: Any) -> list[str]:
    """axe's serious and critical WCAG 2 A/AA findings on the page, one line per
    element: rule, impact, the element's selector and axe's summary."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG_TAGS)
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            impact = node.get("impact") or violation.get("impact")
            if impact in GRAVE:
                summary = node.get("failureSummary", "").replace("\n", " ")
                found.append(f"{violation['id']} ({impact}) {node['target']}: {summary[:220]}")
    return found


def sideways_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when nothing
    scrolls sideways)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))
