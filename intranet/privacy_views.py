"""Screens for the data protection officer: who looked at whom, spot checks, insight reports.

Every screen needs `intranet.review_access_log` (the data protection role). These screens
are the one deliberate exception to Case.objects.visible_to: the officer sees any person's
log and data, and every such look is itself logged.
"""

import datetime
import random

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.models import Person
from workflows.privacy import accesses_about, describe_access, insight_report
from workflows.reporting.spreadsheet import csv_text

from .audit import log_access
from .models import AccessAction, AccessLogEntry

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
    gettext_lazy("user name"),
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
                entry.get_action_display(),
                entry.what,
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
def index(request):
    """Find a person or a staff member; searching persons is logged, hit by hit."""
    person_form = PersonSearchForm(request.GET if "q" in request.GET else None)
    user_form = UserSearchForm(request.GET if "u" in request.GET else None)
    persons = users = None
    if person_form.is_valid():
        term = person_form.cleaned_data["q"]
        persons = _search_persons(term)
        for person in persons or [None]:
            log_access(
                user=request.user,
                action=AccessAction.VIEW,
                what="person search (data protection)",
                person_id=person.pk if person else None,
                request=request,
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
            "users": users,
            "sample_form": SampleForm(),
        },
    )


@review_required
def person_log(request, pk):
    """Who looked at person X."""
    person = _person_or_404(pk)
    log_access(
        user=request.user,
        action=AccessAction.VIEW,
        what="access log of person (data protection)",
        person_id=pk,
        request=request,
    )
    page = _page(request, _entries(accesses_about(pk)))
    return render(
        request,
        "privacy/person_log.html",
        {"person": person, "person_id": pk, "page": page, "entries": _described(page.object_list)},
    )


@review_required
def person_log_csv(request, pk):
    _person_or_404(pk)
    log_access(
        user=request.user,
        action=AccessAction.EXPORT,
        what="access log of person, CSV (data protection)",
        person_id=pk,
        request=request,
    )
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
        tz = timezone.get_current_timezone()
        since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        until = datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
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
    report = insight_report(person=person, produced_by=request.user, request=request)
    return render(request, "privacy/insight_report.html", {"report": report})
