"""The benchmark's side-by-side (bench/viewflow_urls.py): viewflow's own queue view, served
on our data, lists our triage tasks and links them to our task page."""

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.urls import reverse

from .factories import open_task, register_case


@pytest.fixture
def viewflow_queue_url():
    with override_settings(ROOT_URLCONF="bench.viewflow_urls"):
        from bench.viewflow_urls import QUEUE_URL

        yield QUEUE_URL


def test_viewflow_queue_view_lists_our_tasks(
    client, viewflow_queue_url, skp_standard, team_a, coordinator_a
):
    case = register_case(team=team_a, registered_by=coordinator_a)
    task = open_task(case, "triage")
    client.force_login(coordinator_a)
    # Viewflow asks for its flow-wide view permission (the intranet never grants it).
    assert client.get(viewflow_queue_url).status_code == 403

    coordinator_a.user_permissions.add(Permission.objects.get(codename="view_caseprocess"))
    page = client.get(viewflow_queue_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f'<a href="{reverse("workflows:task", args=[task.pk])}">#{case.process_id}/{task.pk}</a>'
        in html
    )
