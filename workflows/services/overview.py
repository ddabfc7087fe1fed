"""What the staff home and leaders see: stage counts without personal data, and a timeline."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from pages.models import TeamPage

from ..models import Case, Outcome, Stage
from .tasks import case_tasks


def sees_overview(user) -> bool:
    """Leaders and coordinators see the process overview and the lists of breached
    deadlines (where a coordinator opens their own team's cases)."""
    return user.has_perm("workflows.view_dashboard") or user.has_perm("workflows.triage_case")


def overview_cases(user):
    """The cases whose counts `user` may see in the process overview (None: no overview).
    Leaders see every team; a coordinator the teams they coordinate, as their queue does."""
    if user.has_perm("workflows.view_dashboard"):
        return Case.objects.all()
    if sees_overview(user):
        return Case.objects.filter(team__in=TeamPage.objects.for_user(user))
    return None


def stage_counts(cases=None):
    """{team title: {stage: count}, ...} plus overdue first contacts, for a leader's overview."""
    cases = Case.objects.all() if cases is None else cases
    rows = (
        cases.values("team__title", "stage")
        .annotate(count=Count("pk"))
        .order_by("team__title", "stage")
    )
    overdue = dict(
        cases.first_contact_overdue().values_list("team__title").annotate(count=Count("pk"))
    )
    table = {}
    for row in rows:
        table.setdefault(row["team__title"], dict.fromkeys(Stage.values, 0))[row["stage"]] = row[
            "count"
        ]
    return [
        {"team": team, "stages": [counts[s] for s in Stage.values], "overdue": overdue.get(team, 0)}
        for team, counts in table.items()
    ]


def outcome_counts(cases=None):
    """[{outcome, label, count}] of closed cases."""
    cases = Case.objects.all() if cases is None else cases
    rows = (
        cases.exclude(outcome="").values("outcome").annotate(count=Count("pk")).order_by("outcome")
    )
    return [{**row, "label": Outcome(row["outcome"]).label} for row in rows]


DECISION_LABELS = {
    "accept": _("Accepted"),
    "redirect": _("Redirected"),
    "decline": _("Declined: outside the target group"),
    "merge": _("Merged into another case"),
    "contact_made": _("Contact made"),
    "declined": _("The citizen declined"),
    "gave_up": _("No contact: outreach given up"),
    "hand_over": _("Hand over"),
    "close": _("Close the case"),
    "continue": _("Continue support for a new period"),
    "back_to_support": _("Not handed over: back to support"),
    "sent": _("Handover sent"),
    "acknowledged": _("Handover acknowledged"),
}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # task, contact, goal, consent
    title: str
    who: object = None
    detail: str = ""
    status: str = ""


def case_timeline(
    case: Case, *, tasks=None, contacts=None, goals=None, consents=None
) -> list[TimelineEntry]:
    """Every task, contact, goal and consent of a case, in the order they happened."""
    entries = []
    for task in tasks if tasks is not None else case_tasks(case):
        title = str(task.flow_task.task_title) if task.flow_task else str(task)
        decision = (task.data or {}).get("decision", "")
        decision = DECISION_LABELS.get(decision, decision)
        at = task.finished or task.created
        entries.append(
            TimelineEntry(
                at=at,
                kind="task",
                title=title,
                who=task.owner,
                detail=decision,
                status=task.status,
            )
        )
    for contact in contacts if contacts is not None else case.contacts.select_related("worker"):
        entries.append(
            TimelineEntry(
                at=contact.occurred_at,
                kind="contact",
                title=contact.get_kind_display(),
                who=contact.worker,
                detail=contact.note,
                status="achieved" if contact.achieved else "failed",
            )
        )
    for goal in goals if goals is not None else case.goals.select_related("created_by"):
        entries.append(
            TimelineEntry(
                at=goal.created_at,
                kind="goal",
                title=goal.get_area_display(),
                who=goal.created_by,
                detail=goal.description,
                status=goal.status,
            )
        )
    for consent in (
        consents
        if consents is not None
        else case.consents.select_related("receiver", "recorded_by")
    ):
        entries.append(
            TimelineEntry(
                at=consent.recorded_at,
                kind="consent",
                title=str(consent.receiver.title),
                who=consent.recorded_by,
                detail=consent.information,
                status="refused" if consent.refused else "",
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries
