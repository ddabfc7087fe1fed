import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.danish


def test_the_interface_is_danish_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "da"
    assert 'lang="da"' in response.content.decode()
    assert "Log ind" in response.content.decode()


def test_a_user_can_choose_english_and_keeps_it(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/konto/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


def test_an_unknown_language_falls_back_to_danish(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("login"))["Content-Language"] == "da"


def test_the_language_menu_names_each_language_in_its_own_words(client, db):
    html = client.get(reverse("login")).content.decode()

    assert '<option value="da" lang="da" selected>Dansk</option>' in html
    assert '<option value="en" lang="en">English</option>' in html


@pytest.mark.parametrize("language", ["da", "en"])
def test_timesince_says_what_djangos_says_in_each_language(language):
    from datetime import UTC, datetime, timedelta

    from django.utils import translation
    from django.utils.timesince import timesince as django_timesince

    from intranet.locale import timesince

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    ages = [timedelta(seconds=s) for s in (0, 30, 60, 61, 3600, 3660, 7322)] + [
        timedelta(days=d, hours=h) for d in (1, 2, 6, 7, 15, 31, 45, 364, 366, 800) for h in (0, 5)
    ]
    with translation.override(language):
        said = [timesince(now - age, now) for age in ages]
        assert said == [django_timesince(now - age, now) for age in ages]
    # Both languages come out of the same cache in their own words.
    with translation.override("da" if language == "en" else "en"):
        assert timesince(now - timedelta(days=2), now) != said[ages.index(timedelta(days=2))]
