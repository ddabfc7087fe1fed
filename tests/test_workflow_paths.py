"""Every path of the referral process, walked through the work screens."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from pages.models import RedirectReason
from workflows.forms import ReferralForm, ReopenForm
from workflows.models import Case, Outcome, ReferralSource, Stage
from workflows.reporting import dashboard as figures
from workflows.reporting.periods import Period

from .factories import (
    PersonFactory,
    accept,
    case_in_support,
    claim_and_triage,
    finish_outreach,
    log_contact,
    open_task,
    register_case,
    standard_with_redirects,
    task_url,
)


@pytest.fixture
def standard(skp_standard):
    return skp_standard


@pytest.mark.parametrize("outcome", [Outcome.GOAL_REACHED, Outcome.WITHDREW, Outcome.DIED])
def test_accept_contact_made_and_end_support_with_an_outcome(
    client, standard, team_a, coordinator_a, worker_a, outcome
):
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    timer = open_task(case, "wait_for_reassessment")
    assert timer.status == STATUS.SCHEDULED
    assert case.first_contact_at is not None
    assert case.reassessment_due_at.date() > timezone.localdate() + timedelta(days=110)
    end_support = open_task(case, "end_support")
    assert client.get(task_url(end_support)).status_code == 200
    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 200

    response = client.post(
        task_url(end_support), {"next_step": "close", "outcome": outcome, "note": "Afsluttet."}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, outcome)
    timer.refresh_from_db()
    assert timer.status == STATUS.CANCELED  # nothing dangles after an early end
    assert case.process.status == PROCESS.DONE
    assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 200


def test_outreach_ends_when_the_citizen_declines(client, standard, team_a, coordinator_a, worker_a):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)
    assert client.get(task_url(open_task(case, "outreach"))).status_code == 200

    response = finish_outreach(client, worker_a, case, "declined")

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.DECLINED)
    assert case.process.status == PROCESS.DONE


def test_giving_up_needs_logged_attempts_then_closes_as_no_contact(
    client, standard, team_a, coordinator_a, worker_a
):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)

    refused = finish_outreach(client, worker_a, case, "gave_up")
    assert refused.status_code == 200
    assert "Log the failed contact attempts" in refused.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.OUTREACH

    log_contact(client, worker_a, case, achieved=False)
    response = finish_outreach(client, worker_a, case, "gave_up")

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.NO_CONTACT)


def test_contact_made_needs_an_achieved_contact(client, standard, team_a, coordinator_a, worker_a):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)

    response = finish_outreach(client, worker_a, case, "contact_made")

    assert response.status_code == 200
    assert "no achieved contact is logged yet" in response.content.decode()
    assert open_task(case, "outreach") is not None


def test_under_age_referral_is_redirected_to_the_standards_family_department(
    client, standard, team_a, coordinator_a, family_department
):
    case = register_case(
        team=team_a, person=PersonFactory.build(birth_year=timezone.now().year - 15)
    )
    client.force_login(coordinator_a)
    task = open_task(case, "triage")
    client.post(reverse("workflows:task_claim", args=[task.pk]))
    page = client.get(task_url(task))
    assert page.context["form"].fields["redirect_reason"].initial == RedirectReason.UNDER_AGE

    response = client.post(
        task_url(task), {"decision": "redirect", "redirect_reason": RedirectReason.UNDER_AGE}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.REDIRECTED)
    assert list(case.redirect_destinations.all()) == [family_department.page_ptr]
    assert case.process.status == PROCESS.DONE


def test_a_sent_triage_form_shown_again_keeps_the_standards_suggestion(
    client, standard, team_a, coordinator_a
):
    case = register_case(
        team=team_a, person=PersonFactory.build(birth_year=timezone.now().year - 15)
    )
    client.force_login(coordinator_a)
    task = open_task(case, "triage")
    client.post(reverse("workflows:task_claim", args=[task.pk]))

    response = client.post(task_url(task), {"decision": "accept"})  # no contact person

    assert response.status_code == 200
    assert response.context["suggested_label"] == RedirectReason.UNDER_AGE.label
    assert response.context["form"].errors["primary_worker"]
    assert open_task(case, "triage") is not None


def test_redirect_without_a_destination_in_the_standard_asks_for_one(
    client, standard, team_a, coordinator_a
):
    case = register_case(team=team_a)

    response = claim_and_triage(
        client,
        coordinator_a,
        case,
        {"decision": "redirect", "redirect_reason": RedirectReason.OTHER_MUNICIPALITY},
    )

    assert response.status_code == 200
    assert "Choose one from the contact directory" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGE


def test_decline_outside_target_group_needs_a_reason(client, standard, team_a, coordinator_a):
    case = register_case(team=team_a)

    without_note = claim_and_triage(client, coordinator_a, case, {"decision": "decline"})
    assert without_note.status_code == 200
    response = client.post(
        task_url(open_task(case, "triage")),
        {"decision": "decline", "note": "Har egen bostøtte (§ 85)."},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.OUTSIDE_TARGET_GROUP)


def test_merge_into_an_open_case_of_the_same_team(
    client, standard, team_a, team_b, coordinator_a, worker_a
):
    existing = register_case(team=team_a)
    other_team = register_case(team=team_b)
    case = register_case(team=team_a)

    wrong = claim_and_triage(
        client, coordinator_a, case, {"decision": "merge", "merge_into": other_team.pk}
    )
    assert wrong.status_code == 200  # another team's case is not a choice
    response = client.post(
        task_url(open_task(case, "triage")), {"decision": "merge", "merge_into": existing.pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.merged_into) == (
        Stage.CLOSED,
        Outcome.MERGED,
        existing,
    )


def test_the_triage_form_lists_its_merge_candidates_when_rendered_on_its_own(
    standard, team_a, team_b, coordinator_a
):
    """The candidates are read when the list is shown, not only after something else
    has read them (the task view's access log used to, before rendering)."""
    from workflows.forms import TriageForm

    existing = register_case(team=team_a)
    other_team = register_case(team=team_b)
    case = register_case(team=team_a)

    html = str(TriageForm(case=case, user=coordinator_a)["merge_into"])
    assert f'<option value="{existing.pk}">#{existing.pk} ' in html
    assert f'value="{other_team.pk}"' not in html
    # A second form of the same class lists its own case's candidates.
    other = str(TriageForm(case=existing, user=coordinator_a)["merge_into"])
    assert f'<option value="{case.pk}">#{case.pk} ' in other
    assert f'value="{existing.pk}"' not in other


def test_reassessment_loop_opens_on_the_timer_and_continues_then_closes(
    client, standard, team_a, coordinator_a, worker_a, table_owner
):
    # At a moved clock only the owner of the table may write the log (migration 0007).
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    first_due = case.reassessment_due_at

    with table_owner(), time_machine.travel(first_due + timedelta(hours=1)):
        call_command("workflow_timers", stdout=io.StringIO())
        task = open_task(case, "reassess")
        assert task is not None and task.owner == worker_a
        assert open_task(case, "end_support") is None  # the early-end task is cancelled
        case.refresh_from_db()
        assert case.stage == Stage.REASSESSMENT

        client.force_login(worker_a)
        assert client.get(task_url(task)).status_code == 200
        missing_note = client.post(task_url(task), {"decision": "continue"})
        assert missing_note.status_code == 200
        response = client.post(
            task_url(task), {"decision": "continue", "note": "Fortsætter, god kontakt."}
        )
        assert response.status_code == 302

    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT
    assert case.reassessment_due_at > first_due + timedelta(days=100)
    assert open_task(case, "wait_for_reassessment").status == STATUS.SCHEDULED

    with table_owner(), time_machine.travel(case.reassessment_due_at + timedelta(hours=1)):
        call_command("workflow_timers", stdout=io.StringIO())
        client.force_login(worker_a)
        response = client.post(
            task_url(open_task(case, "reassess")),
            {"decision": "close", "outcome": Outcome.MOVED, "note": "Flyttet til Aarhus."},
        )
        assert response.status_code == 302

    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.MOVED)
    assert case.reassessments.filter(decided_at__isnull=False).count() == 2
    assert case.process.status == PROCESS.DONE


