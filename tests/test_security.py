import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from .factories import PASSWORD, UserFactory


def test_pages_need_login_and_redirect_to_it(client, db):
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.danish
def test_login_page_is_public_and_danish(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="da"' in response.content.decode()


def test_login_with_right_password_reaches_staff_home(client, db):
    UserFactory(username="karen")
    response = client.post(
        reverse("login"), {"username": "karen", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_home")


@override_settings(AXES_ENABLED=True)
def test_five_wrong_passwords_lock_the_account_out_even_with_the_right_one(client, db):
    UserFactory(username="karen")
    for _attempt in range(5):
        response = client.post(
            reverse("login"), {"username": "karen", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        )
    assert response.status_code == 429
    response = client.post(
        reverse("login"), {"username": "karen", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True)
def test_a_wrong_password_answers_with_the_form_again(client, db):
    UserFactory(username="karen")
    response = client.post(
        reverse("login"), {"username": "karen", "password": "wrong"}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 200
    assert response.context["form"].errors


NEW_PASSWORD = "Ny-adgangskode-2026!"


def change_password(client, old_password):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        REMOTE_ADDR="10.0.0.6",
    )


@override_settings(AXES_ENABLED=True)
def test_wrong_old_passwords_lock_the_password_change_out_even_with_the_right_one(client, db):
    """A session left open: whoever sits at it guesses the password at the change form."""
    karen = UserFactory(username="karen")
    client.force_login(karen)

    for _attempt in range(4):
        response = change_password(client, "forkert")
        assert response.status_code == 200
        assert response.context["form"].has_error("old_password", "password_incorrect")
    assert change_password(client, "forkert").status_code == 429
    response = change_password(client, PASSWORD)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    karen.refresh_from_db()
    assert karen.check_password(PASSWORD)
    # The same count as the login's: the guesses used it up from this address.
    login = client.post(
        reverse("login"), {"username": "karen", "password": PASSWORD}, REMOTE_ADDR="10.0.0.6"
    )
    assert login.status_code == 429


@override_settings(AXES_ENABLED=True)
def test_the_right_old_password_still_changes_it_after_a_few_wrong_ones(client, db):
    karen = UserFactory(username="karen")
    client.force_login(karen)
    for _attempt in range(4):
        change_password(client, "forkert")

    response = change_password(client, PASSWORD)

    assert response.status_code == 302
    karen.refresh_from_db()
    assert karen.check_password(NEW_PASSWORD)


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_session_ends_after_the_idle_timeout_and_requests_renew_it(client, db, settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(UserFactory())
        assert client.get(reverse("staff_home")).status_code == 200
        # Used again just before the timeout: renewed, so still logged in after another while.
        traveller.move_to(start + idle - datetime.timedelta(seconds=5))
        assert client.get(reverse("staff_home")).status_code == 200
        traveller.move_to(start + idle + datetime.timedelta(minutes=10))
        assert client.get(reverse("staff_home")).status_code == 200
        # Then left alone for longer than the timeout: logged out.
        traveller.shift(idle + datetime.timedelta(seconds=1))
        response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_is_written_at_most_once_a_renewal_interval(client, db, settings):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(UserFactory())
        client.get(reverse("staff_home"))
        renewed = _expiry(client)
        traveller.shift(settings.SESSION_RENEW_SECONDS - 1)
        client.get(reverse("staff_home"))
        assert _expiry(client) == renewed  # not written again
        traveller.shift(1)
        client.get(reverse("staff_home"))
        assert _expiry(client) == renewed + datetime.timedelta(
            seconds=settings.SESSION_RENEW_SECONDS
        )


def test_public_pages_get_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy


def test_only_wagtail_admin_allows_inline_scripts(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response["Content-Security-Policy"]


# The annual status report as a file (manage.py status_report): opened from disk, it carries
# the site's styles itself. Never served, so outside the CSP.
STATUS_REPORT_FILE = "workflows/leader/status_report_document.html"


def test_our_templates_contain_no_inline_scripts_or_styles():
    from pathlib import Path

    base = Path(__file__).resolve().parent.parent
    root = base / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        if template.relative_to(root).as_posix() == STATUS_REPORT_FILE:
            continue
        text = template.read_text()
        if "<script>" in text or " style=" in text or "<style" in text or " onclick=" in text:
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
    # The file's template is rendered by the command only, never by a view.
    users = [
        path.relative_to(base).as_posix()
        for path in base.glob("[ipw]*/**/*.py")
        if STATUS_REPORT_FILE in path.read_text()
    ]
    assert users == ["workflows/management/commands/status_report.py"]
