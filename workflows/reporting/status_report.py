"""The annual status report: who the scheme reached in a year and how the cases went.

Every figure is an aggregate query; the definitions below are printed as the report's
footnotes and repeated in docs/status_report.md.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db import models as db
from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    HOMELESS,
    AgeGroup,
    Case,
    ContactKind,
    ContactLog,
    Gender,
    Housing,
    IncomeSource,
    LivingAlone,
    MainProblem,
    MaritalStatus,
    Outcome,
    Person,
    Referral,
    ReferralSource,
    first_contact_overdue_q,
)
from .periods import Period

# Triage decisions, not support: such referrals never became a case the team worked on.
TRIAGE_OUTCOMES = [Outcome.REDIRECTED, Outcome.OUTSIDE_TARGET_GROUP, Outcome.MERGED]

SHORT_DAYS = 91  # "under 3 months": fewer than 91 days
MEDIUM_DAYS = 183  # "3-6 months": 91 to 182 days; "over 6 months": 183 days or more

DEFINITIONS = {
    "in_contact": gettext_lazy(
        "People in contact during the year (what the tables count unless their heading "
        "says otherwise): every person with a case that was open at some "
        "time during the year, that is, a referral received before the year ended and a case "
        "not closed before the year began. Referrals that triage redirected, found outside the "
        "target group or merged into another case do not count. A person is counted once, "
        "however many cases they had; a person first registered anonymously and identified "
        "later is the same person."
    ),
    "attributes": gettext_lazy(
        "Gender, income source, marital status, living alone, main problem and housing are "
        "as currently recorded on the person: the system keeps no history of them."
    ),
    "age": gettext_lazy(
        "Age group: the age reached in the year (the year minus the birth year, taken from "
        "the birth year or else the CPR number); without either, the age group recorded on "
        "the person."
    ),
    "age_figures": gettext_lazy(
        "Youngest, oldest and median age, and the share in a chosen age range: over the "
        "people in contact whose age reached in the year is known (from the birth year or "
        "the CPR number); the median of an even number of people is the mean of the middle "
        "two. The share is of those people."
    ),
    "homeless": gettext_lazy(
        "Homeless: people in contact whose recorded housing situation is one of the national "
        "homelessness categories. The share is of all people in contact during the year."
    ),
    "sources": gettext_lazy(
        "Where the people in contact came from: for each person, the source recorded on the "
        "referral of their earliest case in contact during the year, the one that brought "
        "them in (someone referred in an earlier year and still supported counts with that "
        "year's source)."
    ),
    "referrals": gettext_lazy(
        "Referrals received during the year: every referral received during the year, "
        "including those triage redirected, by the source recorded on it. Unlike the other "
        "tables, it counts referrals, not people."
    ),
    "contacts": gettext_lazy(
        "Contacts: every contact and contact attempt logged with a date in the year, by kind."
    ),
    "duration": gettext_lazy(
        "Duration of contact: for each person in contact, from the day the referral of "
        "their earliest case in contact during the year was received to the day their last "
        "such case closed, or to the end of the year if one was still open then. Under 3 "
        "months is fewer than 91 days, 3-6 months is 91 to 182 days, over 6 months is 183 "
        "days or more. Refused at first contact: every case of the person in contact during "
        "the year ended with the citizen declining before support began."
    ),
    "outcomes": gettext_lazy(
        "Outcomes and handover destinations: cases closed during the year, including those "
        "closed at triage; they count cases, not people."
    ),
    "deadline": gettext_lazy(
        "First-contact deadline: referrals received during the year and accepted (not closed "
        "at triage) with a deadline. Kept: the first achieved contact was on or before the "
        "deadline day. Missed: the first contact came later, or there was none and the case "
        "was still open after the deadline. Cases closed before the deadline without contact, "
        "and open cases whose deadline has not yet come, are not assessed."
    ),
}


@dataclass
class Table:
    """One table of the report: a label column, then columns of the given kinds."""

    key: str
    title: str
    columns: list[tuple[str, str]]  # (heading, kind): kind is label, count, share or change
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # keys of DEFINITIONS

    @property
    def typed_rows(self):
        """Rows as [(cell, column kind), ...], for templates."""
        kinds = [kind for _heading, kind in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]

    @property
    def note_numbers(self):
        keys = list(DEFINITIONS)
        return [keys.index(key) + 1 for key in self.notes]

    def as_dict(self):
        return {
            "title": str(self.title),
            "columns": [str(heading) for heading, _kind in self.columns],
            "kinds": [kind for _heading, kind in self.columns],
            "rows": [[str(row[0]), *map(_plain, row[1:])] for row in self.rows],
            "notes": self.notes,
        }


def _plain(cell):
    """A cell for JSON: a hidden cell (workflows.reporting.disclosure) as its mark."""
    return str(cell) if getattr(cell, "suppressed", False) else cell


@dataclass
class StatusReport:
    year: int
    generated_at: datetime.datetime
    people: int
    people_previous: int
    tables: list[Table]
    age_band: tuple[int, int] | None = None  # the range the leader chose, if any
    # Set on the copy made for publication (workflows.reporting.disclosure.suppressed).
    suppression_threshold: int | None = None

    @property
    def definitions(self):
        return [(index + 1, text) for index, text in enumerate(DEFINITIONS.values())]

    @property
    def suppression_note(self):
        if not self.suppression_threshold:
            return ""
        return _(
            "Small numbers are hidden: <%(n)s is a count from 1 to %(below)s; .. is a number "
            "hidden so that a small count cannot be worked out from a total, or the share or "
            "change of a hidden count. The report for leaders on the intranet has every number."
        ) % {"n": self.suppression_threshold, "below": self.suppression_threshold - 1}

    def table(self, key) -> Table:
        return next(table for table in self.tables if table.key == key)

    def as_dict(self):
        return {
            "year": self.year,
            "generated_at": self.generated_at.isoformat(),
            "people_in_contact": _plain(self.people),
            "people_in_contact_previous_year": _plain(self.people_previous),
            "age_band": list(self.age_band) if self.age_band else None,
            "suppression_threshold": self.suppression_threshold,
            "suppression_note": self.suppression_note,
            "tables": {table.key: table.as_dict() for table in self.tables},
            "definitions": {key: str(text) for key, text in DEFINITIONS.items()},
        }


# --- The sets the report counts ------------------------------------------------------------


def _began():
    return Coalesce("referral__received_at", "created_at")


def cases_in_contact(period: Period) -> QuerySet:
    """Cases open at some time during `period`, less referrals closed at triage."""
    return (
        Case.objects.annotate(began=_began())
        .filter(began__lt=period.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start))
        .exclude(outcome__in=TRIAGE_OUTCOMES)
    )


def people_in_contact(period: Period) -> QuerySet:
    """Each person with a case in contact during `period`, once."""
    return Person.objects.filter(pk__in=cases_in_contact(period).values("person_id"))


def _with_age_group(people: QuerySet, year: int) -> QuerySet:
    """Annotate `report_age_group`: the age reached in `year`, grouped as AgeGroup."""
    # DDMMYY-XXXX: the 7th digit and the two-digit year give the century (as cpr_birth_date).
    people = people.annotate(
        cpr_yy=Cast(NullIf(Substr("cpr", 5, 2), Value("")), IntegerField()),
        cpr_digit=Substr("cpr", 8, 1),
    )
    people = people.annotate(
        cpr_year=db.Case(
            When(cpr_yy__isnull=True, then=Value(None)),
            When(cpr_digit__in=["0", "1", "2", "3"], then=F("cpr_yy") + 1900),
            When(cpr_digit__in=["4", "9"], cpr_yy__lte=36, then=F("cpr_yy") + 2000),
            When(cpr_digit__in=["4", "9"], then=F("cpr_yy") + 1900),
            When(cpr_yy__lte=57, then=F("cpr_yy") + 2000),
            default=F("cpr_yy") + 1800,
            output_field=IntegerField(),
        )
    )
    people = people.annotate(report_born=Coalesce("birth_year", "cpr_year"))
    people = people.annotate(report_age=Value(year) - F("report_born"))
    return people.annotate(
        report_age_group=db.Case(
            When(report_born__isnull=True, then=F("age_group")),
            When(report_age__lt=18, then=Value(AgeGroup.UNDER_18.value)),
            When(report_age__lt=30, then=Value(AgeGroup.AGE_18_29.value)),
            When(report_age__lt=40, then=Value(AgeGroup.AGE_30_39.value)),
            When(report_age__lt=50, then=Value(AgeGroup.AGE_40_49.value)),
            When(report_age__lt=60, then=Value(AgeGroup.AGE_50_59.value)),
            When(report_age__lte=65, then=Value(AgeGroup.AGE_60_65.value)),
            default=Value(AgeGroup.OVER_65.value),
        )
    )


def known_ages(people: QuerySet, year: int) -> list[int]:
    """The ages reached in `year` of the `people` whose birth year is known, sorted."""
    aged = _with_age_group(people, year).filter(report_born__isnull=False)
    return sorted(aged.values_list("report_age", flat=True))


def _age_figures(ages, ages_before):
    """Youngest, oldest and median age: this year, the year before and the change."""
    table = Table(
        key="age_figures",
        title=_("Age of the people in contact"),
        columns=[
            ("", "label"),
            (_("This year"), "number"),
            (_("Previous year"), "number"),
            (_("Change from the previous year"), "change"),
        ],
        notes=["in_contact", "age_figures"],
    )
    for label, figure in [
        (_("Youngest"), min),
        (_("Oldest"), max),
        (_("Median age"), statistics.median),
    ]:
        now = figure(ages) if ages else None
        before = figure(ages_before) if ages_before else None
        change = now - before if None not in (now, before) else None
        table.rows.append([label, now, before, change])
    return table


def _age_band(band, ages, ages_before):
    """The people aged `band` (lowest, highest), this year and the year before: their share
    is of the people whose age is known."""
    low, high = band
    now = sum(1 for age in ages if low <= age <= high)
    before = sum(1 for age in ages_before if low <= age <= high)
    table = Table(
        key="age_band",
        title=_("People in contact aged %(low)s to %(high)s") % {"low": low, "high": high},
        columns=[
            ("", "label"),
            (_("This year"), "count"),
            (_("Share this year (%)"), "share"),
            (_("Previous year"), "count"),
            (_("Share the previous year (%)"), "share"),
            (_("Change from the previous year"), "change"),
        ],
        notes=["in_contact", "age_figures"],
    )
    table.rows.append(
        [
            _("Aged %(low)s-%(high)s") % {"low": low, "high": high},
            now,
            _share(now, len(ages)),
            before,
            _share(before, len(ages_before)),
            now - before,
        ]
    )
    return table


def _counts(queryset: QuerySet, expression: str) -> dict:
    rows = queryset.values(expression).annotate(n=Count("pk")).order_by()
    return {row[expression]: row["n"] for row in rows}


def _age_gender_cells(people: QuerySet, year: int) -> dict:
    """{(age group, gender): people}: one grouped query; the totals, the gender and the age
    group counts are its margins (sums of at most a few dozen counts, not of rows)."""
    rows = (
        _with_age_group(people, year)
        .values("report_age_group", "gender")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["report_age_group"], row["gender"]): row["n"] for row in rows}


def _margin(cells: dict, axis: int) -> dict:
    counts = {}
    for key, n in cells.items():
        counts[key[axis]] = counts.get(key[axis], 0) + n
    return counts


def _value_counts(queryset: QuerySet, columns: dict) -> dict:
    """{column: {value: rows}} for each of `columns` ({column: values}), in one query that
    reads the rows once (a filtered count per value) rather than once per column."""
    pairs = [(column, value) for column, values in columns.items() for value in values]
    totals = queryset.aggregate(
        **{
            f"n{index}": Count("pk", filter=Q(**{column: value}))
            for index, (column, value) in enumerate(pairs)
        }
    )
    counts = {column: {} for column in columns}
    for index, (column, value) in enumerate(pairs):
        counts[column][value] = totals[f"n{index}"]
    return counts


def _share(count, total):
    return round(100 * count / total, 1) if total else None


# --- The tables ----------------------------------------------------------------------------


def _compared(key, title, choices, current: dict, previous: dict, total: int, notes):
    table = Table(
        key=key,
        title=title,
        columns=[
            ("", "label"),
            (_("This year"), "count"),
            (_("Share this year (%)"), "share"),
            (_("Previous year"), "count"),
            (_("Change from the previous year"), "change"),
        ],
        notes=notes,
    )
    for value, label in choices:
        now, before = current.get(value, 0), previous.get(value, 0)
        table.rows.append([label, now, _share(now, total), before, now - before])
    return table


def _shares(key, title, choices, counts: dict, total: int, notes, heading=None):
    table = Table(
        key=key,
        title=title,
        columns=[("", "label"), (heading or _("People"), "count"), (_("Share (%)"), "share")],
        notes=notes,
    )
    for value, label in choices:
        table.rows.append([label, counts.get(value, 0), _share(counts.get(value, 0), total)])
    return table


def _gender_by_age(cells):
    table = Table(
        key="gender_by_age",
        title=_("People in contact by age group and gender"),
        columns=[("", "label")]
        + [(label, "count") for _value, label in Gender.choices]
        + [(_("Total"), "count")],
        notes=["in_contact", "age"],
    )
    for group, group_label in AgeGroup.choices:
        numbers = [cells.get((group, gender), 0) for gender in Gender.values]
        table.rows.append([group_label, *numbers, sum(numbers)])
    return table


def _homeless(counts, total):
    homeless_total = sum(counts.values())
    table = _shares(
        "homeless",
        _("People in contact homeless at the end of the year, by the national categories"),
        [(category.value, category.label) for category in HOMELESS],
        counts,
        total,
        ["in_contact", "homeless", "attributes"],
    )
    table.rows.append(
        [_("Homeless, all categories"), homeless_total, _share(homeless_total, total)]
    )
    return table


def _source_choices():
    choices = [(source.pk, source.name) for source in ReferralSource.objects.all()]
    return [*choices, (None, _("Not recorded"))]


@dataclass
class _Contact:
    """A person's contact during a period, from their cases in contact then."""

    began: datetime.datetime  # the earliest case's referral
    first_case: int  # its pk (the earliest by pk on a tie)
    source: int | None  # its referral's source: what brought the person in
    ended: datetime.datetime  # the last case's end, at most the period's end
    cases: int = 0
    refused: int = 0  # cases refused at first contact


