"""The paths a generated case can take, each walked once through the services and the flow.

A walk registers a referral and takes it, task by task, through the same services the task
screens call, in a transaction that is then rolled back. What it left behind (the task rows
with their statuses, tokens and links, and the case's fields) is kept as a `Pattern`, which
the generator copies many times over. The generator keeps no copy of the flow or of the
rules: a change to either reaches the generated data through the walk.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from pages.models import TeamPage
from pages.rules import rules_in_force

from .. import services
from ..flows import ReferralFlow
from ..models import (
    WORKER_OUTCOMES,
    Case,
    Channel,
    ConsentForm,
    ContactKind,
    HandoverBasis,
    Person,
    Reassessment,
)

# Fields the generator sets itself: who the case is about, its own clock and numbering.
_OWN_FIELDS = {"id", "person", "process", "reference", "referral_received_at", "created_at"}
_OWN_FIELDS |= {"first_contact_due", "first_contact_deadline", "first_contact_as_soon_as_possible"}
_OWN_FIELDS |= {"first_contact_at", "reassessment_due_at"}


@dataclass
class Cast:
    """Who a walk's tasks go to: the team's coordinator and worker, a receiving team's user."""

    team: object
    coordinator: object
    worker: object
    receivers: dict  # team pk -> users who acknowledge handovers there

    def roles(self, receiver=None):
        roles = {self.coordinator.pk: "coordinator", self.worker.pk: "worker"}
        if receiver is not None:
            roles[receiver.pk] = "receiver"
        return roles


@dataclass
class PatternTask:
    node: object
    status: str
    owner: str | None  # a role of the cast
    owner_permission: str
    data: dict
    previous: list  # indexes of earlier tasks
    token: list  # ("start" or (split task index, branch number)) parts
    marks: tuple  # which of assigned, started, finished, scheduled the flow set
    finished_at: int | None  # index of the task at whose time it finished (see `_anchor`)


@dataclass
class Row:
    """A row as the walk left it: plain values, times (as task indexes) and people (roles)."""

    values: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)


@dataclass
class Pattern:
    kind: str
    tasks: list
    process_status: str
    process_finished_at: int | None
    case: Row
    reassessments: list
    consents: list
    handover_teams: list
    worker_outcome: bool  # the outcome is the worker's choice among WORKER_OUTCOMES


