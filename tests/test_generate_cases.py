"""generate_cases: synthetic cases whose process rows agree with the flow, the same per seed."""

import pytest
from django.core.management import call_command
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from workflows.models import Case, Stage

OPEN = [STATUS.NEW, STATUS.ASSIGNED]

# The human task a case waits at, per stage.
ACTIVE_TASK = {
    Stage.TRIAGE: {"triage"},
    Stage.OUTREACH: {"outreach"},
    Stage.SUPPORT: {"end_support"},
    Stage.REASSESSMENT: {"reassess"},
    Stage.HANDOVER: {"hand_over", "acknowledge_handover"},
}


@pytest.fixture
def reference_data(skp_standard, coordinator_a, worker_a, worker_a2, receiver):
    """A live standard, its team with a coordinator and workers, a receiving team."""


def _fingerprint(cases):
    """What a seed decides, without ids and timestamps."""
    return [
        (
            case.stage,
            case.outcome,
            case.person.alias,
            case.person.cpr,
            case.primary_worker_id,
            [
                (task.flow_task.name, task.status, str(task.token).split("/")[0])
                for task in Task.objects.filter(process_id=case.process_id).order_by(
                    "created", "pk"
                )
            ],
            case.contacts.count(),
            case.goals.count(),
        )
        for case in cases
    ]


def test_every_stage_is_generated_with_its_active_task(reference_data):
    call_command("generate_cases", count=60, seed=3, open=45, verbosity=0)

    cases = Case.objects.select_related("process")
    assert cases.count() == 60
    # Intake is a stage no service sets (a referral starts at triage), so none is made.
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values) - {Stage.INTAKE}
    for case in cases.select_related("referral"):
        assert case.referral_received_at == case.referral.received_at
        tasks = Task.objects.filter(process_id=case.process_id)
        open_human = tasks.filter(flow_task_type="HUMAN", status__in=OPEN)
        if case.stage == Stage.CLOSED:
            assert case.process.status == PROCESS.DONE
            assert case.closed_at is not None and case.outcome
            assert not tasks.filter(status__in=[*OPEN, STATUS.SCHEDULED]).exists()
            assert tasks.filter(flow_task_type="END", status=STATUS.DONE).count() == 1
            continue
        assert case.process.status == PROCESS.NEW
        assert open_human.count() == 1, case.stage
        assert open_human.get().flow_task.name in ACTIVE_TASK[case.stage]
        timers = tasks.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED)
        if case.stage == Stage.SUPPORT:
            assert timers.get().scheduled == case.reassessment_due_at
        else:
            assert not timers.exists()
        # Every task but the start follows another.
        for task in tasks.exclude(flow_task_type="START"):
            assert task.previous.exists()


def test_the_same_seed_gives_the_same_data(reference_data):
    call_command("generate_cases", count=30, seed=5, open=15, verbosity=0)
    first_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    call_command("generate_cases", count=30, seed=5, open=15, verbosity=0)
    call_command("generate_cases", count=30, seed=6, open=15, verbosity=0)
    cases = list(Case.objects.select_related("person").order_by("pk"))

    first, second, other = cases[:30], cases[30:60], cases[60:]

    assert [case.pk for case in first] == first_ids
    assert _fingerprint(first) == _fingerprint(second)
    assert _fingerprint(first) != _fingerprint(other)


def test_generated_handovers_go_on_through_the_real_flow(reference_data, receiver, worker_a):
    """A generated sent handover is acknowledged, or ended by a withdrawn consent, by the
    flow itself: the rows are the ones the flow would have left."""
    from workflows import services
    from workflows.models import HandoverBasis, Outcome

    sent = Case.objects.filter(
        stage=Stage.HANDOVER, handover_sent_at__isnull=False, handover_basis=HandoverBasis.CONSENT
    ).order_by("pk")
    for seed in (3, 4, 5):  # each seed gives a few sent handovers
        call_command("generate_cases", count=60, seed=seed, open=45, verbosity=0)
        if sent.count() >= 2:
            break
    assert sent.count() >= 2
    acknowledged, withdrawn = sent[0], sent[1]
    ack = Task.objects.get(
        process_id=acknowledged.process_id, flow_task_type="HUMAN", status__in=OPEN
    )
    services.task_claim(task=ack, user=receiver)

    services.task_complete(
        task=ack,
        user=receiver,
        work=lambda case: services.handover_acknowledge(case=case, by=receiver),
    )
    services.consent_withdraw(consent=withdrawn.handover_consent, by=worker_a)

    acknowledged.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (acknowledged.stage, acknowledged.outcome) == (Stage.CLOSED, Outcome.HANDED_OVER)
    assert acknowledged.process.status == PROCESS.DONE
    assert withdrawn.stage == Stage.REASSESSMENT
    reassess = Task.objects.get(
        process_id=withdrawn.process_id, flow_task_type="HUMAN", status__in=OPEN
    )
    assert reassess.flow_task.name == "reassess"
