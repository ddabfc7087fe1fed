"""The application's database role cannot erase the access log (docs/deployment.md, step 2).

Each attack is sent on a connection that logs in as the app role itself, as gunicorn and the
timers do, and is rolled back afterwards. PostgreSQL only, with DJANGO_DB_APP_ROLE set (CI
sets it; tests/conftest.py has the suite act as that role).
"""

import datetime
import io

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import errors

from intranet.db_roles import ACCESS_LOG_TABLE, app_role_problems

ROLE = settings.DATABASE_APP_ROLE

roles_only = pytest.mark.skipif(
    connection.vendor != "postgresql" or not ROLE,
    reason="database roles are a PostgreSQL set-up: set DATABASE_URL to the owner's login "
    "and DJANGO_DB_APP_ROLE to the application's role (as .ci/run does)",
)

RETENTION = datetime.timedelta(days=settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS)


@pytest.fixture
def app(db):
    """A connection logged in as the app role (not switched to it); its work is rolled back."""
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=ROLE,
        # A refusal that waited for a lock would hang the test instead of failing it.
        options="-c lock_timeout=5s",
    ) as conn:
        assert conn.execute("SELECT session_user").fetchone() == (ROLE,)
        with conn.transaction(force_rollback=True):
            yield conn


@pytest.fixture
def owner_then_app(db):
    """A connection logged in as the owner of the tables, which may write old entries (only
    the owner may backdate one: migration 0007), then `SET ROLE`s to the app role to attack;
    its work is rolled back."""
    params = connection.settings_dict
    with (
        psycopg.connect(
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            dbname=params["NAME"],
            user=params["USER"],
            options="-c lock_timeout=5s",
        ) as conn,
        conn.transaction(force_rollback=True),
    ):
        yield conn


def _become_app(conn):
    conn.execute(f"SET ROLE {ROLE}")
    assert conn.execute("SELECT current_user").fetchone() == (ROLE,)


def _user(conn):
    return conn.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
        " email, is_staff, is_active, date_joined)"
        " VALUES ('!', false, 'app-role-test', '', '', '', false, true, now()) RETURNING id"
    ).fetchone()[0]


def _entry(conn, user_id, *, age):
    return conn.execute(
        "INSERT INTO intranet_accesslogentry"
        " (at, user_id, action, what, person_id, case_id, path, search_term, reason)"
        " VALUES (now() - %s, %s, 'view', 'Sag 1', 1, 1, '', '', '') RETURNING id",
        [age, user_id],
    ).fetchone()[0]


def _entries(conn):
    return conn.execute("SELECT count(*) FROM intranet_accesslogentry").fetchone()[0]


def _refused(conn, statement, error=errors.InsufficientPrivilege):
    with pytest.raises(error) as refused, conn.transaction():
        conn.execute(statement)
    return str(refused.value)


@roles_only
def test_the_suite_acts_as_the_app_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (ROLE,)


@roles_only
def test_the_app_role_owns_nothing_and_has_only_its_privileges(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s",
            [ROLE],
        )
        assert cursor.fetchall() == []
    assert app_role_problems(role=ROLE) == []


@roles_only
def test_the_app_role_reads_and_appends_to_the_log(app):
    before = _entries(app)
    entry = _entry(app, _user(app), age=datetime.timedelta(0))
    assert _entries(app) == before + 1
    assert app.execute(
        "SELECT what FROM intranet_accesslogentry WHERE id = %s", [entry]
    ).fetchone() == ("Sag 1",)


@roles_only
def test_the_app_role_cannot_truncate_the_log(app):
    _entry(app, _user(app), age=datetime.timedelta(0))
    message = _refused(app, f"TRUNCATE {ACCESS_LOG_TABLE}")
    assert "permission denied" in message
    _refused(app, f"TRUNCATE {ACCESS_LOG_TABLE} CASCADE")
    assert _entries(app) == 1


@roles_only
def test_the_app_role_cannot_switch_the_trigger_off(app):
    for statement in (
        f"ALTER TABLE {ACCESS_LOG_TABLE} DISABLE TRIGGER intranet_access_log_append_only",
        f"ALTER TABLE {ACCESS_LOG_TABLE} DISABLE TRIGGER ALL",
        "DROP TRIGGER intranet_access_log_append_only ON intranet_accesslogentry",
        f"DROP TABLE {ACCESS_LOG_TABLE}",
        f"ALTER TABLE {ACCESS_LOG_TABLE} OWNER TO {ROLE}",
    ):
        assert "must be owner" in _refused(app, statement)
    # Nor by telling the session it is a replica (which skips ordinary triggers).
    _refused(app, "SET session_replication_role = replica")


