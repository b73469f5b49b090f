"""The agent desk's URLs. Every view except sign-in is wrapped by `desk_view`
(frontline.desk.views.common): the login gate lives there, in one place."""

from django.urls import path

from frontline.desk.views import auth, mail, mail_settings, organizations, queues, search, tickets

app_name = "desk"

urlpatterns = [
    path("login", auth.LoginView.as_view(), name="login"),
    path("logout", auth.LogoutView.as_view(), name="logout"),
    path("", auth.home, name="home"),
    path("q/<slug:name>", queues.queue, name="queue"),
    path("t/<str:reference>", tickets.ticket_page, name="ticket"),
    path("t/<str:reference>/messages", tickets.post_message, name="post_message"),
    path("t/<str:reference>/set/<slug:field>", tickets.set_field, name="set_field"),
    path("t/<str:reference>/merge", tickets.merge, name="merge"),
    path("t/<str:reference>/link", tickets.link, name="link"),
    path("t/<str:reference>/reopen", tickets.reopen, name="reopen"),
    path("t/<str:reference>/files/<int:pk>", mail.attachment, name="attachment"),
    path("t/<str:reference>/messages/<int:pk>/html", mail.message_html, name="message_html"),
    path("mail/inbound", mail.inbound_list, name="inbound_mail"),
    path("mail/inbound/<int:pk>/raw", mail.inbound_raw, name="inbound_raw"),
    path("mail/inbound/<int:pk>/retry", mail.inbound_retry, name="inbound_retry"),
    path("o/<int:pk>", organizations.organization_page, name="organization"),
    path("search", search.search, name="search"),
    path("settings/mail", mail_settings.mail_settings, name="mail_settings"),
    path("settings/mail/mailboxes", mail_settings.add_mailbox, name="mail_mailbox_add"),
    path("settings/mail/mailboxes/<int:pk>/remove", mail_settings.remove_mailbox,
         name="mail_mailbox_remove"),
    path("settings/mail/mailboxes/<int:pk>/poll", mail_settings.poll_mailbox,
         name="mail_mailbox_poll"),
]
