"""Benchmark harness (not part of the test suite): server time and query counts on PostgreSQL.

    python bench/run.py --cases 1000 [--repeat 30] [--seed 1] [--fresh]

Uses (and creates when missing) the database brobygger_bench_<cases> on the local
PostgreSQL, cloned from brobygger_bench_template (migrated, with `demo_data`), fills it with
`generate_cases`, then times the staff and public pages with Django's test client on a
copy of it (brobygger_bench_<cases>_run, dropped afterwards: every run measures the same
data) and appends a dated section to docs/benchmarks.md.
"""

import argparse
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432/"
TEMPLATE_DB = "brobygger_bench_template"
REPORT = ROOT / "docs" / "benchmarks.md"

# Budgets (p95 ms at 100,000 cases) from the issue.
STAFF_BUDGET_MS = 50
BUDGETS = {
    "staff home": STAFF_BUDGET_MS,
    "my tasks": STAFF_BUDGET_MS,
    "team queue": STAFF_BUDGET_MS,
    "case page": STAFF_BUDGET_MS,
    "register referral (POST)": STAFF_BUDGET_MS,
    "triage accept (POST)": STAFF_BUDGET_MS,
    "leader dashboard": 300,
    "annual status report": 2000,
    "public standard page": 30,
}


def _env(database):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=PG + database,
        DJANGO_SETTINGS_MODULE="intranet.test_settings",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "benchmark-only-secret-key"),
        DJANGO_SECURE_SSL_REDIRECT="0",
        # The concern form's rate limit where production keeps it (the database cache).
        DJANGO_SHARED_CACHE="database",
    )
    return env


def _admin_sql(sql, *params):
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _exists(database):
    return bool(_admin_sql("SELECT 1 FROM pg_database WHERE datname = %s", database))


def _manage(database, *args):
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), *args], env=_env(database), check=True
    )


def ensure_template():
    """The template database: migrated, with `demo_data` (built once, migrated each run)."""
    if not _exists(TEMPLATE_DB):
        # Built under another name and renamed when complete: a half-built one is not used.
        building = TEMPLATE_DB + "_building"
        if _exists(building):
            _admin_sql(f'DROP DATABASE "{building}"')
        _admin_sql(f'CREATE DATABASE "{building}"')
        _manage(building, "migrate", "-v0")
        _manage(building, "demo_data", "--force", "-v0")
        _admin_sql(f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE_DB}"')
    # Other work may have added migrations since the template was built.
    _manage(TEMPLATE_DB, "migrate", "-v0")


