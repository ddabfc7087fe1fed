"""Historical-case import at scale (not part of the test suite): `import_cases` on PostgreSQL.

    python bench/imports.py --rows 1000 20000 [--seed 1] [--repeat 1] [--no-report]

Writes, deterministically from the seed, one CSV file per size in the format the importer
reads (workflows/reporting/importer.py; semicolons, UTF-8 with a BOM, as Danish Excel saves
it): several closed cases per person (about rows / 1.6 people), a third of the people known
by CPR number, a third by the old register's citizen number only and a third by alias and
birth year only (each such row makes a new person, as the importer does with them), with
the teams of the benchmark template (bench/run.py, `demo_data`) and its referral sources.

A 50-row file is first checked (`manage.py import_cases --check`) on a copy of the template.
Then, for each size and --repeat times, on a fresh copy of the template
(brobygger_bench_import_<rows>, dropped at the end): one `manage.py import_cases FILE`,
timed from outside (wall clock, Django's start-up included: `manage.py check` is timed once
on its own for comparison), after which the database must hold exactly `rows` imported
cases and the people the file should make. Then the same file over the web's path, on
another fresh copy: queued as the upload screen queues it (`workflows.tasks.
start_case_import`, as the demo's administrator) and run by the real worker
(`manage.py db_worker --backend background --batch`), timed from the job's start to its
end as the worker recorded them (no start-up), with the same checks.
Appends a dated section to docs/benchmarks.md.
"""

import argparse
import csv
import datetime
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run as bench  # bench/run.py: database set-up and report helpers

COPY = "brobygger_bench_import_{}"
CHECK_ROWS = 50
PEOPLE_PER_ROW = 1 / 1.6
FIRST_DAY = datetime.date(2015, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)

# How the old system's outcomes are spread (codes of workflows.models.Outcome).
OUTCOME_WEIGHTS = {
    "handed_over": 30,
    "goal_reached": 20,
    "declined": 10,
    "withdrew": 8,
    "no_contact": 10,
    "moved": 6,
    "died": 3,
    "redirected": 6,
    "outside_target_group": 5,
    "merged": 2,
}
NICKNAMES = [
    "Kasketten",
    "Kvinden ved biblioteket",
    "Manden med hunden",
    "Cyklisten",
    "Sømanden",
    "Den lange",
    "Rødhætte",
    "Professoren",
    "Kvinden i parken",
    "Manden ved kiosken",
    "Harmonikaspilleren",
    "Fiskeren",
]
FIRST_NAMES = {
    True: ["Anne", "Camilla", "Else", "Gitte", "Inge"],
    False: ["Bent", "Dennis", "Finn", "Hans"],
}
LAST_NAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Larsen", "Sørensen"]
NOTES = ["", "", "", "Fik egen bolig", "Overgået til bostøtte", "Flyttet til anden kommune"]


def _copy(name):
    """A fresh copy of the template database."""
    return bench.copy_database(bench.TEMPLATE_DB, name)


