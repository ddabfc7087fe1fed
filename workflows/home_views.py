"""The staff home under /personale/: a staff member's tasks, reviews and recent standards."""

from django.shortcuts import render
from wagtail.models import TaskState

from intranet.audit import case_subjects, show_list, shows_case_list
from pages.models import StandardPage, visible_to

from . import services as casework

RECENT_STANDARDS = 5
HOME_TASKS = 10


@shows_case_list(what="staff home task list")
def staff_home(request):
    """What a staff member needs first: tasks, items to review, recent standards, search."""
    task_rows = casework.task_rows(request.user, casework.tasks_for_user(request.user)[:HOME_TASKS])
    show_list(request, case_subjects(row.case for row in task_rows))
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
