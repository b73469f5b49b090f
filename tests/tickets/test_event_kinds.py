"""Event kinds are a declared set: every kind the code records is declared, with the
sentence that shows it, by the app that owns it; a free string is refused."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import timezone

from frontline.tickets import event_kinds
from frontline.tickets.models import Event
from frontline.tickets.services.events import record_event

SOURCE = Path(__file__).resolve().parents[2] / "frontline"


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")


def _kind_argument(call: ast.Call) -> ast.expr | None:
    """The node that names the kind in a call that writes or reads events."""
    name = _call_name(call)
    keyword = next((k.value for k in call.keywords if k.arg == "kind"), None)
    if name == "record_event":
        return call.args[1] if len(call.args) > 1 else keyword
    if name == "change_field":  # (ticket, actor, field, value, shown, before_shown, kind, at)
        return call.args[6] if len(call.args) > 6 else keyword
    if name == "Event":
        return keyword
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    reads_events = receiver is not None and ast.unparse(receiver).endswith(
        ("events", "Event.objects"))
    if name in ("filter", "get", "exclude", "exists") and reads_events:
        return keyword
    return None


def recorded_kinds() -> tuple[dict[str, list[str]], list[str]]:
    """({kind: [where]}, [calls whose kind could not be read]) over frontline/."""
    found: dict[str, list[str]] = {}
    unread: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {target.id: node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str)
                     for target in node.targets if isinstance(target, ast.Name)}
        functions = [node for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        passes_kind_on = {id(call) for function in functions
                          if any(arg.arg == "kind" for arg in function.args.args
                                 + function.args.kwonlyargs)
                          for call in ast.walk(function)}
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            argument = _kind_argument(call)
            if argument is None:
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, []).append(where)
            elif isinstance(argument, ast.Name) and argument.id in constants:
                found.setdefault(constants[argument.id], []).append(where)
            elif not (isinstance(argument, ast.Name) and argument.id == "kind"
                      and id(call) in passes_kind_on):
                unread.append(where)
    return found, unread


def test_every_kind_the_code_records_is_declared():
    """A new free string in record_event, change_field, Event(...) or an events query
    fails here until its app declares it, with its sentence."""
    found, unread = recorded_kinds()
    assert len(found) >= 30, "the scan no longer finds the calls that record events"
    undeclared = {kind: where for kind, where in found.items()
                  if not event_kinds.is_declared(kind)}
    assert undeclared == {}
    # A kind computed some other way cannot be checked here: pass a literal or a
    # module constant, or hand on the caller's own `kind` parameter.
    assert unread == []


def test_each_app_declares_the_kinds_it_owns():
    owners = {kind.name: kind.app for kind in event_kinds.all_kinds()}
    assert owners["status_changed"] == "tickets"
    assert owners["sla_breach"] == "sla"
    assert owners["escalated"] == "routing"
    assert owners["delivery"] == "mail"
    assert owners["time_logged"] == "costs"


def test_an_undeclared_kind_is_refused_and_nothing_is_written(bobs_ticket):
    with pytest.raises(ValueError, match="'status_chnaged' is not declared"):
        record_event(bobs_ticket, "status_chnaged", at=timezone.now(), after="open")
    assert not Event.objects.filter(kind="status_chnaged").exists()


def test_bulk_paths_are_refused_an_undeclared_kind_too(bobs_ticket):
    now = timezone.now()
    rows = [Event(ticket=bobs_ticket, kind="sla_paused", at=now),
            Event(ticket=bobs_ticket, kind="coffee_break", at=now)]
    with pytest.raises(event_kinds.UndeclaredEventKind, match="coffee_break"):
        Event.objects.bulk_create(rows)
    assert not bobs_ticket.events.filter(kind="sla_paused").exists()


def test_a_kind_has_one_owner():
    with pytest.raises(ValueError, match="already declared by sla"):
        event_kinds.declare("sla_breach", app="routing",
                            staff=event_kinds.get("sla_breach").staff)


def test_customers_see_only_kinds_with_a_customer_sentence():
    assert event_kinds.customer_kinds() == ["status_changed"]


def test_a_row_of_a_retired_kind_still_reads(bobs_ticket):
    """Rows written before a kind was retired stay readable on old timelines."""
    event = Event(ticket=bobs_ticket, kind="legacy_flag", at=timezone.now(), after="red",
                  detail={})
    assert event_kinds.staff_text(event) == "Automatically · legacy flag → red"
    assert event_kinds.customer_sentence(event) is None
