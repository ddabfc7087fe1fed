"""Load test (not part of the test suite): gunicorn with the production settings on PostgreSQL,
driven by locust from a second process on the loopback.

    python bench/load.py --cases 10000 [--users 10,25,50] [--seconds 60] [--workers 3]

Uses the benchmark database brobygger_bench_<cases> (built by bench/run.py the same way when
missing), collects the static files, starts gunicorn as docs/deployment.md runs it (behind
a reverse proxy: requests carry X-Forwarded-Proto), then for each number of concurrent
users runs bench/locustfile.py headless for --seconds and records requests per second, p95,
p99 and errors per page. Afterwards it counts, in the database, the access-log rows the
server wrote for case pages during the step and compares them with the case pages locust
got: every served case read must be logged (rows >= pages; requests still in flight
when a step ends were logged but not counted by locust). Appends a dated section to
docs/benchmarks.md and exits non-zero on any error or missing log row.
"""

import argparse
import csv
import datetime
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402  (bench/run.py: database set-up shared with the benchmark)

REPORT = ROOT / "docs" / "benchmarks.md"
# Demo staff the simulated users log in as (bench/locustfile.py gets them from BENCH_STAFF).
STAFF = [
    "skp_nord_1",
    "skp_nord_2",
    "skp_syd_1",
    "skp_syd_2",
    "koordinator_nord",
    "koordinator_syd",
]
PAGES = [
    "staff home",
    "my tasks",
    "team queue",
    "case page",
    "public front page",
    "public standard page",
    "public directory",
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(database, static_root):
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)  # intranet.settings as in production: DEBUG off, HTTPS only
    env.update(
        DATABASE_URL=bench.PG + database,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="load-test-" + os.urandom(16).hex(),
        # "localhost": the municipality's site; bench/run.py puts a plain comparison
        # page on a Site of its own at 127.0.0.1.
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_LOG_LEVEL="WARNING",
        # The load comes from one address: keep login throttling out of the measurement.
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
    )
    return env


def _wait_until_up(url, timeout=60):
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {url}")


def _case_reads_logged(database, since):
    import psycopg

    with psycopg.connect(bench.PG + database) as conn:
        return conn.execute(
            "SELECT count(*) FROM intranet_accesslogentry "
            "WHERE at >= %s AND action = 'view' AND what = 'case' AND path ~ '^/sager/[0-9]+/$'",
            (since,),
        ).fetchone()[0]


def _stats(prefix):
    rows = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def run_step(users, seconds, host, database, workdir):
    prefix = str(workdir / f"users{users}")
    started = datetime.datetime.now(datetime.UTC)
    env = dict(os.environ, BENCH_PASSWORD=bench_password(), BENCH_STAFF=",".join(STAFF))
    subprocess.run(  # noqa: S603 (our locustfile, fixed arguments)
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        check=False,  # locust exits 1 when any request failed; we report that ourselves
        cwd=workdir,
    )
    time.sleep(1)  # the last responses' log rows are committed before the response
    stats = _stats(prefix)
    logged = _case_reads_logged(database, started)
    return stats, logged


