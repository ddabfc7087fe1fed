"""The approval workflow, walked through the Wagtail admin as editor, moderator and leader."""

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from intranet import roles
from pages.models import DepartmentPage, StandardPage
from pages.moderation import (
    APPROVAL_TASK_NAME,
    REVIEW_TASK_NAME,
    WORKFLOW_NAME,
    ensure_approval_workflow,
)

from .factories import DepartmentPageFactory, StandardPageFactory, standard_index


def standard_form(**fields):
    """The admin edit form's POST data for a quality standard."""
    data = {
        "title": "Kvalitetsstandard for SKP",
        "slug": "skp",
        "first_contact_deadline_days": 7,
        "reassessment_interval_months": 4,
        "min_age": 18,
        "max_age": 65,
        "approval_body": "Social- og Sundhedsudvalget",
        "next_review_date": "",
        "target_group": rich_text("<p>Voksne uden bolig med sindslidelse eller misbrug.</p>"),
        "redirects": inline_formset([]),
        "comments": inline_formset([]),
        "body": streamfield([]),
    }
    data.update(fields)
    return nested_form_data(data)


def current_task_state(page):
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def workflow_action(client, page, action, task_state):
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return client.post(url, {"comment": ""})


def test_approval_workflow_covers_every_page_with_review_then_approval(db):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    root = Page.objects.get(depth=1)

    assert workflow.active
    assert WorkflowPage.objects.get(page=root).workflow == workflow
    tasks = [task.specific for task in workflow.tasks]
    assert [task.name for task in tasks] == [REVIEW_TASK_NAME, APPROVAL_TASK_NAME]
    assert [list(task.groups.values_list("name", flat=True)) for task in tasks] == [
        [roles.group_name(roles.MODERATOR)],
        [roles.group_name(roles.LEADER)],
    ]
    department = DepartmentPageFactory()
    assert department.get_workflow() == workflow


def test_wagtail_default_workflow_and_groups_are_retired(db):
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    # Never used, so gone: its English name is in no admin list or filter.
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not GroupApprovalTask.objects.filter(name="Moderators approval").exists()


def test_a_used_wagtail_default_workflow_keeps_its_history_but_is_deactivated(db, editor):
    workflow = Workflow.objects.create(name="Moderators approval")
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    page = DepartmentPageFactory()
    workflow.start(page, editor)

    ensure_approval_workflow()

    workflow.refresh_from_db()
    task.refresh_from_db()
    assert (workflow.active, task.active) == (False, False)
    assert WorkflowState.objects.filter(workflow=workflow).exists()


def test_ensure_approval_workflow_is_idempotent(db):
    before = (
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        WorkflowPage.objects.count(),
        Group.objects.count(),
    )
    ensure_approval_workflow()
    ensure_approval_workflow()
    after = (
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        WorkflowPage.objects.count(),
        Group.objects.count(),
    )
    assert after == before


def test_ensure_approval_workflow_repairs_a_changed_set_up(db):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    workflow.active = False
    workflow.save()
    review = GroupApprovalTask.objects.get(name=REVIEW_TASK_NAME)
    review.groups.set([Group.objects.get(name=roles.group_name(roles.EDITOR))])
    WorkflowPage.objects.all().delete()

    ensure_approval_workflow()

    workflow.refresh_from_db()
    assert workflow.active
    assert list(review.groups.values_list("name", flat=True)) == [roles.group_name(roles.MODERATOR)]
    assert WorkflowPage.objects.get(page__depth=1).workflow == workflow


def test_standard_is_published_only_after_review_and_approval(client, editor, moderator, leader):
    index = standard_index()

    # The editor writes a draft, then amends it and submits it for approval.
    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)),
        standard_form(),
    )
    assert response.status_code == 302
    page = StandardPage.objects.get(slug="skp")
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.post(
        edit_url, standard_form(first_contact_deadline_days=5, **{"action-submit": "1"})
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert current_task_state(page).task.name == REVIEW_TASK_NAME

    # While it is in review, the editor cannot change it.
    client.post(edit_url, standard_form(first_contact_deadline_days=2))
    assert page.get_latest_revision().as_object().first_contact_deadline_days == 5

    # The moderator reviews (step 1): nothing is published yet.
    client.force_login(moderator)
    response = workflow_action(client, page, "approve", current_task_state(page))
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert current_task_state(page).task.name == APPROVAL_TASK_NAME

    # The leader approves (step 2): the standard is published with today's approval date.
    client.force_login(leader)
    response = workflow_action(client, page, "approve", current_task_state(page))
    assert response.status_code == 302

    page = StandardPage.objects.get(pk=page.pk)
    assert page.live
    assert page.first_contact_deadline_days == 5
    assert page.approval_date == timezone.localdate()
    assert page.live_revision.as_object().approval_date == timezone.localdate()
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == "approved"
    publish = PageLogEntry.objects.get(page=page, action="wagtail.publish")
    assert publish.user == leader
    assert page.revisions.count() >= 2

    client.force_login(editor)
    compare = reverse("wagtailadmin_pages:revisions_compare", args=(page.pk, "earliest", "latest"))
    assert client.get(compare).status_code == 200


def test_editor_cannot_publish_directly(client, editor):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    edit_url = reverse("wagtailadmin_pages:edit", args=(standard.pk,))
    client.force_login(editor)

    assert 'name="action-publish"' not in client.get(edit_url).content.decode()
    response = client.post(
        edit_url,
        standard_form(slug=standard.slug, first_contact_deadline_days=3, **{"action-publish": "1"}),
    )

    assert response.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    standard.refresh_from_db()
    assert standard.first_contact_deadline_days == 7
    assert not PageLogEntry.objects.filter(
        page=standard, action="wagtail.publish", user=editor
    ).exists()


def test_editor_cannot_create_a_published_page(client, editor):
    index = standard_index()
    add_url = reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk))
    client.force_login(editor)
    assert 'name="action-publish"' not in client.get(add_url).content.decode()

    client.post(add_url, standard_form(**{"action-publish": "1"}))

    assert not StandardPage.objects.live().filter(slug="skp").exists()


