"""The deadline rules on cases ("first contact overdue", "reassessment overdue"), and every
list that shows them counting the same cases: the case page, the queue, the dashboard, the
overview and the annual report."""

import importlib
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from workflows import services
from workflows.flows import ReferralFlow
from workflows.models import OPEN_STAGES, Case, Outcome, Person, Stage
from workflows.reporting import dashboard as figures
from workflows.reporting.periods import Period
from workflows.reporting.status_report import status_report

from .factories import StandardPageFactory, register_case
from .test_status_report import NOW, at, make_case, rows_of

TODAY = NOW.date()  # 2.3.2026
YESTERDAY = TODAY - timedelta(days=1)


def case_due(team, due: date | None, *, stage=Stage.TRIAGE, **fields):
    """A case whose first contact is due on `due` (the referral a week before)."""
    person = Person.objects.create(alias=f"Borger {Case.objects.count() + 1}")
    received = at(2026, 2, 22) if due is None else at(due.year, due.month, due.day) - timedelta(7)
    case = make_case(person, team, received, stage=stage, **fields)
    if due is None:
        Case.objects.filter(pk=case.pk).update(first_contact_due=None, first_contact_deadline=None)
        case.refresh_from_db()
    return case


def overdue(case, on=TODAY):
    """Is the case overdue by the QuerySet and by the model, which must agree? (`on`: a
    day, judged as it begins, or a moment)"""
    by_query = Case.objects.first_contact_overdue(at=on).filter(pk=case.pk).exists()
    assert case.is_first_contact_overdue_at(on) is by_query
    return by_query


# --- First contact overdue: the boundaries --------------------------------------------------


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_an_open_case_without_contact_past_its_deadline_is_overdue_in_any_stage(team_a, stage):
    assert overdue(case_due(team_a, YESTERDAY, stage=stage))


def test_the_deadline_day_itself_is_not_overdue(team_a):
    case = case_due(team_a, TODAY)

    assert not overdue(case)
    assert overdue(case, on=TODAY + timedelta(days=1))


def test_a_first_contact_made_ends_the_overdue_whenever_it_was_made(team_a):
    on_time = case_due(team_a, YESTERDAY, first_contact_at=at(2026, 2, 27))
    late = case_due(team_a, YESTERDAY, stage=Stage.OUTREACH, first_contact_at=at(2026, 3, 2))

    assert not overdue(on_time)
    assert not overdue(late)


def test_a_closed_case_is_never_overdue_even_if_closed_after_its_deadline(team_a):
    case = case_due(team_a, YESTERDAY - timedelta(days=10), stage=Stage.CLOSED, closed_at=NOW)

    assert not overdue(case)


def test_a_case_without_a_deadline_is_never_overdue(team_a):
    assert not overdue(case_due(team_a, None))


def test_the_model_reads_today_by_default(team_a):
    case = case_due(team_a, YESTERDAY)

    with time_machine.travel(NOW, tick=False):
        assert case.is_first_contact_overdue
        assert list(Case.objects.first_contact_overdue()) == [case]
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        assert not case.is_first_contact_overdue
        assert not Case.objects.first_contact_overdue().exists()


# --- Reassessment overdue -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "due_at", "expected"),
    [
        (Stage.SUPPORT, NOW - timedelta(minutes=1), True),
        (Stage.REASSESSMENT, NOW - timedelta(days=30), True),
        (Stage.SUPPORT, NOW, False),  # due this very moment: not yet passed
        (Stage.SUPPORT, None, False),  # the standard sets no fixed reassessment
        (Stage.OUTREACH, NOW - timedelta(days=1), False),  # not in support
        (Stage.HANDOVER, NOW - timedelta(days=1), False),
        (Stage.CLOSED, NOW - timedelta(days=1), False),
    ],
)
def test_reassessment_is_overdue_in_support_once_its_date_has_passed(
    team_a, stage, due_at, expected
):
    case = case_due(
        team_a, YESTERDAY, stage=stage, first_contact_at=at(2026, 2, 27), reassessment_due_at=due_at
    )

    assert Case.objects.reassessment_overdue(at=NOW).filter(pk=case.pk).exists() is expected


def test_a_reassessment_date_given_as_about_n_months_is_a_reminder_never_overdue(team_a):
    case = case_due(
        team_a,
        YESTERDAY,
        stage=Stage.SUPPORT,
        first_contact_at=at(2026, 2, 27),
        reassessment_due_at=NOW - timedelta(days=30),
        reassessment_is_reminder=True,
    )

    assert not Case.objects.reassessment_overdue(at=NOW).filter(pk=case.pk).exists()


# --- Every list counts the same cases ------------------------------------------------------

