"""Every operation of the API, fed odd values in every path, query and body
parameter its OpenAPI schema declares, answers in the one error shape and never
with a 5xx (issue 11).

The operations and their parameters come from the schema the API serves, so an
operation added later is fuzzed without a change here. Each value is either odd
(tests/odd_values.py) or one that fits the schema, so that a request with one odd
field gets past the others to the code behind them; path parameters name real
records of the cast. The examples per operation are few (three, and one more per
parameter, at most 16): about 500 requests, some ten seconds on one core.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.odd_values import odd_json, odd_text

MIN_EXAMPLES = 3
EXAMPLES_PER_PARAMETER = 1
MAX_EXAMPLES = 16
METHODS = ("get", "post", "put", "patch", "delete")

FITTING_TEXT = ["Frontdesk", "lena", "otto", "standard", "premium", "install", "4.2",
                "Drucker brennt seit Montag", "bob@standard.example", "FL-10001", "open"]


class Schema:
    """The served OpenAPI document, and strategies for the values it describes."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema

    def fitting(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
        """A value of the schema's type (not necessarily one the rules accept)."""
        schema = self.resolve(schema)
        if "anyOf" in schema or "oneOf" in schema:
            return st.one_of([self.fitting(s, depth) for s in
                              schema.get("anyOf", schema.get("oneOf"))])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema.get("type")
        if kind == "string":
            if schema.get("format") == "date":
                return st.sampled_from(["2025-03-01", "2024-12-31"])
            if schema.get("format") == "date-time":
                return st.sampled_from(["2025-03-01T09:00:00Z", "2025-01-31T17:30:00+01:00"])
            return st.sampled_from(FITTING_TEXT)
        if kind == "integer":
            low = schema.get("minimum", 0)
            return st.integers(min_value=low, max_value=min(schema.get("maximum", 50), low + 50))
        if kind == "number":
            return st.sampled_from([0, 1.5, 99.5])
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            if depth > 2:
                return st.just([])
            return st.lists(self.value(schema.get("items", {}), depth + 1), max_size=3)
        if kind == "object" or "properties" in schema:
            return self.body(schema, depth + 1) if depth <= 2 else st.just({})
        return odd_json

    def value(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
        return st.one_of(odd_json, self.fitting(schema, depth))

    def body(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
        schema = self.resolve(schema)
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        if not properties and schema.get("additionalProperties"):
            extra = schema["additionalProperties"]
            return st.dictionaries(st.one_of(odd_text, st.sampled_from(FITTING_TEXT)),
                                   self.value(extra if isinstance(extra, dict) else {}, depth),
                                   max_size=3)
        return st.fixed_dictionaries(
            {name: self.value(p, depth) for name, p in properties.items() if name in required},
            optional={name: self.value(p, depth) for name, p in properties.items()
                      if name not in required})


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation)
            for path, by_method in document["paths"].items()
            for method, operation in by_method.items() if method in METHODS]


@pytest.fixture
def records(bobs_ticket, globex, alice, frontdesk, otto, standard_plan, premium_plan, ledger):
    """Real values for path parameters, so that a body reaches the code behind the path."""
    return {"reference": bobs_ticket.reference, "organization_id": globex.pk,
            "contact_id": alice.pk, "team_id": frontdesk.pk, "username": "lena",
            "plan": "standard", "slug": "standard", "policy_id": 1, "calendar_id": 1,
            "rule_id": 1, "problem_id": 1}


def as_query(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value) if isinstance(value, list | dict | bool) else str(value)


@dataclass(frozen=True)
class Request:
    """One request to an operation: every parameter fits the schema but one, the target,
    which is odd; so each odd value reaches the code that reads its parameter."""

    path: str
    query: dict[str, str]
    body: Any

    def url(self) -> str:
        if not self.query:
            return self.path
        return self.path + "?" + "&".join(f"{quote(k)}={quote(v, safe='')}"
                                          for k, v in self.query.items())


def requests(schema: Schema, path: str, operation: dict[str, Any],
             records: dict[str, Any]) -> tuple[st.SearchStrategy[Request], int]:
    """The requests to fuzz one operation with, and how many parameters it has."""
    parameters = operation.get("parameters", [])
    in_path = [p["name"] for p in parameters if p["in"] == "path"]
    in_query = {p["name"]: p.get("schema", {}) for p in parameters if p["in"] == "query"}
    body_schema = (operation.get("requestBody", {}).get("content", {})
                   .get("application/json", {}).get("schema"))
    properties = schema.resolve(body_schema).get("properties", {}) if body_schema else {}
    targets = ([("path", name) for name in in_path] + [("query", name) for name in in_query]
               + [("body", name) for name in properties] + ([("body", "")] if body_schema else []))

    @st.composite
    def request(draw: st.DrawFn) -> Request:
        where, name = draw(st.sampled_from(targets)) if targets else ("", "")
        url = path
        for each in in_path:
            value = draw(odd_text) if (where, name) == ("path", each) else records.get(each, 1)
            url = url.replace("{" + each + "}", quote(str(value), safe="") or "%20")
        query = {key: as_query(draw(schema.fitting(value)))
                 for key, value in in_query.items() if draw(st.booleans())}
        if where == "query":
            query[name] = as_query(draw(odd_text))
        body = draw(schema.body(body_schema)) if body_schema else None
        if where == "body" and name:
            body[name] = draw(odd_json)
        elif where == "body":
            body = draw(odd_json)
        return Request(url, {k: v for k, v in query.items() if v is not None}, body)

    return request(), len(targets)


def test_every_operation_answers_odd_values_without_a_server_error(api, ada, lena, records):
    client = api(ada)
    document = client.get("/openapi.json").json()
    schema = Schema(document)
    found = operations(document)
    assert len(found) > 60  # the whole API, not an empty schema
    for method, path, operation in found:
        strategy, targets = requests(schema, path, operation, records)
        examples = min(MIN_EXAMPLES + EXAMPLES_PER_PARAMETER * targets, MAX_EXAMPLES)
        answers_without_a_5xx(client.client, method, strategy, examples)()


def answers_without_a_5xx(client: Any, method: str, strategy: st.SearchStrategy[Request],
                          examples: int) -> Any:
    """The property for one operation, with its few examples."""

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(request: Request) -> None:
        send = getattr(client, method)
        if method in ("get", "delete"):
            response = send(request.url())
        else:
            response = send(request.url(), data=json.dumps(request.body),
                            content_type="application/json")
        assert response.status_code < 500, (method.upper(), request, response.content[:500])
        if response.status_code >= 400:
            answer = response.json()
            assert set(answer) == {"detail", "errors"}, (method.upper(), request, answer)

    return check
