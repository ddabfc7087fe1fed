"""Pruning the access log after its retention (manage.py prune_access_log)."""

import datetime
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from intranet.audit import log_access
from intranet.models import AccessAction, AccessLogEntry

from .factories import UserFactory


def test_prune_command_keeps_recent_entries(db, settings):
    user = UserFactory()
    settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS = 100
    with time_machine.travel(timezone.now() - datetime.timedelta(days=101)):
        log_access(user=user, action=AccessAction.VIEW, what="old", case_id=1)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=99)):
        log_access(user=user, action=AccessAction.VIEW, what="kept", case_id=1)
    log_access(user=user, action=AccessAction.VIEW, what="today", case_id=1)
    out = io.StringIO()

    call_command("prune_access_log", "--dry-run", stdout=out)
    assert "1 entries" in out.getvalue()
    assert AccessLogEntry.objects.count() == 3

    call_command("prune_access_log", stdout=out)
    assert sorted(AccessLogEntry.objects.values_list("what", flat=True)) == ["kept", "today"]
