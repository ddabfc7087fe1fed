"""Emergency access ("break the glass"): a casework role opens a case outside its team with a
reason; it is time-limited, logged, and listed for the data protection officer to review."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from intranet.models import AccessAction, AccessLogEntry
from workflows import services
from workflows.models import Case, EmergencyAccess, EmergencyCategory

from .factories import PersonFactory, register_case

REASON = "Borgeren står i vores værested og har brug for hjælp til medicin nu."
CATEGORY = EmergencyCategory.CITIZEN_PRESENT
GRANT = {"category": CATEGORY, "reason": REASON}
MISSING_PK = 987654


@pytest.fixture
def case_a(skp_standard, team_a, worker_a):
    person = PersonFactory(alias="Kasket", whereabouts="Bænken ved Banegårdspladsen")
    return register_case(team=team_a, registered_by=worker_a, person=person)


def case_url(pk):
    return reverse("workflows:case_detail", args=[pk])


def grant_url(pk):
    return reverse("workflows:emergency_access", args=[pk])


def normalised(response):
    """The body with what differs by request (csrf token, the id in addresses) blanked."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", body)
    return re.sub(r"/sager/\d+/", "/sager/ID/", body)


# --- Taking emergency access -----------------------------------------------------------------


def test_a_worker_of_another_team_is_offered_emergency_access_without_case_data(
    client, case_a, worker_b
):
    client.force_login(worker_b)

    response = client.get(case_url(case_a.pk))

    body = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this case" in body
    assert f'action="{grant_url(case_a.pk)}"' in body
    assert "Kasket" not in body and "Banegårdspladsen" not in body
    assert not AccessLogEntry.objects.exists()


def test_granting_opens_the_case_logs_the_reason_and_lasts_the_configured_hours(
    client, case_a, worker_b, settings
):
    settings.BROBYGGER_EMERGENCY_ACCESS_HOURS = 8
    client.force_login(worker_b)
    before = timezone.now()

    response = client.post(grant_url(case_a.pk), {"category": CATEGORY, "reason": f"  {REASON}  "})

    assert response.status_code == 302 and response["Location"] == case_url(case_a.pk)
    access = EmergencyAccess.objects.get()
    assert (access.user, access.case, access.reason) == (worker_b, case_a, REASON)
    assert access.expires_at - access.granted_at == datetime.timedelta(hours=8)
    assert access.granted_at >= before and not access.is_reviewed
    entry = AccessLogEntry.objects.get(action=AccessAction.EMERGENCY)
    assert (entry.user, entry.case_id, entry.person_id) == (worker_b, case_a.pk, case_a.person_id)
    assert entry.reason == REASON and entry.what == "emergency access"
    assert Case.objects.visible_to(worker_b).filter(pk=case_a.pk).exists()

    page = client.get(case_url(case_a.pk))

    assert page.status_code == 200
    assert "You are using emergency access until" in page.content.decode()
    assert "Kasket" in page.content.decode()
    view = AccessLogEntry.objects.filter(action=AccessAction.VIEW, case_id=case_a.pk).get()
    assert view.what == "case (emergency access)" and view.user == worker_b


def test_the_team_sees_its_case_without_the_emergency_banner(client, case_a, worker_a):
    client.force_login(worker_a)

    page = client.get(case_url(case_a.pk))

    assert page.status_code == 200 and page.context["emergency"] is None
    assert AccessLogEntry.objects.get(case_id=case_a.pk).what == "case"


def test_a_coordinator_of_another_team_may_take_it_too(client, case_a, coordinator_b):
    client.force_login(coordinator_b)

    response = client.post(grant_url(case_a.pk), GRANT)

    assert response.status_code == 302
    assert EmergencyAccess.objects.filter(user=coordinator_b, case=case_a).exists()


