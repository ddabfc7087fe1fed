"""Data protection: anonymising closed cases after retention, and the insight report (art. 15).

The fields below are the whole list of what identifies a citizen or tells their story in
free text; everything else on the case records (choices, dates, teams, workers, counts) is
kept for statistics. tests/test_privacy_anonymise.py fails when a model gains a text field
that is in neither list, so a new field cannot silently escape anonymisation.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Process, Task

from intranet.audit import EMERGENCY_SUFFIX, log_access
from intranet.models import AccessAction, AccessLogEntry
from intranet.roles import ROLES

from .models import (
    Case,
    CaseImport,
    Consent,
    ContactLog,
    EmergencyAccess,
    Goal,
    Person,
    Reassessment,
    Referral,
    ReferralSource,
    Stage,
    cpr_birth_date,
)

# Model -> fields blanked on anonymisation.
ERASED_FIELDS = {
    # import_citizen_key: the person's number in an earlier register, a key back to them there.
    Person: ("name", "cpr", "phone", "address", "alias", "whereabouts", "import_citizen_key"),
    # import_key: the case number in an earlier register, a key back to the person there.
    Case: ("outcome_note", "handover_summary", "handover_legal_note", "import_key"),
    Referral: ("referrer_name", "referrer_contact", "concern"),
    ContactLog: ("note",),
    Goal: ("description",),
    Consent: ("information",),
    Reassessment: ("note",),
    EmergencyAccess: ("reason", "review_note"),
}
# Text fields without choices that are kept: they hold codes, not prose.
KEPT_TEXT_FIELDS = {
    # reference: a random receipt number (unique, so never blanked); redirect_reason_text:
    # a reason as the quality standard words it, chosen from the standard, not about the person.
    Case: ("reference", "redirect_reason_text"),
    Referral: ("concern_categories",),  # validated against ConcernCategory
    ReferralSource: ("name",),  # the municipality's list of sources, not about a person
}
# Records deleted whole, by their own retention job, long before any case they touch is
# anonymised (settings refuse a longer retention): their text is never kept to anonymise.
DELETED_WHOLE = {
    # An administrator's import: its file name and result (row errors, the review list's
    # aliases): manage.py prune_case_imports after BROBYGGER_IMPORT_RETENTION_DAYS.
    CaseImport: "prune_case_imports",
}
# The only key of a task's data that survives: the decision code the overview counts.
TASK_DATA_KEPT = "decision"
_CODE = re.compile(r"[a-z0-9_]{1,40}")


@dataclass
class Change:
    """One record anonymisation changes (or would change): ids and field names, no values."""

    label: str  # "person", "case", "referral", "contact", ... "task"
    pk: int
    fields: tuple[str, ...]
    case_id: int | None = None

    def __str__(self):
        where = f" (case {self.case_id})" if self.case_id and self.label != "case" else ""
        return f"{self.label} {self.pk}{where}: {', '.join(self.fields)}"


@dataclass
class AnonymisationPlan:
    cutoff: datetime.datetime
    case_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.changes


def anonymisation_cutoff(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """Cases closed before this moment are due for anonymisation."""
    days = settings.BROBYGGER_ANONYMISE_AFTER_DAYS
    return (now or timezone.now()) - datetime.timedelta(days=days)


def cases_due(*, cutoff: datetime.datetime):
    """Closed cases whose closing is older than `cutoff`."""
    return Case.objects.filter(stage=Stage.CLOSED, closed_at__lt=cutoff)


def persons_due(*, cutoff: datetime.datetime):
    """Persons all of whose cases are due (or who have none and were created before `cutoff`)."""
    not_due = Case.objects.exclude(pk__in=cases_due(cutoff=cutoff).values("pk"))
    return Person.objects.exclude(pk__in=not_due.values("person_id")).filter(
        Q(cases__in=cases_due(cutoff=cutoff).values("pk"))
        | Q(cases__isnull=True, created_at__lt=cutoff)
    )


def _filled(record, fields):
    return tuple(name for name in fields if getattr(record, name))


def _with_text(queryset, fields):
    """Only the records that still hold text in one of `fields` (keeps nightly runs cheap)."""
    any_text = Q()
    for name in fields:
        any_text |= ~Q(**{name: ""})
    return queryset.filter(any_text)


def _scrubbed_task_data(data):
    """A task's data with only a decision code left."""
    decision = (data or {}).get(TASK_DATA_KEPT)
    if isinstance(decision, str) and _CODE.fullmatch(decision):
        return {TASK_DATA_KEPT: decision}
    return {}


