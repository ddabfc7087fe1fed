"""Task queues: what a user and a team have to do, and claiming, assigning and completing.

Every operation on a task runs under the flow's process lock (`task.activation()`), which is
its own transaction; so none of these functions is wrapped in another `transaction.atomic`
(a failed `SELECT ... FOR UPDATE NOWAIT` inside an outer transaction would poison it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from intranet.locale import timesince
from pages.models import TeamPage

from ..models import (
    Case,
    case_visibility,
    first_contact_overdue_q,
    receiving_team_visibility,
    team_ids_for,
)
from .people import users_with_perm_in_team

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED]


class TaskUnavailable(Exception):
    """The task is done, cancelled, or not this user's to take or complete."""


def _flow():
    from ..flows import ReferralFlow

    return ReferralFlow


# The columns a task list reads (templates/workflows/includes/task_table.html, the staff
# home panel, `task_rows` and the nodes' team rule): a task, its case, person and referral
# are wide rows (JSON data, ~70 case columns), and building the instances from all of them
# was most of a list's time. Anything else is loaded on access (one query per row: keep
# this list in step with what the lists show; tests/test_query_counts.py notices).
TASK_LIST_FIELDS = (
    "flow_task",
    "flow_task_type",
    "status",
    "created",
    "owner_permission",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "process__flow_class",
    "process__status",
    "process__case__stage",
    "process__case__first_contact_due",
    "process__case__first_contact_deadline",
    "process__case__first_contact_as_soon_as_possible",
    "process__case__standard_revision",
    "process__case__first_contact_at",
    "process__case__person__name",
    "process__case__person__alias",
    "process__case__team",
    "process__case__handover_team",
)


def open_tasks():
    """Open human tasks of the referral process, with what lists show about their case
    (see TASK_LIST_FIELDS)."""
    return (
        Task.objects.filter(
            process__flow_class=_flow(), flow_task_type="HUMAN", status__in=OPEN_STATUSES
        )
        .select_related("owner", "process__case__person")
        .only(*TASK_LIST_FIELDS)
        # Two values of a wide page and of the referral, not an instance of each a row.
        .annotate(
            case_team_title=F("process__case__team__title"),
            case_acute=F("process__case__referral__acute"),
        )
        # "As soon as possible" has no clock but comes first; then the nearest deadline.
        .order_by(
            F("process__case__first_contact_as_soon_as_possible").desc(),
            F("process__case__first_contact_deadline").asc(nulls_last=True),
            "created",
            "pk",
        )
    )


def visible_tasks(user, tasks=None):
    """`tasks` (default: all) whose case the user may see; a receiving team sees its
    acknowledge task only. The rule is applied to the tasks' own cases (a join), so a
    queue costs the same however many closed cases the team has."""
    acknowledge = _flow().acknowledge_handover
    tasks = Task.objects.all() if tasks is None else tasks
    # `case_visibility` for every task, `summary_visibility` for acknowledge tasks, written
    # without stating the case rule twice (the query is built and compiled on every list).
    return tasks.filter(
        case_visibility(user, "process__case__")
        | (Q(flow_task=acknowledge) & receiving_team_visibility(user, "process__case__"))
    )


def tasks_for_user(user):
    """The user's own open tasks."""
    return visible_tasks(user, open_tasks().filter(owner=user))


def queue_nodes():
    """The tasks that can stand in a queue (for the queue filter)."""
    from ..nodes import TeamTask

    return [node for node in _flow().instance.nodes() if isinstance(node, TeamTask)]


