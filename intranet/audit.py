"""Logging every read and change of a person or a case (GDPR art. 9 data).

Views call `log_access` before they render anything about a person or case. It writes in
the request's transaction; if the write fails the exception propagates and the page is
not shown (fail closed).
"""

from django.db import connection, transaction

from .models import AccessAction, AccessLogEntry

RETENTION_SETTING = "brobygger.prune_access_log"


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
) -> list[AccessLogEntry]:
    """Record that a list showed `user` these persons/cases: one entry per (person_id,
    case_id) pair in `subjects`, written in one INSERT whatever the length of the list.

    Duplicate pairs are written once. An empty list writes nothing.
    """
    if action not in AccessAction.values:
        raise ValueError(f"Unknown access action {action!r}")
    path = request.get_full_path()[:500] if request is not None else ""
    entries = [
        AccessLogEntry(
            user=user,
            action=action,
            what=what[:200],
            person_id=person_id,
            case_id=case_id,
            path=path,
            search_term=search_term[:200],
        )
        for person_id, case_id in dict.fromkeys(subjects)
    ]
    return AccessLogEntry.objects.bulk_create(entries)


def case_subjects(cases):
    """(person_id, case_id) pairs of `cases`, for log_accesses."""
    return [(case.person_id, case.pk) for case in cases]


@transaction.atomic
def access_log_prune(*, before) -> int:
    """Delete log entries older than `before`; the only deletion the trigger lets through."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [RETENTION_SETTING])
    deleted, _ = AccessLogEntry.objects.filter(at__lt=before).delete()
    return deleted
