"""Cross-cutting staff screens."""

from django.shortcuts import render
from wagtail.models import TaskState

from pages.models import StandardPage, visible_to
from workflows import services as casework

from .audit import case_subjects, log_accesses
from .models import AccessAction

RECENT_STANDARDS = 5
HOME_TASKS = 10


def staff_home(request):
    """What a staff member needs first: tasks, items to review, recent standards, search."""
    task_rows = casework.task_rows(request.user, casework.tasks_for_user(request.user)[:HOME_TASKS])
    log_accesses(
        user=request.user,
        action=AccessAction.VIEW,
        what="staff home task list",
        subjects=case_subjects(row.case for row in task_rows),
        request=request,
    )
    # Only editors see the review panel: Wagtail's lookup costs four queries, so others skip it.
    reviews = TaskState.objects.none()
    if request.user.has_perm("wagtailadmin.access_admin"):
        reviews = (
            TaskState.objects.reviewable_by(request.user)
            .select_related("workflow_state", "task", "revision")
            .order_by("started_at")
        )
    recent_standards = visible_to(
        StandardPage.objects.live().order_by("-last_published_at"), request
    )[:RECENT_STANDARDS]
    return render(
        request,
        "intranet/staff_home.html",
        {"task_rows": task_rows, "reviews": reviews, "recent_standards": recent_standards},
    )
