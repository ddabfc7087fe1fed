"""Timers and locks: reassessment dates fire once; simultaneous completions never both win."""

import io
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.models import Stage

from .factories import accept, case_in_support, open_task, register_case, task_url


def _fire():
    out = io.StringIO()
    call_command("workflow_timers", stdout=out)
    return out.getvalue()


def test_timer_does_not_fire_before_the_reassessment_date(
    client, skp_standard, team_a, coordinator_a, worker_a
):
    case = case_in_support(client, coordinator_a, worker_a, team_a)

    with time_machine.travel(case.reassessment_due_at - timedelta(hours=1)):
        output = _fire()

    assert output.startswith("0 timer(s) fired")
    assert open_task(case, "reassess") is None


def test_firing_timers_twice_fires_once(client, skp_standard, team_a, coordinator_a, worker_a):
    case = case_in_support(client, coordinator_a, worker_a, team_a)

    with time_machine.travel(case.reassessment_due_at + timedelta(minutes=5)):
        first, second = _fire(), _fire()

    assert first.startswith("1 timer(s) fired")
    assert second.startswith("0 timer(s) fired")
    reassess = Task.objects.filter(
        process_id=case.process_id, flow_task=case.process.flow_class.reassess
    )
    assert reassess.count() == 1
    case.refresh_from_db()
    assert case.stage == Stage.REASSESSMENT
    assert case.reassessments.count() == 1


def test_a_stale_form_submitted_after_the_task_was_completed_gets_a_message(
    client, skp_standard, team_a, coordinator_a, worker_a
):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)
    task = open_task(case, "outreach")
    other_tab = Client()
    other_tab.force_login(worker_a)
    client.force_login(worker_a)
    assert client.post(task_url(task), {"result": "declined"}).status_code == 302

    response = other_tab.post(task_url(task), {"result": "gave_up"}, follow=True)

    assert response.status_code == 200
    assert "This task has been completed." in response.content.decode()
    case.refresh_from_db()
    assert case.outcome == "declined"


def test_a_lock_failure_is_a_message_not_an_error(
    client, skp_standard, team_a, coordinator_a, worker_a, monkeypatch
):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)
    task = open_task(case, "outreach")

    @contextmanager
    def locked(self):
        raise FlowLockFailed("Lock failed")
        yield

    monkeypatch.setattr(Task, "activation", locked)
    client.force_login(worker_a)
    response = client.post(task_url(task), {"result": "declined"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.OUTREACH


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_completing_one_triage_at_once_exactly_one_succeeds(
    skp_standard, team_a, coordinator_a, worker_a
):
    case = register_case(team=team_a)
    task = open_task(case, "triage")
    Task.objects.filter(pk=task.pk).update(owner=coordinator_a, status=STATUS.ASSIGNED)
    decisions = [
        {"decision": "accept", "primary_worker": worker_a.pk},
        {"decision": "decline", "note": "Uden for målgruppen."},
    ]
    barrier = threading.Barrier(2)
    results = []

    def submit(data):
        try:
            browser = Client()
            browser.force_login(coordinator_a)
            barrier.wait()
            response = browser.post(task_url(task), data, follow=True)
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(data,)) for data in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [200, 200]  # never a 500
    case.refresh_from_db()
    done = Task.objects.filter(process_id=case.process_id, flow_task=case.process.flow_class.triage)
    assert done.filter(status=STATUS.DONE).count() == 1
    outreach = Task.objects.filter(
        process_id=case.process_id, flow_task=case.process.flow_class.outreach
    )
    if case.stage == Stage.OUTREACH:
        assert outreach.count() == 1 and case.outcome == ""
    else:
        assert case.stage == Stage.CLOSED and outreach.count() == 0
    messages = [page for _, page in results if "is done." not in page]
    assert len(messages) == 1  # the loser was told, not silently overwritten
