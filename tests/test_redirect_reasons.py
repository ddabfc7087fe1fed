"""Redirects as a standard writes them (issue 20, item 7): a reason may name several
destinations, and an editor may add reasons beyond the built-in six, offered at triage."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from intranet.models import AccessLogEntry
from pages.models import RedirectReason, StandardRedirect
from pages.rules import rules_in_force
from workflows import services
from workflows.models import Outcome, Stage

from .factories import (
    PartnerPageFactory,
    claim_and_triage,
    open_task,
    register_case,
    standard_with_redirects,
    task_url,
)

OWN_WORDS = "Behov for lægehjælp, der ikke er livstruende"
OWN_KEY = f"other:{OWN_WORDS}"


@pytest.fixture
def partners(db):
    return {
        "alarm": PartnerPageFactory(title="Alarm 112", kind="emergency"),
        "police": PartnerPageFactory(title="Politiet 114", kind="police"),
        "helpline": PartnerPageFactory(title="Akuttelefonen 1813", kind="health"),
    }


@pytest.fixture
def standard(team_a, partners):
    """Team A's standard: acute danger goes to the emergency services and the police; its
    own reason, medical help that is not urgent, to the medical helpline."""
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=True):
        return standard_with_redirects(
            delivering_teams=[team_a],
            redirects=[
                StandardRedirect(reason=RedirectReason.ACUTE, destination=partners["alarm"]),
                StandardRedirect(reason=RedirectReason.ACUTE, destination=partners["police"]),
                StandardRedirect(
                    reason=RedirectReason.OTHER,
                    reason_text=OWN_WORDS,
                    destination=partners["helpline"],
                    note="Borgeren kan selv ringe.",
                ),
            ],
        )


def test_a_reason_with_two_rows_names_both_destinations_in_the_rules(standard, partners):
    rules = rules_in_force()

    assert rules.redirects == {
        "acute": (partners["alarm"].pk, partners["police"].pk),
        OWN_KEY: (partners["helpline"].pk,),
    }


def test_the_standards_own_reason_is_offered_at_triage_after_the_built_in_ones(
    client, standard, team_a, coordinator_a
):
    case = register_case(team=team_a)
    client.force_login(coordinator_a)
    task = open_task(case, "triage")
    client.post(reverse("workflows:task_claim", args=[task.pk]))

    page = client.get(task_url(task))

    choices = list(page.context["form"].fields["redirect_reason"].choices)
    assert [key for key, _label in choices] == [
        "",
        *[value for value in RedirectReason.values if value != "other"],
        OWN_KEY,
    ]
    assert dict(choices)[OWN_KEY] == OWN_WORDS
    assert f'value="{OWN_KEY}"' in page.content.decode()


def test_redirecting_for_a_reason_with_two_destinations_sends_the_referral_to_both(
    client, standard, team_a, coordinator_a, partners
):
    case = register_case(team=team_a)

    response = claim_and_triage(
        client, coordinator_a, case, {"decision": "redirect", "redirect_reason": "acute"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.REDIRECTED)
    assert (case.redirect_reason, case.redirect_reason_text) == ("acute", "")
    assert [page.pk for page in case.redirect_destinations.all()] == [
        partners["alarm"].pk,
        partners["police"].pk,
    ]
    html = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
    assert "Alarm 112, Politiet 114" in html


def test_redirecting_for_the_standards_own_reason_keeps_its_words_on_the_case(
    client, standard, team_a, coordinator_a, partners
):
    case = register_case(team=team_a)

    response = claim_and_triage(
        client, coordinator_a, case, {"decision": "redirect", "redirect_reason": OWN_KEY}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.redirect_reason, case.redirect_reason_text) == ("other", OWN_WORDS)
    assert case.redirect_reason_label == OWN_WORDS
    assert list(case.redirect_destinations.all()) == [partners["helpline"].page_ptr]
    before = AccessLogEntry.objects.filter(case_id=case.pk).count()
    html = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
    assert f"Akuttelefonen 1813 ({OWN_WORDS})" in html
    assert AccessLogEntry.objects.filter(case_id=case.pk).count() == before + 1


def test_a_chosen_destination_replaces_the_standards_for_that_case(
    client, standard, team_a, coordinator_a, family_department
):
    case = register_case(team=team_a)

    claim_and_triage(
        client,
        coordinator_a,
        case,
        {
            "decision": "redirect",
            "redirect_reason": "acute",
            "redirect_destination": family_department.pk,
        },
    )

    case.refresh_from_db()
    assert list(case.redirect_destinations.all()) == [family_department.page_ptr]


def test_a_reason_the_standard_does_not_name_is_refused_and_nothing_changes(
    client, standard, team_a, coordinator_a
):
    case = register_case(team=team_a)

    response = claim_and_triage(
        client,
        coordinator_a,
        case,
        {"decision": "redirect", "redirect_reason": "other:Noget helt andet"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["redirect_reason"]
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGE
    assert not case.redirect_destinations.exists()
    with pytest.raises(ValidationError):
        services.referral_redirect(case=case, reason="other:Noget helt andet", triaged_by=None)


def test_an_own_reason_needs_its_words_and_a_built_in_one_takes_none(partners, db):
    missing = StandardRedirect(reason=RedirectReason.OTHER, destination=partners["alarm"])
    with pytest.raises(ValidationError) as error:
        missing.clean()
    assert "reason_text" in error.value.message_dict

    stray = StandardRedirect(
        reason=RedirectReason.ACUTE, reason_text="Fare", destination=partners["alarm"]
    )
    with pytest.raises(ValidationError) as error:
        stray.clean()
    assert "reason_text" in error.value.message_dict

    padded = StandardRedirect(
        reason=RedirectReason.OTHER, reason_text=f"  {OWN_WORDS} ", destination=partners["alarm"]
    )
    padded.clean()
    assert padded.key == OWN_KEY


@pytest.mark.danish
def test_the_public_page_names_each_reason_once_with_all_its_destinations(
    client, standard, partners
):
    html = client.get(standard.url, HTTP_ACCEPT_LANGUAGE="da").content.decode()

    section = html[html.index('id="redirects-heading"') :]
    assert section.count("Alarm 112") == 1 and section.count("Politiet 114") == 1
    assert (
        f'<a href="{partners["alarm"].url}">Alarm 112</a> og '
        f'<a href="{partners["police"].url}">Politiet 114</a>'
    ) in section
    assert f"<strong>{OWN_WORDS}</strong>" in section
    assert "Borgeren kan selv ringe." in section


def test_the_editor_enters_an_own_reason_beside_each_destination(client, editor, standard):
    client.force_login(editor)

    html = client.get(reverse("wagtailadmin_pages:edit", args=[standard.pk])).content.decode()

    # One row per destination, each with the reason and, for "another reason", its words.
    assert 'name="redirects-2-reason_text"' in html
    assert f'value="{OWN_WORDS}"' in html
    assert '<option value="other"' in html
