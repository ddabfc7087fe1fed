"""The application's PostgreSQL role: what it may do, and the check that it may do no more.

The owner of the tables runs the migrations. The application (gunicorn, the timers, the
retention jobs) logs in as another role, settings.DATABASE_APP_ROLE: reads and writes on
every table, but on the access log only SELECT, INSERT on every column but `id` (the id
always comes from the sequence, so no row can take the next one's and make every later
write fail), and EXECUTE on the retention job's function
(intranet/migrations/0006_access_log_retention_guard.py, 0007). It owns nothing, so it can
neither TRUNCATE the log nor switch its triggers off. docs/deployment.md, steps 2-4.
"""

import re

from django.db import connection, transaction

from .models import AccessLogEntry

ACCESS_LOG_TABLE = AccessLogEntry._meta.db_table
PRUNE_FUNCTION = "brobygger_prune_access_log(interval)"
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
ACCESS_LOG_PRIVILEGES = ("SELECT",)
# Everything else a table privilege can be: none of it on the log (INSERT per column).
ACCESS_LOG_REFUSED = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
ACCESS_LOG_INSERT_COLUMNS = tuple(
    field.column for field in AccessLogEntry._meta.concrete_fields if not field.primary_key
)
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class NotTheOwner(Exception):
    """The connection may not hand out privileges on the tables."""


def _role(role: str) -> str:
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"Not a plain PostgreSQL role name: {role!r}")
    return connection.ops.quote_name(role)


def _one(cursor, query, params=()):
    cursor.execute(query, params)
    return cursor.fetchone()


@transaction.atomic
def app_role_grant(*, role: str, retention_days: int) -> None:
    """Give `role` its privileges and write the access log's retention into the database.

    Run by the owner of the tables (or a superuser) after every migrate. Idempotent: takes
    away whatever else the role was given on the tables. Tables later migrations create get
    the same privileges through the owner's default privileges.
    """
    quoted = _role(role)
    with connection.cursor() as cursor:
        owner, schema, may_grant = _one(
            cursor,
            "SELECT pg_get_userbyid(c.relowner), current_schema(),"
            " pg_has_role(current_user, c.relowner, 'USAGE')"
            " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
            " FROM pg_class c WHERE c.oid = to_regclass(%s)",
            [ACCESS_LOG_TABLE],
        ) or (None, None, False)
        if not may_grant:
            raise NotTheOwner(
                f"Connected as a role that does not own {ACCESS_LOG_TABLE}: run this with "
                "the owner's DATABASE_URL, after migrate (docs/deployment.md, step 4)."
            )
        if owner == role:
            raise NotTheOwner(f"{role} owns the tables: the application needs a role of its own.")
        schema, owner = connection.ops.quote_name(schema), connection.ops.quote_name(owner)
        log = connection.ops.quote_name(ACCESS_LOG_TABLE)
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}",
            f"GRANT {', '.join(TABLE_PRIVILEGES)} ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
            f"REVOKE {', '.join(ACCESS_LOG_REFUSED)} ON {log} FROM {quoted}, PUBLIC",
            f"GRANT INSERT ({', '.join(map(connection.ops.quote_name, ACCESS_LOG_INSERT_COLUMNS))})"
            f" ON {log} TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}"
            f" GRANT {', '.join(TABLE_PRIVILEGES)} ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema}"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
            f"REVOKE ALL ON FUNCTION {PRUNE_FUNCTION} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {PRUNE_FUNCTION} TO {quoted}",
            # The floor brobygger_prune_access_log and the trigger enforce (migration 0005).
            "CREATE OR REPLACE FUNCTION brobygger_access_log_retention() RETURNS interval"
            f" LANGUAGE sql STABLE AS $$ SELECT make_interval(days => {int(retention_days)}) $$",
        ):
            cursor.execute(statement)


def app_role_problems(*, role: str) -> list[str]:
    """What `role` may do that would let it erase the log, or lacks to run the application.

    Empty when the set-up is as docs/deployment.md describes.
    """
    _role(role)
    problems = []
    with connection.cursor() as cursor:
        found = _one(
            cursor,
            "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s",
            [role],
        )
        if found is None:
            return [f"The role {role} does not exist."]
        superuser, createrole = found
        if superuser:
            problems.append(f"{role} is a superuser.")
        if createrole:
            problems.append(f"{role} may create roles (and so join the owner's).")
        (owner,) = _one(
            cursor,
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(%s)",
            [ACCESS_LOG_TABLE],
        )
        if owner == role or _one(cursor, "SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])[0]:
            problems.append(f"{role} is, or is a member of, {owner}, the owner of the tables.")
        if _one(cursor, "SELECT has_schema_privilege(%s, current_schema(), 'CREATE')", [role])[0]:
            problems.append(f"{role} may create objects in the schema.")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s"
            " UNION ALL SELECT p.proname FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema() AND pg_get_userbyid(p.proowner) = %s"
            " ORDER BY 1",
            [role, role],
        )
        problems += [f"{role} owns {name}." for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, privilege, has_table_privilege(%s, c.oid, privilege)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
            " unnest(%s::text[]) AS privilege"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " ORDER BY 1, 2",
            [role, sorted({*TABLE_PRIVILEGES, *ACCESS_LOG_REFUSED})],
        )
        for table, privilege, held in cursor.fetchall():
            if table == ACCESS_LOG_TABLE:
                wanted = privilege in ACCESS_LOG_PRIVILEGES
            elif privilege in TABLE_PRIVILEGES:
                wanted = True
            else:
                continue
            if held != wanted:
                problems.append(f"{role} {'lacks' if wanted else 'has'} {privilege} on {table}.")
        cursor.execute(
            "SELECT a.attname, has_column_privilege(%s, a.attrelid, a.attnum, 'INSERT')"
            " FROM pg_attribute a WHERE a.attrelid = to_regclass(%s)"
            " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            [role, ACCESS_LOG_TABLE],
        )
        for column, held in cursor.fetchall():
            wanted = column in ACCESS_LOG_INSERT_COLUMNS
            if held != wanted:
                problems.append(
                    f"{role} {'may not' if wanted else 'may'} INSERT the {column} column"
                    f" of {ACCESS_LOG_TABLE}."
                )
        if not _one(
            cursor,
            "SELECT has_function_privilege(%s, to_regprocedure(%s), 'EXECUTE')",
            [role, PRUNE_FUNCTION],
        )[0]:
            problems.append(f"{role} may not run the retention job ({PRUNE_FUNCTION}).")
    return problems
