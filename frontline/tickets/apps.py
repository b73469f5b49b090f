from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "frontline.tickets"
    label = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ticket's own event kinds; the apps above declare theirs from their ready().
        from frontline.tickets import event_kinds

        event_kinds.register()
