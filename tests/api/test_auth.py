"""Tokens: who you are, and what happens without one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from frontline.core.models import ApiToken
from tests.api.conftest import ApiClient, field_errors


def test_me_says_whose_token_it_is(api, lena):
    response = api(lena).get("/me")
    assert response.status_code == 200
    assert response.json() == {"id": lena.pk, "username": "lena", "name": "Lena Level-One",
                               "email": "lena@frontline.test", "role": "agent", "tier": 1}


def test_no_token_is_401_with_a_bearer_challenge(api, bobs_ticket):
    response = api(None).get("/tickets")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="frontline"'
    assert "Authorization: Bearer" in response.json()["detail"]
    field_errors(response)


def test_a_wrong_token_is_401_and_says_the_token_is_invalid(api, lena):
    response = ApiClient(key="flt_not-a-real-token").get("/me")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_another_scheme_is_401(lena):
    _, key = ApiToken.issue(lena)
    client = ApiClient()
    client.client.defaults["HTTP_AUTHORIZATION"] = f"Basic {key}"
    assert client.get("/me").status_code == 401


def test_a_deactivated_user_s_token_stops_working(api, lena):
    client = api(lena)
    assert client.get("/me").status_code == 200
    lena.is_active = False
    lena.save()
    assert client.get("/me").status_code == 401


def test_only_the_hash_is_stored_and_last_use_is_written_at_most_once_a_minute(api, lena):
    client = api(lena)
    token = ApiToken.objects.get(user=lena)
    assert token.key_hash == ApiToken.hash_key(client.key) and client.key not in token.key_hash
    assert token.last_used_at is None

    client.get("/me")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()
