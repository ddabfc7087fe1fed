"""Receipt numbers are unique (a separate migration: PostgreSQL alters the table after the
previous migration's updates are committed)."""

from django.db import migrations, models

import workflows.models


class Migration(migrations.Migration):
    dependencies = [("workflows", "0008_case_reference")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="reference",
            field=models.CharField(
                default=workflows.models.new_case_reference,
                editable=False,
                help_text=(
                    "Random, so that it reveals nothing: the number a citizen who used the "
                    "public form was given."
                ),
                max_length=9,
                unique=True,
                verbose_name="receipt number",
            ),
        ),
    ]
