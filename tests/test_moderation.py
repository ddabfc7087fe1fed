"""The approval workflow, walked through the Wagtail admin as editor, moderator and leader."""

import datetime as dt
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    PageViewRestriction,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from intranet import roles
from pages.models import DepartmentPage, StandardIndexPage, StandardPage
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
        "legal_basis_section": "99",
        "first_contact_rule": "calendar_days",
        "first_contact_deadline_days": 7,
        "reassessment_rule": "every",
        "reassessment_interval_months": 4,
        "min_age": 18,
        "max_age": 65,
        "approval_body": "Social- og Sundhedsudvalget",
        "approval_date": "2026-01-15",
        "next_review_date": "",
        "redirects": inline_formset([]),
        "contact_persons": inline_formset([]),
        "comments": inline_formset([]),
        "body": streamfield(
            [
                (
                    "section",
                    {
                        "kind": "target_group",
                        "heading": "",
                        "text": rich_text(
                            "<p>Voksne uden bolig med sindslidelse eller misbrug.</p>"
                        ),
                    },
                )
            ]
        ),
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

    # The leader approves (step 2): the standard is published with the date the committee
    # approved it, as the editor entered it; the publication is a fact of its own.
    client.force_login(leader)
    response = workflow_action(client, page, "approve", current_task_state(page))
    assert response.status_code == 302

    page = StandardPage.objects.get(pk=page.pk)
    assert page.live
    assert page.first_contact_deadline_days == 5
    assert page.approval_date == dt.date(2026, 1, 15)
    assert page.live_revision.as_object().approval_date == dt.date(2026, 1, 15)
    assert timezone.localtime(page.last_published_at).date() == timezone.localdate()
    assert WorkflowState.objects.get(object_id=str(page.pk)).status == "approved"
    publish = PageLogEntry.objects.get(page=page, action="wagtail.publish")
    assert publish.user == leader
    assert page.revisions.count() >= 2

    client.force_login(editor)
    compare = reverse("wagtailadmin_pages:revisions_compare", args=(page.pk, "earliest", "latest"))
    assert client.get(compare).status_code == 200


@pytest.mark.danish
def test_the_approval_date_survives_a_later_publication_and_both_are_shown(
    client, editor, moderator, leader
):
    """The date the committee approved the standard is the editor's to enter and the
    reviewers' to approve; publishing a later correction keeps it, and the public page
    shows it beside the date the standard was last published."""
    index = standard_index()
    client.force_login(editor)
    client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)),
        standard_form(**{"action-submit": "1"}),
    )
    page = StandardPage.objects.get(slug="skp")
    for reviewer in (moderator, leader):
        client.force_login(reviewer)
        workflow_action(client, page, "approve", current_task_state(page))

    # Months later, a correction of the deadline goes through the same two steps.
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.post(
        edit_url, standard_form(first_contact_deadline_days=5, **{"action-submit": "1"})
    )
    assert response.status_code == 302
    for reviewer in (moderator, leader):
        client.force_login(reviewer)
        workflow_action(client, page, "approve", current_task_state(page))

    page = StandardPage.objects.get(pk=page.pk)
    assert page.first_contact_deadline_days == 5
    assert page.approval_date == dt.date(2026, 1, 15)
    html = client.get(page.url).content.decode()
    assert "15. januar 2026" in html  # approved
    assert timezone.localdate().strftime("%Y") in html and "Udgivet på denne side" in html


@pytest.mark.danish
def test_an_approval_date_in_the_future_is_refused_in_danish(client, editor):
    index = standard_index()
    client.force_login(editor)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=("pages", "standardpage", index.pk)),
        standard_form(approval_date=tomorrow.isoformat()),
    )

    assert response.status_code == 200
    assert "Godkendelsesdatoen kan ikke ligge efter i dag." in response.content.decode()
    assert not StandardPage.objects.filter(slug="skp").exists()


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


# --- Taking a standard down: unpublish, delete, move, privacy ---------------------------------
# Wagtail's workflow covers publishing only. Taking a quality standard offline, deleting,
# moving or restricting it is the final approver's (the leaders') decision, never alone an
# editor's or an administrator's (who may publish urgent corrections, nothing more).


def second_standard_index():
    other = StandardIndexPage(title="Tidligere standarder", slug="tidligere-standarder")
    standard_index().get_parent().add_child(instance=other)
    other.save_revision().publish()
    return other


def unpublish(client, page):
    return client.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)), {})


def delete(client, page):
    return client.post(reverse("wagtailadmin_pages:delete", args=(page.pk,)), {})


