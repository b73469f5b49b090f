"""Rules per fact key (issue 9, part 4): an admin gives a question regular
expressions and keywords that read its fact from what the customer writes, in
any language; a pattern that would be ignored or could hang the reader is
refused with the question and the pattern named."""

from __future__ import annotations

import time
from typing import Any

import pytest

from frontline import workflow
from frontline.core.errors import InvalidInput
from frontline.intake import questions
from frontline.intake.extract import check_pattern, extract
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets.models import Ticket
from frontline.tickets.taxonomy import Category
from tests.api.conftest import field_errors

CONTRACT = (r"(?:contract|vertrag)(?:s?nummer| ?(?:no\.?|nr\.?|number))?(?: is| ist)?"
            r"[\s#:]*([A-Z]{2}-\d{6})")
LICENCE = r"\b([A-Z0-9]{5}(?:-[A-Z0-9]{5}){4})\b"
DATABASES = {"Oracle": ["ora", "oracle db", "Datenbank von Oracle"],
             "PostgreSQL": ["Postgres", "pg", "psql"],
             "SQL Server": ["mssql", "ms sql"]}


def question(key: str, **fields: Any) -> dict[str, Any]:
    return {"key": key, "text": f"Your {key}, please.", "why": f"The {key} tells us where to look.",
            **fields}


