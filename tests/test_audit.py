from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from intranet.audit import access_log_prune, log_access
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


def test_pruning_deletes_only_entries_older_than_the_limit(db):
    user = UserFactory()
    old = log_access(user=user, action="view", what="gammel", case_id=1)
    new = log_access(user=user, action="view", what="ny", case_id=1)
    # Backdate through raw SQL only where the trigger is absent; on PostgreSQL use the
    # prune window instead.
    cutoff = timezone.now() + timedelta(seconds=1)
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
        cutoff = timezone.now() - timedelta(days=200)
        assert access_log_prune(before=cutoff) == 1
        assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [new.pk]
    else:
        assert access_log_prune(before=cutoff) == 2
        assert AccessLogEntry.objects.count() == 0
