"""The staff home: what awaits my review, and which standards changed lately."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow

from pages.moderation import WORKFLOW_NAME

from .factories import DepartmentPageFactory, StandardPageFactory


def submit_for_approval(page, user):
    page.save_revision(user=user)
    return Workflow.objects.get(name=WORKFLOW_NAME).start(page, user)


def reviews_on_home(client, user):
    client.force_login(user)
    response = client.get(reverse("staff_home"))
    assert response.status_code == 200
    return [state.revision.object_str for state in response.context["reviews"]]


def test_moderator_sees_what_awaits_the_professional_review(client, editor, moderator, leader):
    standard = StandardPageFactory(title="Kvalitetsstandard SKP")
    submit_for_approval(standard, editor)

    assert reviews_on_home(client, moderator) == ["Kvalitetsstandard SKP"]
    assert reviews_on_home(client, leader) == []
    assert reviews_on_home(client, editor) == []


def test_leader_sees_it_after_the_moderator_approved(client, editor, moderator, leader):
    standard = StandardPageFactory(title="Kvalitetsstandard SKP")
    state = submit_for_approval(standard, editor)
    state.current_task_state.approve(user=moderator)

    assert reviews_on_home(client, moderator) == []
    assert reviews_on_home(client, leader) == ["Kvalitetsstandard SKP"]
    response = client.get(reverse("staff_home"))
    edit_url = reverse("wagtailadmin_pages:edit", args=(standard.pk,))
    assert f'href="{edit_url}"' in response.content.decode()


def test_outreach_worker_has_nothing_to_review(client, editor, worker_a):
    submit_for_approval(StandardPageFactory(), editor)

    assert reviews_on_home(client, worker_a) == []


def test_recently_changed_standards_newest_first_and_published_only(client, worker_a):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=10)):
        StandardPageFactory(title="Ældre standard")
    StandardPageFactory(title="Ny standard")
    withdrawn = StandardPageFactory(title="Tilbagetrukket standard")
    withdrawn.unpublish()
    client.force_login(worker_a)

    response = client.get(reverse("staff_home"))

    titles = [standard.title for standard in response.context["recent_standards"]]
    assert titles == ["Ny standard", "Ældre standard"]
    assert "Ny standard" in response.content.decode()


def test_staff_home_query_count_does_not_grow_with_content(
    client, editor, moderator, django_assert_max_num_queries
):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("staff_home")).status_code == 200
        return len(queries)

    submit_for_approval(StandardPageFactory(title="Standard 1"), editor)
    client.force_login(moderator)
    count_queries()  # warms per-process caches (content types, site root paths)
    few = count_queries()
    for number in range(2, 7):
        submit_for_approval(StandardPageFactory(title=f"Standard {number}"), editor)
    submit_for_approval(DepartmentPageFactory(), editor)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("staff_home"))
    assert len(response.context["reviews"]) == 7
    assert count_queries() == few
