"""The annual status report, against a small register whose right answers are worked out by
hand in the comments of `build_register` (report year 2025, previous year 2024)."""

import csv
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from intranet import roles
from workflows.models import (
    Case,
    Channel,
    ContactKind,
    ContactLog,
    Outcome,
    Person,
    Referral,
    ReferralSource,
    Stage,
)
from workflows.reporting.spreadsheet import csv_text, spreadsheet_cell
from workflows.reporting.status_report import status_report, status_report_rows

from .factories import StaffMemberFactory, TeamPageFactory, UserFactory

TZ = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=TZ)


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=TZ)


def source(name):
    return ReferralSource.objects.get(name=name)


def make_case(person, team, received, *, source=None, due_days=7, **fields):
    """A case and its referral written straight to the register (no process)."""
    fields.setdefault("stage", Stage.CLOSED)
    due = received.date() + timedelta(days=due_days)
    case = Case.objects.create(
        person=person,
        team=team,
        first_contact_due=due,
        first_contact_deadline=datetime.combine(due + timedelta(days=1), time.min, tzinfo=TZ),
        created_at=received,
        referral_received_at=received,
        **fields,
    )
    Referral.objects.create(
        case=case, received_at=received, channel=Channel.PHONE, source=source, concern="Bekymring"
    )
    return case


def contact(case, worker, when, kind, achieved):
    return ContactLog.objects.create(
        case=case, worker=worker, occurred_at=when, kind=kind, achieved=achieved
    )


@dataclass
class Register:
    p1: Person
    p2: Person
    p3: Person
    c1: Case
    c2: Case
    c3: Case
    c4: Case
    c5: Case
    open_a: Case
    open_b: Case


