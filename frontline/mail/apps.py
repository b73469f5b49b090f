from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "frontline.mail"
    label = "mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Provider webhooks deliver through anymail's `inbound` signal (its documented API).
        from frontline.mail import webhooks

        webhooks.connect()
