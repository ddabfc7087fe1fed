"""Firing the reassessment timers of many cases in one go.

Viewflow's own sweeper (`viewflow.workflow.timers.fire_due_timers`) fires one timer per
transaction through the flow engine: about 30 queries and 50 ms per timer on PostgreSQL
here, so 10,000 timers falling due together (a migration, a standard whose interval was
shortened, a sweeper that was down over a weekend) would take eight minutes. When the timer
of a case in support fires, the flow always takes the same path:

    wait_for_reassessment (DONE)
    -> support_ended, the join (DONE; it cancels the still open end_support task)
    -> is_reassessment_due, the switch (DONE; the case is in support)
    -> reassess (ASSIGNED to the primary worker, or NEW if the case has none),
       whose onCreate is `services.reassessment_open` (a Reassessment; stage REASSESSMENT)

`fire_due_reassessments` writes exactly those rows for a batch of cases per transaction,
under the lock viewflow takes for any change to a process (the process row, FOR UPDATE),
skipping the processes another sweeper or a user holds at that moment. A batch is written
whole or not at all, so a sweeper killed halfway leaves every case either still waiting or
fully at reassessment. A timer off that path (the case has left support, end_support was
started, a join is already open) is not touched here; viewflow's sweeper, which the
`workflow_timers` command runs afterwards, fires it the slow, general way.
tests/test_timer_sweep.py checks that both ways write the same rows.
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from ..models import Case, Reassessment, Stage
from .cases import new_reassessment

BATCH_SIZE = 250

# end_support states the join may cancel (viewflow's View node cancels NEW or ASSIGNED).
_CANCELLABLE = [STATUS.NEW, STATUS.ASSIGNED]


def _flow():
    from ..flows import ReferralFlow

    return ReferralFlow


def _due_timers(now):
    """Due reassessment timers whose case is on the plain path (see the module docstring)."""
    flow = _flow()
    process = OuterRef("process_id")
    return Task.objects.filter(
        flow_task=flow.wait_for_reassessment,
        status=STATUS.SCHEDULED,
        scheduled__lte=now,
    ).filter(
        Exists(Case.objects.filter(process_id=process, stage=Stage.SUPPORT)),
        Exists(
            Task.objects.filter(
                process_id=process, flow_task=flow.end_support, status__in=_CANCELLABLE
            )
        ),
        ~Exists(
            Task.objects.filter(
                process_id=process,
                flow_task=flow.support_ended,
                status__in=[STATUS.NEW, STATUS.STARTED],
            )
        ),
    )


def fire_due_reassessments(*, now=None, batch_size=BATCH_SIZE):
    """Fire the due reassessment timers of cases in support; returns how many fired."""
    fired = 0
    passed_over = set()
    while True:
        with transaction.atomic():
            count, skipped = _fire_batch(now or timezone.now(), batch_size, passed_over)
        fired += count
        passed_over |= skipped
        if not count and not skipped:
            return fired


def _fire_batch(now, batch_size, passed_over):
    """One transaction: lock a batch of processes, fire their timers; (fired, passed over)."""
    flow = _flow()
    # Lock the processes of the first due timers that no other sweeper (or user) holds.
    locked = (
        _due_timers(now)
        .exclude(process_id__in=passed_over)
        .select_related("process")
        .select_for_update(skip_locked=True, of=("process",))
        .order_by("scheduled", "pk")
    )
    process_ids = [task.process_id for task in locked.only("pk", "process__id")[:batch_size]]
    if not process_ids:
        return 0, set()

    # Re-read under the lock: another sweeper or a user may have moved on meanwhile.
    timers = {
        task.process_id: task
        for task in _due_timers(now).filter(process_id__in=process_ids).order_by()
    }
    ends = {
        task.process_id: task
        for task in Task.objects.filter(
            process_id__in=timers, flow_task=flow.end_support, status__in=_CANCELLABLE
        )
    }
    cases = {
        case.process_id: case
        for case in Case.objects.filter(process_id__in=timers, stage=Stage.SUPPORT).only(
            "pk",
            "process_id",
            "primary_worker_id",
            "reassessment_due_at",
            "reassessment_revision_id",
        )
    }
    ready = [pk for pk in timers if pk in ends and pk in cases]
    skipped = set(process_ids) - set(ready)
    if not ready:
        return 0, skipped

    Task.objects.filter(pk__in=[timers[pk].pk for pk in ready]).update(
        status=STATUS.DONE, started=now, finished=now
    )
    Task.objects.filter(pk__in=[ends[pk].pk for pk in ready]).update(
        status=STATUS.CANCELED, finished=now
    )

    joins, switches, reassessments = [], [], []
    for pk in ready:
        token = Token(str(timers[pk].token))
        if token.is_split_token():
            token = token.get_base_split_token()
        owner_id = cases[pk].primary_worker_id
        joins.append(
            _task(flow.support_ended, pk, token, now, status=STATUS.DONE, started=now, finished=now)
        )
        switches.append(
            _task(flow.is_reassessment_due, pk, token, now, status=STATUS.DONE, finished=now)
        )
        reassessments.append(
            _task(
                flow.reassess,
                pk,
                token,
                now,
                status=STATUS.ASSIGNED if owner_id else STATUS.NEW,
                owner_id=owner_id,
                # The node's own permission (a name, not a callable: no activation asked).
                owner_permission=flow.reassess.calc_owner_permission(None),
            )
        )
    Task.objects.bulk_create(joins + switches + reassessments)

    link = Task.previous.through
    links = []
    for index, pk in enumerate(ready):
        links += [
            link(from_task_id=joins[index].pk, to_task_id=timers[pk].pk),
            link(from_task_id=switches[index].pk, to_task_id=joins[index].pk),
            link(from_task_id=reassessments[index].pk, to_task_id=switches[index].pk),
        ]
    link.objects.bulk_create(links)

    # What `services.reassessment_open` does for one case, for the batch.
    Case.objects.filter(pk__in=[cases[pk].pk for pk in ready]).update(stage=Stage.REASSESSMENT)
    Reassessment.objects.bulk_create(new_reassessment(cases[pk], opened_at=now) for pk in ready)
    return len(ready), skipped


def _task(node, process_id, token, now, *, status, **fields):
    return Task(
        flow_task=node,
        flow_task_type=node.task_type,
        process_id=process_id,
        token=token,
        status=status,
        created=now,
        data={},
        **fields,
    )


def reassessment_timer_states():
    """Cases in support or at reassessment, counted by how far their timer got.

    "waiting": in support, timer scheduled, end_support open, nothing of a reassessment yet;
    "fired": at reassessment, timer done, end_support closed, the reassess task and an
    undecided Reassessment open; "no timer": in support without a reassessment date;
    "inconsistent": anything else (half-fired, fired twice, a stray join): should be 0.
    """
    from collections import Counter

    flow = _flow()
    tasks = Task.objects.filter(process_id=OuterRef("process_id"))
    open_statuses = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
    timer = tasks.filter(flow_task=flow.wait_for_reassessment)
    rows = (
        Case.objects.filter(stage__in=[Stage.SUPPORT, Stage.REASSESSMENT])
        .annotate(
            scheduled=Exists(timer.filter(status=STATUS.SCHEDULED)),
            started=Exists(timer.filter(status=STATUS.STARTED)),
            end_open=Exists(tasks.filter(flow_task=flow.end_support, status__in=open_statuses)),
            join_open=Exists(tasks.filter(flow_task=flow.support_ended, status__in=open_statuses)),
            reassess_open=Count(
                "process__task",
                filter=Q(process__task__flow_task=flow.reassess)
                & Q(process__task__status__in=open_statuses),
                distinct=True,
            ),
            undecided=Count(
                "reassessments", filter=Q(reassessments__decided_at=None), distinct=True
            ),
        )
        .values_list(
            "stage", "scheduled", "started", "end_open", "join_open", "reassess_open", "undecided"
        )
    )
    states = Counter()
    for stage, scheduled, started, end_open, join_open, reassess_open, undecided in rows:
        if started or join_open:
            states["inconsistent"] += 1
        elif stage == Stage.SUPPORT and end_open and not reassess_open and not undecided:
            states["waiting" if scheduled else "no timer"] += 1
        elif (
            stage == Stage.REASSESSMENT
            and not scheduled
            and not end_open
            and reassess_open == 1
            and undecided == 1
        ):
            states["fired"] += 1
        else:
            states["inconsistent"] += 1
    return states