def contacts_per_person(period: Period) -> dict:
    """{person id: _Contact} for the people in contact during `period`: one query over
    their cases in contact (a row each), folded here rather than a subquery per person."""
    end = Value(period.end, output_field=DateTimeField())
    refused = db.Case(
        When(
            outcome=Outcome.DECLINED,
            support_started_at__isnull=True,
            closed_at__lt=period.end,
            then=Value(True),
        ),
        default=Value(False),
        output_field=db.BooleanField(),
    )
    rows = (
        cases_in_contact(period)
        .annotate(stopped=Least(Coalesce("closed_at", end), end), was_refused=refused)
        .values_list("person_id", "began", "pk", "referral__source_id", "stopped", "was_refused")
        .order_by()
    )
    contacts = {}
    for person, began, pk, source, stopped, was_refused in rows.iterator(chunk_size=5000):
        contact = contacts.get(person)
        if contact is None:
            contact = contacts[person] = _Contact(began, pk, source, stopped)
        elif (began, pk) < (contact.began, contact.first_case):
            contact.began, contact.first_case, contact.source = began, pk, source
        contact.ended = max(contact.ended, stopped)
        contact.cases += 1
        contact.refused += was_refused
    return contacts


def _people_by_source(contacts, choices, total):
    """People in contact by the source of the case that brought them in: their earliest
    case in contact during the year."""
    counts = {}
    for contact in contacts.values():
        counts[contact.source] = counts.get(contact.source, 0) + 1
    table = _shares(
        "referral_sources",
        _("People in contact by where the referral that brought them in came from"),
        choices,
        counts,
        total,
        ["in_contact", "sources"],
    )
    table.rows.append([_("All people in contact"), total, _share(total, total)])
    return table


