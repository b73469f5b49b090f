"""The macros settings page and the composer's picker: what an agent sees, picks
and gets in the composer."""

from __future__ import annotations

import pytest

from frontline.kb import macros
from frontline.kb.models import Macro
from tests.desk.conftest import HTMX
from tests.factories import TeamFactory


@pytest.fixture
def shared_greeting(ada):
    return macros.create_macro(
        ada, title="Begrüßung", shared=True, tags="greeted",
        body="Guten Tag {{ customer.first_name }}, danke für {{ ticket.reference }}.")


def test_an_agent_adds_edits_and_deletes_a_personal_macro(signed_in, lena) -> None:
    client = signed_in(lena)
    page = client.get("/settings/macros")
    assert page.status_code == 200
    assert 'name="shared"' not in page.content.decode()  # agents keep personal ones only
    added = client.post("/settings/macros", {"title": "Logs please", "body":
                        "Hi {{ customer.first_name }}, could you attach the logs?",
                        "status": "pending_customer", "tags": "logs"})
    assert added.status_code == 302
    macro = Macro.objects.get()
    assert (macro.owner, macro.set_status, macro.tag_names) == (lena, "pending_customer",
                                                                ["logs"])
    edited = client.post(f"/settings/macros/{macro.pk}", {"title": "Logs, please",
                                                          "body": macro.body, "status": ""})
    assert edited.status_code == 302
    macro.refresh_from_db()
    assert (macro.title, macro.set_status, macro.owner) == ("Logs, please", "", lena)
    assert client.post(f"/settings/macros/{macro.pk}/delete").status_code == 302
    assert not Macro.objects.exists()


def test_an_unknown_placeholder_is_shown_on_the_form(signed_in, lena) -> None:
    page = signed_in(lena).post("/settings/macros", {"title": "Typo",
                                                     "body": "Hej {{ kunde.vorname }}"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "Unknown placeholder {{ kunde.vorname }}" in html
    assert 'id="macro-body" class="prose" name="body" rows="7" aria-invalid="true"' in html
    assert not Macro.objects.exists()


def test_agents_use_shared_macros_but_do_not_change_them(signed_in, lena, ada,
                                                         shared_greeting) -> None:
    page = signed_in(lena).get("/settings/macros").content.decode()
    assert "Begrüßung" in page and f"/settings/macros/{shared_greeting.pk}\"" not in page
    assert signed_in(lena).get(f"/settings/macros/{shared_greeting.pk}").status_code == 403
    assert signed_in(lena).post(f"/settings/macros/{shared_greeting.pk}/delete"
                                ).status_code == 403
    admin_page = signed_in(ada).get("/settings/macros").content.decode()
    assert f"/settings/macros/{shared_greeting.pk}\"" in admin_page and 'name="shared"' in \
        admin_page


def test_the_picker_shows_each_macro_filled_in_with_its_changes(signed_in, lena, otto,
                                                                bobs_ticket,
                                                                shared_greeting) -> None:
    macros.create_macro(otto, title="Otto's own", body="Not for Lena")
    macros.create_macro(lena, title="Reset link", body="{{ agent.first_name }} here: "
                        "reset via the link, {{ customer.name }}.", status="pending_customer")
    page = signed_in(lena).get(f"/t/{bobs_ticket.reference}/macros", **HTMX)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Guten Tag Bob, danke für {bobs_ticket.reference}." in html
    assert "Lena here: reset via the link, Bob Standard." in html
    assert "Applies now: tags: + greeted" in html
    assert "Applies now: status: pending customer" in html
    assert "Otto&#x27;s own" not in html and "Otto's own" not in html
    found = signed_in(lena).get(f"/t/{bobs_ticket.reference}/macros",
                                {"search": "reset", "results": "1"}, **HTMX).content.decode()
    assert "Reset link" in found and "Begrüßung" not in found
    none = signed_in(lena).get(f"/t/{bobs_ticket.reference}/macros",
                               {"search": "zzz", "results": "1"}, **HTMX).content.decode()
    assert "No macro matches" in none


def test_inserting_applies_the_changes_and_carries_the_text(signed_in, lena, bobs_ticket,
                                                            shared_greeting) -> None:
    TeamFactory(name="Onboarding")
    mine = macros.create_macro(lena, title="Onboard", team="Onboarding",
                               status="pending_customer",
                               body="Hallo {{ customer.first_name }},\n"
                                    "Ihre Version: {{ fact.version }}")
    answer = signed_in(lena).post(f"/t/{bobs_ticket.reference}/macros/{mine.pk}", **HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Macro “Onboard” inserted; changed status, team." in html
    assert 'data-macro-status="pending_customer"' in html
    assert "Hallo Bob,\nIhre Version: [version unknown]</textarea>" in html
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.team.name == "Onboarding" and bobs_ticket.status == "pending_customer"
    assert not bobs_ticket.messages.filter(kind="outbound").exists()


def test_the_picker_refuses_who_may_not_change_the_ticket(signed_in, vera, dana, lena, otto,
                                                          bobs_ticket, shared_greeting) -> None:
    assert signed_in(vera).get(f"/t/{bobs_ticket.reference}/macros", **HTMX).status_code == 403
    assert signed_in(dana).post(f"/t/{bobs_ticket.reference}/macros/{shared_greeting.pk}",
                                **HTMX).status_code == 403
    ottos = macros.create_macro(otto, title="Private", body="x")
    assert signed_in(lena).post(f"/t/{bobs_ticket.reference}/macros/{ottos.pk}",
                                **HTMX).status_code == 404
    bobs_ticket.refresh_from_db()
    assert not bobs_ticket.tags.exists()


def test_the_composer_offers_the_picker(signed_in, lena, bobs_ticket) -> None:
    html = signed_in(lena).get(f"/t/{bobs_ticket.reference}").content.decode()
    assert f'hx-get="/t/{bobs_ticket.reference}/macros"' in html
    assert "desk/macros.js" in html and "<script>" not in html