@roles_only
def test_the_app_role_cannot_update_or_delete_entries(owner_then_app):
    app = owner_then_app
    entry = _entry(app, _user(app), age=RETENTION * 2)
    _become_app(app)
    _refused(app, f"UPDATE {ACCESS_LOG_TABLE} SET what = 'tampered' WHERE id = {entry}")  # noqa: S608
    _refused(app, f"DELETE FROM {ACCESS_LOG_TABLE} WHERE id = {entry}")  # noqa: S608
    assert _entries(app) == 1


_CLAIMING = (
    "INSERT INTO intranet_accesslogentry"
    " (at, user_id, username, action, what, person_id, case_id, path, search_term, reason)"
    " VALUES (now(), %s, 'someone_else', 'view', 'Sag 1', 1, 1, '', '', '') RETURNING id"
)
_USERNAME = "SELECT username FROM intranet_accesslogentry WHERE id = %s"


@roles_only
def test_the_app_role_cannot_forge_or_rename_whose_entry_it_is(app):
    user_id = _user(app)
    entry = app.execute(_CLAIMING, [user_id]).fetchone()[0]
    # The database writes the account's real name, whatever the INSERT claimed.
    assert app.execute(_USERNAME, [entry]).fetchone() == ("app-role-test",)

    # Renaming the account (the app role may) leaves the entry under the old name ...
    app.execute("UPDATE auth_user SET username = 'renamed' WHERE id = %s", [user_id])
    assert app.execute(_USERNAME, [entry]).fetchone() == ("app-role-test",)
    # ... which the app role cannot rewrite ...
    _refused(app, f"UPDATE {ACCESS_LOG_TABLE} SET username = 'renamed' WHERE id = {entry}")  # noqa: S608
    # ... and the next entry is written under the new one.
    later = app.execute(_CLAIMING, [user_id]).fetchone()[0]
    assert app.execute(_USERNAME, [later]).fetchone() == ("renamed",)


@roles_only
def test_not_even_the_owner_writes_another_name_into_an_entry(owner_then_app):
    owner = owner_then_app
    entry = owner.execute(_CLAIMING, [_user(owner)]).fetchone()[0]
    assert owner.execute(_USERNAME, [entry]).fetchone() == ("app-role-test",)
    _refused(
        owner,
        f"UPDATE {ACCESS_LOG_TABLE} SET username = 'someone_else' WHERE id = {entry}",  # noqa: S608
        errors.RaiseException,
    )


@roles_only
def test_the_old_prune_flag_opens_nothing(app):
    _entry(app, _user(app), age=datetime.timedelta(0))
    with pytest.raises(errors.InsufficientPrivilege), app.transaction():
        app.execute("SELECT set_config('brobygger.prune_access_log', 'on', true)")
        app.execute(f"DELETE FROM {ACCESS_LOG_TABLE}")  # noqa: S608
    assert _entries(app) == 1


@roles_only
def test_the_app_role_prunes_only_past_the_retention(owner_then_app):
    app = owner_then_app
    user = _user(app)
    _entry(app, user, age=RETENTION + datetime.timedelta(days=1))
    kept = _entry(app, user, age=RETENTION - datetime.timedelta(days=1))
    _become_app(app)

    deleted = app.execute("SELECT brobygger_prune_access_log(%s)", [RETENTION]).fetchone()

    assert deleted == (1,)
    assert app.execute(f"SELECT id FROM {ACCESS_LOG_TABLE}").fetchall() == [(kept,)]  # noqa: S608


@roles_only
def test_the_app_role_cannot_prune_inside_the_retention(owner_then_app):
    app = owner_then_app
    user = _user(app)
    _entry(app, user, age=datetime.timedelta(0))
    _entry(app, user, age=RETENTION - datetime.timedelta(days=1))
    _entry(app, user, age=RETENTION - datetime.timedelta(days=500))
    _become_app(app)
    for keep in (
        "'0'",
        "'1 second'",
        f"'{RETENTION.days - 1} days'",
        "'-1 day'",
        "NULL",
        # Months: interval comparison counts one as 30 days, the calendar ~30.44. Each
        # passed 0006's `keep < minimum` with a cut-off far inside the retention.
        "'-1000 mon 32008 days'",
        f"'-1000 mon {30000 + RETENTION.days} days'",
        f"'-10000 mon {300000 + RETENTION.days} days'",  # a cut-off years in the future
    ):
        message = _refused(app, f"SELECT brobygger_prune_access_log({keep}::interval)")
        assert f"kept at least {RETENTION.days} days" in message
    assert _entries(app) == 3


