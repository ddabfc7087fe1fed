from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from intranet import audit
from intranet.audit import (
    access_log_minimum_retention,
    access_log_prune,
    log_access,
    show,
    shows_case_data,
)
from intranet.models import AccessAction, AccessLogEntry

from .factories import PersonFactory, UserFactory, register_case

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


def test_the_log_keeps_the_user_name_an_entry_was_written_under(db):
    user = UserFactory(username="skp_gammel")
    entry = log_access(user=user, action="view", what="Sag 7", person_id=3, case_id=7)
    audit.log_accesses(user=user, action="view", what="case list", subjects=[(3, 7), (4, 8)])
    user.username = "skp_ny"
    user.save()
    assert sorted(AccessLogEntry.objects.values_list("username", flat=True)) == ["skp_gammel"] * 3
    entry.refresh_from_db()
    assert (entry.username, entry.user.username) == ("skp_gammel", "skp_ny")


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


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.DATABASE_APP_ROLE,
    reason="only the owner of the table may date an entry: needs the app role (CI)",
)
def test_the_app_role_cannot_write_an_entry_dated_in_the_past(db):
    """The application's clock moved back a day: the database refuses the entry (forged
    evidence the next prune would remove), through either way the app writes the log."""
    user = UserFactory()
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        with pytest.raises(DatabaseError, match="written at the time"), transaction.atomic():
            log_access(user=user, action="view", what="Sag 1", case_id=1)
        with pytest.raises(DatabaseError, match="written at the time"), transaction.atomic():
            audit.log_accesses(user=user, action="view", what="Sager", subjects=[(1, 1)])
    assert AccessLogEntry.objects.count() == 0
    log_access(user=user, action="view", what="Sag 1", case_id=1)
    assert AccessLogEntry.objects.count() == 1


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


def test_pruning_deletes_only_entries_older_than_the_limit(db, settings, table_owner):
    user = UserFactory()
    retention = timedelta(days=settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS)
    # Only the owner of the table may write an entry dated in the past (migration 0007).
    with table_owner(), time_machine.travel(timezone.now() - retention - timedelta(days=1)):
        log_access(user=user, action="view", what="gammel", case_id=1)
    with table_owner(), time_machine.travel(timezone.now() - retention + timedelta(days=1)):
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


# --- The one place a read passes: @shows_case_data / @shows_case_list ---------------------


@pytest.fixture
def case_a(skp_standard, team_a, worker_a):
    person = PersonFactory(alias="Kasket", cpr="010203-1234", phone="12345678")
    return register_case(team=team_a, registered_by=worker_a, person=person)


def _request(rf, user, path="/sager/1/"):
    request = rf.get(path)
    request.user = user
    return request


def test_a_declared_view_that_does_not_say_whose_data_it_showed_fails_closed(rf, db):
    @shows_case_data(what="case")
    def forgetful(request):
        return HttpResponse("Kasket, 010203-1234")

    with pytest.raises(ImproperlyConfigured, match="without saying whose"):
        forgetful(_request(rf, UserFactory()))
    assert not AccessLogEntry.objects.exists()


def test_a_view_that_reads_a_case_without_the_declaration_fails_closed(rf, case_a, worker_a):
    from workflows.views import _visible_case

    with pytest.raises(ImproperlyConfigured, match="not declared"):
        _visible_case(_request(rf, worker_a), case_a.pk)
    assert not AccessLogEntry.objects.filter(action=AccessAction.VIEW).exists()


def test_only_a_200_writes_the_read(rf, db):
    user = UserFactory()

    @shows_case_data(what="case")
    def view(request, answer):
        show(request, person_id=3, case_id=7)
        if answer == 404:
            raise Http404
        return redirect("/") if answer == 302 else HttpResponse("Sag 7")

    assert view(_request(rf, user), 302).status_code == 302
    with pytest.raises(Http404):
        view(_request(rf, user), 404)
    assert not AccessLogEntry.objects.exists()

    view(_request(rf, user, "/sager/7/"), 200)

    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.what, entry.person_id, entry.case_id, entry.path) == (
        user,
        AccessAction.VIEW,
        "case",
        3,
        7,
        "/sager/7/",
    )


def test_a_screen_cannot_show_two_cases_as_one(rf, db):
    @shows_case_data(what="case")
    def view(request):
        show(request, person_id=3, case_id=7)
        show(request, person_id=4, case_id=8)
        return HttpResponse()

    with pytest.raises(ImproperlyConfigured, match="two cases"):
        view(_request(rf, UserFactory()))


def test_the_person_form_is_logged_as_a_read_also_when_sent_back_with_errors(
    client, case_a, worker_a
):
    client.force_login(worker_a)
    url = reverse("workflows:person_edit", args=[case_a.pk])

    shown = client.get(url)
    sent_back = client.post(url, {"alias": "", "cpr": "ikke et cpr-nummer"})

    assert shown.status_code == sent_back.status_code == 200
    assert "010203-1234" in shown.content.decode()
    reads = AccessLogEntry.objects.filter(action=AccessAction.VIEW, path=url)
    assert [(e.user, e.what, e.person_id, e.case_id) for e in reads] == [
        (worker_a, "person", case_a.person_id, case_a.pk)
    ] * 2


def test_a_case_screen_is_not_shown_if_its_read_cannot_be_logged(
    client, case_a, worker_a, monkeypatch
):
    def broken(**kwargs):
        raise DatabaseError("the log is full")

    monkeypatch.setattr(audit, "log_access", broken)
    client.force_login(worker_a)
    client.raise_request_exception = True

    with pytest.raises(DatabaseError):
        client.get(reverse("workflows:person_edit", args=[case_a.pk]))
