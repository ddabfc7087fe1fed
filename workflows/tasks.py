"""Background jobs, run by `manage.py db_worker --backend background` (settings.TASKS)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from intranet.audit import log_access
from intranet.models import AccessAction

from .models import CaseImport, CaseImportStatus
from .reporting.importer import ImportResult, RowError, cases_import

logger = logging.getLogger(__name__)


def start_case_import(*, user, file_name: str, data: bytes, check_only: bool) -> CaseImport:
    """Keep the upload and queue its import: both or neither."""
    with transaction.atomic():
        job = CaseImport.objects.create(
            started_by=user,
            file_name=file_name[: CaseImport._meta.get_field("file_name").max_length],
            data=data,
            check_only=check_only,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        import_cases.enqueue(str(job.pk))
    return job


@task(backend="background")
def import_cases(import_id: str) -> None:
    """Import an uploaded file (`CaseImport`), telling the page how far it has come."""
    with transaction.atomic():
        job = CaseImport.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.status != CaseImportStatus.QUEUED:
            return  # deleted, or run already (a task sent twice runs once)
        job.status = CaseImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    data = bytes(job.data)

    def progress(stage, done, total):
        CaseImport.objects.filter(pk=job.pk).update(
            stage=stage, rows_done=done, rows_total=total or None, updated_at=timezone.now()
        )

    def record(result):
        # In the import's transaction: no cases without their log entry and this result.
        # The job's row locked first: a retention run that closed it as stopped meanwhile
        # (case_imports_prune) wins, and this import is undone, as that run said.
        if (
            not CaseImport.objects.select_for_update()
            .filter(pk=job.pk, status=CaseImportStatus.RUNNING)
            .exists()
        ):
            raise _Abandoned
        with translation.override(settings.LANGUAGE_CODE):  # the log is read later
            reason = ngettext(
                "%(count)s case imported from %(file)s",
                "%(count)s cases imported from %(file)s",
                result.created,
            ) % {"count": result.created, "file": job.file_name}
        log_access(
            user=job.started_by,
            action=AccessAction.CREATE,
            what="case import",
            reason=reason,
        )
        _finish(job, result)

    # The messages are stored as the administrator reads them: in the upload's language.
    with translation.override(job.language):
        try:
            result = cases_import(
                data=data,
                imported_by=job.started_by,
                check_only=job.check_only,
                progress=progress,
                on_import=record,
            )
        except _Abandoned:
            logger.warning("The case import %s was closed as stopped while it ran", job.pk)
            return
        except Exception:
            # Nothing of the file was kept (one transaction); the page says so.
            logger.exception("The case import %s failed", job.pk)
            _fail(
                job,
                _(
                    "The import stopped because of an error in Brobygger. Nothing was "
                    "imported. Try again; if it happens again, contact the operators."
                ),
            )
            return
    if not (result.ok and result.created and not result.checked_only):
        _finish(job, result)  # checked only, nothing new, or refused: nothing was written


class _Abandoned(Exception):
    """The job was closed as stopped while its import ran: the import is undone."""


def _finish(job, result, status=CaseImportStatus.DONE):
    job.status = status
    job.result = result.as_json()
    job.data = b""  # the file holds CPR numbers: not kept once read
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "data", "finished_at", "updated_at"])


def _fail(job, message):
    """Close `job` as failed, with `message` (in the upload's language) as its one error."""
    result = ImportResult(checked_only=job.check_only, errors=[RowError(1, "", str(message))])
    _finish(job, result, status=CaseImportStatus.FAILED)


# An import still waiting after this long will not be run: its worker is not running.
NEVER_STARTED_AFTER = datetime.timedelta(days=1)


def case_imports_prune(*, now=None) -> tuple[int, int]:
    """The retention of imports (docs/privacy.md): (deleted, given up).

    Imports finished longer ago than BROBYGGER_IMPORT_RETENTION_DAYS are deleted with
    their results. An import that stopped (its worker went down) or never started keeps
    no file: it is closed as failed, its upload deleted; nothing of it was imported."""
    now = now or timezone.now()
    kept_since = now - datetime.timedelta(days=settings.BROBYGGER_IMPORT_RETENTION_DAYS)
    deleted, _by_model = CaseImport.objects.filter(finished_at__lt=kept_since).delete()
    stuck = CaseImport.objects.filter(
        Q(status=CaseImportStatus.RUNNING, updated_at__lt=now - CaseImport.STOPPED_AFTER)
        | Q(status=CaseImportStatus.QUEUED, created_at__lt=now - NEVER_STARTED_AFTER)
    )
    given_up = 0
    for pk in stuck.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and asked again: a worker finishing it meanwhile holds the row, and
            # once it has committed the job is done, not stuck.
            job = stuck.select_for_update().filter(pk=pk).first()
            if job is None:
                continue
            with translation.override(job.language):
                _fail(job, CaseImport.stopped_message())
            given_up += 1
    return deleted, given_up