def team_queue(
    user,
    team: TeamPage,
    *,
    task_name: str = "",
    assignment: str = "",
    overdue_only: bool = False,
):
    """Open tasks in a team's queue: its own cases' tasks and handovers sent to it."""
    if team.pk not in team_ids_for(user):
        return Task.objects.none()
    flow = _flow()
    acknowledge = flow.acknowledge_handover
    tasks = open_tasks().filter(
        (~Q(flow_task=acknowledge) & Q(process__case__team=team))
        | (Q(flow_task=acknowledge) & Q(process__case__handover_team=team))
    )
    tasks = visible_tasks(user, tasks)
    # no_obsolete: an unknown name is no node (viewflow would make an 'obsolete' one).
    node = flow.instance.node(task_name, no_obsolete=True) if task_name else None
    if node is not None and node in queue_nodes():
        tasks = tasks.filter(flow_task=node)
    if assignment == "unassigned":
        tasks = tasks.filter(owner__isnull=True)
    elif assignment == "mine":
        tasks = tasks.filter(owner=user)
    elif assignment == "others":
        tasks = tasks.exclude(owner=user).exclude(owner__isnull=True)
    if overdue_only:
        tasks = tasks.filter(first_contact_overdue_q(timezone.now(), "process__case__"))
    return tasks


@dataclass
class TaskRow:
    """A task as a list shows it, with what the user may do to it."""

    task: Any
    case: Case
    can_claim: bool
    can_execute: bool
    can_unassign: bool
    colleagues: list

    # What the task table shows of the row, read in one step each (a template's dotted
    # lookups through task, node and owner cost more than the rest of the row).
    @property
    def title(self):
        return self.task.flow_task.task_title

    @property
    def opened(self):
        return _("opened %(since)s ago") % {"since": timesince(self.task.created)}

    @property
    def is_handover(self):
        return self.task.flow_task.name == "acknowledge_handover"

    @property
    def person(self):
        return str(self.case.person)

    @property
    def owner_name(self):
        owner = self.task.owner
        return (owner.get_full_name() or owner.username) if owner else ""

    # `open_tasks` annotates the team's title and the referral's acuteness; a case page's
    # rows (`case_open_tasks`) have the case with its team and referral loaded instead.
    @property
    def team_title(self):
        title = getattr(self.task, "case_team_title", None)
        return self.case.team.title if title is None else title

    @property
    def is_acute(self):
        if hasattr(self.task, "case_acute"):
            return bool(self.task.case_acute)
        try:
            return self.case.referral.acute
        except Case.referral.RelatedObjectDoesNotExist:
            return False

    @cached_property
    def is_overdue(self):
        """The case's first contact is overdue (`first_contact_overdue_q`)."""
        return self.case.is_first_contact_overdue


def task_rows(user, tasks) -> list[TaskRow]:
    """Rows for a task list; colleagues are loaded once per team and permission."""
    team_ids = team_ids_for(user)
    may_manage = user.has_perm("workflows.manage_queue")
    candidates = {}
    rows = []
    for task in tasks:
        node = task.flow_task
        team_id = node.team_id(task.process)
        colleagues = []
        if may_manage and team_id in team_ids and task.owner_permission:
            key = (team_id, task.owner_permission)
            if key not in candidates:
                candidates[key] = list(users_with_perm_in_team(team_id, task.owner_permission))
            colleagues = [c for c in candidates[key] if c.pk != task.owner_id]
        rows.append(
            TaskRow(
                task=task,
                case=task.process.case,
                can_claim=task.owner_id is None and node.is_eligible(user, task, team_ids),
                can_execute=task.owner_id == user.pk and node.is_eligible(user, task, team_ids),
                can_unassign=task.owner_id is not None
                and (task.owner_id == user.pk or (may_manage and team_id in team_ids)),
                colleagues=colleagues,
            )
        )
    return rows


def task_claim(*, task: Task, user) -> Task:
    """Take an unassigned task from the queue."""
    with task.activation() as activation:
        if not activation.assign.can_proceed() or not activation.flow_task.can_assign(
            user, activation.task
        ):
            raise TaskUnavailable(_("The task has already been taken or completed."))
        activation.task.assigned = timezone.now()
        activation.assign(user)
        return activation.task