class _Walk:
    """One referral taken through the services, as staff would on the task screens."""

    def __init__(self, cast, basis):
        self.cast, self.basis = cast, basis
        self.receiver = None
        self.case = services.referral_register(
            team=cast.team,
            person=Person(alias="Mønster"),
            concern="Mønster for genererede sager.",
            channel=Channel.PHONE,
            registered_by=cast.coordinator,
        )

    def _task(self, name):
        return (
            Task.objects.filter(
                process_id=self.case.process_id,
                flow_task=getattr(ReferralFlow, name),
                status__in=services.tasks.OPEN_STATUSES,
            )
            .order_by("-pk")
            .first()
        )

    def claim(self, name, user):
        services.task_claim(task=self._task(name), user=user)

    def complete(self, name, user, decision, work):
        task = self._task(name)
        if task.owner_id is None:
            services.task_claim(task=task, user=user)
            task.refresh_from_db()
        services.task_complete(task=task, user=user, work=work, decision=decision)
        self.case.refresh_from_db()

    # --- the steps ---------------------------------------------------------------------

    def triage(self, decision, **arguments):
        work = {
            "accept": services.referral_accept,
            "redirect": services.referral_redirect,
            "decline": services.referral_decline,
        }[decision]
        coordinator = self.cast.coordinator
        self.complete(
            "triage",
            coordinator,
            decision,
            lambda c: work(case=c, triaged_by=coordinator, **arguments),
        )

    def accept(self):
        self.triage("accept", primary_worker=self.cast.worker)

    def contact(self, *, achieved):
        services.contact_log_add(
            case=self.case,
            worker=self.cast.worker,
            kind=ContactKind.PUBLIC_SPACE,
            achieved=achieved,
            duration_minutes=30 if achieved else None,
        )

    def finish_outreach(self, result):
        worker = self.cast.worker
        self.complete(
            "outreach",
            worker,
            result,
            lambda c: services.outreach_finish(case=c, result=result, by=worker),
        )

    def end_support(self, next_step, outcome=""):
        worker = self.cast.worker
        self.complete(
            "end_support",
            worker,
            next_step,
            lambda c: services.support_end(case=c, next_step=next_step, outcome=outcome, by=worker),
        )

    def fire_timer(self):
        """The reassessment date has come: the timer fires as `workflow_timers` fires it."""
        timer = Task.objects.get(
            process_id=self.case.process_id,
            flow_task=ReferralFlow.wait_for_reassessment,
            status=STATUS.SCHEDULED,
        )
        with timer.activation() as activation:
            activation.start()
            activation.execute()
        self.case.refresh_from_db()

    def reassess(self, decision, outcome=""):
        worker = self.cast.worker
        self.complete(
            "reassess",
            worker,
            decision,
            lambda c: services.reassessment_decide(
                case=c,
                decision=decision,
                note="Vurderet sammen med borgeren.",
                outcome=outcome,
                by=worker,
            ),
        )

    def receiving_teams(self):
        teams = services.handover_teams(case=self.case).values_list("pk", flat=True)
        return [pk for pk in teams if pk in self.cast.receivers]

    def send_handover(self):
        worker, team = self.cast.worker, self.receiving_team()
        if self.basis == HandoverBasis.CONSENT:
            services.consent_record(
                case=self.case,
                receiver=team,
                information="Boligsituation og kontaktoplysninger.",
                form=ConsentForm.WRITTEN,
                by=worker,
            )
        legal_note = ""
        if self.basis == HandoverBasis.DUTY_TO_NOTIFY:
            legal_note = "Underretning efter servicelovens § 154."
        self.complete(
            "hand_over",
            worker,
            "sent",
            lambda c: services.case_hand_over(
                case=c,
                receiving_team=team,
                summary="Borgeren ønsker støtte fra jer; se vores opsummering.",
                basis=self.basis,
                legal_note=legal_note,
                by=worker,
            ),
        )

    def receiving_team(self):
        return TeamPage.objects.get(pk=self.receiving_teams()[0])

    def acknowledge(self):
        receiver = self.receiver = self.cast.receivers[self.case.handover_team_id][0]
        self.complete(
            "acknowledge_handover",
            receiver,
            "acknowledged",
            lambda c: services.handover_acknowledge(case=c, by=receiver),
        )


# --- the paths -----------------------------------------------------------------------------


def _in_support(walk):
    walk.accept()
    walk.contact(achieved=True)
    walk.finish_outreach(services.OutreachResult.CONTACT_MADE)


def _at_reassessment(walk):
    _in_support(walk)
    walk.fire_timer()


def _handover_sent(walk):
    _in_support(walk)
    walk.end_support(services.SupportNext.HAND_OVER)
    walk.send_handover()


def _outreach_ended(result, *, achieved):
    def path(walk):
        walk.accept()
        walk.contact(achieved=achieved)
        walk.finish_outreach(result)

    return path


def _claimed(walk):
    walk.claim("triage", walk.cast.coordinator)


def _handover_draft(walk):
    _in_support(walk)
    walk.end_support(services.SupportNext.HAND_OVER)


def _redirected(walk):
    reasons = rules_in_force(team=walk.cast.team).redirects
    walk.triage("redirect", reason=next(iter(reasons)))


def _declined(walk):
    walk.triage("decline", note="Uden for målgruppen.")


def _support_closed(walk):
    _in_support(walk)
    walk.end_support(services.SupportNext.CLOSE, WORKER_OUTCOMES[0])


def _reassess_closed(walk):
    _at_reassessment(walk)
    walk.reassess(Reassessment.Decision.CLOSE, WORKER_OUTCOMES[0])


