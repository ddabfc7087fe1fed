"""The single destination column goes once 0018 has copied it (see 0017)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0018_copy_case_redirect_destination"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="case",
            name="redirect_destination",
        ),
    ]