def test_once_after_4_months_is_reassessed_once_and_never_again(
    client, team_a, coordinator_a, worker_a, table_owner
):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=True):
        standard_with_redirects(
            delivering_teams=[team_a], reassessment_rule="once", reassessment_interval_months=4
        )
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    assert case.reassessment_due_at.date() > timezone.localdate() + timedelta(days=110)

    with table_owner(), time_machine.travel(case.reassessment_due_at + timedelta(hours=1)):
        call_command("workflow_timers", stdout=io.StringIO())
        client.force_login(worker_a)
        response = client.post(
            task_url(open_task(case, "reassess")),
            {"decision": "continue", "note": "Fortsætter, god kontakt."},
        )
        assert response.status_code == 302

    case.refresh_from_db()
    assert (case.stage, case.reassessment_due_at) == (Stage.SUPPORT, None)
    assert open_task(case, "wait_for_reassessment") is None
    assert open_task(case, "end_support").owner == worker_a


def test_without_a_reassessment_interval_support_has_no_timer(
    client, team_a, coordinator_a, worker_a
):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=True):
        standard_with_redirects(delivering_teams=[team_a], reassessment_interval_months=None)

    case = case_in_support(client, coordinator_a, worker_a, team_a)

    assert case.reassessment_due_at is None
    assert open_task(case, "wait_for_reassessment") is None
    assert open_task(case, "end_support").owner == worker_a