def test_leader_does_not_get_a_publish_button_when_creating(client, leader):
    add_url = reverse("wagtailadmin_pages:add", args=("pages", "standardpage", standard_index().pk))
    client.force_login(leader)

    html = client.get(add_url).content.decode()

    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html


def test_moderator_cannot_take_the_leaders_step(client, editor, moderator):
    page = DepartmentPageFactory(title="Socialpsykiatrien")
    page.save_revision(user=editor)
    Workflow.objects.get(name=WORKFLOW_NAME).start(page, editor)
    client.force_login(moderator)
    workflow_action(client, page, "approve", current_task_state(page))
    leaders_step = current_task_state(page)
    assert leaders_step.task.name == APPROVAL_TASK_NAME

    response = workflow_action(client, page, "approve", leaders_step)

    assert response.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    leaders_step.refresh_from_db()
    assert leaders_step.status == TaskState.STATUS_IN_PROGRESS


def test_leader_cannot_skip_the_moderators_review(client, editor, leader):
    page = DepartmentPageFactory()
    page.save_revision(user=editor)
    Workflow.objects.get(name=WORKFLOW_NAME).start(page, editor)
    client.force_login(leader)

    response = workflow_action(client, page, "approve", current_task_state(page))

    assert response.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    assert current_task_state(page).task.name == REVIEW_TASK_NAME


def test_changes_requested_by_the_moderator_stop_the_workflow(client, editor, moderator):
    page = DepartmentPageFactory(title="Rusmiddelcenteret")
    page.title = "Rusmiddelcentret"
    page.save_revision(user=editor)
    Workflow.objects.get(name=WORKFLOW_NAME).start(page, editor)
    client.force_login(moderator)

    workflow_action(client, page, "reject", current_task_state(page))

    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert DepartmentPage.objects.get(pk=page.pk).title == "Rusmiddelcenteret"


def test_leader_cannot_bypass_the_review_by_publishing_directly(client, leader):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    edit_url = reverse("wagtailadmin_pages:edit", args=(standard.pk,))
    client.force_login(leader)

    assert 'name="action-publish"' not in client.get(edit_url).content.decode()
    response = client.post(
        edit_url,
        standard_form(slug=standard.slug, first_contact_deadline_days=3, **{"action-publish": "1"}),
    )

    assert response.url == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    standard.refresh_from_db()
    assert standard.first_contact_deadline_days == 7


def test_administrator_may_publish_an_urgent_correction(client, administrator):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    edit_url = reverse("wagtailadmin_pages:edit", args=(standard.pk,))
    client.force_login(administrator)

    assert 'name="action-publish"' in client.get(edit_url).content.decode()
    client.post(
        edit_url,
        standard_form(slug=standard.slug, first_contact_deadline_days=3, **{"action-publish": "1"}),
    )

    standard.refresh_from_db()
    assert standard.first_contact_deadline_days == 3


def test_a_directory_page_is_published_by_the_same_two_steps(client, editor, moderator, leader):
    department = DepartmentPageFactory(title="Socialpsykiatrien", phone="70 10 20 30")
    department.phone = "70 99 99 99"
    department.save_revision(user=editor)
    Workflow.objects.get(name=WORKFLOW_NAME).start(department, editor)

    client.force_login(moderator)
    workflow_action(client, department, "approve", current_task_state(department))
    assert DepartmentPage.objects.get(pk=department.pk).phone == "70 10 20 30"
    client.force_login(leader)
    workflow_action(client, department, "approve", current_task_state(department))

    assert DepartmentPage.objects.get(pk=department.pk).phone == "70 99 99 99"
