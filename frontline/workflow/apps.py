from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """No models: an app so that core.scheduler discovers its tasks module (the
    periodic jobs whose work spans apps)."""

    name = "frontline.workflow"
    label = "workflow"