def _manage(database, *args):
    """`manage.py args` on `database`: (seconds, completed process)."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(bench.ROOT / "manage.py"), *args],
        env=bench._env(database),
        capture_output=True,
        text=True,
    )
    return time.monotonic() - started, done


def _template_facts():
    """Of the template: ((case teams, handover teams), referral source names, CPR numbers
    already registered). The case teams are those holding the demo's cases (the outreach
    teams), the handover teams the rest; a generated CPR number must not join a demo person."""
    from pages.models import TeamPage
    from workflows.models import Case, Person, ReferralSource

    bench.use_database(bench.TEMPLATE_DB)
    teams = list(TeamPage.objects.order_by("path").values_list("pk", "title", "slug"))
    titles = [title for _pk, title, _slug in teams]
    with_cases = set(Case.objects.values_list("team_id", flat=True))
    # A title two teams share is refused by the importer: those are written as the slug.
    names = {pk: title if titles.count(title) == 1 else slug for pk, title, slug in teams}
    case_teams = [name for pk, name in names.items() if pk in with_cases] or list(names.values())
    handover_teams = [name for name in names.values() if name not in case_teams]
    sources = list(
        ReferralSource.objects.order_by("sort_order", "name").values_list("name", flat=True)
    )
    cprs = set(Person.objects.exclude(cpr="").values_list("cpr", flat=True))
    bench.use_database("postgres")
    if not names:
        raise SystemExit(f"{bench.TEMPLATE_DB} has no teams: was `demo_data` run?")
    return (case_teams, handover_teams or case_teams), sources, cprs


def _cpr(rng, year, female, taken):
    """A valid CPR number (workflows.models.validate_cpr) of someone born in `year`: the
    seventh digit gives the century as cpr_birth_date reads it, the last one is even for a
    woman and odd for a man."""
    while True:
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        seventh = rng.choice("0123") if year < 2000 else rng.choice("49")
        last = rng.randrange(0, 10, 2) + (0 if female else 1)
        number = f"{day:%d%m%y}-{seventh}{rng.randrange(100):02d}{last}"
        if number not in taken:
            taken.add(number)
            return number


def _day(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def generate(rows, seed, *, teams, sources, taken_cprs):
    """(CSV bytes, Person rows the import should make) for `rows` cases; `teams` is
    (case teams, handover teams) as _template_facts gives them."""
    from workflows.models import (
        Channel,
        Gender,
        Housing,
        IncomeSource,
        LivingAlone,
        MainProblem,
        MaritalStatus,
    )
    from workflows.reporting.importer import COLUMNS

    rng = random.Random(f"{seed}:{rows}")
    case_teams, handover_teams = teams
    taken = set(taken_cprs)
    people_count = max(1, round(rows * PEOPLE_PER_ROW))
    # Every person has a case; the rest of the cases go to people at random.
    owners = list(range(people_count)) + [
        rng.randrange(people_count) for _ in range(rows - people_count)
    ]
    rng.shuffle(owners)
    people = []
    for index in range(people_count):
        year = rng.randint(1945, 2005)
        person = {
            "koen": rng.choice([Gender.MALE] * 6 + [Gender.FEMALE] * 3 + [Gender.UNKNOWN]),
            "indkomst": rng.choice(IncomeSource.values),
            "civilstand": rng.choice(MaritalStatus.values),
            "bor_alene": rng.choice(LivingAlone.values),
            "bolig": rng.choice(Housing.values),
            "hovedproblem": rng.choice(MainProblem.values),
        }
        kind = index % 3
        if kind == 0:  # known by CPR number (and name)
            female = person["koen"] == Gender.FEMALE
            person["cpr"] = _cpr(rng, year, female, taken)
            person["foedselsaar"] = str(year)
            person["navn"] = f"{rng.choice(FIRST_NAMES[female])} {rng.choice(LAST_NAMES)}"
        elif kind == 1:  # the old register's citizen number only
            person["borger_nr"] = f"B-{seed}-{index:06d}"
            person["alias"] = rng.choice(NICKNAMES)
            if rng.random() < 0.5:
                person["foedselsaar"] = str(year)
        else:  # alias and birth year only: every row of theirs makes a new person
            person["alias"] = f"{rng.choice(NICKNAMES)} {index}"
            person["foedselsaar"] = str(year)
        people.append(person)
    made = sum(1 for index in range(people_count) if index % 3 != 2) + sum(
        1 for owner in owners if owner % 3 == 2
    )

    outcomes, weights = zip(*OUTCOME_WEIGHTS.items(), strict=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    for number, owner in enumerate(owners, start=1):
        received = _day(rng, FIRST_DAY, LAST_DAY)
        first_contact = None
        if rng.random() < 0.85:
            first_contact = min(received + datetime.timedelta(days=rng.randrange(30)), LAST_DAY)
        closed = min(
            (first_contact or received) + datetime.timedelta(days=rng.randrange(400)), LAST_DAY
        )
        outcome = rng.choices(outcomes, weights)[0]
        team = rng.choice(case_teams)
        row = {
            "sagsnummer": f"H-{received.year}-{number:06d}",
            "team": team,
            "henvist_dato": received.isoformat(),
            "afsluttet_dato": closed.isoformat(),
            "udfald": outcome,
            "henvisningskilde": rng.choice(sources) if sources and rng.random() < 0.9 else "",
            "kanal": rng.choice(Channel.values),
            "foerste_kontakt_dato": first_contact.isoformat() if first_contact else "",
            "overdraget_til": "",
            "bemaerkning": rng.choice(NOTES),
            **people[owner],
        }
        if outcome == "handed_over":
            row["overdraget_til"] = rng.choice(
                [t for t in handover_teams if t != team] or handover_teams
            )
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), made


def _counts(database):
    """(imported cases, Person rows) in `database`."""
    bench.use_database(database)
    from workflows.models import Case, Person

    counts = Case.objects.exclude(import_key="").count(), Person.objects.count()
    bench.use_database("postgres")
    return counts


def run(args):
    import django

    os.environ.update(bench._env("postgres"))
    django.setup()
    from workflows.reporting.importer import MAX_ROWS

    too_many = [rows for rows in args.rows if not 1 <= rows <= MAX_ROWS]
    if too_many:
        raise SystemExit(f"--rows must be between 1 and {MAX_ROWS:,} (the importer's limit).")
    bench.ensure_template()
    teams, sources, cprs = _template_facts()
    _imported, base_people = _counts(bench.TEMPLATE_DB)
    copies = []
    results = []
    with tempfile.TemporaryDirectory(prefix="brobygger_import_") as folder:
        try:
            # The generated file must be one the importer takes.
            check = _copy(COPY.format("check"))
            copies.append(check)
            path = Path(folder) / f"cases_{CHECK_ROWS}.csv"
            path.write_bytes(
                generate(CHECK_ROWS, args.seed, teams=teams, sources=sources, taken_cprs=cprs)[0]
            )
            _seconds, done = _manage(check, "import_cases", "--check", str(path))
            if done.returncode != 0:
                raise SystemExit(
                    f"The generated {CHECK_ROWS}-row file fails the check:\n{done.stderr}"
                )
            startup, done = _manage(check, "check")
            if done.returncode != 0:
                raise SystemExit(f"manage.py check failed:\n{done.stderr}")
            print(
                f"{CHECK_ROWS}-row file passes --check; Django start-up {startup:.2f} s", flush=True
            )

            load_before = os.getloadavg()[0]
            for rows in args.rows:
                path = Path(folder) / f"cases_{rows}.csv"
                data, made = generate(
                    rows, args.seed, teams=teams, sources=sources, taken_cprs=cprs
                )
                path.write_bytes(data)
                times = []
                for _ in range(args.repeat):
                    database = _copy(COPY.format(rows))
                    if database not in copies:
                        copies.append(database)
                    bench._admin_sql("CHECKPOINT")
                    seconds, done = _manage(database, "import_cases", str(path))
                    if done.returncode != 0:
                        raise SystemExit(f"import_cases failed on {rows:,} rows:\n{done.stderr}")
                    imported, people = _counts(database)
                    if imported != rows or people - base_people != made:
                        raise SystemExit(
                            f"{rows:,} rows: expected {rows:,} imported cases and {made:,} new "
                            f"people, found {imported:,} and {people - base_people:,}."
                        )
                    times.append(seconds)
                    print(f"{rows:>6,} rows, {made:,} people: {seconds:.2f} s", flush=True)
                worker_times = []
                for _ in range(args.repeat):
                    database = _copy(COPY.format(f"{rows}_worker"))
                    if database not in copies:
                        copies.append(database)
                    bench._admin_sql("CHECKPOINT")
                    seconds = _through_the_worker(database, data, rows, made, base_people)
                    worker_times.append(seconds)
                    print(f"{rows:>6,} rows through the worker: {seconds:.2f} s", flush=True)
                results.append((rows, made, times, worker_times))
            load_after = os.getloadavg()[0]
            bench.use_database(bench.TEMPLATE_DB)
            machine = bench._machine(bench.TEMPLATE_DB)
        finally:
            bench.use_database("postgres")
            from django.db import connection

            connection.close()
            for database in copies:
                bench._admin_sql(f'DROP DATABASE IF EXISTS "{database}"')
    return results, startup, machine, load_before, load_after


def _through_the_worker(database, data, rows, made, base_people):
    """Seconds the worker's job took (started_at to finished_at) to import `data`."""
    bench.use_database(database)
    from django.contrib.auth import get_user_model

    from workflows.models import CaseImport, CaseImportStatus
    from workflows.tasks import start_case_import

    administrator = get_user_model().objects.get(username="administrator")
    job = start_case_import(
        user=administrator, file_name=f"cases_{rows}.csv", data=data, check_only=False
    )
    bench.use_database("postgres")
    _seconds, done = _manage(
        database,
        "db_worker",
        "--backend",
        "background",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "-v0",
    )
    if done.returncode != 0:
        raise SystemExit(f"db_worker failed on {rows:,} rows:\n{done.stderr}")
    bench.use_database(database)
    job = CaseImport.objects.get(pk=job.pk)
    bench.use_database("postgres")
    if job.status != CaseImportStatus.DONE or job.result["created"] != rows:
        raise SystemExit(f"The worker's import of {rows:,} rows ended {job.status}: {job.result}")
    imported, people = _counts(database)
    if imported != rows or people - base_people != made:
        raise SystemExit(
            f"{rows:,} rows through the worker: expected {rows:,} imported cases and {made:,} "
            f"new people, found {imported:,} and {people - base_people:,}."
        )
    return (job.finished_at - job.started_at).total_seconds()


