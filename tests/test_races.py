"""Concurrency: parallel completions, double submits and two timer sweepers (PostgreSQL only)."""

import random
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from workflows import services
from workflows.flows import ReferralFlow
from workflows.management.commands.generate_cases import CaseGenerator
from workflows.models import Case, ContactLog, Reassessment, Stage

from .factories import contact_post_data, open_task, referral_post_data, register_case

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write, so there is no race to test: "
        "row locks (SELECT ... FOR UPDATE) exist on PostgreSQL only",
    ),
    # serialized_rollback: the flush after each test would otherwise remove the page tree
    # (Wagtail's root page comes from a migration).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8

# What the screens turn into a message: a lost race, never a 500.
HANDLED = (services.TaskUnavailable, FlowLockFailed, TransitionNotAllowed)


def _in_threads(count, target):
    """Run target(i) in `count` threads started together; returns the unhandled errors."""
    errors = []
    barrier = threading.Barrier(count)

    def run(number):
        try:
            barrier.wait(timeout=30)
            target(number)
        except Exception as exc:  # collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_parallel_completions_complete_each_task_once(skp_standard, coordinator_a, worker_a):
    cases = [
        register_case(team=coordinator_a.staff_member.teams.get(), registered_by=coordinator_a)
        for _ in range(20)
    ]
    task_pks = []
    for case in cases:
        task = open_task(case, "triage")
        services.task_claim(task=task, user=coordinator_a)
        task_pks.append(task.pk)
    completed = []

    def complete_all(number):
        order = list(task_pks)
        random.Random(number).shuffle(order)
        for pk in order:
            try:
                services.task_complete(
                    task=Task.objects.get(pk=pk),
                    user=coordinator_a,
                    work=lambda case: services.referral_accept(
                        case=case, primary_worker=worker_a, triaged_by=coordinator_a
                    ),
                    decision="accept",
                )
            except HANDLED:
                continue
            completed.append(pk)

    errors = _in_threads(THREADS, complete_all)

    assert errors == []
    assert sorted(completed) == sorted(task_pks)
    for case in cases:
        tasks = Task.objects.filter(process_id=case.process_id)
        assert tasks.filter(flow_task=ReferralFlow.triage, status=STATUS.DONE).count() == 1
        assert tasks.filter(flow_task=ReferralFlow.outreach).count() == 1
        case.refresh_from_db()
        assert case.stage == Stage.OUTREACH


@pytest.fixture
def source(db):
    from workflows.models import ReferralSource

    return ReferralSource.objects.get_or_create(name="Borger")[0]


def test_referral_submitted_twice_in_a_row_creates_one_case(
    client, skp_standard, team_a, coordinator_a, source
):
    client.force_login(coordinator_a)
    data = referral_post_data(team_a, source.pk)

    first = client.post(reverse("workflows:referral_register"), data)
    second = client.post(reverse("workflows:referral_register"), data)

    assert first.status_code == 302
    # The second submit stops at the duplicate warning: the first case is found.
    assert second.status_code == 200
    assert Case.objects.count() == 1


def test_referral_submitted_twice_at_once_creates_one_case(
    monkeypatch, skp_standard, team_a, coordinator_a, source
):
    # One rendered form sent twice (a double click): both carry the form's token.
    data = referral_post_data(team_a, source.pk) | {"referral-submission_token": str(uuid.uuid4())}
    both_checked = threading.Barrier(2)
    check = services.possible_duplicates

    def check_then_wait(**kwargs):
        found = check(**kwargs)
        both_checked.wait(timeout=10)  # both requests past the check: a double click
        return found

    monkeypatch.setattr(services, "possible_duplicates", check_then_wait)
    statuses = []

    def submit(number):
        client = Client()
        client.force_login(coordinator_a)
        statuses.append(client.post(reverse("workflows:referral_register"), data).status_code)

    errors = _in_threads(2, submit)

    assert errors == []
    assert Case.objects.count() == 1
    assert statuses == [302, 302]


def _accepted_case(team, coordinator, worker):
    """A case the coordinator has accepted with `worker` as its contact person."""
    case = register_case(team=team, registered_by=coordinator)
    task = open_task(case, "triage")
    services.task_claim(task=task, user=coordinator)
    services.task_complete(
        task=task,
        user=coordinator,
        work=lambda c: services.referral_accept(
            case=c, primary_worker=worker, triaged_by=coordinator
        ),
        decision="accept",
    )
    return case


def test_contact_submitted_twice_logs_one_contact(
    client, skp_standard, team_a, coordinator_a, worker_a
):
    case = _accepted_case(team_a, coordinator_a, worker_a)
    client.force_login(worker_a)
    data = contact_post_data(worker_a, submission_token=str(uuid.uuid4()))

    first = client.post(reverse("workflows:contact_add", args=[case.pk]), data)
    second = client.post(reverse("workflows:contact_add", args=[case.pk]), data)

    assert first.status_code == 302
    assert second.status_code == 302
    assert ContactLog.objects.filter(case=case).count() == 1


def test_contact_sent_from_eight_clients_at_once_logs_one_contact(
    skp_standard, team_a, coordinator_a, worker_a
):
    case = _accepted_case(team_a, coordinator_a, worker_a)
    data = contact_post_data(worker_a, submission_token=str(uuid.uuid4()))

    statuses = []

    def submit(number):
        worker_client = Client()
        worker_client.force_login(worker_a)
        url = reverse("workflows:contact_add", args=[case.pk])
        statuses.append(worker_client.post(url, data).status_code)

    errors = _in_threads(THREADS, submit)

    assert errors == []
    assert statuses == [302] * THREADS
    assert ContactLog.objects.filter(case=case).count() == 1


def test_two_timer_sweepers_fire_each_timer_once(skp_standard, coordinator_a, worker_a):
    CaseGenerator(seed=7).generate(kinds=["support"] * 50)
    timers = Task.objects.filter(
        flow_task=ReferralFlow.wait_for_reassessment, status=STATUS.SCHEDULED
    )
    assert timers.count() == 50
    due = timezone.now() - timezone.timedelta(minutes=1)
    Case.objects.filter(stage=Stage.SUPPORT).update(reassessment_due_at=due)
    timers.update(scheduled=due)
    fired = []

    errors = _in_threads(2, lambda number: fired.append(fire_due_timers()))

    assert errors == []
    assert sum(fired) == 50
    tasks = Task.objects.filter(process__case__isnull=False)
    assert (
        tasks.filter(flow_task=ReferralFlow.wait_for_reassessment, status=STATUS.DONE).count() == 50
    )
    assert tasks.filter(flow_task=ReferralFlow.end_support, status=STATUS.CANCELED).count() == 50
    assert tasks.filter(flow_task=ReferralFlow.reassess).count() == 50
    assert Reassessment.objects.count() == 50
    assert set(Case.objects.values_list("stage", flat=True)) == {Stage.REASSESSMENT}
