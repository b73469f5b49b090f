"""The web's answer while the database is briefly away: 503 with Retry-After.

Desk and portal pages (and the mail webhooks) reach the database from their
views; a transient database error there (`outages.is_transient`) is answered by
`DatabaseOutageMiddleware` with a plain page instead of a 500, the status that
tells browsers, load balancers and API clients alike that trying again later is
right (RFC 9110 §15.6.4, with Retry-After §10.2.3). `server_error` is Django's
handler500 for what fails outside a view (a session saved on the way out); it
gives the same page. The API answers in its own JSON shape
(`frontline.api.errors`).

The page is a string, not a template: it must render when nothing else can, and
it names no user, ticket or setting (nothing to read from the database).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from frontline.core import outages

logger = logging.getLogger("frontline.outages")

UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto;
padding: 0 1rem; line-height: 1.5">
<h1>Back in a moment</h1>
<p>Our database did not answer just now. Please try again in a few seconds.</p>
</body></html>
"""


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 page for a transient database error; the broken connection is dropped."""
    logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                   outages.describe(error))
    outages.discard_broken_connections()
    response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(outages.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a transient database error raised by a view into the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if outages.is_transient(exception):
            return unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error in hand is a transient database error,
    else Django's own 500 page."""
    error = sys.exc_info()[1]
    if error is not None and outages.is_transient(error):
        return unavailable(request, error)
    return defaults.server_error(request)
