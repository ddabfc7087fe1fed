"""Registering a referral: the one start of the process, duplicates and bad input."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from workflows.models import Case, Person, ReferralSource, Stage, validate_cpr

from .factories import StandardPageFactory, open_task, register_case


def _form(**overrides):
    data = {
        "referral-team": "",
        "referral-received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "referral-channel": "phone",
        "referral-source": ReferralSource.objects.get(name="Boligselskab").pk,
        "referral-referrer_name": "",
        "referral-referrer_contact": "",
        "referral-concern": "Ejendomsfunktionæren er bekymret: han sover i kælderen.",
        "referral-concern_categories": ["homelessness"],
        "person-alias": "Kasketten",
        "person-whereabouts": "Sidder ofte på bænken ved Føtex på Torvet",
        "person-gender": "male",
        "person-age_group": "unknown",
        "person-income_source": "unknown",
        "person-marital_status": "unknown",
        "person-living_alone": "unknown",
        "person-housing": "sleeping_rough",
        "person-main_problem": "unknown",
    }
    data.update(overrides)
    return data


@pytest.fixture
def registering(client, skp_standard, team_a, worker_a):
    client.force_login(worker_a)
    return client


def test_referral_sources_are_seeded(db):
    assert ReferralSource.objects.count() == 14
    assert ReferralSource.objects.filter(name="Gadejurist").exists()


def test_registered_referral_waits_for_triage_with_the_standards_deadline(
    registering, team_a, skp_standard
):
    response = registering.post(
        reverse("workflows:referral_register"), _form(**{"referral-team": team_a.pk})
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.stage == Stage.TRIAGE
    assert case.person.alias == "Kasketten" and case.person.name == ""
    assert case.referral.source.name == "Boligselskab"
    assert case.standard_revision_id == skp_standard.live_revision_id
    assert case.first_contact_due == timezone.localdate() + timedelta(days=7)
    triage = open_task(case, "triage")
    assert triage is not None and triage.owner is None


def test_a_possible_duplicate_is_shown_before_saving(registering, team_a, worker_a):
    existing = register_case(
        team=team_a,
        person=Person(alias="Kasket", whereabouts="Bænken ved Føtex på Torvet"),
    )
    data = _form(**{"referral-team": team_a.pk})

    warned = registering.post(reverse("workflows:referral_register"), data)

    assert warned.status_code == 200
    assert warned.context["duplicates"] == [existing]
    assert "Possible duplicate" in warned.content.decode()
    assert Case.objects.count() == 1  # nothing saved
    assert warned.context["person_form"]["alias"].value() == "Kasketten"  # nothing lost

    confirmed = registering.post(
        reverse("workflows:referral_register"), {**data, "confirm_duplicates": "1"}
    )

    assert confirmed.status_code == 302
    assert Case.objects.count() == 2


def test_same_cpr_is_a_duplicate(registering, team_a):
    register_case(team=team_a, person=Person(name="Jens Hansen", cpr="010190-1233"))

    response = registering.post(
        reverse("workflows:referral_register"),
        _form(
            **{
                "referral-team": team_a.pk,
                "person-alias": "",
                "person-whereabouts": "",
                "person-name": "J. Hansen",
                "person-cpr": "010190-1233",
            }
        ),
    )

    assert len(response.context["duplicates"]) == 1


def test_bad_input_is_answered_with_clear_messages_and_nothing_lost(registering, team_a):
    data = _form(
        **{
            "referral-team": team_a.pk,
            "person-cpr": "310290-1234",
            "person-birth_year": "3000",
            "referral-acute": "on",
            "referral-concern": "",
            "referral-received_at": "ikke en dato",
        }
    )

    response = registering.post(reverse("workflows:referral_register"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "not a real date" in page
    assert "Say whether 112 or 114 was called." in page
    person_errors = response.context["person_form"].errors
    referral_errors = response.context["referral_form"].errors
    assert {"cpr", "birth_year"} <= set(person_errors)
    assert {"concern", "received_at", "emergency_call"} <= set(referral_errors)
    assert response.context["person_form"]["alias"].value() == "Kasketten"
    assert Case.objects.count() == 0


def test_an_anonymous_person_needs_at_least_an_alias_or_whereabouts(registering, team_a):
    response = registering.post(
        reverse("workflows:referral_register"),
        _form(**{"referral-team": team_a.pk, "person-alias": "", "person-whereabouts": ""}),
    )

    assert response.status_code == 200
    assert "alias" in response.context["person_form"].errors


def test_acute_referral_shows_the_emergency_numbers_and_records_the_call(registering, team_a):
    page = registering.get(reverse("workflows:referral_register"))
    assert "112" in page.content.decode() and "114" in page.content.decode()

    response = registering.post(
        reverse("workflows:referral_register"),
        _form(
            **{"referral-team": team_a.pk, "referral-acute": "on", "referral-emergency_call": "112"}
        ),
    )

    assert response.status_code == 302
    referral = Case.objects.get().referral
    assert referral.acute and referral.emergency_call == "112"


def test_a_future_referral_is_refused(registering, team_a):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = registering.post(
        reverse("workflows:referral_register"),
        _form(**{"referral-team": team_a.pk, "referral-received_at": future}),
    )

    assert response.status_code == 200
    assert "received_at" in response.context["referral_form"].errors


def test_a_worker_can_only_register_for_own_team(registering, team_b):
    response = registering.post(
        reverse("workflows:referral_register"), _form(**{"referral-team": team_b.pk})
    )

    assert response.status_code == 200
    assert "team" in response.context["referral_form"].errors


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("010190-1233", True),
        ("290200-4000", True),
        ("290201-1234", False),
        ("0101901233", False),
        ("320190-1234", False),
    ],
)
def test_cpr_format_and_date_are_validated(value, valid):
    if valid:
        validate_cpr(value)
    else:
        with pytest.raises(ValidationError):
            validate_cpr(value)


def test_identifying_details_can_be_added_later(client, skp_standard, team_a, worker_a):
    case = register_case(team=team_a)
    client.force_login(worker_a)
    form = client.get(reverse("workflows:person_edit", args=[case.pk])).context["form"]
    data = {
        name: (value if value is not None else "")
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"name": "Jens Hansen", "cpr": "010190-1233", "phone": "20 30 40 50"})

    response = client.post(reverse("workflows:person_edit", args=[case.pk]), data)

    assert response.status_code == 302
    case.person.refresh_from_db()
    assert (case.person.name, case.person.cpr) == ("Jens Hansen", "010190-1233")


def test_administrators_edit_the_referral_sources_in_the_admin(client, administrator, worker_a):
    client.force_login(administrator)
    listing = client.get("/admin/snippets/workflows/referralsource/")
    add = client.post(
        "/admin/snippets/workflows/referralsource/add/",
        {"name": "Politiet", "active": "on", "sort_order": "200"},
    )

    assert listing.status_code == 200 and "Gadejurist" in listing.content.decode()
    assert add.status_code == 302
    assert ReferralSource.objects.filter(name="Politiet").exists()
    client.force_login(worker_a)
    assert client.get("/admin/snippets/workflows/referralsource/").status_code in (302, 403)


def test_triage_suggests_the_redirect_the_standard_implies(skp_standard, team_a):
    from pages.models import RedirectReason
    from workflows import services

    old = register_case(team=team_a, person=Person(alias="Gamle Ole", birth_year=1950))
    acute = register_case(team=team_a, acute=True, emergency_call="114")
    adult = register_case(team=team_a, person=Person(alias="Voksen", birth_year=1990))

    assert services.suggested_redirect(case=old) == RedirectReason.OVER_AGE
    assert services.suggested_redirect(case=acute) == RedirectReason.ACUTE
    assert services.suggested_redirect(case=adult) is None


def test_without_an_age_limit_triage_never_suggests_an_age_redirect(db, team_a):
    from workflows import services

    with time_machine.travel(timezone.now() - timedelta(days=60)):
        StandardPageFactory(delivering_teams=[team_a], min_age=None, max_age=None)
    child = register_case(team=team_a, person=Person(alias="Lille", birth_year=2015))
    old = register_case(team=team_a, person=Person(alias="Gamle Ole", birth_year=1930))

    assert services.suggested_redirect(case=child) is None
    assert services.suggested_redirect(case=old) is None


def test_duplicates_are_only_searched_among_cases_the_user_may_see(registering, team_a, team_b):
    register_case(team=team_b, person=Person(alias="Kasketten", whereabouts="Torvet"))

    response = registering.post(
        reverse("workflows:referral_register"), _form(**{"referral-team": team_a.pk})
    )

    assert response.status_code == 302  # team B's case is neither shown nor revealed


def _difflib_similar(a, b, threshold):
    """The duplicate search's rule as written before its shortcut (the reference)."""
    from difflib import SequenceMatcher

    a, b = (a or "").strip().lower(), (b or "").strip().lower()
    return bool(a and b) and SequenceMatcher(None, a, b).ratio() >= threshold


