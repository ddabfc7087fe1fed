"""Lists that show persons or cases log every case shown, in one INSERT; a case or person
opened from a search result keeps the search term in the log."""

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intranet import roles
from intranet.audit import log_accesses
from intranet.models import AccessAction, AccessLogEntry
from workflows.models import Person

from .factories import (
    PersonFactory,
    StaffMemberFactory,
    UserFactory,
    accept,
    open_task,
    register_case,
    task_url,
)
from .test_workflow_intake import _form as referral_form

LOG_TABLE = AccessLogEntry._meta.db_table


@contextmanager
def log_inserts():
    """The INSERT statements into the access log run inside the block."""
    with CaptureQueriesContext(connection) as captured:
        inserts = []
        yield inserts
    inserts.extend(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(f'INSERT INTO "{LOG_TABLE}"')
    )


def logged(user, what):
    return sorted(
        AccessLogEntry.objects.filter(user=user, what=what).values_list("case_id", "person_id")
    )


@pytest.fixture
def three_cases(skp_standard, team_a, worker_a):
    return [register_case(team=team_a, registered_by=worker_a) for _ in range(3)]


def pairs(cases):
    return sorted((case.pk, case.person_id) for case in cases)


# --- log_accesses ------------------------------------------------------------------------


def test_log_accesses_writes_one_entry_per_subject_in_one_insert(worker_a):
    with log_inserts() as inserts:
        entries = log_accesses(
            user=worker_a,
            action=AccessAction.VIEW,
            what="task list",
            subjects=[(1, 10), (2, 20), (1, 10)],
            search_term="Kasket",
        )

    assert len(inserts) == 1
    assert len(entries) == 2
    rows = AccessLogEntry.objects.order_by("case_id").values_list(
        "person_id", "case_id", "search_term"
    )
    assert list(rows) == [(1, 10, "Kasket"), (2, 20, "Kasket")]


def test_log_accesses_writes_nothing_for_an_empty_list(worker_a):
    with log_inserts() as inserts:
        log_accesses(user=worker_a, action=AccessAction.VIEW, what="task list", subjects=[])

    assert inserts == [] and not AccessLogEntry.objects.exists()


def test_log_accesses_refuses_an_unknown_action(worker_a):
    with pytest.raises(ValueError):
        log_accesses(user=worker_a, action="peek", what="x", subjects=[(1, 1)])


# --- The lists of casework ---------------------------------------------------------------


def test_the_team_queue_logs_every_case_it_shows_in_one_insert(client, three_cases, coordinator_a):
    client.force_login(coordinator_a)

    with log_inserts() as inserts:
        response = client.get(reverse("workflows:team_queue"))

    assert len(response.context["rows"]) == 3
    assert len(inserts) == 1
    assert logged(coordinator_a, "team queue") == pairs(three_cases)


def test_my_tasks_and_the_staff_home_log_the_cases_they_show(
    client, three_cases, coordinator_a, worker_a
):
    for case in three_cases[:2]:
        accept(client, coordinator_a, case, worker_a)
    client.force_login(worker_a)

    with log_inserts() as mine:
        client.get(reverse("workflows:my_tasks"))
    with log_inserts() as home:
        response = client.get(reverse("staff_home"))

    assert len(mine) == 1 and len(home) == 1
    assert logged(worker_a, "task list") == pairs(three_cases[:2])
    assert logged(worker_a, "staff home task list") == pairs(three_cases[:2])
    assert three_cases[0].person.alias in response.content.decode()


def test_an_empty_list_writes_nothing(client, three_cases, worker_b):
    client.force_login(worker_b)

    client.get(reverse("workflows:my_tasks"))
    client.get(reverse("workflows:team_queue"))
    client.get(reverse("staff_home"))

    assert not AccessLogEntry.objects.exists()


