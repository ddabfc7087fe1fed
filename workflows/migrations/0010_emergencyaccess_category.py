from django.db import migrations, models

import workflows.models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0009_case_reference_unique"),
    ]

    operations = [
        # Accesses taken before categories existed keep an empty category (shown as "—").
        migrations.AddField(
            model_name="emergencyaccess",
            name="category",
            field=models.CharField(
                choices=[
                    ("acute_danger", "Acute danger to the citizen's life or health"),
                    (
                        "citizen_present",
                        "The citizen is here now and the case's team cannot be reached",
                    ),
                    (
                        "partner_needs_now",
                        "A partner (police, emergency ward, shelter) needs information now",
                    ),
                    ("missing", "The citizen is reported missing"),
                ],
                default="",
                help_text="The kind of emergency; the data protection officer reviews by it.",
                max_length=30,
                verbose_name="situation",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="emergencyaccess",
            name="reason",
            field=models.CharField(
                max_length=500,
                validators=[workflows.models.validate_emergency_reason],
                verbose_name="reason",
            ),
        ),
    ]
