"""Every change is written in one transaction with its access-log entry: if the entry cannot
be written, the change is undone (no change without its record).

ATOMIC_REQUESTS is off, so each view writes the change and its entry in one atomic block
(`workflows.views._recorded`; a task's inside its process lock). Each test breaks the log's
INSERT for changes and sends the change through its real URL."""

import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from intranet.models import AccessAction, AccessLogEntry
from workflows import services
from workflows.models import (
    Case,
    Consent,
    ConsentForm,
    ContactLog,
    EmergencyAccess,
    EmergencyCategory,
    Goal,
    GoalStatus,
    Person,
    Stage,
)

from .factories import (
    accept,
    case_in_support,
    contact_post_data,
    finish_outreach,
    open_task,
    referral_post_data,
    register_case,
    task_url,
)

WRITES = {AccessAction.CHANGE, AccessAction.CREATE, AccessAction.EMERGENCY}


def _break_log(monkeypatch):
    """The access log cannot record a change (a full disk, a revoked grant, …)."""
    create = AccessLogEntry.objects.create

    def failing(**fields):
        if fields.get("action") in WRITES:
            raise DatabaseError("the access log is unavailable")
        return create(**fields)

    monkeypatch.setattr(AccessLogEntry.objects, "create", failing)


@pytest.fixture
def log_fails(monkeypatch):
    _break_log(monkeypatch)


@pytest.fixture
def support_case(client, skp_standard, team_a, coordinator_a, worker_a, receiving_team):
    return case_in_support(client, coordinator_a, worker_a, team_a)


def _refused(client, url, data):
    with pytest.raises(DatabaseError):
        client.post(url, data)


def test_a_contact_is_not_saved_without_its_entry(client, support_case, worker_a, log_fails):
    before = ContactLog.objects.count()

    _refused(
        client,
        reverse("workflows:contact_add", args=[support_case.pk]),
        contact_post_data(worker_a),
    )

    assert ContactLog.objects.count() == before


def test_a_goal_is_not_saved_without_its_entry(client, support_case, log_fails):
    _refused(
        client,
        reverse("workflows:goal_add", args=[support_case.pk]),
        {"area": "housing", "description": "Egen bolig inden sommer."},
    )

    assert not Goal.objects.exists()


def test_a_goal_status_is_not_changed_without_its_entry(
    client, support_case, worker_a, monkeypatch
):
    goal = services.goal_add(case=support_case, area="housing", description="Bolig", by=worker_a)
    _break_log(monkeypatch)

    _refused(
        client,
        reverse("workflows:goal_status", args=[support_case.pk, goal.pk]),
        {"status": GoalStatus.REACHED},
    )

    goal.refresh_from_db()
    assert goal.status != GoalStatus.REACHED


def test_a_consent_is_not_recorded_without_its_entry(
    client, support_case, receiving_team, log_fails
):
    _refused(
        client,
        reverse("workflows:consent_add", args=[support_case.pk]),
        {
            "receiver": receiving_team.pk,
            "information": "Boligsituation",
            "form": ConsentForm.WRITTEN,
            "given_on": timezone.localdate().isoformat(),
        },
    )

    assert not Consent.objects.exists()


def test_a_consent_is_not_withdrawn_without_its_entry(
    client, support_case, receiving_team, worker_a, monkeypatch
):
    consent = services.consent_record(
        case=support_case,
        receiver=receiving_team,
        information="Boligsituation",
        form=ConsentForm.WRITTEN,
        given_on=timezone.localdate() - datetime.timedelta(days=3),
        by=worker_a,
    )
    _break_log(monkeypatch)

    _refused(
        client,
        reverse("workflows:consent_withdraw", args=[support_case.pk, consent.pk]),
        {"withdrawn_on": timezone.localdate().isoformat()},
    )

    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_person_is_not_changed_without_its_entry(client, support_case, log_fails):
    url = reverse("workflows:person_edit", args=[support_case.pk])
    data = client.get(url).context["form"].initial
    data = {key: value for key, value in data.items() if value is not None and key != "id"}
    data["alias"] = "Ændret alias"

    _refused(client, url, data)

    assert Person.objects.get(pk=support_case.person_id).alias != "Ændret alias"


def test_a_task_is_not_completed_without_its_entry(
    client, skp_standard, team_a, coordinator_a, worker_a, log_fails
):
    case = register_case(team=team_a)
    client.force_login(coordinator_a)
    triage = open_task(case, "triage")
    client.post(reverse("workflows:task_claim", args=[triage.pk]))

    _refused(client, task_url(triage), {"decision": "accept", "primary_worker": worker_a.pk})

    case.refresh_from_db()
    triage.refresh_from_db()
    assert case.stage == Stage.TRIAGE and case.primary_worker is None
    assert triage.status == "ASSIGNED" and open_task(case, "outreach") is None


def test_a_case_is_not_reopened_without_its_entry(
    client, skp_standard, team_a, coordinator_a, worker_a, monkeypatch
):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)
    finish_outreach(client, worker_a, case, "declined")
    _break_log(monkeypatch)

    _refused(
        client,
        reverse("workflows:case_reopen", args=[case.pk]),
        {"channel": "phone", "source": case.referral.source_id, "concern": "Naboen ringer igen."},
    )

    assert not Case.objects.filter(reopened_from=case).exists()


def test_a_referral_is_not_registered_without_its_entry(
    client, skp_standard, team_a, worker_a, log_fails
):
    from workflows.models import ReferralSource

    client.force_login(worker_a)
    source = ReferralSource.objects.order_by("sort_order").first()
    before = Case.objects.count()

    _refused(
        client,
        reverse("workflows:referral_register"),
        referral_post_data(team_a, source.pk, confirm_duplicates="1"),
    )

    assert Case.objects.count() == before


def test_an_emergency_access_is_not_granted_without_its_entry(
    client, skp_standard, team_a, worker_b, log_fails
):
    case = register_case(team=team_a)
    client.force_login(worker_b)

    _refused(
        client,
        reverse("workflows:emergency_access", args=[case.pk]),
        {
            "category": EmergencyCategory.CITIZEN_PRESENT,
            "reason": "Borgeren står i værestedet og har brug for hjælp nu.",
        },
    )

    assert not EmergencyAccess.objects.exists()
    assert not Case.objects.visible_to(worker_b).filter(pk=case.pk).exists()


def test_with_the_log_working_each_change_writes_one_entry(client, support_case, worker_a):
    client.post(
        reverse("workflows:contact_add", args=[support_case.pk]), contact_post_data(worker_a)
    )

    entry = AccessLogEntry.objects.filter(action=AccessAction.CHANGE).latest("pk")
    assert (entry.user, entry.case_id, entry.what) == (worker_a, support_case.pk, "contact")


def test_an_emergency_access_review_is_not_saved_without_its_entry(
    client, skp_standard, team_a, worker_b, dpo, monkeypatch
):
    case = register_case(team=team_a)
    access = services.emergency_access_grant(
        user=worker_b,
        case=case,
        category=EmergencyCategory.CITIZEN_PRESENT,
        reason="Borgeren står i værestedet og har brug for hjælp nu.",
    )
    _break_log(monkeypatch)
    client.force_login(dpo)

    _refused(
        client,
        reverse("privacy:emergency_review", args=[access.pk]),
        {"note": "Begrundet: talt med medarbejderen."},
    )

    access.refresh_from_db()
    assert not access.is_reviewed
