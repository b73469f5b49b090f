"""The public request form, mounted at the site's root: /request and its parts."""

from django.urls import path

from frontline.portal.request import views

app_name = "portal_request"

urlpatterns = [
    path("request", views.request_form, name="form"),
    path("request/questions", views.questions_part, name="questions"),
    path("request/sent/<str:token>", views.sent, name="sent"),
]
