"""Which address a request comes from (intranet.throttle.client_ip), proven by the limits that
count per address: the concern form's rate limit and the login lockout, behind the proxy and
without one, with the headers an attacker would send."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from intranet.throttle import CACHE, client_ip, client_limit_key
from workflows.models import Case
from workflows.public_intake import services as public_intake

from .factories import PASSWORD, UserFactory
from .test_concern_form import _concern, concern_page  # noqa: F401 (a fixture)

PROXY = "10.0.0.2"  # nginx, as gunicorn sees it
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"
BEHIND_ONE_PROXY = override_settings(TRUSTED_PROXY_COUNT=1)


@pytest.fixture(autouse=True)
def empty_limits():
    """The limits count in the cache, which outlives a test's database."""
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


def _via_proxy(forwarded_for):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


# --- The concern form's rate limit ----------------------------------------------------------


@BEHIND_ONE_PROXY
def test_behind_the_proxy_each_citizen_has_their_own_concern_count(client, concern_page):  # noqa: F811
    for _ in range(public_intake.RATE_LIMIT):
        assert client.post(concern_page.url, _concern(), **_via_proxy(CLIENT_A)).status_code == 200

    assert client.post(concern_page.url, _concern(), **_via_proxy(CLIENT_A)).status_code == 429
    assert client.post(concern_page.url, _concern(), **_via_proxy(CLIENT_B)).status_code == 200
    assert Case.objects.count() == public_intake.RATE_LIMIT + 1


def test_without_the_proxy_setting_a_forged_header_changes_nothing(client, concern_page):  # noqa: F811
    for number in range(public_intake.RATE_LIMIT):
        forged = {"REMOTE_ADDR": CLIENT_A, "HTTP_X_FORWARDED_FOR": f"192.0.2.{number}"}
        assert client.post(concern_page.url, _concern(), **forged).status_code == 200

    forged = {"REMOTE_ADDR": CLIENT_A, "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert client.post(concern_page.url, _concern(), **forged).status_code == 429
    assert Case.objects.count() == public_intake.RATE_LIMIT


@BEHIND_ONE_PROXY
def test_an_address_prepended_to_the_header_does_not_escape_the_limit(client, concern_page):  # noqa: F811
    """nginx appends the address it saw; what the client wrote stays to the left of it."""
    for number in range(public_intake.RATE_LIMIT):
        forged = _via_proxy(f"192.0.2.{number}, {CLIENT_A}")
        assert client.post(concern_page.url, _concern(), **forged).status_code == 200

    forged = _via_proxy(f"192.0.2.200, 192.0.2.201, {CLIENT_A}")
    assert client.post(concern_page.url, _concern(), **forged).status_code == 429
    assert Case.objects.count() == public_intake.RATE_LIMIT


@BEHIND_ONE_PROXY
@pytest.mark.parametrize("header", ["", "nonsense", "198.51.100.7:443", "<script>", " , "])
def test_a_malformed_header_counts_as_the_proxy_and_is_never_an_error(
    client,
    concern_page,  # noqa: F811
    header,
):
    for _ in range(public_intake.RATE_LIMIT):
        assert client.post(concern_page.url, _concern(), **_via_proxy(header)).status_code == 200

    # Counted as the proxy's own address: the same count as a request with no header.
    assert client.post(concern_page.url, _concern(), REMOTE_ADDR=PROXY).status_code == 429


# --- The login lockout (django-axes) --------------------------------------------------------


def _login(client, password, **meta):
    return client.post(reverse("login"), {"username": "karen", "password": password}, **meta)


@BEHIND_ONE_PROXY
@override_settings(AXES_ENABLED=True)
def test_a_lockout_from_one_address_does_not_lock_the_user_out_from_another(db):
    karen = UserFactory(username="karen")
    from_a, from_b = Client(), Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(from_a, "wrong", **_via_proxy(CLIENT_A))
    assert _login(from_a, PASSWORD, **_via_proxy(CLIENT_A)).status_code == 429

    response = _login(from_b, PASSWORD, **_via_proxy(CLIENT_B))

    assert response.status_code == 302
    assert from_b.session["_auth_user_id"] == str(karen.pk)
    # Karen's success from B resets B's record only: A stays locked out.
    assert _login(Client(), PASSWORD, **_via_proxy(CLIENT_A)).status_code == 429


@BEHIND_ONE_PROXY
@override_settings(AXES_ENABLED=True)
def test_a_lockout_holds_for_the_username_and_address_together(db):
    """Another user from the locked-out address may still log in: the lock is the pair's."""
    UserFactory(username="karen")
    UserFactory(username="mads")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "wrong", **_via_proxy(CLIENT_A))

    mads = Client().post(
        reverse("login"), {"username": "mads", "password": PASSWORD}, **_via_proxy(CLIENT_A)
    )

    assert mads.status_code == 302
    assert _login(Client(), PASSWORD, **_via_proxy(CLIENT_A)).status_code == 429


