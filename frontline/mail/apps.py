from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "frontline.mail"
    label = "mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Provider webhooks deliver through anymail's `inbound` signal (its documented API).
        from frontline.mail import event_kinds, webhooks

        webhooks.connect()
        event_kinds.register()
        # Email is a channel with a sender: replies and reminders on tickets answered
        # by email leave through it (the workflow dispatches on the channel).
        from frontline.mail import outbound, recipients
        from frontline.tickets import channels
        from frontline.tickets.models import Channel

        channels.register(Channel.EMAIL, channels.Sender(
            reply=outbound.queue_reply, reminder=outbound.send_resolution_reminder,
            recipients=recipients.check_recipients, withdraw=outbound.withdraw))
        # Staff who opted in are mailed about mentions and assignments.
        from frontline.mail import staff_notices
        from frontline.notifications import delivery

        delivery.register_mailer(staff_notices.queue_notices)