def build_register(*, team_a, team_b, receiving_team, worker_a, worker_b) -> Register:
    """The hand-made register shared by the report and the dashboard tests.

    People in contact 2025: P1 (C1 spanning New Year, and C2 reopened from it), P2 (C3),
    P3 (C4, CPR only, refused at first contact) = 3. P4's referral was redirected (C5): not
    in contact. 2024: P1 (C1) and P7 (C8) = 2.
    """
    # P1 was met anonymously and identified later: the name was added to the same row.
    p1 = Person.objects.create(
        alias="Kasketten",
        gender="male",
        birth_year=1980,  # 45 in 2025: 40-49
        income_source="cash_benefit",
        marital_status="single",
        living_alone="yes",
        housing="shelter",
        main_problem="both",
    )
    p1.name = "Jens Hansen"
    p1.save()
    p2 = Person.objects.create(
        alias="Pigen ved stationen",
        gender="female",
        birth_year=2000,  # 25 in 2025: 18-29
        income_source="sickness_benefit",
        living_alone="no",
        housing="sleeping_rough",
        main_problem="mental_illness",
    )
    p3 = Person.objects.create(
        name="Ole Olsen",
        cpr="150590-1234",  # born 1990 (7th digit 1): 35 in 2025, 30-39
        gender="male",
        income_source="self_supporting",
        marital_status="married",
        living_alone="no",
        housing="own_home",
        main_problem="substance_abuse",
    )
    p4 = Person.objects.create(alias="Henvist videre", gender="female", birth_year=1950)
    p5 = Person.objects.create(alias="Ny i februar")
    p6 = Person.objects.create(alias="Syd-borgeren")
    p7 = Person.objects.create(alias="Kun i 2024", gender="female", birth_year=1990)

    # C1: 20.11.2024 -> closed 10.2.2025, 82 days: under 3 months. First contact in 5 days.
    c1 = make_case(
        p1,
        team_a,
        at(2024, 11, 20),
        source=source("Boligselskab"),
        first_contact_at=at(2024, 11, 25),
        support_started_at=at(2024, 11, 25),
        closed_at=at(2025, 2, 10),
        outcome=Outcome.GOAL_REACHED,
        primary_worker=worker_a,
    )
    # C2 reopens C1 on 1.9.2025 and is open at the year's end: 121.5 days, 3-6 months.
    # First contact after 4 days (deadline kept); reassessment due 5.1.2026 (overdue now).
    c2 = make_case(
        p1,
        team_a,
        at(2025, 9, 1),
        source=source("Selvhenvendelse"),
        stage=Stage.SUPPORT,
        reopened_from=c1,
        first_contact_at=at(2025, 9, 5),
        support_started_at=at(2025, 9, 5),
        reassessment_due_at=at(2026, 1, 5),
        primary_worker=worker_a,
    )
    # C3: 3.3.2025 -> handed over 20.11.2025, 262 days: over 6 months. First contact after
    # 9 days, past the 7-day deadline.
    c3 = make_case(
        p2,
        team_b,
        at(2025, 3, 3),
        source=source("Pårørende"),
        first_contact_at=at(2025, 3, 12),
        support_started_at=at(2025, 3, 12),
        closed_at=at(2025, 11, 20),
        outcome=Outcome.HANDED_OVER,
        handover_team=receiving_team,
        primary_worker=worker_b,
    )
    # C4: declined at the first attempt, 2 days after the referral (no source recorded);
    # closed before its deadline without contact, so the deadline is not assessed.
    c4 = make_case(
        p3,
        team_a,
        at(2025, 6, 10),
        closed_at=at(2025, 6, 12),
        outcome=Outcome.DECLINED,
    )
    # C5: redirected at triage the day after: a referral and an outcome, nobody in contact.
    c5 = make_case(
        p4,
        team_a,
        at(2025, 4, 1),
        source=source("Jobcenter"),
        closed_at=at(2025, 4, 2),
        outcome=Outcome.REDIRECTED,
    )
    # C8: 2024 only, 1.3.2024 -> 1.5.2024 (61 days less the hour of summer time).
    make_case(
        p7,
        team_b,
        at(2024, 3, 1),
        closed_at=at(2024, 5, 1),
        outcome=Outcome.NO_CONTACT,
    )
    # Open now (2.3.2026), both past their first-contact deadline.
    open_a = make_case(p5, team_a, at(2026, 2, 20), stage=Stage.OUTREACH, primary_worker=worker_a)
    open_b = make_case(p6, team_b, at(2026, 2, 1), stage=Stage.TRIAGE)

    # Contacts in 2025: home visit 2 achieved; public space 1 achieved + 1 failed;
    # phone 1 failed; accompaniment 1 achieved. (The 2024 one does not count.)
    contact(c1, worker_a, at(2024, 11, 25), ContactKind.PUBLIC_SPACE, True)
    contact(c1, worker_a, at(2025, 1, 15), ContactKind.HOME_VISIT, True)
    contact(c2, worker_a, at(2025, 9, 3), ContactKind.PHONE, False)
    contact(c2, worker_a, at(2025, 9, 5), ContactKind.PUBLIC_SPACE, True)
    contact(c3, worker_b, at(2025, 3, 12), ContactKind.HOME_VISIT, True)
    contact(c3, worker_b, at(2025, 5, 1), ContactKind.ACCOMPANIMENT, True)
    contact(c4, worker_a, at(2025, 6, 11), ContactKind.PUBLIC_SPACE, False)
    return Register(p1, p2, p3, c1, c2, c3, c4, c5, open_a, open_b)


@dataclass
class World:
    """The personas and teams of these tests, made once per test module."""

    team_a: object
    team_b: object
    receiving_team: object
    worker_a: object
    worker_b: object
    register: Register


def member(username, role_keys, teams):
    user = UserFactory(username=username, roles=role_keys)
    StaffMemberFactory(name=user.get_full_name(), user=user, teams=teams)
    return user


def make_world() -> World:
    team_a = TeamPageFactory(title="Udekørende team Nord")
    team_b = TeamPageFactory(title="Udekørende team Syd")
    receiving_team = TeamPageFactory(title="Myndighedsteamet")
    worker_a = member("skp_a", [roles.OUTREACH_WORKER], [team_a])
    worker_b = member("skp_b", [roles.OUTREACH_WORKER], [team_b])
    register = build_register(
        team_a=team_a,
        team_b=team_b,
        receiving_team=receiving_team,
        worker_a=worker_a,
        worker_b=worker_b,
    )
    return World(team_a, team_b, receiving_team, worker_a, worker_b, register)


