"""Logging every read and change of a person or a case (GDPR art. 9 data).

Views call `log_access` before they render anything about a person or case. It writes in
the request's transaction; if the write fails the exception propagates and the page is
not shown (fail closed).
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .models import AccessAction, AccessLogEntry


def log_access(
    *,
    user,
    action: str,
    what: str,
    person_id: int | None = None,
    case_id: int | None = None,
    request=None,
    search_term: str = "",
    reason: str = "",
) -> AccessLogEntry:
    """Record that `user` did `action` on a person/case; raises if it cannot be recorded."""
    if action not in AccessAction.values:
        raise ValueError(f"Unknown access action {action!r}")
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        what=what[:200],
        person_id=person_id,
        case_id=case_id,
        path=request.get_full_path()[:500] if request is not None else "",
        search_term=search_term[:200],
        reason=reason[:500],
    )


def log_accesses(
    *,
    user,
    action: str,
    what: str,
    subjects,
    request=None,
    search_term: str = "",
) -> list[tuple[int | None, int | None]]:
    """Record that a list showed `user` these persons/cases: one entry per (person_id,
    case_id) pair in `subjects`, written in one INSERT whatever the length of the list.

    Duplicate pairs are written once. An empty list writes nothing. Returns the pairs
    written.
    """
    if action not in AccessAction.values:
        raise ValueError(f"Unknown access action {action!r}")
    pairs = list(dict.fromkeys(subjects))
    if not pairs:
        return pairs
    values = {
        "user_id": user.pk,
        "action": action,
        "what": what[:200],
        "path": request.get_full_path()[:500] if request is not None else "",
        "search_term": search_term[:200],
    }
    if connection.vendor == "postgresql":
        # One statement with two arrays: building and saving a model instance per entry
        # was ten times the cost (~4 ms for a list of 50).
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "intranet_accesslogentry" '
                "(at, user_id, action, what, person_id, case_id, path, search_term, reason) "
                "SELECT %(at)s, %(user_id)s, %(action)s, %(what)s, s.person_id, s.case_id, "
                "%(path)s, %(search_term)s, '' "
                "FROM unnest(%(person_ids)s::bigint[], %(case_ids)s::bigint[]) "
                "AS s(person_id, case_id)",
                {
                    **values,
                    "at": timezone.now(),
                    "person_ids": [person_id for person_id, _ in pairs],
                    "case_ids": [case_id for _, case_id in pairs],
                },
            )
    else:
        AccessLogEntry.objects.bulk_create(
            AccessLogEntry(person_id=person_id, case_id=case_id, **values)
            for person_id, case_id in pairs
        )
    return pairs


def case_subjects(cases):
    """(person_id, case_id) pairs of `cases`, for log_accesses."""
    return [(case.person_id, case.pk) for case in cases]


def access_log_minimum_retention() -> timedelta | None:
    """How long the database keeps the log at least (PostgreSQL; None on SQLite).

    The owner of the tables writes it (`manage.py grant_app_role`); the application's role
    cannot prune inside it (intranet/migrations/0005_access_log_retention_guard.py).
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT brobygger_access_log_retention()")
        return cursor.fetchone()[0]


@transaction.atomic
def access_log_prune(*, retention: timedelta) -> int:
    """Delete log entries older than `retention`; returns how many.

    On PostgreSQL through brobygger_prune_access_log, which deletes with the owner's
    privileges and refuses a retention shorter than the database's minimum.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT brobygger_prune_access_log(%s)", [retention])
            return cursor.fetchone()[0]
    deleted, _ = AccessLogEntry.objects.filter(at__lt=timezone.now() - retention).delete()
    return deleted
