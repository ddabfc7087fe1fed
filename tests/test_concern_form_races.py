"""The concern form under concurrent submits: the rate limit is exact, a form counts once
(PostgreSQL only: SQLite serialises every write)."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

from intranet.throttle import client_limit_key
from workflows.models import Case
from workflows.public_intake import services as public_intake

from .test_concern_form import _concern, concern_page  # noqa: F401 (a fixture)
from .test_races import _in_threads

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write, so there is no race to test",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 10


@pytest.fixture
def database_rate_limit():
    """The rate limit in the database cache, as in production (the suite keeps it in memory)."""
    with override_settings(
        CACHES={**settings.CACHES, "shared": settings.SHARED_CACHES["database"]}
    ):
        caches[public_intake.RATE_LIMIT_CACHE].clear()
        try:
            yield
        finally:
            caches[public_intake.RATE_LIMIT_CACHE].clear()


def _post_together(count, url, data_for):
    """POST data_for(i) to url from `count` threads at once; the responses' status codes and
    receipt numbers, and any unhandled error."""
    results = []

    def post(number):
        response = Client().post(url, data_for(number))
        results.append((response.status_code, (response.context or {}).get("reference")))

    return results, _in_threads(count, post)


def test_concurrent_submissions_from_one_address_are_counted_exactly(
    concern_page,  # noqa: F811
    database_rate_limit,
):
    results, errors = _post_together(
        THREADS, concern_page.url, lambda n: _concern(submission_token=str(uuid.uuid4()))
    )

    assert errors == []
    statuses = sorted(status for status, _reference in results)
    assert statuses == [200] * public_intake.RATE_LIMIT + [429] * (
        THREADS - public_intake.RATE_LIMIT
    )
    assert Case.objects.count() == public_intake.RATE_LIMIT


def test_a_form_sent_several_times_at_once_registers_one_referral(
    concern_page,  # noqa: F811
    database_rate_limit,
):
    token = str(uuid.uuid4())

    results, errors = _post_together(
        4, concern_page.url, lambda n: _concern(submission_token=token)
    )

    assert errors == []
    case = Case.objects.get()
    assert results == [(200, case.reference)] * 4
    # The double clicks were one submission: four more forms may still be sent this hour.
    address = client_limit_key(Client().get(concern_page.url).wsgi_request)
    assert public_intake.CONCERN_LIMIT.count(address) == 1