@contextmanager
def module_data(django_db_blocker, build):
    """Data made once for a module at a frozen time, rolled back after its last test.

    Each test's own transaction nests inside this one as a savepoint.
    """
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, make_world) as data:
        yield data


@pytest.fixture
def register(world, db):
    return world.register


@pytest.fixture(autouse=True)
def english():
    """Labels as the msgids (Django's own Danish catalogue translates some, e.g. Unknown)."""
    with translation.override("en"):
        yield


def rows_of(report, key):
    """{label: [numbers...]} of one table."""
    return {str(row[0]): row[1:] for row in report.table(key).rows}


# --- The figures ---------------------------------------------------------------------------


def test_people_in_contact_are_counted_once_with_the_change_from_the_year_before(register):
    report = status_report(2025)

    assert report.people == 3
    assert report.people_previous == 2
    assert rows_of(report, "people") == {"People in contact": [3, 2, 1]}


def test_a_person_identified_later_with_a_reopened_case_over_new_year_counts_once(register):
    register.p1.refresh_from_db()
    assert register.p1.name == "Jens Hansen" and register.p1.alias == "Kasketten"
    assert register.c2.reopened_from == register.c1

    report = status_report(2025)

    # P1 has two cases in 2025 (C1 into the year, C2 out of it) and is still one person.
    assert rows_of(report, "gender")["Male"] == [2, 66.7, 1, 1]
    assert report.people == 3


def test_gender_and_age_group_with_last_year(register):
    report = status_report(2025)

    gender = rows_of(report, "gender")
    assert gender["Female"] == [1, 33.3, 1, 0]
    assert gender["Other"] == [0, 0.0, 0, 0]
    age = rows_of(report, "age_group")
    assert age["18-29"] == [1, 33.3, 0, 1]
    # P3's age comes from the CPR number alone (born 1990).
    assert age["30-39"] == [1, 33.3, 1, 0]
    assert age["40-49"] == [1, 33.3, 1, 0]
    assert age["Unknown"] == [0, 0.0, 0, 0]
    cross = rows_of(report, "gender_by_age")
    # columns: female, male, other, unknown, total
    assert cross["40-49"] == [0, 1, 0, 0, 1]
    assert cross["18-29"] == [1, 0, 0, 0, 1]
    assert cross["30-39"] == [0, 1, 0, 0, 1]


def test_income_marital_status_living_alone_and_main_problem_shares(register):
    report = status_report(2025)

    # This year, its share, the year before (2024: P1 and P7) and the change.
    income = rows_of(report, "income_source")
    assert income["Cash benefit"] == [1, 33.3, 1, 0]  # P1 both years
    assert income["Sickness benefit"] == [1, 33.3, 0, 1]
    assert income["Self-supporting"] == [1, 33.3, 0, 1]
    assert income["Early-retirement pension"] == [0, 0.0, 0, 0]
    assert rows_of(report, "marital_status")["Unknown"] == [1, 33.3, 1, 0]  # P2; P7
    living = rows_of(report, "living_alone")
    assert living["Lives alone"] == [1, 33.3, 1, 0]
    assert living["Lives with others"] == [2, 66.7, 0, 2]
    problem = rows_of(report, "main_problem")
    assert problem["Both (dual diagnosis)"] == [1, 33.3, 1, 0]
    assert problem["Mental illness"] == [1, 33.3, 0, 1]
    assert problem["Substance abuse"] == [1, 33.3, 0, 1]
    assert problem["Other"] == [0, 0.0, 0, 0]
    housing = rows_of(report, "housing")
    assert housing["Sleeping rough"] == [1, 33.3, 0, 1]  # P2
    assert housing["Shelter or hostel (§ 110)"] == [1, 33.3, 1, 0]  # P1
    assert housing["Has own home"] == [1, 33.3, 0, 1]  # P3
    assert housing["Unknown"] == [0, 0.0, 1, -1]  # P7 in 2024


