"""The webhooks settings pages (admins): the endpoints with their state, one
endpoint's settings, secret and delivery log; add, change, replace the secret,
send a test, remove. Every change calls frontline.webhooks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from frontline.core.errors import FrontlineError, NotFound
from frontline.desk.views.common import desk_user, error_page, render_desk
from frontline.desk.views.settings_common import admin_view, posted
from frontline.webhooks import catalog, endpoints, publishing, selectors
from frontline.webhooks.models import Endpoint


def _endpoint(request: HttpRequest, pk: int) -> Endpoint:
    try:
        return endpoints.get_endpoint(desk_user(request), pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _refused(request: HttpRequest, error: FrontlineError, page: Any) -> HttpResponse:
    if error.status_code == 403:
        return error_page(request, error)
    return page(error)


def _list_page(request: HttpRequest, *, form: dict[str, Any] | None = None,
               error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "endpoints": endpoints.list_endpoints(desk_user(request)),
        "events": catalog.all_events(),
        "form": form or {"url": "", "description": "", "events": []},
        "error": error.message if error else "", "error_field": error.field if error else "",
    }
    return render_desk(request, "desk/settings/webhooks.html", context,
                       status=error.status_code if error else 200)


def _detail_page(request: HttpRequest, endpoint: Endpoint, *,
                 error: FrontlineError | None = None) -> HttpResponse:
    context = {
        "endpoint": endpoint, "events": catalog.all_events(),
        "deliveries": selectors.delivery_log(endpoint),
        "error": error.message if error else "", "error_field": error.field if error else "",
    }
    return render_desk(request, "desk/settings/webhook.html", context,
                       status=error.status_code if error else 200)


@admin_view
def webhook_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@admin_view
@require_POST
def webhook_add(request: HttpRequest) -> HttpResponse:
    form = posted(request, ("url", "description"))
    form["events"] = request.POST.getlist("events")
    try:
        endpoint = endpoints.create_endpoint(desk_user(request), **form)
    except FrontlineError as error:
        return _refused(request, error, lambda e: _list_page(request, form=form, error=e))
    messages.success(request, "Endpoint added. Its secret is below: the receiver checks "
                              "every body's signature with it.")
    return redirect("desk:webhook", pk=endpoint.pk)


@admin_view
def webhook(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _endpoint(request, pk))


@admin_view
@require_POST
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    changes = posted(request, ("url", "description"), checkboxes=("active",))
    changes["events"] = request.POST.getlist("events")
    try:
        endpoints.update_endpoint(desk_user(request), endpoint.pk, changes)
    except FrontlineError as error:
        return _refused(request, error, lambda e: _detail_page(request, endpoint, error=e))
    messages.success(request, "Endpoint saved.")
    return redirect("desk:webhook", pk=endpoint.pk)


@admin_view
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    endpoints.update_endpoint(desk_user(request), endpoint.pk, {"rotate_secret": True})
    messages.success(request, "New secret made; bodies are signed with it from now on.")
    return redirect("desk:webhook", pk=endpoint.pk)


@admin_view
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    publishing.send_test(desk_user(request), endpoint.pk)
    messages.success(request, "A test (ping) is queued; its answer appears in the log.")
    return redirect("desk:webhook", pk=endpoint.pk)


@admin_view
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    endpoints.delete_endpoint(desk_user(request), endpoint.pk)
    messages.success(request, f"Endpoint {endpoint.url} removed.")
    return redirect("desk:webhooks")


def urlpatterns_under(prefix: str) -> list[URLPattern]:
    return [
        path(f"{prefix}webhooks", webhook_list, name="webhooks"),
        path(f"{prefix}webhooks/add", webhook_add, name="webhook_add"),
        path(f"{prefix}webhooks/<int:pk>", webhook, name="webhook"),
        path(f"{prefix}webhooks/<int:pk>/edit", webhook_edit, name="webhook_edit"),
        path(f"{prefix}webhooks/<int:pk>/secret", webhook_rotate, name="webhook_rotate"),
        path(f"{prefix}webhooks/<int:pk>/test", webhook_test, name="webhook_test"),
        path(f"{prefix}webhooks/<int:pk>/delete", webhook_delete, name="webhook_delete"),
    ]
