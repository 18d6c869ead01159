"""Attachments get a malware scan state. Files stored before scanning existed were never
checked: they are "unscanned" (served, and shown as not checked); new ones start "pending"."""

from django.db import migrations, models

STATES = [
    ("pending", "Being checked for malware"),
    ("clean", "No malware found"),
    ("infected", "Malware found"),
    ("failed", "Could not be checked for malware yet"),
    ("unscanned", "Not checked for malware"),
]


class Migration(migrations.Migration):
    dependencies = [("chat", "0010_direct_rooms_unique")]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="scan",
            field=models.CharField(choices=STATES, default="unscanned", max_length=10),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="scan",
            field=models.CharField(choices=STATES, default="pending", max_length=10),
        ),
        migrations.AddField(
            model_name="attachment",
            name="scan_signature",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
