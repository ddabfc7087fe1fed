"""Handover to a receiving team: consent or legal basis, acknowledgement, summary only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from workflows import services
from workflows.models import ConsentForm, HandoverBasis, Outcome, Stage

from .factories import case_in_support, open_task, task_url


@pytest.fixture
def handing_over(client, skp_standard, team_a, coordinator_a, worker_a, receiving_team):
    """A case in support whose worker has chosen to hand it over."""
    case = case_in_support(client, coordinator_a, worker_a, team_a)
    response = client.post(
        task_url(open_task(case, "end_support")), {"next_step": "hand_over", "note": ""}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.HANDOVER
    assert client.get(task_url(open_task(case, "hand_over"))).status_code == 200
    return case


def _send(client, case, team, **extra):
    data = {
        "action": "send",
        "receiving_team": team.pk,
        "summary": "Borgeren ønsker bostøtte efter § 85. Kontakt via SKP.",
        "basis": HandoverBasis.CONSENT,
        **extra,
    }
    return client.post(task_url(open_task(case, "hand_over")), data)


def test_handover_without_consent_is_refused(client, handing_over, receiving_team):
    response = _send(client, handing_over, receiving_team)

    assert response.status_code == 200
    assert "The handover is refused" in response.content.decode()
    handing_over.refresh_from_db()
    assert handing_over.handover_sent_at is None
    assert open_task(handing_over, "acknowledge_handover") is None
    assert open_task(handing_over, "hand_over") is not None


def test_handover_with_withdrawn_consent_is_refused(client, handing_over, receiving_team, worker_a):
    consent = services.consent_record(
        case=handing_over,
        receiver=receiving_team,
        information="Boligsituation og kontaktoplysninger",
        form=ConsentForm.WRITTEN,
        given_on=timezone.localdate() - timedelta(days=10),
        by=worker_a,
    )
    withdraw = client.post(
        reverse("workflows:consent_withdraw", args=[handing_over.pk, consent.pk]),
        {"withdrawn_on": timezone.localdate().isoformat()},
    )
    assert withdraw.status_code == 302

    response = _send(client, handing_over, receiving_team)

    assert response.status_code == 200
    assert "was withdrawn" in response.content.decode()
    handing_over.refresh_from_db()
    assert handing_over.handover_sent_at is None


def test_handover_with_refused_or_expired_consent_is_refused(
    client, handing_over, receiving_team, worker_a
):
    services.consent_record(
        case=handing_over,
        receiver=receiving_team,
        information="Alt",
        form=ConsentForm.ORAL,
        given_on=timezone.localdate() - timedelta(days=40),
        expires_on=timezone.localdate() - timedelta(days=1),
        by=worker_a,
    )
    expired = _send(client, handing_over, receiving_team)
    assert "expired" in expired.content.decode()

    services.consent_record(
        case=handing_over,
        receiver=receiving_team,
        information="Alt",
        form="oral",
        refused=True,
        by=worker_a,
    )
    refused = _send(client, handing_over, receiving_team)
    assert "refused consent" in refused.content.decode()


def test_handover_with_consent_is_acknowledged_by_the_receiving_team(
    client, handing_over, receiving_team, worker_a, receiver
):
    add = client.post(
        reverse("workflows:consent_add", args=[handing_over.pk]),
        {
            "receiver": receiving_team.pk,
            "information": "Boligsituation og kontaktoplysninger",
            "form": ConsentForm.WRITTEN,
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert add.status_code == 302
    assert _send(client, handing_over, receiving_team).status_code == 302
    ack_task = open_task(handing_over, "acknowledge_handover")
    assert ack_task is not None and ack_task.owner is None

    client.force_login(receiver)
    queue = client.get(reverse("workflows:team_queue"))
    assert [row.task.pk for row in queue.context["rows"]] == [ack_task.pk]
    assert client.get(reverse("workflows:case_detail", args=[handing_over.pk])).status_code == 404
    summary = client.get(reverse("workflows:handover_summary", args=[handing_over.pk]))
    assert summary.status_code == 200
    assert "bostøtte efter § 85" in summary.content.decode()
    assert "Mødt ved bænken" not in summary.content.decode()  # contact notes stay with the team

    client.post(reverse("workflows:task_claim", args=[ack_task.pk]))
    task_page = client.get(task_url(ack_task))
    assert task_page.status_code == 200 and "bostøtte efter § 85" in task_page.content.decode()
    assert "Mødt ved bænken" not in task_page.content.decode()
    response = client.post(task_url(ack_task), {"note": "Modtaget, sagsbehandler tildelt."})

    # Back to the summary, the one page of the case the receiving team works from.
    assert response.status_code == 302
    assert response.url == reverse("workflows:handover_summary", args=[handing_over.pk])
    assert client.get(task_url(ack_task)).url == response.url  # the done task leads there too
    handing_over.refresh_from_db()
    assert (handing_over.stage, handing_over.outcome) == (Stage.CLOSED, Outcome.HANDED_OVER)
    assert handing_over.handover_acknowledged_by == receiver
    assert handing_over.process.status == PROCESS.DONE


def test_handover_under_the_duty_to_notify_needs_a_documented_basis(
    client, handing_over, receiving_team
):
    undocumented = _send(client, handing_over, receiving_team, basis=HandoverBasis.DUTY_TO_NOTIFY)
    assert undocumented.status_code == 200

    response = _send(
        client,
        handing_over,
        receiving_team,
        basis=HandoverBasis.DUTY_TO_NOTIFY,
        legal_note="Underretning: barn i hjemmet (serviceloven § 153).",
    )

    assert response.status_code == 302
    assert open_task(handing_over, "acknowledge_handover") is not None


def test_handover_within_the_own_department_is_refused(client, handing_over, team_a):
    response = _send(client, handing_over, team_a)

    assert response.status_code == 200
    handing_over.refresh_from_db()
    assert handing_over.handover_sent_at is None


def test_cancelled_handover_returns_the_case_to_support(client, handing_over):
    response = client.post(task_url(open_task(handing_over, "hand_over")), {"action": "cancel"})

    assert response.status_code == 302
    handing_over.refresh_from_db()
    assert handing_over.stage == Stage.SUPPORT
    assert open_task(handing_over, "end_support") is not None
    assert open_task(handing_over, "wait_for_reassessment") is not None


def test_a_worker_of_the_receiving_team_without_the_role_cannot_acknowledge(
    client, handing_over, receiving_team, worker_a
):
    from intranet import roles
    from tests.conftest import _member

    services.consent_record(
        case=handing_over, receiver=receiving_team, information="Alt", form="written", by=worker_a
    )
    _send(client, handing_over, receiving_team)
    ack_task = open_task(handing_over, "acknowledge_handover")
    outsider = _member("sagsbehandler", [roles.OUTREACH_WORKER], [receiving_team])

    client.force_login(outsider)
    client.post(reverse("workflows:task_claim", args=[ack_task.pk]))

    ack_task.refresh_from_db()
    assert ack_task.owner is None


def test_a_caseworker_put_in_the_receiving_teams_entry_cannot_read_the_summary(
    client, handing_over, receiving_team, worker_a
):
    """The receiving team's membership opens its handovers to receivers only (issue 15)."""
    from intranet import roles
    from tests.conftest import _member

    services.consent_record(
        case=handing_over, receiver=receiving_team, information="Alt", form="written", by=worker_a
    )
    _send(client, handing_over, receiving_team)
    outsider = _member("sagsbehandler", [roles.OUTREACH_WORKER], [receiving_team])

    client.force_login(outsider)
    response = client.get(reverse("workflows:handover_summary", args=[handing_over.pk]))

    assert response.status_code == 404


