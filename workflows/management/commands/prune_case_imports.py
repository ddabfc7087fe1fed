"""Delete finished imports of historical cases older than BROBYGGER_IMPORT_RETENTION_DAYS,
and close imports whose worker stopped (docs/privacy.md). Run it daily with the other
retention jobs (deploy/systemd/brobygger-retention.service). The output names counts only."""

from django.core.management.base import BaseCommand

from workflows.tasks import case_imports_prune


class Command(BaseCommand):
    help = (
        "Delete imports of historical cases finished longer ago than "
        "BROBYGGER_IMPORT_RETENTION_DAYS; close imports whose worker stopped."
    )

    def handle(self, *args, **options):
        deleted, given_up = case_imports_prune()
        self.stdout.write(
            f"Deleted {deleted} finished imports; closed {given_up} that had stopped."
        )