def move(client, page, destination):
    url = reverse("wagtailadmin_pages:move_confirm", args=(page.pk, destination.pk))
    return client.post(url, {})


def make_private(client, page):
    url = reverse("wagtailadmin_pages:set_privacy", args=(page.pk,))
    return client.post(url, {"restriction_type": "login"})


def bulk(client, action, *pages, **data):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", action))
    ids = "&".join(f"id={p.pk}" for p in pages)
    return client.post(f"{url}?{ids}&next=/admin/", data)


@pytest.mark.parametrize("persona", ["editor", "moderator", "administrator"])
def test_no_one_but_the_leader_takes_a_standard_offline(db, client, persona, request):
    standard = StandardPageFactory()
    client.force_login(request.getfixturevalue(persona))

    unpublish(client, standard)
    delete(client, standard)
    move(client, standard, second_standard_index())
    make_private(client, standard)

    standard.refresh_from_db()
    assert standard.live
    assert standard.get_parent().specific == standard_index()
    assert not PageViewRestriction.objects.filter(page=standard).exists()
    assert not PageLogEntry.objects.filter(
        page=standard,
        action__in=["wagtail.unpublish", "wagtail.delete", "wagtail.move"],
    ).exists()


def test_the_administrator_is_offered_no_unpublish_delete_or_move(client, administrator):
    standard = StandardPageFactory()
    client.force_login(administrator)

    html = client.get(reverse("wagtailadmin_pages:edit", args=(standard.pk,))).content.decode()

    for name in ("unpublish", "delete", "move"):
        assert reverse(f"wagtailadmin_pages:{name}", args=(standard.pk,)) not in html


def test_an_editor_cannot_delete_a_draft_standard(client, editor):
    standard = StandardPageFactory()
    standard.unpublish()
    client.force_login(editor)

    delete(client, standard)

    assert StandardPage.objects.filter(pk=standard.pk).exists()


def test_the_leader_takes_a_standard_offline_and_the_history_says_so(client, leader):
    standard = StandardPageFactory()
    client.force_login(leader)

    response = unpublish(client, standard)

    assert response.status_code == 302
    standard.refresh_from_db()
    assert not standard.live
    assert PageLogEntry.objects.filter(
        page=standard, action="wagtail.unpublish", user=leader
    ).exists()


def test_the_leader_moves_a_standard_and_the_history_says_so(client, leader):
    standard = StandardPageFactory()
    destination = second_standard_index()
    client.force_login(leader)

    move(client, standard, destination)

    standard.refresh_from_db()
    assert standard.get_parent().pk == destination.pk
    assert PageLogEntry.objects.filter(page=standard, action="wagtail.move", user=leader).exists()


def test_the_leader_makes_a_standard_private_and_the_history_says_so(client, leader):
    standard = StandardPageFactory()
    client.force_login(leader)

    make_private(client, standard)

    assert PageViewRestriction.objects.filter(page=standard).exists()
    assert PageLogEntry.objects.filter(
        page=standard, action="wagtail.view_restriction.create", user=leader
    ).exists()


def test_the_leader_deletes_a_standard_and_the_history_says_so(client, leader):
    standard = StandardPageFactory()
    client.force_login(leader)

    delete(client, standard)

    assert not StandardPage.objects.filter(pk=standard.pk).exists()
    assert PageLogEntry.objects.filter(
        page_id=standard.pk, action="wagtail.delete", user=leader
    ).exists()


def test_bulk_unpublish_of_a_standard_is_held_to_the_same_rule(client, administrator, leader):
    standard = StandardPageFactory()
    department = DepartmentPageFactory(title="Socialpsykiatrien")

    client.force_login(administrator)
    bulk(client, "unpublish", standard, department)
    standard.refresh_from_db()
    department.refresh_from_db()
    assert standard.live  # refused
    assert not department.live  # not a standard: the administrator's rights as before

    client.force_login(leader)
    bulk(client, "unpublish", standard)
    standard.refresh_from_db()
    assert not standard.live


def test_the_standards_index_cannot_be_taken_down_around_its_standards(client, administrator):
    standard = StandardPageFactory()
    index = standard_index()
    client.force_login(administrator)

    client.post(
        reverse("wagtailadmin_pages:unpublish", args=(index.pk,)), {"include_descendants": "on"}
    )
    delete(client, index)

    standard.refresh_from_db()
    index.refresh_from_db()
    assert (index.live, standard.live) == (True, True)


