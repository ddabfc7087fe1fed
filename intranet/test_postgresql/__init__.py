"""Django's PostgreSQL backend, for the test suite: the test runner's flush runs as the owner.

The suite acts as the application's role (tests/conftest.py, DJANGO_DB_APP_ROLE), which may
not TRUNCATE the access log; emptying the database between transactional tests is the
owner's job, as it would be in production.
"""
