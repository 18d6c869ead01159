from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_email_verified_totp_last_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="share_read_receipts",
            field=models.BooleanField(default=True, verbose_name="share read receipts"),
        ),
        migrations.AddField(
            model_name="user",
            name="chat_digest_through",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
