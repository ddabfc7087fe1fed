"""The approval workflow: its set-up in code and its finishing step (approval date, publish)."""

from django.db import transaction

from intranet import roles

WORKFLOW_NAME = "Godkendelse"
REVIEW_TASK_NAME = "Faglig gennemgang"
APPROVAL_TASK_NAME = "Ledelsens godkendelse"

# What Wagtail's own migrations create; we have our own Danish groups and workflow instead.
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")


@transaction.atomic
def ensure_approval_workflow(*, using="default"):
    """Create or update the two-step approval workflow on the whole page tree; idempotent.

    Step 1, professional review, by the moderators; step 2, approval, by the leaders, whose
    approval publishes. Wagtail's default workflow and groups are retired.
    """
    from django.contrib.auth.models import Group
    from wagtail.models import (
        GroupApprovalTask,
        Page,
        TaskState,
        Workflow,
        WorkflowPage,
        WorkflowState,
        WorkflowTask,
    )

    steps = [
        (REVIEW_TASK_NAME, roles.group_name(roles.MODERATOR)),
        (APPROVAL_TASK_NAME, roles.group_name(roles.LEADER)),
    ]
    workflow = Workflow.objects.using(using).filter(name=WORKFLOW_NAME).order_by("pk").first()
    if workflow is None:
        workflow = Workflow(name=WORKFLOW_NAME)
    workflow.active = True
    workflow.save(using=using)

    task_ids = []
    for sort_order, (task_name, group_name) in enumerate(steps):
        task = GroupApprovalTask.objects.using(using).filter(name=task_name).order_by("pk").first()
        if task is None:
            task = GroupApprovalTask(name=task_name)
        task.active = True
        task.save(using=using)
        task.groups.set([Group.objects.using(using).get(name=group_name)])
        WorkflowTask.objects.using(using).update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": sort_order}
        )
        task_ids.append(task.pk)
    WorkflowTask.objects.using(using).filter(workflow=workflow).exclude(
        task_id__in=task_ids
    ).delete()

    # Never used, Wagtail's default workflow and task are deleted: nothing is lost, and
    # their English name leaves the admin's lists and filters. Used, they are deactivated:
    # deactivate() cancels running reviews and unassigns them; their history stays.
    for default in Workflow.objects.using(using).filter(name=WAGTAIL_DEFAULT_WORKFLOW):
        if not WorkflowState.objects.using(using).filter(workflow=default).exists():
            default.delete()
        elif default.active:
            default.deactivate()
    for task in GroupApprovalTask.objects.using(using).filter(name=WAGTAIL_DEFAULT_WORKFLOW):
        if not TaskState.objects.using(using).filter(task=task).exists():
            task.delete()
        elif task.active:
            task.deactivate()

    root = Page.objects.using(using).filter(depth=1).first()
    if root is not None:
        WorkflowPage.objects.using(using).update_or_create(
            page=root, defaults={"workflow": workflow}
        )
    Group.objects.using(using).filter(name__in=WAGTAIL_DEFAULT_GROUPS).delete()
    return workflow


def _remembered(user, key, compute):
    """A per-request memo on the user object, as Django keeps its permission cache: the page
    explorer asks for every row and every button. Group changes show on the next request."""
    memo = getattr(user, "brobygger_moderation_memo", None)
    if memo is None:
        memo = user.brobygger_moderation_memo = {}
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def is_final_approver(user, *, page):
    """Whether the user may take the last step of the page's approval workflow."""
    from wagtail.models import Workflow

    if user.is_superuser:
        return True

    def last_steps_taken():
        """For every active workflow, whether the user may take its last step."""
        answers = {}
        for workflow in Workflow.objects.filter(active=True):
            last_step = workflow.tasks.filter(active=True).last()
            answers[workflow.pk] = last_step is not None and bool(
                last_step.specific.get_actions(page, user)
            )
        return answers

    answers = _remembered(user, "last_steps_taken", last_steps_taken)
    if not any(answers.values()):
        return False
    if all(answers.values()):  # one workflow covers the whole tree (ensure_approval_workflow)
        return True
    workflow = page.get_workflow()
    return workflow is not None and answers.get(workflow.pk, False)


def may_take_down_standards(user, *, page):
    """Whether the user may unpublish, delete, move or restrict the page, as far as quality
    standards go: for a standard, or a page above one, only its final approver may.

    Wagtail's approval workflow covers publishing only; a standard taken offline, deleted,
    moved or made private outside it would bypass the approval it was published with.
    """
    from .models import StandardPage  # Wagtail imports this module while models load

    def may():
        holds_standards = (
            isinstance(page, StandardPage)
            or StandardPage.objects.descendant_of(page, inclusive=True).exists()
        )
        return not holds_standards or is_final_approver(user, page=page)

    return _remembered(user, ("take_down", page.pk), may)


def may_publish_expiry(user, *, page):
    """Whether the user may publish `page` as it stands, as far as its expiry date goes.

    An expiry date set or changed on a quality standard takes it offline later, as
    unpublishing does now: only its final approver may decide that. A page not live has no
    expiry in force, so any expiry it would go live with counts as set. Every publish asks
    this (StandardsPermissionTester.can_publish, which Wagtail's publish action checks for
    the revision being published), so the edit view, bulk publish, revisions and scheduling
    all refuse alike.
    """
    from .models import StandardPage  # Wagtail imports this module while models load

    if not isinstance(page, StandardPage) or is_final_approver(user, page=page):
        return True
    in_force = None
    if page.pk is not None:
        in_force = (
            StandardPage.objects.filter(pk=page.pk, live=True)
            .values_list("expire_at", flat=True)
            .first()
        )
    return page.expire_at == in_force
