"""Every desk URL and every form the desk renders, fed odd values, answers with a
page or a 4xx and never with a 5xx (issue 11).

The URLs come from the desk's URL conf, the forms from the pages themselves (each
page is fetched as an admin and its <form>s read: action, method, the names and
values of their fields), so a page or a field added later is fuzzed without a
change here. A form is sent with the values the page filled in, but one field odd
(tests/odd_values.py), so the odd value reaches the code that reads it. Examples
are few per URL and per form: the whole run takes seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.odd_values import odd_text

EXAMPLES_PER_URL = 2
EXAMPLES_PER_FORM = 2  # and one more per field, up to MAX_FORM_EXAMPLES
MAX_FORM_EXAMPLES = 6
# Real ids of the cast's rows are small; the huge ones must not overflow the driver.
INT_VALUES = [1, 2, 3, 10**20, 2**63]
# Signing out would leave the rest of the run on the sign-in page; the sign-in form
# is fuzzed by tests/desk/test_queues.py's wrong-password cases.
SIGN_IN_AND_OUT = {"login", "logout"}
# Names every list or filter may read, besides those the forms name.
COMMON_NAMES = ["q", "offset", "cursor", "team", "assignee", "tier", "priority", "status",
                "from", "to", "period", "format", "table", "category", "sort", "value", "body"]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class Forms(HTMLParser):
    """The forms of a page, with the value each field shows."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = found.get("action") or found.get("hx-post") or found.get("hx-get") or ""
            method = "post" if "hx-post" in found else found.get("method", "get").lower()
            self.forms.append(Form(urlsplit(action).path or self.page, method))
            return
        if not self.forms or not found.get("name") or found["name"] == "csrfmiddlewaretoken":
            return
        fields = self.forms[-1].fields
        if tag == "input":
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                fields.setdefault(found["name"], "")
            else:
                fields[found["name"]] = found.get("value", "")
        elif tag == "select":
            self._select = found["name"]
            fields.setdefault(found["name"], "")
        elif tag == "option" and self._select and ("selected" in found
                                                   or not fields[self._select]):
            fields[self._select] = found.get("value", "")
        elif tag == "textarea":
            self._textarea = found["name"]
            fields[found["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def desk_routes() -> list[str]:
    """Every route of the desk's URL conf, as written ("t/<str:reference>/set/<slug:field>")."""
    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern, "namespace", None) in (None, "desk"):
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (isinstance(pattern, URLPattern)
                  and (pattern.callback.__module__ or "").startswith("frontline.desk")
                  and pattern.name not in SIGN_IN_AND_OUT):
                routes.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "/")
    return routes


def concrete(route: str, values: dict[str, Any]) -> str:
    # One pass over the route: a value may itself hold "<" and ">" (a script tag).
    def value(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        return str(values.get(name, values.get(kind, "")))

    return re.sub(r"<(\w+):(\w+)>", value, route)


def reachable(client: Any, routes: list[str], reference: str) -> list[tuple[str, Form]]:
    """The forms on the desk's pages, found by fetching every route with real values."""
    found: list[tuple[str, Form]] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for route in routes:
        for pk in ([1, 2, 3] if "<int:" in route else [None]):
            path = concrete(route, {"reference": reference, "str": reference, "pk": pk,
                                    "int": pk, "day": 1, "slug": "open", "name": "open",
                                    "field": "priority"})
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = Forms(path)
            parser.feed(response.content.decode())
            for form in parser.forms:
                if form.action in ("/login", "/logout"):
                    continue
                key = (form.action, form.method, tuple(sorted(form.fields)))
                if key not in seen:
                    seen.add(key)
                    found.append((route, form))
    return found


@pytest.fixture
def desk(signed_in, ada, lena, otto, dana, vera, bobs_ticket, alices_ticket, installation):
    return signed_in(ada)


def test_every_desk_url_and_form_answers_odd_values_without_a_server_error(desk, bobs_ticket):
    routes = desk_routes()
    assert len(routes) > 80  # the whole desk, not an empty URL conf
    forms = reachable(desk, routes, bobs_ticket.reference)
    assert len(forms) > 30
    names = sorted({name for _, form in forms for name in form.fields} | set(COMMON_NAMES))

    for route in routes:
        path_value = st.one_of(st.just(bobs_ticket.reference), odd_text)
        url = st.builds(lambda reference, number, route=route: concrete(route, {
            "reference": reference, "str": reference, "pk": number, "int": number,
            "day": number, "slug": "open", "name": "open", "field": "priority"}),
            path_value, st.sampled_from(INT_VALUES))
        values = st.dictionaries(st.sampled_from(names), odd_text, max_size=3)
        answers_without_a_5xx(desk, url, st.sampled_from(["get", "post"]), values,
                              EXAMPLES_PER_URL)()

    for _route, form in forms:
        targets = sorted(form.fields) or ["q"]
        values = st.builds(lambda target, odd, fields=form.fields: {**fields, target: odd},
                           st.sampled_from(targets), odd_text)
        answers_without_a_5xx(desk, st.just(form.action), st.just(form.method), values,
                              min(EXAMPLES_PER_FORM + len(form.fields), MAX_FORM_EXAMPLES))()


def answers_without_a_5xx(client: Any, url: st.SearchStrategy[str],
                          method: st.SearchStrategy[str],
                          values: st.SearchStrategy[dict[str, str]], examples: int) -> Any:

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(url, method, values)
    def check(path: str, how: str, data: dict[str, str]) -> None:
        send = client.get if how == "get" else client.post
        response = send(path, data)
        assert response.status_code < 500, (how.upper(), path, data, response.status_code)

    return check
