from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_emergencyaccess"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="referral_received_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="The referral's time of receipt, kept on the case for the leaders' figures.",
                null=True,
                verbose_name="referral received",
            ),
        ),
    ]
