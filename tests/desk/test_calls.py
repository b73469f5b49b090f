"""The phone script: Lena takes a call, finds the caller however they give their
number, reads out the questions with why we ask, and logs it as a new ticket or
on the caller's open one (issue 9)."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline import workflow
from frontline.customers.models import Contact
from frontline.intake import facts, questions
from frontline.intake.models import FactSource, TicketFact
from frontline.tickets.models import Event, Message, Status, Ticket
from tests.desk.conftest import HTMX
from tests.factories import CategoryFactory, ContactFactory


def page(response) -> str:
    return html.unescape(response.content.decode())


def question_keys(response) -> list[str]:
    return re.findall(r'data-question="([^"]+)"', response.content.decode())


def _q(key: str, text: str, why: str, type: str = "text", **more) -> dict:
    return {"key": key, "text": text, "why": why, "type": type, **more}


@pytest.fixture
def script(ada, installation):
    """The standard questions every call asks, and the installation category's own."""
    standard = CategoryFactory(name="Standard", slug="standard")
    questions.write_draft(ada, standard, [
        _q("product", "Which product is this about?",
           "Each product has its own specialists.", "choice", required=True,
           choices=["Atlas Server", "Atlas Cloud"], agent_text="Which of our products is it?"),
        _q("version", "Which version are you running?",
           "Many problems are fixed in a later release.", "version", required=True,
           agent_text="Ask them to read the version from Help > About."),
        _q("database", "Which database does Atlas Server use?",
           "Oracle converts numbers and dates differently.", "choice",
           choices=["PostgreSQL", "Oracle", "SQL Server"], when={"product": "Atlas Server"}),
    ])
    questions.publish(ada, standard)
    questions.write_draft(ada, installation, [
        _q("install-kind", "Is this a new installation or an upgrade?",
           "Upgrades migrate your data first.", "choice", required=True,
           choices=["New installation", "Upgrade"]),
        _q("previous-version", "Which version are you upgrading from?",
           "Some upgrade paths skip a data migration.", "version",
           when={"install-kind": "Upgrade"}, agent_text="Which version did they upgrade from?"),
        _q("installer-log", "Please attach the installer log.",
           "The log records the last step that worked.", "file"),
    ])
    questions.publish(ada, installation)
    return installation


@pytest.fixture
def callers(globex, initech):
    """Callers with numbers as they were given, from several countries."""
    return {
        "jorg": ContactFactory(name="Jörg Müller", organization=initech,
                               phone="+49 30 1234-567", email="joerg@standard.example"),
        "ngozi": ContactFactory(name="Ngozi Adeyemi", organization=globex,
                                phone="(555) 010-2030", email="ngozi@premium.example"),
        "siobhan": ContactFactory(name="Siobhán Ní Bhriain", organization=None,
                                  phone="+353 1 555 0142", email="siobhan@dublin.example"),
    }


def call_form(**fields) -> dict:
    """A call as the form sends it; `answers` become answer-<key> fields."""
    answers = fields.pop("answers", {})
    form = {"caller": "", "contact": "", "new_name": "", "new_email": "", "phone": "",
            "mode": "new", "category": "", "subject": "", "body": "", "reference": "",
            **fields}
    form.update({f"answer-{key}": value for key, value in answers.items()})
    return form


# -- who is calling --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+49 30 1234-567", "030 1234567", "0049 30 123 45 67"])
def test_the_caller_is_found_however_they_give_their_number(signed_in, lena, callers, typed):
    ticket = workflow.open_ticket(requester_email="joerg@standard.example",
                                  subject="Lizenzschlüssel abgelaufen", body="Seit heute früh.")
    response = signed_in(lena).get("/calls/lookup", {"caller": typed}, **HTMX)
    assert response.status_code == 200
    text = page(response)
    assert "Jörg Müller" in text and "Ngozi" not in text
    assert "Initech" in text and "Standard" in text  # organization and plan
    assert ticket.reference in text and "Lizenzschlüssel abgelaufen" in text
    assert f'value="{callers["jorg"].pk}"' in text


