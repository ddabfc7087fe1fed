"""Which standard governs a case: the team's standard for the case's legal basis, never
another basis's."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Revision

from pages.models import LegalBasis
from pages.rules import NoStandardForBasis, rules_in_force, rules_of_revision
from workflows.models import Case, ReferralSource, Stage

from .factories import (
    StandardPageFactory,
    claim_and_triage,
    open_task,
    referral_post_data,
    register_case,
)

SECTION_85 = "Kvalitetsstandard for socialpædagogisk støtte (§ 85)"


@pytest.fixture
def section_85_standard(team_a, skp_standard):
    """Team A delivers a § 85 standard (first contact within 14 days) besides its § 99
    standard (`skp_standard`, 7 days); the § 85 one is the newer."""
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=True):
        return StandardPageFactory(
            title=SECTION_85,
            legal_basis_section=LegalBasis.SECTION_85,
            first_contact_deadline_days=14,
            delivering_teams=[team_a],
        )


def _register(client, worker, team, basis):
    client.force_login(worker)
    source = ReferralSource.objects.order_by("sort_order").first()
    alias = {"85": "Kasketten", "99": "Dobbeltklik-Ole"}[basis]  # not possible duplicates
    extra = {"referral-legal_basis": basis, "person-alias": alias}
    return client.post(
        reverse("workflows:referral_register"), referral_post_data(team, source.pk, **extra)
    )


def test_cases_of_one_team_each_follow_the_standard_for_their_legal_basis(
    client, team_a, worker_a, skp_standard, section_85_standard
):
    assert _register(client, worker_a, team_a, "85").status_code == 302
    assert _register(client, worker_a, team_a, "99").status_code == 302

    case_85 = Case.objects.get(legal_basis=LegalBasis.SECTION_85)
    case_99 = Case.objects.get(legal_basis=LegalBasis.SECTION_99)
    today = timezone.localdate()
    assert case_85.standard_revision_id == section_85_standard.live_revision_id
    assert case_85.first_contact_due == today + timedelta(days=14)
    assert case_99.standard_revision_id == skp_standard.live_revision_id
    assert case_99.first_contact_due == today + timedelta(days=7)


def test_a_new_section_85_revision_leaves_section_99_cases_alone(
    team_a, worker_a, skp_standard, section_85_standard
):
    case_99 = register_case(team=team_a, registered_by=worker_a)
    case_85 = register_case(team=team_a, registered_by=worker_a, legal_basis="85")

    section_85_standard.first_contact_deadline_days = 21
    section_85_standard.save_revision().publish()
    section_85_standard.refresh_from_db()
    later_99 = register_case(team=team_a, registered_by=worker_a)
    later_85 = register_case(team=team_a, registered_by=worker_a, legal_basis="85")

    today = timezone.localdate()
    for case in (case_99, case_85):
        before = (case.standard_revision_id, case.first_contact_due)
        case.refresh_from_db()
        assert (case.standard_revision_id, case.first_contact_due) == before
    assert later_99.standard_revision_id == skp_standard.live_revision_id
    assert later_99.first_contact_due == today + timedelta(days=7)
    assert later_85.standard_revision_id == section_85_standard.live_revision_id
    assert later_85.first_contact_due == today + timedelta(days=21)


def test_a_team_without_a_standard_for_the_basis_never_gets_another_basis(
    team_a, team_b, skp_standard
):
    StandardPageFactory(legal_basis_section=LegalBasis.SECTION_85, delivering_teams=[team_b])

    assert rules_in_force(team=team_a).standard_id == skp_standard.pk
    with pytest.raises(NoStandardForBasis):
        rules_in_force(team=team_a, legal_basis=LegalBasis.SECTION_85)


def test_triage_refuses_a_basis_the_team_has_no_standard_for_and_keeps_the_input(
    client, team_a, team_b, coordinator_a, worker_a, skp_standard
):
    # Another team's § 85 standard is no fallback.
    StandardPageFactory(legal_basis_section=LegalBasis.SECTION_85, delivering_teams=[team_b])
    case = register_case(team=team_a, registered_by=worker_a)
    decision = {"decision": "accept", "primary_worker": worker_a.pk, "legal_basis": "85"}

    response = claim_and_triage(client, coordinator_a, case, decision)

    assert response.status_code == 200
    form = response.context["form"]
    assert "no published quality standard for § 85" in form.errors["legal_basis"][0]
    assert form["legal_basis"].value() == "85" and form["primary_worker"].value() == str(
        worker_a.pk
    )
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGE and case.legal_basis == LegalBasis.SECTION_99
    assert case.standard_revision_id == skp_standard.live_revision_id

    response = client.post(
        reverse("workflows:task", args=[open_task(case, "triage").pk]),
        {**decision, "legal_basis": "99"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.OUTREACH and case.legal_basis == LegalBasis.SECTION_99


def test_triage_shows_the_basis_and_a_change_takes_that_standards_deadline(
    client, team_a, coordinator_a, worker_a, skp_standard, section_85_standard
):
    case = register_case(team=team_a, registered_by=worker_a)
    client.force_login(coordinator_a)
    task = open_task(case, "triage")
    client.post(reverse("workflows:task_claim", args=[task.pk]))
    form = client.get(reverse("workflows:task", args=[task.pk])).context["form"]
    assert form["legal_basis"].value() == LegalBasis.SECTION_99

    response = client.post(
        reverse("workflows:task", args=[task.pk]),
        {"decision": "accept", "primary_worker": worker_a.pk, "legal_basis": "85"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    received = timezone.localtime(case.referral_received_at).date()
    assert case.legal_basis == LegalBasis.SECTION_85 and case.stage == Stage.OUTREACH
    assert case.standard_revision_id == section_85_standard.live_revision_id
    assert case.first_contact_due == received + timedelta(days=14)


def test_the_refusal_is_said_in_danish(team_a, worker_a, skp_standard):
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        register_case(team=team_a, registered_by=worker_a, legal_basis="85")

    assert refused.value.message_dict["legal_basis"] == [
        "Teamet har ingen udgivet kvalitetsstandard for § 85: socialpædagogisk støtte, så "
        "henvendelsen kan ikke behandles efter den. Vælg et andet lovgrundlag, eller henvis "
        "henvendelsen."
    ]


def test_intake_refuses_a_basis_the_team_has_no_standard_for(
    client, team_a, worker_a, skp_standard
):
    response = _register(client, worker_a, team_a, "85")

    assert response.status_code == 200
    form = response.context["referral_form"]
    assert "no published quality standard for § 85" in form.errors["legal_basis"][0]
    assert form["legal_basis"].value() == "85"
    assert not Case.objects.exists()


def test_a_revision_saved_before_standards_had_a_basis_reads_as_section_99(skp_standard):
    revision = Revision.objects.get(pk=skp_standard.live_revision_id)
    del revision.content["legal_basis_section"]
    revision.save(update_fields=["content"])
    rules_of_revision.cache_clear()

    assert rules_of_revision(revision.pk).legal_basis == LegalBasis.SECTION_99


def test_the_migration_gives_a_case_the_basis_of_its_standard_revision(
    team_a, worker_a, skp_standard, section_85_standard
):
    case_99 = register_case(team=team_a, registered_by=worker_a)
    case_85 = register_case(team=team_a, registered_by=worker_a, legal_basis="85")
    Case.objects.update(legal_basis=LegalBasis.SECTION_99)  # as the new column starts
    migration = importlib.import_module("workflows.migrations.0016_case_legal_basis")

    migration.basis_of_the_revision(apps, None)

    case_99.refresh_from_db()
    case_85.refresh_from_db()
    assert case_99.legal_basis == LegalBasis.SECTION_99
    assert case_85.legal_basis == LegalBasis.SECTION_85
