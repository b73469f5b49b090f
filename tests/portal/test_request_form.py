"""The public request form, /request: a customer with no account picks what the
request is about, says who they are, answers the questions that apply (a
question shown only when an earlier answer calls for it), describes the request,
attaches files, and lands on a confirmation with the reference, the promise and
the link to the request. Wrong input comes back beside its field with all typed
values kept; robots and floods open nothing."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from frontline.customers.models import Contact
from frontline.intake import questions
from frontline.intake.models import FactSource, TicketFact
from frontline.mail.models import OutboundMail
from frontline.portal import suggestions
from frontline.portal.request import limits
from frontline.sla.models import SlaPolicy
from frontline.tickets import access
from frontline.tickets.models import Category, Ticket
from tests.factories import CategoryFactory

FORM = "/request"
PART = "/request/questions"
HTMX = {"HTTP_HX_REQUEST": "true"}


def q(key: str, text: str, why: str, type: str = "text", *, required: bool = False,
      choices: list[str] | None = None, when: dict[str, str] | None = None) -> dict[str, Any]:
    return {"key": key, "text": text, "why": why, "type": type, "required": required,
            "choices": choices or [], "when": when or {}, "agent_text": ""}


def publish(admin, category: Category, rows: list[dict[str, Any]]) -> None:
    questions.write_draft(admin, category, rows)
    questions.publish(admin, category)


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """The limits count in Django's cache, which outlives a test's rolled-back rows."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def standard_questions(ada) -> Category:
    """Every request: the product (German wording) and, optionally, its version."""
    standard = Category.objects.get(slug="standard")
    publish(ada, standard, [
        q("product", "Um welches Produkt geht es?",
          "Jedes Produkt hat eigene Fachleute; so landet Ihre Anfrage gleich bei ihnen.",
          "choice", required=True, choices=["Ledger", "Harbour", "Lighthouse"]),
        q("version", "Which version do you run?",
          "Many problems are fixed in a later release.", "version"),
    ])
    return standard


@pytest.fixture
def imports(ada, standard_questions) -> Category:
    """Data imports: the database, and for Oracle (only) its release; which parts are
    affected, whether it happens every time, and a sample file."""
    category = CategoryFactory(name="Datenimport", slug="datenimport",
                               description="CSV, Excel and database imports")
    publish(ada, category, [
        q("database", "Which database holds the data?",
          "Oracle and SQL Server convert numbers and dates differently.", "choice",
          required=True, choices=["PostgreSQL", "Oracle", "SQL Server"]),
        q("oracle-release", "Quelle version d'Oracle utilisez-vous ? (p. ex. 19c)",
          "Les versions d'Oracle traitent les chaînes vides différemment (ORA-01722).",
          required=True, when={"database": "Oracle"}),
        q("affected", "Which parts stop working?", "It tells us which team to wake up.",
          "multi_choice", choices=["Import", "Export", "Nightly reports"]),
        q("every-time", "Does it happen every time?",
          "One that comes and goes needs logs, one that always happens needs steps.",
          "yes_no", required=True),
        q("sample", "A small file that shows the problem",
          "A sample lets us run exactly your import.", "file"),
    ])
    return category


@pytest.fixture
def billing(ada, standard_questions) -> Category:
    category = CategoryFactory(name="Facturation", slug="facturation")
    publish(ada, category, [
        q("invoice", "Numéro de facture ?", "Il retrouve votre contrat tout de suite.",
          required=True),
        q("country", "Pays de facturation ?", "La TVA dépend du pays.", "choice",
          choices=["Belgique", "France", "Luxembourg", "Suisse", "Österreich", "Canada",
                   "Sénégal", "Maroc"]),
    ])
    return category


def who(**changes: Any) -> dict[str, Any]:
    fields = {"category": "datenimport", "name": "Jürgen Groß", "email": "juergen@kontor.example"}
    return {**fields, **changes}


