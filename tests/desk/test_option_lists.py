"""The long option lists (assignees, teams) of the queue filter bar and the ticket's
actions panel, which are built without a template loop (bench/RESULTS.md, finding 5)."""

from __future__ import annotations

import re

from frontline import workflow
from frontline.core.models import Role
from tests.factories import UserFactory


def select_options(html: str, select_id_or_name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the <select> with that id or name."""
    match = re.search(rf'<select (?:id|name)="{select_id_or_name}"[^>]*>(.*?)</select>', html,
                      re.S)
    assert match, select_id_or_name
    return [(value, label, bool(selected)) for value, selected, label in re.findall(
        r'<option value="([^"]*)"( selected)?>([^<]*)</option>', match.group(1))]


def test_the_assignee_menu_lists_who_may_hold_the_ticket(signed_in, lena, otto, dana, vera,
                                                         ada, bobs_ticket):
    UserFactory(username="gone", first_name="Gone", last_name="Away", role=Role.AGENT,
                is_active=False)
    workflow.assign(bobs_ticket, lena, otto)
    client = signed_in(lena)
    html = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    # Tier 1: the developer may not see it, the viewer may not hold it, nor may the inactive.
    assert select_options(html, "f-assignee") == [
        ("", "Unassigned", False),
        ("ada", "Ada Admin", False),
        ("lena", "Lena Level-One (me)", False),
        ("otto", "Otto Level-Two", True),
    ]
    workflow.set_tier(bobs_ticket, lena, 3, reason="Needs tier 3")
    html = client.get(f"/t/{bobs_ticket.reference}").content.decode()
    assert [value for value, _, _ in select_options(html, "f-assignee")] == [
        "", "ada", "dana", "lena", "otto"]


def test_names_in_the_option_lists_are_escaped(signed_in, lena, bobs_ticket):
    UserFactory(username="mallory", first_name="<b>Mal</b>", last_name="&lory",
                role=Role.AGENT)
    client = signed_in(lena)
    for path, select in ((f"/t/{bobs_ticket.reference}", "f-assignee"), ("/q/open", "assignee")):
        html = client.get(path).content.decode()
        assert "<b>Mal</b>" not in html
        assert ("&lt;b&gt;Mal&lt;/b&gt; &amp;lory" in
                [label for _, label, _ in select_options(html, select)]), path


def test_the_filter_bar_keeps_the_chosen_assignee_and_team(signed_in, lena, otto, frontdesk):
    client = signed_in(lena)
    html = client.get(f"/q/open?assignee={otto.pk}&team={frontdesk.pk}").content.decode()
    assert [(label, chosen) for _, label, chosen in select_options(html, "assignee")
            if chosen] == [("Otto Level-Two", True)]
    assert [label for _, label, chosen in select_options(html, "team") if chosen] == [
        frontdesk.name]
    assert ("", "Anyone", False) in select_options(html, "assignee")


def test_a_queue_row_shows_the_ticket_with_its_text_escaped(signed_in, lena, otto, frontdesk):
    ticket = workflow.open_ticket(requester_email="eve@example.com", requester_name="Eve <i>",
                                  subject="<script>alert(1)</script> & more", body="x")
    workflow.assign(ticket, lena, otto)
    workflow.set_team(ticket, lena, frontdesk.name)
    html = signed_in(lena).get("/q/open").content.decode()
    # An agent's rows start with the bulk-selection box (frontline/desk/templatetags/desk.py).
    row = re.search(rf'<li class="pickable"><input type="checkbox" class="pick" form="bulk-form" '
                    rf'name="references" value="{ticket.reference}" '
                    rf'aria-label="Select {ticket.reference}"><a class="ticket-row is-new" '
                    rf'href="/t/{ticket.reference}\?q=open&amp;'
                    r'sort=updated" data-row>(.*?)</a></li>', html, re.S)
    assert row, html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip()
    assert text == (f"Normal {ticket.reference} &lt;script&gt;alert(1)&lt;/script&gt; &amp; more "
                    f"Eve &lt;i&gt; New T1 {frontdesk.name} Otto Level-Two — just now")
    assert f'title="Tier 1 · {frontdesk.name}"' in row.group(1)
    assert "<script>alert" not in html
