"""Backup and restore drill on PostgreSQL: dump, restore into a fresh database, compare.

    .venv/bin/python scripts/backup_drill.py [--server postgres://postgres@127.0.0.1:5432]
        [--owner brobygger] [--app-role brobygger_app]

Builds a source database as production has it (docs/deployment.md): the owner role runs
migrate and grant_app_role, the application's role loads the demo data. Dumps it with
pg_dump (custom format), restores the dump into a new database with pg_restore (owners and
privileges included), then compares every table of the public schema (row count and an
md5 over all rows in a stable order) and what guards the access log: every table's owner
and privileges, the functions (owner, SECURITY DEFINER, pinned search_path, privileges,
body), the triggers and the default privileges. Last, it attacks the restored database as
the application's role: TRUNCATE of the access log and a prune inside its retention must
be refused, and `grant_app_role --check` must find nothing wrong. Exits non-zero on any
difference or anything let through. The server login must be a superuser: the drill
creates the two roles if they are missing. The two drill databases are dropped afterwards.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SOURCE, RESTORED = "brobygger_drill_source", "brobygger_drill_restored"


def run(*args, **kwargs):
    subprocess.run(args, check=True, **kwargs)  # noqa: S603


def as_user(server, user, name):
    """The URL of database `name` on `server`, logging in as `user` (no password: trust)."""
    parts = urlsplit(server)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}", path=f"/{name}"))


def ensure_roles(server, owner, app_role):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for role in (owner, app_role):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))


def recreate(server, name, owner):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )


def drop(server, name):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def fingerprint(url):
    """{table: (row count, md5 of all rows)} for every table in the public schema."""
    result = {}
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            result[table] = tuple(conn.execute(query).fetchone())
    return result


# What keeps the access log append-only, as rows to compare between source and restore.
GUARDS = {
    "tables": "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl::text"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY 1",
    "column privileges": "SELECT c.relname, a.attname, a.attacl::text FROM pg_attribute a"
    " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND a.attacl IS NOT NULL ORDER BY 1, 2",
    "functions": "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.prosecdef,"
    " p.proconfig::text, p.proacl::text, md5(p.prosrc) FROM pg_proc p"
    " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
    "triggers": "SELECT t.tgrelid::regclass::text, t.tgname, t.tgenabled, t.tgtype,"
    " t.tgfoid::regprocedure::text FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1, 2",
    "default privileges": "SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype,"
    " d.defaclacl::text FROM pg_default_acl d LEFT JOIN pg_namespace n"
    " ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3",
}


def guards(url):
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in GUARDS.items()}


def attacks(url):
    """What the application's role got through on the restored access log (should be [])."""
    let_through = []
    with psycopg.connect(url, options="-c lock_timeout=5s") as conn:
        for attack in (
            "TRUNCATE intranet_accesslogentry",
            "ALTER TABLE intranet_accesslogentry DISABLE TRIGGER ALL",
            "DELETE FROM intranet_accesslogentry",
            "SELECT brobygger_prune_access_log('0')",
            "SELECT brobygger_prune_access_log('-1000 mon 32008 days')",
            # An id ahead of the sequence (every later entry would fail), a backdated entry.
            "INSERT INTO intranet_accesslogentry"
            " (id, at, user_id, action, what, path, search_term, reason)"
            " SELECT nextval(pg_get_serial_sequence('intranet_accesslogentry', 'id')),"
            " now(), min(id), 'view', 'x', '', '', '' FROM auth_user",
            "INSERT INTO intranet_accesslogentry"
            " (at, user_id, action, what, path, search_term, reason)"
            " SELECT now() - interval '1 day', min(id), 'view', 'x', '', '', '' FROM auth_user",
        ):
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(attack)
            except psycopg.errors.InsufficientPrivilege:
                continue
            let_through.append(attack)
    return let_through


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--owner", default="brobygger", help="the role that owns the tables")
    parser.add_argument(
        "--app-role",
        default=os.environ.get("DJANGO_DB_APP_ROLE") or "brobygger_app",
        help="the application's role (default: DJANGO_DB_APP_ROLE, else brobygger_app)",
    )
    args = parser.parse_args()
    server = args.server.rstrip("/")
    python = sys.executable
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_DB_APP_ROLE": args.app_role}
    as_owner = {**env, "DATABASE_URL": as_user(server, args.owner, SOURCE)}
    as_owner["PGOPTIONS"] = "-c lock_timeout=5s"
    as_app = {**env, "DATABASE_URL": as_user(server, args.app_role, SOURCE)}

    ensure_roles(server, args.owner, args.app_role)
    recreate(server, SOURCE, args.owner)
    try:
        run(python, "manage.py", "migrate", "--noinput", "-v0", cwd=ROOT, env=as_owner)
        run(python, "manage.py", "grant_app_role", "-v0", cwd=ROOT, env=as_owner)
        run(python, "manage.py", "demo_data", cwd=ROOT, env=as_app, stdout=subprocess.DEVNULL)
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "brobygger.dump"
            run("pg_dump", "--format=custom", f"--file={dump}", f"{server}/{SOURCE}")
            recreate(server, RESTORED, args.owner)
            run("pg_restore", "--exit-on-error", f"--dbname={server}/{RESTORED}", str(dump))
        before, after = fingerprint(f"{server}/{SOURCE}"), fingerprint(f"{server}/{RESTORED}")
        guards_before, guards_after = guards(f"{server}/{SOURCE}"), guards(f"{server}/{RESTORED}")
        restored_as_app = as_user(server, args.app_role, RESTORED)
        let_through = attacks(restored_as_app)
        check = subprocess.run(  # noqa: S603
            [python, "manage.py", "grant_app_role", "--check", "-v0"],
            cwd=ROOT,
            env={**as_app, "DATABASE_URL": restored_as_app},
            capture_output=True,
            text=True,
        )
    finally:
        drop(server, SOURCE)
        drop(server, RESTORED)

    differences = [
        table for table in sorted(set(before) | set(after)) if before.get(table) != after.get(table)
    ]
    guard_differences = [name for name in GUARDS if guards_before[name] != guards_after[name]]
    rows = sum(count for count, _digest in before.values())
    print(
        f"Backup drill: {len(before)} tables, {rows} rows compared, {len(differences)} "
        f"differences; owners, privileges, functions and triggers: "
        f"{len(guard_differences)} differences; attacks as {args.app_role} on the "
        f"restored access log: {len(let_through)} let through."
    )
    for table in differences:
        print(f"  DIFFERENT {table}: {before.get(table)} != {after.get(table)}")
    for name in guard_differences:
        source, restored = set(guards_before[name]), set(guards_after[name])
        print(f"  DIFFERENT {name} (first ten rows each way):")
        for row in sorted(source - restored, key=str)[:10]:
            print(f"    only in the source:   {row}")
        for row in sorted(restored - source, key=str)[:10]:
            print(f"    only in the restored: {row}")
    for attack in let_through:
        print(f"  LET THROUGH as {args.app_role}: {attack}")
    if check.returncode:
        problems = check.stderr.strip().splitlines()
        print(f"  grant_app_role --check on the restored database ({len(problems)} lines):")
        print("\n".join(problems[:20]))
    return 1 if differences or guard_differences or let_through or check.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
