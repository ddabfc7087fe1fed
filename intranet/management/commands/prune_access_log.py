"""Delete access-log entries older than BROBYGGER_ACCESS_LOG_RETENTION_DAYS (docs/privacy.md).

Goes through intranet.audit.access_log_prune: on PostgreSQL the database function
brobygger_prune_access_log, the one deletion the append-only log allows, which refuses a
retention shorter than the one the owner wrote into the database (`grant_app_role`). Also
forgets used form-submission tokens older than 30 days (intranet.submissions) and the
expired rate-limit counts of the concern form and the password reset
(intranet.throttle.expired_prune). Run it daily from cron or a systemd timer:

    30 3 * * * cd /srv/brobygger && .venv/bin/python manage.py prune_access_log
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intranet import submissions
from intranet.audit import access_log_minimum_retention, access_log_prune
from intranet.models import AccessLogEntry
from intranet.throttle import expired_prune


class Command(BaseCommand):
    help = "Delete access-log entries older than BROBYGGER_ACCESS_LOG_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS
        retention = datetime.timedelta(days=days)
        minimum = access_log_minimum_retention()
        if minimum is not None and retention < minimum:
            raise CommandError(
                f"BROBYGGER_ACCESS_LOG_RETENTION_DAYS is {days}, but the database keeps the "
                f"access log at least {minimum.days} days. Nothing was deleted. After "
                "shortening the retention, run `manage.py grant_app_role` as the owner of "
                "the tables (docs/deployment.md)."
            )
        before = timezone.now() - retention
        if dry_run:
            count = AccessLogEntry.objects.filter(at__lt=before).count()
            self.stdout.write(
                f"Dry run: {count} entries older than {before:%Y-%m-%d %H:%M %Z} "
                "would be deleted; nothing was deleted."
            )
            return
        deleted = access_log_prune(retention=retention)
        tokens = submissions.prune()
        expired_prune()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} entries older than {before:%Y-%m-%d %H:%M %Z}, "
                f"{tokens} used form tokens and the expired rate-limit counts."
            )
        )
