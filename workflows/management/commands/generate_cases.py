"""manage.py generate_cases: synthetic referral cases in bulk, for benchmarks.

Each kind of case is walked once through the services and the flow, then copied in bulk
(workflows/synthetic); docs/benchmarks.md lists what the rows keep.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from pages.models import StandardPage
from workflows.synthetic.generator import CaseGenerator


class Command(BaseCommand):
    help = "Generate synthetic referral cases in bulk (benchmarks only, never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Number of cases.")
        parser.add_argument("--seed", type=int, default=1, help="Seed: same seed, same data.")
        parser.add_argument(
            "--open",
            type=int,
            default=None,
            help="Open cases among them (default: a fifth, at most 300: a team's open "
            "workload is bounded by its staff while its history grows).",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Worker processes (PostgreSQL only); the data does not depend on it.",
        )

    def handle(self, *args, count, seed, open, batch_size, jobs, **options):
        started = time.monotonic()
        if not StandardPage.objects.live().exists():
            call_command("demo_data", force=True, verbosity=0)
        generator = CaseGenerator(seed=seed)
        if open is None:
            open = min(count // 5, 300)
        if connection.vendor != "postgresql":
            jobs = 1
        made = generator.generate(count=count, open_count=open, batch_size=batch_size, jobs=jobs)
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as autovacuum would have them for data grown slowly.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        if options["verbosity"]:
            stages = ", ".join(f"{k} {v}" for k, v in sorted(made.items()))
            self.stdout.write(f"{count} cases in {elapsed:.1f} s ({stages})")
