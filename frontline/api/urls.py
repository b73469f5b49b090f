"""/api/v1/: the Ninja API, and JSON (not the HTML page) for any path it does not know."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.csrf import csrf_exempt

from frontline.api.api import api


# Exempt from the CSRF check as the API's own operations are (token auth, no cookies):
# otherwise a PUT or POST to a path that does not exist answered Django's HTML 403
# "CSRF verification failed" instead of this 404. It changes nothing, so there is
# nothing to forge.
@csrf_exempt
def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": f"There is no API endpoint {request.path}.", "errors": []},
                        status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.urls),
    # [\s\S], not ".": a path may hold an encoded newline (%0A), which "." misses.
    re_path(r"^(?P<rest>[\s\S]*)$", unknown_path),
]
