"""The password reset (intranet/password_reset.py): limited per address and per account, and
the same answer, the same work and the same time whether or not the account exists."""

import re
import threading

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intranet import password_reset
from intranet.throttle import CACHE

from .factories import UserFactory

KAREN = "karen.hansen@kommune.example.invalid"
NOBODY = "ingen.konto@kommune.example.invalid"


@pytest.fixture(autouse=True)
def empty_limits():
    """The limits count in the cache, which outlives a test's database."""
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


@pytest.fixture
def karen(db):
    return UserFactory(username="karen", email=KAREN)


def _delivered():
    """Wait for the mails handed to background threads."""
    for thread in threading.enumerate():
        if thread.name == password_reset.MAIL_THREAD_NAME:
            thread.join(timeout=10)
    return mail.outbox


def _reset(email, client=None, address="10.0.0.5", **meta):
    client = client or Client()
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, **meta)


def test_a_reset_mails_a_link_that_sets_a_new_password(karen):
    response = _reset(KAREN)

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = _delivered()
    assert message.to == [KAREN]
    link = re.search(r"https?://[^/\s]+(/konto/reset/\S+/)", message.body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Et-nyt-langt-kodeord-42", "new_password2": "Et-nyt-langt-kodeord-42"},
    )
    assert done.status_code == 302
    karen.refresh_from_db()
    assert karen.check_password("Et-nyt-langt-kodeord-42")


def test_twenty_resets_for_one_account_send_at_most_the_accounts_limit(karen):
    """From twenty addresses and in every spelling of the address Django treats as one."""
    spellings = [KAREN, KAREN.upper(), KAREN.title(), f"{KAREN[:5].upper()}{KAREN[5:]}"]
    for number in range(20):
        response = _reset(spellings[number % len(spellings)], address=f"192.0.2.{number}")
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")

    assert len(_delivered()) == password_reset.PER_ACCOUNT.limit
    assert {tuple(message.to) for message in mail.outbox} == {(KAREN,)}


@pytest.mark.danish
def test_many_resets_from_one_address_are_cut_off_with_a_danish_message(karen):
    for number in range(password_reset.PER_ADDRESS.limit):
        assert _reset(f"gaet{number}@kommune.example.invalid").status_code == 302

    refused = _reset(KAREN)

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "For mange anmodninger om ny adgangskode" in html
    assert f'value="{KAREN}"' in html  # nothing lost
    assert _delivered() == []
    assert _reset(KAREN, address="10.0.0.6").status_code == 302  # another address is not
    assert len(_delivered()) == 1


def test_resets_from_every_address_of_one_ipv6_64_share_one_count(karen):
    """An IPv6 customer holds a whole /64: rotating through it must not escape the limit."""
    answers = [
        _reset(
            f"gaet{number}@kommune.example.invalid", address=f"2001:db8:1:2::{number:x}"
        ).status_code
        for number in range(1, 25)
    ]

    limit = password_reset.PER_ADDRESS.limit
    assert answers == [302] * limit + [429] * (24 - limit)
    assert _reset(KAREN, address="2001:db8:1:3::1").status_code == 302  # another /64 is not
    assert _reset(KAREN, address="::ffff:10.0.0.5").status_code == 302  # IPv4-mapped: 10.0.0.5


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address(karen):
    for number in range(password_reset.PER_ADDRESS.limit):
        _reset(f"gaet{number}@kommune.example.invalid", address="10.0.0.5")

    assert _reset(KAREN, address="::ffff:10.0.0.5").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_address_limit_is_each_clients_own(karen):
    proxy = {"address": "10.0.0.2"}
    for number in range(password_reset.PER_ADDRESS.limit):
        _reset(
            f"gaet{number}@kommune.example.invalid", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
        )

    assert _reset(KAREN, HTTP_X_FORWARDED_FOR="192.0.2.9, 198.51.100.7", **proxy).status_code == 429
    assert _reset(KAREN, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 302


def _answer(email, address):
    """The whole visible answer to a reset, csrf tokens taken out, and the queries it ran."""
    client = Client(enforce_csrf_checks=True)
    form = client.get(reverse("password_reset"), REMOTE_ADDR=address)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
    with CaptureQueriesContext(connection) as queries:
        posted = client.post(
            reverse("password_reset"),
            {"email": email, "csrfmiddlewaretoken": token},
            REMOTE_ADDR=address,
        )
    done = client.get(posted["Location"], REMOTE_ADDR=address)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", done.content.decode())
    return (
        posted.status_code,
        posted["Location"],
        sorted(posted.cookies),
        done.status_code,
        body,
        [re.sub(r"'[^']*'", "?", query["sql"]) for query in queries.captured_queries],
    )


def test_a_known_and_an_unknown_email_get_the_same_answer(karen):
    known = _answer(KAREN, "10.0.0.7")
    unknown = _answer(NOBODY, "10.0.0.8")

    assert known == unknown
    assert known[0] == 302
    assert len(_delivered()) == 1


class SlowMailServer(EmailBackend):
    """A mail server that takes its time: it accepts a message only once released."""

    released = threading.Event()

    def send_messages(self, messages):
        self.released.wait(timeout=5)
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND=f"{__name__}.SlowMailServer")
def test_the_answer_does_not_wait_for_the_mail_server(karen):
    SlowMailServer.released.clear()

    response = _reset(KAREN)

    assert response.status_code == 302
    assert mail.outbox == []  # answered while the mail server still had the mail
    SlowMailServer.released.set()
    assert len(_delivered()) == 1


def test_wagtails_own_reset_under_admin_is_closed(karen):
    """One door: Wagtail's admin reset would send mails without these limits."""
    logged_in = Client()
    logged_in.force_login(UserFactory())
    for client in (Client(), logged_in):
        for _ in range(5):
            response = client.post("/admin/password_reset/", {"email": KAREN})
            assert response.status_code in {302, 404}
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login"))

    assert _delivered() == []
    assert "password_reset" not in Client().get(reverse("wagtailadmin_login")).content.decode()