def _referrals_received(period, choices):
    referrals = Referral.objects.filter(received_at__gte=period.start, received_at__lt=period.end)
    counts = _counts(referrals, "source_id")
    total = sum(counts.values())
    table = _shares(
        "referrals_received",
        _("Referrals received during the year, by source (referrals, not people)"),
        choices,
        counts,
        total,
        ["referrals"],
        heading=_("Referrals"),
    )
    table.rows.append([_("All referrals"), total, _share(total, total)])
    return table


def _contact_kinds(period):
    rows = (
        ContactLog.objects.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .values("kind")
        .annotate(
            reached=Count("pk", filter=Q(achieved=True)),
            failed=Count("pk", filter=Q(achieved=False)),
        )
        .order_by()
    )
    counts = {row["kind"]: row for row in rows}
    table = Table(
        key="contact_kinds",
        title=_("How contact was made"),
        columns=[
            ("", "label"),
            (_("Contacts achieved"), "count"),
            (_("Failed attempts"), "count"),
            (_("All"), "count"),
        ],
        notes=["contacts"],
    )
    for value, label in ContactKind.choices:
        row = counts.get(value, {"reached": 0, "failed": 0})
        table.rows.append([label, row["reached"], row["failed"], row["reached"] + row["failed"]])
    return table