def refusal(ada: Any, category: Category, rows: list[dict[str, Any]]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        questions.write_draft(ada, category, rows)
    return caught.value


def facts(ticket: Ticket) -> dict[str, TicketFact]:
    return {row.key: row for row in TicketFact.objects.filter(ticket=ticket)}


# -- what an admin may configure -------------------------------------------------------


@pytest.mark.parametrize(("pattern", "says"), [
    ("(unclosed", "is not a valid regular expression: missing ), unterminated subpattern"),
    ("[z-a]", "is not a valid regular expression: bad character range z-a"),
    (r"(\w+)+@", "repeats something that itself varies in length"),
    (r"(?:a?b?)*x", "repeats something that itself varies in length"),
    (r"v(\d+(?:\.\d+)*)", r"e.g. \d{1,4}(?:\.\d{1,4}){0,3} instead of \d+(?:\.\d+)*"),
    (r"(?:\d{1,2})+x", "repeats something that itself varies in length"),
    (r"(?:ab|a)+c", "repeats alternatives that can match the same text"),
    (r"(\d*)", "can match an empty text"),
    (r"case\s*(?:id|nr)?\s*:?\s*(\d+)", "has 3 repeats in a row that can take the same characters"),
    (r"tel\D*(\d+\s*-?\s*\d+\s*/?\s*\d+)", "has 3 repeats in a row"),
    ("x" * 501, "a pattern is at most 500 characters"),
])
def test_a_pattern_that_would_not_run_is_refused_naming_question_and_pattern(
        ada, installation, pattern, says):
    error = refusal(ada, installation, [question("contract", patterns=[r"\d{6}", pattern])])
    assert error.field == "questions.0.patterns"
    assert error.message.startswith("The question 'contract': ")
    assert says in error.message
    if len(pattern) <= 60:
        assert f"'{pattern}'" in error.message


def test_the_extractor_and_the_editor_refuse_the_same_patterns():
    """One checker: what the editor refuses, the reader ignores, and the reverse."""
    assert check_pattern(LICENCE) is None and check_pattern(CONTRACT) is None
    text = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
    for pattern in (r"(a|aa)+$", r"(?:a?a?)+$", r"(a+)+$"):
        assert check_pattern(pattern) is not None
        started = time.perf_counter()
        assert extract(text, patterns={"x": [pattern]}) == []
        assert time.perf_counter() - started < 0.5


def test_what_is_allowed_stays_fast_on_a_crafted_message():
    """Two repeats in a row are allowed (each line is read in pieces of 300 characters),
    and all patterns together read a message for a quarter of a second at most: 20,000
    characters crafted against them cost no more."""
    allowed = [r"contract\s*#?\s*(\d{6})", r"\w*\w*!", r"(\w+)\s+\1x", r"[a-z]+\s*\w*;"]
    assert all(check_pattern(pattern) is None for pattern in allowed)
    for crafted in (("contract" + " " * 292 + "\n") * 66, ("a" * 299 + "\n") * 66):
        started = time.perf_counter()
        extract(crafted, patterns={"contract": allowed, "other": allowed[::-1]})
        assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("pattern", [
    CONTRACT, LICENCE, r"(\d{1,3}\.){3}\d{1,3}", r"v?(\d{1,4}(?:\.\d{1,4}){0,3})",
    r"error\s+code\s+(\d+)", r"ticket\s*#?\s*(\d+)", r"(?:foo|bar)+-\d", r"(\w+)\s+\1",
    r"oracle(?: database| db)? ?(\d{2}(?:\.\d{1,2}){0,2}[cgi]?)", r"betreff:\s*(.+)",
])
def test_patterns_admins_write_are_allowed(pattern):
    assert check_pattern(pattern) is None


def test_too_many_patterns_or_a_pattern_twice_is_refused(ada, installation):
    many = [rf"case\s*{n}\d+" for n in range(11)]
    error = refusal(ada, installation, [question("case", patterns=many)])
    assert error.message == "The question 'case': at most 10 patterns (11 given)."
    error = refusal(ada, installation, [question("case", patterns=[r"FL-\d+", r"FL-\d+"])])
    assert "the pattern 'FL-\\d+' is there twice" in error.message
    error = refusal(ada, installation, [question("log", type="file", patterns=[r"log\w+"])])
    assert "is answered with a file" in error.message


@pytest.mark.parametrize(("keywords", "says"), [
    ({"Oracle": []}, "give at least one keyword for 'Oracle'"),
    ({"Oracle": ["ora", " "]}, "a keyword for 'Oracle' is empty"),
    ({"  ": ["ora"]}, "a value with keywords is empty"),
    ({"Oracle": ["ora"], "PostgreSQL": ["ORA"]},
     "the keyword 'ORA' is there twice (for 'Oracle' and 'PostgreSQL'): a keyword gives one value"),
    ({"Oracle": ["ora"], "oracle": ["oracle db"]}, "the value 'oracle' is there twice"),
    ({f"Value {n}": [f"word{n}"] for n in range(51)}, "keywords for at most 50 values"),
    ({"Oracle": [f"o{n}" for n in range(21)]}, "at most 20 keywords for 'Oracle' (21 given)"),
    ({"x" * 201: ["x"]}, "a value is at most 200 characters"),
    ({"Oracle": "ora"}, "the keywords for 'Oracle' must be a list of texts"),
])
def test_bad_keywords_are_refused(ada, installation, keywords, says):
    error = refusal(ada, installation, [question("database", keywords=keywords)])
    assert error.field == "questions.0.keywords"
    assert error.message.startswith("The question 'database': ")
    assert says in error.message


def test_a_choice_questions_keywords_give_its_choices_as_spelled(ada, installation):
    row = question("database", type="choice", choices=["Oracle", "PostgreSQL"],
                   keywords={"oracle": ["ora"], "POSTGRESQL": ["pg"]})
    [saved] = questions.write_draft(ada, installation, [row]).questions.all()
    assert saved.keywords == {"Oracle": ["ora"], "PostgreSQL": ["pg"]}
    error = refusal(ada, installation, [{**row, "keywords": {"DB2": ["db2"]}}])
    assert "give an answer that is not one of its choices (Oracle, PostgreSQL)" in error.message
    fresh = question("fresh", type="yes_no", keywords={"Yes": ["neu installiert", "fresh install"]})
    [saved] = questions.write_draft(ada, installation, [fresh]).questions.all()
    assert saved.keywords == {"yes": ["neu installiert", "fresh install"]}


# -- versions --------------------------------------------------------------------------


def test_publish_carries_rules_and_a_published_version_never_changes(ada, installation):
    row = question("contract", patterns=[CONTRACT], keywords={"Enterprise": ["EA", "enterprise"]})
    questions.write_draft(ada, installation, [row])
    first = questions.publish(ada, installation)
    [published] = first.questions.all()
    assert (published.patterns, published.keywords) == ([CONTRACT], row["keywords"])

    # Only a keyword changes: the draft differs, and publishing makes version 2.
    questions.write_draft(ada, installation, [{**row, "keywords": {"Enterprise": ["EA"]}}])
    assert questions.is_changed(installation)
    questions.publish(ada, installation)
    questions.write_draft(ada, installation, [{**row, "patterns": [r"K-\d{4}"]}])
    assert questions.is_changed(installation)

    [one] = questions.version_of(installation, 1).questions.all()
    [two] = questions.version_of(installation, 2).questions.all()
    assert (one.patterns, one.keywords) == ([CONTRACT], {"Enterprise": ["EA", "enterprise"]})
    assert (two.patterns, two.keywords) == ([CONTRACT], {"Enterprise": ["EA"]})
    assert questions.question_dicts([one])[0]["patterns"] == [CONTRACT]


# -- the API ---------------------------------------------------------------------------


def test_the_api_writes_and_reads_patterns_and_keywords(api, ada, lena, installation):
    client = api(ada)
    rows = [question("database", type="choice", choices=["Oracle", "PostgreSQL", "SQL Server"],
                     keywords=DATABASES),
            question("licence", patterns=[LICENCE]),
            question("os")]  # neither: both stay empty
    response = client.put("/categories/installation/questions", {"questions": rows})
    assert response.status_code == 200, response.json()
    draft = response.json()["questions"]
    assert draft[0]["keywords"] == DATABASES and draft[0]["patterns"] == []
    assert draft[1]["patterns"] == [LICENCE] and draft[1]["keywords"] == {}
    assert (draft[2]["patterns"], draft[2]["keywords"]) == ([], {})
    assert client.post("/categories/installation/questions/publish").status_code == 201
    read = api(lena).get("/categories/installation/questions").json()
    assert read["version"] == 1
    assert read["questions"][0]["keywords"] == DATABASES
    assert read["questions"][1]["patterns"] == [LICENCE]


def test_the_api_refuses_a_dangerous_pattern_naming_the_field(api, ada, installation):
    client = api(ada)
    response = client.put("/categories/installation/questions", {"questions": [
        question("os"), question("ticket", patterns=[r"FL-(\d+)", r"(x+x+)+y"])]})
    assert response.status_code == 422
    message = field_errors(response)["questions.1.patterns"]
    assert message.startswith("The question 'ticket': the pattern '(x+x+)+y' repeats")
    response = client.put("/categories/installation/questions", {"questions": [
        question("db", keywords={"Oracle": ["ora"] * 21})]})
    assert response.status_code == 422
    assert "questions.0.keywords.Oracle" in field_errors(response)
    assert not questions.draft_questions(installation)


# -- the desk --------------------------------------------------------------------------

DESK_ROW = {"key": "contract", "type": "text", "text": "Your contract number?",
            "why": "Premium contracts are answered first.",
            "patterns": f"{CONTRACT}\r\n\r\n  K-(\\d{{5}})  \r\n",
            "keywords": "Enterprise: EA, enterprise agreement\r\nStandard: std, Standardvertrag"}


def test_ada_writes_patterns_and_keywords_on_the_question_form(signed_in, ada, installation):
    client = signed_in(ada)
    base = "/settings/categories/installation"
    add = client.get(base).content.decode()
    assert 'name="patterns"' in add and 'name="keywords"' in add
    assert "Reading it from messages" in add
    assert client.post(f"{base}/questions", DESK_ROW).status_code == 302
    [saved] = questions.draft_questions(installation)
    assert saved.patterns == [CONTRACT, r"K-(\d{5})"]
    assert saved.keywords == {"Enterprise": ["EA", "enterprise agreement"],
                              "Standard": ["std", "Standardvertrag"]}

    page = client.get(base).content.decode()
    assert "Read from messages" in page
    assert "<b>Enterprise</b> ← EA, enterprise agreement" in page
    edit = client.get(f"{base}/questions/contract").content.decode()
    assert "Enterprise: EA, enterprise agreement\nStandard: std, Standardvertrag</textarea>" in edit
    assert "K-(\\d{5})</textarea>" in edit

    # Customers never see how their text is read.
    preview = client.get(f"{base}/preview").content.decode()
    assert "Your contract number?" in preview
    assert "Standardvertrag" not in preview and "K-(" not in preview


def test_the_desk_shows_a_refused_pattern_on_its_field_with_what_was_typed(
        signed_in, ada, installation):
    client = signed_in(ada)
    base = "/settings/categories/installation"
    response = client.post(f"{base}/questions", {**DESK_ROW, "patterns": "(a|ab)*c\nK-(\\d{5})"})
    assert response.status_code == 422
    page = response.content.decode()
    assert ("The question &#x27;contract&#x27;: the pattern &#x27;(a|ab)*c&#x27; repeats "
            "alternatives that can match the same text") in page
    assert 'aria-invalid="true">(a|ab)*c\nK-(\\d{5})</textarea>' in page
    response = client.post(f"{base}/questions", {**DESK_ROW, "keywords": "Enterprise EA"})
    assert response.status_code == 422
    assert "write each line of keywords as value: keyword, keyword" in response.content.decode()
    assert not questions.draft_questions(installation)


# -- reading a customer's text ---------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("Hello, our contract number is AB-123456 and the import fails.", "AB-123456"),
    ("Guten Tag,\nunser Vertrag Nr. CD-654321 ist betroffen.", "CD-654321"),
    ("Contract: ef-000042. Please hurry.", "ef-000042"),
    ("wg. Vertragsnummer: GH-111222 (siehe unten)", "GH-111222"),
    ("Kontrakt 12-3456 läuft aus.", None),
])
def test_a_contract_number_pattern_reads_english_and_german(text, value):
    found = {item.key: item for item in extract(text, patterns={"contract": [CONTRACT]})}
    if value is None:
        assert "contract" not in found
        return
    assert found["contract"].value == value
    assert value in found["contract"].quote and found["contract"].quote in text


