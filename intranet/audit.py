"""Logging every read and change of a person or a case (GDPR art. 9 data).

Every view that shows a person or a case is declared with `@shows_case_data` (one case or
person) or `@shows_case_list` (a list), and says what it shows through `show` / `show_list`
(the case lookups in workflows/views.py call `show` themselves). The declaration writes the
read to the log once the response is a 200, before it leaves the server; a redirect or a
refusal writes no read. Changes are logged by the view with `log_access`. Both write in the
request's transaction; if the write fails the exception propagates and the page is not
shown (fail closed).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from .models import AccessAction, AccessLogEntry
from .text import strip_invisible_controls


def _plain(text: str, limit: int) -> str:
    """Text for the log as the forms keep it: without invisible direction and zero-width
    controls (a search term ending in U+202E would draw the officer's log row backwards),
    cut to the column's length."""
    return strip_invisible_controls(text)[:limit]


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
        username=user.get_username(),
        action=action,
        what=_plain(what, 200),
        person_id=person_id,
        case_id=case_id,
        path=request.get_full_path()[:500] if request is not None else "",
        search_term=_plain(search_term, 200),
        reason=_plain(reason, 500),
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
        "username": user.get_username(),
        "action": action,
        "what": _plain(what, 200),
        "path": request.get_full_path()[:500] if request is not None else "",
        "search_term": _plain(search_term, 200),
    }
    if connection.vendor == "postgresql":
        # One statement with two arrays: building and saving a model instance per entry
        # was ten times the cost (~4 ms for a list of 50).
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "intranet_accesslogentry" '
                "(at, user_id, username, action, what, person_id, case_id, path, search_term,"
                " reason) "
                "SELECT %(at)s, %(user_id)s, %(username)s, %(action)s, %(what)s, s.person_id,"
                " s.case_id, "
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
    cannot prune inside it (intranet/migrations/0006_access_log_retention_guard.py).
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT brobygger_access_log_retention()")
        return cursor.fetchone()[0]


# --- The one place a read of case data passes ---------------------------------------------

EMERGENCY_SUFFIX = " (emergency access)"
ONE, LIST = "one case or person", "a list of cases or persons"


@dataclass
class Shown:
    """What one response shows of persons and cases; written when the response is a 200."""

    kind: str  # ONE or LIST
    what: str
    subject: dict | None = None
    lists: list = field(default_factory=list)
    subject_written: bool = False

    def write_subject(self, request):
        subject = dict(self.subject)
        emergency = subject.pop("emergency")
        if emergency() if callable(emergency) else emergency:
            subject["what"] += EMERGENCY_SUFFIX
        log_access(user=request.user, request=request, **subject)
        self.subject_written = True

    def write(self, request):
        if self.kind == ONE and self.subject is None:
            raise ImproperlyConfigured(
                f"{request.path} showed case data without saying whose (call audit.show)"
            )
        if self.subject is not None and not self.subject_written:
            self.write_subject(request)
        for what, subjects, search_term in self.lists:
            log_accesses(
                user=request.user,
                action=AccessAction.VIEW,
                what=what,
                subjects=subjects,
                request=request,
                search_term=search_term,
            )


def _declared(kind, what):
    def decorate(view):
        @wraps(view)
        def logged(request, *args, **kwargs):
            shown = request.shown_case_data = Shown(kind=kind, what=what)
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                shown.write(request)
            return response

        logged.shows_case_data = kind
        return logged

    return decorate


def shows_case_data(*, what: str):
    """Declare that a view shows one case or person (`what` names it in the log): a 200
    that did not `show` whose it was is an error, not an unlogged page."""
    return _declared(ONE, what)


def shows_case_list(*, what: str):
    """Declare that a view shows a list of cases or persons (`show_list`; may be empty)."""
    return _declared(LIST, what)


def _shown(request) -> Shown:
    shown = getattr(request, "shown_case_data", None)
    if shown is None:
        raise ImproperlyConfigured(
            f"{request.path} reads case data but its view is not declared with "
            "@shows_case_data or @shows_case_list"
        )
    return shown


def show(
    request,
    *,
    person_id: int | None,
    case_id: int | None = None,
    what: str = "",
    action: str = AccessAction.VIEW,
    search_term: str = "",
    reason: str = "",
    emergency=False,
    at_once: bool = False,
) -> None:
    """The response to `request` shows this person/case (a later call, once the view knows
    more, replaces an earlier one). `emergency`: seen by emergency access only; a callable
    is asked only if the response is a 200. `at_once`: written now, whatever the response
    (for a page that shows the log this very entry belongs in)."""
    shown = _shown(request)
    earlier = shown.subject
    if shown.subject_written:
        raise ImproperlyConfigured(f"{request.path} changed what it showed after logging it")
    if earlier is not None and (earlier["person_id"], earlier["case_id"]) != (person_id, case_id):
        raise ImproperlyConfigured(
            f"{request.path} showed two cases or persons: list them with show_list"
        )
    what = what or shown.what
    shown.subject = {
        "action": action,
        "what": what,
        "person_id": person_id,
        "case_id": case_id,
        "search_term": search_term,
        "reason": reason,
        "emergency": emergency,
    }
    if at_once:
        shown.write_subject(request)


def show_list(request, subjects, *, what: str = "", search_term: str = "") -> None:
    """The response to `request` lists these (person_id, case_id) pairs."""
    shown = _shown(request)
    shown.lists.append((what or shown.what, list(subjects), search_term))


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
