"""The ranges of active tickets a large plan, policy, calendar or contract change
leaves to the workers (frontline.sla.recompute; issue 11, part 2)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecomputeRange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.JSONField(default=dict)),
                ('after_id', models.BigIntegerField()),
                ('last_id', models.BigIntegerField()),
                ('tickets', models.PositiveIntegerField()),
                ('queued_at', models.DateTimeField()),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('done_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['queued_at', 'after_id'],
                'indexes': [models.Index(condition=models.Q(('done_at__isnull', True)), fields=['queued_at'], name='sla_recompute_left')],
            },
        ),
    ]
