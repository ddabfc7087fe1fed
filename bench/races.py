"""Race drill (not part of the test suite): many clients completing the same tasks at once,
through gunicorn with the production settings on PostgreSQL.

    python bench/races.py [--tasks 200] [--clients 8] [--workers 8] [--cases 1000]

On a copy of the benchmark database brobygger_bench_<cases> (built by bench/run.py the same
way when missing) it registers --tasks referrals for team Nord and has the coordinator take
their triage tasks, through the services. It then starts gunicorn as docs/deployment.md runs
it (--workers sync workers, behind a simulated TLS proxy) and --clients threads, each with
its own login session as that coordinator, send the triage form ("accept", with a worker)
for every one of the tasks, all starting together: with --order same (the default) all in
one random order, so that they arrive at each task together; with --order own each in its
own random order.

Afterwards it checks, in the database, that no task went through twice: every triage task
is done once, every case has exactly one outreach task and is at outreach, and the access
log holds exactly one "task carried out" row per case; and that every answer was a redirect
(a win, or the message that someone else got there first), with no server error in
gunicorn's log. Appends a dated section to docs/benchmarks.md; exits non-zero when a check
fails. tests/test_races.py covers the same race at a smaller size in the normal suite
(threads calling the services).
"""

import argparse
import datetime
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py: gunicorn as in production)
import run as bench  # noqa: E402  (bench/run.py: database set-up)

REPORT = ROOT / "docs" / "benchmarks.md"
COORDINATOR = "koordinator_nord"
WORKER = "skp_nord_1"
TEAM_SLUG = "udekoerende-team-nord"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE = re.compile(r'<li class="message ([a-z]+)">')


def prepare_tasks(count):
    """`count` new referrals for team Nord, their triage tasks taken by the coordinator:
    [(task id, case id, process id)]."""
    from django.contrib.auth import get_user_model

    from pages.models import TeamPage
    from workflows.models import ReferralSource

    claimed = bench.claimed_triage_tasks(
        count,
        team=TeamPage.objects.get(slug=TEAM_SLUG),
        source=ReferralSource.objects.filter(active=True).first(),
        coordinator=get_user_model().objects.get(username=COORDINATOR),
        alias="Kapløb",
    )
    return [(task.pk, case.pk, case.process_id) for task, case in claimed]


class Client:
    """One browser session as the coordinator, behind the TLS-terminating proxy."""

    def __init__(self, host, password):
        import requests

        self.host = host
        self.session = requests.Session()
        self.session.headers["X-Forwarded-Proto"] = "https"
        page = self.get("/konto/login/")
        response = self.post(
            "/konto/login/",
            {"username": COORDINATOR, "password": password, "csrfmiddlewaretoken": _token(page)},
        )
        if response.status_code != 302:
            raise SystemExit(f"login of {COORDINATOR} failed: HTTP {response.status_code}")
        # Logging in rotates the CSRF token: take the new one from a page with a form.
        self.token = _token(self.get("/personale/"))

    def _headers(self, path):
        # The Referer a browser sends; Django's CSRF check needs it on HTTPS.
        return {"Referer": self.host.replace("http://", "https://") + path}

    def _keep_cookies(self):
        # The proxy terminates TLS: the Secure cookies travel on the loopback behind it.
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, path):
        response = self.session.get(self.host + path, headers=self._headers(path), timeout=60)
        self._keep_cookies()
        return response

    def post(self, path, data):
        response = self.session.post(
            self.host + path,
            data=data,
            headers=self._headers(path),
            allow_redirects=False,
            timeout=60,
        )
        self._keep_cookies()
        return response


def _token(response):
    match = CSRF.search(response.text)
    if match is None:
        raise SystemExit(f"no CSRF token on {response.url} (HTTP {response.status_code})")
    return match.group(1)