def _median(times):
    text = f"{statistics.median(times):.1f}"
    if len(times) > 1:
        text += " (median of " + ", ".join(f"{t:.1f}" for t in times) + ")"
    return text


def _sizes(rows):
    texts = [f"{n:,}" for n in rows]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def report(results, *, args, startup, machine, load_before, load_after):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {now}: case import, {_sizes(args.rows)} rows",
        "",
        "Machine: {nproc} CPUs, {memory} memory; Python {python}, Django {django}, "
        "django-viewflow {viewflow}, PostgreSQL {postgresql}; a fresh copy of `{database}` "
        "for each run.".format(**machine),
        f"Load average (1 min) before/after: {load_before:.2f} / {load_after:.2f}.",
        f"One `manage.py import_cases FILE` per run (seed {args.seed}; about rows / 1.6 "
        "people, a third by CPR number, a third by citizen number, a third by alias and birth "
        "year, whose every row is a new person). Django's start-up alone (`manage.py check`): "
        f"{startup:.2f} s.",
        "",
        "The web's path: the same file queued as the upload screen queues it and run by the "
        "real worker (`db_worker --backend background --batch`); its seconds are the job's "
        "own, from the worker's start of it to its end (no start-up).",
        "",
        "| rows | people | command: seconds (wall, with start-up) | rows/s "
        "| worker job: seconds | rows/s |",
        "|---|---|---|---|---|---|",
    ]
    for rows, made, times, worker_times in results:
        seconds, worker_seconds = statistics.median(times), statistics.median(worker_times)
        lines.append(
            f"| {rows:,} | {made:,} | {_median(times)} | {rows / seconds:,.0f} "
            f"| {_median(worker_times)} | {rows / worker_seconds:,.0f} |"
        )
    bench.publish(lines, no_report=args.no_report)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results, startup, machine, load_before, load_after = run(args)
    report(
        results,
        args=args,
        startup=startup,
        machine=machine,
        load_before=load_before,
        load_after=load_after,
    )


if __name__ == "__main__":
    main()