def test_a_licence_key_is_read_with_its_sentence():
    text = ("Hi team,\nafter moving servers the licence check fails. Our key is "
            "7XK2P-QQ4M9-ZZ1A0-88BCD-K3L0M. Can you reset it?\nThanks\nPriya")
    [found] = [item for item in extract(text, patterns={"licence": [LICENCE]})
               if item.key == "licence"]
    assert found.value == "7XK2P-QQ4M9-ZZ1A0-88BCD-K3L0M"
    assert found.quote == "Our key is 7XK2P-QQ4M9-ZZ1A0-88BCD-K3L0M."


@pytest.mark.parametrize(("text", "value", "quoted"), [
    ("We still run ora on the old box.", "Oracle", "We still run ora on the old box."),
    ("Since we moved to POSTGRES the export hangs.", "PostgreSQL",
     "Since we moved to POSTGRES the export hangs."),
    ("Wir nutzen die Datenbank von Oracle, Version 19.", "Oracle",
     "Wir nutzen die Datenbank von Oracle, Version 19."),
    ("Unsere Datenbank läuft auf MS SQL.", "SQL Server", "Unsere Datenbank läuft auf MS SQL."),
])
def test_keywords_give_their_value_in_either_language(text, value, quoted):
    found = {item.key: item for item in extract(text, keywords={"database": DATABASES})}
    assert (found["database"].value, found["database"].quote) == (value, quoted)