def race(clients, task_paths, worker_pk, seed, same_order):
    """Every client sends the triage form for every task, all starting at once."""
    barrier = threading.Barrier(len(clients))
    answers = [[] for _ in clients]  # (status, ms, message level) per request
    failures = []

    def work(number, client):
        order = list(task_paths)
        random.Random(seed if same_order else f"{seed}-{number}").shuffle(order)
        try:
            barrier.wait(timeout=60)
            for path in order:
                started = time.perf_counter()
                response = client.post(
                    path,
                    {
                        "decision": "accept",
                        "primary_worker": str(worker_pk),
                        "csrfmiddlewaretoken": client.token,
                    },
                )
                elapsed = (time.perf_counter() - started) * 1000
                # Then, as a browser does, the page it leads to, whose message says what
                # became of the form: done ("success"), done before it arrived ("info"), or
                # lost to another client while it was being carried out ("error").
                said = ""
                if response.status_code == 302:
                    said = ",".join(MESSAGE.findall(client.get(response.headers["Location"]).text))
                answers[number].append((response.status_code, elapsed, said))
        except Exception as exc:  # reported and counted as a failure
            failures.append(f"client {number}: {exc!r}")

    threads = [
        threading.Thread(target=work, args=(number, client))
        for number, client in enumerate(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, failures, time.monotonic() - started


def check(database, tasks):
    """What the database says happened to each task and case."""
    import psycopg

    task_ids = [task_pk for task_pk, _, _ in tasks]
    case_ids = [case_pk for _, case_pk, _ in tasks]
    process_ids = [process_pk for _, _, process_pk in tasks]
    with psycopg.connect(bench.PG + database) as conn:

        def counts(sql, ids):
            return dict(conn.execute(sql, (ids,)).fetchall())

        triage_done = counts(
            "SELECT process_id, count(*) FROM viewflow_task WHERE process_id = ANY(%s) "
            "AND flow_task = 'workflows/flows.ReferralFlow.triage' AND status = 'DONE' "
            "GROUP BY process_id",
            process_ids,
        )
        outreach = counts(
            "SELECT process_id, count(*) FROM viewflow_task WHERE process_id = ANY(%s) "
            "AND flow_task = 'workflows/flows.ReferralFlow.outreach' GROUP BY process_id",
            process_ids,
        )
        stages = dict(
            conn.execute(
                "SELECT id, stage FROM workflows_case WHERE id = ANY(%s)", (case_ids,)
            ).fetchall()
        )
        # The task view logs a change when, and only when, it carried the form out; the
        # cases are new, so every such row comes from the race.
        carried_out = counts(
            "SELECT case_id, count(*) FROM intranet_accesslogentry WHERE case_id = ANY(%s) "
            "AND action = 'change' AND what = 'task:triage' GROUP BY case_id",
            case_ids,
        )
        still_open = conn.execute(
            "SELECT count(*) FROM viewflow_task WHERE id = ANY(%s) AND status <> 'DONE'",
            (task_ids,),
        ).fetchone()[0]
    return {
        "triage done once": sum(1 for p in process_ids if triage_done.get(p) == 1),
        "one outreach task": sum(1 for p in process_ids if outreach.get(p) == 1),
        "at outreach": sum(1 for c in case_ids if stages.get(c) == "outreach"),
        "carried out once (access log)": sum(1 for c in case_ids if carried_out.get(c) == 1),
        "triage tasks not done": still_open,
    }


SAID = {
    "success": "done (success)",
    "info": "already done when it arrived (info)",
    "error": "lost to another client while being carried out (error)",
    "": "no message",
}


def report(args, *, answers, failures, seconds, outcome, server_errors, database):
    statuses = Counter(status for client in answers for status, _, _ in client)
    said = Counter(level for client in answers for _, _, level in client)
    times = sorted(ms for client in answers for _, ms, _ in client)
    requests_made = len(times)
    lines = [
        "",
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: races, "
        f"{args.tasks} triage tasks, {args.clients} clients, order: {args.order}",
        "",
        f"gunicorn with {args.workers} sync workers (production settings, PostgreSQL, a copy "
        f"of `{database}`); {args.clients} client threads on the same 2 CPUs, each logged in "
        f"as {COORDINATOR} in its own session, sent the triage form (accept, with a worker) "
        f"for all {args.tasks} tasks, which the coordinator had taken, "
        + ("all in the same order" if args.order == "same" else "each in its own order")
        + ", all starting together.",
        "",
        "| what | result |",
        "|---|---|",
        f"| forms sent (each answer then followed to its page) | {requests_made:,} in "
        f"{seconds:.1f} s "
        f"({requests_made / seconds:.0f} per second) |",
        "| answers | "
        + ", ".join(f"{count:,} × HTTP {status}" for status, count in sorted(statuses.items()))
        + " |",
        "| what the page after the answer said | "
        + ", ".join(
            f"{count:,} × {SAID.get(level, repr(level))}" for level, count in sorted(said.items())
        )
        + " |",
        f"| time per request p50 / p95 / max | {statistics.median(times):.0f} / "
        f"{bench.p95(times):.0f} / {times[-1]:.0f} ms |",
    ]
    for name, value in outcome.items():
        lines.append(
            f"| cases: {name} | {value} of {args.tasks} |"
            if name != "triage tasks not done"
            else f"| {name} | {value} |"
        )
    lines.append(f"| server errors in gunicorn's log | {server_errors} |")
    lines.append(f"| client failures | {len(failures)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    for failure in failures:
        print(failure, file=sys.stderr)
    if not args.no_report:
        with REPORT.open("a", encoding="utf-8") as handle:
            handle.write(text)
    return statuses, said


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=8, help="gunicorn sync workers")
    parser.add_argument("--cases", type=int, default=1000, help="which benchmark database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--order",
        choices=["same", "own"],
        default="same",
        help="clients go through the tasks in one order (they collide) or each in its own",
    )
    parser.add_argument("--no-report", action="store_true", help="Do not touch docs/.")
    args = parser.parse_args()

    source = f"brobygger_bench_{args.cases}"
    bench.ensure_database(source, cases=args.cases, seed=args.seed, jobs=2, fresh=False)
    database = bench.run_copy(source, suffix="races")
    os.environ.update(bench._env(database))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.urls import reverse

    workdir = Path(tempfile.mkdtemp(prefix="brobygger-races-"))
    static_root = ROOT / "var" / "load-static"
    env = load._production_env(database, static_root)
    python = sys.executable
    server = None
    try:
        tasks = prepare_tasks(args.tasks)
        worker_pk = get_user_model().objects.get(username=WORKER).pk
        task_paths = [reverse("workflows:task", args=[task_pk]) for task_pk, _, _ in tasks]
        connections.close_all()
        load.prepare_production(env, static_root, [COORDINATOR])
        port = load._free_port()
        host = f"http://localhost:{port}"
        server_log = workdir / "gunicorn.log"
        with server_log.open("w") as log:
            server = subprocess.Popen(  # noqa: S603 (gunicorn from our venv, fixed arguments)
                [
                    str(Path(python).parent / "gunicorn"),
                    "intranet.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--timeout",
                    "60",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        load._wait_until_up(host + "/health/")
        password = load.bench_password()
        clients = [Client(host, password) for _ in range(args.clients)]
        answers, failures, seconds = race(
            clients, task_paths, worker_pk, args.seed, args.order == "same"
        )
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        log_text = server_log.read_text(encoding="utf-8", errors="replace")
        server_errors = log_text.count("Traceback") + log_text.count("Internal Server Error")
        outcome = check(database, tasks)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        connections.close_all()
        bench._admin_sql(f'DROP DATABASE IF EXISTS "{database}"')
        shutil.rmtree(workdir, ignore_errors=True)
    statuses, said = report(
        args,
        answers=answers,
        failures=failures,
        seconds=seconds,
        outcome=outcome,
        server_errors=server_errors,
        database=source,
    )
    wins = {name: value for name, value in outcome.items() if name != "triage tasks not done"}
    ok = (
        not failures
        and not server_errors
        and set(statuses) == {302}
        and said["success"] == args.tasks
        and set(said) <= {"success", "info", "error"}
        and all(value == args.tasks for value in wins.values())
        and outcome["triage tasks not done"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
