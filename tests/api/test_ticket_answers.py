"""Other channels through the API bring their answers: `POST /api/v1/tickets`
with `answers` records them as facts from the form, checked like the public form's."""

from __future__ import annotations

import pytest

from frontline.intake import questions
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category
from tests.api.conftest import field_errors

ASKED = [
    {"key": "database", "text": "Which database?", "why": "Errors depend on it.",
     "type": "choice", "choices": ["PostgreSQL", "Oracle", "MariaDB"], "required": True},
    {"key": "oracle_patch", "text": "Oracle patch level?", "why": "Patches change behaviour.",
     "when": {"database": "Oracle"}},
    {"key": "users_blocked", "text": "Are users blocked?", "why": "It sets the urgency.",
     "type": "yes_no"},
]


@pytest.fixture
def asked(ada, db):
    standard = Category.objects.get(slug=STANDARD_CATEGORY)
    questions.write_draft(ada, standard, ASKED)
    return questions.publish(ada, standard)


def opened(api, user, **fields):
    return api(user).post("/tickets", {"subject": "Nightly sync stopped",
                                       "requester_email": "bob@standard.example",
                                       "body": "The sync job has not run since Tuesday.",
                                       **fields})


def test_answers_become_facts_from_the_form_with_the_version_asked(api, lena, bob, asked):
    response = opened(api, lena, channel="chat",
                      answers={"database": "oracle", "oracle_patch": "19.22",
                               "users_blocked": True})
    assert response.status_code == 201, response.json()
    read = api(lena).get(f"/tickets/{response.json()['reference']}").json()
    facts = {fact["key"]: fact for fact in read["facts"]}
    assert facts["database"]["value"] == "Oracle"  # spelled as the choice is
    assert facts["users_blocked"]["value"] == "yes"
    assert facts["oracle_patch"]["source"] == FactSource.FORM
    row = TicketFact.objects.get(key="oracle_patch")
    assert row.question_set == asked


def test_an_answer_to_a_question_that_does_not_apply_is_left_out(api, lena, bob, asked):
    response = opened(api, lena, answers={"database": "MariaDB", "oracle_patch": "19.22"})
    assert response.status_code == 201
    assert not TicketFact.objects.filter(key="oracle_patch").exists()


def test_a_wrong_answer_is_422_naming_it_and_opens_nothing(api, lena, bob, asked):
    response = opened(api, lena, answers={"database": "Sybase"})
    assert response.status_code == 422
    assert "answers.database" in field_errors(response)
    assert Ticket.objects.count() == 0


def test_staff_may_leave_required_questions_for_later(api, lena, bob, asked):
    # An integration knows what it knows; the rest is asked by the follow-up.
    assert opened(api, lena).status_code == 201


def test_a_viewer_is_refused_before_the_answers_are_read(api, vera, asked):
    assert opened(api, vera, answers={"database": "Sybase"}).status_code == 403
