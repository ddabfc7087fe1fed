"""Give every case with a first-contact day its deadline moment: the end of that day.

Every case so far was created under a "within N days" standard, which runs out when its last
day ends (local time), so the moment says exactly what the day said. One update per distinct
day, each committing on its own (not atomic, as 0006); running it again fills only the cases
still without the moment.
"""

import datetime

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    pending = Case.objects.filter(first_contact_due__isnull=False, first_contact_deadline=None)
    days = pending.order_by().values_list("first_contact_due", flat=True).distinct()
    for day in list(days):
        day_after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        pending.filter(first_contact_due=day).update(
            first_contact_deadline=timezone.make_aware(day_after)
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workflows", "0012_first_contact_deadline_moment"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