def test_emergency_access_opens_the_case_screens_but_not_the_team_tasks(client, case_a, worker_b):
    from .factories import open_task, task_url

    services.emergency_access_grant(user=worker_b, case=case_a, category=CATEGORY, reason=REASON)
    client.force_login(worker_b)
    triage = open_task(case_a, "triage")

    assert client.get(reverse("workflows:contact_add", args=[case_a.pk])).status_code == 200
    task_page = client.get(task_url(triage))
    claim = client.post(reverse("workflows:task_claim", args=[triage.pk]), follow=True)

    assert task_page.status_code == 200 and not task_page.context["can_claim"]
    assert "already been taken" in claim.content.decode()
    triage.refresh_from_db()
    assert triage.owner is None


@pytest.mark.danish
def test_the_reason_is_mandatory_with_a_danish_message(client, case_a, worker_b):
    client.force_login(worker_b)

    empty = client.post(grant_url(case_a.pk), {"category": CATEGORY, "reason": "   "})
    short = client.post(grant_url(case_a.pk), {"category": CATEGORY, "reason": "Akut"})

    assert empty.status_code == 403 and short.status_code == 403
    assert "Skriv, hvorfor du har akut brug for sagen." in empty.content.decode()
    assert "mindst 20 tegn" in short.content.decode()
    assert "Nødadgang" in short.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_the_service_refuses_a_short_reason_too(case_a, worker_b):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.emergency_access_grant(
            user=worker_b, case=case_a, category=CATEGORY, reason="kort"
        )

    assert "reason" in error.value.message_dict
    assert not EmergencyAccess.objects.exists()


def test_someone_who_already_has_access_is_sent_to_the_case(client, case_a, worker_a):
    client.force_login(worker_a)

    response = client.post(grant_url(case_a.pk), GRANT)

    assert response.status_code == 302 and response["Location"] == case_url(case_a.pk)
    assert not EmergencyAccess.objects.exists()


def test_the_access_stops_working_the_moment_it_expires(
    client, case_a, worker_b, settings, table_owner
):
    # At a moved clock only the owner of the table may write the log (migration 0007).
    settings.BROBYGGER_EMERGENCY_ACCESS_HOURS = 2
    now = timezone.now()
    with table_owner(), time_machine.travel(now, tick=False):
        access = services.emergency_access_grant(
            user=worker_b, case=case_a, category=CATEGORY, reason=REASON
        )

    with (
        table_owner(),
        time_machine.travel(access.expires_at - datetime.timedelta(seconds=1), tick=False),
    ):
        client.force_login(worker_b)  # (the idle timeout would have logged us out)
        assert client.get(case_url(case_a.pk)).status_code == 200
    with table_owner(), time_machine.travel(access.expires_at, tick=False):
        assert not Case.objects.visible_to(worker_b).filter(pk=case_a.pk).exists()
        after = client.get(case_url(case_a.pk))
        contact = client.get(reverse("workflows:contact_add", args=[case_a.pk]))

    assert after.status_code == 403 and "Kasket" not in after.content.decode()
    assert contact.status_code == 404


def test_a_new_access_can_be_taken_after_the_old_one_expired(client, case_a, worker_b, table_owner):
    now = timezone.now()
    with table_owner(), time_machine.travel(now - datetime.timedelta(days=2), tick=False):
        services.emergency_access_grant(
            user=worker_b, case=case_a, category=CATEGORY, reason=REASON
        )
    client.force_login(worker_b)

    response = client.post(
        grant_url(case_a.pk), {"category": CATEGORY, "reason": REASON + " Igen."}
    )

    assert response.status_code == 302
    assert EmergencyAccess.objects.filter(user=worker_b).count() == 2


def test_visible_to_stays_one_query_with_emergency_accesses(
    case_a, worker_b, team_b, django_assert_num_queries
):
    for _ in range(3):
        other = register_case(team=case_a.team)
        services.emergency_access_grant(user=worker_b, case=other, category=CATEGORY, reason=REASON)
    register_case(team=case_a.team)  # not granted

    with django_assert_num_queries(1):
        visible = list(Case.objects.visible_to(worker_b))

    assert len(visible) == 3


# --- Who is never offered it: the answer does not reveal whether the case exists ------------


