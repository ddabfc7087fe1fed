"""Admin wiring: publishing only through approval, staff directory, review reminders and report."""

import copy
import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.views.reports import PageReportView
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from intranet import roles

from . import moderation
from .models import StaffMember, StandardPage

REVIEW_WARNING_DAYS = 30
EDIT_ACTIONS = ["change", "publish"]


# --- Publishing goes through the approval workflow -------------------------------------------
# Leaders hold Wagtail's publish permission only because the workflow's last step publishes
# as them. Outside the workflow, only administrators (urgent corrections) may publish.


def may_publish_outside_workflow(user):
    if user.is_superuser:
        return True
    return user.groups.filter(name=roles.group_name(roles.ADMINISTRATOR)).exists()


def _governed_by_workflow(page):
    return page is not None and page.get_workflow() is not None


@hooks.register("construct_page_action_menu")
def hide_direct_publish(menu_items, request, context):
    page = context.get("parent_page") if context.get("view") == "create" else context.get("page")
    if _governed_by_workflow(page) and not may_publish_outside_workflow(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


def _refuse_direct_publish(request, page):
    publishing = request.method == "POST" and "action-publish" in request.POST
    if (
        publishing
        and _governed_by_workflow(page)
        and not may_publish_outside_workflow(request.user)
    ):
        raise PermissionDenied


@hooks.register("before_edit_page")
def refuse_direct_publish_on_edit(request, page):
    _refuse_direct_publish(request, page)


@hooks.register("before_create_page")
def refuse_direct_publish_on_create(request, parent_page, page_class):
    _refuse_direct_publish(request, parent_page)


@hooks.register("before_copy_page")
def refuse_published_copies(request, page):
    publishing = request.method == "POST" and (
        request.POST.get("publish_copies") or request.POST.get("alias")
    )
    if publishing and not may_publish_outside_workflow(request.user):
        raise PermissionDenied


EXPIRY_REFUSED = _(
    "Only the leaders can give a quality standard an expiry date. Your changes are "
    "saved as a draft: send them for approval."
)
BULK_EXPIRY_REFUSED = _(
    "Only the leaders can give a quality standard an expiry date. Nothing was published: "
    "send the standards with a new expiry date for approval."
)


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    if not may_publish_outside_workflow(request.user):
        raise PermissionDenied
    # What bulk publish would put live is each page's latest revision; Wagtail's publish
    # action refuses it too (StandardsPermissionTester.can_publish), this says why.
    for page in objects:
        revision = page.get_latest_revision()
        draft = revision.as_object() if revision else page.specific
        if not moderation.may_publish_expiry(request.user, page=draft):
            messages.error(request, BULK_EXPIRY_REFUSED)
            return redirect(action_class_instance.next_url)
    return None


@hooks.register("before_publish_page")
def refuse_scheduled_take_down(request, page):
    """An expiry date published outside the workflow (an administrator's urgent correction)
    would take a standard offline later without its final approver; the leaders approve it."""
    if moderation.may_publish_expiry(request.user, page=page):
        return None
    messages.error(request, EXPIRY_REFUSED)
    return redirect("wagtailadmin_pages:edit", page.pk)


# --- Staff directory -----------------------------------------------------------------------


# An entry's account link and teams are team membership, which opens the team's cases and
# handovers (workflows.models.case_visibility). Only who holds those rights changes it
# (roles.may_change_team_membership): an administrator keeps the rest of the entry, but
# cannot put themself or anyone else in a team, nor take anyone out of one.

MEMBERSHIP_FIELDS = ("user", "teams")


def membership_refused_message():
    return _(
        "You cannot change the user account or the teams: team membership opens the team's "
        "cases, a right you do not have yourself. Ask a superuser."
    )


class StaffMemberForm(WagtailAdminModelForm):
    """The directory entry; the membership fields are shown disabled to whoever may not
    change them, and a POST that changes them anyway is refused on the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_change_membership = self.for_user is not None and (
            roles.may_change_team_membership(self.for_user)
        )
        if not self.may_change_membership:
            for name in MEMBERSHIP_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Team membership opens the team's cases: only a superuser can change it."
                )

    def clean(self):
        cleaned_data = super().clean()
        if not self.may_change_membership:
            for name in MEMBERSHIP_FIELDS:
                if self._posted_change(name):
                    self.add_error(name, membership_refused_message())
        return cleaned_data

    def _posted_change(self, name):
        """Whether the POST carries a value for the (disabled) field other than the entry's.
        A browser sends no value for a disabled field: the entry keeps its own."""
        bound = self[name]
        if bound.html_name not in self.data:
            return False
        probe = copy.copy(bound.field)
        probe.disabled = False
        return probe.has_changed(bound.initial, bound.data)


def confers_membership(member):
    return member.user_id is not None and member.teams.exists()


@hooks.register("before_delete_snippet")
def refuse_deleting_team_membership(request, instances):
    """Deleting an entry takes its account out of its teams (single and bulk delete)."""
    if not instances or not isinstance(instances[0], StaffMember):
        return None
    if roles.may_change_team_membership(request.user):
        return None
    if any(confers_membership(member) for member in instances):
        messages.error(request, membership_refused_message())
        return redirect("wagtailsnippets_pages_staffmember:list")
    return None


class StaffMemberViewSet(SnippetViewSet):
    """The staff directory; the model permissions keep editing to administrators, and team
    membership to whoever holds its rights (StaffMemberForm)."""

    model = StaffMember
    icon = "user"
    menu_label = _("Staff directory")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "job_title", "email", "user"]
    ordering = ["name"]
    edit_handler = ObjectList(StaffMember.panels, base_form_class=StaffMemberForm)
    # Wagtail's copy saves into the copied entry itself (the form's instance is the original),
    # and a person's entry is not a template for another's.
    copy_view_enabled = False


register_snippet(StaffMember, viewset=StaffMemberViewSet)


# --- Review reminders ----------------------------------------------------------------------


def standards_editable_by(user):
    """Standards (live or draft) the user may edit, soonest review first."""
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(user, EDIT_ACTIONS)
    return StandardPage.objects.filter(pk__in=editable.values("pk")).order_by(
        F("next_review_date").asc(nulls_last=True), "title"
    )


class StandardsDueForReviewPanel(Component):
    """Dashboard reminder: live standards whose next review is overdue or near."""

    name = "standards_due_for_review"
    template_name = "pages/admin/standards_due_for_review_panel.html"
    order = 210

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        standards = (
            standards_editable_by(self.user)
            .live()
            .due_for_review(within_days=REVIEW_WARNING_DAYS, today=today)
        )
        return {
            "standards": standards,
            "today": today,
            "warning_days": REVIEW_WARNING_DAYS,
            "report_url": reverse("standards_review_report"),
        }


@hooks.register("construct_homepage_panels")
def add_standards_due_for_review_panel(request, panels):
    if PagePermissionPolicy().user_has_any_permission(request.user, EDIT_ACTIONS):
        panels.append(StandardsDueForReviewPanel(request.user))


class StandardsReviewReportView(PageReportView):
    """Every standard the user may edit, by next review date, overdue ones marked."""

    page_title = _("Quality standards for review")
    header_icon = "time"
    results_template_name = "pages/admin/standards_review_report_results.html"
    index_url_name = "standards_review_report"
    index_results_url_name = "standards_review_report_results"
    any_permission_required = EDIT_ACTIONS
    list_export = [
        "title",
        "next_review_date",
        "review_status",
        "approval_body",
        "approval_date",
        "status_string",
    ]
    export_headings = {
        "title": _("Title"),
        "next_review_date": _("Next review"),
        "review_status": _("Review"),
        "approval_body": _("Approved by"),
        "approval_date": _("Approval date"),
        "status_string": _("Status"),
    }

    def get_filename(self):
        return f"kvalitetsstandarder-revision-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        self.queryset = standards_editable_by(self.request.user)
        return super().get_queryset()

    def decorate_paginated_queryset(self, object_list):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=REVIEW_WARNING_DAYS)
        for standard in object_list:
            if standard.next_review_date is None:
                standard.review_status = _("No review date")
            elif standard.next_review_date <= today:
                standard.review_status = _("Overdue")
            elif standard.next_review_date <= soon:
                standard.review_status = _("Due soon")
            else:
                standard.review_status = _("Not due")
        return object_list

    def to_row_dict(self, item):
        # The export does not paginate, so decorate each row as it is written.
        self.decorate_paginated_queryset([item])
        return super().to_row_dict(item)


class StandardsReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy().user_has_any_permission(request.user, EDIT_ACTIONS)


@hooks.register("register_reports_menu_item")
def register_standards_review_menu_item():
    return StandardsReviewMenuItem(
        _("Quality standards for review"),
        reverse("standards_review_report"),
        name="standards-review",
        icon_name="time",
        order=1050,
    )


@hooks.register("register_admin_urls")
def register_standards_review_urls():
    return [
        path(
            "reports/standards-review/",
            StandardsReviewReportView.as_view(),
            name="standards_review_report",
        ),
        path(
            "reports/standards-review/results/",
            StandardsReviewReportView.as_view(results_only=True),
            name="standards_review_report_results",
        ),
    ]
