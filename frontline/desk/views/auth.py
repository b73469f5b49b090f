"""Signing in and out, and where a signed-in person lands."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from frontline.desk.views.common import desk_user, desk_view, home_queue


class LoginView(auth_views.LoginView):
    template_name = "desk/auth/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or prefetch cannot sign anybody out."""


@desk_view
def home(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("desk:queue", args=[home_queue(desk_user(request))]))
