"""Anonymisation of closed cases after retention (manage.py anonymise_cases)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from workflows.models import (
    Case,
    Consent,
    ContactKind,
    ContactLog,
    EmergencyAccess,
    Gender,
    Goal,
    GoalArea,
    Housing,
    IncomeSource,
    MainProblem,
    Outcome,
    Person,
    Reassessment,
    Referral,
    Stage,
)
from workflows.privacy import DELETED_WHOLE, ERASED_FIELDS, KEPT_TEXT_FIELDS

from .factories import register_case

NAME = "Planteborger Zyxwvu"
CPR = "010185-1235"
MARK = "Zyxwvu"  # in every planted free-text value
OPEN_MARK = "Aabenborger Qvxq"  # the person whose case is still open


def _past_retention():
    return timezone.now() - datetime.timedelta(days=settings.BROBYGGER_ANONYMISE_AFTER_DAYS + 30)


def _plant(case, worker, receiver, mark, *, closed_at=None):
    """Fill every free-text field of the case and its person with `mark`."""
    Person.objects.filter(pk=case.person_id).update(
        name=f"{mark} name",
        phone=f"{mark} 12",
        address=f"{mark} address, Vesterbro",
        alias=f"{mark} alias",
        whereabouts=f"{mark} whereabouts, bench at the station",
        gender=Gender.FEMALE,
        birth_year=1985,
        income_source=IncomeSource.CASH_BENEFIT,
        housing=Housing.SLEEPING_ROUGH,
        main_problem=MainProblem.BOTH,
    )
    Referral.objects.filter(case=case).update(
        referrer_name=f"{mark} referrer",
        referrer_contact=f"{mark}@example.invalid",
        concern=f"{mark} concern: sleeps in the stairwell",
    )
    stage = {"stage": Stage.CLOSED, "outcome": Outcome.GOAL_REACHED, "closed_at": closed_at}
    Case.objects.filter(pk=case.pk).update(
        primary_worker=worker,
        outcome_note=f"{mark} closing note",
        handover_summary=f"{mark} handover summary",
        handover_legal_note=f"{mark} legal note",
        import_key=f"{mark} key",
        **(stage if closed_at else {}),
    )
    ContactLog.objects.create(
        case=case, worker=worker, kind=ContactKind.HOME_VISIT, achieved=True, note=f"{mark} note"
    )
    Goal.objects.create(case=case, area=GoalArea.HOUSING, description=f"{mark} wants a home")
    Consent.objects.create(
        person_id=case.person_id,
        case=case,
        receiver=receiver,
        information=f"{mark} housing situation",
        form="written",
    )
    Reassessment.objects.create(case=case, note=f"{mark} assessment", decision="close")
    EmergencyAccess.objects.create(
        user=worker,
        case=case,
        reason=f"{mark} met at the shelter, needed the case at once",
        expires_at=timezone.now(),
        review_note=f"{mark} review: justified",
    )
    Process.objects.filter(pk=case.process_id).update(data={"note": f"{mark} process"})
    for task in Task.objects.filter(process_id=case.process_id):
        task.data = {"decision": "accept", "comment": f"{mark} task comment"}
        task.save(update_fields=["data"])
    case.refresh_from_db()
    return case


@pytest.fixture
def planted(skp_standard, team_a, worker_a):
    """A case closed past retention, full of the planted strings, and an open case."""
    old = register_case(team=team_a, registered_by=worker_a)
    Person.objects.filter(pk=old.person_id).update(cpr=CPR)
    _plant(old, worker_a, team_a, NAME, closed_at=_past_retention())
    still_open = register_case(team=team_a, registered_by=worker_a)
    _plant(still_open, worker_a, team_a, OPEN_MARK)
    return old, still_open


def _text_columns():
    """Every column of every table: the models' tables (viewflow's too) and any other."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    } | set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in sorted(tables):
            columns = connection.introspection.get_table_description(cursor, table)
            yield table, [column.name for column in columns]