def test_homeless_at_year_end_by_national_category(register):
    report = status_report(2025)

    homeless = rows_of(report, "homeless")
    assert homeless["Sleeping rough"] == [1, 33.3]
    assert homeless["Shelter or hostel (§ 110)"] == [1, 33.3]
    assert homeless["Night shelter"] == [0, 0.0]
    assert homeless["Homeless, all categories"] == [2, 66.7]
    assert "Has own home" not in homeless


def test_people_in_contact_count_with_the_source_of_the_referral_that_brought_them_in(
    register,
):
    report = status_report(2025)

    sources = rows_of(report, "referral_sources")
    assert sources["Boligselskab"] == [1, 33.3]  # P1 came with C1 in 2024, still in contact
    assert sources["Selvhenvendelse"] == [0, 0.0]  # C2 reopened P1's contact: not how they came
    assert sources["Pårørende"] == [1, 33.3]  # P2
    assert sources["Not recorded"] == [1, 33.3]  # P3
    assert sources["Jobcenter"] == [0, 0.0]  # the redirected P4 was never in contact
    assert sources["All people in contact"] == [3, 100.0]


def test_referral_sources_count_every_referral_received_in_the_year(register):
    report = status_report(2025)

    sources = rows_of(report, "referrals_received")
    assert sources["Selvhenvendelse"] == [1, 25.0]
    assert sources["Pårørende"] == [1, 25.0]
    assert sources["Jobcenter"] == [1, 25.0]  # the redirected referral counts here
    assert sources["Not recorded"] == [1, 25.0]
    assert sources["Boligselskab"] == [0, 0.0]  # C1's referral came in 2024
    assert sources["All referrals"] == [4, 100.0]


def test_how_contact_was_made(register):
    report = status_report(2025)

    kinds = rows_of(report, "contact_kinds")
    assert kinds["Home visit"] == [2, 0, 2]
    assert kinds["Public space"] == [1, 1, 2]
    assert kinds["Phone"] == [0, 1, 1]
    assert kinds["Accompaniment"] == [1, 0, 1]
    assert kinds["SMS"] == [0, 0, 0]


def test_case_duration_buckets(register):
    report = status_report(2025)

    assert rows_of(report, "duration") == {
        "Refused at first contact": [1, 33.3],  # P3: C4, their only case
        "0-3 months": [0, 0.0],
        "3-6 months": [0, 0.0],
        # P1: from C1's referral (20.11.2024) to the end of 2025, C2 being open; P2: C3.
        "Over 6 months": [2, 66.7],
        "All people in contact": [3, 100.0],
    }


def test_outcomes_handover_destinations_and_first_contact_deadline(register, world):
    report = status_report(2025)

    outcomes = rows_of(report, "outcomes")
    assert outcomes["Goal reached"] == [1, 25.0, 0, 1]
    assert outcomes["Handed over to an established service"] == [1, 25.0, 0, 1]
    assert outcomes["The citizen declined"] == [1, 25.0, 0, 1]
    assert outcomes["Redirected at triage"] == [1, 25.0, 0, 1]
    assert outcomes["Died"] == [0, 0.0, 0, 0]
    assert outcomes["No contact could be made"][2:] == [1, -1]  # C8, closed in 2024
    assert rows_of(report, "handover_destinations") == {world.receiving_team.title: [1, 100.0]}
    assert rows_of(report, "first_contact_deadline") == {
        "Deadline kept": [1, 50.0],  # C2
        "Deadline missed": [1, 50.0],  # C3
        "Cases assessed": [2, 100.0],  # C4 closed before its deadline: not assessed
    }


def nonzero(report, key):
    """{label: [numbers...]} of the rows of a table with a number other than 0."""
    return {label: row for label, row in rows_of(report, key).items() if any(row)}


