"""Task lists: my tasks and the team queue (claim, assign, unassign, filters, overdue)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from workflows import services

from .factories import (
    PersonFactory,
    accept,
    case_in_support,
    log_contact,
    open_task,
    register_case,
    task_url,
)


@pytest.fixture
def queue(skp_standard, team_a, coordinator_a, worker_a):
    return [register_case(team=team_a, registered_by=worker_a) for _ in range(3)]


def test_team_queue_shows_unassigned_triage_tasks_and_claiming_moves_them_to_my_tasks(
    client, queue, coordinator_a
):
    client.force_login(coordinator_a)
    rows = client.get(reverse("workflows:team_queue")).context["rows"]
    assert len(rows) == 3 and all(row.can_claim for row in rows)

    client.post(reverse("workflows:task_claim", args=[rows[0].task.pk]))

    mine = client.get(reverse("workflows:my_tasks")).context["rows"]
    assert [row.task.pk for row in mine] == [rows[0].task.pk]
    filtered = client.get(reverse("workflows:team_queue"), {"assignment": "unassigned"})
    assert len(filtered.context["rows"]) == 2


def test_coordinator_assigns_to_a_colleague_and_unassigns(
    client, queue, coordinator_a, worker_a, worker_a2
):
    case = queue[0]
    accept(client, coordinator_a, case, worker_a)
    task = open_task(case, "outreach")
    assert task.owner == worker_a

    client.post(reverse("workflows:task_assign", args=[task.pk]), {"user": worker_a2.pk})
    task.refresh_from_db()
    assert task.owner == worker_a2

    client.post(reverse("workflows:task_unassign", args=[task.pk]))
    task.refresh_from_db()
    assert task.owner is None

    client.force_login(worker_a)
    client.post(reverse("workflows:task_claim", args=[task.pk]))
    task.refresh_from_db()
    assert task.owner == worker_a


def test_triage_cannot_be_assigned_to_a_worker_without_the_role(
    client, queue, coordinator_a, worker_a
):
    task = open_task(queue[0], "triage")
    client.force_login(coordinator_a)

    response = client.post(
        reverse("workflows:task_assign", args=[task.pk]), {"user": worker_a.pk}, follow=True
    )

    task.refresh_from_db()
    assert task.owner is None
    assert "Choose a colleague" in response.content.decode()


def test_a_worker_cannot_assign_tasks(client, queue, coordinator_a, worker_a, worker_a2):
    accept(client, coordinator_a, queue[0], worker_a)
    task = open_task(queue[0], "outreach")
    client.force_login(worker_a2)

    client.post(reverse("workflows:task_assign", args=[task.pk]), {"user": worker_a2.pk})

    task.refresh_from_db()
    assert task.owner == worker_a


def test_overdue_outreach_stands_out_and_can_be_filtered(
    client, skp_standard, team_a, coordinator_a
):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        late = register_case(team=team_a)
    fresh = register_case(team=team_a)
    client.force_login(coordinator_a)

    response = client.get(reverse("workflows:team_queue"))
    overdue = client.get(reverse("workflows:team_queue"), {"overdue": "on"})

    rows = {row.case.pk: row for row in response.context["rows"]}
    assert rows[late.pk].is_overdue and not rows[fresh.pk].is_overdue
    assert rows and response.context["rows"][0].case.pk == late.pk  # the oldest deadline first
    assert "row-overdue" in response.content.decode()
    assert [row.case.pk for row in overdue.context["rows"]] == [late.pk]


def test_services_expose_tasks_for_the_staff_home(client, queue, coordinator_a, worker_a):
    accept(client, coordinator_a, queue[0], worker_a)

    assert [t.flow_task.name for t in services.tasks_for_user(worker_a)] == ["outreach"]
    assert services.team_queue(worker_a, queue[0].team).count() == 3
    client.force_login(worker_a)
    home = client.get(reverse("staff_home"))
    assert task_url(open_task(queue[0], "outreach")) in home.content.decode()


def _more_cases(client, team, coordinator, worker, n):
    for _ in range(n):
        case = register_case(team=team, registered_by=worker)
        accept(client, coordinator, case, worker)
        log_contact(client, worker, case, achieved=n % 2 == 0)


def test_my_tasks_and_team_queue_use_a_fixed_number_of_queries(
    client, skp_standard, team_a, coordinator_a, worker_a, worker_a2, django_assert_max_num_queries
):
    _more_cases(client, team_a, coordinator_a, worker_a, 2)
    register_case(team=team_a)
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(17):  # incl. the page count and the access-log insert
        client.get(reverse("workflows:team_queue"))
    _more_cases(client, team_a, coordinator_a, worker_a, 4)
    register_case(team=team_a)

    client.force_login(coordinator_a)
    with django_assert_max_num_queries(17):  # incl. the page count and the access-log insert
        queue = client.get(reverse("workflows:team_queue"))
    client.force_login(worker_a)
    with django_assert_max_num_queries(10):
        mine = client.get(reverse("workflows:my_tasks"))

    assert len(queue.context["rows"]) == 8
    assert len(mine.context["rows"]) == 6


def test_case_page_uses_a_fixed_number_of_queries(
    client, skp_standard, team_a, coordinator_a, worker_a, django_assert_max_num_queries
):
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    for _ in range(3):
        log_contact(client, worker_a, case, achieved=True)
    services.goal_add(case=case, area="housing", description="Egen bolig", by=worker_a)
    services.goal_add(case=case, area="health", description="Egen læge", by=worker_a)

    with django_assert_max_num_queries(22):
        response = client.get(reverse("workflows:case_detail", args=[case.pk]))

    assert response.status_code == 200
    assert len(response.context["timeline"]) >= 8


def test_team_queue_is_paged_most_urgent_first_and_pages_keep_the_filters(
    client, queue, coordinator_a, monkeypatch
):
    from workflows import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    client.force_login(coordinator_a)
    url = reverse("workflows:team_queue")

    first = client.get(url, {"assignment": "unassigned"})
    second = client.get(url, {"assignment": "unassigned", "side": 2})

    first_cases = [row.case.pk for row in first.context["rows"]]
    second_cases = [row.case.pk for row in second.context["rows"]]
    assert len(first_cases) == 2 and len(second_cases) == 1
    assert set(first_cases + second_cases) == {case.pk for case in queue}
    assert first.context["page"].paginator.count == 3
    html = first.content.decode()
    assert "3 tasks in the queue" in html
    assert "?assignment=unassigned&amp;side=2" in html


def test_task_tables_escape_what_people_typed(
    client, skp_standard, team_a, coordinator_a, worker_a, worker_a2
):
    alias = '<script>alert("x")</script> & Ole'
    worker_a2.first_name = "<b>Bo</b>"
    worker_a2.save()
    case = register_case(
        team=team_a, registered_by=worker_a, person=PersonFactory.build(alias=alias)
    )
    accept(client, coordinator_a, case, worker_a)

    client.force_login(coordinator_a)
    queue = client.get(reverse("workflows:team_queue")).content.decode()
    client.force_login(worker_a)
    mine = client.get(reverse("workflows:my_tasks")).content.decode()

    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Ole"  # Jinja2's &#34; for "
    for page in (queue, mine):
        assert alias not in page and "<script>alert" not in page
        assert escaped in page
    assert "&lt;b&gt;Bo&lt;/b&gt;" in queue and "<b>Bo</b>" not in queue  # the assign list


def test_an_acute_referral_is_marked_in_the_queue(client, skp_standard, team_a, coordinator_a):
    acute = register_case(
        team=team_a,
        registered_by=coordinator_a,
        person=PersonFactory.build(alias="Akut Anders"),
        acute=True,
        emergency_call="112",
    )
    calm = register_case(
        team=team_a, registered_by=coordinator_a, person=PersonFactory.build(alias="Rolig Rasmus")
    )
    client.force_login(coordinator_a)
    page = client.get(reverse("workflows:team_queue")).content.decode()
    badge = ' · <span class="badge danger">acute</span>'
    assert f"Case {acute.pk}{badge}</span>" in page
    assert f"Case {calm.pk}</span>" in page
    assert page.count(badge) == 1


def test_without_a_team_the_queue_says_whom_to_ask_or_that_the_role_has_none(client, leader):
    from intranet import roles

    from .factories import UserFactory

    client.force_login(UserFactory(roles=[roles.OUTREACH_WORKER]))
    page = client.get(reverse("workflows:team_queue")).content.decode()
    assert "Ask your leader to have you added to your team" in page

    client.force_login(leader)
    page = client.get(reverse("workflows:team_queue")).content.decode()
    assert "Your role does not work on cases, so it has no team queue." in page
    assert "Ask your leader" not in page


def test_the_queue_filters_by_task_and_an_unknown_task_name_filters_nothing(
    client, queue, coordinator_a, worker_a
):
    accept(client, coordinator_a, queue[0], worker_a)  # its triage done: an outreach task now

    outreach = services.team_queue(coordinator_a, queue[0].team, task_name="outreach")
    triage = services.team_queue(coordinator_a, queue[0].team, task_name="triage")
    unknown = services.team_queue(coordinator_a, queue[0].team, task_name="no_such_task")

    assert [task.process.case.pk for task in outreach] == [queue[0].pk]
    assert {task.process.case.pk for task in triage} == {queue[1].pk, queue[2].pk}
    assert unknown.count() == 3
