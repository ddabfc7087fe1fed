"""Screens for the data protection officer: who looked at whom, spot checks, insight reports.

Every screen needs `intranet.review_access_log` (the data protection role). These screens
are the one deliberate exception to Case.objects.visible_to: the officer sees any person's
log and data, and every such look is itself logged.
"""

import datetime
import random

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intranet.audit import (
    case_subjects,
    log_access,
    show,
    show_list,
    shows_case_data,
    shows_case_list,
)
from intranet.forms import PlainTextFormMixin
from intranet.models import AccessAction, AccessLogEntry

from . import services as casework
from .models import EmergencyAccess, Person
from .privacy import accesses_about, describe_access, insight_report
from .reporting.spreadsheet import csv_text

PAGE_SIZE = 100
PICKER_LIMIT = 50
SAMPLE_MAX = 500
SAMPLE_MAX_DAYS = 366
MAX_ID = 2**63 - 1  # the largest id a BigAutoField can hold

review_required = permission_required("intranet.review_access_log", raise_exception=True)


# --- Forms ---------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Find a person"),
        max_length=200,
        help_text=gettext_lazy("Person number, alias, name or CPR number. The search is logged."),
    )


class UserSearchForm(forms.Form):
    u = forms.CharField(
        label=gettext_lazy("Find a staff member"),
        max_length=150,
        help_text=gettext_lazy("User name, first name or last name."),
    )


class SampleForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    size = forms.IntegerField(
        label=gettext_lazy("Number of accesses"),
        min_value=1,
        max_value=SAMPLE_MAX,
        initial=20,
        help_text=format_lazy(gettext_lazy("Between 1 and {max}."), max=SAMPLE_MAX),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period must not be before its start."))
            elif end > timezone.localdate():
                self.add_error("end", _("The period cannot end in the future."))
            elif (end - start).days + 1 > SAMPLE_MAX_DAYS:
                self.add_error(
                    "start",
                    _("The period can be at most %(days)s days.") % {"days": SAMPLE_MAX_DAYS},
                )
        return data


class EmergencyAccessFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Granted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Granted to (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    unreviewed = forms.BooleanField(label=gettext_lazy("Only not yet reviewed"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = _(
                "Write the date as dd.mm.yyyy, for example 31.12.2025."
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data


class EmergencyReviewForm(PlainTextFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Review note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "What you found: was the access justified, and did you follow it up?"
        ),
        error_messages={
            "required": gettext_lazy("Write what the review found."),
            "max_length": gettext_lazy("Keep the note under 2000 characters."),
        },
    )


# --- Helpers -------------------------------------------------------------------------------


def _entries(queryset):
    return queryset.select_related("user").order_by("-at", "-pk")


def _described(entries):
    """The entries, each with `what_label`: its `what` code in words."""
    entries = list(entries)
    for entry in entries:
        entry.what_label = describe_access(entry.what)
    return entries


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("side"))


CSV_HEADER = [
    gettext_lazy("time"),
    gettext_lazy("user"),
    gettext_lazy("name"),
    gettext_lazy("user name at the time"),
    gettext_lazy("action"),
    gettext_lazy("what"),
    gettext_lazy("person"),
    gettext_lazy("case"),
    gettext_lazy("address"),
    gettext_lazy("search term"),
    gettext_lazy("reason"),
]


def _csv_response(entries, filename):
    rows = [[str(heading) for heading in CSV_HEADER]]
    for entry in entries.iterator(chunk_size=2000):
        rows.append(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.user.get_username(),
                entry.user.get_full_name(),
                entry.username,
                entry.get_action_display(),
                describe_access(entry.what),  # in words, as the officer's screens show it
                entry.person_id,
                entry.case_id,
                entry.path,
                entry.search_term,
                entry.reason,
            ]
        )
    response = HttpResponse(csv_text(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _id_or_404(pk):
    """Ids beyond what the database can hold are simply not found (not a server error)."""
    if pk > MAX_ID:
        raise Http404
    return pk


def _person_or_404(pk):
    """The person, or None if it is gone but the log still mentions it."""
    _id_or_404(pk)
    person = Person.objects.filter(pk=pk).first()
    if person is None and not AccessLogEntry.objects.filter(person_id=pk).exists():
        raise Http404
    return person


def _day_start(day):
    """The first moment of `day` in the site's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _search_term(request):
    """The term of the search a person was opened from (the hit links carry it as ?q=)."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:200]


def _search_persons(term):
    term = term.strip()
    query = Q(alias__icontains=term) | Q(name__icontains=term) | Q(cpr=term)
    if term.isascii() and term.isdigit() and int(term) <= MAX_ID:
        query |= Q(pk=int(term))
    return list(Person.objects.filter(query).order_by("pk")[:PICKER_LIMIT])


def _search_users(term):
    term = term.strip()
    query = (
        Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
    )
    return list(get_user_model().objects.filter(query).order_by("username")[:PICKER_LIMIT])


# --- Screens -------------------------------------------------------------------------------


@review_required
@shows_case_list(what="person search (data protection)")
def index(request):
    """Find a person or a staff member; searching persons is logged, hit by hit."""
    person_form = PersonSearchForm(request.GET if "q" in request.GET else None)
    user_form = UserSearchForm(request.GET if "u" in request.GET else None)
    persons = users = None
    term = ""
    if person_form.is_valid():
        term = person_form.cleaned_data["q"]
        persons = _search_persons(term)
        show_list(
            request,
            [(person.pk, None) for person in persons] or [(None, None)],
            search_term=term,
        )
    if user_form.is_valid():
        users = _search_users(user_form.cleaned_data["u"])
    return render(
        request,
        "privacy/index.html",
        {
            "person_form": person_form,
            "user_form": user_form,
            "persons": persons,
            "term": term,
            "users": users,
            "sample_form": SampleForm(),
            "unreviewed_emergencies": EmergencyAccess.objects.unreviewed().count(),
        },
    )


@review_required
@shows_case_data(what="access log of person (data protection)")
def person_log(request, pk):
    """Who looked at person X."""
    person = _person_or_404(pk)
    search_term = _search_term(request)
    show(
        request,
        person_id=pk,
        action=AccessAction.SEARCH_OPEN if search_term else AccessAction.VIEW,
        search_term=search_term,
        at_once=True,  # the page shows this very look, first
    )
    page = _page(request, _entries(accesses_about(pk)))
    return render(
        request,
        "privacy/person_log.html",
        {"person": person, "person_id": pk, "page": page, "entries": _described(page.object_list)},
    )


@review_required
@shows_case_data(what="access log of person, CSV (data protection)")
def person_log_csv(request, pk):
    _person_or_404(pk)
    show(request, person_id=pk, action=AccessAction.EXPORT)
    return _csv_response(_entries(accesses_about(pk)), f"adgangslog-person-{pk}.csv")


@review_required
def user_log(request, pk):
    """What user Y looked at."""
    staff = get_object_or_404(get_user_model(), pk=_id_or_404(pk))
    log_access(
        user=request.user,
        action=AccessAction.VIEW,
        what=f"access log of user {pk} (data protection)",
        request=request,
    )
    page = _page(request, _entries(AccessLogEntry.objects.filter(user=staff)))
    return render(
        request,
        "privacy/user_log.html",
        {"staff": staff, "page": page, "entries": _described(page.object_list)},
    )


@review_required
def user_log_csv(request, pk):
    staff = get_object_or_404(get_user_model(), pk=_id_or_404(pk))
    log_access(
        user=request.user,
        action=AccessAction.EXPORT,
        what=f"access log of user {pk}, CSV (data protection)",
        request=request,
    )
    entries = _entries(AccessLogEntry.objects.filter(user=staff))
    return _csv_response(entries, f"adgangslog-bruger-{pk}.csv")


@review_required
def sample(request):
    """A random sample of accesses in a period, for routine spot checks."""
    form = SampleForm(request.GET if request.GET else None)
    entries = None
    total = 0
    if form.is_valid():
        start, end, size = (form.cleaned_data[k] for k in ("start", "end", "size"))
        since, until = _day_start(start), _day_start(end + datetime.timedelta(days=1))
        in_period = AccessLogEntry.objects.filter(at__gte=since, at__lt=until)
        ids = list(in_period.values_list("pk", flat=True))
        total = len(ids)
        # SystemRandom: a spot check must not be predictable from an earlier one.
        chosen = random.SystemRandom().sample(ids, min(size, total))
        entries = _described(_entries(AccessLogEntry.objects.filter(pk__in=chosen)))
        with translation.override(settings.LANGUAGE_CODE):  # the log is read later, by others
            reason = _("%(chosen)s of %(total)s accesses from %(start)s to %(end)s") % {
                "chosen": len(chosen),
                "total": total,
                "start": date_format(start, "SHORT_DATE_FORMAT"),
                "end": date_format(end, "SHORT_DATE_FORMAT"),
            }
        log_access(
            user=request.user,
            action=AccessAction.VIEW,
            what="access log sample (data protection)",
            request=request,
            reason=reason,
        )
    return render(
        request, "privacy/sample.html", {"form": form, "entries": entries, "total": total}
    )


@review_required
def insight(request, pk):
    """Everything held about a person (GDPR art. 15), printable to PDF from the browser."""
    person = get_object_or_404(Person, pk=_id_or_404(pk))
    report = insight_report(
        person=person,
        produced_by=request.user,
        request=request,
        search_term=_search_term(request),
    )
    return render(request, "privacy/insight_report.html", {"report": report})


# --- Emergency accesses ("break the glass") -------------------------------------------------


@review_required
@shows_case_list(what="emergency access list (data protection)")
def emergency_accesses(request):
    """Every emergency access, newest first, for review; filterable by period."""
    form = EmergencyAccessFilterForm(request.GET or None)
    accesses = EmergencyAccess.objects.select_related("user", "case__person", "reviewed_by")
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if start:
            accesses = accesses.filter(granted_at__gte=_day_start(start))
        if end:
            accesses = accesses.filter(granted_at__lt=_day_start(end + datetime.timedelta(days=1)))
        if form.cleaned_data["unreviewed"]:
            accesses = accesses.unreviewed()
    elif form.is_bound:
        accesses = accesses.none()
    page = _page(request, accesses.order_by("-granted_at", "-pk"))
    rows = list(page.object_list)
    show_list(request, case_subjects(access.case for access in rows))
    return render(
        request,
        "privacy/emergency_accesses.html",
        {"form": form, "page": page, "accesses": rows, "now": timezone.now()},
    )


@review_required
@shows_case_data(what="emergency access (data protection)")
def emergency_review(request, pk):
    """One emergency access: who, which case, why; the officer marks it reviewed."""
    access = get_object_or_404(
        EmergencyAccess.objects.select_related("user", "case__person", "reviewed_by"),
        pk=_id_or_404(pk),
    )
    form = EmergencyReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not access.is_reviewed and form.is_valid():
        try:
            casework.emergency_access_review(
                access=access, by=request.user, note=form.cleaned_data["note"], request=request
            )
        except ValidationError as exc:
            form.add_error("note" if hasattr(exc, "error_dict") else None, exc.messages)
        else:
            messages.success(request, _("The emergency access is marked as reviewed."))
            return redirect("privacy:emergency_accesses")
    show(request, person_id=access.case.person_id, case_id=access.case_id)
    return render(
        request,
        "privacy/emergency_review.html",
        {"access": access, "form": form, "now": timezone.now()},
    )
