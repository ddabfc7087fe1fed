from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_backfill_case_referral_received_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["referral_received_at"],
                include=("team",),
                name="case_referral_received_at",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["first_contact_at"],
                include=("referral_received_at", "team"),
                name="case_first_contact_at",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("stage", "closed")),
                fields=["closed_at"],
                include=("referral_received_at", "team"),
                name="case_closed_at",
            ),
        ),
    ]
