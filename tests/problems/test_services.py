"""Recording a problem, its status by the table, tracker links, linking tickets."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from frontline.problems import services
from frontline.problems.links import clean_links, tracker_kind
from frontline.problems.models import ProblemChange, ProblemTicket


def test_an_agent_records_a_problem_and_owns_it(lena):
    problem = services.create_problem(lena, title="  Export   times out on big ledgers ",
                                      description="Over 2 GB the export stops at 30 s.")
    assert problem.title == "Export times out on big ledgers"
    assert problem.status == "investigating" and problem.owner == lena
    assert list(problem.changes.values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize("user", ["dana", "vera"])
def test_developers_and_viewers_may_not_record_problems(user, request):
    with pytest.raises(NotAllowed, match="may read problems but not change them"):
        services.create_problem(request.getfixturevalue(user), title="Anything")


def test_the_status_follows_its_table(lena, shipped):
    problem = services.create_problem(lena, title="Login loops after SSO change")
    with pytest.raises(InvalidInput, match="known error needs its workaround") as refused:
        services.update_problem(problem, lena, {"status": "known_error"})
    assert refused.value.field == "workaround"
    problem = services.update_problem(problem, lena, {
        "status": "known_error", "workaround": "Clear the SSO cookie, then sign in again."})
    assert problem.status == "known_error"
    with pytest.raises(InvalidInput, match="which version the fix is in"):
        services.update_problem(problem, lena, {"status": "fix_planned"})
    problem = services.update_problem(problem, lena, {"status": "fix_planned",
                                                      "fix_version": "5.1.3",
                                                      "product": "ledger"})
    assert problem.fix_version == shipped
    problem = services.update_problem(problem, lena, {"status": "fixed"})
    assert problem.fixed_at is not None
    problem = services.update_problem(problem, lena, {"status": "verified"})
    with pytest.raises(InvalidTransition, match="cannot go from verified to investigating "
                                                r"\(from verified: nothing\)"):
        services.update_problem(problem, lena, {"status": "investigating"})
    statuses = list(problem.changes.filter(kind=ProblemChange.Kind.STATUS)
                    .values_list("detail__after", flat=True))
    assert statuses == ["known_error", "fix_planned", "fixed", "verified"]


def test_a_refused_change_changes_nothing(lena):
    problem = services.create_problem(lena, title="PDF invoices miss the VAT line")
    with pytest.raises(InvalidTransition, match="cannot go from investigating to verified"):
        services.update_problem(problem, lena, {"title": "New title", "status": "verified"})
    problem.refresh_from_db()
    assert problem.title == "PDF invoices miss the VAT line"
    with pytest.raises(InvalidInput, match="No problem status 'done'"):
        services.update_problem(problem, lena, {"status": "done"})


def test_wont_fix_can_be_reconsidered(ada):
    problem = services.create_problem(ada, title="Dark mode flickers on Safari 15")
    problem = services.update_problem(problem, ada, {"status": "wont_fix"})
    problem = services.update_problem(problem, ada, {"status": "investigating"})
    assert problem.status == "investigating"


def test_tracker_links_take_https_and_tracker_hosts():
    links = clean_links("https://github.com/acme/ledger/issues/812\n"
                        "http://jira.intern.acme.local/browse/LED-77\n"
                        "https://gitlab.example.org/acme/ledger/-/issues/5\n"
                        "https://github.com/acme/ledger/issues/812")
    assert len(links) == 3
    assert [tracker_kind(url) for url in links] == ["GitHub", "Jira", "GitLab"]
    assert tracker_kind("https://bugs.example.net/show_bug.cgi?id=9") == "Tracker"
    for bad, words in [("http://example.com/issue/1", "use https"),
                       ("ftp://github.com/x", r"not an http\(s\) link"),
                       ("javascript:alert(1)", r"not an http\(s\) link"),
                       ("https://exa mple.com", "is not a link")]:
        with pytest.raises(InvalidInput, match=words):
            clean_links([bad])


def test_linking_records_on_each_timeline_and_is_idempotent(lena, bobs_ticket, alices_ticket):
    problem = services.create_problem(lena, title="Token expiry miscalculated")
    added = services.link_tickets(problem, lena, services.tickets_from(
        [bobs_ticket.reference, f"#{alices_ticket.pk}"]))
    assert [t.pk for t in added] == [bobs_ticket.pk, alices_ticket.pk]
    assert services.link_tickets(problem, lena, [bobs_ticket]) == []
    event = bobs_ticket.events.get(kind="problem_linked")
    assert event.actor == lena and event.detail == {"problem": problem.pk,
                                                    "title": "Token expiry miscalculated"}
    link = ProblemTicket.objects.get(ticket=bobs_ticket)
    assert link.linked_by == lena and link.linked_at is not None
    services.unlink_ticket(problem, lena, bobs_ticket)
    assert bobs_ticket.events.filter(kind="problem_unlinked").count() == 1
    assert list(problem.links.values_list("ticket_id", flat=True)) == [alices_ticket.pk]


def test_a_ticket_belongs_to_one_problem(lena, bobs_ticket):
    first = services.create_problem(lena, title="Cache never invalidates",
                                    tickets=[bobs_ticket])
    second = services.create_problem(lena, title="Another cause")
    with pytest.raises(InvalidTransition, match=f"linked to problem P-{first.pk} already"):
        services.link_tickets(second, lena, [bobs_ticket])


def test_an_unknown_reference_names_the_field(lena):
    with pytest.raises(InvalidInput) as refused:
        services.tickets_from(["FL-999999"])
    assert refused.value.field == "references"


@pytest.mark.parametrize("changes", [{"title": "Export\x00fails"}, {"title": "\x00"},
                                     {"description": "line one\n\x00"},
                                     {"workaround": "restart \x00 the job"}])
def test_a_nul_character_is_refused_by_name_on_either_engine(lena, changes):
    # PostgreSQL refuses NUL in text: found by the desk's fuzz test as a 500 on
    # /problems/new with the title "\x00".
    problem = services.create_problem(lena, title="Exports stop at midnight")
    field = next(iter(changes))
    with pytest.raises(InvalidInput, match="must not contain NUL") as refused:
        if field == "title":
            services.create_problem(lena, title=changes[field])
        else:
            services.update_problem(problem, lena, changes)
    assert refused.value.field == field
    problem.refresh_from_db()
    assert problem.title == "Exports stop at midnight" and "\x00" not in problem.description
