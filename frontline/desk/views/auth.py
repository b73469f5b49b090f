"""Signing in and out, and where a signed-in person lands.

Every sign-in attempt goes through frontline.core.signin: it is recorded, and a
username or client address that failed too often lately is held (429) before its
password is even checked. Where a person goes afterwards (`next`) is Django's
LoginView's choice: only a path on this site (url_has_allowed_host_and_scheme), so
a link that signs in and then sends the person elsewhere cannot be made.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from frontline.core import signin
from frontline.core.client_address import client_of
from frontline.core.models import SignInOutcome, User
from frontline.costs import services as time_costs
from frontline.desk.views.common import desk_user, desk_view, home_queue


class LoginView(auth_views.LoginView):
    template_name = "desk/auth/login.html"
    redirect_authenticated_user = True

    def _attempt(self) -> tuple[str, str, str]:
        request = self.request
        return (str(request.POST.get("username", "")), client_of(request),
                str(request.META.get("HTTP_USER_AGENT", "")))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username, client, agent = self._attempt()
        try:
            signin.check_may_sign_in(username, client)
        except signin.SignInHeld as held:
            signin.record_sign_in(username, client, SignInOutcome.HELD, user_agent=agent)
            # An unbound form: showing a bound one's errors would check the password.
            form = AuthenticationForm(request, initial={"username": username})
            response = self.render_to_response(
                self.get_context_data(form=form, held=held.message), status=held.status_code)
            response["Retry-After"] = str(held.seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        username, client, agent = self._attempt()
        user = form.get_user()
        signin.record_sign_in(username, client, SignInOutcome.SIGNED_IN,
                              user=user if isinstance(user, User) else None, user_agent=agent)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username, client, agent = self._attempt()
        # A form sent with a field left empty never reached the password check.
        if username.strip() and self.request.POST.get("password"):
            signin.record_sign_in(username, client, SignInOutcome.FAILED, user_agent=agent)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link or prefetch cannot sign anybody out. Signing out
    ends the person's running timer: nobody works a ticket signed out
    (frontline.costs.services)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and isinstance(request.user, User):
            time_costs.stop_timer(request.user)
        return super().post(request, *args, **kwargs)


@desk_view
def home(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("desk:queue", args=[home_queue(desk_user(request))]))
