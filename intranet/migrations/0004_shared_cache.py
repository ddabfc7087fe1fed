"""The table of the "shared" cache (settings.CACHES), Django's database cache.

Made here, not by `manage.py createcachetable`, so that every database the migrations
build has it: production, CI, the benchmark copies and the backup drill alike.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

# settings.SHARED_CACHE_TABLE names the same table (tests/test_concern_form.py checks it).
TABLE = "brobygger_shared_cache"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("intranet", "0003_submission_token")]

    operations = [migrations.RunPython(create_table, drop_table)]