def test_the_similar_name_shortcut_gives_difflibs_answer():
    import random

    from workflows.services.intake import _Similar

    rng = random.Random(6)
    letters = "abcdeæøå -"
    texts = ["", "  ", "Kasket", "kasketten ", "Kasketten", "Jens Hansen", "Jens Hansen "]
    texts += ["".join(rng.choice(letters) for _ in range(rng.randint(1, 14))) for _ in range(300)]
    compared = similar = 0
    for wanted in texts[:80]:
        for threshold in (0.8, 0.85):
            rule = _Similar(wanted, threshold)
            for other in texts:
                expected = _difflib_similar(wanted, other, threshold)
                assert rule(other) == expected, (wanted, other, threshold)
                compared += 1
                similar += expected
    assert similar > 50 and compared - similar > 1000  # both answers are exercised


def test_direction_and_zero_width_controls_are_stripped_from_what_staff_type(registering, team_a):
    response = registering.post(
        reverse("workflows:referral_register"),
        _form(
            **{
                "referral-team": team_a.pk,
                "person-alias": "Kasket\u202eten",
                "person-name": "\ufeffOle\u200b Hansen\u2066",
                "referral-referrer_name": "Birthe\u200f",
                "referral-concern": "Sover i \u202dkælderen\u2069.",
            }
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person.alias == "Kasketten"
    assert case.person.name == "Ole Hansen"
    assert case.referral.referrer_name == "Birthe"
    assert case.referral.concern == "Sover i kælderen."


def test_an_alias_of_direction_controls_only_counts_as_empty(registering, team_a):
    response = registering.post(
        reverse("workflows:referral_register"),
        _form(
            **{
                "referral-team": team_a.pk,
                "person-alias": "\u202e\u202e",
                "person-whereabouts": "\u2067",
            }
        ),
    )

    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.parametrize(("days", "shown"), [(42, True), (None, False)])
def test_the_case_handling_deadline_is_set_at_intake_and_shown_until_triage(
    client, db, team_a, coordinator_a, days, shown
):
    with time_machine.travel(timezone.now() - timedelta(days=60)):
        StandardPageFactory(delivering_teams=[team_a], case_handling_deadline_days=days)
    case = register_case(team=team_a)
    client.force_login(coordinator_a)

    page = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()

    expected = timezone.localdate() + timedelta(days=days) if days else None
    assert case.decision_due == expected
    assert ("Decision due" in page) is shown
    Case.objects.filter(pk=case.pk).update(stage=Stage.OUTREACH)
    page = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
    assert "Decision due" not in page
