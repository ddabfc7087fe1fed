"""Seed the referral sources one municipality's annual report counts by (editable later)."""

from django.db import migrations

SOURCES = [
    "Støtte- og aktivitetscenter",
    "Psykiatri og handicap",
    "Jobcenter",
    "Familieafdelingen",
    "Ydelsescenter",
    "Pårørende",
    "Netværk/venner",
    "Andre/naboer",
    "Selvhenvendelse",
    "Boligselskab",
    "Rusmiddelrådgivning",
    "Kriminalforsorgen",
    "Herberg",
    "Gadejurist",
]


def seed(apps, schema_editor):
    ReferralSource = apps.get_model("workflows", "ReferralSource")
    for order, name in enumerate(SOURCES, start=1):
        ReferralSource.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


def unseed(apps, schema_editor):
    ReferralSource = apps.get_model("workflows", "ReferralSource")
    ReferralSource.objects.filter(name__in=SOURCES, referrals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
