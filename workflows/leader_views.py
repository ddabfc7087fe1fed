"""Leaders' screens under /ledelse/: the live dashboard, deadline lists, the annual status
report and the import of historical cases. The figures come from workflows.reporting."""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intranet import roles
from intranet.audit import case_subjects, show_list, shows_case_list
from intranet.forms import ModelChoiceField
from pages.models import DepartmentPage, TeamPage

from . import services
from .models import CaseImport
from .reporting import charts
from .reporting import dashboard as figures
from .reporting.disclosure import suppressed, suppression_threshold
from .reporting.importer import (
    COLUMNS,
    REQUIRED,
    TEAM_COLUMNS,
    ImportResult,
    allowed_values,
    template_workbook,
)
from .reporting.periods import Period
from .reporting.spreadsheet import csv_text
from .reporting.status_report import DEFINITIONS, status_report, status_report_rows
from .tasks import start_case_import

MAX_PERIOD_DAYS = 5 * 366
IMPORT_TEMPLATE = settings.BASE_DIR / "docs" / "import_template.csv"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The administrator's latest imports, listed under the upload form.
RECENT_IMPORTS = 5


# --- Filters -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


EARLIEST_DATE = datetime.date(1900, 1, 1)


class DashboardFilterForm(forms.Form):
    department = ModelChoiceField(
        queryset=DepartmentPage.objects.order_by("title"),
        required=False,
        label=gettext_lazy("Department"),
        empty_label=gettext_lazy("All departments"),
    )
    team = ModelChoiceField(
        queryset=TeamPage.objects.order_by("title"),
        required=False,
        label=gettext_lazy("Team"),
        empty_label=gettext_lazy("All teams"),
    )
    date_from = forms.DateField(required=False, label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(required=False, label=gettext_lazy("To"), widget=DateInput())
    unclaimed_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label=gettext_lazy("Unclaimed for more than (days)"),
        error_messages={
            "min_value": gettext_lazy("Write a number of days from 1 to 365."),
            "max_value": gettext_lazy("Write a number of days from 1 to 365."),
            "invalid": gettext_lazy("Write a number of days from 1 to 365."),
        },
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _(
                "Write the date as dd.mm.yyyy, for example 31.12.2025."
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for name in ("date_from", "date_to"):
            # A date in the first years makes the period's times overflow (a 500): the
            # register holds nothing that old.
            if data.get(name) and data[name] < EARLIEST_DATE:
                self.add_error(name, self.fields[name].error_messages["invalid"])
        if self.errors:
            return data
        date_to = data.get("date_to") or self.today
        date_from = data.get("date_from") or default_period_start(date_to)
        if date_to > self.today:
            self.add_error("date_to", _("The end date cannot be in the future."))
        if date_from > date_to:
            self.add_error("date_from", _("The start date must be on or before the end date."))
        elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
            self.add_error("date_from", _("The period can be at most five years."))
        team, department = data.get("team"), data.get("department")
        if team and department and not team.is_child_of(department):
            self.add_error("team", _("The team is not part of the chosen department."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def scope(self) -> figures.Scope:
        data = self.cleaned_data
        return figures.Scope(
            period=Period(data["date_from"], data["date_to"]),
            team=data.get("team"),
            department=data.get("department"),
            unclaimed_days=data.get("unclaimed_days") or figures.DEFAULT_UNCLAIMED_DAYS,
        )


def default_period_start(date_to: datetime.date) -> datetime.date:
    """The first day of the month eleven months before `date_to`: twelve calendar months."""
    month_index = date_to.year * 12 + date_to.month - 1 - 11
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def _filter_form(request):
    return DashboardFilterForm(request.GET or None)


def _scope_or_default(form):
    if form.is_bound:
        return form.scope() if form.is_valid() else None
    today = form.today
    return figures.Scope(period=Period(default_period_start(today), today))


# --- Dashboard -----------------------------------------------------------------------------

FLOW_SERIES = [
    ("referrals", gettext_lazy("Referrals received")),
    ("first_contacts", gettext_lazy("First contacts made")),
    ("closed", gettext_lazy("Cases closed")),
]
TEAM_SERIES = [("open_cases", gettext_lazy("Open cases")), ("overdue", gettext_lazy("Overdue"))]
BREACH_TITLES = {
    figures.BREACH_FIRST_CONTACT: gettext_lazy("First contact overdue"),
    figures.BREACH_REASSESSMENT: gettext_lazy("Reassessment overdue"),
    figures.BREACH_UNCLAIMED: gettext_lazy("Tasks nobody has claimed"),
}


def _month_label(month, first):
    """The month's short name, with the year under January and under the first month."""
    return date_format(month, "M"), str(month.year) if first or month.month == 1 else ""


def _series(series):
    return [(key, str(label)) for key, label in series]


def _flow_chart(flow):
    categories = [
        (row["month"].isoformat(), _month_label(row["month"], index == 0))
        for index, row in enumerate(flow)
    ]
    values = {
        (key, row["month"].isoformat()): row[key] for row in flow for key, _label in FLOW_SERIES
    }
    return charts.column_chart(categories, _series(FLOW_SERIES), values)


def _team_chart(teams):
    categories = [(str(row["pk"]), row["title"]) for row in teams]
    values = {(key, str(row["pk"])): row[key] for row in teams for key, _label in TEAM_SERIES}
    return charts.bar_chart(categories, _series(TEAM_SERIES), values)


def _may_import(user):
    """Superusers, and administrators (the role that also manages queues)."""
    if user.is_superuser:
        return True
    return (
        user.has_perm("workflows.manage_queue")
        and user.groups.filter(name=roles.group_name(roles.ADMINISTRATOR)).exists()
    )


@permission_required("workflows.view_dashboard", raise_exception=True)
def dashboard(request):
    form = _filter_form(request)
    scope = _scope_or_default(form)
    context = {"form": form, "scope": scope, "may_import": _may_import(request.user)}
    if scope is not None:
        data = figures.dashboard(scope, user=request.user)
        breaches = [
            {
                "kind": kind,
                "title": BREACH_TITLES[kind],
                "hidden": counts["total"] - counts["visible"],
                **counts,
            }
            for kind, counts in data["breaches"].items()
        ]
        last_year = timezone.localdate().year - 1
        context.update(
            data,
            breaches=breaches,
            diagram=charts.process_diagram(data["stages"]),
            flow_chart=_flow_chart(data["flow"]),
            flow_series=FLOW_SERIES,
            team_chart=_team_chart(data["teams"]),
            team_series=TEAM_SERIES,
            query=request.GET.urlencode(),
            report_years=list(range(last_year + 1, last_year - 9, -1)),
            report_year=last_year,
        )
    return render(request, "workflows/leader/dashboard.html", context)


@shows_case_list(what="deadline list")
def breaches(request, kind):
    if not services.sees_overview(request.user):
        raise PermissionDenied
    if kind not in figures.BREACH_KINDS:
        raise Http404
    form = _filter_form(request)
    scope = _scope_or_default(form)
    context = {
        "form": form,
        "kind": kind,
        "title": BREACH_TITLES[kind],
        "scope": scope,
        "leader": request.user.has_perm("workflows.view_dashboard"),
    }
    if scope is not None:
        counts = figures.breach_counts(scope, user=request.user)[kind]
        page = Paginator(figures.breach_list(scope, kind, user=request.user), 50).get_page(
            request.GET.get("side")
        )
        rows = list(page.object_list)
        cases = [row.process.case if kind == figures.BREACH_UNCLAIMED else row for row in rows]
        # Every row listed is logged, those shown without a person too: its case number,
        # team and step were read.
        show_list(request, case_subjects(cases))
        figures.with_people(
            cases, [row_case.pk for row, row_case in zip(rows, cases, strict=True) if row.may_open]
        )
        params = request.GET.copy()
        params.pop("side", None)
        context.update(
            counts=counts,
            hidden=counts["total"] - counts["visible"],
            page=page,
            rows=rows,
            today=timezone.localdate(),
            now=timezone.now(),
            query=params.urlencode(),
        )
    return render(request, "workflows/leader/breaches.html", context)


# --- Annual status report ------------------------------------------------------------------

REPORT_FORMATS = ("html", "csv", "json")


class ReportForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        error_messages={"invalid": gettext_lazy("Write a year, for example 2025.")},
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("html", "HTML"), ("csv", "CSV"), ("json", "JSON")],
    )
    age_from = forms.IntegerField(
        label=gettext_lazy("Age range from"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=gettext_lazy("Optional: the share of the people in contact in this age range."),
    )
    age_to = forms.IntegerField(
        label=gettext_lazy("to (age)"), required=False, min_value=0, max_value=120
    )
    suppress = forms.BooleanField(
        label=gettext_lazy("For publication: hide small numbers"),
        required=False,
        help_text=gettext_lazy(
            "Counts below %(threshold)s, and what would reveal them, are hidden."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppress"].help_text = self.fields["suppress"].help_text % {
            "threshold": suppression_threshold()
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Choose a year from 2000 to this year."))
        return year

    def clean(self):
        data = super().clean()
        if self.has_error("age_from") or self.has_error("age_to"):
            return data
        low, high = data.get("age_from"), data.get("age_to")
        if (low is None) != (high is None):
            self.add_error(
                "age_to" if high is None else "age_from",
                _("Give both ages of the range, or neither."),
            )
        elif low is not None and low > high:
            self.add_error("age_to", _("The highest age must not be lower than the lowest."))
        return data

    @property
    def age_band(self):
        low, high = self.cleaned_data.get("age_from"), self.cleaned_data.get("age_to")
        return (low, high) if low is not None and high is not None else None


def status_report_response(report, report_format):
    """The report as an HTTP response in `report_format` (csv or json)."""
    filename = f"statusrapport-{report.year}.{report_format}"
    if report_format == "csv":
        response = HttpResponse(
            csv_text(status_report_rows(report)), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required("workflows.view_dashboard", raise_exception=True)
def annual_report(request):
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year - 1))
    form = ReportForm(data)
    if not form.is_valid():
        return render(request, "workflows/leader/status_report.html", {"form": form}, status=400)
    report = status_report(form.cleaned_data["year"], age_band=form.age_band)
    if form.cleaned_data["suppress"]:
        report = suppressed(report)
    report_format = form.cleaned_data["format"] or "html"
    if report_format != "html":
        return status_report_response(report, report_format)
    download = request.GET.copy()
    download.pop("format", None)
    return render(
        request,
        "workflows/leader/status_report.html",
        {
            "form": form,
            "report": report,
            "definitions": DEFINITIONS,
            "download_query": download.urlencode(),
        },
    )


# --- Import of historical cases ------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file or Excel workbook (.xlsx)"),
        help_text=gettext_lazy(
            "One case per row, the column names in the first row; in a workbook, the first "
            "sheet is read."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    check_only = forms.BooleanField(
        label=gettext_lazy("Only check the file; import nothing"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The name is not checked: the importer tells CSV from .xlsx by the content.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def import_cases(request):
    """The upload: the file goes to the background worker, the browser to its job page."""
    if not _may_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_case_import(
            user=request.user,
            file_name=upload.name,
            data=upload.read(),
            check_only=form.cleaned_data["check_only"],
        )
        return redirect("leader:import_job", import_id=job.pk)
    return render(
        request,
        "workflows/leader/import.html",
        {
            "form": form,
            "required": REQUIRED,
            "columns": COLUMNS,
            "allowed": allowed_values(),
            "team_columns": TEAM_COLUMNS,
            "teams": TeamPage.objects.order_by("title").values_list("title", flat=True),
            "recent": CaseImport.objects.filter(started_by=request.user)[:RECENT_IMPORTS],
        },
    )


def _import_job(request, import_id):
    """The administrator's own import: another's is not found, as if it did not exist."""
    if not _may_import(request.user):
        raise PermissionDenied
    return get_object_or_404(CaseImport, pk=import_id, started_by=request.user)


@shows_case_list(what="case import review")
def import_job(request, import_id):
    """An import's progress while it runs, its result when done."""
    job = _import_job(request, import_id)
    result = ImportResult.from_json(job.result) if job.result else None
    # The review list names registered people's cases: each is logged as read.
    show_list(
        request,
        [subject for entry in (result.review if result else []) for subject in entry.subjects],
    )
    return render(request, "workflows/leader/import_job.html", {"job": job, "result": result})


def import_job_status(request, import_id):
    """The progress bar's figures (static/js/import_progress.js), no case data."""
    job = _import_job(request, import_id)
    return JsonResponse(
        {
            "finished": job.is_finished or job.has_stopped,
            "percent": job.percent,
            "stage": job.stage_text,
            "rows": job.rows_text,
        }
    )


def import_template(request):
    if not _may_import(request.user):
        raise PermissionDenied
    return FileResponse(
        IMPORT_TEMPLATE.open("rb"),
        as_attachment=True,
        filename="import_template.csv",
        content_type="text/csv; charset=utf-8",
    )


def import_template_xlsx(request):
    if not _may_import(request.user):
        raise PermissionDenied
    workbook = template_workbook(IMPORT_TEMPLATE.read_text(encoding="utf-8-sig"))
    response = HttpResponse(
        workbook,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="import_template.xlsx"'
    return response
