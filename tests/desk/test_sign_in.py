"""Signing in to the desk: guessing is held back per username and per network, every
attempt is on record, and `next` never leads off the site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontline.core import signin
from frontline.core.models import SignInEvent, SignInOutcome
from tests.conftest import PASSWORD

# Wrong passwords a guesser might try, each different.
GUESSES = ["Password1", "letmein!", "lena2026", "Sommer2026", "qwertzuiop", "hunter2",
           "correct horse", "passwort", "motdepasse", "contraseña"]


def _sign_in(client: Client, username: str, password: str, *, address: str = "198.51.100.7",
             next_url: str | None = None, agent: str = "Mozilla/5.0 (X11; Linux x86_64)"):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data, REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def _alert(response) -> str:
    page = response.content.decode()
    start = page.index('role="alert">')
    return page[start:page.index("</div>", start)]


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_hold_the_username_even_for_the_right_one(client, lena):
    for guess in GUESSES[:5]:
        response = _sign_in(client, "lena", guess)
        assert response.status_code == 200
        assert "do not match" in response.content.decode()

    held = _sign_in(client, "lena", PASSWORD)
    assert held.status_code == 429
    assert "Too many failed sign-ins for this username" in held.content.decode()
    assert 14 * 60 <= int(held["Retry-After"]) <= 15 * 60
    assert not _signed_in(client)
    outcomes = list(SignInEvent.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [SignInOutcome.FAILED] * 5 + [SignInOutcome.HELD]
    assert all(event.user == lena for event in SignInEvent.objects.all())


def test_the_hold_lifts_when_the_failures_are_older_than_the_window(client, lena, settings):
    settings.FRONTLINE_SIGNIN_LOCK_MINUTES = 10
    long_ago = timezone.now() - timedelta(minutes=11)
    for minute, _guess in enumerate(GUESSES[:7]):
        signin.record_sign_in("lena", "198.51.100.7", SignInOutcome.FAILED,
                              now=long_ago + timedelta(seconds=minute))
    response = _sign_in(client, "lena", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_a_name_that_does_not_exist_is_held_like_a_real_one(client, lena):
    for guess in GUESSES[3:8]:
        _sign_in(client, "lenna", guess)  # a typo of a real name, or a guess
    held_fake = _sign_in(client, "lenna", GUESSES[0])
    for guess in GUESSES[:5]:
        _sign_in(client, "LENA ", guess)  # names are counted as typed, case folded
    held_real = _sign_in(client, "lena", GUESSES[9])
    assert held_fake.status_code == held_real.status_code == 429
    assert _alert(held_fake) == _alert(held_real)
    assert SignInEvent.objects.filter(username="lenna", user=None).count() == 6


def test_a_successful_sign_in_clears_the_usernames_count(client, lena):
    for guess in GUESSES[:4]:
        _sign_in(client, "lena", guess)
    assert _sign_in(client, "lena", PASSWORD).status_code == 302
    client.post("/logout")
    for guess in GUESSES[4:8]:
        _sign_in(client, "lena", guess)
    assert _sign_in(client, "lena", PASSWORD).status_code == 302


def test_one_network_trying_many_names_is_held_but_not_the_others(client, lena, otto):
    names = [f"{first}.{last}" for first in ("ana", "ben", "chen", "dmitri", "eve")
             for last in ("smith", "ngata", "okafor", "wong")]
    for name, guess in zip(names, GUESSES * 2, strict=False):
        _sign_in(client, name, guess, address="2001:db8:77:1::1")
    for name, guess in zip(names[10:], GUESSES, strict=False):
        _sign_in(client, name, guess, address="2001:db8:77:1::2")  # same /64
    held = _sign_in(client, "otto", PASSWORD, address="2001:db8:77:1:abcd::9")
    assert held.status_code == 429
    assert "from your network" in held.content.decode()
    assert not _signed_in(client)

    elsewhere = _sign_in(Client(), "otto", PASSWORD, address="203.0.113.40")
    assert elsewhere.status_code == 302


def test_a_held_attempt_does_not_extend_the_hold(client, lena, settings):
    settings.FRONTLINE_SIGNIN_ACCOUNT_FAILURES = 3
    for guess in GUESSES[:3]:
        _sign_in(client, "lena", guess)
    for guess in GUESSES[3:9]:
        assert _sign_in(client, "lena", guess).status_code == 429
    assert SignInEvent.objects.filter(outcome=SignInOutcome.FAILED).count() == 3
    assert SignInEvent.objects.filter(outcome=SignInOutcome.HELD).count() == 6


def test_a_sign_in_is_recorded_with_the_account_the_address_and_the_browser(client, otto):
    agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"
    _sign_in(client, "otto", PASSWORD, address="2001:db8:5:6::42", agent=agent)
    event = SignInEvent.objects.get()
    assert (event.user, event.outcome) == (otto, SignInOutcome.SIGNED_IN)
    assert event.client == "2001:db8:5:6::/64"
    assert event.user_agent == agent


def test_a_form_with_an_empty_field_is_not_counted(client, lena):
    for _ in range(8):
        client.post("/login", {"username": "lena", "password": ""})
        client.post("/login", {"username": "", "password": "x"})
    assert not SignInEvent.objects.exists()
    assert _sign_in(client, "lena", PASSWORD).status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/desk",
    "/\\evil.example",
    "https:evil.example",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    " //evil.example",
])
def test_next_never_leads_off_the_site(client, lena, target):
    response = _sign_in(client, "lena", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == "/", response["Location"]


def test_next_on_the_site_is_kept(client, lena, bobs_ticket):
    page = client.get(f"/login?next=/t/{bobs_ticket.reference}")
    assert f'value="/t/{bobs_ticket.reference}"' in page.content.decode()
    response = _sign_in(client, "lena", PASSWORD, next_url=f"/t/{bobs_ticket.reference}")
    assert response["Location"] == f"/t/{bobs_ticket.reference}"


def test_signing_out_never_leads_off_the_site(client, lena):
    client.force_login(lena)
    response = client.post("/logout?next=https://evil.example/", {"next": "//evil.example"})
    assert response.status_code == 302
    assert response["Location"] == "/login"
