"""An API client with a Bearer token for any member of the cast: `api(lena).get("/me")`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from frontline.core.models import ApiToken, User

PREFIX = "/api/v1"


class ApiClient:
    """Speaks JSON to /api/v1 as one user (or as nobody, with `user=None`)."""

    def __init__(self, user: User | None = None, *, key: str | None = None) -> None:
        self.user = user
        if user is not None and key is None:
            _, key = ApiToken.issue(user, name="tests")
        self.key = key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(PREFIX + path, params or {})

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None,
             content_type: str = "application/json") -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(PREFIX + path, data=data, content_type=content_type)

    def patch(self, path: str, body: Any = None, *, raw: bytes | str | None = None,
              content_type: str = "application/json") -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.patch(PREFIX + path, data=data, content_type=content_type)

    def put(self, path: str, body: Any = None, *, raw: bytes | str | None = None,
            content_type: str = "application/json") -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.put(PREFIX + path, data=data, content_type=content_type)


@pytest.fixture
def api(db: None) -> Callable[[User | None], ApiClient]:
    """`api(lena)` is a client with a fresh token of lena's; `api(None)` sends no token."""
    return ApiClient


def field_errors(response: Any) -> dict[str | None, str]:
    """{field: message} from an error response, checking the one error shape on the way."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    return {e["field"]: e["message"] for e in body["errors"]}
