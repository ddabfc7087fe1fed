"""Copy each redirected case's one destination into CaseRedirectDestination (and back)."""

import itertools

from django.db import migrations


def copy_destinations(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    Through = apps.get_model("workflows", "CaseRedirectDestination")
    sent = Case.objects.filter(redirect_destination__isnull=False).order_by("pk")
    rows = (
        Through(case_id=case_id, destination_id=destination_id)
        for case_id, destination_id in sent.values_list("pk", "redirect_destination_id").iterator()
    )
    while batch := list(itertools.islice(rows, 2000)):
        Through.objects.bulk_create(batch)


def copy_first_destination_back(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    Through = apps.get_model("workflows", "CaseRedirectDestination")
    for row in Through.objects.order_by("case_id", "-pk").iterator():
        Case.objects.filter(pk=row.case_id).update(redirect_destination_id=row.destination_id)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0017_case_redirect_destinations"),
    ]

    operations = [
        migrations.RunPython(copy_destinations, copy_first_destination_back),
    ]
