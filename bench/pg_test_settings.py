"""Test settings for running the suite against the benchmark PostgreSQL (brobygger_bench_test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygger_bench \
        pytest --ds=bench.pg_test_settings tests/test_races.py
"""

from intranet.test_settings import *  # noqa: F403

DATABASES["default"]["TEST"] = {"NAME": "brobygger_bench_test"}  # noqa: F405
