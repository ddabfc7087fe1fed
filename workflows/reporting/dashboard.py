"""The leader's live dashboard: every figure is a database aggregate over the cases in scope."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from pages.models import DepartmentPage, TeamPage

from ..models import (
    OPEN_STAGES,
    Case,
    Stage,
    case_visibility,
    first_contact_overdue_q,
    reassessment_overdue_q,
)
from .periods import Period

# The process diagram's steps, in the order the process runs them.
DIAGRAM_STAGES = [
    Stage.INTAKE,
    Stage.TRIAGE,
    Stage.OUTREACH,
    Stage.SUPPORT,
    Stage.REASSESSMENT,
    Stage.HANDOVER,
    Stage.CLOSED,
]
DEFAULT_UNCLAIMED_DAYS = 3

BREACH_FIRST_CONTACT = "first-contact"
BREACH_REASSESSMENT = "reassessment"
BREACH_UNCLAIMED = "unclaimed"
BREACH_KINDS = [BREACH_FIRST_CONTACT, BREACH_REASSESSMENT, BREACH_UNCLAIMED]


@dataclass(frozen=True)
class Scope:
    """What the leader filtered on: an organisational unit and a period."""

    period: Period
    team: TeamPage | None = None
    department: DepartmentPage | None = None
    unclaimed_days: int = DEFAULT_UNCLAIMED_DAYS

    def cases(self) -> QuerySet:
        return self._limit(Case.objects.all())

    def _limit(self, rows: QuerySet) -> QuerySet:
        if self.team is not None:
            rows = rows.filter(team=self.team)
        if self.department is not None:
            rows = rows.filter(team__in=TeamPage.objects.child_of(self.department))
        return rows

    def teams(self) -> QuerySet:
        teams = TeamPage.objects.all()
        if self.team is not None:
            teams = teams.filter(pk=self.team.pk)
        if self.department is not None:
            teams = teams.child_of(self.department)
        return teams


# --- Deadline breaches -------------------------------------------------------------------


def unclaimed_tasks(cases: QuerySet, *, now: datetime.datetime, days: int) -> QuerySet:
    """Human tasks of these cases that nobody has claimed for more than `days` days."""
    return Task.objects.filter(
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner__isnull=True,
        created__lt=now - datetime.timedelta(days=days),
        process__case__in=cases,
    )


def breach_counts(scope: Scope, *, user, now: datetime.datetime | None = None) -> dict:
    """{kind: {"total": n, "visible": n}}; "visible" counts what `user` may open."""
    now = now or timezone.now()
    # Both breaches are of open cases: the stage index finds those few among the many closed.
    cases = scope.cases().open()
    visible = case_visibility(user)
    first_contact, reassessment = first_contact_overdue_q(now), reassessment_overdue_q(now)
    counts = cases.aggregate(
        first_contact=Count("pk", filter=first_contact),
        first_contact_visible=Count("pk", filter=first_contact & visible),
        reassessment=Count("pk", filter=reassessment),
        reassessment_visible=Count("pk", filter=reassessment & visible),
    )
    tasks = unclaimed_tasks(scope.cases(), now=now, days=scope.unclaimed_days).aggregate(
        total=Count("pk"), visible=Count("pk", filter=case_visibility(user, "process__case__"))
    )
    return {
        BREACH_FIRST_CONTACT: {
            "total": counts["first_contact"],
            "visible": counts["first_contact_visible"],
        },
        BREACH_REASSESSMENT: {
            "total": counts["reassessment"],
            "visible": counts["reassessment_visible"],
        },
        BREACH_UNCLAIMED: {"total": tasks["total"], "visible": tasks["visible"]},
    }


def breach_list(scope: Scope, kind: str, *, user, now: datetime.datetime | None = None):
    """Every breach of `kind` in the scope, each case marked `may_open` for `user`: cases,
    or tasks for unclaimed tasks. No person is read here: `with_people` adds them to the
    cases `user` may open (a leader outside a team sees its breaches without person data)."""
    now = now or timezone.now()
    cases = scope.cases()
    openable = Case.objects.filter(case_visibility(user), pk=OuterRef("pk"))
    if kind == BREACH_FIRST_CONTACT:
        rows = cases.first_contact_overdue(at=now)
        return (
            rows.annotate(may_open=Exists(openable))
            .select_related("team", "primary_worker")
            .order_by("first_contact_deadline", "pk")
        )
    if kind == BREACH_REASSESSMENT:
        rows = cases.reassessment_overdue(at=now)
        return (
            rows.annotate(may_open=Exists(openable))
            .select_related("team", "primary_worker")
            .order_by("reassessment_due_at", "pk")
        )
    if kind == BREACH_UNCLAIMED:
        openable = Case.objects.filter(case_visibility(user), pk=OuterRef("process__case"))
        return (
            unclaimed_tasks(cases, now=now, days=scope.unclaimed_days)
            .annotate(may_open=Exists(openable))
            .select_related("process__case__team")
            .order_by("created", "pk")
        )
    raise ValueError(f"Unknown breach kind {kind!r}")


def with_people(cases, openable_pks):
    """Give each of `cases` whose pk is in `openable_pks` its person (`shown_person`), read
    in one query; the others get None."""
    people = {
        case.pk: case.person
        for case in Case.objects.filter(pk__in=openable_pks).select_related("person")
    }
    for case in cases:
        case.shown_person = people.get(case.pk)
    return cases


# --- Where the cases are now ---------------------------------------------------------------


def closed_in(cases: QuerySet, period: Period) -> QuerySet:
    """The `cases` closed during `period`."""
    return cases.filter(stage=Stage.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)


def stage_counts(scope: Scope) -> list[dict]:
    """[{stage, label, count}] for every step: open cases now, and cases closed in the period."""
    # Two counts, each from an index alone: the stage index finds the few open cases, the
    # closed_at index the period's closed ones (one query over both reads the table).
    counts = dict(scope.cases().open().values_list("stage").annotate(count=Count("*")).order_by())
    counts[Stage.CLOSED.value] = closed_in(scope.cases(), scope.period).count()
    return [
        {"stage": stage.value, "label": stage.label, "count": counts.get(stage.value, 0)}
        for stage in DIAGRAM_STAGES
    ]


# --- Flow over time ------------------------------------------------------------------------


def _per_month(rows: QuerySet, field: str, period: Period) -> dict:
    """{month: count} of `rows` whose `field` falls in `period`, for each calendar month it
    touches (a month runs from local midnight on its first day, cut to the period)."""
    in_period = rows.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
    counts = dict(
        in_period.annotate(month=TruncMonth(field))
        .values_list("month")
        .annotate(count=Count("*"))
        .order_by()
    )
    found = {timezone.localtime(month).date(): count for month, count in counts.items()}
    return {month: found.get(month, 0) for month in period.months()}


def monthly_flow(scope: Scope) -> list[dict]:
    """Per month of the period: referrals received, first contacts made, cases closed."""
    # One grouped count a series, each read from the index on its date: the period's rows only.
    # Referrals are counted by the time kept on their cases, whose index holds the team too.
    received = _per_month(scope.cases(), RECEIVED, scope.period)
    made = _per_month(scope.cases(), "first_contact_at", scope.period)
    closed = _per_month(scope.cases().filter(stage=Stage.CLOSED), "closed_at", scope.period)
    return [
        {
            "month": month,
            "referrals": received[month],
            "first_contacts": made[month],
            "closed": closed[month],
        }
        for month in scope.period.months()
    ]


# When the case's referral was received: kept on the case, so the spans need no join.
RECEIVED = "referral_received_at"
# The medians' spans: {name: (the field that ends it, which cases have one)}.
SPANS = {
    "to_first_contact": ("first_contact_at", Q()),
    "case_length": ("closed_at", Q(stage=Stage.CLOSED)),
}


def median_days(queryset: QuerySet, *, since: str, until: str) -> float | None:
    """The median of `until - since` in days, found by ordering in the database.

    Only the one or two middle values are fetched, whatever the number of rows.
    """
    spans = (
        queryset.annotate(span=ExpressionWrapper(F(until) - F(since), output_field=DurationField()))
        .filter(span__isnull=False)
        .order_by("span")
    )
    count = spans.count()
    if not count:
        return None
    middle = list(spans.values_list("span", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return sum(span.total_seconds() for span in middle) / len(middle) / 86400


def period_medians(cases: QuerySet, period: Period) -> dict:
    """Median days referral -> first contact (first contacts in the period) and median case
    length referral -> closing (cases closed in the period): the SPANS, as `_medians_by_span`
    takes them on PostgreSQL."""
    return {
        name: median_days(
            cases.filter(condition, **{f"{until}__gte": period.start, f"{until}__lt": period.end}),
            since=RECEIVED,
            until=until,
        )
        for name, (until, condition) in SPANS.items()
    }


class _Median(Aggregate):
    """PostgreSQL's continuous median: the middle value, or the mean of the two middle ones."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _medians_by_span(cases: QuerySet, periods: dict) -> dict:
    """`period_medians` for each of `periods` ({key: Period}), one query a span (PostgreSQL).

    Each query reads the rows of all the periods from the index on the span's end, which
    holds the time the referral was received too: the table itself is not read.
    """
    first = min(period.start for period in periods.values())
    last = max(period.end for period in periods.values())
    found = {key: {} for key in periods}
    for name, (until, condition) in SPANS.items():
        span = ExpressionWrapper(F(until) - F(RECEIVED), output_field=DurationField())
        aggregates = {
            key: _Median(
                span,
                filter=Q(**{f"{until}__gte": period.start, f"{until}__lt": period.end}),
                output_field=DurationField(),
            )
            for key, period in periods.items()
        }
        rows = cases.filter(condition, **{f"{until}__gte": first, f"{until}__lt": last})
        for key, value in rows.aggregate(**aggregates).items():
            found[key][name] = None if value is None else value.total_seconds() / 86400
    return found