def details(**changes: Any) -> dict[str, Any]:
    fields = {**who(), "subject": "Import bricht bei Zeile 200 ab",
              "description": "Seit dem Update bricht der CSV-Import mit ORA-01722 ab.\n"
                             "Zeile 200 enthält ein leeres Feld.",
              "q-product": "Ledger", "q-version": "5.1.2", "q-database": "Oracle",
              "q-oracle-release": "19c", "q-affected": ["Import", "Nightly reports"],
              "q-every-time": "yes"}
    return {**fields, **changes}


def send(client: Client, **changes: Any):
    return client.post(FORM, {**details(**changes), "action": "send"})


# -- reading the page as a browser does ------------------------------------------------------


class _Fields(HTMLParser):
    """The values a browser would send for the request form as the page stands."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.text = ""
        self.select: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id") == "request-form":
            self.inside = True
        if not self.inside or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "file", "button"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self._add(a["name"], a.get("value", "on"))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self._add(self.select, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline that follows <textarea> (HTML's parsing rules).
            self._add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None
        elif tag == "select":
            self.select = None


def fields_of(page) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(page.content.decode())
    return parser.values


def press(client: Client, page, action: str, **changes: Any):
    """Press the button `action` on `page` after typing `changes` (no JavaScript)."""
    values: dict[str, Any] = fields_of(page)
    values.update({name.replace("__", "-"): value for name, value in changes.items()})
    values["action"] = action
    return client.post(FORM, values)


def html(page) -> str:
    return page.content.decode()


# -- the steps --------------------------------------------------------------------------------


def test_the_form_asks_what_the_request_is_about_first(client, imports, billing):
    page = client.get(FORM)
    assert page.status_code == 200
    text = html(page)
    assert 'name="csrfmiddlewaretoken"' in text
    assert "What is your request about?" in text
    # Every category, "Something else / general" (the standard one) last, never its
    # staff name; no questions yet.
    assert text.index("Datenimport") < text.index("Facturation") < text.index(
        "Something else / general")
    assert "Every request (standard questions)" not in text
    assert "CSV, Excel and database imports" in text
    assert "Um welches Produkt" not in text
    assert page["Cache-Control"] == "private, no-store"


def test_a_link_can_choose_the_category(client, imports, billing):
    text = html(client.get(FORM + "?category=facturation"))
    assert 'value="facturation" checked' in text


def test_next_shows_the_standard_questions_then_the_categorys_each_with_why_we_ask(
        client, imports):
    page = client.post(FORM, {**who(), "action": "next"})
    assert page.status_code == 200
    text = html(page)
    assert text.index("Um welches Produkt geht es?") < text.index(
        "Which database holds the data?")
    assert "Jedes Produkt hat eigene Fachleute" in text  # why we ask, beside the question
    assert "Oracle and SQL Server convert numbers" in text
    assert 'class="req">required' in text
    # Type-appropriate inputs: radios for a short choice, checkboxes for several,
    # yes/no radios, a version field, a file input.
    assert 'type="radio" id="q-database-2" name="q-database" value="Oracle"' in text
    assert 'type="checkbox" id="q-affected-3" name="q-affected" value="Nightly reports"' in text
    assert 'name="q-every-time" value="yes"' in text and 'name="q-every-time" value="no"' in text
    assert 'id="q-version" name="q-version" value="" placeholder="e.g. 5.1.2"' in text
    assert 'type="file" id="q-sample" name="q-sample"' in text
    # Shown only once the database is Oracle.
    assert "Quelle version d&#x27;Oracle" not in text
    # Who they are, kept for the last step.
    assert 'name="email" value="juergen@kontor.example"' in text


def test_step_one_refuses_a_missing_topic_a_bad_address_and_no_name(client, imports):
    page = client.post(FORM, {"category": "", "name": " ", "email": "juergen at kontor",
                              "action": "next"})
    assert page.status_code == 422
    text = html(page)
    assert "Choose what your request is about." in text
    assert "Please tell us your name." in text
    assert "This does not look like an email address" in text
    assert 'value="juergen at kontor"' in text  # kept to correct
    assert "Um welches Produkt" not in text


def test_a_category_that_does_not_exist_is_refused_in_step_one(client, imports):
    page = client.post(FORM, {**who(category="../../etc/passwd"), "action": "next"})
    assert page.status_code == 422
    assert "Choose one of the topics listed." in html(page)


def test_a_conditional_question_appears_only_when_its_condition_holds(client, imports):
    postgres = html(client.post(FORM, {**who(), "q-database": "PostgreSQL", "action": "update"}))
    assert "Which database holds the data?" in postgres
    assert "Quelle version d&#x27;Oracle" not in postgres
    oracle = html(client.post(FORM, {**who(), "q-database": "Oracle", "action": "update"}))
    assert "Quelle version d&#x27;Oracle utilisez-vous ? (p. ex. 19c)" in oracle
    assert "Les versions d&#x27;Oracle traitent les chaînes vides" in oracle
    # A question waited on redraws the questions as it changes (htmx); others do not.
    assert 'name="q-database" value="Oracle" checked aria-describedby' in oracle
    assert 'hx-post="/request/questions"' in oracle.split('id="q-database-1"')[1].split(">")[0]
    assert "hx-post" not in oracle.split('id="q-every-time-1"')[1].split(">")[0]


def test_the_htmx_part_is_only_the_questions_with_every_value_kept(client, imports):
    first = client.post(PART, {**who(), "q-database": "PostgreSQL"}, **HTMX)
    assert first.status_code == 200
    shape = fields_of_part(first)["shape"][0]
    part = client.post(PART, {**who(), "q-database": "Oracle", "q-version": "5.1",
                              "q-affected": ["Export"], "shape": shape}, **HTMX)
    assert part.status_code == 200
    text = html(part)
    assert text.lstrip().startswith('<div id="request-questions"')
    assert "<html" not in text and "Your name" not in text and 'name="subject"' not in text
    assert "Quelle version d&#x27;Oracle" in text
    assert 'name="q-version" value="5.1"' in text
    assert 'value="Export" checked' in text
    # Said to screen readers:
    assert "New question: Quelle version d&#x27;Oracle utilisez-vous" in text
    # The same questions again: nothing to swap, so nothing being typed is overwritten.
    same = client.post(PART, {**who(), "q-database": "Oracle",
                              "shape": fields_of_part(part)["shape"][0]}, **HTMX)
    assert same.status_code == 204


def fields_of_part(page) -> dict[str, list[str]]:
    return fields_of_text(f'<form id="request-form">{html(page)}</form>')


def fields_of_text(text: str) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(text)
    return parser.values


def test_the_questions_part_without_htmx_is_the_whole_page(client, imports):
    page = client.post(PART, {**who(), "q-database": "Oracle"})
    assert page.status_code == 200
    assert "How can we help?" in html(page) and "Quelle version d&#x27;Oracle" in html(page)


def test_a_missing_required_answer_comes_back_with_every_value_kept(client, imports):
    page = send(client, **{
        "q-database": "", "q-oracle-release": "19c",
        "description": "Zeile 200 \u2013 leeres Feld\n<script>alert(1)</script>"})
    assert page.status_code == 422
    text = html(page)
    assert not Ticket.objects.exists()
    block = text.split('id="q-database-block"')[1].split('id="q-affected-block"')[0]
    assert "Please answer this question." in block
    assert "Please check one thing" in text and 'href="#q-database-block"' in text
    # Everything typed is there again, escaped.
    assert 'name="subject" value="Import bricht bei Zeile 200 ab"' in text
    assert "Zeile 200 \u2013 leeres Feld\n&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in text
    assert 'name="name" value="Jürgen Groß"' in text
    assert 'value="Ledger" checked' in text and 'name="q-version" value="5.1.2"' in text
    assert 'value="Import" checked' in text and 'value="Nightly reports" checked' in text
    assert 'name="q-every-time" value="yes" checked' in text
    # The Oracle release is not asked (no database chosen) but kept for when it is.
    assert '<input type="hidden" name="q-oracle-release" value="19c">' in text


def test_a_conditional_required_question_is_required_only_when_shown(client, imports):
    asked = send(client, **{"q-oracle-release": ""})
    assert asked.status_code == 422
    assert "Please answer this question." in html(asked).split(
        'id="q-oracle-release-block"')[1]
    not_asked = send(client, **{"q-database": "SQL Server", "q-oracle-release": ""})
    assert not_asked.status_code == 302


def test_a_long_choice_list_is_a_menu_that_keeps_its_choice(client, billing):
    page = client.post(FORM, {**who(category="facturation"), "q-country": "Österreich",
                              "q-invoice": "F-2024-0042", "action": "update"})
    text = html(page)
    assert '<select id="q-country" name="q-country"' in text
    assert '<option value="Österreich" selected>Österreich</option>' in text
    assert 'name="q-invoice" value="F-2024-0042"' in text


def test_going_back_says_the_chosen_files_were_not_kept(client, imports):
    page = client.post(FORM, {**details(), "action": "back",
                              "attachments": SimpleUploadedFile("trace.log", b"ORA-01722")})
    text = html(page)
    assert "What is your request about?" in text
    assert "The files you chose (trace.log) were not kept" in text


def test_wrong_answers_are_refused_beside_their_question(client, imports):
    page = send(client, **{"q-version": "the latest one", "q-product": "Lantern",
                           "q-every-time": "vielleicht", "subject": "", "description": "  "})
    assert page.status_code == 422
    text = html(page)
    assert "Give a version number, such as 5.1 or 5.1.2." in text
    assert "is not one of the choices." in text
    assert "Answer yes or no." in text
    assert "Please give your request a subject" in text
    assert "Please describe your request" in text
    assert 'name="q-version" value="the latest one"' in text
    assert not Ticket.objects.exists()


def test_without_javascript_the_steps_reach_a_ticket(client, imports):
    start = client.get(FORM)
    second = press(client, start, "next", category="datenimport", name="Zoë Ångström",
                   email="Zoe@Nordlicht.example")
    assert "Which database holds the data?" in html(second)
    oracle = press(client, second, "update", q__database="Oracle", q__product="Harbour",
                   subject="Import stops at row 200", description="Empty field at row 200.")
    assert "Quelle version d&#x27;Oracle" in html(oracle)
    assert "Update questions" in html(oracle)
    # Back to change the topic's details, and on again: nothing is lost on the way.
    back = press(client, oracle, "back", q__oracle__release="21c")
    assert "What is your request about?" in html(back)
    assert '<input type="hidden" name="q-oracle-release" value="21c">' in html(back)
    again = press(client, back, "next", name="Zoë Ångström-Berg")
    assert 'name="q-oracle-release" value="21c"' in html(again)
    assert 'name="subject" value="Import stops at row 200"' in html(again)
    done = press(client, again, "send", q__every__time="no")
    assert done.status_code == 302
    assert done["Location"].startswith("/request/sent/")
    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.category.slug == "datenimport"
    assert ticket.subject == "Import stops at row 200"
    assert ticket.requester.name == "Zoë Ångström-Berg"
    assert ticket.messages.get(kind="inbound").body == "Empty field at row 200."
    facts = {fact.key: fact.value for fact in TicketFact.objects.filter(ticket=ticket)}
    assert facts["product"] == "Harbour" and facts["oracle-release"] == "21c"
    assert facts["every-time"] == "no"
    confirmation = client.get(done["Location"])
    assert ticket.reference in html(confirmation)


def test_the_answers_are_facts_from_the_form_with_the_question_set_they_answered(
        client, imports, ada):
    assert send(client).status_code == 302
    first = Ticket.objects.get()
    # A second version of the category's questions: the next request records it.
    rows = questions.question_dicts(questions.draft_questions(imports))
    rows[0]["why"] = "Oracle, SQL Server and PostgreSQL each convert numbers their own way."
    publish(ada, imports, rows)
    assert send(client, email="agnieszka@hurtownia.example",
                **{"q-database": "SQL Server"}).status_code == 302
    second = Ticket.objects.exclude(pk=first.pk).get()
    facts = {f.key: f for f in TicketFact.objects.filter(ticket=first)
             .select_related("question_set__category")}
    assert facts["database"].value == "Oracle" and facts["database"].source == FactSource.FORM
    assert facts["database"].question_set.version == 1
    assert facts["product"].question_set.category.slug == "standard"
    assert facts["affected"].value == "Import, Nightly reports"
    later = TicketFact.objects.get(ticket=second, key="database")
    assert later.value == "SQL Server" and later.question_set.version == 2
    assert not TicketFact.objects.filter(ticket=second, key="oracle-release").exists()


def test_attachments_are_stored_on_the_first_message(client, imports):
    response = client.post(FORM, {
        **details(), "action": "send",
        "attachments": [SimpleUploadedFile("import.log", b"row 200: ORA-01722\n" * 40,
                                           content_type="text/plain"),
                        SimpleUploadedFile("Bildschirmfoto 2024-03-01.png", b"\x89PNG fake",
                                           content_type="image/png")],
        "q-sample": SimpleUploadedFile("zeilen-190-210.csv", b"id;betrag\n200;\n"),
    })
    assert response.status_code == 302, html(response)
    ticket = Ticket.objects.get()
    message = ticket.messages.order_by("pk").first()
    assert sorted(a.filename for a in message.attachments.all()) == [
        "Bildschirmfoto 2024-03-01.png", "import.log", "zeilen-190-210.csv"]
    assert TicketFact.objects.get(ticket=ticket, key="sample").value == "zeilen-190-210.csv"


def test_a_file_over_the_mail_limit_is_refused_and_the_form_says_to_choose_files_again(
        client, imports, settings):
    settings.FRONTLINE_MAX_ATTACHMENT_MB = 0.01  # about 10 KB a file
    response = client.post(FORM, {
        **details(), "action": "send",
        "attachments": [SimpleUploadedFile("full-dump.sql", b"x" * 20_000),
                        SimpleUploadedFile("small.txt", b"fine")],
    })
    assert response.status_code == 422
    text = html(response)
    assert "full-dump.sql is larger than 0.01 MB; it was not sent." in text
    assert "Please choose your files again" in text and "small.txt" in text
    assert 'name="subject" value="Import bricht bei Zeile 200 ab"' in text
    assert not Ticket.objects.exists()


def test_eleven_files_are_too_many(client, imports):
    files = [SimpleUploadedFile(f"teil-{n}.txt", f"{n}".encode()) for n in range(11)]
    response = client.post(FORM, {**details(), "action": "send", "attachments": files})
    assert response.status_code == 422
    assert "Send at most 10 files (you chose 11)." in html(response)


def test_the_honeypot_gets_the_same_confirmation_and_no_ticket(client, imports):
    response = send(client, website="http://cheap-pills.example")
    assert response.status_code == 302 and response["Location"].startswith("/request/sent/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Thank you, we have your request" in html(page)
    assert not Ticket.objects.exists()
    assert not Contact.objects.filter(emails__address="juergen@kontor.example").exists()


def test_the_honeypot_is_hidden_and_labelled_leave_empty(client, imports):
    text = html(client.post(FORM, {**who(), "action": "next"}))
    assert '<div class="trap"><label for="f-website">Leave this field empty</label>' in text
    assert 'name="website" value="" tabindex="-1" autocomplete="off"' in text


def test_the_sixth_request_from_one_address_in_ten_minutes_waits_with_every_value_kept(
        client, imports):
    for number in range(5):
        assert send(client, subject=f"Import {number}").status_code == 302
    held = send(client, subject="Noch ein Import", email="JUERGEN@kontor.example")
    assert held.status_code == 429
    assert int(held["Retry-After"]) <= 600
    text = html(held)
    assert "Please wait a little before sending this one." in text
    assert "We have received 5 requests from JUERGEN@kontor.example in the last 10 minutes" in text
    assert 'name="subject" value="Noch ein Import"' in text
    assert 'value="Oracle" checked' in text
    assert Ticket.objects.count() == 5
    # Someone else is not held back.
    assert send(client, email="marie@atelier.example").status_code == 302


def test_a_client_is_held_after_twenty_requests_an_hour_whatever_the_addresses():
    start = 1_699_999_200.0  # the start of an hour window
    for number in range(20):
        assert limits.take(f"person{number}@spray.example", "203.0.113.9", now=start) is None
    held = limits.take("one-more@spray.example", "203.0.113.9", now=start + 60)
    assert held is not None and held.per == "client" and held.minutes == 59
    assert limits.take("one-more@spray.example", "203.0.113.10", now=start + 60) is None
    assert limits.take("again@spray.example", "203.0.113.9", now=start + 3600) is None


def test_an_ipv6_client_counts_per_64_block(rf):
    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::17")
    other = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert limits.client_of(one) == limits.client_of(other) == "2001:db8:1:2::/64"
    assert limits.client_of(rf.get("/", REMOTE_ADDR="not an address")) == "unknown"


def test_the_confirmation_shows_the_reference_and_the_promise_and_mails_the_link(
        client, imports, alice):
    SlaPolicy.objects.create(plan=alice.organization.plan, first_response_minutes=120,
                             formal=True)
    response = send(client, email="alice@premium.example", name="Alice Premium")
    page = client.get(response["Location"])
    assert page.status_code == 200
    ticket = Ticket.objects.get()
    text = html(page)
    assert f"Your reference is <b>{ticket.reference}</b>" in text
    assert "You will hear from us within about two hours" in text
    assert "(America/New_York)" in text
    assert page["Cache-Control"] == "private, no-store"
    # Anyone can send the form with someone else's address: the link that opens the
    # request goes to that address, never onto this page.
    assert "/my/" not in text and "alice@premium.example" in text
    mail = OutboundMail.objects.get(ticket=ticket)
    assert mail.automatic and mail.to == ["alice@premium.example"]
    ack = ticket.messages.get(kind="outbound")
    assert ticket.reference in ack.body and "two hours" in ack.body
    assert "Why we ask" not in ack.body  # the form asked every required question


def test_without_a_formal_policy_the_confirmation_gives_the_general_promise(
        client, imports, settings):
    settings.FRONTLINE_ACK_PROMISE = "Nous répondons en général sous un jour ouvré."
    response = send(client)
    assert "Nous répondons en général sous un jour ouvré." in html(client.get(response["Location"]))


def test_a_tampered_confirmation_opens_nothing(client, imports):
    response = send(client)
    location = response["Location"]
    page = client.get(location[:-4] + ("AAAA" if not location.endswith("AAAA") else "BBBB"))
    assert page.status_code == 404
    assert "This confirmation is not available" in html(page)
    assert Ticket.objects.get().reference not in html(page)


def test_the_suggestions_place_is_there_and_empty_until_the_knowledge_base_fills_it(
        client, imports):
    assert suggestions.suggestions_for(imports, "ORA-01722 beim Import") == []
    text = html(client.post(FORM, {**who(), "action": "next"}))
    assert '<section id="request-suggestions" class="suggestions"' in text
    assert "These articles may answer it already" not in text


def test_the_customers_ticket_page_offers_another_request(client, bobs_ticket):
    page = client.get(access.ticket_path(bobs_ticket, bobs_ticket.requester))
    assert '<a href="/request">Open another request</a>' in html(page)


def test_the_form_is_protected_against_cross_site_posts(imports):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(FORM, {**details(), "action": "send"}).status_code == 403
    assert not Ticket.objects.exists()


# -- bad input is a page, never a 500 -------------------------------------------------------


@pytest.mark.parametrize("changes", [
    {"category": "x" * 10_000},
    {"subject": "Betreff " * 60_000},
    {"description": "ü" * 200_000},
    {"name": "N" * 5_000, "email": "@" * 5_000},
    {"q-affected": "Import, Export"},  # a multi-choice sent as one string
    {"q-database": ["Oracle", "PostgreSQL"]},  # a single choice sent twice
    {"q-sample": "not-a-file.csv", "q-unknown": "?", "q-": "", "q-BAD KEY": "x"},
    {"subject": "Null\x00byte\x07", "description": "Text mit \x00 NUL", "name": "\x00"},
    {"action": "launch-missiles"},
    {"category": "", "name": "", "email": "", "subject": "", "description": ""},
])
def test_bad_input_is_an_answer_never_a_500(client, imports, changes):
    response = client.post(FORM, {**details(), "action": "send", **changes})
    assert response.status_code in (302, 200, 422), response.status_code
    if response.status_code == 302:
        ticket = Ticket.objects.get()
        assert "\x00" not in ticket.subject + ticket.messages.get(kind="inbound").body


def test_an_empty_post_and_a_get_of_the_part_are_answers(client, imports):
    assert client.post(FORM, {}).status_code == 422
    assert client.get(PART).status_code == 405
    assert client.post(PART, {}, **HTMX).status_code == 200


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters(client, imports):
    body = (b"category=datenimport&name=J%FCrgen&email=juergen%40kontor.example"
            b"&subject=Gr%FC%DFe&description=%FF%FE%00&action=send&q-product=Ledger")
    response = client.post(FORM, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "J\ufffdrgen" in html(response)


def test_more_text_than_django_reads_is_a_413_page(client, imports, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = send(client, description="lang " * 5_000)
    assert response.status_code == 413
    assert "That is more text than the form takes" in html(response)


def test_more_fields_than_django_reads_is_a_400_page(client, imports, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    fields = {f"q-extra-{n}": "x" for n in range(30)}
    response = client.post(FORM, {**details(), **fields, "action": "send"})
    assert response.status_code == 400
    assert "We could not read that form" in html(response)


def test_redrawing_the_questions_costs_the_same_few_queries_however_many_there_are(
        client, imports, django_assert_max_num_queries):
    client.post(PART, {**who(), "q-database": "Oracle"}, **HTMX)  # the questions are cached
    # The categories; the questions come from the process's cache (intake.questions).
    with django_assert_max_num_queries(1):
        page = client.post(PART, {**who(), "q-database": "PostgreSQL"}, **HTMX)
    assert page.status_code == 200


def test_a_customer_with_a_utf8_address_sends_the_form_and_gets_the_acknowledgement(
        client, imports):
    """RFC 6531 addresses (`jürgen.groß@bücher.example`) are addresses. The field is not
    `type=email`: browsers refuse a non-ASCII local part there before it is sent."""
    form = html(client.get(FORM))
    assert 'type="email"' not in form and 'inputmode="email"' in form
    response = send(client, email="Jürgen.Groß@XN--BCHER-KVA.example")
    assert response.status_code == 302, html(response)
    ticket = Ticket.objects.get()
    assert ticket.requester.primary_email == "jürgen.groß@bücher.example"
    mail = OutboundMail.objects.get(ticket=ticket)
    assert mail.automatic and mail.to == ["jürgen.groß@bücher.example"]
