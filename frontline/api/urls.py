"""/api/v1/: the Ninja API, and JSON (not the HTML page) for any path it does not know."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path

from frontline.api.api import api


def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": f"There is no API endpoint {request.path}.", "errors": []},
                        status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
