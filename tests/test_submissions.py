"""Once-only forms: a form sent twice (double click, resend, two tabs) is carried out once."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from intranet import submissions
from intranet.models import SubmissionToken
from workflows.models import Case, ContactLog, ReferralSource

from .factories import accept, contact_post_data, referral_post_data, register_case


def _token_in(html, name):
    match = re.search(rf'name="{name}" value="([0-9a-f-]{{36}})"', html)
    assert match, f"no {name} in the form"
    return match.group(1)


def _referral_data(team, token):
    source = ReferralSource.objects.get_or_create(name="Borger")[0]
    return referral_post_data(team, source.pk, **{"referral-submission_token": token})


def test_each_rendering_of_the_referral_form_carries_a_new_token(client, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("workflows:referral_register")

    first = _token_in(client.get(url).content.decode(), "referral-submission_token")
    second = _token_in(client.get(url).content.decode(), "referral-submission_token")

    assert first != second


def test_a_referral_sent_twice_is_registered_once_and_the_second_lands_on_it(
    client, skp_standard, team_a, coordinator_a
):
    client.force_login(coordinator_a)
    token = _token_in(
        client.get(reverse("workflows:referral_register")).content.decode(),
        "referral-submission_token",
    )
    data = _referral_data(team_a, token)

    first = client.post(reverse("workflows:referral_register"), data)
    second = client.post(reverse("workflows:referral_register"), data, follow=True)

    case = Case.objects.get()
    assert first.url == reverse("workflows:case_detail", args=[case.pk])
    assert second.redirect_chain[-1][0] == first.url
    assert "already sent" in second.content.decode()


def test_a_form_redisplayed_with_errors_keeps_its_token_and_can_still_be_sent(
    client, skp_standard, team_a, coordinator_a
):
    client.force_login(coordinator_a)
    token = str(uuid.uuid4())
    data = _referral_data(team_a, token) | {"referral-concern": ""}

    invalid = client.post(reverse("workflows:referral_register"), data)
    assert invalid.status_code == 200
    assert _token_in(invalid.content.decode(), "referral-submission_token") == token

    fixed = client.post(
        reverse("workflows:referral_register"), data | {"referral-concern": "Sover i opgangen."}
    )
    assert fixed.status_code == 302
    assert Case.objects.count() == 1


def test_work_that_fails_leaves_the_token_free_for_a_retry(coordinator_a):
    token = uuid.uuid4()

    def failing():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        submissions.submit_once(token, coordinator_a, failing, str)
    assert not SubmissionToken.objects.exists()

    assert (
        submissions.submit_once(token, coordinator_a, lambda: "made", lambda r: "/sager/1/")
        == "made"
    )
    with pytest.raises(submissions.AlreadySubmitted) as again:
        submissions.submit_once(token, coordinator_a, lambda: "made twice", str)
    assert again.value.result_url == "/sager/1/"


@pytest.mark.danish
def test_a_tampered_token_is_refused_with_a_danish_message(
    client, skp_standard, team_a, coordinator_a
):
    client.force_login(coordinator_a)
    data = _referral_data(team_a, "not-a-token")

    response = client.post(reverse("workflows:referral_register"), data)

    assert response.status_code == 200
    assert "Formularen er forældet" in response.content.decode()
    assert not Case.objects.exists()


def test_a_contact_sent_twice_is_logged_once(client, skp_standard, team_a, coordinator_a, worker_a):
    case = register_case(team=team_a, registered_by=coordinator_a)
    accept(client, coordinator_a, case, worker_a)
    client.force_login(worker_a)
    url = reverse("workflows:contact_add", args=[case.pk])
    token = _token_in(client.get(url).content.decode(), "submission_token")
    data = contact_post_data(worker_a, submission_token=token)

    first = client.post(url, data)
    second = client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert ContactLog.objects.filter(case=case).count() == 1


def test_old_tokens_are_pruned_by_the_retention_run(coordinator_a):
    old = SubmissionToken.objects.create(token=uuid.uuid4(), user=coordinator_a)
    recent = SubmissionToken.objects.create(token=uuid.uuid4(), user=coordinator_a)
    SubmissionToken.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - submissions.KEEP_FOR - datetime.timedelta(hours=1)
    )

    assert submissions.prune() == 1
    assert list(SubmissionToken.objects.values_list("pk", flat=True)) == [recent.pk]