def test_a_north_american_number_finds_its_caller(signed_in, lena, callers):
    text = page(signed_in(lena).get("/calls/lookup", {"caller": "+1 555 010 2030"}, **HTMX))
    assert "Ngozi Adeyemi" in text and "Globex" in text and "Premium" in text
    assert "No open tickets." in text


def test_the_caller_is_found_by_address_or_name(signed_in, lena, callers):
    client = signed_in(lena)
    assert "Ngozi Adeyemi" in page(client.get("/calls/lookup", {"caller": "NGOZI@premium"}))
    assert "Siobhán Ní Bhriain" in page(client.get("/calls/lookup", {"caller": "siobhán"}))
    text = page(client.get("/calls/lookup", {"caller": "müller"}))
    assert "Jörg Müller" in text and "Siobhán" not in text


def test_no_match_invites_a_new_caller(signed_in, lena, callers):
    text = page(signed_in(lena).get("/calls/lookup", {"caller": "+33 1 98 76 54 32"}, **HTMX))
    assert "No one matches" in text
    assert 'data-phone="+33 1 98 76 54 32"' in text  # the page fills "Calling from" with it


def test_the_chosen_caller_stays_chosen_while_the_agent_types_on(signed_in, lena, callers):
    chosen = callers["ngozi"].pk
    text = page(signed_in(lena).get("/calls/lookup", {"caller": "Jörg", "contact": chosen}))
    assert f'value="{chosen}" id="contact-{chosen}" checked' in text
    assert "Jörg Müller" in text


def test_the_lookup_costs_a_few_queries_however_many_match(signed_in, lena, callers):
    client = signed_in(lena)
    for number in range(2):
        ContactFactory(name=f"Maria García {number}", email=f"maria{number}@premium.example")
        workflow.open_ticket(requester_email=f"maria{number}@premium.example",
                             subject=f"Export {number}", body="It stopped.")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/calls/lookup", {"caller": "garcía"}, **HTMX)
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for number in range(2, 8):
        ContactFactory(name=f"María García {number}", email=f"maria{number}@premium.example")
        for each in range(3):
            workflow.open_ticket(requester_email=f"maria{number}@premium.example",
                                 subject=f"Export {number}.{each}", body="It stopped again.")
    many = queries()
    assert few == many <= 6


# -- the script ------------------------------------------------------------------------------------


def test_the_script_says_each_question_as_an_agent_asks_it_and_why(signed_in, lena, script):
    response = signed_in(lena).get("/calls/new")
    assert response.status_code == 200
    text = page(response)
    assert "Which of our products is it?" in text  # agent_text
    assert "Ask them to read the version from Help > About." in text
    assert "Why we ask:</span> Each product has its own specialists." in text
    assert "Many problems are fixed in a later release." in text
    assert question_keys(response) == ["product", "version"]


def test_a_question_without_agent_text_is_read_as_the_customer_reads_it(signed_in, lena, script):
    response = signed_in(lena).post("/calls/questions",
                                    call_form(category="installation"), **HTMX)
    assert "Is this a new installation or an upgrade?" in page(response)
    assert question_keys(response) == ["product", "version", "install-kind", "installer-log"]


def test_a_conditional_question_appears_only_when_its_condition_holds(signed_in, lena, script):
    client = signed_in(lena)
    new_install = client.post("/calls/questions", call_form(
        category="installation", answers={"install-kind": "New installation"}), **HTMX)
    assert "previous-version" not in question_keys(new_install)
    upgrade = client.post("/calls/questions", call_form(
        category="installation", answers={"install-kind": "Upgrade", "version": "5.1"}), **HTMX)
    assert question_keys(upgrade) == ["product", "version", "install-kind", "previous-version",
                                      "installer-log"]
    assert "Which version did they upgrade from?" in page(upgrade)
    assert 'value="5.1"' in page(upgrade)  # what was typed is kept
    server = client.post("/calls/questions", call_form(answers={"product": "atlas server"}),
                         **HTMX)
    assert question_keys(server) == ["product", "version", "database"]
    assert "because product is Atlas Server" in page(server)


