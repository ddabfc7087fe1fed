"""intranet.throttle.Limit: a window from the first request counted, in either cache."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings

from intranet.throttle import CACHE, Limit

LIMIT = Limit("test-limit", limit=3, window_seconds=60)


@pytest.fixture(params=["memory", "database"])
def shared_cache(request, db, settings):
    with override_settings(
        CACHES={**settings.CACHES, CACHE: settings.SHARED_CACHES[request.param]}
    ):
        caches[CACHE].clear()
        try:
            yield caches[CACHE]
        finally:
            caches[CACHE].clear()


def test_a_window_begun_at_the_end_of_a_period_holds_into_the_next(shared_cache):
    # 59.5 s into a minute: the window began in one period of 60 s and ends in the next.
    start = datetime.datetime(2026, 3, 2, 10, 0, 59, 500000, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert LIMIT.admit("198.51.100.7")
        clock.move_to(start + datetime.timedelta(seconds=1))
        assert LIMIT.admit("198.51.100.7")
        assert LIMIT.admit("198.51.100.7")
        assert LIMIT.count("198.51.100.7") == 3
        clock.move_to(start + datetime.timedelta(seconds=59))
        assert LIMIT.reached("198.51.100.7")
        assert not LIMIT.admit("198.51.100.7")
        assert LIMIT.admit("203.0.113.9")  # another value has its own count

        clock.move_to(start + datetime.timedelta(seconds=60))  # the window is over
        assert not LIMIT.reached("198.51.100.7")
        assert LIMIT.admit("198.51.100.7")
        assert LIMIT.count("198.51.100.7") == 1


def test_in_the_database_cache_a_request_whose_transaction_fails_is_not_counted(db, settings):
    """The concern form counts in the transaction that registers the concern: a
    registration that fails leaves the count as it was."""

    class Failed(Exception):
        pass

    with override_settings(CACHES={**settings.CACHES, CACHE: settings.SHARED_CACHES["database"]}):
        try:
            with pytest.raises(Failed), transaction.atomic():
                assert LIMIT.admit("198.51.100.7")
                raise Failed

            assert LIMIT.count("198.51.100.7") == 0
        finally:
            caches[CACHE].clear()
