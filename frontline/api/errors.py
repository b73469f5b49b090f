"""Every refusal the API gives, in one JSON shape:

    {"detail": "What went wrong.", "errors": [{"field": "requester_email", "message": "..."}]}

Services raise frontline.core.errors; request parsing raises Ninja's errors; the
database may still refuse something no validator foresaw. Each becomes a 4xx
here. A database that is briefly away (a restart, a lost connection) is a 503
with Retry-After. A 500 is the last resort for a bug, logged with its traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from frontline.core import outages
from frontline.core.errors import FrontlineError, InvalidInput, NotFound

logger = logging.getLogger("frontline.api")

Found = TypeVar("Found")

# Ninja names the single body parameter in each error location; our endpoints
# all call it `payload`, which a client never sees.
BODY_PARAMETER = "payload"


def in_path(find: Callable[..., Found | None], value: Any, **options: Any) -> Found:
    """The record a URL names (`/teams/7`, `/plans/premium`), found by its owner's
    finder. A finder refuses a value that names nothing with InvalidInput, naming a
    field of a form or payload (422); named in the path, it is a missing page: 404."""
    try:
        found = find(value, **options)
    except InvalidInput as error:
        raise NotFound(error.message) from None
    if found is None:
        raise NotFound("Not found.")
    return found


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


# pydantic names the member of a union a value failed in its location
# ("when.os.function-after[partial(<function max_length_validator at 0x7f..>)...]",
# "tier.constrained-int"): internals, not a field. Such tags are dropped; a bare type
# name ("bool") only where the error is about that very type.
_UNION_MEMBER = re.compile(r"^(?:function-(?:after|before|wrap|plain)|constrained-[\w-]+|"
                           r"literal|list|dict|set|tuple|nullable|union|tagged-union|"
                           r"json-or-python|lax-or-strict|is-instance|model|definition-ref)"
                           r"(?:\[.*\])?$", re.DOTALL)
_TYPE_TAGS = {"bool": "bool_", "int": "int_", "str": "string_", "float": "float_",
              "none": "none_", "decimal": "decimal_", "date": "date_", "datetime": "datetime_"}


def _field_name(loc: tuple[Any, ...] | list[Any], error_type: str = "") -> str | None:
    parts = list(loc)
    source = parts.pop(0) if parts else None
    if source == "body" and parts and parts[0] == BODY_PARAMETER:
        parts.pop(0)
    parts = [part for part in parts
             if not (isinstance(part, str) and _UNION_MEMBER.match(part))]
    last = parts[-1] if parts else None
    if (len(parts) > 1 and isinstance(last, str) and last in _TYPE_TAGS
            and error_type.startswith(_TYPE_TAGS[last])):
        parts.pop()
    return ".".join(str(part) for part in parts) or None


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "Unknown field."
    if error.get("type") == "missing":
        return "This field is required."
    message = str(error.get("msg", "is not valid"))
    # pydantic prefixes the messages of our own validators; the prefix says nothing.
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message


def _validation_errors(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    errors = []
    for error in exc.errors:
        field = _field_name(error.get("loc", ()), str(error.get("type", "")))
        if field is None and error.get("type") == "missing":
            errors.append({"field": None, "message": "A JSON object is required as the body."})
        else:
            errors.append({"field": field, "message": _message(error)})
    named = [e["field"] for e in errors if e["field"]]
    detail = f"Invalid {', '.join(dict.fromkeys(named))}." if named else "Invalid request."
    return error_response(api, request, 422, detail, errors)


def _frontline_error(request: HttpRequest, exc: FrontlineError, api: NinjaAPI) -> HttpResponse:
    status = exc.status_code
    # "No organization 7" about a field of the body is bad input, not a missing page.
    if isinstance(exc, NotFound) and exc.field:
        status = 422
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return error_response(api, request, status, exc.message, errors)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError,
                     api: NinjaAPI) -> HttpResponse:
    given = bool(request.headers.get("Authorization"))
    detail = ("The token is not valid (revoked, mistyped or for an inactive user)." if given
              else "Send your API token: 'Authorization: Bearer <token>'.")
    response = error_response(api, request, 401, detail)
    # RFC 6750 §3: a 401 names the scheme, and says why when a token was sent.
    response["WWW-Authenticate"] = (
        'Bearer realm="frontline", error="invalid_token"' if given else 'Bearer realm="frontline"'
    )
    return response


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON (send Content-Type: application/json)."
    return error_response(api, request, exc.status_code, detail)


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, 404, "Not found.")


def _too_big(request: HttpRequest, exc: RequestDataTooBig, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, 413, "The request body is too large.")


def _suspicious(request: HttpRequest, exc: SuspiciousOperation, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, 400, "The request was refused as malformed.")


def _integrity(request: HttpRequest, exc: IntegrityError, api: NinjaAPI) -> HttpResponse:
    # Services check uniqueness first; reaching here means a concurrent request
    # won a race (or a check is missing, hence the log line).
    logger.warning("integrity error on %s %s: %s", request.method, request.path, exc)
    return error_response(api, request, 409, "This conflicts with a change made at the same "
                          "time by someone else; fetch the latest state and try again.")


def _data_error(request: HttpRequest, exc: DataError, api: NinjaAPI) -> HttpResponse:
    logger.warning("data error on %s %s: %s", request.method, request.path, exc)
    return error_response(api, request, 422, "A value is too long or out of range.")


def _database_unavailable(request: HttpRequest, exc: OperationalError | InterfaceError,
                          api: NinjaAPI) -> HttpResponse:
    # A restart, a dropped connection or a lock held too long: the request was fine
    # and may be sent again (frontline.core.outages). Anything else is a 500.
    if not outages.is_transient(exc):
        return _unexpected(request, exc, api)
    logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                   outages.describe(exc))
    outages.discard_broken_connections()
    response = error_response(api, request, 503, "The database did not answer just now; "
                              f"try again in {outages.RETRY_AFTER_SECONDS} seconds.")
    response["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
    return response


def _unexpected(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(api, request, 500, "Something went wrong on our side; it has been "
                          "logged. Please try again or tell us.")


def install(api: NinjaAPI) -> None:
    """Register the handlers; the most specific exception class wins."""
    handlers: list[tuple[type[Exception], Any]] = [
        (FrontlineError, _frontline_error),
        (ValidationError, _validation_errors),
        (AuthenticationError, _unauthenticated),
        (HttpError, _http_error),
        (Http404, _not_found),
        (RequestDataTooBig, _too_big),
        (SuspiciousOperation, _suspicious),
        (IntegrityError, _integrity),
        (DataError, _data_error),
        (OperationalError, _database_unavailable),
        (InterfaceError, _database_unavailable),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, partial(handler, api=api))