def test_an_answer_that_changes_no_question_redraws_nothing(signed_in, lena, script):
    client = signed_in(lena)
    first = client.post("/calls/questions", call_form(category="installation"), **HTMX)
    shape = re.search(r'name="shape" value="([^"]*)"', first.content.decode()).group(1)
    same = client.post("/calls/questions", call_form(
        category="installation", shape=html.unescape(shape),
        answers={"install-kind": "New installation", "version": "5.2"}), **HTMX)
    assert same.status_code == 204
    changed = client.post("/calls/questions", call_form(
        category="installation", shape=html.unescape(shape),
        answers={"install-kind": "Upgrade"}), **HTMX)
    assert changed.status_code == 200 and "previous-version" in question_keys(changed)


def test_an_answer_hidden_again_is_kept_for_when_it_applies_again(signed_in, lena, script):
    response = signed_in(lena).post("/calls/questions", call_form(
        category="installation",
        answers={"install-kind": "New installation", "previous-version": "4.9"}), **HTMX)
    assert "previous-version" not in question_keys(response)
    assert '<input type="hidden" name="answer-previous-version" value="4.9">' in page(response)


# -- a new request ---------------------------------------------------------------------------------


def test_a_new_callers_request_becomes_a_phone_ticket_with_its_answers(signed_in, lena, script,
                                                                       initech):
    client = signed_in(lena)
    response = client.post("/calls/new", call_form(
        action="save", caller="+49 89 2019 3344", contact="new", new_name="Zoë Kowalczyk",
        new_email="Zoe.Kowalczyk@standard.example", phone="+49 89 2019 3344",
        category="installation", subject="Upgrade stops at the database step",
        body="Das Upgrade bleibt bei der Datenbankmigration stehen.",
        answers={"product": "Atlas Cloud", "version": "5.2", "install-kind": "Upgrade",
                 "previous-version": "4.9"}))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.channel == "phone" and ticket.category.slug == "installation"
    assert ticket.requester.name == "Zoë Kowalczyk"
    assert ticket.requester.organization == initech
    assert ticket.requester.phone == "+49 89 2019 3344"
    first = ticket.messages.get()
    assert first.channel == "phone"
    assert first.body == "Das Upgrade bleibt bei der Datenbankmigration stehen."
    created = Event.objects.get(ticket=ticket, kind="created")
    assert created.actor == lena
    recorded = {fact.key: (fact.value, fact.source) for fact in TicketFact.objects.filter(
        ticket=ticket, key__in=["product", "version", "install-kind", "previous-version"])}
    assert recorded == {"product": ("Atlas Cloud", FactSource.FORM),
                        "version": ("5.2", FactSource.FORM),
                        "install-kind": ("Upgrade", FactSource.FORM),
                        "previous-version": ("4.9", FactSource.FORM)}
    shown = page(client.get(response["Location"]))
    assert f"Call logged as {ticket.reference}." in shown


def test_a_known_callers_request_is_theirs_and_their_number_is_noted(signed_in, otto, script,
                                                                     callers):
    siobhan = callers["siobhan"]
    siobhan.phone = ""
    siobhan.save()
    response = signed_in(otto).post("/calls/new", call_form(
        action="save", caller="siobhán", contact=str(siobhan.pk), phone="01 555 0142",
        subject="Cannot sign in since this morning", body="Everyone gets 'invalid token'.",
        answers={"product": "Atlas Server", "database": "Oracle"}))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.requester == siobhan and ticket.channel == "phone"
    assert facts.answers_of(ticket)["database"] == "Oracle"
    siobhan.refresh_from_db()
    assert siobhan.phone == "01 555 0142"


