"""Similar tickets: the paraphrases of one failure find each other, with reasons."""

from __future__ import annotations

from datetime import timedelta

from frontline.core.models import User
from frontline.insights import detection
from frontline.insights.similarity import similar_tickets
from frontline.tickets.models import Message, Ticket
from tests.insights.customer_base import customer_base

DAY = timedelta(days=1)


def test_paraphrases_of_one_failure_rank_first_with_their_reasons(db: None, lena: User) -> None:
    base = customer_base()
    base.noise(60, start=base.now - 30 * DAY, days=29)
    problem = [base.problem(n, base.contact(n), base.now - (5 - n) * DAY) for n in range(5)]
    detection.run(limit=None)

    found = similar_tickets(problem[0], limit=5, user=lena)
    assert {item.ticket.pk for item in found} == {t.pk for t in problem[1:]}
    assert all(0 < item.score <= 1 for item in found)
    assert all(item.reasons[0] == "ORA-01722" for item in found)
    assert any("Ledger 5.1" in item.reasons for item in found)


def test_a_german_paraphrase_finds_the_english_ones(db: None, lena: User) -> None:
    base = customer_base()
    base.noise(40, start=base.now - 20 * DAY, days=19)
    problem = [base.problem(n, base.contact(n), base.now - (4 - n) * DAY) for n in range(4)]
    detection.run(limit=None)
    german = problem[2]  # "Fehler beim Export: ORA-01722"
    assert {item.ticket.pk for item in similar_tickets(german, limit=3)} == {
        problem[0].pk, problem[1].pk, problem[3].pk}


def test_a_how_to_question_is_not_similar_to_the_failure(db: None, lena: User) -> None:
    base = customer_base()
    base.noise(40, start=base.now - 20 * DAY, days=19)
    problem = [base.problem(n, base.contact(n), base.now - (3 - n) * DAY) for n in range(3)]
    question = base.open(base.contact(4), "Question about user roles",
                         "How can I give a colleague read-only access to reports?", base.now)
    detection.run(limit=None)
    assert not {item.ticket.pk for item in similar_tickets(question)} & {t.pk for t in problem}


def test_works_before_the_ticket_is_read_and_leaves_out_what_the_user_may_not_see(
        db: None, dana: User, lena: User) -> None:
    base = customer_base()
    problem = [base.problem(n, base.contact(n), base.now - (3 - n) * DAY) for n in range(3)]
    detection.run(limit=None)
    newest = base.problem(3, base.contact(3), base.now)  # no signature yet
    assert len(similar_tickets(newest, user=lena)) == 3
    Ticket.objects.filter(pk=problem[0].pk).update(tier=3)
    # A developer sees the tier-3 tickets only.
    assert [item.ticket.pk for item in similar_tickets(newest, user=dana)] == [problem[0].pk]


def test_a_signature_reads_codes_product_and_words_from_the_new_statement() -> None:
    """The extractor's code rules, one code once ("error 502" is "HTTP 502"), no quoted history."""
    from frontline.insights import signatures
    from frontline.intake import extract

    statement = extract.new_statement(
        "The export fails with error 502 (HTTP 502) and ORA-01722.\n\n"
        "On Mon, Bob wrote:\n> TNS-12541 in the old one")
    assert extract.error_codes(statement) == ["502", "HTTP 502", "ORA-01722"]
    assert extract.names_an_error(statement)
    assert not extract.names_an_error("How do I export my invoices?")
    ticket = Ticket(pk=1, subject="Exports failing", requester_id=1, created_at=None)
    message = Message(body="The export fails with error 502 (HTTP 502) and ORA-01722.")
    found = signatures.signature_of(ticket, message, "Ledger", "5.1")
    assert found.terms[:4] == ["#http502", "#ora01722", "@p:ledger", "@v:ledger 5.1"]
    assert "export" in found.terms and "fail" in found.terms
    assert found.shown["#ora01722"] == "ORA-01722" and found.failure
