"""Which facts an agent's reply asks for (frontline.intake.asking): questions and requests
in English and German count; statements, requests to do something and quoted customer
text do not."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.intake.asking import BUILT_IN_KEYS, asked_keys


@dataclass(frozen=True)
class Q:
    """A question as asked_keys reads it (a Question row has the same attributes)."""

    key: str
    text: str
    agent_text: str = ""
    choices: list[str] = field(default_factory=list)


@pytest.mark.parametrize(("reply", "keys"), [
    ("Which version are you on?", ["version"]),
    ("What version of Ledger are you running at the moment?", ["version"]),
    ("Could you tell me your database?", ["database"]),
    ("Can you confirm which database you use?", ["database"]),
    ("Please send us the exact error message.", ["error"]),
    ("Could you paste the full error text here", ["error"]),
    ("What does the error say?", ["error"]),
    ("Did you get an error?", ["error"]),
    ("which browser are you using", []),  # no question mark, no request: not asked
    ("Which browser are you using?", ["browser"]),
    ("Is this Chrome or Firefox?", ["browser"]),
    ("Do you see this on Windows or Mac?", ["os"]),
    ("What operating system does the server run?", ["os"]),
    ("Which version of Windows is it?", ["os"]),
    ("How many users are affected?", ["impact"]),
    ("Is everyone affected, or only you?", ["impact"]),
    ("Could you describe the steps to reproduce?", ["steps"]),
    ("Please walk us through what you did.", ["steps"]),
    ("What did you expect to happen, and what happened instead?", ["expected", "actual"]),
    ("Which product is this about?", ["product"]),
    ("Let me know your version and the database, please.", ["version", "database"]),
    ("We need your database version and the error code.", ["database", "error"]),
    ("It would help to know which OS you are on.", ["os"]),
    ("Which browser, and which version of our app?", ["browser", "version"]),
    ("Hi Bob, thanks for writing. Which DB do you run it on?", ["database"]),
    ("Are you on 5.1 or 5.2?", ["version"]),
    ("Are other users affected too?", ["impact"]),
    ("We'd need the error code, the version and the browser.", ["error", "version", "browser"]),
    ("Could you please confirm the exact build number?", ["version"]),
    ("Would you be able to send a screenshot of the error?", ["error"]),
    ("Hi, could you please provide the following: version, OS and browser?",
     ["version", "os", "browser"]),
])
def test_english_questions_and_requests_ask(reply, keys):
    assert asked_keys(reply) == keys


@pytest.mark.parametrize(("reply", "keys"), [
    ("Welche Version verwenden Sie?", ["version"]),
    ("Können Sie uns die Fehlermeldung schicken?", ["error"]),
    ("Bitte teilen Sie uns Ihr Betriebssystem mit", ["os"]),
    ("Welchen Browser nutzen Sie?", ["browser"]),
    ("Mit welcher Datenbank arbeiten Sie?", ["database"]),
    ("Nennen Sie uns bitte die genaue Versionsnummer.", ["version"]),
    ("Wie viele Benutzer sind betroffen?", ["impact"]),
    ("Bitte beschreiben Sie die Schritte, mit denen sich der Fehler nachstellen lässt.",
     ["steps"]),
    ("Wie genau sind Sie vorgegangen?", ["steps"]),
    ("Was haben Sie erwartet, und was ist stattdessen passiert?", ["expected", "actual"]),
    ("Lassen Sie uns bitte wissen, welche Datenbank Sie einsetzen.", ["database"]),
    ("Wir benötigen noch den Fehlercode.", ["error"]),
    ("Nutzen Sie Windows oder Linux?", ["os"]),
    ("Welcher Fehlercode erscheint?", ["error"]),
    ("Was für einen Fehler bekommen Sie genau?", ["error"]),
    ("Welche Windows-Version ist auf dem Server installiert?", ["os"]),
    ("Welche Datenbankversion setzen Sie ein?", ["database"]),
    ("Tritt der Fehler bei allen Benutzern auf?", ["impact"]),
    ("Könnten Sie mir sagen, welches Produkt betroffen ist?", ["product"]),
])
def test_german_questions_and_requests_ask(reply, keys):
    assert asked_keys(reply) == keys


@pytest.mark.parametrize("reply", [
    "Version 5.2 fixes this.",
    "Ihre Version ist betroffen.",
    "The error is fixed in version 5.2.",
    "Thanks for sending the error message, it helped a lot.",
    "We have reproduced the problem with your steps.",
    "Please update to version 5.2.",
    "Could you upgrade to the latest version?",
    "Have you tried clearing the browser cache?",
    "Could you try it in another browser?",
    "Bitte starten Sie den Browser neu.",
    "Können Sie bitte den Browser-Cache leeren?",
    "Haben Sie schon einen anderen Browser ausprobiert?",
    "Does the error still occur after the restart?",
    "Let us know if the error persists.",
    "Please note that the next version changes the export.",
    "Die neue Version behebt den Fehler.",
    "Wir haben den Fehler in Version 5.3 behoben.",
    "Does version 5.2 fix it for you?",
    "Which Java version do you run?",
    "Lassen Sie uns wissen, ob der Fehler weiterhin auftritt.",
    "Please open the browser console and clear the site data.",
    "We recommend updating the database to PostgreSQL 16. Does that work for you?",
    "Wir melden uns am 3. März wieder. Passt das?",
    "Please update your browser.",
    "I've escalated this to our developers; they will get back to you about the version.",
])
def test_statements_and_requests_to_act_ask_nothing(reply):
    assert asked_keys(reply) == []


def test_a_list_a_request_introduces_asks_for_each_item():
    reply = ("Hi Bob,\n\nto look into this, could you send us the following:\n\n"
             "- your operating system\n- the exact error message\n- the steps\n\n"
             "Thanks, Lena")
    assert asked_keys(reply) == ["os", "error", "steps"]


def test_a_german_numbered_list_under_a_request():
    reply = ("Bitte senden Sie uns folgende Angaben:\n1) die Version\n2) den Browser\n"
             "3) die Fehlermeldung\nVielen Dank!")
    assert asked_keys(reply) == ["version", "browser", "error"]


def test_a_list_without_an_asking_line_above_asks_nothing():
    reply = "Next steps on our side:\n- fix the error in version 5.3\n- check the browser support"
    assert asked_keys(reply) == []


def test_only_what_the_sentence_asks_after_its_question_word_counts():
    assert asked_keys("Since the database is Oracle, which browser do you use?") == ["browser"]
    assert asked_keys("Please restart the service and send us the error message.") == ["error"]


def test_quoted_lines_are_the_customers_words():
    reply = "> Which version are you on?\n> Which database?\nThanks, we will look into it."
    assert asked_keys(reply) == []


def test_quoted_history_below_an_attribution_is_not_the_agents():
    reply = ("Thanks, we are on it.\n\nOn Tue, 3 Mar 2026 at 10:12, Bob <bob@standard.example> "
             "wrote:\n> Which version fixes this?\n> And which browser do you support?")
    assert asked_keys(reply) == []
    german = ("Danke, wir kümmern uns darum.\n\nAm 3. März 2026 um 10:12 schrieb Bob "
              "<bob@standard.example>:\n> Welche Version ist betroffen?")
    assert asked_keys(german) == []


def test_an_outlook_header_block_starts_the_history():
    reply = ("Thanks!\n\n-----Original Message-----\nFrom: Bob\nSent: Tuesday, 3 March 2026\n"
             "To: Support\nSubject: Export\n\nWhich browser do you support?")
    assert asked_keys(reply) == []


def test_answers_between_quoted_lines_are_the_agents():
    reply = ("On Tue, 3 Mar 2026 at 10:12, Bob <bob@standard.example> wrote:\n"
             "> The export fails every night.\nWhich version are you on?\n"
             "> It says something about a timeout.\nCould you paste the exact error text?")
    assert asked_keys(reply) == ["version", "error"]


def test_a_categorys_own_questions_are_found_by_their_key_and_words():
    invoice = Q("invoice-number", "Which invoice is it about?")
    assert asked_keys("Which invoice do you mean?", [invoice]) == ["invoice-number"]
    assert asked_keys("Please send us the invoice number.", [invoice]) == ["invoice-number"]
    assert asked_keys("The invoice number is on page one.", [invoice]) == []
    licence = Q("lizenz", "Wie lautet Ihre Lizenznummer?")
    assert asked_keys("Wie lautet Ihre Lizenznummer?", [licence]) == ["lizenz"]


def test_two_of_a_choice_questions_choices_ask_for_it():
    kind = Q("install-kind", "Is this a new installation or an upgrade?",
             choices=["New installation", "Upgrade"])
    sign_in = Q("sign-in-method", "How do you sign in?",
                choices=["Password", "Single sign-on (SAML)", "Single sign-on (OpenID Connect)"])
    assert asked_keys("Is it a new installation or an upgrade?", [kind]) == ["install-kind"]
    assert asked_keys("Do you sign in with a password or with single sign-on (SAML)?",
                      [kind, sign_in]) == ["sign-in-method"]
    assert asked_keys("Do you have a password?", [sign_in]) == []


def test_a_built_in_keys_question_text_adds_no_words():
    """Its text says "version of the product": "product" must not ask for the version."""
    version = Q("version", "Which version of the product are you running?")
    assert asked_keys("Which product do you mean?", [version]) == ["product"]
    previous = Q("previous-version", "Which version are you upgrading from?")
    assert asked_keys("Which version are you on?", [version, previous]) == ["version"]
    assert asked_keys("What was the previous version?", [previous]) == ["previous-version"]


def test_a_key_named_after_a_database_release():
    oracle = Q("oracle-version", "Which Oracle release, e.g. 19c?",
               agent_text="Ask for the release: 12c, 19c or 23ai.")
    assert set(asked_keys("Which Oracle version do you run?", [oracle])) == {
        "database", "oracle-version"}


def test_generic_words_of_a_question_need_to_be_what_is_asked():
    fmt = Q("file-format", "Which file format?", choices=["CSV", "Excel", "XML"])
    assert asked_keys("Which file format do you import?", [fmt]) == ["file-format"]
    assert asked_keys("Could you send us the file?", [fmt]) == []
    assert asked_keys("Is it CSV or XML?", [fmt]) == ["file-format"]


def test_each_key_once_in_the_order_asked():
    reply = "Which browser? And which version? Which browser again, Chrome?"
    assert asked_keys(reply) == ["browser", "version"]


def test_a_typical_reply_takes_well_under_a_millisecond():
    questions = [Q("invoice-number", "Which invoice is it about?"),
                 Q("install-kind", "Is this a new installation or an upgrade?",
                   choices=["New installation", "Upgrade"]),
                 Q("version", "Which version are you running?")]
    reply = ("Hi Bob,\n\nthanks for the details. Version 5.2 fixes the crash you describe. "
             "Which database do you use, and could you send us the exact error message?\n\n"
             "Kind regards,\nLena\n\nOn Tue, 3 Mar 2026 at 10:12, Bob <bob@x.example> wrote:\n"
             "> The export fails with ORA-01722 on version 5.1.\n> Which version fixes it?\n")
    assert asked_keys(reply, questions) == ["database", "error"]
    runs = 300
    started = time.perf_counter()
    for _ in range(runs):
        asked_keys(reply, questions)
    per_call = (time.perf_counter() - started) / runs
    assert per_call < 0.003  # about 0.15 ms on a laptop; generous for a busy CI machine


def test_a_long_paste_is_bounded():
    log = "ERROR which version? " * 5000 + "\n" + "x" * 100_000
    started = time.perf_counter()
    asked_keys(log)
    assert time.perf_counter() - started < 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_gives_known_keys_and_never_raises(text):
    invoice = Q("invoice-number", "Which invoice is it about?", choices=["A-1", "B-2"])
    assert set(asked_keys(text, [invoice])) <= BUILT_IN_KEYS | {"invoice-number"}
