from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "frontline.costs"
    label = "costs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from frontline.costs import event_kinds

        event_kinds.register()
