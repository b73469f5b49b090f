"""Core depends on no domain app, its migrations included."""

from __future__ import annotations

from django.db.migrations.loader import MigrationLoader

# Django's own apps that core's user model is built on, and the task queue's table
# that core's worker claims from (indexes for its queries, core/migrations/0005).
CORE_MAY_DEPEND_ON = {"core", "auth", "contenttypes", "django_tasks_database"}


def test_core_migrations_depend_on_no_domain_app():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    depended_on = {
        parent_app
        for (app, _name), migration in loader.disk_migrations.items() if app == "core"
        for parent_app, _parent in migration.dependencies
    }
    assert depended_on <= CORE_MAY_DEPEND_ON, depended_on - CORE_MAY_DEPEND_ON
