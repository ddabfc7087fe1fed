"""Delete access-log entries older than BROBYGGER_ACCESS_LOG_RETENTION_DAYS (docs/privacy.md).

Goes through intranet.audit.access_log_prune, the one deletion the append-only trigger lets
through. Also forgets used form-submission tokens older than 30 days
(intranet.submissions) and the expired rate-limit counts of the concern form and the
password reset (intranet.throttle.expired_prune). Run it daily from cron or a systemd timer:

    30 3 * * * cd /srv/brobygger && .venv/bin/python manage.py prune_access_log
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from intranet import submissions
from intranet.audit import access_log_prune
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
        before = timezone.now() - datetime.timedelta(days=days)
        if dry_run:
            count = AccessLogEntry.objects.filter(at__lt=before).count()
            self.stdout.write(
                f"Dry run: {count} entries older than {before:%Y-%m-%d %H:%M %Z} "
                "would be deleted; nothing was deleted."
            )
            return
        deleted = access_log_prune(before=before)
        tokens = submissions.prune()
        counts = expired_prune()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} entries older than {before:%Y-%m-%d %H:%M %Z}, "
                f"{tokens} used form tokens and {counts} expired rate-limit counts."
            )
        )