def test_a_keyword_is_a_whole_word_in_any_case_with_unicode_letters():
    modules = {"module": {"Translations": ["Übersetzung"], "Reports": ["Berichte", "reporting"]}}
    [found] = extract("Die ÜBERSETZUNG fehlt im Export.", keywords=modules)
    assert (found.key, found.value) == ("module", "Translations")
    # Inside another word, or joined by a hyphen or dot, a keyword is not named.
    for text in ("The Oracle-like syntax fails.", "Angora wool export", "ORA-01722 again",
                 "Übersetzungsfehler im Menü", "see reporting.example.com"):
        found_keys = {item.key: item.value for item in extract(text, keywords={
            "database": {"Oracle": ["ora"]}, **modules})}
        assert found_keys.get("database") != "Oracle" or "Oracle-like" in text
        assert "module" not in found_keys, text


def test_two_values_named_leave_the_key_unanswered():
    text = "We migrate from ora to Postgres next month; the import fails on both."
    found = {item.key: item.value for item in extract(text, keywords={"database": DATABASES},
                                                       choices={"database": ["Oracle"]})}
    assert "database" not in found  # neither the keywords, the choice nor the built-in rule


def test_pattern_then_keyword_then_choice_then_built_in():
    text = "Prod runs pg 15 on db-host7, and Oracle 19c for reporting."
    rules = {"patterns": {"database": [r"on (db-host\d)"]}, "keywords": {"database": DATABASES},
             "choices": {"database": ["Oracle", "PostgreSQL"]}}
    read = {item.key: item.value for item in extract(text, **rules)}  # type: ignore[arg-type]
    assert read["database"] == "db-host7"
    del rules["patterns"]
    read = {item.key: item.value for item in extract(text, **rules)}  # type: ignore[arg-type]
    assert read["database"] == "PostgreSQL"  # "pg" beats the choice "Oracle"
    del rules["keywords"]
    read = {item.key: item.value for item in extract(text, **rules)}  # type: ignore[arg-type]
    assert read["database"] == "Oracle"
    assert {i.key: i.value for i in extract(text)}["database"] == "Oracle 19c"