DURATION_BUCKETS = [
    ("refused", gettext_lazy("Refused at first contact")),
    ("under_3", gettext_lazy("0-3 months")),
    ("3_6", gettext_lazy("3-6 months")),
    ("over_6", gettext_lazy("Over 6 months")),
]


def _duration_bucket(first, last, cases, refused):
    if refused == cases:
        return "refused"
    days = (last - first) / datetime.timedelta(days=1)
    if days < SHORT_DAYS:
        return "under_3"
    return "3_6" if days < MEDIUM_DAYS else "over_6"


def _durations(contacts, total):
    """People in contact by the duration of their contact (DEFINITIONS["duration"])."""
    counts = {}
    for contact in contacts.values():
        bucket = _duration_bucket(contact.began, contact.ended, contact.cases, contact.refused)
        counts[bucket] = counts.get(bucket, 0) + 1
    table = _shares(
        "duration",
        _("People in contact by duration of contact"),
        DURATION_BUCKETS,
        counts,
        total,
        ["in_contact", "duration"],
    )
    table.rows.append([_("All people in contact"), total, _share(total, total)])
    return table


def _closed_in(period):
    return Case.objects.filter(closed_at__gte=period.start, closed_at__lt=period.end).exclude(
        outcome=""
    )


def _outcomes(period, previous):
    closed = _closed_in(period)
    counts = _counts(closed, "outcome")
    total = sum(counts.values())
    outcomes = _compared(
        "outcomes",
        _("Outcomes of cases closed during the year (cases, not people)"),
        Outcome.choices,
        counts,
        _counts(_closed_in(previous), "outcome"),
        total,
        ["outcomes"],
    )
    handed_over = closed.filter(outcome=Outcome.HANDED_OVER)
    destinations = (
        handed_over.values("handover_team_id", "handover_team__title")
        .annotate(n=Count("pk"))
        .order_by("handover_team__title")
    )
    handover_total = sum(row["n"] for row in destinations)
    table = Table(
        key="handover_destinations",
        title=_("Handover destinations"),
        columns=[("", "label"), (_("Cases"), "count"), (_("Share (%)"), "share")],
        notes=["outcomes"],
    )
    for row in destinations:
        label = row["handover_team__title"] or _("Not recorded")
        table.rows.append([label, row["n"], _share(row["n"], handover_total)])
    return outcomes, table


