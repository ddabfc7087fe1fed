"""The public concern form: anyone may refer a person; abuse is refused; nothing leaks."""

import datetime
import importlib
import os
import re
import subprocess
import sys
import uuid
from unittest import mock
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import CacheHandler, caches
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from intranet import throttle
from pages.models import ConcernFormPage, HomePage
from workflows import services
from workflows.models import Case, Channel, EmergencyCall, Stage
from workflows.public_intake import services as public_intake
from workflows.public_intake.forms import max_body_bytes

from .factories import (
    StandardPageFactory,
    TeamPageFactory,
    accept,
    open_task,
    register_case,
    site_root,
)

CONCERN = "Han sover i opgangen og har hostet blod i flere dage. Naboerne er bekymrede."
ALIAS = "Kasketten"
PLACE = "Bænken ved Føtex på Torvet, mest om morgenen"
APPEARANCE = "Grøn militærjakke, stor sort hund"
REFERRER = {
    "referrer_name": "Birthe Nabo",
    "referrer_phone": "+45 20 30 40 50",
    "referrer_email": "birthe.nabo@example.invalid",
}


def _concern(**overrides):
    data = {
        "alias": ALIAS,
        "appearance": APPEARANCE,
        "age_group": "40_49",
        "place": PLACE,
        "concern": CONCERN,
        "source": "",
        "referrer_name": "",
        "referrer_phone": "",
        "referrer_email": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def empty_rate_limit():
    """The rate limit counts in the cache, which outlives a test's database."""
    caches[public_intake.RATE_LIMIT_CACHE].clear()
    yield
    caches[public_intake.RATE_LIMIT_CACHE].clear()


@pytest.fixture
def concern_page(skp_standard):
    page = ConcernFormPage(
        title="Bekymret for en borger?",
        slug="bekymret",
        intro="<p>Skriv til os, hvis du er bekymret for en person i byen.</p>",
        thank_you_text="<p>Tak for din henvendelse. Teamet læser den på hverdage.</p>",
    )
    site_root().add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_the_concern_form_is_a_leaf_under_the_home_page():
    assert set(ConcernFormPage.allowed_parent_page_models()) == {HomePage}
    assert list(ConcernFormPage.allowed_subpage_models()) == []
    assert ConcernFormPage in HomePage.allowed_subpage_models()


def test_anonymous_visitor_sees_the_emergency_numbers_before_the_form(client, concern_page):
    response = client.get(concern_page.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="emergency"' in html and 'href="tel:112"' in html
    assert html.index('class="emergency"') < html.index('class="concern-form"')
    assert "csrfmiddlewaretoken" in html
    assert 'class="hp-field" aria-hidden="true"' in html


def test_a_private_concern_form_asks_for_a_login_and_takes_nothing(client, concern_page):
    PageViewRestriction.objects.create(
        page=concern_page, restriction_type=PageViewRestriction.LOGIN
    )

    shown = client.get(concern_page.url)
    sent = client.post(concern_page.url, _concern())

    for response in (shown, sent):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Case.objects.exists()


def test_the_preview_shows_the_pages_texts(concern_page):
    html = concern_page.make_preview_request().render().content.decode()

    assert "Skriv til os, hvis du er bekymret" in html
    assert 'class="emergency"' in html


def test_a_concern_starts_one_case_in_the_teams_triage_queue(
    client, concern_page, team_a, coordinator_a
):
    response = client.post(concern_page.url, _concern(**REFERRER))

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.team == team_a
    assert case.stage == Stage.TRIAGE
    assert case.created_by is None
    referral = case.referral
    assert referral.channel == Channel.WEB_FORM and referral.registered_by is None
    assert referral.concern == CONCERN
    assert referral.referrer_contact == "+45 20 30 40 50 · birthe.nabo@example.invalid"
    assert case.person.alias == ALIAS and PLACE in case.person.whereabouts
    assert open_task(case, "triage") is not None
    assert open_task(case, "triage") in services.team_queue(coordinator_a, team_a)


def test_the_receipt_gives_a_number_and_never_echoes_what_was_sent(client, concern_page):
    response = client.post(concern_page.url, _concern(**REFERRER))

    case = Case.objects.get()
    html = response.content.decode()
    assert case.reference in html
    assert "Teamet læser den på hverdage" in html  # the page's thank-you text
    for sent in [CONCERN, ALIAS, PLACE, APPEARANCE, *REFERRER.values()]:
        assert sent not in html
    assert "no-store" in response["Cache-Control"]


def test_the_teams_mailbox_gets_a_link_and_no_personal_data(
    client, concern_page, team_a, django_capture_on_commit_callbacks
):
    team_a.notification_email = "nord.opgaver@example.invalid"
    team_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(concern_page.url, _concern(**REFERRER))

    case = Case.objects.get()
    (message,) = mail.outbox
    assert message.to == ["nord.opgaver@example.invalid"]
    text = message.subject + message.body
    assert settings.WAGTAILADMIN_BASE_URL + reverse("workflows:case_detail", args=[case.pk]) in (
        message.body
    )
    assert public_intake.case_reference(case) in message.subject
    for personal in [CONCERN, ALIAS, PLACE, APPEARANCE, "Grøn", "hund", *REFERRER.values()]:
        assert personal not in text


def test_without_a_notification_mailbox_the_teams_public_address_is_told(
    client, concern_page, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(concern_page.url, _concern())

    assert [m.to for m in mail.outbox] == [[team_a.email]]


def test_a_filled_honeypot_pretends_success_and_creates_nothing(
    client, concern_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(concern_page.url, _concern(website="http://spam.example"))

    assert response.status_code == 200
    assert "receipt-number" in response.content.decode()
    assert Case.objects.count() == 0
    assert mail.outbox == []


def test_the_sixth_submission_within_an_hour_is_refused_and_keeps_the_text(client, concern_page):
    for _ in range(public_intake.RATE_LIMIT):
        assert client.post(concern_page.url, _concern()).status_code == 200

    response = client.post(concern_page.url, _concern(concern="Den sjette besked."))

    assert response.status_code == 429
    assert Case.objects.count() == public_intake.RATE_LIMIT
    assert "Den sjette besked." in response.content.decode()  # nothing lost
    other_address = client.post(concern_page.url, _concern(), REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200
    assert Case.objects.count() == public_intake.RATE_LIMIT + 1


def test_the_rate_limit_never_stores_the_address(client, concern_page):
    client.post(concern_page.url, _concern(), REMOTE_ADDR="192.0.2.44")

    keys = list(caches[public_intake.RATE_LIMIT_CACHE]._cache)  # the test settings' memory
    assert keys and not any("192.0.2.44" in key for key in keys)


def test_in_production_every_process_counts_the_rate_limit_together(client, concern_page):
    """Production keeps the count in the database cache: what one gunicorn worker or app
    server counted, every other one reads (here: another cache handler, as another process
    has), so the limit is the site's and not each process's."""
    migration = importlib.import_module("intranet.migrations.0004_shared_cache")
    assert settings.SHARED_CACHE_TABLE == migration.TABLE  # the table the migration made
    shared = {**settings.CACHES, "shared": settings.SHARED_CACHES["database"]}
    with override_settings(CACHES=shared):
        try:
            for _ in range(public_intake.RATE_LIMIT):
                assert client.post(concern_page.url, _concern()).status_code == 200

            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {migration.TABLE}")  # noqa: S608
                # A keyed-hash row for each submission counted.
                assert cursor.fetchone() == (public_intake.RATE_LIMIT,)
            refused = client.post(concern_page.url, _concern())
            assert refused.status_code == 429
            address = throttle.client_limit_key(refused.wsgi_request)
            with mock.patch.object(throttle, "caches", CacheHandler()):  # another process's
                assert public_intake.CONCERN_LIMIT.count(address) == public_intake.RATE_LIMIT
            assert Case.objects.count() == public_intake.RATE_LIMIT
        finally:
            caches[public_intake.RATE_LIMIT_CACHE].clear()


@pytest.mark.parametrize("kind", ["memory", "database"])
def test_the_rate_limit_window_is_an_hour_from_the_first_submission(client, concern_page, kind):
    """In either cache: refused for the rest of the hour after the first of five
    submissions (the database cache's own increment would have let the address in again
    after five minutes), and let in once that hour is over."""
    started = timezone.now()
    with override_settings(CACHES={**settings.CACHES, "shared": settings.SHARED_CACHES[kind]}):
        try:
            with time_machine.travel(started, tick=False) as clock:
                for minute in range(public_intake.RATE_LIMIT):
                    clock.move_to(started + datetime.timedelta(minutes=minute))
                    assert client.post(concern_page.url, _concern()).status_code == 200
                clock.move_to(started + datetime.timedelta(minutes=15))
                assert client.post(concern_page.url, _concern()).status_code == 429
                clock.move_to(started + datetime.timedelta(minutes=59))
                assert client.post(concern_page.url, _concern()).status_code == 429
                clock.move_to(started + datetime.timedelta(minutes=61))
                assert client.post(concern_page.url, _concern()).status_code == 200
            assert Case.objects.count() == public_intake.RATE_LIMIT + 1
        finally:
            caches[public_intake.RATE_LIMIT_CACHE].clear()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "django.core.cache.backends.db.DatabaseCache"),  # production
        ({"DJANGO_DEBUG": "1"}, "django.core.cache.backends.locmem.LocMemCache"),
        ({"DJANGO_SHARED_CACHE": "memory"}, "django.core.cache.backends.locmem.LocMemCache"),
        ({"DJANGO_SHARED_CACHE": "redis"}, "ImproperlyConfigured: DJANGO_SHARED_CACHE must be"),
    ],
)
def test_the_shared_cache_setting(environment, expected):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SHARED_CACHE", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SECRET_KEY="shared-cache-test", **environment)
    script = (
        "try:\n"
        "    from intranet import settings\n"
        "    print(settings.CACHES['shared']['BACKEND'])\n"
        "except Exception as exc:\n"
        "    print(f'{type(exc).__name__}: {exc}')\n"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith(expected)


def test_mistakes_do_not_count_against_the_rate_limit(client, concern_page):
    for _ in range(public_intake.RATE_LIMIT + 2):
        client.post(concern_page.url, _concern(concern=""))

    assert client.post(concern_page.url, _concern()).status_code == 200
    assert Case.objects.count() == 1


def test_a_too_long_concern_is_refused_with_the_text_kept(client, concern_page):
    too_long = "Bekymret. " * 301

    response = client.post(concern_page.url, _concern(concern=too_long))

    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert "concern" in response.context["form"].errors
    assert too_long.strip() in response.content.decode()


def test_an_oversize_body_is_refused_before_the_form_is_read(client, concern_page):
    response = client.post(concern_page.url, _concern(extra="x" * (max_body_bytes() + 1)))

    assert response.status_code == 413
    assert Case.objects.count() == 0


def test_a_form_filled_to_every_max_length_fits_the_body_limit(client, concern_page):
    form = response_form(client, concern_page)
    widest = "😀"  # four bytes in UTF-8, twelve when percent-encoded
    data = _concern(
        **{
            name: widest * field.max_length
            for name, field in form.fields.items()
            if getattr(field, "max_length", None) and name not in ("referrer_email", "website")
        }
    )
    data["referrer_phone"] = "12345678"
    body = urlencode({**data, "csrfmiddlewaretoken": "x" * 64})

    assert len(body.encode()) < max_body_bytes()
    assert client.post(concern_page.url, data).status_code == 200
    assert Case.objects.count() == 1


def response_form(client, page):
    return client.get(page.url).context["form"]


def test_a_missing_concern_is_refused_with_a_message_linked_to_the_field(client, concern_page):
    response = client.post(concern_page.url, _concern(concern="   "))

    assert response.status_code == 200
    assert Case.objects.count() == 0
    form = response.context["form"]
    html = response.content.decode()
    assert str(form.errors["concern"][0]) in html
    assert 'class="error-summary"' in html and 'href="#id_concern"' in html
    assert 'aria-invalid="true"' in html
    assert ALIAS in html  # what they typed is kept


def test_a_person_must_be_described_somehow(client, concern_page):
    response = client.post(concern_page.url, _concern(alias="", appearance="", place=""))

    assert Case.objects.count() == 0
    assert "appearance" in response.context["form"].errors


def test_contact_details_are_validated_if_given(client, concern_page):
    response = client.post(
        concern_page.url, _concern(referrer_phone="ring mig", referrer_email="ikke-en-adresse")
    )

    assert Case.objects.count() == 0
    assert set(response.context["form"].errors) == {"referrer_phone", "referrer_email"}


def test_acute_danger_tells_them_to_call_112_before_anything_is_sent(client, concern_page):
    response = client.post(concern_page.url, _concern(acute="on"))

    assert Case.objects.count() == 0
    html = response.content.decode()
    assert "acute-alert" in html and "emergency_call" in response.context["form"].errors
    assert 'href="#id_emergency_call_0"' in html

    response = client.post(
        concern_page.url, _concern(acute="on", emergency_call=EmergencyCall.NOT_CALLED)
    )

    referral = Case.objects.get().referral
    assert referral.acute and referral.emergency_call == EmergencyCall.NOT_CALLED
    assert "acute-alert" in response.content.decode()  # the receipt repeats: call 112 now


def test_with_several_teams_the_citizen_chooses_the_area(
    client, concern_page, skp_standard, team_a, team_b
):
    skp_standard.delivering_teams.set([team_a, team_b])
    skp_standard.save()
    html = client.get(concern_page.url).content.decode()
    assert team_a.title in html and team_b.title in html

    response = client.post(concern_page.url, _concern())
    assert "team" in response.context["form"].errors
    assert Case.objects.count() == 0

    client.post(concern_page.url, _concern(team=team_b.pk))
    assert Case.objects.get().team == team_b


def test_a_team_outside_the_standard_cannot_be_chosen(client, concern_page, skp_standard, team_a):
    other = TeamPageFactory(title="Hjemmeplejen")
    skp_standard.delivering_teams.set([team_a, TeamPageFactory(title="Team Vest")])
    skp_standard.save()

    response = client.post(concern_page.url, _concern(team=other.pk))

    assert "team" in response.context["form"].errors
    assert Case.objects.count() == 0


def test_csrf_is_enforced_for_anonymous_visitors(concern_page):
    browser = Client(enforce_csrf_checks=True)

    assert browser.post(concern_page.url, _concern()).status_code == 403
    assert Case.objects.count() == 0

    browser.get(concern_page.url)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(concern_page.url, _concern(csrfmiddlewaretoken=token))
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_without_any_team_the_page_says_to_call_instead(client, db):
    page = ConcernFormPage(title="Bekymret for en borger?", slug="bekymret")
    site_root().add_child(instance=page)
    page.save_revision().publish()

    assert client.get(page.url).context["form"] is None
    assert client.post(page.url, _concern()).status_code == 503
    assert Case.objects.count() == 0


# In Danish: "Ingen kvalitetsstandard i kraft – ingen frist".
NO_DEADLINE = "No quality standard in force – no deadline"


def test_without_a_standard_in_force_the_concern_is_taken_without_a_deadline(
    client, concern_page, skp_standard, team_a, coordinator_a, worker_a
):
    skp_standard.unpublish()
    assert client.get(concern_page.url).context["form"] is not None

    response = client.post(concern_page.url, _concern(**REFERRER))

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.reference in response.content.decode()  # the normal receipt
    assert case.team == team_a and case.stage == Stage.TRIAGE
    assert case.first_contact_due is None and case.standard_revision is None
    triage = open_task(case, "triage")
    assert triage in services.team_queue(coordinator_a, team_a)
    client.force_login(coordinator_a)
    assert NO_DEADLINE in client.get(reverse("workflows:team_queue")).content.decode()
    page = client.get(reverse("workflows:case_detail", args=[case.pk])).content.decode()
    assert NO_DEADLINE in page and case.reference in page

    accept(client, coordinator_a, case, worker_a)

    case.refresh_from_db()
    assert case.stage == Stage.OUTREACH and case.primary_worker == worker_a


def test_with_a_standard_no_live_team_delivers_the_outreach_teams_take_the_concern(
    client, concern_page, skp_standard, team_a, team_b
):
    receiving = TeamPageFactory(title="Myndighedsteamet")  # delivers no standard
    draft = StandardPageFactory(title="Udkast", delivering_teams=[team_b])
    draft.unpublish()
    skp_standard.delivering_teams.set([])
    skp_standard.save_revision().publish()

    html = client.get(concern_page.url).content.decode()
    assert team_a.title not in html and receiving.title not in html
    response = client.post(concern_page.url, _concern())

    assert response.status_code == 200
    assert Case.objects.get().team == team_b


def test_receipt_numbers_are_random_and_never_the_case_number(client, concern_page):
    for _ in range(11):  # case numbers of two digits, which a receipt could show
        register_case(team=concern_page.receiving_teams().get())
    first = client.post(concern_page.url, _concern())
    second = client.post(concern_page.url, _concern(), REMOTE_ADDR="10.9.8.7")

    cases = list(Case.objects.order_by("-pk")[:2])
    references = {case.reference for case in cases}
    assert len(references) == 2
    for response, case in zip([second, first], cases, strict=True):
        html = response.content.decode()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", case.reference)
        assert case.reference in html
        assert not re.search(rf"\b0*{case.pk}\b", case.reference)
        receipt = re.search(r'class="receipt-number">([^<]*)<', html).group(1)
        assert receipt == case.reference
        assert response.wsgi_request.path == concern_page.url  # no redirect to a numbered URL
        assert "Location" not in response.headers
        assert f"{case.pk:06d}" not in html  # the old receipt's form
        # The number on its own (not inside a nonce, a length or a time of day).
        alone = re.compile(rf"(?<![\w:.]){case.pk}(?![\w:.])")
        assert not any(alone.search(value) for value in response.headers.values())


def test_a_form_sent_twice_registers_one_referral_and_shows_the_same_receipt(client, concern_page):
    page = client.get(concern_page.url)
    token = str(page.context["form"]["submission_token"].value())
    assert f'value="{token}"' in page.content.decode()

    first = client.post(concern_page.url, _concern(submission_token=token))
    again = client.post(concern_page.url, _concern(submission_token=token))

    case = Case.objects.get()
    assert first.status_code == again.status_code == 200
    assert first.context["reference"] == again.context["reference"] == case.reference
    another_form = client.post(concern_page.url, _concern(submission_token=str(uuid.uuid4())))
    assert another_form.status_code == 200 and Case.objects.count() == 2


def test_each_rendering_of_the_form_has_its_own_token_and_is_never_cached(client, concern_page):
    first, second = client.get(concern_page.url), client.get(concern_page.url)

    tokens = {str(r.context["form"]["submission_token"].value()) for r in (first, second)}
    assert len(tokens) == 2
    for response in (first, second):
        assert any(token in response.content.decode() for token in tokens)
        assert "no-store" in response["Cache-Control"]


def test_a_staff_forms_token_sent_to_the_public_form_registers_nothing(
    client, concern_page, coordinator_a
):
    from intranet.models import SubmissionToken

    staff_token = SubmissionToken.objects.create(
        token=uuid.uuid4(), user=coordinator_a, result_url="/sager/1/"
    )

    response = client.post(concern_page.url, _concern(submission_token=str(staff_token.token)))

    assert response.status_code == 200
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert "/sager/1/" not in html and "receipt-number" not in html


def test_a_concerns_queries_do_not_grow_with_the_standards_redirects(
    client, concern_page, skp_standard
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pages.models import StandardRedirect

    from .factories import PartnerPageFactory

    client.post(concern_page.url, _concern())  # caches of the first request
    caches[public_intake.RATE_LIMIT_CACHE].clear()
    with CaptureQueriesContext(connection) as before:
        client.post(concern_page.url, _concern())
    for reason in ("acute", "over_age", "substance_abuse"):
        partner = PartnerPageFactory(title=f"Partner {reason}", kind="other")
        skp_standard.redirects.add(StandardRedirect(reason=reason, destination=partner))
    skp_standard.save_revision().publish()
    client.post(concern_page.url, _concern())  # reads the new revision's rules once
    caches[public_intake.RATE_LIMIT_CACHE].clear()

    with CaptureQueriesContext(connection) as after:
        response = client.post(concern_page.url, _concern())

    assert response.status_code == 200 and Case.objects.count() == 4
    assert len(after) == len(before)


def test_a_concern_is_stored_without_direction_controls(client, concern_page, team_a):
    response = client.post(
        concern_page.url,
        _concern(
            alias="Kasket\u202eten",
            concern="\u2067Han sover\u200b i opgangen.\u2069",
            referrer_name="Birthe\u061c Nabo",
        ),
    )

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.person.alias == "Kasketten"
    assert case.referral.concern == "Han sover i opgangen."
    assert case.referral.referrer_name == "Birthe Nabo"