def test_reopen_starts_a_new_process_linked_to_the_closed_case(
    client, standard, team_a, coordinator_a, worker_a
):
    case = register_case(team=team_a)
    accept(client, coordinator_a, case, worker_a)
    finish_outreach(client, worker_a, case, "declined")

    source = ReferralSource.objects.get(name="Andre/naboer")
    response = client.post(
        reverse("workflows:case_reopen", args=[case.pk]),
        {
            "channel": "phone",
            "source": source.pk,
            "concern": "Naboen ringer igen: nu vil han gerne have hjælp.",
        },
    )

    assert response.status_code == 302
    new_case = Case.objects.get(reopened_from=case)
    assert new_case.person_id == case.person_id
    assert new_case.stage == Stage.TRIAGE
    assert new_case.process_id != case.process_id
    assert open_task(new_case, "triage") is not None
    again = client.post(
        reverse("workflows:case_reopen", args=[case.pk]),
        {"channel": "phone", "source": source.pk, "concern": "x"},
    )
    assert again.status_code == 200  # already reopened and still open


def _closed_case(client, team, coordinator, worker, source):
    case = register_case(team=team, source=source)
    accept(client, coordinator, case, worker)
    finish_outreach(client, worker, case, "declined")
    return case


def test_reopening_records_the_new_source_on_the_new_referral_and_not_the_old(
    client, standard, team_a, coordinator_a, worker_a
):
    jobcenter = ReferralSource.objects.get(name="Jobcenter")
    himself = ReferralSource.objects.get(name="Selvhenvendelse")
    case = _closed_case(client, team_a, coordinator_a, worker_a, jobcenter)

    response = client.post(
        reverse("workflows:case_reopen", args=[case.pk]),
        {"channel": "in_person", "source": himself.pk, "concern": "Kommer selv forbi."},
    )

    assert response.status_code == 302
    new_case = Case.objects.get(reopened_from=case)
    assert new_case.referral.source == himself
    assert new_case.referral.channel == "in_person"
    case.referral.refresh_from_db()
    assert case.referral.source == jobcenter  # the closed case keeps its own
    page = client.get(reverse("workflows:case_detail", args=[new_case.pk]))
    assert "Selvhenvendelse" in page.content.decode()
    closed_page = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
    assert "Jobcenter" in closed_page and "Selvhenvendelse" in closed_page  # "reopened as"


@pytest.mark.danish
def test_reopening_without_a_source_is_refused_with_a_danish_message_and_keeps_the_input(
    client, standard, team_a, coordinator_a, worker_a
):
    case = _closed_case(
        client, team_a, coordinator_a, worker_a, ReferralSource.objects.get(name="Jobcenter")
    )

    response = client.post(
        reverse("workflows:case_reopen", args=[case.pk]),
        {"channel": "phone", "source": "", "concern": "Naboen ringer igen."},
    )

    assert response.status_code == 200
    assert not Case.objects.filter(reopened_from=case).exists()
    form = response.context["form"]
    assert form.has_error("source", "required")
    html = response.content.decode()
    assert "Vælg, hvem der tog kontakt denne gang." in html
    assert "Naboen ringer igen." in html  # nothing typed is lost
    # The closed case's source is named, not chosen for the user.
    assert form["source"].value() in ("", None)
    assert "Den lukkede sags henvisningskilde var: Jobcenter." in html


def test_reopening_offers_the_same_sources_as_a_new_registration(worker_a):
    ReferralSource.objects.filter(name="Herberg").update(active=False)

    offered = list(ReopenForm().fields["source"].queryset)

    assert offered == list(ReferralForm(user=worker_a).fields["source"].queryset)
    assert ReferralSource.objects.get(name="Herberg") not in offered
    assert offered and all(source.active for source in offered)
    assert ReopenForm().fields["source"].initial is None


def test_the_dashboard_medians_follow_a_case_worked_through_the_screens_and_reopened(
    client, standard, team_a, coordinator_a, worker_a
):
    received = timezone.now() - timedelta(days=3)
    case = register_case(team=team_a, received_at=received)
    # The referral's time of receipt is kept on the case from the start: the spans need it.
    assert case.referral_received_at == case.referral.received_at == received
    accept(client, coordinator_a, case, worker_a)
    log_contact(client, worker_a, case, achieved=True)  # now, to the minute
    finish_outreach(client, worker_a, case, "declined")  # closes the case now
    scope = figures.Scope(
        period=Period(timezone.localdate() - timedelta(days=7), timezone.localdate()), team=team_a
    )

    medians = figures.medians(scope)["current"]

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert medians["to_first_contact"] == pytest.approx(3, abs=1 / 1440)
    assert medians["case_length"] == pytest.approx(3, abs=1 / 1440)

    client.post(
        reverse("workflows:case_reopen", args=[case.pk]),
        {
            "channel": "phone",
            "source": ReferralSource.objects.get(name="Andre/naboer").pk,
            "concern": "Naboen ringer igen: nu vil han gerne have hjælp.",
        },
    )

    new_case = Case.objects.get(reopened_from=case)
    assert new_case.referral_received_at == new_case.referral.received_at > received
    case.refresh_from_db()
    assert case.referral_received_at == received  # the closed case keeps its own
    assert figures.medians(scope)["current"] == medians  # the new case has no span yet
