"""Every case gets a random receipt number; existing cases are given one here."""

import secrets

from django.db import migrations, models

# As workflows.models.REFERENCE_ALPHABET at the time of writing (a migration keeps its own).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _reference():
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def give_references(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    used = set()
    cases = list(Case.objects.filter(reference="").only("pk"))
    for case in cases:
        reference = _reference()
        while reference in used:
            reference = _reference()
        used.add(reference)
        case.reference = reference
    Case.objects.bulk_update(cases, ["reference"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_reporting_indexes")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reference",
            field=models.CharField(
                default="", editable=False, max_length=9, verbose_name="receipt number"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop, elidable=True),
    ]
