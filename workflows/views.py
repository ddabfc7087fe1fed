"""Work screens of the referral process: parse input, call a service, complete the task."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed

from intranet.audit import (
    case_subjects,
    log_access,
    show,
    show_list,
    shows_case_data,
    shows_case_list,
)
from intranet.models import AccessAction
from intranet.paging import counted_page
from intranet.submissions import FIELD as SUBMISSION_FIELD
from intranet.submissions import AlreadySubmitted, earlier_result, submit_once
from pages.models import LegalBasis, RedirectReason

from . import forms, services
from .models import (
    Case,
    Consent,
    EmergencyAccess,
    Goal,
    GoalStatus,
    Reassessment,
    Stage,
    opens_without_emergency_access,
    teams_for,
)

MAX_SEARCH_TERM = 200


def _log(request, case, action, what):
    """A change to the case (or its creation), logged at once; reads go through `_show_case`."""
    log_access(
        user=request.user,
        action=action,
        what=what,
        person_id=case.person_id,
        case_id=case.pk,
        request=request,
    )


def _recorded(request, perform, *, what, case=None, action=AccessAction.CHANGE):
    """`perform()` (a service call) and its access-log entry, in one transaction: if the
    entry cannot be written, the change is undone too. The entry is about `case`, or about
    the case `perform` returns (a new one)."""
    with transaction.atomic():
        result = perform()
        _log(request, case or result, action, what=what)
    return result


def _show_case(request, case, *, what="", action=AccessAction.VIEW, search_term="", emergency=None):
    """The response shows `case` (logged by the view's @shows_case_data once it is a 200),
    noted as emergency access when that is how the user sees it."""
    show(
        request,
        person_id=case.person_id,
        case_id=case.pk,
        what=what,
        action=action,
        search_term=search_term,
        emergency=partial(_emergency_access, request.user, case)
        if emergency is None
        else emergency,
    )


def _show_cases(request, cases, what=""):
    """A list shows these cases (and their persons): one entry each, in one INSERT."""
    show_list(request, case_subjects(cases), what=what)


def _add_errors(form, error):
    """Put a service's ValidationError on the form's fields (or on the form as a whole)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _next_url(request, fallback):
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


# What a case page shows of every case, in one query. Relations most cases lack (redirect,
# handover, merge, reopening) are not joined: Django loads one only when its id is set. The
# standard's revision is shown by name; its content (the whole page as JSON) is not read.
CASE_PAGE_RELATED = (
    "person",
    "team",
    "referral__source",
    "primary_worker",
    "second_worker",
    "standard_revision",
)


def _case_page_cases(user):
    return (
        Case.objects.visible_to(user)
        .select_related(*CASE_PAGE_RELATED)
        .defer("standard_revision__content")
    )


def _visible_case(request, pk):
    """The case, if the user may see it; otherwise 404 without revealing that it exists.
    What the view shows of it is logged (@shows_case_data)."""
    case = get_object_or_404(_case_page_cases(request.user), pk=pk)
    _show_case(request, case)
    return case


def _workable_case(request, pk):
    case = _visible_case(request, pk)
    if not request.user.has_perm("workflows.work_case"):
        raise PermissionDenied
    return case


# --- Lists ---------------------------------------------------------------------------------

# A team queue shows this many tasks a page (most urgent first), as viewflow's own queue does.
QUEUE_PAGE_SIZE = 25


@shows_case_list(what="task list")
def my_tasks(request):
    rows = services.task_rows(request.user, services.tasks_for_user(request.user))
    # The standing support task is where support is ended early: list it apart, as a case.
    todo = [row for row in rows if row.task.flow_task.name != "end_support"]
    ongoing = [row for row in rows if row.task.flow_task.name == "end_support"]
    _show_cases(request, [row.case for row in rows])
    return render(
        request, "workflows/my_tasks.html", {"rows": rows, "todo": todo, "ongoing": ongoing}
    )


@shows_case_list(what="team queue")
def team_queue(request):
    teams = teams_for(request.user)
    if not teams:
        return render(request, "workflows/team_queue.html", {"teams": [], "rows": []})
    data = request.GET.copy()
    data.setdefault("team", str(teams[0].pk))
    filters = forms.QueueFilterForm(data, user=request.user, teams=teams)
    team, task_name, assignment, overdue = teams[0], "", "", False
    if filters.is_valid():
        team = filters.cleaned_data["team"] or team
        task_name = filters.cleaned_data["task"]
        assignment = filters.cleaned_data["assignment"]
        overdue = filters.cleaned_data["overdue"]
    tasks = services.team_queue(
        request.user, team, task_name=task_name, assignment=assignment, overdue_only=overdue
    )
    page = counted_page(tasks, request.GET.get("side"), QUEUE_PAGE_SIZE)
    rows = services.task_rows(request.user, page.object_list)
    _show_cases(request, [row.case for row in rows])
    return render(
        request,
        "workflows/team_queue.html",
        {"teams": teams, "team": team, "filters": filters, "rows": rows, "page": page},
    )


def overview(request):
    cases = services.overview_cases(request.user)
    if cases is None:
        raise PermissionDenied
    return render(
        request,
        "workflows/overview.html",
        {
            "stages": Stage.choices,
            "table": services.stage_counts(cases),
            "outcomes": services.outcome_counts(cases),
            "all_teams": request.user.has_perm("workflows.view_dashboard"),
        },
    )


# --- Queue actions -------------------------------------------------------------------------


TASK_PAGE_RELATED = ("process__case__person", "process__case__team", "owner")


def _visible_task(request, task_pk, related=TASK_PAGE_RELATED):
    """The task, if the user may see it; what the view shows of its case is logged."""
    task = get_object_or_404(
        services.visible_tasks(request.user).select_related(*related), pk=task_pk
    )
    _show_case(request, task.process.case)
    return task


def _queue_action(request, task_pk, action, success):
    task = _visible_task(request, task_pk)
    try:
        action(task)
    except services.TaskUnavailable as exc:
        messages.error(request, str(exc))
    except (FlowLockFailed, TransitionNotAllowed):
        messages.error(request, _("Someone else is working on this case right now. Try again."))
    else:
        messages.success(request, success)
    return redirect(_next_url(request, reverse("workflows:team_queue")))


@require_POST
@shows_case_data(what="task")
def task_claim(request, task_pk):
    return _queue_action(
        request,
        task_pk,
        lambda task: services.task_claim(task=task, user=request.user),
        _("The task is yours."),
    )


@require_POST
@shows_case_data(what="task")
def task_unassign(request, task_pk):
    return _queue_action(
        request,
        task_pk,
        lambda task: services.task_unassign(task=task, by=request.user),
        _("The task is back in the queue."),
    )


@require_POST
@shows_case_data(what="task")
def task_assign(request, task_pk):
    task = _visible_task(request, task_pk)
    node = task.flow_task
    colleagues = services.users_with_perm_in_team(
        node.team_id(task.process), task.owner_permission or "workflows.work_case"
    )
    form = forms.AssignForm(request.POST, colleagues=colleagues)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague of the team who can do the task."))
        return redirect(_next_url(request, reverse("workflows:team_queue")))
    to = form.cleaned_data["user"]
    return _queue_action(
        request,
        task_pk,
        lambda task: services.task_assign(task=task, to=to, by=request.user),
        _("The task is assigned to %(name)s.") % {"name": to.get_full_name() or to},
    )


# --- Task screens --------------------------------------------------------------------------


@dataclass
class Screen:
    """One task's form, template and service call."""

    form_class: type
    template_name: str
    needs_case: bool = False
    needs_user: bool = False

    def form_kwargs(self, case, user):
        kwargs = {"case": case} if self.needs_case else {}
        if self.needs_user:
            kwargs["user"] = user
        return kwargs

    def work(self, form, user):
        raise NotImplementedError

    # Other cases the screen lists by person, and what the access log calls that list.
    listed_what = ""

    def listed_cases(self, form):
        return []


class TriageScreen(Screen):
    listed_what = "merge candidates"

    def listed_cases(self, form):
        return form.fields["merge_into"].queryset

    def work(self, form, user):
        data = form.cleaned_data
        decision = data["decision"]
        if decision == form.ACCEPT:
            return decision, lambda case: services.referral_accept(
                case=case,
                primary_worker=data["primary_worker"],
                second_worker=data["second_worker"],
                triaged_by=user,
                legal_basis=data["legal_basis"] or None,
            )
        if decision == form.REDIRECT:
            return decision, lambda case: services.referral_redirect(
                case=case,
                reason=data["redirect_reason"],
                destination=data["redirect_destination"],
                note=data["note"],
                triaged_by=user,
            )
        if decision == form.DECLINE:
            return decision, lambda case: services.referral_decline(
                case=case, note=data["note"], triaged_by=user
            )
        return decision, lambda case: services.referral_merge(
            case=case, into=data["merge_into"], note=data["note"], triaged_by=user
        )


class OutreachScreen(Screen):
    def work(self, form, user):
        data = form.cleaned_data
        return data["result"], lambda case: services.outreach_finish(
            case=case, result=data["result"], note=data["note"], by=user
        )


class EndSupportScreen(Screen):
    def work(self, form, user):
        data = form.cleaned_data
        return data["next_step"], lambda case: services.support_end(
            case=case,
            next_step=data["next_step"],
            outcome=data["outcome"],
            note=data["note"],
            by=user,
        )


class ReassessScreen(Screen):
    def work(self, form, user):
        data = form.cleaned_data
        return data["decision"], lambda case: services.reassessment_decide(
            case=case,
            decision=data["decision"],
            outcome=data["outcome"],
            note=data["note"],
            by=user,
        )


class HandOverScreen(Screen):
    def work(self, form, user):
        data = form.cleaned_data
        if data["action"] == form.CANCEL:
            return "back_to_support", lambda case: services.handover_cancel(case=case, by=user)
        return "sent", lambda case: services.case_hand_over(
            case=case,
            receiving_team=data["receiving_team"],
            summary=data["summary"],
            basis=data["basis"],
            legal_note=data["legal_note"],
            by=user,
        )


class AcknowledgeScreen(Screen):
    def work(self, form, user):
        return "acknowledged", lambda case: services.handover_acknowledge(
            case=case, by=user, note=form.cleaned_data["note"]
        )


SCREENS = {
    "triage": TriageScreen(
        forms.TriageForm, "workflows/referral/triage.html", needs_case=True, needs_user=True
    ),
    "outreach": OutreachScreen(forms.OutreachForm, "workflows/referral/outreach.html"),
    "end_support": EndSupportScreen(forms.EndSupportForm, "workflows/referral/end_support.html"),
    "reassess": ReassessScreen(forms.ReassessmentForm, "workflows/referral/reassess.html"),
    "hand_over": HandOverScreen(
        forms.HandoverForm, "workflows/referral/hand_over.html", needs_case=True
    ),
    "acknowledge_handover": AcknowledgeScreen(
        forms.AcknowledgeForm, "workflows/referral/acknowledge_handover.html"
    ),
}


# Fields shown only for the decision they belong to (see workflows.css).
DEPENDENT_FIELDS = [
    "primary_worker",
    "second_worker",
    "redirect_reason",
    "redirect_destination",
    "merge_into",
    "outcome",
    "receiving_team",
    "summary",
    "basis",
    "legal_note",
]


@shows_case_data(what="task")
def task_detail(request, task_pk):
    """A task's screen: the form of its step, or what the user may do with it."""
    # A sent form that is carried out needs the case, not what the page shows of it.
    task = _visible_task(
        request, task_pk, TASK_PAGE_RELATED if request.method != "POST" else ["process__case"]
    )
    case = task.process.case
    node = task.flow_task
    screen = SCREENS.get(node.name) if node is not None else None
    if screen is None:
        raise Http404
    is_handover_ack = node.name == "acknowledge_handover"
    # Every other task was found through its case's visibility (`services.visible_tasks`),
    # which no task's work takes away: it leads back to the case.
    back = partial(_case_url, request, case, visible=not is_handover_ack)
    if task.status not in services.tasks.OPEN_STATUSES:
        messages.info(request, _("This task has been completed."))
        return redirect(back())
    can_execute = node.can_execute(request.user, task)
    form = screen.form_class(
        request.POST if request.method == "POST" else None, **screen.form_kwargs(case, request.user)
    )
    if request.method == "POST":
        if not can_execute:
            messages.error(request, _("This task is not assigned to you. Take it first."))
            return redirect(request.path)
        if form.is_valid():
            decision, work = screen.work(form, request.user)
            try:
                services.task_complete(
                    task=task,
                    user=request.user,
                    # Inside the task's transaction (under the process lock): no
                    # completed task without its log entry.
                    work=lambda case: _recorded(
                        request, partial(work, case), case=case, what=f"task:{node.name}"
                    ),
                    decision=decision,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except services.TaskUnavailable as exc:
                messages.error(request, str(exc))
                return redirect(back())
            except (FlowLockFailed, TransitionNotAllowed):
                messages.error(
                    request,
                    _(
                        "Someone else completed or changed this task at the same moment. "
                        "Nothing was saved; check the case and try again."
                    ),
                )
                return redirect(back())
            else:
                messages.success(request, _("“%(task)s” is done.") % {"task": node.task_title})
                return redirect(back())
    _show_case(request, case, what=f"task:{node.name}")
    _show_cases(request, screen.listed_cases(form), screen.listed_what)
    context = {
        "task": task,
        "node": node,
        "case": case,
        "form": form,
        "can_execute": can_execute,
        "can_claim": node.can_assign(request.user, task),
        "stages": _stages(case),
        "depends": DEPENDENT_FIELDS,
    }
    if node.name == "triage" and form.suggested_redirect:
        context["suggested_label"] = RedirectReason(form.suggested_redirect).label
    if not is_handover_ack:
        context.update(_case_context(request, case))
    return render(request, screen.template_name, context)


def _case_url(request, case, visible=False):
    """Where a task leads back to: the case, or for a receiving team the handover summary.

    `visible`: the caller has just found the case visible to the user (`case_visibility`).
    """
    if visible or Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        return reverse("workflows:case_detail", args=[case.pk])
    summary = Case.objects.summary_visible_to(request.user).filter(handover_sent_at__isnull=False)
    if summary.filter(pk=case.pk).exists():
        return reverse("workflows:handover_summary", args=[case.pk])
    return reverse("workflows:my_tasks")


# --- Case page ---------------------------------------------------------------------------


def _stages(case):
    """The process as an ordered list of stages: where the case has been, and is now."""
    reached = case.reached_stages
    return [
        {
            "value": value,
            "label": label,
            "current": value == case.stage,
            "done": value in reached and value != case.stage,
        }
        for value, label in Stage.choices
    ]


def _case_context(request, case, tasks=None, *, has_consents=True, has_reassessments=True):
    """What the case page and the task screens show of a case. `has_consents` and
    `has_reassessments` False: the caller knows there are none, and they are not queried."""
    contacts = list(case.contacts.select_related("worker"))
    goals = list(case.goals.select_related("created_by"))
    consents = (
        list(case.person.consents.select_related("receiver", "recorded_by")) if has_consents else []
    )
    can_work = request.user.has_perm("workflows.work_case") and case.is_open
    return {
        "contacts": contacts,
        "goals": goals,
        "consents": consents,
        "reassessments": (
            list(case.reassessments.select_related("decided_by")) if has_reassessments else []
        ),
        "timeline": services.case_timeline(
            case,
            tasks=tasks,
            contacts=contacts,
            goals=goals,
            consents=[c for c in consents if c.case_id == case.pk],
        ),
        "can_work": can_work,
        # The forms are shown to whoever can work the case only.
        "contact_form": forms.ContactLogForm(case=case, user=request.user) if can_work else None,
    }


def _emergency_access(user, case):
    """The user's unexpired emergency access the case is open to them by, if that is how."""
    if opens_without_emergency_access(user, case):
        return None
    return (
        EmergencyAccess.objects.filter(user=user, case=case)
        .active()
        .order_by("-expires_at")
        .first()
    )


def _no_access(request, pk, form=None):
    """The answer to a case the user may not open, the same whether or not it exists.

    Casework roles are offered emergency access; everyone else gets the plain 404.
    """
    if not services.may_take_emergency_access(request.user):
        raise Http404
    return render(
        request,
        "workflows/no_access.html",
        {
            "pk": pk,
            "form": form or forms.EmergencyAccessForm(),
            "hours": settings.BROBYGGER_EMERGENCY_ACCESS_HOURS,
        },
        status=403,
    )


@shows_case_data(what="case")
def case_detail(request, pk):
    try:
        case = (
            _case_page_cases(request.user)
            # Most cases have neither: two EXISTS in this query save two queries after it.
            .annotate(
                has_consents=Exists(Consent.objects.filter(person_id=OuterRef("person_id"))),
                has_reassessments=Exists(Reassessment.objects.filter(case_id=OuterRef("pk"))),
            )
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        return _no_access(request, pk)
    emergency = _emergency_access(request.user, case)
    # Opened from a search result: the result links carry the term (?q=), the log keeps it.
    search_term = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_SEARCH_TERM]
    _show_case(
        request,
        case,
        action=AccessAction.SEARCH_OPEN if search_term else AccessAction.VIEW,
        search_term=search_term,
        emergency=emergency is not None,
    )
    tasks = services.case_tasks(case)
    rows = services.task_rows(request.user, services.case_open_tasks(case, tasks))
    context = {
        "case": case,
        "person": case.person,
        "referral": case.referral,
        "stages": _stages(case),
        "rows": rows,
        "goal_statuses": GoalStatus.choices,
        # Shown for a closed case only: queried only then.
        "reopenings": case.reopenings.select_related("referral__source"),
        "emergency": emergency,
        **_case_context(
            request,
            case,
            tasks,
            has_consents=case.has_consents,
            has_reassessments=case.has_reassessments,
        ),
    }
    if context["can_work"]:
        context.update(goal_form=forms.GoalForm(), consent_form=forms.ConsentForm())
    return render(request, "workflows/case_detail.html", context)


@require_POST
def emergency_access(request, pk):
    """Break the glass: a casework role opens a case outside its team, giving a reason."""
    if not services.may_take_emergency_access(request.user):
        raise Http404
    if Case.objects.visible_to(request.user).filter(pk=pk).exists():
        return redirect("workflows:case_detail", pk=pk)
    form = forms.EmergencyAccessForm(request.POST)
    if not form.is_valid():
        return _no_access(request, pk, form)
    try:
        # The day's limit first: past it, an existing and a missing case get the same refusal.
        services.emergency_access_limit_check(user=request.user)
        case = get_object_or_404(Case, pk=pk)
        access = services.emergency_access_grant(
            user=request.user, case=case, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _no_access(request, pk, form)
    until = date_format(timezone.localtime(access.expires_at), "SHORT_DATETIME_FORMAT")
    messages.warning(
        request,
        _(
            "You have emergency access to this case until %(until)s. Everything you see and "
            "do is logged, and the data protection officer reviews the access."
        )
        % {"until": until},
    )
    return redirect("workflows:case_detail", pk=pk)


@shows_case_data(what="handover summary")
def handover_summary(request, pk):
    """What a receiving team may read: the summary the worker wrote, nothing else."""
    try:
        case = (
            Case.objects.summary_visible_to(request.user)
            .filter(handover_sent_at__isnull=False)
            .select_related("person", "team", "primary_worker", "handover_team", "handover_consent")
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        return _handover_withdrawn(request, pk)
    _show_case(request, case)
    return render(request, "workflows/handover_summary.html", {"case": case})


def _handover_withdrawn(request, pk):
    """The receiving team's answer once the consent a handover rested on is withdrawn: that
    it is, and when; nothing about the person. Everyone else gets the plain 404."""
    withdrawn_at = (
        Case.objects.handover_withdrawn_from(request.user)
        .filter(pk=pk)
        .values_list("handover_withdrawn_at", flat=True)
        .first()
    )
    if withdrawn_at is None:
        raise Http404
    return render(
        request,
        "workflows/handover_withdrawn.html",
        {"pk": pk, "withdrawn_at": withdrawn_at},
        status=410,
    )


def _case_form_view(request, pk, form_factory, perform, template, success, what):
    """Shared shape of the small case forms: show, validate, call the service, go back.

    A form with a submission token (`OnceOnlyFormMixin`) is carried out once however often
    it is sent.
    """
    case = _workable_case(request, pk)
    back = _next_url(request, reverse("workflows:case_detail", args=[case.pk]))
    form = form_factory(case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                form.cleaned_data.get(SUBMISSION_FIELD),
                request.user,
                lambda: _recorded(request, lambda: perform(case, form), case=case, what=what),
                lambda result: back,
            )
        except AlreadySubmitted:
            messages.info(request, _("The form was already sent; it was saved only once."))
            return redirect(back)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back)
    return render(request, template, {"case": case, "form": form, "next": back})


@shows_case_data(what="case")
def contact_add(request, pk):
    return _case_form_view(
        request,
        pk,
        lambda case, data: forms.ContactLogForm(data, case=case, user=request.user),
        lambda case, form: services.contact_log_add(
            case=case,
            worker=form.cleaned_data["worker"],
            kind=form.cleaned_data["kind"],
            achieved=form.cleaned_data["achieved"],
            occurred_at=form.cleaned_data["occurred_at"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            note=form.cleaned_data["note"],
        ),
        "workflows/contact_form.html",
        _("The contact is logged."),
        "contact",
    )


@shows_case_data(what="case")
def goal_add(request, pk):
    return _case_form_view(
        request,
        pk,
        lambda case, data: forms.GoalForm(data),
        lambda case, form: services.goal_add(
            case=case,
            area=form.cleaned_data["area"],
            description=form.cleaned_data["description"],
            by=request.user,
        ),
        "workflows/goal_form.html",
        _("The goal is recorded."),
        "goal",
    )


@require_POST
@shows_case_data(what="case")
def goal_status(request, pk, goal_pk):
    case = _workable_case(request, pk)
    goal = get_object_or_404(Goal, pk=goal_pk, case=case)
    form = forms.GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            _recorded(
                request,
                lambda: services.goal_set_status(
                    goal=goal, status=form.cleaned_data["status"], by=request.user
                ),
                case=case,
                what="goal",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The goal's status is changed."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("workflows:case_detail", pk=case.pk)


@shows_case_data(what="case")
def consent_add(request, pk):
    return _case_form_view(
        request,
        pk,
        lambda case, data: forms.ConsentForm(data),
        lambda case, form: services.consent_record(case=case, by=request.user, **form.cleaned_data),
        "workflows/consent_form.html",
        _("The consent is recorded."),
        "consent",
    )


@require_POST
@shows_case_data(what="case")
def consent_withdraw(request, pk, consent_pk):
    case = _workable_case(request, pk)
    consent = get_object_or_404(Consent, pk=consent_pk, person_id=case.person_id)
    form = forms.ConsentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            _recorded(
                request,
                lambda: services.consent_withdraw(
                    consent=consent,
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                    by=request.user,
                ),
                case=case,
                what="consent",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (FlowLockFailed, TransitionNotAllowed):
            # A handover resting on the consent is being worked on at this moment.
            messages.error(request, _("Someone else is working on this case right now. Try again."))
        else:
            messages.success(request, _("The consent is withdrawn."))
    else:
        messages.error(request, _("Give the date the consent was withdrawn."))
    return redirect("workflows:case_detail", pk=case.pk)


@shows_case_data(what="person")
def person_edit(request, pk):
    case = _workable_case(request, pk)
    form = forms.PersonForm(
        request.POST if request.method == "POST" else None, instance=case.person
    )
    if request.method == "POST" and form.is_valid():
        _recorded(
            request,
            lambda: services.person_update(
                person=case.person, data={f: form.cleaned_data[f] for f in form.changed_data}
            ),
            case=case,
            what="person",
        )
        messages.success(request, _("The person's details are saved."))
        return redirect("workflows:case_detail", pk=case.pk)
    return render(request, "workflows/person_form.html", {"case": case, "form": form})


@shows_case_data(what="case")
def case_reopen(request, pk):
    case = _visible_case(request, pk)
    if not request.user.has_perm("workflows.register_referral"):
        raise PermissionDenied
    form = forms.ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_case = _recorded(
                request,
                lambda: services.case_reopen(
                    case=case,
                    concern=form.cleaned_data["concern"],
                    channel=form.cleaned_data["channel"],
                    source=form.cleaned_data["source"],
                    reopened_by=request.user,
                ),
                action=AccessAction.CREATE,
                what="case (reopened)",
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case is reopened and waits for triage."))
            return redirect("workflows:case_detail", pk=new_case.pk)
    return render(request, "workflows/reopen_form.html", {"case": case, "form": form})


# --- Intake -------------------------------------------------------------------------------


@permission_required("workflows.register_referral", raise_exception=True)
@shows_case_list(what="possible duplicates")
def referral_register(request):
    """Register a referral; possible duplicates are shown before anything is saved."""
    data = request.POST if request.method == "POST" else None
    person_form = forms.PersonForm(data, prefix="person")
    referral_form = forms.ReferralForm(data, user=request.user, prefix="referral")
    duplicates = []
    if data is not None and person_form.is_valid() and referral_form.is_valid():
        token = referral_form.cleaned_data["submission_token"]
        if (earlier := earlier_result(token, request.user)) is not None:
            messages.info(request, _("The referral was already sent; it is registered once."))
            return redirect(earlier or "workflows:my_tasks")
        person = person_form.save(commit=False)
        if not request.POST.get("confirm_duplicates"):
            duplicates = services.possible_duplicates(person=person, user=request.user)
            _show_cases(request, duplicates)
        if not duplicates:
            referral = referral_form.cleaned_data
            try:
                case = submit_once(
                    token,
                    request.user,
                    lambda: _recorded(
                        request,
                        lambda: services.referral_register(
                            team=referral["team"],
                            person=person,
                            concern=referral["concern"],
                            channel=referral["channel"],
                            received_at=referral["received_at"],
                            source=referral["source"],
                            concern_categories=referral["concern_categories"],
                            referrer_name=referral["referrer_name"],
                            referrer_contact=referral["referrer_contact"],
                            acute=referral["acute"],
                            emergency_call=referral["emergency_call"],
                            registered_by=request.user,
                            legal_basis=referral["legal_basis"] or LegalBasis.SECTION_99,
                        ),
                        action=AccessAction.CREATE,
                        what="referral",
                    ),
                    lambda case: reverse("workflows:case_detail", args=[case.pk]),
                )
            except AlreadySubmitted as done:
                messages.info(request, _("The referral was already sent; it is registered once."))
                return redirect(done.result_url or "workflows:my_tasks")
            except ValidationError as exc:
                _add_errors(referral_form, exc)
            else:
                messages.success(
                    request, _("The referral is registered and waits for triage in the queue.")
                )
                return redirect("workflows:case_detail", pk=case.pk)
    return render(
        request,
        "workflows/referral_register.html",
        {
            "person_form": person_form,
            "referral_form": referral_form,
            "duplicates": duplicates,
            "acute": referral_form["acute"].value() in (True, "on", "true", "True"),
        },
    )