def test_the_number_of_a_caller_found_by_address_is_not_replaced(signed_in, lena, script,
                                                                 callers):
    signed_in(lena).post("/calls/new", call_form(
        action="save", contact="new", new_email="joerg@standard.example", phone="0171 555 1234",
        subject="Rechnung doppelt", body="Die Rechnung kam zweimal."))
    assert Ticket.objects.get().requester == callers["jorg"]
    callers["jorg"].refresh_from_db()
    assert callers["jorg"].phone == "+49 30 1234-567"


# -- on an existing ticket -------------------------------------------------------------------------


@pytest.fixture
def upgrade_ticket(lena, script, callers):
    """Jörg's upgrade ticket: the product and install kind are known already."""
    ticket = workflow.open_ticket(requester_email="joerg@standard.example",
                                  subject="Upgrade hängt", body="Das Upgrade hängt.",
                                  category="installation")
    facts.set_facts(lena, ticket, {"product": "Atlas Server", "install-kind": "Upgrade"})
    workflow.change_status(ticket, lena, Status.PENDING_CUSTOMER)
    return ticket


def test_known_facts_are_shown_and_not_asked_again(signed_in, lena, upgrade_ticket):
    response = signed_in(lena).post("/calls/questions", call_form(
        mode="existing", ticket=upgrade_ticket.reference), **HTMX)
    text = page(response)
    assert "Adding to" in text and upgrade_ticket.reference in text
    assert 'name="answer-product"' not in text and 'name="answer-install-kind"' not in text
    assert re.search(r'known</span> Atlas Server', text)
    # Known answers count for the conditions: the upgrade's start version is asked.
    assert 'name="answer-previous-version"' in text and 'name="answer-database"' in text


def test_answers_on_the_phone_are_added_to_the_callers_ticket(signed_in, lena, upgrade_ticket,
                                                              callers):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", contact=str(callers["jorg"].pk), mode="existing",
        ticket=upgrade_ticket.reference, body="Er hat es noch einmal versucht.",
        answers={"previous-version": "4.8", "database": "Oracle"}))
    assert response.status_code == 302
    assert response["Location"] == upgrade_ticket.get_absolute_url()
    said = Message.objects.filter(ticket=upgrade_ticket).order_by("pk").last()
    assert said.kind == "inbound" and said.channel == "phone"
    assert said.author_contact == callers["jorg"]
    assert said.body.startswith("Er hat es noch einmal versucht.")
    recorded = {fact.key: (fact.value, fact.source, fact.actor)
                for fact in TicketFact.objects.filter(ticket=upgrade_ticket)}
    assert recorded["previous-version"] == ("4.8", FactSource.FORM, lena)
    assert recorded["database"] == ("Oracle", FactSource.FORM, lena)
    assert recorded["product"][1] == FactSource.AGENT  # known before: untouched
    upgrade_ticket.refresh_from_db()
    assert upgrade_ticket.status == Status.OPEN  # the customer spoke: no longer waiting on them


def test_a_typed_reference_works_as_well_as_a_picked_ticket(signed_in, lena, upgrade_ticket):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", mode="existing", reference=f"  {upgrade_ticket.reference.lower()} ",
        answers={"version": "5.0"}))
    assert response.status_code == 302
    assert facts.answers_of(upgrade_ticket)["version"] == "5.0"


def test_an_unknown_reference_is_shown_next_to_its_field_with_everything_kept(
        signed_in, lena, upgrade_ticket):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", mode="existing", reference="FL-987654", body="Zweiter Anruf heute.",
        answers={"version": "5.0"}))
    assert response.status_code == 404
    text = page(response)
    assert 'id="call-reference-error">There is no ticket FL-987654.' in text
    assert 'value="FL-987654"' in text and "Zweiter Anruf heute." in text


