"""Error pages and the health check when a dependency is down: a Danish page, never a
traceback, and a health answer that names what is down without giving away how."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import caches
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse

from intranet import health

ROOT = Path(__file__).resolve().parent.parent

# Requests sent by a process running the production settings against a database on a port
# nothing listens on; it prints what came back.
OUTAGE_SCRIPT = """
import json
import django
from django.test import Client

django.setup()
client = Client(raise_request_exception=False)
answers = {}
requests = [
    ("/", client.get, {}),
    ("/konto/login/", client.post, {"username": "medarbejder", "password": "hemmeligt-kodeord"}),
    ("/health/", client.get, {}),
]
for path, send, data in requests:
    response = send(path, data, secure=True)
    answers[path] = {
        "status": response.status_code,
        "retry_after": response.headers.get("Retry-After"),
        "body": response.content.decode(),
    }
print(json.dumps(answers))
"""


def _production_env(static_root):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "intranet.settings",
            "DJANGO_SECRET_KEY": "tests-only-production-like-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_STATIC_ROOT": str(static_root),
            # Port 9 (discard): nothing listens, so every connection is refused.
            "DATABASE_URL": "postgres://brobygger@127.0.0.1:9/brobygger",
        }
    )
    return env


@pytest.fixture(scope="module")
def outage_answers(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    env = _production_env(static_root)
    # The manifest the production storage reads {% static %} from; the apps' admin files are
    # not needed by the error pages and would take half a minute to compress.
    subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        + ["-i", "wagtail*", "-i", "admin", "-i", "viewflow", "-i", "*.js", "-i", "*.svg"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", OUTAGE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_page_while_the_database_is_down_is_a_danish_503(outage_answers):
    answer = outage_answers["/"]

    assert answer["status"] == 503
    assert answer["retry_after"] == "60"
    assert "Brobygger er ikke tilgængelig lige nu" in answer["body"]
    assert "Traceback" not in answer["body"]
    assert "OperationalError" not in answer["body"]
    # The site's stylesheet from the production manifest, and the emergency numbers.
    assert '<link rel="stylesheet" href="/static/css/site.' in answer["body"]
    assert 'href="tel:112"' in answer["body"]


def test_a_login_while_the_database_is_down_is_a_danish_503(outage_answers):
    answer = outage_answers["/konto/login/"]

    assert answer["status"] == 503
    assert "Brobygger er ikke tilgængelig lige nu" in answer["body"]
    assert "hemmeligt-kodeord" not in answer["body"]


def test_health_names_the_database_without_giving_away_where_it_is(outage_answers):
    answer = outage_answers["/health/"]

    assert answer["status"] == 503
    body = json.loads(answer["body"])
    assert body["status"] == "error"
    assert body["database"] == "error: OperationalError"
    assert body["media"] == "ok"
    assert "127.0.0.1" not in answer["body"]
    assert "brobygger@" not in answer["body"]


@pytest.mark.danish
def test_a_fault_is_a_danish_500_page(worker_a):
    client = Client(raise_request_exception=False)
    client.force_login(worker_a)

    with mock.patch("workflows.home_views.casework.task_rows", side_effect=RuntimeError("bug")):
        response = client.get(reverse("staff_home"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Der gik noget galt" in html
    assert "RuntimeError" not in html
    assert 'href="tel:112"' in html


# --- /health/: each dependency made to fail ------------------------------------------------


@pytest.fixture
def _migrations_unchecked(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_health_answers_ok_without_login(client, db, _migrations_unchecked):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "media": "ok",
        "migrations": "ok",
    }


def test_health_names_a_shared_cache_whose_table_is_gone(client, db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "brobygger_no_such_cache_table",
        },
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["cache"].startswith("error: ")
    assert "brobygger_no_such_cache_table" not in response.content.decode()
    assert body["database"] == "ok"
    assert body["migrations"] == "ok"


def test_health_names_a_media_folder_that_cannot_be_written(client, db, settings, tmp_path):
    # A file where the folder should be: no writing there, whoever the tests run as.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["media"].startswith("error: ")
    assert str(tmp_path) not in response.content.decode()
    assert body["database"] == body["cache"] == "ok"


def test_health_names_unapplied_migrations(client, db, _migrations_unchecked):
    MigrationRecorder.Migration.objects.filter(app="workflows").order_by("-name")[:1].get().delete()

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["migrations"] == "error: 1 not applied"


def test_health_leaves_no_probe_behind(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    client.get(reverse("health"))

    assert list(tmp_path.iterdir()) == []
    assert caches["shared"].get(health.CACHE_PROBE_KEY) == "ok"