def test_every_table_of_the_hand_built_year(register, world):
    """Issue 16 item 7: the year 2025 of the register (build_register) by hand. P1 was
    referred in 2024 as "Kasketten", identified later, and reopened in 2025 (two cases, one
    person); P2 was handed over; P3 refused at first contact; P4's referral was redirected;
    P7 was in contact only in 2024. Ages in 2025: P2 25, P3 35 (from the CPR number), P1 45;
    in 2024: P7 34, P1 44."""
    report = status_report(2025, age_band=(36, 55))

    assert [table.key for table in report.tables] == [
        "people",
        "gender",
        "age_group",
        "age_figures",
        "age_band",
        "gender_by_age",
        "income_source",
        "marital_status",
        "living_alone",
        "main_problem",
        "housing",
        "homeless",
        "referral_sources",
        "duration",
        "outcomes",
        "handover_destinations",
        "first_contact_deadline",
        "referrals_received",
        "contact_kinds",
    ]
    # Every table over people says so, but for the three that count cases, referrals and
    # contacts, which say what they count instead.
    for table in report.tables:
        if table.key in ("outcomes", "handover_destinations", "first_contact_deadline"):
            continue
        if table.key in ("referrals_received", "contact_kinds"):
            assert "in_contact" not in table.notes
        else:
            assert "in_contact" in table.notes, table.key
    assert rows_of(report, "people") == {"People in contact": [3, 2, 1]}
    assert nonzero(report, "gender") == {"Female": [1, 33.3, 1, 0], "Male": [2, 66.7, 1, 1]}
    assert nonzero(report, "age_group") == {
        "18-29": [1, 33.3, 0, 1],
        "30-39": [1, 33.3, 1, 0],
        "40-49": [1, 33.3, 1, 0],
    }
    assert rows_of(report, "age_figures") == {
        "Youngest": [25, 34, -9],
        "Oldest": [45, 44, 1],
        "Median age": [35, 39.0, -4.0],
    }
    # 36-55: P1 (45) of the three with a known age; in 2024 P1 (44) of two.
    assert rows_of(report, "age_band") == {"Aged 36-55": [1, 33.3, 1, 50.0, 0]}
    assert nonzero(report, "gender_by_age") == {
        "18-29": [1, 0, 0, 0, 1],
        "30-39": [0, 1, 0, 0, 1],
        "40-49": [0, 1, 0, 0, 1],
    }
    assert nonzero(report, "income_source") == {
        "Cash benefit": [1, 33.3, 1, 0],
        "Sickness benefit": [1, 33.3, 0, 1],
        "Self-supporting": [1, 33.3, 0, 1],
        "Unknown": [0, 0.0, 1, -1],
    }
    assert nonzero(report, "marital_status") == {
        "Single": [1, 33.3, 1, 0],
        "Married or cohabiting": [1, 33.3, 0, 1],
        "Unknown": [1, 33.3, 1, 0],
    }
    assert nonzero(report, "living_alone") == {
        "Lives alone": [1, 33.3, 1, 0],
        "Lives with others": [2, 66.7, 0, 2],
        "Unknown": [0, 0.0, 1, -1],
    }
    assert nonzero(report, "main_problem") == {
        "Substance abuse": [1, 33.3, 0, 1],
        "Mental illness": [1, 33.3, 0, 1],
        "Both (dual diagnosis)": [1, 33.3, 1, 0],
        "Not yet known": [0, 0.0, 1, -1],
    }
    assert nonzero(report, "housing") == {
        "Sleeping rough": [1, 33.3, 0, 1],
        "Shelter or hostel (§ 110)": [1, 33.3, 1, 0],
        "Has own home": [1, 33.3, 0, 1],
        "Unknown": [0, 0.0, 1, -1],
    }
    assert nonzero(report, "homeless") == {
        "Sleeping rough": [1, 33.3],
        "Shelter or hostel (§ 110)": [1, 33.3],
        "Homeless, all categories": [2, 66.7],
    }
    # Every source is listed, zeros too: the people by the case that brought them in.
    sources = rows_of(report, "referral_sources")
    assert list(sources)[:-2] == [source.name for source in ReferralSource.objects.all()]
    assert nonzero(report, "referral_sources") == {
        "Pårørende": [1, 33.3],
        "Boligselskab": [1, 33.3],
        "Not recorded": [1, 33.3],
        "All people in contact": [3, 100.0],
    }
    assert nonzero(report, "duration") == {
        "Refused at first contact": [1, 33.3],
        "Over 6 months": [2, 66.7],
        "All people in contact": [3, 100.0],
    }
    assert nonzero(report, "outcomes") == {
        "Handed over to an established service": [1, 25.0, 0, 1],
        "Goal reached": [1, 25.0, 0, 1],
        "The citizen declined": [1, 25.0, 0, 1],
        "No contact could be made": [0, 0.0, 1, -1],
        "Redirected at triage": [1, 25.0, 0, 1],
    }
    assert rows_of(report, "handover_destinations") == {world.receiving_team.title: [1, 100.0]}
    assert rows_of(report, "first_contact_deadline") == {
        "Deadline kept": [1, 50.0],  # C2 after 4 days
        "Deadline missed": [1, 50.0],  # C3 after 9 days
        "Cases assessed": [2, 100.0],
    }
    # Referrals, not people: C2, C3, C4 and the redirected C5.
    assert nonzero(report, "referrals_received") == {
        "Jobcenter": [1, 25.0],
        "Pårørende": [1, 25.0],
        "Selvhenvendelse": [1, 25.0],
        "Not recorded": [1, 25.0],
        "All referrals": [4, 100.0],
    }
    assert nonzero(report, "contact_kinds") == {
        "Home visit": [2, 0, 2],
        "Public space": [1, 1, 2],
        "Accompaniment": [1, 0, 1],
        "Phone": [0, 1, 1],
    }