def test_the_triage_screen_logs_the_cases_it_offers_to_merge_into(
    client, three_cases, coordinator_a
):
    first, second, third = three_cases
    client.force_login(coordinator_a)

    response = client.get(task_url(open_task(first, "triage")))

    assert response.status_code == 200
    assert logged(coordinator_a, "merge candidates") == pairs([second, third])
    assert logged(coordinator_a, "task:triage") == [(first.pk, first.person_id)]


def test_the_duplicate_warning_logs_the_cases_it_shows(client, skp_standard, team_a, worker_a):
    existing = register_case(
        team=team_a, person=Person(alias="Kasket", whereabouts="Bænken ved Føtex på Torvet")
    )
    client.force_login(worker_a)

    response = client.post(
        reverse("workflows:referral_register"), referral_form(**{"referral-team": team_a.pk})
    )

    assert response.context["duplicates"] == [existing]
    assert logged(worker_a, "possible duplicates") == [(existing.pk, existing.person_id)]


def test_a_leaders_deadline_list_is_logged_in_one_insert(
    client, skp_standard, team_a, worker_a, leader
):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        late = [register_case(team=team_a, registered_by=worker_a) for _ in range(3)]
    # A team leader who also coordinates: the casework role is what opens the team's cases.
    team_leader = UserFactory(username="teamleder", roles=[roles.LEADER, roles.COORDINATOR])
    StaffMemberFactory(user=team_leader, teams=[team_a])
    client.force_login(team_leader)

    with log_inserts() as inserts:
        response = client.get(reverse("leader:breaches", args=["first-contact"]))

    assert len(response.context["rows"]) == 3
    assert len(inserts) == 1
    assert logged(team_leader, "deadline list") == pairs(late)


# --- Opened from a search ------------------------------------------------------------------


def test_the_officers_search_logs_each_hit_in_one_insert_and_the_hits_carry_the_term(client, dpo):
    people = [PersonFactory(alias=f"Kasket {n}") for n in range(3)]
    client.force_login(dpo)

    with log_inserts() as inserts:
        response = client.get(reverse("privacy:index"), {"q": "Kasket"})

    assert len(inserts) == 1
    entries = AccessLogEntry.objects.filter(user=dpo)
    assert sorted(entries.values_list("person_id", flat=True)) == [p.pk for p in people]
    assert set(entries.values_list("search_term", flat=True)) == {"Kasket"}
    body = response.content.decode()
    assert f'{reverse("privacy:person_log", args=[people[0].pk])}?q=Kasket"' in body
    assert f'{reverse("privacy:insight", args=[people[0].pk])}?q=Kasket"' in body


def test_opening_a_hit_records_the_search_term(client, dpo):
    person = PersonFactory(alias="Kasket")
    client.force_login(dpo)

    client.get(reverse("privacy:person_log", args=[person.pk]), {"q": "Kask"})
    client.get(reverse("privacy:insight", args=[person.pk]), {"q": "Kask"})
    client.get(reverse("privacy:person_log", args=[person.pk]))

    rows = AccessLogEntry.objects.filter(user=dpo, person_id=person.pk).order_by("pk")
    assert list(rows.values_list("action", "search_term")) == [
        (AccessAction.SEARCH_OPEN, "Kask"),
        (AccessAction.EXPORT, "Kask"),
        (AccessAction.VIEW, ""),
    ]


def test_a_case_opened_from_a_search_result_records_the_term(client, three_cases, worker_a):
    case = three_cases[0]
    client.force_login(worker_a)

    client.get(reverse("workflows:case_detail", args=[case.pk]), {"q": " Kasket "})
    client.get(reverse("workflows:case_detail", args=[case.pk]))

    rows = AccessLogEntry.objects.filter(user=worker_a, case_id=case.pk).order_by("pk")
    assert list(rows.values_list("action", "search_term", "person_id")) == [
        (AccessAction.SEARCH_OPEN, "Kasket", case.person_id),
        (AccessAction.VIEW, "", case.person_id),
    ]
