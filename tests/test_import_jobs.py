"""The web import as a background job (issue 16, item 10): the upload is queued, the real
worker (`manage.py db_worker --backend background`) imports it, the page follows its
progress and shows the result; all or nothing, the file kept only until it has run.

These tests commit (the worker runs outside any test transaction, as in production)."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from intranet import roles
from intranet.models import AccessAction, AccessLogEntry
from workflows import tasks
from workflows.models import Case, CaseImport, CaseImportStage, CaseImportStatus, Person
from workflows.reporting import importer
from workflows.reporting.importer import cases_import

from .factories import TeamPageFactory, UserFactory, run_background_jobs

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEADER = "sagsnummer;team;henvist_dato;afsluttet_dato;udfald;borger_nr;alias;foedselsaar"


def rows(count, start=1):
    return [
        f"H-{n};Udekørende team Nord;2023-01-10;2023-02-20;goal_reached;B-{n};Alias {n};1970"
        for n in range(start, start + count)
    ]


def csv_file(lines):
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


@pytest.fixture
def team(db):
    return TeamPageFactory(title="Udekørende team Nord")


@pytest.fixture
def admin(db):
    return UserFactory(username="administrator", roles=[roles.ADMINISTRATOR])


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(client, data, **extra):
    return client.post(
        reverse("leader:import_cases"),
        {"file": SimpleUploadedFile("historik.csv", data, content_type="text/csv"), **extra},
    )


def status(client, job):
    return json.loads(client.get(reverse("leader:import_job_status", args=[job.pk])).content)


def test_an_upload_waits_for_the_worker_which_imports_it(client, team, admin):
    client.force_login(admin)

    response = upload(client, csv_file(rows(3)))

    job = CaseImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("leader:import_job", args=[job.pk])
    # Queued, not run: the request did not import anything.
    assert (job.status, Case.objects.count()) == (CaseImportStatus.QUEUED, 0)
    assert bytes(job.data) == csv_file(rows(3))
    waiting = client.get(response.url).content.decode()
    assert '<progress id="import-progress" max="100" value="0"' in waiting
    assert "Waiting to start" in waiting and "js/import_progress.js" in waiting
    assert status(client, job) == {
        "finished": False,
        "percent": 0,
        "stage": "Waiting to start",
        "rows": "",
    }

    run_background_jobs()

    job.refresh_from_db()
    assert job.status == CaseImportStatus.DONE and job.finished_at is not None
    assert Case.objects.filter(import_key__startswith="H-").count() == 3
    assert bytes(job.data) == b""  # the file (CPR numbers) is not kept once imported
    assert status(client, job)["finished"] is True
    done = client.get(response.url).content.decode()
    assert "3 cases were imported." in done and "<progress" not in done
    entry = AccessLogEntry.objects.get(action=AccessAction.CREATE, what="case import")
    assert entry.user == admin and entry.reason == "3 cases imported from historik.csv"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # The upload form lists the import with its state.
    form_page = client.get(reverse("leader:import_cases")).content.decode()
    assert reverse("leader:import_job", args=[job.pk]) in form_page


def test_a_check_only_upload_imports_nothing_and_says_what_would_be(client, team, admin):
    client.force_login(admin)

    response = upload(client, csv_file(rows(2)), check_only="on")
    run_background_jobs()

    assert (
        "The file is valid: 2 cases would be imported." in client.get(response.url).content.decode()
    )
    assert Case.objects.count() == 0
    assert not AccessLogEntry.objects.filter(action=AccessAction.CREATE).exists()


def test_a_bad_file_is_reported_on_the_result_page_and_nothing_is_imported(client, team, admin):
    client.force_login(admin)

    response = upload(client, csv_file([*rows(2), "H-9;Intet team;2023-01-10;2023-02-20;x;;A;"]))
    run_background_jobs()

    page = client.get(response.url).content.decode()
    assert "The file has 2 errors. Nothing was imported." in page
    assert "<td>4</td><td>team</td>" in page
    assert Case.objects.count() == 0 and Person.objects.count() == 0
    assert CaseImport.objects.get().status == CaseImportStatus.DONE


@pytest.mark.danish
def test_the_result_is_written_in_the_uploaders_language(client, team, admin):
    client.force_login(admin)

    with translation.override("da"):
        response = upload(
            client, csv_file(["H-9;Intet team;2023-01-10;2023-02-20;goal_reached;;A;"])
        )
    run_background_jobs()

    errors = CaseImport.objects.get().result["errors"]
    assert errors[0]["message"] == "Intet team hedder “Intet team”."
    assert response.status_code == 302


def test_the_progress_is_committed_as_the_rows_are_checked(team, admin):
    """Each report comes outside any transaction, so the page's request (another
    connection) sees it at once; the saving is reported before its transaction opens."""
    seen = []

    def progress(stage, done, total):
        seen.append((stage, done, total, connection.in_atomic_block))

    result = cases_import(data=csv_file(rows(1200)), imported_by=admin, progress=progress)

    assert result.created == 1200
    assert seen == [
        (CaseImportStage.READING, 0, 0, False),
        (CaseImportStage.CHECKING, 0, 1200, False),
        (CaseImportStage.CHECKING, 500, 1200, False),
        (CaseImportStage.CHECKING, 1000, 1200, False),
        (CaseImportStage.SAVING, 1200, 1200, False),
    ]


@pytest.mark.danish
def test_the_page_shows_how_far_a_running_import_has_come(client, admin):
    client.force_login(admin)
    job = CaseImport.objects.create(
        started_by=admin,
        file_name="historik.csv",
        status=CaseImportStatus.RUNNING,
        stage=CaseImportStage.CHECKING,
        rows_done=10000,
        rows_total=20000,
    )

    with translation.override("da"):
        figures = status(client, job)
        page = client.get(reverse("leader:import_job", args=[job.pk])).content.decode()

    assert figures == {
        "finished": False,
        "percent": 45,
        "stage": "Kontrollerer rækkerne",
        "rows": "Række 10.000 af 20.000",
    }
    assert 'value="45"' in page and "Række 10.000 af 20.000" in page


def test_a_failure_while_saving_keeps_nothing_and_says_so(client, team, admin, monkeypatch):
    """All or nothing: the people were written, then the cases failed. The transaction
    takes the people, the log entry and the result back; the job says what happened."""
    client.force_login(admin)
    real_insert = importer.insert_all

    def fails_on_cases(model, objects):
        if model is Case:
            raise DatabaseError("disk full")
        real_insert(model, objects)

    monkeypatch.setattr(importer, "insert_all", fails_on_cases)
    response = upload(client, csv_file(rows(5)))
    run_background_jobs()

    job = CaseImport.objects.get()
    assert job.status == CaseImportStatus.FAILED and bytes(job.data) == b""
    assert (Person.objects.count(), Case.objects.count()) == (0, 0)
    assert not AccessLogEntry.objects.filter(action=AccessAction.CREATE).exists()
    page = client.get(response.url).content.decode()
    assert "The import stopped because of an error in Brobygger. Nothing was imported." in page


def test_an_import_whose_worker_stopped_says_nothing_was_imported(client, admin):
    client.force_login(admin)
    job = CaseImport.objects.create(
        started_by=admin,
        file_name="historik.csv",
        status=CaseImportStatus.RUNNING,
        stage=CaseImportStage.SAVING,
    )
    silent_since = timezone.now() - CaseImport.STOPPED_AFTER - datetime.timedelta(minutes=1)
    CaseImport.objects.filter(pk=job.pk).update(updated_at=silent_since)

    page = client.get(reverse("leader:import_job", args=[job.pk])).content.decode()

    assert "The import stopped before it was done. Nothing was imported." in page
    assert "Upload the file again." in page and "<progress" not in page
    assert status(client, job)["finished"] is True


def test_an_import_sent_twice_runs_once(client, team, admin):
    client.force_login(admin)
    upload(client, csv_file(rows(3)))
    job = CaseImport.objects.get()
    tasks.import_cases.enqueue(str(job.pk))  # e.g. a retry by hand

    run_background_jobs()

    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert Case.objects.count() == 3
    assert AccessLogEntry.objects.filter(action=AccessAction.CREATE).count() == 1


def test_only_the_administrator_who_uploaded_sees_the_import(client, team, admin):
    other_admin = UserFactory(username="administrator_2", roles=[roles.ADMINISTRATOR])
    leader = UserFactory(username="leder", roles=[roles.LEADER])
    client.force_login(admin)
    upload(client, csv_file(rows(1)))
    job = CaseImport.objects.get()
    urls = [
        reverse(name, args=[job.pk]) for name in ("leader:import_job", "leader:import_job_status")
    ]

    client.force_login(other_admin)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert (
        reverse("leader:import_job", args=[job.pk])
        not in client.get(reverse("leader:import_cases")).content.decode()
    )
    client.force_login(leader)
    assert [client.get(url).status_code for url in urls] == [403, 403]
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)


def test_the_review_list_on_the_result_page_is_logged_as_read(client, team, admin):
    client.force_login(admin)
    upload(client, csv_file(rows(1)))
    run_background_jobs()
    earlier = Case.objects.get()
    response = upload(
        client,
        csv_file(["H-20;Udekørende team Nord;2023-01-10;2023-02-20;goal_reached;;Alias 1;1970"]),
    )
    run_background_jobs()
    before = AccessLogEntry.objects.count()

    page = client.get(response.url).content.decode()

    assert f"{earlier.pk} (H-1)" in page
    read = AccessLogEntry.objects.filter(action=AccessAction.VIEW).order_by("pk")
    assert [(e.person_id, e.case_id) for e in read] == [(earlier.person_id, earlier.pk)]
    assert AccessLogEntry.objects.count() == before + 1


def test_retention_deletes_old_imports_and_closes_stopped_ones(admin, settings):
    settings.BROBYGGER_IMPORT_RETENTION_DAYS = 90
    now = timezone.now()

    def job(status, **fields):
        made = CaseImport.objects.create(
            started_by=admin, file_name="historik.csv", status=status, data=b"cpr", **fields
        )
        return made

    old = job(CaseImportStatus.DONE, finished_at=now - datetime.timedelta(days=91))
    recent = job(CaseImportStatus.DONE, finished_at=now - datetime.timedelta(days=89))
    stopped = job(CaseImportStatus.RUNNING, stage=CaseImportStage.SAVING)
    CaseImport.objects.filter(pk=stopped.pk).update(
        updated_at=now - CaseImport.STOPPED_AFTER - datetime.timedelta(seconds=1)
    )
    never_started = job(CaseImportStatus.QUEUED, created_at=now - datetime.timedelta(days=2))
    waiting = job(CaseImportStatus.QUEUED, created_at=now - datetime.timedelta(hours=1))
    running = job(CaseImportStatus.RUNNING, stage=CaseImportStage.CHECKING)

    assert tasks.case_imports_prune(now=now) == (1, 2)

    assert not CaseImport.objects.filter(pk=old.pk).exists()
    for closed in (stopped, never_started):
        closed.refresh_from_db()
        assert closed.status == CaseImportStatus.FAILED and bytes(closed.data) == b""
        assert closed.result["errors"][0]["message"].startswith("Importen stoppede")  # da
    for untouched in (recent, waiting, running):
        untouched.refresh_from_db()
        assert bytes(untouched.data) == b"cpr"
    call_command("prune_case_imports", stdout=io.StringIO())


def test_the_latest_imports_say_how_each_ended(client, team, admin):
    client.force_login(admin)
    upload(client, csv_file([*rows(1), "H-9;Intet team;2023-01-10;2023-02-20;x;;A;"]))
    upload(client, csv_file(rows(2)), check_only="on")
    upload(client, csv_file(rows(2)))
    run_background_jobs()
    upload(client, csv_file(rows(2)))  # again: every row imported before
    run_background_jobs()

    page = client.get(reverse("leader:import_cases")).content.decode()

    assert "historik.csv" in page
    assert "2 errors in the file; nothing was imported" in page
    assert "Checked: 2 cases would be imported" in page
    assert "2 cases imported" in page and "0 cases imported" in page
    assert "Done" not in page


def test_an_import_the_worker_has_not_started_says_the_worker_may_be_down(client, admin):
    client.force_login(admin)
    job = CaseImport.objects.create(started_by=admin, file_name="historik.csv")
    assert status(client, job)["stage"] == "Waiting to start"
    CaseImport.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - CaseImport.SLOW_TO_START_AFTER - datetime.timedelta(seconds=1)
    )

    figures = status(client, job)

    assert figures["finished"] is False
    assert figures["stage"].startswith(
        "Not started yet: the background worker that runs imports may not be running."
    )


def test_an_import_closed_as_stopped_while_it_ran_is_undone(client, team, admin, monkeypatch):
    """The retention run closes a silent import just as its worker starts saving: the
    worker's transaction finds the job closed and undoes the import, so "nothing was
    imported" stays true."""
    client.force_login(admin)
    real_import = tasks.cases_import

    def retention_runs_before_the_saving(**kwargs):
        progress = kwargs["progress"]

        def and_retention(stage, done, total):
            progress(stage, done, total)
            if stage == CaseImportStage.SAVING:
                later = timezone.now() + CaseImport.STOPPED_AFTER * 2
                assert tasks.case_imports_prune(now=later) == (0, 1)

        return real_import(**{**kwargs, "progress": and_retention})

    monkeypatch.setattr(tasks, "cases_import", retention_runs_before_the_saving)
    upload(client, csv_file(rows(3)))
    run_background_jobs()

    job = CaseImport.objects.get()
    assert job.status == CaseImportStatus.FAILED
    assert (
        job.result["errors"][0]["message"]
        == "The import stopped before it was done. Nothing was imported."  # the upload's language
    )
    assert (Case.objects.count(), Person.objects.count()) == (0, 0)
    assert not AccessLogEntry.objects.filter(action=AccessAction.CREATE).exists()