def prepare_production(env, static_root, usernames, *, collect=False):
    """What gunicorn with the production settings (`env`) needs from a bench database:
    the static files collected (kept in `static_root` between runs: collecting and
    compressing Wagtail's takes minutes; `collect` does it again), and the `usernames`
    with production password hashes (the bench data was filled under the test settings'
    fast, weak hasher, which production does not accept)."""
    python = sys.executable
    if collect or not (static_root / "staticfiles.json").exists():
        subprocess.run(  # noqa: S603
            [python, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
    subprocess.run(  # noqa: S603
        [
            python,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model\n"
            "from workflows.demo.data import DEMO_PASSWORD\n"
            f"for user in get_user_model().objects.filter(username__in={list(usernames)!r}):\n"
            "    user.set_password(DEMO_PASSWORD)\n"
            "    user.save(update_fields=['password'])\n",
        ],
        env=env,
        check=True,
    )


def bench_password():
    from workflows.demo.data import DEMO_PASSWORD

    return DEMO_PASSWORD


def _num(row, key):
    return float(row[key]) if row and row.get(key) not in (None, "", "N/A") else 0.0


def report(args, results, versions):
    lines = [
        "",
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: load, "
        f"{args.cases:,} cases, gunicorn {args.workers} workers",
        "",
        f"Machine: {os.cpu_count()} CPUs; {versions}. gunicorn (sync workers, production "
        "settings, DEBUG off, whitenoise) and locust run on the same machine over the "
        f"loopback; {args.seconds} s per step after ramp-up at users/5 per second; "
        "think time 1-3 s (staff) and 1-5 s (public). Mix: staff 3 : public 1.",
        f"Load average (1 min) before/after: {results['load_before']:.2f} / "
        f"{os.getloadavg()[0]:.2f}.",
        "",
        "| users | requests | req/s | errors | p50 ms | p95 ms | p99 ms | case pages served "
        "| case reads logged |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for users, (stats, logged) in results["steps"].items():
        total = stats.get("Aggregated", {})
        cases = stats.get("case page", {})
        lines.append(
            f"| {users} | {int(_num(total, 'Request Count')):,} "
            f"| {_num(total, 'Requests/s'):.1f} | {int(_num(total, 'Failure Count'))} "
            f"| {_num(total, '50%'):.0f} | {_num(total, '95%'):.0f} | {_num(total, '99%'):.0f} "
            f"| {int(_num(cases, 'Request Count') - _num(cases, 'Failure Count')):,} "
            f"| {logged:,} |"
        )
    lines += ["", "Per page at the highest step (p95 / p99 ms, requests):", ""]
    last_stats = list(results["steps"].values())[-1][0]
    lines += ["| page | requests | p95 ms | p99 ms |", "|---|---|---|---|"]
    for name in PAGES:
        row = last_stats.get(name)
        if row:
            lines.append(
                f"| {name} | {int(_num(row, 'Request Count')):,} | {_num(row, '95%'):.0f} "
                f"| {_num(row, '99%'):.0f} |"
            )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_report:
        with REPORT.open("a", encoding="utf-8") as handle:
            handle.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--users", default="10,25,50")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-report", action="store_true", help="Do not touch docs/.")
    parser.add_argument(
        "--collectstatic", action="store_true", help="Collect static files again (var/load-static)."
    )
    args = parser.parse_args()

    database = f"brobygger_bench_{args.cases}"
    bench.ensure_database(database, cases=args.cases, seed=args.seed, jobs=args.jobs, fresh=False)
    workdir = Path(tempfile.mkdtemp(prefix="brobygger-load-"))
    # Kept between runs: collecting and compressing Wagtail's static files takes minutes.
    static_root = ROOT / "var" / "load-static"
    env = _production_env(database, static_root)
    # This process only reads the demo password and versions; the server gets `env`.
    os.environ.update(bench._env(database))
    import django

    django.setup()
    python = sys.executable
    prepare_production(env, static_root, STAFF, collect=args.collectstatic)
    port = _free_port()
    host = f"http://localhost:{port}"
    server = subprocess.Popen(  # noqa: S603 (gunicorn from our venv, fixed arguments)
        [
            str(Path(python).parent / "gunicorn"),
            "intranet.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
        ],
        env=env,
        cwd=ROOT,
    )
    results = {"steps": {}, "load_before": os.getloadavg()[0]}
    try:
        _wait_until_up(host + "/health/")
        for users in [int(u) for u in args.users.split(",")]:
            results["steps"][users] = run_step(users, args.seconds, host, database, workdir)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    versions = (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"locust {_version('locust')}, gunicorn {_version('gunicorn')}, "
        f"database `{database}`"
    )
    report(args, results, versions)
    failed = False
    for users, (stats, logged) in results["steps"].items():
        errors = int(_num(stats.get("Aggregated"), "Failure Count"))
        served = int(
            _num(stats.get("case page"), "Request Count")
            - _num(stats.get("case page"), "Failure Count")
        )
        if errors:
            print(f"{users} users: {errors} failed requests", file=sys.stderr)
            failed = True
        # More rows than pages is expected: requests still in flight when locust stops at
        # --run-time were served and logged, but locust no longer counts their answers.
        if logged < served:
            print(f"{users} users: {served} case pages served, {logged} logged", file=sys.stderr)
            failed = True
    sys.exit(1 if failed else 0)


def _version(package):
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
