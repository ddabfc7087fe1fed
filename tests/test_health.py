from unittest import mock

from django.db.utils import OperationalError
from django.urls import reverse


def test_health_answers_ok_without_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_the_database_is_down(client, db):
    with mock.patch("intranet.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