def task_assign(*, task: Task, to, by) -> Task:
    """A coordinator gives a task to a colleague of the team (who must be able to do it)."""
    with task.activation() as activation:
        node, current = activation.flow_task, activation.task
        team_id = node.team_id(current.process)
        if not by.has_perm("workflows.manage_queue") or team_id not in team_ids_for(by):
            raise TaskUnavailable(_("You may not assign tasks in this team's queue."))
        if not node.is_eligible(to, current, team_ids_for(to)):
            raise TaskUnavailable(
                _("%(name)s cannot do this task.") % {"name": to.get_full_name() or to}
            )
        current.assigned = timezone.now()
        if activation.assign.can_proceed():
            activation.assign(to)
        elif activation.reassign.can_proceed():
            activation.reassign(to)
        else:
            raise TaskUnavailable(_("The task has already been completed."))
        return current


def task_unassign(*, task: Task, by) -> Task:
    """Put a task back in the queue."""
    with task.activation() as activation:
        if not activation.unassign.can_proceed() or not activation.flow_task.can_unassign(
            by, activation.task
        ):
            raise TaskUnavailable(_("The task cannot be put back in the queue."))
        activation.task.assigned = None
        activation.unassign()
        return activation.task


def task_complete(*, task: Task, user, work: Callable[[Case], Any], decision: str = "") -> Any:
    """Do a task's work on its case and complete it, all under the process lock.

    `work` receives the case as the flow sees it and calls a service; if it raises, nothing
    of the task's work is saved and the task stays open.
    """
    with task.activation() as activation:
        if not activation.start.can_proceed() or not activation.flow_task.can_execute(
            user, activation.task
        ):
            raise TaskUnavailable(
                _("This task is no longer yours to complete: it has been completed or moved.")
            )
        result = work(activation.process.case)
        if decision:
            activation.task.data = {**(activation.task.data or {}), "decision": decision}
        activation.start(None)
        activation.execute()
        return result


def handover_withdraw(*, case: Case) -> None:
    """The consent a sent handover rests on is withdrawn (from `consent_withdraw`, inside its
    transaction). Not yet acknowledged: the flow's `consent_withdrawn` node runs, which ends
    the handover, cancels the acknowledge task and opens the team's reassessment. Otherwise
    the case only records the withdrawal, which closes the summary to the receiving team.
    """
    flow = _flow()
    # Wait (not NOWAIT: this runs inside a transaction) for whoever works on the process now,
    # e.g. the receiving team acknowledging; the node's own lock then finds it held by us.
    Process.objects.select_for_update().filter(pk=case.process_id).exists()
    pending = Task.objects.filter(
        process_id=case.process_id, flow_task=flow.consent_withdrawn, status=STATUS.NEW
    ).first()
    if pending is not None:
        flow.consent_withdrawn.run(pending)
        return
    Case.objects.filter(pk=case.pk, handover_withdrawn_at__isnull=True).update(
        handover_withdrawn_at=timezone.now()
    )


def case_tasks(case: Case):
    """The tasks of a case's process that staff see in its timeline, oldest first.

    Each task's process is loaded and knows `case` (no second query for it).
    """
    if case.process_id is None:
        return []
    tasks = list(
        Task.objects.filter(
            process_id=case.process_id, flow_task_type__in=["HUMAN", "START", "TIMER", "END"]
        )
        .select_related("owner", "process")
        .order_by("created", "pk")
    )
    for task in tasks:
        task.process.case = case
    return tasks


def case_open_tasks(case: Case, tasks=None):
    """A case's open human tasks, as `open_tasks` has them, from its `case_tasks` (`tasks`
    when the caller has them already): the case page shows both without loading twice."""
    if tasks is None:
        tasks = case_tasks(case)
    return [
        task
        for task in tasks
        if task.flow_task_type == "HUMAN"
        and task.status in OPEN_STATUSES
        and task.process.flow_class == _flow()
    ]
