"""The desk's problems: list, page, edit, link, the workaround's confirmation and
push, and the ticket page's Problem box."""

from __future__ import annotations

from frontline.mail.models import OutboundMail
from frontline.problems import services
from frontline.problems.models import Problem


def test_the_list_filters_by_status(signed_in, lena, vera):
    services.create_problem(lena, title="Open one: export stalls")
    done = services.create_problem(lena, title="Closed one: old banner")
    services.update_problem(done, lena, {"status": "wont_fix"})
    page = signed_in(vera).get("/problems")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Open one: export stalls" in text and "Closed one" not in text
    assert "New problem" not in text  # viewers read
    assert "Closed one" in signed_in(vera).get("/problems?status=wont_fix").content.decode()


def test_the_list_pages_older_problems(signed_in, lena, monkeypatch):
    from frontline.desk.views import problems as problem_views
    monkeypatch.setattr(problem_views, "PAGE_SIZE", 3)
    titles = ["Export stalls", "Login loops", "PDF blank", "Sync duplicates", "Émoji in names"]
    for title in titles:
        services.create_problem(lena, title=title)
    client = signed_in(lena)
    first = client.get("/problems").content.decode()
    assert [t for t in titles if t in first] == titles[2:] and 'rel="next"' in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/problems" + older.replace("&amp;", "&")).content.decode()
    assert [t for t in titles if t in second] == titles[:2]
    assert 'rel="next"' not in second and "« Latest" in second
    # A hand-edited cursor starts again at the latest, not an error page.
    assert "Émoji in names" in client.get("/problems?after=zzz").content.decode()


def test_a_ticket_becomes_a_problem_from_its_page(signed_in, lena, bobs_ticket):
    client = signed_in(lena)
    box = client.get(bobs_ticket.get_absolute_url()).content.decode()
    assert 'id="problem-box"' in box and "New problem from this ticket" in box
    made = client.post("/problems/new", {"ticket": bobs_ticket.reference})
    problem = Problem.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/problems/{problem.pk}"
    assert problem.title == bobs_ticket.subject
    box = client.get(bobs_ticket.get_absolute_url()).content.decode()
    assert f"P-{problem.pk}" in box and "linked this ticket to problem" in box


def test_a_ticket_is_linked_to_an_open_problem_from_its_box(signed_in, lena, bobs_ticket):
    problem = services.create_problem(lena, title="Cache never invalidates")
    client = signed_in(lena)
    assert f"P-{problem.pk} Cache never" in client.get(
        bobs_ticket.get_absolute_url()).content.decode()
    client.post(f"/t/{bobs_ticket.reference}/problem", {"problem": str(problem.pk)})
    assert services.problem_of(bobs_ticket) == problem


def test_the_page_shows_impact_and_edits_by_the_table(signed_in, lena, bobs_ticket):
    problem = services.create_problem(lena, title="VAT rounding", tickets=[bobs_ticket],
                                      tracker_links=["https://acme.atlassian.net/browse/LED-7"])
    client = signed_in(lena)
    text = client.get(f"/problems/{problem.pk}").content.decode()
    assert "Impact and economics" in text and "12,000" in text and "Recommended:" in text
    assert "LED-7" in text and ">Jira<" in text
    refused = client.post(f"/problems/{problem.pk}/edit", {
        "status": "known_error", "title": "VAT rounding", "workaround": ""})
    assert refused.status_code == 422
    assert "needs its workaround" in refused.content.decode()
    saved = client.post(f"/problems/{problem.pk}/edit", {
        "status": "known_error", "title": "VAT rounding",
        "workaround": "Round by hand on the invoice screen."})
    assert saved.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "known_error"
    assert "set the status to known error" in client.get(f"/problems/{problem.pk}").content.decode()


def test_developers_read_without_contract_values(signed_in, lena, dana, bobs_ticket):
    problem = services.create_problem(lena, title="Dev view", tickets=[bobs_ticket])
    text = signed_in(dana).get(f"/problems/{problem.pk}").content.decode()
    assert "Impact and economics" in text and "12,000" not in text
    assert bobs_ticket.reference not in text and "1 ticket below tier 3" in text
    assert "Edit the problem" not in text
    assert signed_in(dana).post(f"/problems/{problem.pk}/edit",
                                {"title": "x"}).status_code == 403


def test_the_workaround_is_confirmed_then_sent(signed_in, lena, bobs_ticket, alices_ticket):
    problem = services.create_problem(lena, title="Export stalls",
                                      workaround="Export one month at a time.",
                                      tickets=[bobs_ticket, alices_ticket])
    client = signed_in(lena)
    confirm = client.get(f"/problems/{problem.pk}/workaround").content.decode()
    assert "Send to 2 tickets" in confirm
    assert bobs_ticket.reference in confirm and alices_ticket.reference in confirm
    assert not OutboundMail.objects.exists()
    sent = client.post(f"/problems/{problem.pk}/workaround",
                       {"confirm": "1", "text": "Export one month at a time, please."})
    assert sent.status_code == 302
    assert OutboundMail.objects.count() == 2
    page = client.get(f"/problems/{problem.pk}").content.decode()
    assert "Sent the workaround to 2 tickets" in page