@pytest.mark.parametrize(
    "persona", ["receiver", "leader", "editor", "moderator", "administrator", "dpo"]
)
def test_roles_without_casework_get_the_plain_404_and_cannot_take_it(
    client, request, case_a, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    existing = client.get(case_url(case_a.pk))
    missing = client.get(case_url(MISSING_PK))
    post = client.post(grant_url(case_a.pk), GRANT)

    assert existing.status_code == missing.status_code == post.status_code == 404
    assert existing.content == missing.content
    assert not EmergencyAccess.objects.exists()
    assert not services.may_take_emergency_access(user)


def test_a_casework_role_sees_the_same_page_for_a_missing_case(client, case_a, worker_b):
    client.force_login(worker_b)

    existing = client.get(case_url(case_a.pk))
    missing = client.get(case_url(MISSING_PK))
    bad_reason = [
        client.post(grant_url(pk), {"category": CATEGORY, "reason": "kort"})
        for pk in (case_a.pk, MISSING_PK)
    ]

    assert existing.status_code == missing.status_code == 403
    assert normalised(existing) == normalised(missing)
    assert [r.status_code for r in bad_reason] == [403, 403]
    assert normalised(bad_reason[0]) == normalised(bad_reason[1])


def test_a_missing_case_cannot_be_granted(client, case_a, worker_b):
    client.force_login(worker_b)

    response = client.post(grant_url(MISSING_PK), GRANT)

    assert response.status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_the_grant_address_only_takes_post(client, case_a, worker_b):
    client.force_login(worker_b)

    assert client.get(grant_url(case_a.pk)).status_code == 405


# --- The data protection officer's review ---------------------------------------------------


@pytest.fixture
def two_accesses(case_a, worker_b, coordinator_b, table_owner):
    """Worker B on 3 March, coordinator B on 10 March (last year), written as the owner of
    the tables: only it may date a log entry in the past (migration 0007)."""
    year = timezone.localdate().year - 1
    tz = timezone.get_current_timezone()
    with (
        table_owner(),
        time_machine.travel(datetime.datetime(year, 3, 3, 22, 30, tzinfo=tz), tick=False),
    ):
        early = services.emergency_access_grant(
            user=worker_b, case=case_a, category=CATEGORY, reason=REASON
        )
    with (
        table_owner(),
        time_machine.travel(datetime.datetime(year, 3, 10, 9, 0, tzinfo=tz), tick=False),
    ):
        late = services.emergency_access_grant(
            user=coordinator_b,
            case=case_a,
            category=EmergencyCategory.PARTNER_NEEDS_NOW,
            reason="Koordinator: politiet ringede om borgeren.",
        )
    return early, late


def list_url(**params):
    from urllib.parse import urlencode

    return reverse("privacy:emergency_accesses") + ("?" + urlencode(params) if params else "")


def test_the_officer_lists_emergency_accesses_with_who_what_why_and_expiry(
    client, dpo, two_accesses, worker_b
):
    early, late = two_accesses
    client.force_login(dpo)
    logged_before = AccessLogEntry.objects.count()

    response = client.get(list_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["accesses"]) == [late, early]
    assert REASON in body and "politiet ringede" in body
    assert reverse("privacy:user_log", args=[worker_b.pk]) in body
    assert reverse("privacy:person_log", args=[early.case.person_id]) in body
    assert reverse("privacy:emergency_review", args=[early.pk]) in body
    new = AccessLogEntry.objects.order_by("pk")[logged_before:]
    assert [(e.user, e.case_id, e.what) for e in new] == [
        (dpo, early.case_id, "emergency access list (data protection)")
    ]  # two rows about one case: one entry


def test_the_list_filters_by_period_and_review_state(client, dpo, two_accesses):
    early, late = two_accesses
    year = early.granted_at.year
    client.force_login(dpo)

    first_week = client.get(list_url(start=f"{year}-03-01", end=f"{year}-03-03"))
    from_the_ninth = client.get(list_url(start=f"{year}-03-09"))
    services.emergency_access_review(access=late, by=dpo, note="Begrundet.")
    unreviewed = client.get(list_url(unreviewed="on"))
    backwards = client.get(list_url(start=f"{year}-03-10", end=f"{year}-03-01"))

    assert list(first_week.context["accesses"]) == [early]
    assert list(from_the_ninth.context["accesses"]) == [late]
    assert list(unreviewed.context["accesses"]) == [early]
    assert list(backwards.context["accesses"]) == []
    assert "must not be before its start" in backwards.content.decode()


def test_the_index_counts_unreviewed_accesses(client, dpo, two_accesses):
    early, _late = two_accesses
    client.force_login(dpo)

    before = client.get(reverse("privacy:index"))
    services.emergency_access_review(access=early, by=dpo, note="Begrundet.")
    after = client.get(reverse("privacy:index"))

    assert before.context["unreviewed_emergencies"] == 2
    assert "2 emergency accesses await your review" in before.content.decode()
    assert "1 emergency access awaits your review" in after.content.decode()


def test_the_officer_marks_an_access_reviewed_with_a_note(client, dpo, two_accesses):
    early, _late = two_accesses
    client.force_login(dpo)
    url = reverse("privacy:emergency_review", args=[early.pk])

    page = client.get(url)
    response = client.post(url, {"note": "Talt med medarbejderen: begrundet."})

    assert page.status_code == 200 and REASON in page.content.decode()
    assert response.status_code == 302
    early.refresh_from_db()
    assert early.reviewed_by == dpo and early.reviewed_at is not None
    assert early.review_note == "Talt med medarbejderen: begrundet."
    change = AccessLogEntry.objects.get(action=AccessAction.CHANGE)
    assert (change.user, change.case_id) == (dpo, early.case_id)
    reviewed_page = client.get(url).content.decode()
    assert "Talt med medarbejderen" in reviewed_page and "Mark as reviewed" not in reviewed_page


@pytest.mark.danish
def test_a_review_needs_a_note_in_danish(client, dpo, two_accesses):
    early, _late = two_accesses
    client.force_login(dpo)

    response = client.post(reverse("privacy:emergency_review", args=[early.pk]), {"note": " "})

    assert response.status_code == 200
    assert "Skriv, hvad gennemgangen viste." in response.content.decode()
    early.refresh_from_db()
    assert not early.is_reviewed


def test_a_reviewed_access_cannot_be_reviewed_again(dpo, two_accesses):
    from django.core.exceptions import ValidationError

    early, _late = two_accesses
    services.emergency_access_review(access=early, by=dpo, note="Begrundet.")

    with pytest.raises(ValidationError):
        services.emergency_access_review(access=early, by=dpo, note="Igen.")


@pytest.mark.parametrize("persona", ["worker_a", "coordinator_a", "leader", "administrator"])
def test_only_the_officer_sees_the_emergency_screens(client, request, two_accesses, persona):
    early, _late = two_accesses
    client.force_login(request.getfixturevalue(persona))

    assert client.get(list_url()).status_code == 403
    review = reverse("privacy:emergency_review", args=[early.pk])
    assert client.get(review).status_code == 403
    assert client.post(review, {"note": "x"}).status_code == 403
    early.refresh_from_db()
    assert not early.is_reviewed


# --- A reason that says something, a situation, a daily limit, the officer told at once ------


@pytest.mark.danish
@pytest.mark.parametrize(
    "reason",
    [
        "aaaaaaaaaaaaaaaaaaaa",  # one "word" of 20 letters
        "a a a a a a a a a a a a a",  # no word of two letters
        "hjælp hjælp hjælp hjælp",  # the same word repeated
        "Hjælp HJÆLP hjælp!! 1234567",  # the same word in other cases, and digits
    ],
)
def test_a_reason_that_says_nothing_is_refused_on_the_field(client, case_a, worker_b, reason):
    client.force_login(worker_b)

    response = client.post(grant_url(case_a.pk), {"category": CATEGORY, "reason": reason})

    assert response.status_code == 403
    errors = response.context["form"].errors
    assert list(errors) == ["reason"]
    assert "mindst 3 forskellige ord" in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(
    "reason",
    [
        "aaaaaaaaaaaaaaaaaaaa",
        "hjælp hjælp hjælp hjælp hjælp",
        "ab cd ef gh ij kl mn op",  # two-letter nonsense
        "xkcd prst bcdfg hjklm nqrst",  # no vowel: not words
        "abc bca cab acb bac cba abc",  # one set of letters shuffled
    ],
)
def test_the_service_refuses_a_reason_that_says_nothing(case_a, worker_b, reason):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.emergency_access_grant(
            user=worker_b, case=case_a, category=CATEGORY, reason=reason
        )

    assert list(error.value.message_dict) == ["reason"]
    assert not EmergencyAccess.objects.exists()


@pytest.mark.danish
@pytest.mark.parametrize("category", ["", "curiosity"])
def test_the_situation_must_be_chosen_from_the_list(client, case_a, worker_b, category):
    client.force_login(worker_b)

    response = client.post(grant_url(case_a.pk), {"category": category, "reason": REASON})

    assert response.status_code == 403
    assert list(response.context["form"].errors) == ["category"]
    body = response.content.decode()
    assert "Vælg den situation" in body or "Vælg en af de situationer" in body
    assert REASON in body  # what was written is not lost
    assert not EmergencyAccess.objects.exists()


def test_the_service_refuses_a_grant_without_a_situation(case_a, worker_b):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.emergency_access_grant(user=worker_b, case=case_a, category="", reason=REASON)

    assert list(error.value.message_dict) == ["category"]
    assert not EmergencyAccess.objects.exists()


@pytest.mark.danish
def test_more_grants_than_the_daily_limit_are_refused_until_the_next_danish_day(
    client, case_a, worker_b, settings, django_capture_on_commit_callbacks, table_owner
):
    from django.core import mail

    settings.BROBYGGER_EMERGENCY_ACCESS_PER_DAY = 3
    settings.BROBYGGER_EMERGENCY_ACCESS_HOURS = 1
    tz = timezone.get_default_timezone()
    cases = [case_a] + [register_case(team=case_a.team) for _ in range(4)]
    morning = datetime.datetime(2026, 3, 3, 8, 0, tzinfo=tz)
    for hour, case in enumerate(cases[:3]):
        with (
            table_owner(),
            time_machine.travel(morning + datetime.timedelta(hours=hour), tick=False),
        ):
            services.emergency_access_grant(
                user=worker_b, case=case, category=CATEGORY, reason=REASON
            )

    # 23:59 Danish time (22:59 UTC): still the same day.
    with (
        table_owner(),
        time_machine.travel(datetime.datetime(2026, 3, 3, 23, 59, tzinfo=tz), tick=False),
    ):
        client.force_login(worker_b)
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(grant_url(cases[3].pk), GRANT)
    # 00:01 Danish time is 23:01 UTC the day before: the limit counts Danish days.
    with (
        table_owner(),
        time_machine.travel(datetime.datetime(2026, 3, 4, 0, 1, tzinfo=tz), tick=False),
    ):
        client.force_login(worker_b)
        allowed = client.post(grant_url(cases[3].pk), GRANT)

    assert refused.status_code == 403
    assert "allerede taget nødadgang 3 gange i dag" in refused.content.decode()
    assert refused.context["form"]["reason"].value() == REASON  # nothing the user wrote is lost
    assert not mail.outbox
    assert allowed.status_code == 302 and allowed["Location"] == case_url(cases[3].pk)
    assert EmergencyAccess.objects.filter(user=worker_b).count() == 4
    assert EmergencyAccess.objects.filter(case=cases[3]).count() == 1
    assert AccessLogEntry.objects.filter(action=AccessAction.EMERGENCY).count() == 4


def test_the_limit_is_per_user(case_a, worker_b, coordinator_b, settings):
    from django.core.exceptions import ValidationError

    settings.BROBYGGER_EMERGENCY_ACCESS_PER_DAY = 1
    other = register_case(team=case_a.team)
    services.emergency_access_grant(user=worker_b, case=case_a, category=CATEGORY, reason=REASON)

    with pytest.raises(ValidationError):
        services.emergency_access_grant(user=worker_b, case=other, category=CATEGORY, reason=REASON)
    services.emergency_access_grant(
        user=coordinator_b, case=other, category=CATEGORY, reason=REASON
    )

    assert EmergencyAccess.objects.count() == 2


def test_the_officer_is_mailed_at_once_with_no_personal_data(
    client, case_a, worker_b, dpo, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.BROBYGGER_DPO_EMAIL = ["databeskyttelse@kommune.example"]
    settings.WAGTAILADMIN_BASE_URL = "https://brobygger.example"
    case_a.person.name = "Xerxes Kvistgaardsen"
    case_a.person.cpr = "0101701234"
    case_a.person.save()
    client.force_login(worker_b)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(grant_url(case_a.pk), GRANT)
        assert not mail.outbox  # not before the access is committed

    assert response.status_code == 302 and len(callbacks) == 1
    access = EmergencyAccess.objects.get()
    (message,) = mail.outbox
    assert sorted(message.to) == [
        "databeskyttelse@example.invalid",
        "databeskyttelse@kommune.example",
    ]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    body = message.subject + message.body
    assert str(case_a.pk) in message.subject
    assert worker_b.username in body
    assert str(EmergencyCategory.CITIZEN_PRESENT.label) in body
    assert (
        "https://brobygger.example" + reverse("privacy:emergency_review", args=[access.pk]) in body
    )
    for secret in [
        "Kasket",
        "Banegårdspladsen",
        "Xerxes",
        "Kvistgaardsen",
        "0101701234",
        "010170",
        "medicin",
        REASON,
    ]:
        assert secret not in body


def test_a_refused_grant_mails_nobody(
    client, case_a, worker_b, dpo, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(worker_b)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(grant_url(case_a.pk), {"category": CATEGORY, "reason": "aaaaaaaaaaaaaaaaaaaa"})

    assert not mail.outbox


def test_the_officer_screens_show_the_situation(client, dpo, two_accesses):
    early, late = two_accesses
    client.force_login(dpo)

    listing = client.get(list_url()).content.decode()
    review = client.get(reverse("privacy:emergency_review", args=[late.pk])).content.decode()

    assert escape(str(EmergencyCategory.CITIZEN_PRESENT.label)) in listing
    assert escape(str(EmergencyCategory.PARTNER_NEEDS_NOW.label)) in listing
    assert escape(str(EmergencyCategory.PARTNER_NEEDS_NOW.label)) in review


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_daily_limit_below_one_refuses_to_start(value):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BROBYGGER_"))}
    env |= {"DJANGO_DEBUG": "1", "BROBYGGER_EMERGENCY_ACCESS_PER_DAY": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "BROBYGGER_EMERGENCY_ACCESS_PER_DAY must be at least 1" in result.stderr


@pytest.mark.parametrize(
    "reason",
    [
        "Borgeren står i værestedet og har brug for hjælp nu",
        "Politiet ringer, borgeren er meldt savnet",
        "Skadestuen spørger om borgerens medicin",
        "Krisecentret har borgeren og mangler info",
    ],
)
def test_a_real_danish_reason_is_accepted(reason):
    from workflows.models import validate_emergency_reason

    validate_emergency_reason(reason)  # raises if refused


@pytest.mark.danish
def test_past_the_daily_limit_an_existing_and_a_missing_case_get_the_same_refusal(
    client, case_a, worker_b, settings
):
    """Otherwise the refusal would tell a case number that exists (403) from one that does
    not (404), with nothing in the log."""
    from .test_url_access_table import _normalised

    settings.BROBYGGER_EMERGENCY_ACCESS_PER_DAY = 1
    services.emergency_access_grant(
        user=worker_b, case=register_case(team=case_a.team), category=CATEGORY, reason=REASON
    )
    client.force_login(worker_b)
    missing_pk = Case.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    existing = client.post(grant_url(case_a.pk), GRANT)
    missing = client.post(grant_url(missing_pk), GRANT)

    assert existing.status_code == missing.status_code == 403
    assert _normalised(existing) == _normalised(missing)
    assert "allerede taget nødadgang 1 gange i dag" in missing.content.decode()
    assert EmergencyAccess.objects.count() == 1
