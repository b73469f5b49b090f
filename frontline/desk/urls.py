"""The agent desk's URLs. Every view except sign-in is wrapped by `desk_view`
(frontline.desk.views.common): the login gate lives there, in one place."""

from django.urls import path

from frontline.desk.views import (
    auth,
    calls,
    developers,
    escalation,
    follow_up,
    intake_settings,
    mail,
    mail_settings,
    notifications,
    organizations,
    queues,
    reports,
    routing_settings,
    search,
    support_settings,
    tickets,
)
from frontline.desk.views import sla as ticket_sla
from frontline.desk.views import time as ticket_time

app_name = "desk"

urlpatterns = [
    path("login", auth.LoginView.as_view(), name="login"),
    path("logout", auth.LogoutView.as_view(), name="logout"),
    path("", auth.home, name="home"),
    path("q/<slug:name>", queues.queue, name="queue"),
    path("t/<str:reference>", tickets.ticket_page, name="ticket"),
    path("t/<str:reference>/messages", tickets.post_message, name="post_message"),
    path("t/<str:reference>/messages/check", tickets.check_reply, name="check_reply"),
    path("t/<str:reference>/set/<slug:field>", tickets.set_field, name="set_field"),
    path("t/<str:reference>/facts", tickets.set_fact, name="set_fact"),
    path("t/<str:reference>/follow-up", follow_up.send, name="send_follow_up"),
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
    # Support levels (frontline.sla.plans, .policies, .calendars; frontline.costs.settings).
    path("settings/support", support_settings.hub, name="settings_support"),
    path("settings/plans", support_settings.plans, name="settings_plans"),
    path("settings/plans/<int:pk>", support_settings.plan_edit, name="settings_plan"),
    path("settings/plans/<int:pk>/delete", support_settings.plan_delete,
         name="settings_plan_delete"),
    path("settings/policies", support_settings.policies, name="settings_policies"),
    path("settings/policies/new", support_settings.policy_new, name="settings_policy_new"),
    path("settings/policies/<int:pk>", support_settings.policy_edit, name="settings_policy"),
    path("settings/policies/<int:pk>/delete", support_settings.policy_delete,
         name="settings_policy_delete"),
    path("settings/calendars", support_settings.calendars, name="settings_calendars"),
    path("settings/calendars/<int:pk>", support_settings.calendar_edit,
         name="settings_calendar"),
    path("settings/calendars/<int:pk>/delete", support_settings.calendar_delete,
         name="settings_calendar_delete"),
    path("settings/calendars/<int:pk>/closed-days", support_settings.closed_day_add,
         name="settings_closed_day_add"),
    path("settings/calendars/<int:pk>/closed-days/<int:day>/remove",
         support_settings.closed_day_remove, name="settings_closed_day_remove"),
    path("settings/costs", support_settings.costs, name="settings_costs"),
    path("o/<int:pk>/plan", organizations.organization_plan, name="organization_plan"),
    # Time on tickets (frontline.costs) and the reports page (frontline.insights.reports).
    path("t/<str:reference>/time", ticket_time.time_panel, name="ticket_time"),
    path("t/<str:reference>/time/start", ticket_time.start, name="time_start"),
    path("t/<str:reference>/time/stop", ticket_time.stop, name="time_stop"),
    path("t/<str:reference>/time/entries", ticket_time.add, name="time_add"),
    path("t/<str:reference>/time/entries/<int:pk>", ticket_time.edit, name="time_edit"),
    path("t/<str:reference>/time/entries/<int:pk>/delete", ticket_time.delete,
         name="time_delete"),
    path("reports", reports.reports_page, name="reports"),
    # Escalation (frontline.routing.escalation) and the developers' desk.
    path("t/<str:reference>/escalation", escalation.dialog, name="escalation_dialog"),
    path("t/<str:reference>/escalate", escalation.escalate, name="escalate"),
    path("t/<str:reference>/de-escalate", escalation.de_escalate, name="de_escalate"),
    path("dev", developers.developers_desk, name="developers"),
    path("t/<str:reference>/premium", ticket_sla.buy_premium, name="buy_premium"),
    # Teams, routing and escalation rules (frontline.routing): /settings/teams, /routing, ...
    *routing_settings.urlpatterns_under("settings/"),
    # Categories and their question sets (frontline.intake): /settings/categories, ...
    *intake_settings.urlpatterns_under("settings/"),
    # The phone script (issue 9): log a call, look the caller up, its questions.
    path("calls/new", calls.new_call, name="call_new"),
    path("calls/lookup", calls.lookup, name="call_lookup"),
    path("calls/questions", calls.questions, name="call_questions"),
    path("notifications", notifications.notification_list, name="notifications"),
    path("notifications/read", notifications.mark_read, name="notifications_read"),
]