def medians(scope: Scope) -> dict:
    """This period's medians against the previous period of the same length."""
    cases = scope.cases()
    previous = scope.period.previous()
    if connections[cases.db].vendor == "postgresql":
        found = _medians_by_span(cases, {"current": scope.period, "previous": previous})
    else:  # two queries a median: count, then the middle rows
        found = {
            "current": period_medians(cases, scope.period),
            "previous": period_medians(cases, previous),
        }
    return {**found, "previous_period": previous}


# --- Workload ------------------------------------------------------------------------------


def team_workload(scope: Scope, *, now: datetime.datetime | None = None) -> list[dict]:
    """Per team in scope: open cases and overdue ones (first contact or reassessment)."""
    now = now or timezone.now()
    # Joined to the team's open cases only (the stage index finds them), grouped by team.
    rows = (
        scope.teams()
        .annotate(open_case=FilteredRelation("cases", condition=Q(cases__stage__in=OPEN_STAGES)))
        .values("pk", "title")
        .annotate(
            open_cases=Count("open_case"),
            first_contact_overdue=Count(
                "open_case", filter=first_contact_overdue_q(now, "open_case__")
            ),
            reassessment_overdue=Count(
                "open_case", filter=reassessment_overdue_q(now, "open_case__")
            ),
        )
        .order_by("title")
    )
    return [
        {**row, "overdue": row["first_contact_overdue"] + row["reassessment_overdue"]}
        for row in rows
    ]


