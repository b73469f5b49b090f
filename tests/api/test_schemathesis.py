"""The API fuzzed by schemathesis against a real server (issue 11, part 4): every
operation of the OpenAPI document the server hands out, with a bounded number of
generated requests, answers without a server error, with a status code its schema
documents and a body that matches the schema of that status; and a request that
breaks the schema (a wrong type, a missing field, a value out of range) is refused.

The server is pytest-django's live server, over a real socket; the requests carry
an admin's API token (issued as `frontline token create` issues it). Path
parameters name the world's records (tests/authorization.World) in half the
positive examples, so that bodies reach the code behind the path, and are
generated in the rest. Hypothesis is derandomized (one fixed seed), so a run is
the same run in CI and here.

Schema-valid requests that the API still refuses (a name already taken, a team that
does not exist) are business rules JSON Schema cannot state: each must be a 422 the
operation documents, naming its field; the run prints how many there were. Rules
the schema can state (text without NUL, date bounds, amounts, no null where a PATCH
refuses it, non-empty lists) are stated there, so such requests are not generated.

About 1,300 requests: ~35 s of CPU on SQLite (the server runs in this process).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from frontline.core.accounts import issue_token
from tests.authorization import World

# Examples per operation (fewer when an operation has fewer distinct inputs).
POSITIVE_EXAMPLES = 10
NEGATIVE_EXAMPLES = 6

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

# Operations that remove the world's records run last, so that the others find them.
LAST = ("DELETE",)


@dataclass
class Findings:
    """What the run found, per operation label ("PATCH /api/v1/teams/{team_id}")."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    refused_valid: Counter[str] = field(default_factory=Counter)
    refusals: dict[tuple[str, str], str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    def fail(self, label: str, message: str) -> None:
        found = self.failures.setdefault(label, [])
        if message not in found and len(found) < 3:
            found.append(message)


@pytest.fixture
def world(ada, lena, otto, dana, vera, bob, standard_plan, premium_plan, frontdesk):
    return World({"admin": ada, "tier1": lena, "tier2": otto, "developer": dana,
                  "viewer": vera, "standard_plan": standard_plan,
                  "premium_plan": premium_plan})


def _operations(schema: Any) -> Iterator[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda operation: operation.method.upper() in LAST)
    yield from operations


def _run(operation: Any, strategy: Any, examples: int, call: Callable[[Any], None]) -> None:
    @given(case=strategy)
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        call(case)

    # Unsatisfiable: nothing of the operation can break its schema (no parameters).
    with contextlib.suppress(Unsatisfiable):
        run()


def _describe(case: Any, response: Any, error: BaseException) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (f"{first_line}: {case.method} {response.request.url} "
            f"body={case.body!r:.300} -> {response.status_code} {response.text[:300]}")


def fuzz(base_url: str, token: str, world: World) -> Findings:
    # The token is not what is fuzzed (tests/api/test_auth.py and the authorization
    # matrix cover it): no request is spent on a broken Authorization header.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    findings = Findings()

    def call(case: Any, mode: GenerationMode) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        findings.statuses[response.status_code] += 1
        label = case.operation.label
        checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (AssertionError, BaseExceptionGroup) as error:  # checks' failures
            findings.fail(label, _describe(case, response, error))
        if mode is GenerationMode.POSITIVE and response.status_code == 422:
            if "422" not in case.operation.definition.raw.get("responses", {}):
                findings.fail(label, "a 422 the operation does not document")
            findings.refused_valid[label] += 1
            for error in response.json().get("errors") or [{"field": None, "message": ""}]:
                findings.refusals.setdefault((label, str(error["field"])),
                                             f"{error['message'][:150]} <- {case.body!r:.200} "
                                             f"{case.query!r:.100}")

    # One kept-alive connection; closing it lets the server's thread close its database
    # connection (PostgreSQL cannot drop the test database while one is open).
    with session:
        for operation in _operations(schema):
            records = {name: world.ids[name] for name in _path_parameters(operation)
                       if name in world.ids}
            positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            if records:
                positive = st.one_of(positive, operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, path_parameters=records))
            _run(operation, positive, POSITIVE_EXAMPLES,
                 lambda case: call(case, GenerationMode.POSITIVE))
            negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            _run(operation, negative, NEGATIVE_EXAMPLES,
                 lambda case: call(case, GenerationMode.NEGATIVE))
    return findings


def _path_parameters(operation: Any) -> list[str]:
    return [parameter.name for parameter in operation.path_parameters]


@pytest.fixture
def findings(live_server, world, ada) -> Findings:
    """One fuzzing run for the module's tests (~1,500 requests)."""
    return fuzz(live_server.url, issue_token(ada.username, name="schemathesis"), world)


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_within_its_schema_and_refuses_what_breaks_it(findings):
    assert findings.statuses[500] == 0
    assert not findings.failures, "\n".join(
        f"{label}:\n  " + "\n  ".join(messages)
        for label, messages in sorted(findings.failures.items()))
    # The run reached the code behind the paths: changes made, records found.
    assert findings.statuses[200] > 100 and findings.statuses[201] > 10
    # ...and refusals of the valid input it generated stay the business rules that
    # JSON Schema cannot state (a name taken, a team that does not exist), each a 422
    # the operation documents, naming its field.
    for (label, name), example in sorted(findings.refusals.items()):
        assert name != "None", f"{label}: a refusal that names no field: {example}"
    print(f"\n{sum(findings.statuses.values())} requests, statuses "
          f"{sorted(findings.statuses.items())}; schema-valid requests refused by a "
          f"business rule: {sum(findings.refused_valid.values())} in "
          f"{len(findings.refused_valid)} operations, "
          f"{len(findings.refusals)} (operation, field) pairs")
