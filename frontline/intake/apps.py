from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "frontline.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from frontline.intake import event_kinds

        event_kinds.register()
