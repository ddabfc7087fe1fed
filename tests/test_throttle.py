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


def test_other_addresses_filling_the_database_cache_do_not_reset_a_spent_limit(db, settings):
    """Red team: past MAX_ENTRIES, Django's database cache culls a share of its current rows;
    an attacker who spends its limit, then fills the table from other addresses, must not
    get its counts deleted with them."""
    small = {
        **settings.SHARED_CACHES["database"],
        "OPTIONS": {**settings.SHARED_CACHES["database"]["OPTIONS"], "MAX_ENTRIES": 20},
    }
    with override_settings(CACHES={**settings.CACHES, CACHE: small}):
        caches[CACHE].clear()
        try:
            attacker = "198.51.100.7"
            assert [LIMIT.admit(attacker) for _ in range(4)] == [True, True, True, False]
            admitted_again = 0
            for n in range(30):  # 90 rows of other addresses' counts, the table's limit 20
                for _ in range(3):
                    LIMIT.admit(f"203.0.113.{n}")
                admitted_again += LIMIT.admit(attacker)
            assert admitted_again == 0
            assert LIMIT.count(attacker) == 3
        finally:
            caches[CACHE].clear()
