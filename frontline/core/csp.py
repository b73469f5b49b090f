"""The Content-Security-Policy every page is sent with (issue 11).

Customer text reaches many pages (subjects, names, bodies, file names, search
results, notifications). Templates escape it and mail HTML is sanitised once at
ingest; this header is the second wall: should anything slip through, the
browser still runs no script that did not come from our own static files.

- `script-src 'self'`: no inline `<script>`, no `onclick=` attributes, no
  `javascript:` URLs, no eval. Our pages load their code from /static/
  (desk.js, the portal's portal.js, htmx); htmx needs no eval as we use it
  (no `hx-on`, no `js:` values, no trigger filters).
- `object-src 'none'`: no plugins; `base-uri 'self'`: an injected `<base>`
  cannot re-point our relative script URLs; `frame-ancestors 'none'`: no
  page of ours in another site's frame (clickjacking), as X-Frame-Options
  says for older browsers; `form-action 'self'`: an injected form cannot post
  what a person types to somebody else.
- Styles and images are not restricted: templates use `style=""` for bars and
  meters, and an agent may load a mail's remote images on request.

Django 5.2 has no CSP support of its own (Django 6 has), hence this small
middleware. A response that brings its own policy keeps it: downloads of
customer files send a stricter one (`sandbox`, desk/views/mail.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

POLICY = "; ".join([
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Adds POLICY to every response that does not carry a policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = POLICY
        return response
