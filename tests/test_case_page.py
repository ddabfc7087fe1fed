"""The case page: what it shows of a case's consents, reassessments and forms, and the reads
it leaves out when the case has none of something or the user cannot work it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intranet.models import AccessLogEntry
from workflows import services
from workflows.models import ConsentForm, Outcome, Reassessment, Stage

from .factories import case_in_support


@pytest.fixture
def case(client, coordinator_a, worker_a, team_a, skp_standard):
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    client.force_login(worker_a)
    return case


def _page(client, case):
    response = client.get(reverse("workflows:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_consents_and_reassessments_shown_when_there_are_some(
    client, case, worker_a, family_department
):
    page = _page(client, case)
    assert "No consent recorded." in page
    assert 'id="reassessments-heading"' not in page

    services.consent_record(
        case=case,
        receiver=family_department,
        information="Bolig og økonomi",
        form=ConsentForm.WRITTEN,
        by=worker_a,
    )
    Reassessment.objects.create(
        case=case, decided_at=case.support_started_at, decided_by=worker_a, decision="continue"
    )
    page = _page(client, case)
    assert "No consent recorded." not in page
    assert "Familieafdelingen" in page and "Bolig og økonomi" in page
    assert 'id="reassessments-heading"' in page
    assert "Continue support for a new period" in page


def test_none_of_them_are_two_queries_fewer(client, case, worker_a, family_department):
    _page(client, case)
    with CaptureQueriesContext(connection) as without:
        _page(client, case)
    services.consent_record(
        case=case, receiver=family_department, information="x", form="oral", by=worker_a
    )
    Reassessment.objects.create(case=case)
    with CaptureQueriesContext(connection) as with_both:
        _page(client, case)
    assert len(with_both) == len(without) + 2


def test_forms_only_for_whoever_can_work_the_case(client, case):
    page = _page(client, case)
    for action in ("contact_add", "goal_add", "consent_add"):
        assert reverse(f"workflows:{action}", args=[case.pk]) in page

    case.stage, case.outcome = Stage.CLOSED, Outcome.GOAL_REACHED
    case.save()
    page = _page(client, case)
    for action in ("contact_add", "goal_add", "consent_add"):
        assert reverse(f"workflows:{action}", args=[case.pk]) not in page
    assert AccessLogEntry.objects.filter(case_id=case.pk, what="case").count() == 2