# The team task each stage's case waits on (a case in intake has none yet: triage's stands in).
STAGE_TASK = {
    Stage.INTAKE: ReferralFlow.triage,
    Stage.TRIAGE: ReferralFlow.triage,
    Stage.OUTREACH: ReferralFlow.outreach,
    Stage.SUPPORT: ReferralFlow.end_support,
    Stage.REASSESSMENT: ReferralFlow.reassess,
    Stage.HANDOVER: ReferralFlow.hand_over,
}


def with_open_task(case):
    process = Process.objects.create(flow_class=ReferralFlow, status=STATUS.NEW)
    Case.objects.filter(pk=case.pk).update(process=process)
    Task.objects.create(
        process=process,
        flow_task=STAGE_TASK[case.stage],
        flow_task_type="HUMAN",
        status=STATUS.NEW,
    )
    return case


@pytest.fixture
def cases_in_every_stage(team_a, worker_a):
    """A case past its deadline without contact in each open stage (all overdue), and one of
    each kind that is not: due today, contact made in time, closed before its deadline, and
    no deadline. All received in February 2026, with worker A as contact person."""
    late = [
        with_open_task(case_due(team_a, YESTERDAY, stage=stage, primary_worker=worker_a))
        for stage in OPEN_STAGES
    ]
    not_late = [
        with_open_task(case_due(team_a, TODAY, primary_worker=worker_a)),
        with_open_task(
            case_due(
                team_a,
                YESTERDAY,
                stage=Stage.SUPPORT,
                first_contact_at=at(2026, 2, 27),
                primary_worker=worker_a,
            )
        ),
        case_due(
            team_a,
            YESTERDAY,
            stage=Stage.CLOSED,
            closed_at=at(2026, 2, 25),
            outcome=Outcome.DECLINED,
        ),
        with_open_task(case_due(team_a, None, primary_worker=worker_a)),
    ]
    return late, not_late


def test_case_page_queue_dashboard_overview_and_report_agree_on_overdue_first_contacts(
    cases_in_every_stage, team_a, coordinator_a, worker_a
):
    late, not_late = cases_in_every_stage
    expected = {case.pk for case in late}
    scope = figures.Scope(period=Period.year(2026))

    with time_machine.travel(NOW, tick=False), translation.override("en"):
        by_model = {case.pk for case in late + not_late if case.is_first_contact_overdue}
        queue = services.team_queue(coordinator_a, team_a)
        rows = services.task_rows(coordinator_a, queue)
        by_row = {row.case.pk for row in rows if row.is_overdue}
        by_filter = {
            task.process.case.pk
            for task in services.team_queue(coordinator_a, team_a, overdue_only=True)
        }
        listed = figures.breach_list(scope, figures.BREACH_FIRST_CONTACT, user=coordinator_a)
        counts = figures.breach_counts(scope, user=coordinator_a)[figures.BREACH_FIRST_CONTACT]
        (team,) = figures.team_workload(scope)
        (worker,) = figures.worker_workload(scope)
        (overview,) = services.stage_counts()
        report = rows_of(status_report(2026), "first_contact_deadline")

    assert len(rows) == len(late) + len(not_late) - 1  # the closed case has no open task
    assert by_model == by_row == by_filter == {case.pk for case in listed} == expected
    assert counts == {"total": len(expected), "visible": len(expected)}
    assert team["first_contact_overdue"] == team["overdue"] == len(expected)
    assert worker["overdue"] == len(expected)
    assert overview["overdue"] == len(expected)
    # The open cases overdue now are the year's missed deadlines; the one contacted in time
    # kept it; due today, closed before its deadline and without one are not assessed.
    assert report["Deadline missed"][0] == len(expected)
    assert report["Deadline kept"][0] == 1


# --- First contact: kinds of promise beyond "within N days" ----------------------------------


def standard_promising(team, rule, **numbers):
    """A standard of `team` with that first-contact rule, published well before NOW."""
    numbers.setdefault("first_contact_deadline_days", None)
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        StandardPageFactory(delivering_teams=[team], first_contact_rule=rule, **numbers)


def overdue_everywhere(case, coordinator, team, moment):
    """Is the case overdue at `moment` by the model, the queue filter, the dashboard's list
    and counts, and the overview (which must all agree)?"""
    scope = figures.Scope(period=Period.year(2026))
    with time_machine.travel(moment, tick=False):
        case.refresh_from_db()
        queue = services.team_queue(coordinator, team, overdue_only=True)
        listed = figures.breach_list(scope, figures.BREACH_FIRST_CONTACT, user=coordinator)
        counts = figures.breach_counts(scope, user=coordinator)[figures.BREACH_FIRST_CONTACT]
        answers = {
            "model": case.is_first_contact_overdue,
            "queue": case.pk in {task.process.case.pk for task in queue},
            "breaches": case.pk in {c.pk for c in listed},
            "counts": counts["total"] == 1,
            "overview": services.stage_counts()[0]["overdue"] == 1,
            "team": figures.team_workload(scope)[0]["first_contact_overdue"] == 1,
        }
    assert len(set(answers.values())) == 1, answers
    return answers["model"]


