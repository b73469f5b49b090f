from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "frontline.problems"
    label = "problems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from frontline.problems import event_kinds, webhooks

        event_kinds.register()
        webhooks.register()