def tables_containing(needle):
    """Tables and columns whose text (every column cast to text) contains `needle`."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in _text_columns():
            for column in columns:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 (names from introspection)
                    f"WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}")
    return hits


def _kept_values():
    """Every field that anonymisation must keep, of every case record, by model and pk."""
    snapshot = {}
    for model, erased in ERASED_FIELDS.items():
        kept = [f.attname for f in model._meta.concrete_fields if f.name not in erased]
        snapshot[model.__name__] = list(model.objects.order_by("pk").values(*kept))
    snapshot["decisions"] = list(Task.objects.order_by("pk").values_list("data__decision"))
    return snapshot


def test_the_planted_strings_are_gone_from_every_column_and_statistics_stay(planted):
    old, still_open = planted
    before = tables_containing(MARK)
    # The search finds what was planted, in our tables and in viewflow's.
    for table in ["workflows_person", "workflows_referral", "viewflow_process", "viewflow_task"]:
        assert any(hit.startswith(table + ".") for hit in before), before
    assert tables_containing(CPR)
    kept_before = _kept_values()

    call_command("anonymise_cases", stdout=StringIO())

    assert tables_containing(MARK) == []
    assert tables_containing(CPR) == []
    assert _kept_values() == kept_before
    person = Person.objects.get(pk=old.person_id)
    assert (person.gender, person.birth_year, person.housing, person.main_problem) == (
        Gender.FEMALE,
        1985,
        Housing.SLEEPING_ROUGH,
        MainProblem.BOTH,
    )
    old.refresh_from_db()
    assert (old.stage, old.outcome, old.team_id) == (
        Stage.CLOSED,
        Outcome.GOAL_REACHED,
        old.team_id,
    )
    assert Task.objects.filter(process_id=old.process_id, data__decision="accept").exists()


def test_open_cases_and_their_persons_are_untouched(planted):
    call_command("anonymise_cases", stdout=StringIO())

    _old, still_open = planted
    still_open.refresh_from_db()
    assert still_open.person.name == f"{OPEN_MARK} name"
    assert still_open.referral.concern.startswith(OPEN_MARK)
    assert tables_containing(OPEN_MARK)


def test_a_person_with_an_open_case_keeps_their_identity(planted, team_a, worker_a):
    old, still_open = planted
    # The open case's person also had a case closed long ago.
    Case.objects.filter(pk=old.pk).update(person_id=still_open.person_id)
    Consent.objects.filter(case=old).update(person_id=still_open.person_id)

    call_command("anonymise_cases", stdout=StringIO())

    person = Person.objects.get(pk=still_open.person_id)
    assert person.name == f"{OPEN_MARK} name"
    old.refresh_from_db()
    assert old.outcome_note == "" and old.referral.concern == ""
    assert not old.contacts.exclude(note="").exists()


def test_a_case_closed_within_the_period_is_kept(planted):
    old, _still_open = planted
    recent = timezone.now() - datetime.timedelta(days=settings.BROBYGGER_ANONYMISE_AFTER_DAYS - 1)
    Case.objects.filter(pk=old.pk).update(closed_at=recent)

    call_command("anonymise_cases", stdout=StringIO())

    assert Person.objects.get(pk=old.person_id).name == NAME + " name"


def test_dry_run_lists_ids_and_fields_and_changes_nothing(planted):
    old, still_open = planted
    before = _kept_values(), tables_containing(MARK)
    out = StringIO()

    call_command("anonymise_cases", "--dry-run", stdout=out)

    assert (_kept_values(), tables_containing(MARK)) == before
    report = out.getvalue()
    assert f"cases: {old.pk}" in report
    assert f"persons: {old.person_id}" in report
    assert f"person {old.person_id}: name, cpr, phone, address, alias, whereabouts" in report
    assert f"referral {old.referral.pk} (case {old.pk}): referrer_name" in report
    assert "nothing was changed" in report
    assert MARK not in report and CPR not in report  # ids and field names only
    assert f"case {still_open.pk}:" not in report


def test_anonymising_twice_changes_nothing_the_second_time(planted):
    call_command("anonymise_cases", stdout=StringIO())
    after_first = _kept_values()
    out = StringIO()

    call_command("anonymise_cases", stdout=out)

    assert "Nothing to anonymise." in out.getvalue()
    assert _kept_values() == after_first


TEXT_TYPES = (models.CharField, models.TextField, models.JSONField)


def test_every_text_field_of_the_case_records_is_erased_or_deliberately_kept():
    """A new free-text field must be added to ERASED_FIELDS (or KEPT_TEXT_FIELDS), or its
    model deleted whole by its own retention (DELETED_WHOLE)."""
    unclassified = []
    for model in apps.get_app_config("workflows").get_models():
        if model._meta.proxy or model in DELETED_WHOLE:
            continue
        listed = set(ERASED_FIELDS.get(model, ())) | set(KEPT_TEXT_FIELDS.get(model, ()))
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_TYPES) and not field.choices and field.name not in listed:
                unclassified.append(f"{model.__name__}.{field.name}")
    assert unclassified == []