@override_settings(AXES_ENABLED=True)
def test_without_the_proxy_setting_a_forged_header_does_not_dodge_the_lockout(db):
    UserFactory(username="karen")
    for number in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "wrong", REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = _login(Client(), PASSWORD, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=CLIENT_B)

    assert response.status_code == 429
    assert not User.objects.get(username="karen").last_login


@BEHIND_ONE_PROXY
@override_settings(AXES_ENABLED=True)
def test_behind_the_proxy_a_prepended_address_does_not_dodge_the_lockout(db):
    UserFactory(username="karen")
    for number in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "wrong", **_via_proxy(f"192.0.2.{number}, {CLIENT_A}"))

    response = _login(Client(), PASSWORD, **_via_proxy(f"{CLIENT_B}, {CLIENT_A}"))

    assert response.status_code == 429


@BEHIND_ONE_PROXY
@override_settings(AXES_ENABLED=True)
def test_a_lockout_holds_across_the_addresses_of_one_ipv6_64(db):
    UserFactory(username="karen")
    for number in range(1, settings.AXES_FAILURE_LIMIT + 1):
        _login(Client(), "wrong", **_via_proxy(f"2001:db8:1:2::{number}"))

    response = _login(Client(), PASSWORD, **_via_proxy("2001:db8:1:2:ffff:ffff:ffff:ffff"))

    assert response.status_code == 429
    assert not User.objects.get(username="karen").last_login
    assert _login(Client(), PASSWORD, **_via_proxy("2001:db8:1:3::1")).status_code == 302


@BEHIND_ONE_PROXY
def test_concerns_from_one_ipv6_64_share_one_count_and_another_64_has_its_own(
    client,
    concern_page,  # noqa: F811
):
    for number in range(1, public_intake.RATE_LIMIT + 1):
        posted = client.post(concern_page.url, _concern(), **_via_proxy(f"2001:db8:7:7::{number}"))
        assert posted.status_code == 200

    rotated = client.post(concern_page.url, _concern(), **_via_proxy("2001:db8:7:7:1:2:3:4"))
    assert rotated.status_code == 429
    assert (
        client.post(concern_page.url, _concern(), **_via_proxy("2001:db8:7:8::1")).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_a_limit_counts_an_ipv4_address_or_an_ipv6_64(address, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    assert client_limit_key(request) == expected
    assert client_ip(request) == address


# --- The address read from the header -------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no proxy configured: the header is anyone's to write
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1,198.51.100.7", "198.51.100.7"),
        (1, " 192.0.2.1 ,  198.51.100.7 ", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),  # a load balancer, then nginx
        (2, "198.51.100.7", PROXY),  # fewer hops than proxies: not ours to believe
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "2001:DB8:0:0::1", "2001:db8::1"),  # one spelling per address
        (1, "198.51.100.7, unknown", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_read_from_the_right_of_the_header(count, header, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "0"),
        ({"DJANGO_BEHIND_PROXY": "1"}, "1"),
        ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXY_COUNT": "2"}, "2"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "1"}, "ImproperlyConfigured: DJANGO_TRUSTED_PROXY_COUNT"),
        (
            {"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXY_COUNT": "0"},
            "ImproperlyConfigured: DJANGO_TRUSTED_PROXY_COUNT",
        ),
        (
            {"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXY_COUNT": "en"},
            "ImproperlyConfigured: DJANGO_TRUSTED_PROXY_COUNT",
        ),
    ],
)
def test_the_trusted_proxy_count_setting(environment, expected):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DJANGO_BEHIND_PROXY", "DJANGO_TRUSTED_PROXY_COUNT", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SECRET_KEY="proxy-count-test", **environment)
    script = (
        "try:\n"
        "    from intranet import settings\n"
        "    print(settings.TRUSTED_PROXY_COUNT)\n"
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