def test_the_age_range_is_chosen_on_the_page_and_carried_to_the_downloads(client, register, leader):
    client.force_login(leader)

    page = client.get(reverse("leader:status_report"), {"year": 2025, "age_from": 36, "age_to": 55})
    exported = client.get(
        reverse("leader:status_report"),
        {"year": 2025, "age_from": 36, "age_to": 55, "format": "json"},
    ).json()

    assert page.status_code == 200
    assert "People in contact aged 36 to 55" in page.content.decode()
    assert "age_from=36&amp;age_to=55&amp;format=csv" in page.content.decode()
    assert exported["age_band"] == [36, 55]
    assert exported["tables"]["age_band"]["rows"] == [["Aged 36-55", 1, 33.3, 1, 50.0, 0]]
    without = client.get(reverse("leader:status_report"), {"year": 2025})
    assert "age_band" not in [table.key for table in without.context["report"].tables]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"age_from": 36}, "age_to", "Give both ages of the range, or neither."),
        ({"age_to": 55}, "age_from", "Give both ages of the range, or neither."),
        (
            {"age_from": 55, "age_to": 36},
            "age_to",
            "The highest age must not be lower than the lowest.",
        ),
        ({"age_from": -1, "age_to": 36}, "age_from", "greater than or equal to 0"),
    ],
)
def test_a_bad_age_range_is_answered_on_its_field(client, register, leader, query, field, message):
    client.force_login(leader)

    response = client.get(reverse("leader:status_report"), {"year": 2025, **query})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])


def test_the_command_takes_an_age_range_and_refuses_a_bad_one(register, tmp_path):
    output = tmp_path / "report.json"

    call_command("status_report", year=2025, format="json", output=str(output), age_band="36-55")

    assert json.loads(output.read_text())["age_band"] == [36, 55]
    with pytest.raises(CommandError, match="36-55"):
        call_command("status_report", year=2025, format="json", age_band="36 til 55")


def test_the_previous_year_report(register):
    report = status_report(2024)

    assert report.people == 2
    assert rows_of(report, "duration")["0-3 months"] == [2, 100.0]  # P1: C1 to 31.12; P7: C8
    assert rows_of(report, "first_contact_deadline")["Deadline kept"] == [1, 50.0]


# --- Spreadsheet safety --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+45 12 34 56 78", "'+45 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("Ærø Ø-gade", "Ærø Ø-gade"),
        (-3, "-3"),
        (12.5, "12,5"),
        (None, ""),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(value, expected):
    assert spreadsheet_cell(value) == expected


