"""Backup and restore drill on PostgreSQL: dump, restore into a fresh database, compare.

    .venv/bin/python scripts/backup_drill.py [--server postgres://postgres@127.0.0.1:5432]

Builds a source database (migrate + demo data), dumps it with pg_dump (custom format),
restores the dump into a new database with pg_restore, then compares every table of the
public schema: row count and an md5 over all rows in a stable order. Exits non-zero on
any difference. The two drill databases are dropped afterwards.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SOURCE, RESTORED = "brobygger_drill_source", "brobygger_drill_restored"


def run(*args, **kwargs):
    subprocess.run(args, check=True, **kwargs)  # noqa: S603


def recreate(server, name):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    server = args.server.rstrip("/")
    python = sys.executable
    env = {**os.environ, "DATABASE_URL": f"{server}/{SOURCE}", "DJANGO_DEBUG": "1"}
    env["PGOPTIONS"] = "-c lock_timeout=5s"

    recreate(server, SOURCE)
    try:
        run(python, "manage.py", "migrate", "--noinput", "-v0", cwd=ROOT, env=env)
        run(python, "manage.py", "demo_data", cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "brobygger.dump"
            run("pg_dump", "--format=custom", f"--file={dump}", f"{server}/{SOURCE}")
            recreate(server, RESTORED)
            run(
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={server}/{RESTORED}",
                str(dump),
            )
        before, after = fingerprint(f"{server}/{SOURCE}"), fingerprint(f"{server}/{RESTORED}")
    finally:
        drop(server, SOURCE)
        drop(server, RESTORED)

    differences = [
        table for table in sorted(set(before) | set(after)) if before.get(table) != after.get(table)
    ]
    rows = sum(count for count, _digest in before.values())
    print(
        f"Backup drill: {len(before)} tables, {rows} rows compared, {len(differences)} differences."
    )
    for table in differences:
        print(f"  DIFFERENT {table}: {before.get(table)} != {after.get(table)}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
