from django.db import migrations, models
from django.utils import timezone


def running_timers_beat_now(apps, schema_editor):
    # Timers running when this arrives get one beat now: their pages (with the new
    # script) keep them going; a page long closed is stopped here, minutes later,
    # rather than at its start with nothing logged.
    TimeEntry = apps.get_model("costs", "TimeEntry")
    TimeEntry.objects.filter(ended_at__isnull=True, manual=False).update(
        heartbeat_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('costs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='timeentry',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='timeentry',
            name='stopped_automatically',
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name='timeentry',
            index=models.Index(condition=models.Q(('ended_at__isnull', True), ('manual', False)), fields=['heartbeat_at'], name='time_entry_running_beat'),
        ),
        migrations.RunPython(running_timers_beat_now, migrations.RunPython.noop),
    ]
