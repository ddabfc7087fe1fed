"""Cross-cutting staff screens."""

from django.shortcuts import render
from wagtail.models import TaskState

from pages.models import StandardPage, visible_to

RECENT_STANDARDS = 5


def staff_home(request):
    """What a staff member needs first: tasks, items to review, recent standards, search."""
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
        {"reviews": reviews, "recent_standards": recent_standards},
    )