def test_a_merged_ticket_takes_no_call(signed_in, lena, upgrade_ticket, bobs_ticket):
    workflow.merge_tickets(upgrade_ticket, bobs_ticket, lena, confirm_other_customer=True)
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", mode="existing", ticket=upgrade_ticket.reference,
        answers={"version": "5.0"}))
    assert response.status_code == 409
    assert bobs_ticket.reference in page(response)
    assert not TicketFact.objects.filter(key="version").exists()


def test_nothing_said_and_nothing_answered_is_not_a_call(signed_in, lena, upgrade_ticket):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", mode="existing", ticket=upgrade_ticket.reference))
    assert response.status_code == 422
    assert "Answer at least one question." in page(response)


# -- without JavaScript, and refusals --------------------------------------------------------------


def test_without_javascript_update_questions_draws_the_whole_page_again(signed_in, lena, script):
    response = signed_in(lena).post("/calls/new", call_form(
        action="update", caller="Jörg", new_name="Zoë", category="installation",
        subject="Upgrade", body="Hängt.", answers={"install-kind": "Upgrade"}))
    assert response.status_code == 200
    text = page(response)
    assert "<h1>Log a call</h1>" in text
    assert "previous-version" in question_keys(response)
    assert 'value="Upgrade" checked' in text and 'value="Zoë"' in text and "Hängt." in text
    assert '<option value="installation" selected>' in text


def test_without_javascript_enter_in_a_field_only_looks_up(signed_in, lena, callers):
    """The form's first button is Find: the one a browser uses when Enter is pressed."""
    response = signed_in(lena).post("/calls/new", call_form(action="find", caller="030 1234567",
                                                            subject="Typed"))
    assert response.status_code == 200
    text = page(response)
    assert "Jörg Müller" in text and 'value="Typed"' in text
    assert text.index('value="find"') < text.index('value="update"') < text.index('value="save"')
    assert 'id="call-phone" name="phone" value="030 1234567"' in text
    assert not Ticket.objects.exists()


def test_every_mistake_is_shown_at_once_and_nothing_typed_is_lost(signed_in, lena, script):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", contact="new", new_name="Ωmega Ñandú", new_email="not-an-address",
        phone="call me", category="installation", subject="", body="Es geht nicht.",
        answers={"version": "the latest", "install-kind": "Upgrade",
                 "previous-version": "4.9"}))
    assert response.status_code == 422
    text = page(response)
    assert "'not-an-address' is not a valid email address." in text
    assert "A ticket needs a subject." in text
    assert "'call me' is not a phone number" in text
    assert "Give a version number, such as 5.1 or 5.1.2." in text
    assert text.count('aria-invalid="true"') == 4
    for kept in ('value="Ωmega Ñandú"', 'value="not-an-address"', 'value="the latest"',
                 'value="4.9"', "Es geht nicht.", 'value="Upgrade" checked'):
        assert kept in text
    assert not Ticket.objects.exists() and not Contact.objects.filter(name="Ωmega Ñandú").exists()


def test_a_new_request_needs_to_know_who_called(signed_in, lena, script):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", subject="Slow reports", body="Reports take minutes."))
    assert response.status_code == 422
    assert "Pick the caller from the matches, or enter a new caller" in page(response)


def test_an_unknown_category_is_refused_next_to_it(signed_in, lena, script, callers):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", contact=str(callers["jorg"].pk), category="no-such-thing",
        subject="x", body="y"))
    assert response.status_code == 422
    assert "No category 'no-such-thing'" in page(response)


