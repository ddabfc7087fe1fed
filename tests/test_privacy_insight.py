"""The insight report (GDPR art. 15): everything held about a person, produced by the DPO."""

import pytest
from django.urls import reverse

from intranet import roles
from intranet.audit import log_access
from intranet.models import AccessAction, AccessLogEntry
from workflows.flows import ReferralFlow
from workflows.models import (
    Case,
    Channel,
    Consent,
    ContactKind,
    ContactLog,
    Goal,
    GoalArea,
    Reassessment,
    Referral,
    Stage,
)

from .factories import PersonFactory


@pytest.fixture
def held(team_a, worker_a, coordinator_a, receiving_team):
    """A person with a case, its referral, a contact, a goal, a consent and a reassessment."""
    person = PersonFactory(
        name="Karen Indsigtsen", alias="Kasket", cpr="020290-4321", phone="22 33 44 55"
    )
    case = Case.objects.create(
        person=person,
        team=team_a,
        stage=Stage.HANDOVER,
        primary_worker=worker_a,
        handover_team=receiving_team,
        handover_summary="Overdragelsesresumé om boligen",
    )
    Referral.objects.create(
        case=case,
        channel=Channel.PHONE,
        referrer_name="Nabo Nielsen",
        referrer_contact="nabo@example.invalid",
        concern="Sover i opgangen om natten",
    )
    ContactLog.objects.create(
        case=case, worker=worker_a, kind=ContactKind.HOME_VISIT, note="Hjemmebesøg, gik godt"
    )
    Goal.objects.create(case=case, area=GoalArea.HOUSING, description="Vil have egen bolig")
    Consent.objects.create(
        person=person,
        case=case,
        receiver=receiving_team,
        information="Boligsituation og kontaktoplysninger",
        form="written",
    )
    Reassessment.objects.create(case=case, note="Fortsat behov for støtte", decision="continue")
    for user, what in [(worker_a, "case"), (coordinator_a, "case"), (worker_a, "task:outreach")]:
        log_access(
            user=user, action=AccessAction.VIEW, what=what, person_id=person.pk, case_id=case.pk
        )
    return person


def test_the_insight_report_holds_the_persons_data_and_who_looked(
    client, dpo, held, worker_a, coordinator_a, django_assert_max_num_queries
):
    client.force_login(dpo)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("privacy:insight", args=[held.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "Karen Indsigtsen",
        "020290-4321",
        "22 33 44 55",
        "Nabo Nielsen",
        "nabo@example.invalid",
        "Sover i opgangen om natten",
        "Hjemmebesøg, gik godt",
        "Vil have egen bolig",
        "Boligsituation og kontaktoplysninger",
        "Fortsat behov for støtte",
        "Overdragelsesresumé om boligen",
        worker_a.get_full_name(),
        coordinator_a.get_full_name(),
        str(roles.ROLES[roles.OUTREACH_WORKER].label),
        str(roles.ROLES[roles.COORDINATOR].label),
        str(ReferralFlow.outreach.task_title),  # "task:outreach" in the citizen's words
    ]:
        assert text in page, text
    accesses = response.context["report"].accesses
    assert [(a.entry.user, a.entry.action) for a in accesses] == [
        (worker_a, AccessAction.VIEW),
        (coordinator_a, AccessAction.VIEW),
        (worker_a, AccessAction.VIEW),
        (dpo, AccessAction.EXPORT),
    ]


def test_producing_the_insight_report_is_logged_as_an_export(client, dpo, held):
    client.force_login(dpo)
    client.get(reverse("privacy:insight", args=[held.pk]))

    entry = AccessLogEntry.objects.get(user=dpo)
    assert (entry.action, entry.person_id, entry.what) == (
        AccessAction.EXPORT,
        held.pk,
        "insight report",
    )


def test_only_the_data_protection_role_may_produce_the_insight_report(client, held, worker_a):
    client.force_login(worker_a)  # even the person's own contact person
    assert client.get(reverse("privacy:insight", args=[held.pk])).status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()
