# Issue 10: an organization's licensed seats and its deployments (which version of
# which product it runs, since when).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_organization_plan_ends_on_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='seats',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='Deployment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('since', models.DateField()),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deployments', to='customers.organization')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deployments', to='customers.product')),
                ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deployments', to='customers.version')),
            ],
            options={
                'ordering': ['organization', 'product', 'since'],
                'constraints': [models.UniqueConstraint(fields=('organization', 'product', 'since'), name='deployment_one_per_product_and_day')],
            },
        ),
    ]