def test_an_urgent_correction_cannot_schedule_a_standards_expiry(client, administrator):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    client.force_login(administrator)

    client.post(
        reverse("wagtailadmin_pages:edit", args=(standard.pk,)),
        standard_form(slug=standard.slug, expire_at="2027-01-31 12:00", **{"action-publish": "1"}),
    )

    standard.refresh_from_db()
    assert standard.expire_at is None
    assert not PageLogEntry.objects.filter(
        page=standard, action="wagtail.publish", user=administrator
    ).exists()


def test_an_urgent_correction_without_an_expiry_is_still_published(client, administrator):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    client.force_login(administrator)

    client.post(
        reverse("wagtailadmin_pages:edit", args=(standard.pk,)),
        standard_form(slug=standard.slug, first_contact_deadline_days=5, **{"action-publish": "1"}),
    )

    standard.refresh_from_db()
    assert standard.first_contact_deadline_days == 5


def save_draft_with_expiry(client, standard, expire_at):
    client.post(
        reverse("wagtailadmin_pages:edit", args=(standard.pk,)),
        standard_form(slug=standard.slug, expire_at=expire_at.strftime("%Y-%m-%d %H:%M")),
    )
    standard.refresh_from_db()
    assert standard.get_latest_revision().as_object().expire_at is not None  # the draft is kept


@pytest.mark.parametrize("drafted_by", ["editor", "administrator"])
def test_bulk_publish_cannot_give_a_standard_an_expiry(client, administrator, drafted_by, request):
    standard = StandardPageFactory(first_contact_deadline_days=7)
    client.force_login(request.getfixturevalue(drafted_by))
    save_draft_with_expiry(client, standard, timezone.localtime() + timedelta(minutes=5))

    client.force_login(administrator)
    response = bulk(client, "publish", standard)

    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.live
    assert standard.expire_at is None
    assert not PageLogEntry.objects.filter(
        page=standard, action="wagtail.publish", user=administrator
    ).exists()


def test_a_new_standard_cannot_go_live_with_an_expiry_by_bulk_publish(client, administrator):
    standard = StandardPage(
        title="Kvalitetsstandard for bostøtte",
        slug="bostoette",
        first_contact_deadline_days=7,
        reassessment_interval_months=4,
        approval_body="Social- og Sundhedsudvalget",
        live=False,
        expire_at=timezone.now() + timedelta(days=1),
    )
    standard_index().add_child(instance=standard)
    standard.save_revision()  # an editor's draft, as the admin's create view saves it
    client.force_login(administrator)

    bulk(client, "publish", standard)

    standard.refresh_from_db()
    assert not standard.live


def test_every_publish_of_a_revision_with_an_expiry_asks_for_the_final_approver(
    administrator, leader
):
    """Revisions, scheduling and the workflow all publish through Wagtail's publish action."""
    standard = StandardPageFactory()
    draft = standard.get_latest_revision_as_object()
    draft.expire_at = timezone.now() + timedelta(days=1)
    revision = draft.save_revision()

    with pytest.raises(PermissionDenied):
        revision.publish(user=administrator)
    standard.refresh_from_db()
    assert standard.expire_at is None

    revision.publish(user=leader)
    standard.refresh_from_db()
    assert standard.expire_at == draft.expire_at


def test_an_urgent_correction_cannot_be_scheduled_with_an_expiry(client, administrator):
    standard = StandardPageFactory()
    client.force_login(administrator)
    later = timezone.localtime() + timedelta(days=1)

    client.post(
        reverse("wagtailadmin_pages:edit", args=(standard.pk,)),
        standard_form(
            slug=standard.slug,
            go_live_at=later.strftime("%Y-%m-%d %H:%M"),
            expire_at=(later + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            **{"action-publish": "1"},
        ),
    )

    assert not standard.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_the_leaders_approval_publishes_a_standards_expiry(client, editor, moderator, leader):
    standard = StandardPageFactory()
    expire_at = timezone.localtime() + timedelta(days=30)
    client.force_login(editor)
    client.post(
        reverse("wagtailadmin_pages:edit", args=(standard.pk,)),
        standard_form(
            slug=standard.slug,
            expire_at=expire_at.strftime("%Y-%m-%d %H:%M"),
            **{"action-submit": "1"},
        ),
    )
    client.force_login(moderator)
    workflow_action(client, standard, "approve", current_task_state(standard))
    client.force_login(leader)
    workflow_action(client, standard, "approve", current_task_state(standard))

    standard.refresh_from_db()
    assert standard.expire_at is not None