def worker_workload(scope: Scope, *, now: datetime.datetime | None = None) -> list[dict]:
    """Per contact person: open cases as primary and as second contact person, and overdue."""
    now = now or timezone.now()
    overdue = first_contact_overdue_q(now) | reassessment_overdue_q(now)
    open_cases = scope.cases().open()
    workers = {}
    for role in ("primary_worker", "second_worker"):
        rows = (
            open_cases.filter(**{f"{role}__isnull": False})
            .values(role)
            .annotate(
                count=Count("pk"),
                overdue=Count("pk", filter=overdue),
            )
            .order_by()
        )
        for row in rows:
            entry = workers.setdefault(row[role], {"primary": 0, "second": 0, "overdue": 0})
            entry["primary" if role == "primary_worker" else "second"] = row["count"]
            entry["overdue"] += row["overdue"]
    users = (
        get_user_model()
        .objects.filter(pk__in=workers)
        .only("pk", "username", "first_name", "last_name")
    )
    result = [
        {
            "worker": user.get_full_name() or user.get_username(),
            **workers[user.pk],
            "open_cases": workers[user.pk]["primary"] + workers[user.pk]["second"],
        }
        for user in users
    ]
    return sorted(result, key=lambda row: (-row["open_cases"], row["worker"]))


def dashboard(scope: Scope, *, user, now: datetime.datetime | None = None) -> dict:
    """Every figure of the dashboard for `scope`; lists of cases are fetched separately."""
    now = now or timezone.now()
    return {
        "stages": stage_counts(scope),
        "breaches": breach_counts(scope, user=user, now=now),
        "flow": monthly_flow(scope),
        "medians": medians(scope),
        "teams": team_workload(scope, now=now),
        "workers": worker_workload(scope, now=now),
    }
