"""The customers' pages, mounted under /my/. Only the signed link opens a ticket."""

from django.urls import path

from frontline.portal import answers, views

app_name = "portal"

urlpatterns = [
    path("link", views.new_link, name="new_link"),
    path("link/sent", views.link_sent, name="link_sent"),
    path("<str:reference>/<str:token>", views.ticket_page, name="ticket"),
    path("<str:reference>/<str:token>/reply", views.reply, name="reply"),
    path("<str:reference>/<str:token>/solved", views.solved, name="solved"),
    path("<str:reference>/<str:token>/answers", answers.answers, name="answers"),
    path("<str:reference>/<str:token>/files/<int:pk>", views.attachment, name="attachment"),
]