@pytest.mark.parametrize("person", ["vera", "dana"])
def test_only_agents_and_admins_log_calls(signed_in, request, person, callers):
    user = request.getfixturevalue(person)
    client = signed_in(user)
    assert client.get("/calls/new").status_code == 403
    assert client.get("/calls/lookup", {"caller": "Jörg"}, **HTMX).status_code == 403
    assert client.post("/calls/questions", call_form(), **HTMX).status_code == 403
    refused = client.post("/calls/new", call_form(
        action="save", contact=str(callers["jorg"].pk), subject="x", body="y"))
    assert refused.status_code == 403
    assert not Ticket.objects.exists()
    assert 'data-nav="call"' not in client.get("/q/open").content.decode()


def test_the_navigation_offers_agents_a_call(signed_in, lena):
    text = signed_in(lena).get("/q/mine").content.decode()
    assert 'href="/calls/new" data-nav="call"' in text


def test_signed_out_the_script_asks_to_sign_in(client, db):
    response = client.get("/calls/new")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_an_answer_left_from_before_the_ticket_was_picked_does_not_override_a_known_fact(
        signed_in, lena, upgrade_ticket):
    """Lena clicked Atlas Cloud for a new request, then picked Jörg's ticket, which
    knows the product: the known fact decides which questions follow."""
    client = signed_in(lena)
    response = client.post("/calls/questions", call_form(
        mode="existing", ticket=upgrade_ticket.reference,
        answers={"product": "Atlas Cloud", "install-kind": "New installation"}), **HTMX)
    assert "database" in question_keys(response)  # product is Atlas Server, as known
    assert "previous-version" in question_keys(response)
    assert '<input type="hidden" name="answer-product" value="Atlas Cloud">' in page(response)
    saved = client.post("/calls/new", call_form(
        action="save", mode="existing", ticket=upgrade_ticket.reference,
        answers={"product": "Atlas Cloud", "version": "5.1"}))
    assert saved.status_code == 302
    assert facts.answers_of(upgrade_ticket)["product"] == "Atlas Server"


@pytest.mark.parametrize("odd", [
    {"contact": "99999999999999999999999"}, {"contact": "-1"}, {"contact": "new"},
    {"mode": "existing", "reference": "FL-99999999999999999999999"},
    {"mode": "existing", "ticket": "'; DROP TABLE tickets_ticket; --"},
    {"mode": "sideways", "category": "../../etc"}, {"caller": "%_\\" * 200},
    {"caller": "٠٣٠ ١٢٣٤٥٦٧"}, {"phone": "+" * 80}, {"answer-": "x", "answer-product": ["a", "b"]},
    {"answer-version": "9" * 5000}, {"new_email": "ä@ö"},
])
def test_odd_input_is_refused_or_ignored_never_a_500(signed_in, lena, script, odd):
    client = signed_in(lena)
    form = call_form(**odd)
    assert client.get("/calls/lookup", {"caller": form["caller"]}, **HTMX).status_code == 200
    assert client.post("/calls/questions", form, **HTMX).status_code in (200, 204, 404, 422)
    assert client.post("/calls/new", {**form, "action": "update"}).status_code < 500
    assert client.post("/calls/new", {**form, "action": "save"}).status_code in (403, 404, 409,
                                                                                 422)


def test_a_colleague_calling_about_a_ticket_is_its_speaker(signed_in, lena, upgrade_ticket):
    response = signed_in(lena).post("/calls/new", call_form(
        action="save", contact="new", new_name="Aiyana Redcloud",
        new_email="aiyana@standard.example", phone="+1 (604) 555-0175", mode="existing",
        ticket=upgrade_ticket.reference, body="Calling for Jörg, who is on leave."))
    assert response.status_code == 302
    said = Message.objects.filter(ticket=upgrade_ticket).order_by("pk").last()
    assert said.author_contact.name == "Aiyana Redcloud" and said.channel == "phone"
    assert said.author_contact.phone == "+1 (604) 555-0175"


def test_the_ticket_page_offers_to_log_a_call_about_it(signed_in, lena, bobs_ticket):
    page = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert f'href="/calls/new?ticket={bobs_ticket.reference}"' in page
