"""Query parameters an operation does not declare are refused (422), as unknown
fields of a body are (schemas.InputSchema).

Ninja reads the parameters an operation declares and drops the rest, so
`/reports/sla-compliance?since=2025-01-01` answered 200 with the default period
and `/search?cursor=...` its first page: the client never learnt that its filter
or cursor was not one. The list endpoints refused a garbled value of a declared
parameter with 422; an undeclared one now gets the same answer, in the API's one
error shape, naming the parameter and those the operation takes.

Installed for every operation with `api.add_decorator(..., mode="operation")`:
the wrapper runs after authentication and after the declared parameters were
read, so a missing token is still a 401 and a bad value of a known parameter
names that parameter first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from ninja.errors import ValidationError


def _query_fields(view: Callable[..., Any]) -> dict[str, Any]:
    """{name (or alias): pydantic field} of the query parameters of the operation
    `view` is the function of, as its OpenAPI schema lists them."""
    operation = getattr(view, "_ninja_operation", None)
    fields: dict[str, Any] = {}
    for model in getattr(operation, "models", ()):
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flattened = getattr(model, "__ninja_flatten_map__", None)
        for name, field in model.model_fields.items():
            if flattened:
                # A Query(Schema): its own fields are the parameters.
                fields.update({inner.alias or inner_name: inner for inner_name, inner
                               in getattr(field.annotation, "model_fields", {}).items()})
            else:
                fields[field.alias or name] = field
        if flattened:
            fields.update({name: fields.get(name) for name in flattened})
    return fields


def declared_query_names(view: Callable[..., Any]) -> frozenset[str]:
    """The query parameter names (aliases included) of the operation `view` is the
    function of, as its OpenAPI schema lists them."""
    return frozenset(_query_fields(view))


def _takes_many(field: Any) -> bool:
    annotation = getattr(field, "annotation", None)
    return any(kind in str(annotation) for kind in ("list[", "List[", "set[", "tuple["))


def refuse_unknown_query_parameters(view: Callable[..., Any]) -> Callable[..., Any]:
    """`view`, refusing a request whose query string names a parameter it does not
    declare."""
    fields = _query_fields(view)
    declared = frozenset(fields)
    single = frozenset(name for name, field in fields.items() if not _takes_many(field))
    takes = (f"this operation takes {', '.join(sorted(declared))}" if declared
             else "this operation takes no query parameters")

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = [name for name in request.GET if name not in declared]
        if unknown:
            raise ValidationError([
                {"loc": ("query", name), "type": "unknown_parameter",
                 "msg": f"Unknown parameter; {takes}."}
                for name in unknown])
        # Ninja would read the last of `?cursor=a&cursor=b`; the schema says one value.
        repeated = [name for name in request.GET if name in single
                    and len(request.GET.getlist(name)) > 1]
        if repeated:
            raise ValidationError([
                {"loc": ("query", name), "type": "repeated_parameter",
                 "msg": "Give this parameter once."} for name in repeated])
        return view(request, *args, **kwargs)

    return checked