def _chunks(ids, size=500):
    """Ids in slices small enough for any database's limit on query parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _birth_year_from_cpr(person):
    try:
        return cpr_birth_date(person.cpr).year
    except (ValueError, IndexError):
        return None


def anonymisation_plan(*, cutoff: datetime.datetime) -> AnonymisationPlan:
    """What anonymisation would change now; changes nothing."""
    plan = AnonymisationPlan(cutoff=cutoff)
    due_cases = cases_due(cutoff=cutoff)
    due_persons = persons_due(cutoff=cutoff)
    plan.case_ids = list(due_cases.order_by("pk").values_list("pk", flat=True))
    plan.person_ids = list(due_persons.order_by("pk").values_list("pk", flat=True).distinct())

    def add(label, queryset, model, case_of=lambda record: record.case_id):
        for record in _with_text(queryset, ERASED_FIELDS[model]).order_by("pk"):
            fields = _filled(record, ERASED_FIELDS[model])
            plan.changes.append(Change(label, record.pk, fields, case_of(record)))

    person_ids = due_persons.values("pk")
    add("person", Person.objects.filter(pk__in=person_ids), Person, lambda record: None)
    add("consent", Consent.objects.filter(person_id__in=person_ids), Consent)
    add("case", due_cases, Case, lambda record: record.pk)
    case_ids = due_cases.values("pk")
    add("referral", Referral.objects.filter(case_id__in=case_ids), Referral)
    add("contact", ContactLog.objects.filter(case_id__in=case_ids), ContactLog)
    add("goal", Goal.objects.filter(case_id__in=case_ids), Goal)
    add("reassessment", Reassessment.objects.filter(case_id__in=case_ids), Reassessment)
    add(
        "emergency access",
        EmergencyAccess.objects.filter(case_id__in=case_ids),
        EmergencyAccess,
    )

    process_cases = dict(
        due_cases.filter(process__isnull=False)
        .exclude(process__data={})
        .values_list("process_id", "pk")
    )
    for process_id in sorted(process_cases):
        plan.changes.append(Change("process", process_id, ("data",), process_cases[process_id]))
    tasks = (
        Task.objects.filter(process__case__in=case_ids)
        .exclude(data={})
        .values_list("pk", "data", "process__case")
        .order_by("pk")
    )
    for task_id, data, case_id in tasks:
        if (data or {}) != _scrubbed_task_data(data):
            plan.changes.append(Change("task", task_id, ("data",), case_id))
    return plan


@transaction.atomic
def cases_anonymise(*, cutoff: datetime.datetime, dry_run: bool = False) -> AnonymisationPlan:
    """Remove identifying data and free text from cases closed before `cutoff`.

    Statistics (choices, dates, team, workers, outcome) stay. A person is anonymised only
    when every case of theirs is due. Idempotent: a second run finds nothing to change.
    """
    plan = anonymisation_plan(cutoff=cutoff)
    if dry_run or plan.is_empty:
        return plan
    blank = {model: dict.fromkeys(fields, "") for model, fields in ERASED_FIELDS.items()}

    changed = {}
    for change in plan.changes:
        changed.setdefault(change.label, []).append(change.pk)

    # Keep the birth year the CPR number carries, so age statistics survive.
    for chunk in _chunks(changed.get("person", [])):
        for person in Person.objects.filter(pk__in=chunk, birth_year__isnull=True).exclude(cpr=""):
            if year := _birth_year_from_cpr(person):
                Person.objects.filter(pk=person.pk).update(birth_year=year)
    for label, model in [
        ("person", Person),
        ("consent", Consent),
        ("case", Case),
        ("referral", Referral),
        ("contact", ContactLog),
        ("goal", Goal),
        ("reassessment", Reassessment),
        ("emergency access", EmergencyAccess),
    ]:
        for chunk in _chunks(changed.get(label, [])):
            model.objects.filter(pk__in=chunk).update(**blank[model])
    for chunk in _chunks(changed.get("process", [])):
        Process.objects.filter(pk__in=chunk).update(data={})
    for chunk in _chunks(changed.get("task", [])):
        for task in Task.objects.filter(pk__in=chunk).only("pk", "data"):
            Task.objects.filter(pk=task.pk).update(data=_scrubbed_task_data(task.data))
    return plan


# --- Insight report (GDPR art. 15) ---------------------------------------------------------


# The access log's `what` codes (written by the views that log) in words, for the data
# protection officer's log screens and the citizen's insight report alike.
WHAT_LABELS = {
    "case": gettext_lazy("the case"),
    "case (reopened)": gettext_lazy("the case, reopened"),
    "referral": gettext_lazy("the referral"),
    "person": gettext_lazy("the person's details"),
    "contact": gettext_lazy("a contact"),
    "goal": gettext_lazy("a goal"),
    "consent": gettext_lazy("a consent"),
    "handover summary": gettext_lazy("the handover summary"),
    "task": gettext_lazy("a task"),
    "deadline list": gettext_lazy("a list of deadlines"),
    "case import": gettext_lazy("an import of cases"),
    "case import review": gettext_lazy(
        "an import's list of rows that may be a person already registered"
    ),
    "insight report": gettext_lazy("an insight report"),
    "task list": gettext_lazy("a list of tasks"),
    "staff home task list": gettext_lazy("a list of tasks"),
    "team queue": gettext_lazy("the team's queue"),
    "possible duplicates": gettext_lazy("a check for duplicate cases"),
    "merge candidates": gettext_lazy("a list of cases a referral could be merged into"),
    "emergency access": gettext_lazy("emergency access to the case"),
    "case (emergency access)": gettext_lazy("the case, under emergency access"),
    "emergency access list (data protection)": gettext_lazy(
        "the list of emergency accesses, read by the data protection officer"
    ),
    "emergency access (data protection)": gettext_lazy(
        "an emergency access, read by the data protection officer"
    ),
    "emergency access review (data protection)": gettext_lazy(
        "an emergency access, reviewed by the data protection officer"
    ),
    "person search (data protection)": gettext_lazy("a search by the data protection officer"),
    "access log of person (data protection)": gettext_lazy(
        "the access log, read by the data protection officer"
    ),
    "access log of person, CSV (data protection)": gettext_lazy(
        "the access log, exported by the data protection officer"
    ),
    "access log sample (data protection)": gettext_lazy(
        "a spot check of the access log by the data protection officer"
    ),
}
USER_LOG_CODE = re.compile(r"access log of user (?P<user>\d+)(?P<csv>, CSV)? \(data protection\)")


def describe_access(what: str) -> str:
    """What an access-log entry's `what` code means, in words; unknown codes as they are."""
    if what in WHAT_LABELS:
        return str(WHAT_LABELS[what])
    if what.endswith(EMERGENCY_SUFFIX):
        seen = what.removesuffix(EMERGENCY_SUFFIX)
        if describe_access(seen) != seen:
            return _("%(what)s, under emergency access") % {"what": describe_access(seen)}
    if what.startswith("task:"):
        from .flows import ReferralFlow

        node = getattr(ReferralFlow, what.removeprefix("task:"), None)
        title = getattr(node, "task_title", "") or what
        return _("the task “%(task)s”") % {"task": title}
    user_log = USER_LOG_CODE.fullmatch(what)
    if user_log and user_log["csv"]:
        return _("the access log of user %(user)s, exported by the data protection officer") % {
            "user": user_log["user"]
        }
    if user_log:
        return _("the access log of user %(user)s, read by the data protection officer") % {
            "user": user_log["user"]
        }
    return str(WHAT_LABELS.get(what, what))