@roles_only
def test_the_app_role_cannot_choose_an_entrys_id(app):
    """An id ahead of the sequence would make every later entry fail (duplicate key): the
    log, and so every page that shows case data, would stop."""
    user = _user(app)
    for id_ in (
        f"nextval(pg_get_serial_sequence('{ACCESS_LOG_TABLE}', 'id'))",
        "(SELECT coalesce(max(id), 0) + 1 FROM intranet_accesslogentry)",
        "1",
    ):
        message = _refused(
            app,
            f"INSERT INTO {ACCESS_LOG_TABLE}"  # noqa: S608
            " (id, at, user_id, action, what, person_id, case_id, path, search_term, reason)"
            f" VALUES ({id_}, now(), {user}, 'view', 'Sag 1', 1, 1, '', '', '')",
        )
        assert "permission denied" in message
    _refused(app, f"INSERT INTO {ACCESS_LOG_TABLE} SELECT * FROM {ACCESS_LOG_TABLE}")  # noqa: S608
    # Entries still go in, numbered by the sequence.
    first = _entry(app, user, age=datetime.timedelta(0))
    assert _entry(app, user, age=datetime.timedelta(0)) > first


@roles_only
def test_the_app_role_cannot_backdate_or_postdate_an_entry(app):
    """A backdated entry is forged evidence, which the next prune would then remove."""
    user = _user(app)
    for age in (
        RETENTION + datetime.timedelta(days=1),
        datetime.timedelta(days=1),
        datetime.timedelta(minutes=6),
        -datetime.timedelta(minutes=6),
        -datetime.timedelta(days=365),
    ):
        with pytest.raises(errors.InsufficientPrivilege) as refused, app.transaction():
            _entry(app, user, age=age)
        assert "written at the time they happen" in str(refused.value)
    assert _entries(app) == 0
    _entry(app, user, age=datetime.timedelta(minutes=1))  # clocks a little apart: fine
    assert _entries(app) == 1


@roles_only
def test_the_self_check_finds_a_grant_of_the_logs_id(db, table_owner):
    with table_owner(), connection.cursor() as cursor:
        cursor.execute(f"GRANT INSERT (id) ON {ACCESS_LOG_TABLE} TO {ROLE}")
    assert app_role_problems(role=ROLE) == [
        f"{ROLE} may INSERT the id column of {ACCESS_LOG_TABLE}."
    ]
    with table_owner(), connection.cursor() as cursor:
        cursor.execute(f"GRANT INSERT ON {ACCESS_LOG_TABLE} TO {ROLE}")
    assert f"{ROLE} has INSERT on {ACCESS_LOG_TABLE}." in app_role_problems(role=ROLE)


@roles_only
def test_the_app_role_cannot_shorten_the_retention(app):
    _entry(app, _user(app), age=datetime.timedelta(0))
    for statement in (
        "CREATE OR REPLACE FUNCTION brobygger_access_log_retention() RETURNS interval"
        " LANGUAGE sql AS $$ SELECT interval '0' $$",
        "ALTER FUNCTION brobygger_access_log_retention() RENAME TO old_retention",
        "ALTER FUNCTION brobygger_prune_access_log(interval) SECURITY INVOKER",
    ):
        message = _refused(app, statement)
        assert "must be owner" in message or "permission denied" in message
    # A function of its own of the same name in its temporary schema changes nothing: the
    # prune function's search_path is pinned with pg_temp last.
    app.execute(
        "CREATE FUNCTION pg_temp.brobygger_access_log_retention() RETURNS interval"
        " LANGUAGE sql AS $$ SELECT interval '0' $$"
    )
    _refused(app, "SELECT brobygger_prune_access_log('1 day')")
    assert _entries(app) == 1


@roles_only
def test_grant_app_role_refuses_the_app_role_itself(db, settings):
    """Run with the application's own login, the command changes nothing and says so."""
    with pytest.raises(CommandError, match="does not own"):
        call_command("grant_app_role", stdout=io.StringIO())


@roles_only
def test_tables_from_later_migrations_get_the_app_roles_privileges(db, table_owner):
    with table_owner(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE brobygger_future (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO brobygger_future DEFAULT VALUES")
        cursor.execute("SELECT count(*) FROM brobygger_future")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT has_table_privilege(current_user, 'brobygger_future', 'TRUNCATE')")
        assert cursor.fetchone() == (False,)


@roles_only
def test_grant_app_role_writes_a_new_retention_the_prune_then_honours(db, settings, table_owner):
    settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS = 30
    with table_owner():
        call_command("grant_app_role", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT brobygger_access_log_retention()")
        assert cursor.fetchone() == (datetime.timedelta(days=30),)
    call_command("prune_access_log", stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no roles to grant")
def test_grant_app_role_says_sqlite_has_no_roles(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", "--role", "brobygger_app", stdout=io.StringIO())
