"""Team membership opens a team's cases only to those who work on cases (issue 15).

Membership comes from the staff directory (StaffMember.user and .teams), which the
administrators keep. An administrator who links their own account to a team's entry must not
read that team's cases: the directory entry is refused (pages.forms.StaffMemberForm), and were
the row there anyway, the one visibility rule (workflows.models.case_visibility) asks for the
casework right as well as the membership.
"""

import pytest
from django.urls import reverse

from intranet.models import AccessLogEntry
from workflows.models import Case

from .factories import StaffMemberFactory, register_case

pytestmark = pytest.mark.usefixtures("skp_standard")


def test_a_team_entry_forced_onto_an_administrator_opens_none_of_the_teams_cases(
    client, team_a, worker_a, administrator
):
    case = register_case(team=team_a, registered_by=worker_a)
    # The row the admin screen refuses to write, written anyway: the visibility rule holds.
    StaffMemberFactory(user=administrator, teams=[team_a])
    client.force_login(administrator)

    detail = client.get(reverse("workflows:case_detail", args=[case.pk]))
    queue = client.get(reverse("workflows:team_queue"))

    assert detail.status_code == 404
    assert queue.status_code == 200 and queue.context["rows"] == []
    assert not Case.objects.visible_to(administrator).exists()
    assert not AccessLogEntry.objects.filter(user=administrator, case_id=case.pk).exists()


def test_a_receiver_in_an_outreach_teams_entry_does_not_open_its_cases(
    client, team_b, worker_b, receiver_b
):
    """Receivers read the summaries handed over to their team, never the team's own cases."""
    case = register_case(team=team_b, registered_by=worker_b)
    client.force_login(receiver_b)

    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 404


def test_a_caseworker_of_the_team_still_opens_its_cases(client, team_a, worker_a, coordinator_a):
    case = register_case(team=team_a, registered_by=coordinator_a)
    client.force_login(worker_a)

    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 200