@dataclass
class LoggedAccess:
    """One access-log entry as the citizen sees it: when, who (name and role), what."""

    entry: AccessLogEntry
    user_name: str
    roles: list[str]

    @property
    def what_label(self):
        return describe_access(self.entry.what)


@dataclass
class InsightReport:
    person: Person
    produced_at: datetime.datetime
    produced_by: object
    cases: list[Case]
    consents: list[Consent]
    accesses: list[LoggedAccess]


def _role_labels(user):
    by_group = {role.group_name: str(role.label) for role in ROLES.values()}
    return [by_group.get(group.name, group.name) for group in user.groups.all()]


def accesses_about(person_id: int):
    """Access-log entries about a person: by person id, or by the id of one of their cases."""
    case_ids = Case.objects.filter(person_id=person_id).values("pk")
    return AccessLogEntry.objects.filter(Q(person_id=person_id) | Q(case_id__in=case_ids))


def insight_report(
    *, person: Person, produced_by, request=None, search_term: str = ""
) -> InsightReport:
    """Everything held about a person, for an insight request; producing it is logged
    (with the search term, when the officer came from a search).

    The log entry is written first: if it cannot be written, nothing is produced.
    """
    with translation.override(settings.LANGUAGE_CODE):  # the log is read later, by others
        reason = _("Insight request (GDPR art. 15)")
    log_access(
        user=produced_by,
        action=AccessAction.EXPORT,
        what="insight report",
        person_id=person.pk,
        request=request,
        search_term=search_term,
        reason=reason,
    )
    cases = list(
        person.cases.select_related(
            "team",
            "primary_worker",
            "second_worker",
            "created_by",
            "referral__source",
            "referral__registered_by",
            "handover_team",
            "handover_consent__receiver",
            "handover_acknowledged_by",
            "merged_into",
            "reopened_from",
        )
        .prefetch_related(
            "redirect_destinations",
            "contacts__worker",
            "goals__created_by",
            "reassessments__decided_by",
        )
        .order_by("created_at", "pk")
    )
    consents = list(
        person.consents.select_related("receiver", "recorded_by").order_by("given_on", "pk")
    )
    entries = (
        accesses_about(person.pk)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("at", "pk")
    )
    accesses = [
        LoggedAccess(
            entry=entry,
            user_name=entry.user.get_full_name() or entry.user.get_username(),
            roles=_role_labels(entry.user),
        )
        for entry in entries
    ]
    return InsightReport(
        person=person,
        produced_at=timezone.now(),
        produced_by=produced_by,
        cases=cases,
        consents=consents,
        accesses=accesses,
    )
