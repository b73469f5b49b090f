"""Saved views from the desk: save the queue page's filters under a name (yours,
or shared with the desk), rename or remove one (frontline.tickets.services.
saved_views). The sidebar lists them with their counts (common.nav_context)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontline.core.errors import FrontlineError
from frontline.desk.views.common import desk_user, desk_view, error_page
from frontline.tickets.services import saved_views


@desk_view
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Save `queue` with the filters in `query` (the page's query string) as `name`."""
    params = dict(parse_qsl(request.POST.get("query", "").lstrip("?")))
    try:
        view = saved_views.save_view(desk_user(request), request.POST.get("name", ""),
                                     request.POST.get("queue", ""), params,
                                     shared=request.POST.get("shared") == "1")
    except FrontlineError as error:
        return error_page(request, error)
    return redirect(view.get_absolute_url())


@desk_view
@require_POST
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = saved_views.rename_view(desk_user(request), pk, request.POST.get("name", ""))
    except FrontlineError as error:
        return error_page(request, error)
    return redirect(view.get_absolute_url())


@desk_view
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = desk_user(request)
    try:
        view = saved_views.find_view(user, pk)
        saved_views.delete_view(user, pk)
    except FrontlineError as error:
        return error_page(request, error)
    return redirect(f"/q/{view.queue}")
