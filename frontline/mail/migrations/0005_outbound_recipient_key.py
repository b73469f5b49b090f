"""The automatic mail's recipient as a column of its own, indexed with its time, so
the rate limit (outbound.over_limit) counts one recipient's automatic mail instead
of reading the JSON `to` of every automatic mail of the period: at 20 mails/s a
day holds 1.7 million of them. The automatic mails already sent get theirs."""

from django.db import migrations, models

from frontline.core import email_address

CHUNK = 2000


def fill_recipient_keys(apps, schema_editor):
    OutboundMail = apps.get_model("mail", "OutboundMail")
    last = 0
    while True:
        rows = list(OutboundMail.objects.filter(automatic=True, pk__gt=last)
                    .order_by("pk").only("pk", "to")[:CHUNK])
        if not rows:
            return
        for row in rows:
            recipients = row.to if isinstance(row.to, list) else []
            row.recipient_key = (email_address.comparable(str(recipients[0]))[:320]
                                 if recipients else "")
        OutboundMail.objects.bulk_update(rows, ["recipient_key"])
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("mail", "0004_outbound_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmail",
            name="recipient_key",
            field=models.CharField(blank=True, default="", max_length=320),
        ),
        migrations.RunPython(fill_recipient_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="outboundmail",
            index=models.Index(condition=models.Q(("automatic", True)),
                               fields=["recipient_key", "created_at"],
                               name="outbound_auto_recipient"),
        ),
    ]
