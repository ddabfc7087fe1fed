"""manage.py demo_data: the invented Bækkeby Kommune (workflows/demo), missing parts only."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intranet.roles import ROLES
from workflows.demo.build import build_demo
from workflows.demo.data import DEMO_PASSWORD, LOGIN_URL, MUNICIPALITY, STAFF


class Command(BaseCommand):
    help = (
        f"Create the invented {MUNICIPALITY}: pages, quality standards, teams, partners, "
        "demo users and referral cases. Safe to run again: only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run without DJANGO_DEBUG (tests). Never on a production database.",
        )

    # All or nothing: a case left half-way through the process would be skipped next time.
    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo users share a published password and one is a superuser: "
                "demo_data runs only with DJANGO_DEBUG=1 (or --force, never in production)."
            )
        if options["verbosity"] < 2:
            # Each page save logs Wagtail's audit line and a search-index task at INFO:
            # hundreds of lines that would bury the logins printed at the end.
            for name in ("wagtail", "django_tasks"):
                logging.getLogger(name).setLevel(logging.WARNING)
        users = build_demo()
        if options["verbosity"] >= 1:
            self._print_logins(users)

    def _print_logins(self, users):
        self.stdout.write(self.style.SUCCESS(f"Demodata for {MUNICIPALITY} er på plads."))
        self.stdout.write(
            f"Log ind på {LOGIN_URL} med en af brugerne nedenfor og adgangskoden {DEMO_PASSWORD}"
        )
        for username, user in users.items():
            role_labels = ", ".join(str(ROLES[key].label) for key in STAFF[username][3])
            teams = ", ".join(_team_titles(user))
            suffix = f" ({teams})" if teams else ""
            self.stdout.write(f"  {username:<20} {user.get_full_name():<26} {role_labels}{suffix}")


def _team_titles(user):
    member = getattr(user, "staff_member", None)
    if member is None:
        return []
    return list(member.teams.order_by("title").values_list("title", flat=True))