def _handed_over(walk):
    _handover_sent(walk)
    walk.acknowledge()


# kind -> the steps after registration. The kinds' names and mix are the command's.
PATHS = {
    "triage_new": lambda walk: None,
    "triage_claimed": _claimed,
    "outreach": lambda walk: walk.accept(),
    "support": _in_support,
    "reassessment": _at_reassessment,
    "handover_draft": _handover_draft,
    "handover_sent": _handover_sent,
    "redirected": _redirected,
    "outside_target_group": _declined,
    "outreach_declined": _outreach_ended(services.OutreachResult.DECLINED, achieved=True),
    "no_contact": _outreach_ended(services.OutreachResult.GAVE_UP, achieved=False),
    "support_closed": _support_closed,
    "reassess_closed": _reassess_closed,
    "handed_over": _handed_over,
}
WORKER_CLOSES = {"support_closed", "reassess_closed"}


def record(kind, cast, basis=HandoverBasis.CONSENT) -> Pattern:
    """Walk `kind` through the services for `cast`'s team; the rows it left, then undone."""
    with transaction.atomic():
        walk = _Walk(cast, basis)
        PATHS[kind](walk)
        pattern = _pattern(kind, walk)
        transaction.set_rollback(True)
    return pattern


def _pattern(kind, walk):
    case = Case.objects.select_related("process").get(pk=walk.case.pk)
    tasks = list(Task.objects.filter(process_id=case.process_id).order_by("pk"))
    index = {task.pk: number for number, task in enumerate(tasks)}
    created = [task.created for task in tasks]
    roles = walk.cast.roles(walk.receiver)
    links = Task.previous.through.objects.filter(from_task_id__in=index)
    previous = {number: [] for number in range(len(tasks))}
    for link in links.order_by("to_task_id"):
        previous[index[link.from_task_id]].append(index[link.to_task_id])
    return Pattern(
        kind=kind,
        tasks=[_pattern_task(task, index, previous, roles, created) for task in tasks],
        process_status=case.process.status,
        process_finished_at=_anchor(case.process.finished, created),
        case=_row(case, created, roles, skip=_OWN_FIELDS),
        reassessments=[
            _row(r, created, roles, skip={"id", "case"}) for r in case.reassessments.order_by("pk")
        ],
        consents=[
            _row(c, created, roles, skip={"id", "case", "person"})
            for c in case.consents.order_by("pk")
        ],
        handover_teams=walk.receiving_teams(),
        worker_outcome=kind in WORKER_CLOSES,
    )


def _anchor(moment, created):
    """The index of the task during whose turn `moment` was written (None for no moment):
    the last one created by then. The generator gives that task's time to the copy."""
    if moment is None:
        return None
    return max(number for number, at in enumerate(created) if at <= moment)


def _token(token, index):
    parts = str(token).split("/")
    out = [parts[0]]
    for part in parts[1:]:
        split_pk, branch = part.rsplit("_", 1)
        out.append((index[int(split_pk)], branch))
    return out


def _pattern_task(task, index, previous, roles, created):
    marks = ("assigned", "started", "finished", "scheduled")
    return PatternTask(
        node=task.flow_task,
        status=task.status,
        owner=roles[task.owner_id] if task.owner_id else None,
        owner_permission=task.owner_permission or "",
        data=dict(task.data or {}),
        previous=previous[index[task.pk]],
        token=_token(task.token, index),
        marks=tuple(name for name in marks if getattr(task, name) is not None),
        finished_at=_anchor(task.finished, created),
    )


def _row(instance, created, roles, *, skip):
    row = Row()
    for model_field in instance._meta.concrete_fields:
        name, value = model_field.name, getattr(instance, model_field.attname)
        if name in skip:
            continue
        if model_field.get_internal_type() == "DateTimeField":
            row.times[name] = _anchor(value, created)
        elif model_field.is_relation and model_field.related_model is get_user_model():
            row.people[name] = roles.get(value) if value else None
        else:
            row.values[model_field.attname] = value
    return row
