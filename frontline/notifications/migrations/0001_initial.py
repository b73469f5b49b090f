# The Notification model began in core (core's 0002 created it) and moved here:
# core depends on no domain app, its migrations included. It keeps core's table,
# core_notification, so no row moves.
#
# The migration state always gains the model here. The database gains the table
# only where it is missing: a fresh database gets it now; a database that applied
# the old core 0002 already has it, with the same columns in the same order and
# the same index and constraint names (Django derives them from the table name,
# which did not change), so nothing is done there. Either way the schema ends the
# same. The content type (and with it any permission rows) follows the model, so
# the two paths end with the same rows too.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def notification_model(operation=migrations.CreateModel):
    return operation(
        name='Notification',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('kind', models.CharField(max_length=40)),
            ('text', models.CharField(max_length=500)),
            ('created_at', models.DateTimeField()),
            ('read_at', models.DateTimeField(blank=True, null=True)),
            ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
            ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
        ],
        options={
            'db_table': 'core_notification',
            'ordering': ['-created_at', '-id'],
            'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user', 'created_at'], name='notification_user')],
        },
    )


class CreateModelIfMissing(migrations.CreateModel):
    """CreateModel whose table is created only if the database does not have it yet."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        introspection = schema_editor.connection.introspection
        with schema_editor.connection.cursor() as cursor:
            if model._meta.db_table in introspection.table_names(cursor):
                return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


def move_content_type(apps, schema_editor):
    """core.notification's content type becomes notifications.notification, as a
    fresh database would have it (post_migrate would otherwise add a second one)."""
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label='notifications', model='notification').exists():
        ContentType.objects.using(db).filter(app_label='core', model='notification').update(
            app_label='notifications')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('tickets', '0008_tag_ticket_first_response_due_and_more'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[notification_model(CreateModelIfMissing)],
            state_operations=[notification_model()],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