def _deadline(period):
    # Judged against the deadline moment (`first_contact_overdue_q`), so "within 4 hours"
    # and "the same day" count as the live lists count them.
    cases = Case.objects.filter(
        referral__received_at__gte=period.start,
        referral__received_at__lt=period.end,
        first_contact_deadline__isnull=False,
    ).exclude(outcome__in=TRIAGE_OUTCOMES)
    kept = Q(first_contact_at__lt=F("first_contact_deadline"))
    late = Q(first_contact_at__gte=F("first_contact_deadline"))
    # No contact: missed if the case was closed after its deadline, or is overdue now by
    # the live lists' rule, so the report and the dashboard count the same open cases.
    closed_late = Q(first_contact_at__isnull=True, closed_at__gte=F("first_contact_deadline"))
    missed = late | closed_late | first_contact_overdue_q(timezone.now())
    counts = cases.aggregate(kept=Count("pk", filter=kept), missed=Count("pk", filter=missed))
    assessed = counts["kept"] + counts["missed"]
    table = Table(
        key="first_contact_deadline",
        title=_("First-contact deadline"),
        columns=[("", "label"), (_("Cases"), "count"), (_("Share (%)"), "share")],
        notes=["deadline"],
    )
    table.rows = [
        [_("Deadline kept"), counts["kept"], _share(counts["kept"], assessed)],
        [_("Deadline missed"), counts["missed"], _share(counts["missed"], assessed)],
        [_("Cases assessed"), assessed, _share(assessed, assessed)],
    ]
    return table