def test_report_csv_is_danish_excel_ready_and_escapes_formulas(register):
    Referral.objects.filter(case=register.c4).update(
        source=ReferralSource.objects.create(name="=cmd|' /C calc'!A0")
    )

    text = csv_text(status_report_rows(status_report(2025)))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert ["Pårørende", "1", "25,0"] in rows
    assert ["'=cmd|' /C calc'!A0", "1", "25,0"] in rows
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
            assert not cell.startswith("-") or cell.lstrip("-").replace(",", "").isdigit()


# --- Delivery: web page, downloads, command ------------------------------------------------


def test_leader_gets_the_printable_report_with_its_definitions(client, register, leader):
    client.force_login(leader)

    response = client.get(reverse("leader:status_report"), {"year": 2025})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Status report 2025" in html
    assert 'id="note-1"' in html and "counted once" in html
    assert "66.7" in html  # the homeless share


@pytest.mark.danish
def test_the_report_uses_danish_number_format(client, register, leader):
    client.force_login(leader)

    html = client.get(reverse("leader:status_report"), {"year": 2025}).content.decode()

    assert "66,7" in html  # Danish decimal comma (homeless share)


def test_report_downloads_as_csv_and_json(client, register, leader):
    client.force_login(leader)

    response = client.get(reverse("leader:status_report"), {"year": 2025, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statusrapport-2025.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "Pårørende;1;25,0".encode() in response.content

    response = client.get(reverse("leader:status_report"), {"year": 2025, "format": "json"})
    data = json.loads(response.content)
    assert data["people_in_contact"] == 3
    assert data["people_in_contact_previous_year"] == 2
    assert data["tables"]["people"]["rows"][0][1:] == [3, 2, 1]
    assert data["tables"]["duration"]["kinds"] == ["label", "count", "share"]
    assert "in_contact" in data["definitions"]


def test_report_year_is_validated(client, register, leader):
    client.force_login(leader)

    response = client.get(reverse("leader:status_report"), {"year": "tyve"})

    assert response.status_code == 400
    assert "Write a year" in response.content.decode()


def test_a_worker_may_not_see_the_report(client, register, world):
    client.force_login(world.worker_a)

    assert client.get(reverse("leader:status_report"), {"year": 2025}).status_code == 403


@pytest.mark.parametrize("report_format", ["html", "csv", "json"])
def test_status_report_command_writes_each_format(register, tmp_path, report_format):
    output = tmp_path / f"report.{report_format}"

    call_command(
        "status_report", "--year", "2025", "--format", report_format, "--output", str(output)
    )

    content = output.read_text(encoding="utf-8")
    if report_format == "json":
        assert json.loads(content)["people_in_contact"] == 3
    elif report_format == "csv":
        assert content.startswith("\ufeff") and "Pårørende;1;25,0" in content
    else:
        assert "<table" in content and "2025" in content
        assert "<style>" in content and "@media print" in content  # a file opened from disk
        # The site's stylesheets whole, as the template engine found them.
        static = settings.BASE_DIR / "static"
        css = (static / "css" / "site.css").read_text() + (
            static / "leader" / "leader.css"
        ).read_text()
        assert f"<style>{css}</style>" in content


def test_the_csv_for_publication_hides_the_small_counts_the_screen_shows(client, register, leader):
    client.force_login(leader)

    screen = client.get(reverse("leader:status_report"), {"year": 2025}).content.decode()
    exported = client.get(
        reverse("leader:status_report"), {"year": 2025, "format": "csv", "suppress": "on"}
    ).content.decode("utf-8-sig")

    # The screen: P3 refused, P1 and P2 over 6 months.
    assert '<th scope="row">Refused at first contact</th>' in screen
    rows = {line.split(";")[0]: line.split(";")[1:] for line in exported.splitlines()}
    assert rows["Refused at first contact"] == ["<3", ".."]
    assert rows["Over 6 months"] == ["<3", ".."]
    assert rows["0-3 months"] == ["0", "0,0"]
    # 1 and 2 or 2 and 1: the total of 3 pins neither.
    assert rows["All people in contact"] == ["3", "100,0"]
    assert "Small numbers are hidden" in exported
