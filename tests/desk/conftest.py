from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from frontline.core.models import User


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    """A browser session signed in as `user`."""

    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


HTMX = {"HTTP_HX_REQUEST": "true"}
