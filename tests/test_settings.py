import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_check(env_overrides, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["1"])
def test_development_starts_without_a_secret_key(debug):
    result = _run_check({"DJANGO_DEBUG": debug})
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_check_deploy():
    result = _run_check(
        {
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
            "DJANGO_ALLOWED_HOSTS": "brobygger.example.dk",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_default_database_passes_the_database_checks(tmp_path):
    """`./dev serve` on SQLite runs the checks migrate runs (models and indexes) warning-free."""
    result = _run_check(
        {"DJANGO_DEBUG": "1", "BROBYGGER_DATA_DIR": str(tmp_path)},
        "--database",
        "default",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.danish
def test_danish_is_the_default_language_and_copenhagen_the_time_zone(settings):
    assert settings.LANGUAGE_CODE == "da"
    assert [code for code, _name in settings.LANGUAGES] == ["da", "en"]
    assert settings.TIME_ZONE == "Europe/Copenhagen"


def test_an_app_role_name_that_is_not_a_plain_identifier_is_refused():
    """It is written into SQL and into the tests' connection options: nothing but a name."""
    result = _run_check({"DJANGO_DEBUG": "1", "DJANGO_DB_APP_ROLE": 'app" SUPERUSER --'})
    assert result.returncode != 0
    assert "DJANGO_DB_APP_ROLE must be a plain PostgreSQL role name" in result.stderr