def test_same_day_received_at_2359_is_overdue_from_midnight_in_every_list(team_a, coordinator_a):
    standard_promising(team_a, "same_day")
    late_evening = datetime.combine(TODAY, time(23, 59), tzinfo=NOW.tzinfo)
    with time_machine.travel(late_evening, tick=False):
        case = register_case(team=team_a)

    assert case.first_contact_due == TODAY
    assert not overdue_everywhere(case, coordinator_a, team_a, late_evening + timedelta(seconds=59))
    assert overdue_everywhere(case, coordinator_a, team_a, late_evening + timedelta(minutes=1))


def test_hours_are_overdue_the_moment_they_run_out(team_a, coordinator_a):
    standard_promising(
        team_a, "hours", first_contact_deadline_hours=4, first_contact_deadline_days=None
    )
    with time_machine.travel(NOW, tick=False):
        case = register_case(team=team_a)

    assert not overdue_everywhere(case, coordinator_a, team_a, NOW + timedelta(hours=3, minutes=59))
    assert overdue_everywhere(case, coordinator_a, team_a, NOW + timedelta(hours=4))


def test_a_standard_stating_no_first_contact_deadline_never_makes_a_case_overdue(
    team_a, coordinator_a
):
    standard_promising(team_a, "none", first_contact_deadline_days=None)
    with time_machine.travel(NOW, tick=False):
        case = register_case(team=team_a)

    assert (case.first_contact_due, case.first_contact_deadline) == (None, None)
    assert not case.is_without_standard  # a standard governs: it simply promises no deadline
    assert not overdue_everywhere(case, coordinator_a, team_a, NOW + timedelta(days=365))


def test_as_soon_as_possible_has_no_clock_but_comes_first_in_the_queue(team_a, coordinator_a):
    standard_promising(team_a, "calendar_days", first_contact_deadline_days=1)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        old_deadline = register_case(team=team_a)
    standard_promising(team_a, "asap", first_contact_deadline_days=None)
    with time_machine.travel(NOW, tick=False):
        urgent = register_case(team=team_a)

    queue = [task.process.case.pk for task in services.team_queue(coordinator_a, team_a)]

    assert queue == [urgent.pk, old_deadline.pk]
    assert urgent.first_contact_as_soon_as_possible and urgent.first_contact_deadline is None
    assert not overdue(urgent, on=NOW + timedelta(days=365))


def test_the_migration_gives_existing_cases_the_end_of_their_due_day_as_deadline(team_a):
    migration = importlib.import_module(
        "workflows.migrations.0013_backfill_case_first_contact_deadline"
    )
    cases = [case_due(team_a, YESTERDAY), case_due(team_a, TODAY), case_due(team_a, None)]
    judged = {case.pk: overdue(case) for case in cases}
    Case.objects.update(first_contact_deadline=None)

    migration.backfill(django_apps, None)

    for case in cases:
        case.refresh_from_db()
    assert [case.first_contact_deadline for case in cases] == [
        datetime.combine(TODAY, time.min, tzinfo=NOW.tzinfo),
        datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=NOW.tzinfo),
        None,
    ]
    assert {case.pk: overdue(case) for case in cases} == judged


def test_a_deadline_in_hours_is_shown_with_its_time_on_the_case_page_and_in_the_queue(
    client, team_a, coordinator_a, table_owner
):
    standard_promising(team_a, "hours", first_contact_deadline_hours=4)
    with time_machine.travel(NOW, tick=False):
        case = register_case(team=team_a)
    client.force_login(coordinator_a)

    # The clock stands still in the past, and the access log refuses entries dated then from
    # the application's role (tests/test_db_roles.py): the owner writes the page reads' entries.
    with (
        time_machine.travel(NOW + timedelta(hours=1), tick=False),
        translation.override("en"),
        table_owner(),
    ):
        page = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
        queue = client.get(reverse("workflows:team_queue") + f"?team={team_a.pk}").content.decode()

    shown = date_format(timezone.localtime(NOW + timedelta(hours=4)), "SHORT_DATETIME_FORMAT")
    assert case.first_contact_deadline_within_a_day
    assert shown in page
    assert shown in queue
