import pytest
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


def test_session_is_an_idle_timeout(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


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


def test_our_templates_contain_no_inline_scripts_or_styles():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        if "<script>" in text or " style=" in text or "<style" in text or " onclick=" in text:
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