def ensure_database(database, *, cases, seed, jobs, fresh):
    """The benchmark database with `cases` generated cases; returns seconds spent generating."""
    if not database.startswith("brobygger_bench"):
        raise SystemExit("Only databases named brobygger_bench* are used.")
    ensure_template()
    if fresh and _exists(database):
        _admin_sql(f'DROP DATABASE "{database}"')
    elapsed = None
    if _exists(database):
        _manage(database, "migrate", "-v0")
    else:
        _admin_sql(f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE_DB}"')
        started = time.monotonic()
        _manage(database, "generate_cases", f"--count={cases}", f"--seed={seed}", f"--jobs={jobs}")
        elapsed = time.monotonic() - started
    import psycopg

    # The database as autovacuum keeps a production one whose data grew slowly (autovacuum
    # may be off where benchmarks run): planner statistics, and the visibility map that lets
    # the dashboard read a period's rows from an index alone. A migration that rewrote rows
    # (a backfill) leaves them to be vacuumed again.
    with psycopg.connect(PG + database, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return elapsed


def use_database(database):
    """Point this process's Django connection at `database`."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database


def copy_database(source, name):
    """A fresh copy `name` of `source` (dropped first if it exists), for one run."""
    if not name.startswith("brobygger_bench"):
        raise SystemExit("Only databases named brobygger_bench* are used.")
    from django.db import connection

    connection.close()
    if _exists(name):
        _admin_sql(f'DROP DATABASE "{name}"')
    _admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return name


def run_copy(database, suffix="run"):
    """A copy of `database` for one run (`<database>_<suffix>`), so that every run measures
    the same data.

    A run adds what it posts (referrals, and triage accepts that each give the worker one
    more open task); on the generated database itself, each rerun's task lists were longer.
    """
    copy = f"{database}_{suffix}"
    if _exists(copy):
        _admin_sql(f'DROP DATABASE "{copy}"')
    # FILE_COPY copies the files after a checkpoint; the default (WAL_LOG, PostgreSQL 15)
    # writes the whole copy to the WAL (0.7 GB at 100,000 cases), which the server was
    # still flushing while the pages were timed. Then a checkpoint, so none is due mid-run.
    version = int(_admin_sql("SHOW server_version_num")[0][0])
    strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""  # older: always a file copy
    _admin_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{database}"{strategy}')
    _admin_sql("CHECKPOINT")
    return copy


# --- measuring -----------------------------------------------------------------------------


def p95(samples):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Bench:
    """Pages are added, then measured together in rounds: each round makes one timed request
    to every page, so a spell in which the machine runs slower (docs/benchmarks.md) costs
    every page a sample or two instead of all the samples of whichever page it fell on, and
    the side-by-side pairs (our queue and viewflow's, our standard page and the plain one)
    are measured at the same moments."""

    def __init__(self, repeat, warmup=3):
        self.repeat = repeat
        self.warmup = warmup
        self.rows = []
        self._pending = []

    def add(self, name, persona, request, *, repeat=None):
        """`request()` makes one request and returns the response."""
        self._pending.append((name, persona, request, repeat or self.repeat))

    def add_call(self, name, persona, call, *, repeat=None):
        """The same for a function (no HTTP): the viewflow queue comparison."""

        class _Response:
            status_code = "-"

        def request():
            call()
            return _Response

        self.add(name, persona, request, repeat=repeat)

    def measure(self):
        """Warm up every added page (counting its queries), then time them in rounds."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        pending, self._pending = self._pending, []
        counts = [set() for _ in pending]
        statuses = [set() for _ in pending]
        for index, (_, _, request, _) in enumerate(pending):
            for _ in range(self.warmup):
                with CaptureQueriesContext(connection) as captured:
                    response = request()
                counts[index].add(len(captured))
                statuses[index].add(response.status_code)
        times = [[] for _ in pending]
        cpu_times = [[] for _ in pending]
        for round_ in range(max(repeat for *_, repeat in pending)):
            for index, (_, _, request, repeat) in enumerate(pending):
                if round_ >= repeat:
                    continue
                started, cpu_started = time.perf_counter(), time.process_time()
                response = request()
                times[index].append((time.perf_counter() - started) * 1000)
                cpu_times[index].append((time.process_time() - cpu_started) * 1000)
                statuses[index].add(response.status_code)
        for index, (name, persona, _, _) in enumerate(pending):
            row = {
                "name": name,
                "persona": persona,
                "status": "/".join(str(s) for s in sorted(statuses[index])),
                "queries": "/".join(str(c) for c in sorted(counts[index])),
                "p50": statistics.median(times[index]),
                "p95": p95(times[index]),
                # This process's own CPU time: the rest of the wall time is the database
                # (its work and the round trips) and waiting for a CPU.
                "cpu50": statistics.median(cpu_times[index]),
                "n": len(times[index]),
            }
            self.rows.append(row)
            print(
                f"{name:34} {row['status']:>8} q={row['queries']:>7} "
                f"p50={row['p50']:8.1f} p95={row['p95']:8.1f} cpu={row['cpu50']:6.1f} ms",
                flush=True,
            )


def run(args):
    import django

    django.setup()
    from django.conf import settings

    # Ours plus viewflow's own queue view (for the side-by-side), for the whole run.
    settings.ROOT_URLCONF = "bench.viewflow_urls"
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS
    from wagtail.models import Site

    from pages.models import ConcernFormPage, HomePage, StandardPage, TeamPage
    from workflows import services
    from workflows.flows import ReferralFlow
    from workflows.models import Case, Channel, ReferralSource, Stage

    User = get_user_model()
    worker = User.objects.get(username="skp_nord_1")
    coordinator = User.objects.get(username="koordinator_nord")
    leader = User.objects.get(username="leder")
    team = TeamPage.objects.get(slug="udekoerende-team-nord")
    bench = Bench(args.repeat)

    def client_for(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    as_worker, as_coordinator, as_leader = (
        client_for(worker),
        client_for(coordinator),
        client_for(leader),
    )
    anonymous = Client()

    # Viewflow's own queue page (bench/viewflow_urls.py) on the same data, as the same user:
    # it asks for the flow-wide view permission, given here on the run's copy only (none of
    # our pages reads it).
    coordinator.user_permissions.add(Permission.objects.get(codename="view_caseprocess"))
    from bench.viewflow_urls import QUEUE_URL

    case = (
        Case.objects.filter(team=team, stage=Stage.SUPPORT, primary_worker=worker)
        .order_by("pk")
        .first()
    )
    case_url = reverse("workflows:case_detail", args=[case.pk])
    queue_url = reverse("workflows:team_queue") + f"?team={team.pk}"
    standard = StandardPage.objects.live().get(slug="stoette-og-kontaktperson")
    plain_host = _plain_page(standard, HomePage, Site)

    # First the pages that only read, measured together in rounds (Bench.measure).
    # Calibration: the cheapest request there is; on a loaded machine everything is slower.
    bench.add("health check (calibration)", "anonymous", lambda: anonymous.get("/health/"))
    bench.add("staff home", "worker", lambda: as_worker.get(reverse("staff_home")))
    bench.add("my tasks", "worker", lambda: as_worker.get(reverse("workflows:my_tasks")))
    bench.add("team queue", "coordinator", lambda: as_coordinator.get(queue_url))
    bench.add("viewflow's queue view", "coordinator", lambda: as_coordinator.get(QUEUE_URL))
    bench.add("case page", "worker", lambda: as_worker.get(case_url))
    for name, url_name, repeat in (
        ("leader dashboard", "leader:dashboard", None),
        ("annual status report", "leader:status_report", min(args.repeat, 10)),
    ):
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            print(f"{name}: no URL {url_name}, skipped")
            continue
        bench.add(name, "leader", lambda url=url: as_leader.get(url), repeat=repeat)
    bench.add("public standard page", "anonymous", lambda: anonymous.get(standard.url))
    bench.add(
        "plain Wagtail page, same body",
        "anonymous",
        lambda: anonymous.get("/", HTTP_HOST=plain_host),
    )
    _queue_comparison(bench, coordinator, team, services, Task, STATUS, ReferralFlow)
    bench.measure()

    # Then the posts, after the reads: the referrals they register and the outreach tasks
    # the triage accepts give the worker would lengthen the lists while those were timed.
    source = ReferralSource.objects.filter(active=True).first()

    def register():
        return as_coordinator.post(
            reverse("workflows:referral_register"),
            {
                # Random letters: no earlier bench referral looks like a duplicate of it.
                "person-alias": uuid.uuid4().hex,
                "person-gender": "unknown",
                "person-age_group": "unknown",
                "person-income_source": "unknown",
                "person-marital_status": "unknown",
                "person-living_alone": "unknown",
                "person-housing": "unknown",
                "person-main_problem": "unknown",
                "referral-team": team.pk,
                "referral-received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "referral-channel": Channel.PHONE,
                "referral-source": source.pk,
                "referral-concern": "Sover i opgangen og virker forvirret.",
                # As the rendered form carries one (the referral form's prefix): the once-only
                # check is part of the request.
                "referral-submission_token": str(uuid.uuid4()),
            },
        )

    bench.add("register referral (POST)", "coordinator", register)

    # Fresh triage tasks, registered and claimed through the services (not timed).
    fresh = claimed_triage_tasks(
        bench.warmup + args.repeat, team=team, source=source, coordinator=coordinator
    )
    fresh_iter = iter(task.pk for task, _ in fresh)

    def triage_accept():
        task_pk = next(fresh_iter)
        return as_coordinator.post(
            reverse("workflows:task", args=[task_pk]),
            {"decision": "accept", "primary_worker": worker.pk},
        )

    bench.add("triage accept (POST)", "coordinator", triage_accept)

    concern_page = ConcernFormPage.objects.live().first()
    if concern_page is None:
        print("public concern form: no live ConcernFormPage, skipped")
    else:
        addresses = iter(range(1, 100000))

        def concern_post():
            # Each post from another address: the rate limit (counted in the database cache,
            # as in production) lets every one through, as it would real citizens' forms.
            number = next(addresses)
            return anonymous.post(
                concern_page.url,
                {
                    "team": str(concern_page.receiving_teams().first().pk),
                    "alias": "Manden med hunden",
                    "place": "Bænken ved stationen",
                    "concern": "Sover ude og virker syg.",
                    "age_group": "unknown",
                    "submission_token": str(uuid.uuid4()),  # as the rendered form carries one
                },
                REMOTE_ADDR=f"10.{number // 65536}.{number // 256 % 256}.{number % 256}",
            )

        bench.add("public concern form (POST)", "anonymous", concern_post)
    bench.measure()
    return bench


def claimed_triage_tasks(count, *, team, source, coordinator, alias="Triage"):
    """`count` new referrals for `team`, registered through the services, their triage tasks
    taken by `coordinator`: [(task, case)]."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows import services
    from workflows.flows import ReferralFlow
    from workflows.models import Channel, Person

    claimed = []
    for _ in range(count):
        case = services.referral_register(
            team=team,
            person=Person(alias=f"{alias} {uuid.uuid4().hex[:8]}"),
            concern="Bekymring.",
            channel=Channel.PHONE,
            source=source,
            registered_by=coordinator,
        )
        task = Task.objects.get(
            process_id=case.process_id, flow_task=ReferralFlow.triage, status=STATUS.NEW
        )
        services.task_claim(task=task, user=coordinator)
        claimed.append((task, case))
    return claimed


def _plain_page(standard, HomePage, Site):
    """A plain page (HomePage type, no children) with the standard's text, on its own host."""
    host = "127.0.0.1"
    site = Site.objects.filter(hostname=host).first()
    if site is not None:
        return host
    sections = "".join(f"<h2>{heading}</h2>{text}" for heading, text in standard.sections)
    root = HomePage.objects.first().get_parent()
    page = HomePage(
        title=standard.title, slug="bench-plain", intro=sections, body=standard.body.raw_data
    )
    root.add_child(instance=page)
    page.save_revision().publish()
    Site.objects.create(hostname=host, port=80, root_page=page, is_default_site=False)
    return host


def _queue_comparison(bench, coordinator, team, services, Task, STATUS, ReferralFlow):
    """Our team queue's data against the queryset viewflow's own queue view runs.

    Both are compared as their views use them, a page of 25 with the total count
    (`workflows.views.team_queue`, viewflow's FlowQueueListView); the whole queue is
    timed too, for what a team with a long queue would cost without pages.
    """
    from django.core.paginator import Paginator

    from workflows.views import QUEUE_PAGE_SIZE

    def ours():
        return services.task_rows(coordinator, services.team_queue(coordinator, team))

    def ours_page():
        page = Paginator(services.team_queue(coordinator, team), QUEUE_PAGE_SIZE).get_page(1)
        return services.task_rows(coordinator, page.object_list), page.paginator.count

    def viewflow_tasks():
        # viewflow.workflow.flow.views.list.FlowQueueListView.queryset, evaluated with the
        # columns that view shows (title, process, created); it pages by 25.
        return (
            Task.objects.all()
            .select_related("process")
            .user_queue(coordinator, flow_class=ReferralFlow)
            .filter(status=STATUS.NEW)
            .order_by("-created")
        )

    def viewflow_queue():
        return [(t.pk, t.process_id, str(t.title), t.created) for t in viewflow_tasks()]

    def viewflow_queue_page():
        tasks = viewflow_tasks()
        rows = [(t.pk, t.process_id, str(t.title), t.created) for t in tasks[:QUEUE_PAGE_SIZE]]
        return rows, tasks.count()

    bench.add_call("queue data: ours, page of 25", "coordinator", ours_page)
    bench.add_call(
        "queue data: viewflow user_queue, page of 25", "coordinator", viewflow_queue_page
    )
    bench.add_call("queue data: ours, whole queue", "coordinator", ours)
    bench.add_call("queue data: viewflow user_queue, all", "coordinator", viewflow_queue)
    bench.queue_sizes = (
        len(ours()),
        len(viewflow_queue()),
    )


# --- the report ----------------------------------------------------------------------------


def _machine(database):
    from importlib.metadata import version

    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory_kb = int(
        next(
            line for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
        ).split()[1]
    )
    return {
        "nproc": os.cpu_count(),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "django": get_version(),
        "wagtail": version("wagtail"),
        "viewflow": version("django-viewflow"),
        "postgresql": pg,
        "database": database,
    }


def _data_size():
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in (
            "workflows_case",
            "viewflow_task",
            "workflows_contactlog",
            "intranet_accesslogentry",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM workflows_case WHERE stage <> 'closed'")
        counts["open cases"] = cursor.fetchone()[0]
    return counts


def publish(lines, *, no_report=False):
    """Print a report's lines and, unless `no_report`, append them to docs/benchmarks.md."""
    print("\n".join(lines))
    if not no_report:
        with REPORT.open("a", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")


def write_report(bench, *, args, machine, size, generated_in, load_before, load_after):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {now}: {args.cases:,} cases (seed {args.seed}, {args.repeat} timed requests)",
        "",
        "Machine: {nproc} CPUs, {memory} memory; Python {python}, Django {django}, "
        "Wagtail {wagtail}, django-viewflow {viewflow}, PostgreSQL {postgresql}; "
        "a copy of database `{database}` made for the run.".format(**machine),
        f"Load average (1 min) before/after the run: {load_before:.2f} / {load_after:.2f} "
        "(above about 1, other work competed for the CPUs).",
        "Data: " + ", ".join(f"{name} {count:,}" for name, count in size.items()) + ".",
    ]
    if generated_in is not None:
        lines.append(
            f"`generate_cases --count {args.cases} --jobs {args.jobs}` took "
            f"{generated_in:.0f} s (wall clock, including Django start-up)."
        )
    if getattr(bench, "queue_sizes", None):
        ours, theirs = bench.queue_sizes
        lines.append(
            f"Queue sizes: our team queue {ours} tasks (team Nord, open tasks of every "
            f"status); viewflow's user_queue {theirs} (NEW tasks of every team)."
        )
    lines += [
        "",
        "| what | persona | HTTP | queries | p50 ms | p95 ms | CPU p50 ms "
        "| budget p95 (at 100k) | within |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    plain = next((r for r in bench.rows if r["name"].startswith("plain Wagtail")), None)
    viewflow = next((r for r in bench.rows if r["name"] == "viewflow's queue view"), None)
    for row in bench.rows:
        budget = BUDGETS.get(row["name"])
        budget_text, held = "", ""
        if budget is not None:
            budget_text = f"< {budget} ms"
            held = "yes" if row["p95"] < budget else "**no**"
        if row["name"] == "public standard page" and plain is not None:
            ratio = row["p95"] / plain["p95"]
            budget_text += " and ≤ 1.2 × plain page"
            held += f"; {ratio:.2f} × plain" + ("" if ratio <= 1.2 else " (**over**)")
        if row["name"] == "team queue" and viewflow is not None:
            ratio = row["p95"] / viewflow["p95"]
            budget_text += " and ≤ viewflow's queue view"
            held += f"; {ratio:.2f} × viewflow's" + ("" if ratio <= 1 else " (**slower**)")
        lines.append(
            f"| {row['name']} | {row['persona']} | {row['status']} | {row['queries']} | "
            f"{row['p50']:.1f} | {row['p95']:.1f} | {row['cpu50']:.1f} | {budget_text} | {held} |"
        )
    if not REPORT.exists():
        REPORT.write_text("# Benchmarks\n")
    with REPORT.open("a") as report:
        report.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="generate_cases worker processes")
    parser.add_argument("--db", default="", help="default: brobygger_bench_<cases>")
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--no-report", action="store_true", help="do not write the report")
    args = parser.parse_args()
    database = args.db or f"brobygger_bench_{args.cases}"
    generated_in = ensure_database(
        database, cases=args.cases, seed=args.seed, jobs=args.jobs, fresh=args.fresh
    )
    copy = run_copy(database)
    os.environ.update(_env(copy))
    try:
        load_before = os.getloadavg()[0]
        bench = run(args)
        load_after = os.getloadavg()[0]
        machine, size = _machine(database), _data_size()
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(f'DROP DATABASE IF EXISTS "{copy}"')
    if not args.no_report:
        write_report(
            bench,
            args=args,
            machine=machine,
            size=size,
            generated_in=generated_in,
            load_before=load_before,
            load_after=load_after,
        )


if __name__ == "__main__":
    main()
