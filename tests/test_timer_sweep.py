"""The batch timer sweep: same rows as viewflow's engine, once only, nothing half-done."""

import io
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from workflows.flows import ReferralFlow
from workflows.management.commands.generate_cases import CaseGenerator
from workflows.models import Case, Reassessment, Stage
from workflows.services.timers import fire_due_reassessments, reassessment_timer_states

ROOT = Path(__file__).resolve().parent.parent


def _support_cases(count, seed):
    """`count` generated cases in support, each with a scheduled reassessment timer."""
    before = set(Case.objects.values_list("pk", flat=True))
    CaseGenerator(seed=seed).generate(kinds=["support"] * count)
    return list(Case.objects.exclude(pk__in=before).order_by("pk"))


def _make_due(cases):
    due = timezone.now() - timezone.timedelta(minutes=1)
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(reassessment_due_at=due)
    Task.objects.filter(
        process__case__in=cases,
        flow_task=ReferralFlow.wait_for_reassessment,
        status=STATUS.SCHEDULED,
    ).update(scheduled=due)


def _whose(task, case):
    if task.owner_id is None:
        return None
    return "primary worker" if task.owner_id == case.primary_worker_id else "another user"


def _snapshot(case):
    """What firing wrote for one case, without ids and clock readings."""
    case.refresh_from_db()
    split = Task.objects.get(process_id=case.process_id, flow_task=ReferralFlow.support)
    later = Task.objects.filter(process_id=case.process_id, pk__gt=split.pk).order_by("pk")
    tasks = []
    for task in later.prefetch_related("previous"):
        tasks.append(
            (
                task.flow_task.name,
                task.flow_task_type,
                task.status,
                str(task.token).replace(str(split.pk), "<split>"),
                _whose(task, case),
                task.owner_permission,
                task.data,
                tuple(name for name in ("started", "finished") if getattr(task, name)),
                task.assigned is None,
                sorted(previous.flow_task.name for previous in task.previous.all()),
            )
        )
    reassessments = [
        (r.due_at == case.reassessment_due_at, r.standard_revision_id, r.decided_at, r.decision)
        for r in case.reassessments.all()
    ]
    return case.stage, tasks, reassessments, case.reassessment_revision_id


def test_the_batch_sweep_writes_what_viewflow_writes(skp_standard, coordinator_a, worker_a):
    by_viewflow = _support_cases(3, seed=11)
    by_batch = _support_cases(3, seed=12)
    # One case of each kind has no primary worker: its reassess task is NEW, not ASSIGNED.
    Case.objects.filter(pk__in=[by_viewflow[0].pk, by_batch[0].pk]).update(primary_worker=None)

    _make_due(by_viewflow)
    assert fire_due_timers() == 3
    _make_due(by_batch)
    assert fire_due_reassessments() == 3

    expected = [_snapshot(case) for case in by_viewflow]
    for case, snapshot in zip(by_batch, expected, strict=True):
        assert _snapshot(case) == snapshot
    stage, tasks, reassessments, _ = expected[1]
    assert stage == Stage.REASSESSMENT
    assert [task[:3] for task in tasks] == [
        ("wait_for_reassessment", "TIMER", STATUS.DONE),
        ("end_support", "HUMAN", STATUS.CANCELED),
        ("support_ended", "JOIN", STATUS.DONE),
        ("is_reassessment_due", "SWITCH", STATUS.DONE),
        ("reassess", "HUMAN", STATUS.ASSIGNED),
    ]
    assert len(reassessments) == 1
    assert _snapshot(by_batch[0])[1][-1][:3] == ("reassess", "HUMAN", STATUS.NEW)


def test_a_timer_off_the_plain_path_is_left_to_viewflow(skp_standard, coordinator_a, worker_a):
    plain, handing_over = _support_cases(2, seed=13)
    # The case was put up for handover while its timer waited: the flow goes elsewhere.
    Case.objects.filter(pk=handing_over.pk).update(stage=Stage.HANDOVER)
    _make_due([plain, handing_over])

    assert fire_due_reassessments() == 1
    handing_over.refresh_from_db()
    assert handing_over.stage == Stage.HANDOVER
    out = io.StringIO()
    call_command("workflow_timers", stdout=out)

    assert out.getvalue().startswith("1 timer(s) fired")  # viewflow's sweeper fired the other
    hand_over = Task.objects.get(
        process_id=handing_over.process_id, flow_task=ReferralFlow.hand_over
    )
    assert hand_over.status == STATUS.ASSIGNED
    assert not Reassessment.objects.filter(case=handing_over).exists()


