"""Who may see which case and do which task: one rule, every screen."""

import pytest
from django.urls import reverse

from workflows.models import Case, Stage

from .factories import accept, open_task, register_case, task_url


@pytest.fixture
def case_a(skp_standard, team_a, worker_a):
    return register_case(team=team_a, registered_by=worker_a)


def test_worker_of_team_b_gets_404_on_team_a_case_and_its_screens(client, case_a, worker_b):
    client.force_login(worker_b)
    task = open_task(case_a, "triage")

    case_page = client.get(reverse("workflows:case_detail", args=[case_a.pk]))
    assert case_page.status_code == 403  # offers emergency access (test_emergency_access.py)
    assert case_a.person.alias not in case_page.content.decode()
    for url in [
        reverse("workflows:person_edit", args=[case_a.pk]),
        reverse("workflows:contact_add", args=[case_a.pk]),
        reverse("workflows:consent_add", args=[case_a.pk]),
        reverse("workflows:case_reopen", args=[case_a.pk]),
        reverse("workflows:handover_summary", args=[case_a.pk]),
        task_url(task),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("workflows:task_claim", args=[task.pk])).status_code == 404
    assert not Case.objects.visible_to(worker_b).filter(pk=case_a.pk).exists()


def test_team_b_queue_and_tasks_do_not_show_team_a_cases(client, case_a, worker_b, coordinator_b):
    client.force_login(coordinator_b)

    queue = client.get(reverse("workflows:team_queue"))
    mine = client.get(reverse("workflows:my_tasks"))

    assert queue.context["rows"] == [] and mine.context["rows"] == []


def test_a_worker_cannot_triage(client, case_a, worker_a):
    client.force_login(worker_a)
    task = open_task(case_a, "triage")

    page = client.get(task_url(task))
    claim = client.post(reverse("workflows:task_claim", args=[task.pk]), follow=True)
    post = client.post(task_url(task), {"decision": "decline", "note": "Nej"})

    assert page.status_code == 200 and not page.context["can_execute"]
    assert not page.context["can_claim"]
    assert "already been taken" in claim.content.decode()
    assert post.status_code == 302
    task.refresh_from_db()
    case_a.refresh_from_db()
    assert task.owner is None and case_a.stage == Stage.TRIAGE


def test_a_coordinator_of_another_team_cannot_triage(client, case_a, coordinator_b):
    client.force_login(coordinator_b)
    task = open_task(case_a, "triage")

    response = client.post(reverse("workflows:task_claim", args=[task.pk]))

    assert response.status_code == 404


def test_only_the_assigned_worker_completes_outreach(
    client, case_a, coordinator_a, worker_a, worker_a2
):
    accept(client, coordinator_a, case_a, worker_a)
    task = open_task(case_a, "outreach")
    client.force_login(worker_a2)

    response = client.post(task_url(task), {"result": "declined"})

    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.stage == Stage.OUTREACH


def test_assigned_workers_see_their_case(case_a, coordinator_a, worker_a, worker_b, client):
    case_a.second_worker = worker_b  # cover from another team
    case_a.save()

    assert Case.objects.visible_to(worker_b).filter(pk=case_a.pk).exists()
    assert Case.objects.visible_to(worker_a).filter(pk=case_a.pk).exists()


def test_receiving_team_sees_nothing_before_a_handover_is_sent(client, case_a, receiver):
    client.force_login(receiver)

    assert client.get(reverse("workflows:case_detail", args=[case_a.pk])).status_code == 404
    assert client.get(reverse("workflows:handover_summary", args=[case_a.pk])).status_code == 404


def test_only_leaders_see_the_overview(client, case_a, leader, worker_a):
    client.force_login(worker_a)
    assert client.get(reverse("workflows:overview")).status_code == 403

    client.force_login(leader)
    response = client.get(reverse("workflows:overview"))

    assert response.status_code == 200
    assert case_a.person.alias not in response.content.decode()


def test_registering_needs_the_permission(client, skp_standard, receiver, editor):
    client.force_login(editor)
    assert client.get(reverse("workflows:referral_register")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, case_a):
    response = client.get(reverse("workflows:case_detail", args=[case_a.pk]))

    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


def test_case_page_views_are_written_to_the_access_log(client, case_a, worker_a):
    from intranet.models import AccessLogEntry

    client.force_login(worker_a)
    client.get(reverse("workflows:case_detail", args=[case_a.pk]))

    assert AccessLogEntry.objects.filter(case_id=case_a.pk, user=worker_a).exists()
