"""Pruning the access log after its retention (manage.py prune_access_log)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from intranet.audit import log_access
from intranet.models import AccessAction, AccessLogEntry

from .factories import UserFactory


def test_prune_command_keeps_recent_entries(db, settings, table_owner):
    """A retention longer than the database's minimum is honoured: older entries go,
    younger ones stay, even those the minimum alone would let go."""
    user = UserFactory()
    days = settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS + 100
    settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS = days
    # Only the owner of the table may write an entry dated in the past (migration 0007).
    with table_owner(), time_machine.travel(timezone.now() - datetime.timedelta(days=days + 1)):
        log_access(user=user, action=AccessAction.VIEW, what="old", case_id=1)
    with table_owner(), time_machine.travel(timezone.now() - datetime.timedelta(days=days - 1)):
        log_access(user=user, action=AccessAction.VIEW, what="kept", case_id=1)
    log_access(user=user, action=AccessAction.VIEW, what="today", case_id=1)
    out = io.StringIO()

    call_command("prune_access_log", "--dry-run", stdout=out)
    assert "1 entries" in out.getvalue()
    assert AccessLogEntry.objects.count() == 3

    call_command("prune_access_log", stdout=out)
    assert "Deleted 1 entries" in out.getvalue()
    assert sorted(AccessLogEntry.objects.values_list("what", flat=True)) == ["kept", "today"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database keeps a minimum on PostgreSQL"
)
def test_prune_command_refuses_a_retention_shorter_than_the_databases(db, settings, table_owner):
    """Shortening BROBYGGER_ACCESS_LOG_RETENTION_DAYS in the app's environment is not enough:
    the owner must write the new minimum into the database (grant_app_role)."""
    user = UserFactory()
    minimum = settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS
    with table_owner(), time_machine.travel(timezone.now() - datetime.timedelta(days=minimum - 1)):
        log_access(user=user, action=AccessAction.VIEW, what="within", case_id=1)
    settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS = 1

    with pytest.raises(CommandError, match=f"at least {minimum} days. Nothing was deleted"):
        call_command("prune_access_log", stdout=io.StringIO())
    assert AccessLogEntry.objects.count() == 1


def test_prune_command_forgets_expired_rate_limit_counts(db, settings):
    """The concern form's counts are keyed hashes of citizens' addresses: gone the night
    after they expire, kept while they still count."""
    from django.core.cache import caches

    from workflows.public_intake import services as public_intake

    settings.CACHES = {**settings.CACHES, "shared": settings.SHARED_CACHES["database"]}
    cache = caches[public_intake.RATE_LIMIT_CACHE]
    try:
        with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
            cache.set("concern-form:expired", 3, public_intake.RATE_WINDOW_SECONDS)
        cache.set("concern-form:counting", 1, public_intake.RATE_WINDOW_SECONDS)
        out = io.StringIO()

        call_command("prune_access_log", stdout=out)

        assert "the expired rate-limit counts" in out.getvalue()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT cache_key FROM {settings.SHARED_CACHE_TABLE}")  # noqa: S608
            assert [key for (key,) in cursor.fetchall()] == [":1:concern-form:counting"]
        assert cache.get("concern-form:counting") == 1
    finally:
        cache.clear()
        settings.CACHES = {**settings.CACHES, "shared": settings.SHARED_CACHES["memory"]}
