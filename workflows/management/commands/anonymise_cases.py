"""Anonymise closed cases older than BROBYGGER_ANONYMISE_AFTER_DAYS (see docs/privacy.md).

Run it daily from cron or a systemd timer; it is idempotent:

    15 3 * * * cd /srv/brobygger && .venv/bin/python manage.py anonymise_cases

The output names record ids and field names only, never their contents, so it may go to
the system log.
"""

from django.core.management.base import BaseCommand

from workflows.privacy import anonymisation_cutoff, cases_anonymise


class Command(BaseCommand):
    help = (
        "Remove identifying data and free text from cases closed longer ago than "
        "BROBYGGER_ANONYMISE_AFTER_DAYS; statistics are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the cases, persons and fields that would change; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        cutoff = anonymisation_cutoff()
        plan = cases_anonymise(cutoff=cutoff, dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(f"Cases closed before {cutoff:%Y-%m-%d %H:%M %Z}.")
        if plan.is_empty:
            self.stdout.write("Nothing to anonymise.")
            return
        self.stdout.write(f"{verb} cases: {_ids(plan.case_ids)}")
        self.stdout.write(f"{verb} persons: {_ids(plan.person_ids)}")
        for change in plan.changes:
            self.stdout.write(f"  {change}")
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(plan.changes)} records.")
            if not dry_run
            else f"Dry run: {len(plan.changes)} records would change; nothing was changed."
        )


def _ids(ids):
    return ", ".join(str(pk) for pk in ids) or "-"
