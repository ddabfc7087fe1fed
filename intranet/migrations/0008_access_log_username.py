"""An access log entry keeps the account's user name at the time it was written.

A red-team review found that the application's role may UPDATE auth_user.username, and so
change who the existing entries (which point at the account by `user_id`) appear to belong
to. The new `username` column holds the name as text. On PostgreSQL the BEFORE INSERT
trigger from 0007 now always sets it from auth_user for the entry's `user_id`, overwriting
whatever was sent, for every role (the owner too); the log's guard refuses every UPDATE, so
no role can change it afterwards. grant_app_role gives the application's role INSERT on the
column with the others (intranet/db_roles.py lists every column but `id`).

Entries written before this migration keep an empty name: the name they were written under
is not known any more, and today's would be a guess (the guard also refuses the UPDATE).
SQLite has no trigger; intranet/audit.py fills the column on both databases.
"""

from django.db import migrations, models

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
    -- The account's name as it is now, whatever the INSERT said (no exemption).
    NEW.username := coalesce(
        (SELECT username FROM auth_user WHERE id = NEW.user_id), '');
    RETURN NEW;
END;
$$;
"""

# 0007's trigger function, for going back.
OLD_STAMP = """
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
"""


def _schema(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return schema_editor.quote_name(cursor.fetchone()[0])


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STAMP.format(schema=_schema(schema_editor)), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_STAMP.format(schema=_schema(schema_editor)), params=None)


class Migration(migrations.Migration):
    dependencies = [("intranet", "0007_access_log_timestamps")]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="username",
            field=models.CharField(
                blank=True,
                default="",
                help_text=(
                    "The account's user name when the entry was written. On PostgreSQL the "
                    "database fills it in, whatever the application sends, so renaming the "
                    "account later cannot change whose entry it reads as. Empty on entries "
                    "written before it was recorded."
                ),
                max_length=150,
                verbose_name="user name at the time",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
