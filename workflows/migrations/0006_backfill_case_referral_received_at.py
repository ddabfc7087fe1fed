"""Copy each referral's time of receipt to its case, a few thousand cases a transaction.

Not atomic: each batch commits on its own, so no case stays locked for the whole backfill
(a worker saving a case waits for one batch at most). Running it again fills only the
cases still without the time.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 5000


def backfill(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    Referral = apps.get_model("workflows", "Referral")
    received = Referral.objects.filter(case=OuterRef("pk")).values("received_at")[:1]
    bounds = Case.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    if first is None:
        return
    for start in range(first, last + 1, BATCH):
        Case.objects.filter(
            pk__gte=start,
            pk__lt=start + BATCH,
            referral_received_at__isnull=True,
            referral__isnull=False,
        ).update(referral_received_at=Subquery(received))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workflows", "0005_case_referral_received_at"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
