"""On PostgreSQL the retention job compares times, and a log entry is stamped when written.

A red-team review of 0006 found two holes the application's role could use:

- `brobygger_prune_access_log` compared its `keep` interval with the retention as
  intervals, where a month counts as 30 days: `'-1000 mon 32008 days'` passed the check yet
  put the cut-off some 1,572 days back, well inside the retention (only the trigger stopped
  the delete). It now works out the cut-off, `now() - keep`, and refuses one later than
  `now() - retention`, or one in the future. Same owner, SECURITY DEFINER, pinned
  search_path and EXECUTE grants as before (CREATE OR REPLACE keeps owner and grants).
- Any `at` went in: a backdated entry is forged evidence, which the next prune then
  removes. A BEFORE INSERT trigger refuses an `at` more than five minutes from the
  database's clock (clock_timestamp(), so a long transaction still logs its own time). Only
  the owner of the table is exempt (restores, and the tests that need old entries); the
  application's role never is.

The third, that it could INSERT an `id` ahead of the sequence, is closed by its grants:
INSERT on every column but `id` (intranet/db_roles.py). SQLite has none of this.
"""

from django.db import migrations

PRUNE = """
CREATE OR REPLACE FUNCTION brobygger_prune_access_log(keep interval) RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    AS $$
DECLARE
    minimum interval := brobygger_access_log_retention();
    cutoff timestamptz := now() - keep;
    deleted bigint;
BEGIN
    -- Timestamps, not intervals: interval comparison counts a month as 30 days.
    IF cutoff IS NULL OR cutoff > now() - minimum OR cutoff > now() THEN
        RAISE EXCEPTION 'The access log is kept at least %; pruning after % is refused',
            minimum, coalesce(keep::text, 'NULL')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM intranet_accesslogentry WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION brobygger_prune_access_log(interval) FROM PUBLIC;
"""

STAMP = """
CREATE OR REPLACE FUNCTION intranet_access_log_stamp() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = {schema}, pg_temp
    AS $$
BEGIN
    IF NEW.at IS NULL OR abs(extract(epoch FROM NEW.at - clock_timestamp())) > 300 THEN
        IF current_user <> (SELECT pg_get_userbyid(relowner) FROM pg_class
                            WHERE oid = TG_RELID) THEN
            RAISE EXCEPTION 'Access log entries are written at the time they happen'
                ' (at % refused, the database''s time is %)', NEW.at, clock_timestamp()
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER intranet_access_log_stamped
    BEFORE INSERT ON intranet_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION intranet_access_log_stamp();
"""

# 0006's retention job, for going back.
OLD_PRUNE = """
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
DROP TRIGGER IF EXISTS intranet_access_log_stamped ON intranet_accesslogentry;
DROP FUNCTION IF EXISTS intranet_access_log_stamp();
"""


def _schema(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return schema_editor.quote_name(cursor.fetchone()[0])


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = _schema(schema_editor)
    schema_editor.execute(PRUNE.format(schema=schema), params=None)
    schema_editor.execute(STAMP.format(schema=schema), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_PRUNE.format(schema=_schema(schema_editor)), params=None)


class Migration(migrations.Migration):
    dependencies = [("intranet", "0006_access_log_retention_guard")]

    operations = [migrations.RunPython(create, drop)]