def test_timer_states_tell_waiting_fired_and_inconsistent(skp_standard, coordinator_a, worker_a):
    cases = _support_cases(3, seed=14)
    assert reassessment_timer_states()["waiting"] == 3

    _make_due(cases[:2])
    fire_due_reassessments()
    assert reassessment_timer_states() == {"waiting": 1, "fired": 2}

    # A half-fired case (timer started, nothing after it) is reported, not hidden.
    Task.objects.filter(
        process_id=cases[2].process_id, flow_task=ReferralFlow.wait_for_reassessment
    ).update(status=STATUS.STARTED)
    assert reassessment_timer_states() == {"fired": 2, "inconsistent": 1}


# --- PostgreSQL: several sweepers, and one killed halfway ------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)
# serialized_rollback: the flush after the test would otherwise remove the page tree.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _sweeper(*args):
    """`manage.py workflow_timers` in a process of its own, on the test database."""
    settings = connection.settings_dict
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
        **{key: settings[key] or "" for key in ("USER", "HOST", "PORT", "NAME")}
    )
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="intranet.test_settings")
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), "workflow_timers", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def _table_held(table):
    """Another connection holds `table` (writes wait) until the block ends."""
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")
    finally:
        holder.close()


def _wait_until_waiting_on_locks(count, processes):
    """Until `count` other sessions wait for a lock (or a process ended: it will fail)."""
    deadline = time.monotonic() + 120
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and all(p.poll() is None for p in processes):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)


def _fired_count():
    return Task.objects.filter(
        flow_task=ReferralFlow.wait_for_reassessment, status=STATUS.DONE
    ).count()


@postgres_only
@committed
def test_two_sweepers_started_together_fire_each_timer_once(skp_standard, coordinator_a, worker_a):
    cases = _support_cases(300, seed=15)
    _make_due(cases)

    # Start-up time differs between the two processes; so that the first cannot finish
    # before the second begins, hold the Reassessment table until each has locked a batch
    # and waits to write it (a test-side barrier: the command knows nothing of it).
    with _table_held("workflows_reassessment"):
        sweepers = [_sweeper("--batch-size", "25") for _ in range(2)]
        _wait_until_waiting_on_locks(2, sweepers)
    outputs = [sweeper.communicate(timeout=300) for sweeper in sweepers]

    assert [sweeper.returncode for sweeper in sweepers] == [0, 0], outputs
    counts = [int(out.split(" timer(s) fired")[0]) for out, _err in outputs]
    assert sum(counts) == 300
    assert all(count > 0 for count in counts), counts  # both took a share
    assert reassessment_timer_states() == {"fired": 300}
    assert Task.objects.filter(flow_task=ReferralFlow.reassess).count() == 300
    assert Reassessment.objects.count() == 300


@postgres_only
@committed
def test_a_sweeper_killed_halfway_leaves_nothing_half_done(skp_standard, coordinator_a, worker_a):
    cases = _support_cases(400, seed=16)
    _make_due(cases)

    sweeper = _sweeper("--batch-size", "20")
    deadline = time.monotonic() + 120
    while _fired_count() == 0 and sweeper.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    sweeper.send_signal(signal.SIGKILL)
    sweeper.wait(timeout=30)

    fired = _fired_count()
    assert 0 < fired < 400, "the sweeper was not stopped halfway"
    states = reassessment_timer_states()
    assert states == {"fired": fired, "waiting": 400 - fired}
    assert Reassessment.objects.count() == fired

    assert fire_due_reassessments() == 400 - fired  # the next run does the rest, once
    assert reassessment_timer_states() == {"fired": 400}
    assert Reassessment.objects.count() == 400
