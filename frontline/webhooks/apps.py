from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "frontline.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ticket's events reach us through the tickets app's listener registry
        # (tickets sits below us and imports nothing of webhooks); tasks: the
        # delivery task and the periodic sweep.
        from frontline.webhooks import tasks, ticket_events  # noqa: F401

        ticket_events.register()
