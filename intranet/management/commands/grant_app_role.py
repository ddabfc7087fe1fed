"""Give the application's PostgreSQL role its privileges, then check it has no more.

Run it as the owner of the tables after every `migrate` (docs/deployment.md, step 4):

    set -a; . /etc/brobygger/env; . /etc/brobygger/owner.env; set +a
    .venv/bin/python manage.py grant_app_role

The role is DJANGO_DB_APP_ROLE (or --role). It gets SELECT, INSERT, UPDATE and DELETE on
every table, only SELECT and INSERT on the access log, and EXECUTE on the retention job's
function; the access log's retention (BROBYGGER_ACCESS_LOG_RETENTION_DAYS) is written into
the database, where the application's role cannot shorten it (intranet.db_roles).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from intranet.db_roles import NotTheOwner, app_role_grant, app_role_problems


class Command(BaseCommand):
    help = (
        "Grant the application's database role (DJANGO_DB_APP_ROLE) its privileges and "
        "write the access log's retention into the database; run as the tables' owner."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--role",
            default=settings.DATABASE_APP_ROLE,
            help="The application's role. Default: DJANGO_DB_APP_ROLE.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the role's privileges; change nothing. Any connection may.",
        )

    def handle(self, *args, role="", check=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL set-up; SQLite has none.")
        if not role:
            raise CommandError("Name the application's role: DJANGO_DB_APP_ROLE or --role.")
        days = settings.BROBYGGER_ACCESS_LOG_RETENTION_DAYS
        try:
            if not check:
                app_role_grant(role=role, retention_days=days)
            problems = app_role_problems(role=role)
        except (NotTheOwner, ValueError) as error:
            raise CommandError(str(error)) from error
        if problems:
            raise CommandError(
                f"The role {role} is not set up as docs/deployment.md describes:\n  "
                + "\n  ".join(problems)
            )
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{role}: reads and writes every table, only reads and appends to the "
                    f"access log, owns nothing"
                    + ("." if check else f"; the log is kept at least {days} days.")
                )
            )
