from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from intranet.audit import access_log_minimum_retention, access_log_prune, log_access
from intranet.models import AccessLogEntry

from .factories import UserFactory

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL"
)


def test_log_access_records_who_what_and_which_person(rf, db):
    user = UserFactory()
    request = rf.get("/sager/7/?fra=soeg")
    entry = log_access(
        user=user, action="view", what="Sag 7", person_id=3, case_id=7, request=request
    )
    entry.refresh_from_db()
    assert (entry.user, entry.person_id, entry.case_id) == (user, 3, 7)
    assert entry.path == "/sager/7/?fra=soeg"
    assert list(AccessLogEntry.objects.about_person(3)) == [entry]


def test_unknown_action_is_refused(db):
    with pytest.raises(ValueError):
        log_access(user=UserFactory(), action="peek", what="x")
    assert AccessLogEntry.objects.count() == 0


@only_postgresql
def test_the_log_refuses_update_and_delete_on_postgresql(db):
    entry = log_access(user=UserFactory(), action="view", what="Sag 1", case_id=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(what="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.what == "Sag 1"


@only_postgresql
def test_the_old_prune_flag_no_longer_lets_even_the_owner_delete(db, table_owner):
    """0002's session flag opened DELETE to any role that set it; the trigger ignores it now."""
    entry = log_access(user=UserFactory(), action="view", what="Sag 1", case_id=1)
    with table_owner(), pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('brobygger.prune_access_log', 'on', true)")
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert isinstance(refused.value.__cause__, psycopg.errors.RaiseException)
    assert "append-only (DELETE refused)" in str(refused.value)
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_pruning_deletes_only_entries_older_than_the_limit(db, settings):
    user = UserFactory()
    retention = timedelta(days=settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS)
    with time_machine.travel(timezone.now() - retention - timedelta(days=1)):
        log_access(user=user, action="view", what="gammel", case_id=1)
    with time_machine.travel(timezone.now() - retention + timedelta(days=1)):
        kept = log_access(user=user, action="view", what="inden for", case_id=1)
    new = log_access(user=user, action="view", what="ny", case_id=1)

    assert access_log_prune(retention=retention) == 1
    assert sorted(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk, new.pk]


@only_postgresql
def test_pruning_inside_the_databases_retention_is_refused(db, settings):
    """The retention job cannot be turned into a wipe: the database keeps its minimum."""
    log_access(user=UserFactory(), action="view", what="ny", case_id=1)
    minimum = timedelta(days=settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS)
    assert access_log_minimum_retention() == minimum
    for retention in (timedelta(0), minimum - timedelta(seconds=1), -minimum):
        with pytest.raises(DatabaseError) as refused, transaction.atomic():
            access_log_prune(retention=retention)
        assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert AccessLogEntry.objects.count() == 1
