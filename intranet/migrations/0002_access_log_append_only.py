"""On PostgreSQL the access log is append-only: a trigger refuses UPDATE and DELETE.

Deletion is allowed only inside a transaction that set brobygger.prune_access_log
(intranet.audit.access_log_prune, the retention job). TRUNCATE is left to the table's
owner (the test runner's flush uses it); run the application as a role that does not own
the tables to close that too. SQLite, the try-it-out database, has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION intranet_access_log_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('brobygger.prune_access_log', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The access log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER intranet_access_log_append_only
    BEFORE UPDATE OR DELETE ON intranet_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION intranet_access_log_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS intranet_access_log_append_only ON intranet_accesslogentry;
DROP FUNCTION IF EXISTS intranet_access_log_guard();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("intranet", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