# --- Withdrawn consent ends the receiving team's reading -------------------------------------


def _consent_and_send(client, case, team, **extra):
    """The worker records the citizen's consent for `team` and sends the handover."""
    add = client.post(
        reverse("workflows:consent_add", args=[case.pk]),
        {
            "receiver": team.pk,
            "information": "Boligsituation og kontaktoplysninger",
            "form": ConsentForm.WRITTEN,
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert add.status_code == 302
    assert _send(client, case, team, **extra).status_code == 302
    return case.consents.get()


def _withdraw(client, case, consent):
    return client.post(
        reverse("workflows:consent_withdraw", args=[case.pk, consent.pk]),
        {"withdrawn_on": timezone.localdate().isoformat()},
    )


def test_withdrawn_consent_before_acknowledgement_cancels_the_handover(
    client, handing_over, receiving_team, worker_a, receiver
):
    from django.test import Client
    from viewflow.workflow.status import STATUS

    consent = _consent_and_send(client, handing_over, receiving_team)
    ack_task = open_task(handing_over, "acknowledge_handover")
    summary_url = reverse("workflows:handover_summary", args=[handing_over.pk])
    receiving = Client()
    receiving.force_login(receiver)
    receiving.post(reverse("workflows:task_claim", args=[ack_task.pk]))
    assert receiving.get(summary_url).status_code == 200

    response = _withdraw(client, handing_over, consent)

    assert response.status_code == 302
    refused = receiving.get(summary_url)
    assert refused.status_code == 410
    assert "no longer shared with your team" in refused.content.decode()
    assert "bostøtte" not in refused.content.decode()
    assert receiving.get(task_url(ack_task)).status_code == 404
    assert receiving.post(task_url(ack_task), {"note": "Modtaget."}).status_code == 404
    assert receiving.get(reverse("workflows:team_queue")).context["rows"] == []
    handing_over.refresh_from_db()
    ack_task.refresh_from_db()
    assert ack_task.status == STATUS.CANCELED
    assert handing_over.stage == Stage.REASSESSMENT
    assert handing_over.handover_sent_at is None and handing_over.handover_withdrawn_at
    assert handing_over.handover_acknowledged_at is None
    assert handing_over.reassessments.filter(decided_at__isnull=True).count() == 1
    reassess = open_task(handing_over, "reassess")
    assert reassess is not None and reassess.owner == worker_a
    client.force_login(worker_a)
    queue = client.get(reverse("workflows:team_queue"))
    assert reassess.pk in [row.task.pk for row in queue.context["rows"]]
    page = client.get(reverse("workflows:case_detail", args=[handing_over.pk])).content.decode()
    assert "was cancelled: the citizen withdrew the consent" in page

    # The team reassesses as usual: here it continues the support.
    decided = client.post(
        task_url(reassess), {"decision": "continue", "note": "Samtykket er trukket tilbage."}
    )
    assert decided.status_code == 302
    handing_over.refresh_from_db()
    assert handing_over.stage == Stage.SUPPORT


def test_withdrawn_consent_after_acknowledgement_closes_the_summary(
    client, handing_over, receiving_team, worker_a, receiver
):
    from django.test import Client

    consent = _consent_and_send(client, handing_over, receiving_team)
    ack_task = open_task(handing_over, "acknowledge_handover")
    summary_url = reverse("workflows:handover_summary", args=[handing_over.pk])
    receiving = Client()
    receiving.force_login(receiver)
    receiving.post(reverse("workflows:task_claim", args=[ack_task.pk]))
    assert receiving.post(task_url(ack_task), {"note": "Modtaget."}).status_code == 302
    assert receiving.get(summary_url).status_code == 200

    assert _withdraw(client, handing_over, consent).status_code == 302

    refused = receiving.get(summary_url)
    assert refused.status_code == 410 and "bostøtte" not in refused.content.decode()
    handing_over.refresh_from_db()
    assert (handing_over.stage, handing_over.outcome) == (Stage.CLOSED, Outcome.HANDED_OVER)
    assert handing_over.handover_withdrawn_at is not None
    assert handing_over.process.status == PROCESS.DONE
    # The sending team's record says why the receiving team no longer reads it.
    page = client.get(reverse("workflows:case_detail", args=[handing_over.pk])).content.decode()
    assert "withdrew the consent the handover rested on" in page
    assert "no longer reads the summary" in page
    # Anyone else still gets the plain 404.
    assert client.get(reverse("workflows:handover_summary", args=[987654])).status_code == 404


def test_a_handover_on_the_duty_to_notify_is_unaffected_by_a_withdrawn_consent(
    client, handing_over, receiving_team, worker_a, receiver
):
    from django.test import Client

    consent = _consent_and_send(
        client,
        handing_over,
        receiving_team,
        basis=HandoverBasis.DUTY_TO_NOTIFY,
        legal_note="Underretning: barn i hjemmet (serviceloven § 153).",
    )
    ack_task = open_task(handing_over, "acknowledge_handover")
    summary_url = reverse("workflows:handover_summary", args=[handing_over.pk])

    assert _withdraw(client, handing_over, consent).status_code == 302

    receiving = Client()
    receiving.force_login(receiver)
    assert receiving.get(summary_url).status_code == 200
    assert open_task(handing_over, "acknowledge_handover") == ack_task
    receiving.post(reverse("workflows:task_claim", args=[ack_task.pk]))
    assert receiving.post(task_url(ack_task), {"note": "Modtaget."}).status_code == 302
    handing_over.refresh_from_db()
    assert handing_over.handover_withdrawn_at is None
    assert (handing_over.stage, handing_over.outcome) == (Stage.CLOSED, Outcome.HANDED_OVER)
    assert handing_over.process.status == PROCESS.DONE


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT ... FOR UPDATE) exist on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_withdrawal_and_acknowledgement_at_once_settle_the_handover_one_way(
    client, handing_over, receiving_team, worker_a, receiver
):
    import contextlib
    import threading

    from viewflow.fsm import TransitionNotAllowed
    from viewflow.workflow.exceptions import FlowLockFailed
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.models import Consent

    consent = _consent_and_send(client, handing_over, receiving_team)
    ack_task = open_task(handing_over, "acknowledge_handover")
    services.task_claim(task=ack_task, user=receiver)
    barrier, errors = threading.Barrier(2), []

    def withdraw():
        services.consent_withdraw(consent=Consent.objects.get(pk=consent.pk), by=worker_a)

    def acknowledge():
        # The screen turns a lost race into a message.
        with contextlib.suppress(services.TaskUnavailable, FlowLockFailed, TransitionNotAllowed):
            services.task_complete(
                task=Task.objects.get(pk=ack_task.pk),
                user=receiver,
                work=lambda case: services.handover_acknowledge(case=case, by=receiver),
                decision="acknowledged",
            )

    def run(target):
        try:
            barrier.wait(timeout=30)
            target()
        except Exception as exc:  # collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in (withdraw, acknowledge)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    handing_over.refresh_from_db()
    ack_task.refresh_from_db()
    assert handing_over.handover_withdrawn_at is not None
    if ack_task.status == STATUS.DONE:
        assert (handing_over.stage, handing_over.outcome) == (Stage.CLOSED, Outcome.HANDED_OVER)
        assert open_task(handing_over, "reassess") is None
    else:
        assert ack_task.status == STATUS.CANCELED
        assert handing_over.stage == Stage.REASSESSMENT
        assert open_task(handing_over, "reassess") is not None