def status_report(year: int, *, age_band: tuple[int, int] | None = None) -> StatusReport:
    """The status report for calendar year `year`, with the share of the people in contact
    aged `age_band` (lowest, highest; both included) when a leader chose one."""
    period, previous = Period.year(year), Period.year(year - 1)
    people, people_before = people_in_contact(period), people_in_contact(previous)
    # Each person once in one of the cells, so the cells add up to the people in contact.
    cells, cells_before = (
        _age_gender_cells(people, year),
        _age_gender_cells(people_before, year - 1),
    )
    total, total_before = sum(cells.values()), sum(cells_before.values())
    attributes = {
        "income_source": IncomeSource.values,
        "marital_status": MaritalStatus.values,
        "living_alone": LivingAlone.values,
        "main_problem": MainProblem.values,
        "housing": Housing.values,
    }
    counts = _value_counts(people, attributes)
    counts_before = _value_counts(people_before, attributes)
    ages, ages_before = known_ages(people, year), known_ages(people_before, year - 1)

    summary = Table(
        key="people",
        title=_("People in contact during the year"),
        columns=[
            ("", "label"),
            (_("This year"), "count"),
            (_("Previous year"), "count"),
            (_("Change from the previous year"), "change"),
        ],
        rows=[[_("People in contact"), total, total_before, total - total_before]],
        notes=["in_contact"],
    )
    gender = _compared(
        "gender",
        _("People in contact by gender"),
        Gender.choices,
        _margin(cells, 1),
        _margin(cells_before, 1),
        total,
        ["in_contact", "attributes"],
    )
    age = _compared(
        "age_group",
        _("People in contact by age group"),
        AgeGroup.choices,
        _margin(cells, 0),
        _margin(cells_before, 0),
        total,
        ["in_contact", "age"],
    )
    attribute_tables = [
        _compared(
            key,
            title,
            choices,
            counts[key],
            counts_before[key],
            total,
            ["in_contact", "attributes"],
        )
        for key, title, choices in [
            ("income_source", _("People in contact by income source"), IncomeSource.choices),
            ("marital_status", _("People in contact by marital status"), MaritalStatus.choices),
            ("living_alone", _("People in contact living alone"), LivingAlone.choices),
            ("main_problem", _("People in contact by main problem"), MainProblem.choices),
            (
                "housing",
                _("People in contact by housing at the end of the year"),
                Housing.choices,
            ),
        ]
    ]
    homeless = {category.value: counts["housing"][category.value] for category in HOMELESS}
    outcomes, destinations = _outcomes(period, previous)
    sources = _source_choices()
    contacts = contacts_per_person(period)
    return StatusReport(
        year=year,
        generated_at=timezone.now(),
        people=total,
        people_previous=total_before,
        age_band=age_band,
        tables=[
            summary,
            gender,
            age,
            _age_figures(ages, ages_before),
            *([_age_band(age_band, ages, ages_before)] if age_band else []),
            _gender_by_age(cells),
            *attribute_tables,
            _homeless(homeless, total),
            _people_by_source(contacts, sources, total),
            _durations(contacts, total),
            outcomes,
            destinations,
            _deadline(period),
            _referrals_received(period, sources),
            _contact_kinds(period),
        ],
    )


def status_report_rows(report: StatusReport):
    """The report as spreadsheet rows: each table under its title, then the definitions."""
    yield [_("Status report %(year)s") % {"year": report.year}]
    yield [
        _("Generated"),
        date_format(timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"),
    ]
    yield []
    for table in report.tables:
        yield [table.title]
        yield [heading for heading, _kind in table.columns]
        yield from table.rows
        if table.notes:
            numbers = ", ".join(str(number) for number in table.note_numbers)
            yield [_("See definitions %(numbers)s") % {"numbers": numbers}]
        yield []
    if report.suppression_threshold:
        yield [report.suppression_note]
        yield []
    yield [_("Definitions")]
    for number, text in report.definitions:
        yield [number, text]
