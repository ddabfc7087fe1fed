"""The approval workflow's finishing step: record the approval date, then publish."""

from django.utils import timezone


def publish_with_approval_date(workflow_state, user=None):
    """Publish the approved revision; for a standard, stamp today's date as its approval date.

    Wagtail calls this (WAGTAIL_FINISH_WORKFLOW_ACTION) when the last approver approves.
    The date is written into the approved revision itself, so the published page and
    its revision history agree on when it was approved.
    """
    from .models import StandardPage  # Wagtail imports this module while models load

    revision = workflow_state.content_object.get_latest_revision()
    page = revision.as_object()
    if isinstance(page, StandardPage):
        page.approval_date = timezone.localdate()
        revision.content = page.serializable_data()
        revision.save(update_fields=["content"])
    revision.publish(user=user)
