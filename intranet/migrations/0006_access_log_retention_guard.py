"""On PostgreSQL the access log loses rows only past its retention, whoever asks.

Replaces 0002's session flag (`brobygger.prune_access_log`), which any role with DELETE
could set. Now:

- `brobygger_access_log_retention()` returns how long the log is kept at least. It belongs
  to the owner of the tables; `manage.py grant_app_role` (run as the owner) rewrites it from
  BROBYGGER_ACCESS_LOG_RETENTION_DAYS. This migration writes the setting's value at the
  time it runs.
- The trigger lets a DELETE through only for rows older than that; UPDATE never.
- `brobygger_prune_access_log(keep interval)` is the retention job: SECURITY DEFINER (it
  deletes with the owner's privileges), search_path pinned, and it refuses a `keep` shorter
  than the retention above. The application's role may EXECUTE it (grant_app_role) but has
  no DELETE, UPDATE or TRUNCATE on the log and owns no table, so it cannot erase the log
  any other way.

SQLite, the try-it-out database, has none of this.
"""

from django.conf import settings
from django.db import migrations

RETENTION = """
CREATE OR REPLACE FUNCTION brobygger_access_log_retention() RETURNS interval
    LANGUAGE sql STABLE
    AS $$ SELECT make_interval(days => {days}) $$;
"""

GUARD = """
CREATE OR REPLACE FUNCTION intranet_access_log_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = {schema}, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - brobygger_access_log_retention() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The access log is append-only (% refused)', TG_OP;
END;
$$;
"""

PRUNE = """
CREATE OR REPLACE FUNCTION brobygger_prune_access_log(keep interval) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    AS $$
DECLARE
    minimum interval := brobygger_access_log_retention();
    deleted bigint;
BEGIN
    IF keep IS NULL OR keep < minimum THEN
        RAISE EXCEPTION 'The access log is kept at least %; pruning after % is refused',
            minimum, coalesce(keep::text, 'NULL')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM intranet_accesslogentry WHERE at < now() - keep;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION brobygger_prune_access_log(interval) FROM PUBLIC;
"""

# 0002's guard, for going back.
OLD_GUARD = """
CREATE OR REPLACE FUNCTION intranet_access_log_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('brobygger.prune_access_log', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The access log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS brobygger_prune_access_log(interval);
DROP FUNCTION IF EXISTS brobygger_access_log_retention();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = schema_editor.quote_name(cursor.fetchone()[0])
    days = int(settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS)
    schema_editor.execute(RETENTION.format(days=days), params=None)
    schema_editor.execute(GUARD.format(schema=schema), params=None)
    schema_editor.execute(PRUNE.format(schema=schema), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("intranet", "0005_submission_token_public")]

    operations = [migrations.RunPython(create, drop)]