def test_quoted_history_and_the_signature_are_not_read():
    text = ("Still broken, see below.\n\n"
            "Best regards\nJan Novak\nContract AB-999999 | ora team\n\n"
            "On Tue, 3 Mar 2026 at 09:12, Support <support@example.com> wrote:\n"
            "> Which contract? Is it CD-123456 on Postgres?\n")
    found = {item.key for item in extract(text, patterns={"contract": [CONTRACT]},
                                          keywords={"database": DATABASES})}
    assert "contract" not in found and "database" not in found
    german = ("Geht immer noch nicht.\n\nMit freundlichen Grüßen\nEva Kühn\n"
              "Vertrag Nr. EF-777777\n\nAm 4. März 2026 um 10:01 schrieb Support:\n"
              "> Nutzen Sie die Datenbank von Oracle?\n")
    assert extract(german, patterns={"contract": [CONTRACT]},
                   keywords={"database": DATABASES}) == []


# -- a ticket ----------------------------------------------------------------------------


@pytest.fixture
def contracts(ada: Any, installation: Category) -> Category:
    questions.write_draft(ada, installation, [
        question("contract", required=True, patterns=[CONTRACT]),
        question("database", type="choice", choices=["Oracle", "PostgreSQL", "SQL Server"],
                 keywords=DATABASES)])
    questions.publish(ada, installation)
    return installation


def test_a_new_ticket_gets_the_fact_its_questions_pattern_reads(bob, standard_plan, contracts):
    ticket = workflow.open_ticket(
        requester_email="bob@standard.example", category="installation",
        subject="Installer stops at 80 %",
        body="Hallo,\nder Installer bricht bei 80 % ab. Vertrag Nr. KL-246810, "
             "wir nutzen die Datenbank von Oracle.\n\nGruß\nBob")
    known = facts(ticket)
    assert (known["contract"].value, known["contract"].source) == ("KL-246810", FactSource.MESSAGE)
    assert "KL-246810, wir nutzen die Datenbank von Oracle." in known["contract"].quote
    assert known["contract"].message is not None
    assert (known["database"].value, known["database"].source) == ("Oracle", FactSource.MESSAGE)


def test_a_later_message_fills_what_the_first_did_not(bob, standard_plan, contracts):
    ticket = workflow.open_ticket(requester_email="bob@standard.example", category="installation",
                                  subject="Setup fails", body="The setup fails on step 3.")
    assert "contract" not in facts(ticket)
    workflow.add_customer_message(ticket, ticket.requester,
                                  "Sorry, forgot: contract no. MN-135790, we run psql 15.")
    known = facts(ticket)
    assert known["contract"].value == "MN-135790"
    assert known["database"].value == "PostgreSQL"


def test_a_ticket_in_another_category_is_not_read_with_these_rules(bob, standard_plan, contracts):
    ticket = workflow.open_ticket(requester_email="bob@standard.example",
                                  subject="Billing question", body="Contract AB-123456 invoice?")
    assert "contract" not in facts(ticket)
