"""Text that reached the database with direction controls (imported, or typed before the
forms stripped them) is shown isolated in <bdi>: it cannot turn the text around it."""

import pytest
from django.urls import reverse

from workflows import services
from workflows.models import Person

from .factories import PersonFactory, case_in_support, register_case

pytestmark = pytest.mark.django_db

REVERSING_NAME = "Ole\u202eHansen"


@pytest.fixture
def imported_case(skp_standard, team_a):
    """A referral waiting for triage, of a person whose name came in with U+202E."""
    return register_case(team=team_a, person=PersonFactory.build(name=REVERSING_NAME, alias=""))


def test_the_case_page_isolates_the_name_and_a_goals_text(
    client, skp_standard, team_a, coordinator_a, worker_a
):
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    Person.objects.filter(pk=case.person_id).update(name=REVERSING_NAME, alias="")
    services.goal_add(case=case, area="housing", description="Egen \u202ebolig", by=worker_a)
    client.force_login(worker_a)

    html = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()

    assert f": <bdi>{REVERSING_NAME}</bdi></h1>" in html
    assert "<bdi>Egen \u202ebolig</bdi>" in html
    assert html.count("\u202e") == html.count("<bdi>Egen \u202e") + html.count(
        f"<bdi>{REVERSING_NAME}</bdi>"
    )


def test_the_task_table_isolates_the_name(client, coordinator_a, imported_case):
    client.force_login(coordinator_a)

    html = client.get(reverse("workflows:team_queue")).content.decode()

    assert f"<bdi>{REVERSING_NAME}</bdi>" in html
    assert html.count("\u202e") == html.count(f"<bdi>{REVERSING_NAME}</bdi>")
