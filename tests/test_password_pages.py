"""The account pages under /konto/ are ours (templates/registration/), in Danish, in the site's
design: not viewflow's "Django Material" pages Django would otherwise find."""

import re
import threading

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from intranet import password_reset
from intranet.throttle import CACHE

from .factories import UserFactory

pytestmark = pytest.mark.danish

EMAIL = "karen.hansen@kommune.example.invalid"
NEW_PASSWORD = "Et-nyt-langt-adgangsord-42"
SITE_HEADER = 'class="brand"'  # base.html's header


@pytest.fixture(autouse=True)
def empty_limits():
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


@pytest.fixture
def karen(db):
    return UserFactory(username="karen", email=EMAIL)


def _ours(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert SITE_HEADER in page
    assert "Django Material" not in page
    return page


def _rules_as_list(page):
    """Every validator's rule is an <li> of the list the new password field points to."""
    assert 'aria-describedby="id_new_password1_helptext"' in page
    assert '<ul class="help" id="id_new_password1_helptext">' in page
    rules = password_validators_help_texts()
    assert rules
    for rule in rules:
        assert f"<li>{rule}</li>" in page
    assert "&lt;li&gt;" not in page and "&lt;ul&gt;" not in page


def _delivered():
    for thread in threading.enumerate():
        if thread.name == password_reset.MAIL_THREAD_NAME:
            thread.join(timeout=10)
    return mail.outbox


def test_password_change_page_is_ours_in_danish(client, worker_a):
    client.force_login(worker_a)
    page = _ours(client.get(reverse("password_change")))
    _rules_as_list(page)
    assert "Skift adgangskode" in page
    assert 'autocomplete="current-password"' in page
    assert 'autocomplete="new-password"' in page
    assert '<label for="id_old_password">' in page


def test_password_change_shows_errors_and_then_the_done_page(client, worker_a):
    worker_a.set_password("Gammel-adgangskode-1")
    worker_a.save()
    client.force_login(worker_a)
    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "Gammel-adgangskode-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": "noget-andet-42",
        },
    )
    page = _ours(wrong)
    assert 'id="id_new_password2_errors"' in page

    changed = client.post(
        reverse("password_change"),
        {
            "old_password": "Gammel-adgangskode-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    page = _ours(changed)
    assert changed.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Adgangskoden er skiftet" in page
    worker_a.refresh_from_db()
    assert worker_a.check_password(NEW_PASSWORD)


def test_logged_in_staff_find_the_password_change_link(client, worker_a):
    client.force_login(worker_a)
    page = client.get(reverse("password_change_done")).content.decode()
    assert f'href="{reverse("password_change")}"' in page


def test_the_reset_flow_end_to_end_in_danish(karen):
    client = Client()
    sent = client.post(reverse("password_reset"), {"email": EMAIL}, follow=True)
    page = _ours(sent)
    assert sent.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Tilbage til log ind" in page

    (message,) = _delivered()
    assert message.subject == "Sæt en ny adgangskode til Brobygger"
    assert "ny adgangskode" in message.body
    assert "karen" not in message.body  # no username echoed
    link = re.search(r"https?://[^/\s]+(/konto/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    page = _ours(form)
    _rules_as_list(page)
    assert "Gem ny adgangskode" in page
    assert 'autocomplete="new-password"' in page

    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    page = _ours(done)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Til log ind" in page
    karen.refresh_from_db()
    assert karen.check_password(NEW_PASSWORD)


def test_a_broken_or_used_link_says_so_in_danish(karen):
    uid = urlsafe_base64_encode(force_bytes(karen.pk))
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "forkert-token"})
    page = _ours(Client().get(url))
    assert "Linket virker ikke" in page
    assert f'href="{reverse("password_reset")}"' in page
    assert "new_password1" not in page

    # A used link: the token no longer matches once the password changed.
    token = default_token_generator.make_token(karen)
    karen.set_password(NEW_PASSWORD)
    karen.save()
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    page = _ours(Client().get(url, follow=True))
    assert "Linket virker ikke" in page
