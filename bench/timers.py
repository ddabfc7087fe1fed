"""Timer sweep at scale (not part of the test suite): due reassessment timers on PostgreSQL.

    python bench/timers.py --timers 10000 [--seed 1] [--viewflow-sample 500] [--no-report]

Builds brobygger_bench_timers_<N> from the benchmark template (bench/run.py) with N
generated cases in support, every one with its reassessment timer due, then on a fresh copy
of it for each run:

1. one `manage.py workflow_timers`, timed (the budget: 10,000 timers in under 60 s);
2. two `manage.py workflow_timers` started together: each timer fires once;
3. one sweeper killed (SIGKILL) halfway, then a second run: nothing half-done, then all once;
4. viewflow's own sweeper (`fire_due_timers`) on a sample, for comparison.

After each run it counts, in the database, the cases waiting, fired and inconsistent
(`workflows.services.timers.reassessment_timer_states`) and the Reassessment rows, and fails
unless every timer fired exactly once. Appends a dated section to docs/benchmarks.md.
"""

import argparse
import datetime
import os
import signal
import subprocess
import sys
import time

import run as bench  # bench/run.py: database set-up and report helpers

SOURCE = "brobygger_bench_timers_{}"


def _build_source(database, timers, seed):
    if bench._exists(database):
        return None
    bench.ensure_template()
    building = database + "_building"
    if bench._exists(building):
        bench._admin_sql(f'DROP DATABASE "{building}"')
    bench._admin_sql(f'CREATE DATABASE "{building}" TEMPLATE "{bench.TEMPLATE_DB}"')
    bench.use_database(building)
    from django.db import connection
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.flows import ReferralFlow
    from workflows.management.commands.generate_cases import CaseGenerator
    from workflows.models import Case, Stage

    started = time.monotonic()
    CaseGenerator(seed=seed).generate(kinds=["support"] * timers, jobs=2)
    generated_in = time.monotonic() - started
    due = timezone.now() - datetime.timedelta(minutes=1)
    Case.objects.filter(stage=Stage.SUPPORT).update(reassessment_due_at=due)
    Task.objects.filter(
        flow_task=ReferralFlow.wait_for_reassessment, status=STATUS.SCHEDULED
    ).update(scheduled=due)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    bench._admin_sql(f'ALTER DATABASE "{building}" RENAME TO "{database}"')
    return generated_in


def _sweeper(database, *args):
    return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(bench.ROOT / "manage.py"), "workflow_timers", *args],
        env=bench._env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_reassessments(database, count, sweeper):
    """Poll (from outside Django) until `database` holds `count` Reassessment rows."""
    import psycopg

    with psycopg.connect(bench.PG + database, autocommit=True) as conn:
        while sweeper.poll() is None:
            (rows,) = conn.execute("SELECT count(*) FROM workflows_reassessment").fetchone()
            if rows >= count:
                return
            time.sleep(0.02)
    raise SystemExit("The sweeper ended before it could be killed.")


def _finish(sweepers):
    outputs = [sweeper.communicate() for sweeper in sweepers]
    for sweeper, (_out, err) in zip(sweepers, outputs, strict=True):
        if sweeper.returncode != 0:
            raise SystemExit(f"workflow_timers failed ({sweeper.returncode}): {err}")
    return [int(out.split(" timer(s) fired")[0]) for out, _err in outputs]


def _states(database):
    """(states, reassessment rows, reassess tasks) counted in `database`."""
    bench.use_database(database)
    from viewflow.workflow.models import Task

    from workflows.flows import ReferralFlow
    from workflows.models import Reassessment
    from workflows.services.timers import reassessment_timer_states

    states = dict(reassessment_timer_states())
    counts = (
        Reassessment.objects.count(),
        Task.objects.filter(flow_task=ReferralFlow.reassess).count(),
    )
    from django.db import connection

    connection.close()
    return states, counts


def _check_all_fired_once(database, timers, baseline, base_counts):
    """Every timer of the source fired exactly once; (ok, states, Reassessments written)."""
    states, (reassessments, reassess_tasks) = _states(database)
    expected = dict(baseline)
    expected["fired"] = expected.get("fired", 0) + expected.pop("waiting")
    written = reassessments - base_counts[0]
    ok = states == expected and written == timers and reassess_tasks - base_counts[1] == timers
    return ok, states, written


def run(args):
    import django

    os.environ.update(bench._env("postgres"))
    django.setup()
    source = SOURCE.format(args.timers)
    generated_in = _build_source(source, args.timers, args.seed)
    baseline, base_counts = _states(source)
    # Every waiting timer is due (the demo data's own case in support too).
    due = baseline.get("waiting", 0)
    if due < args.timers:
        raise SystemExit(f"{source}: expected {args.timers} waiting timers, found {baseline}")
    rows = []
    work = source + "_run"

    # 1. One sweeper.
    bench.copy_database(source, work)
    started = time.monotonic()
    (fired,) = _finish([_sweeper(work)])
    seconds = time.monotonic() - started
    ok, states, reassessments = _check_all_fired_once(work, due, baseline, base_counts)
    rows.append(("one sweeper", f"{fired:,}", seconds, ok, states, reassessments))

    # 2. Two sweepers started together.
    bench.copy_database(source, work)
    started = time.monotonic()
    counts = _finish([_sweeper(work), _sweeper(work)])
    seconds = time.monotonic() - started
    ok, states, reassessments = _check_all_fired_once(work, due, baseline, base_counts)
    ok = ok and sum(counts) == due
    rows.append(
        (
            "two sweepers together",
            " + ".join(f"{c:,}" for c in counts),
            seconds,
            ok,
            states,
            reassessments,
        )
    )

    # 3. A sweeper killed halfway, then the next run.
    bench.copy_database(source, work)
    sweeper = _sweeper(work)
    started = time.monotonic()
    _wait_for_reassessments(work, base_counts[0] + due // 3, sweeper)
    killed_after = time.monotonic() - started
    sweeper.send_signal(signal.SIGKILL)
    sweeper.wait()
    half, (half_reassessments, _tasks) = _states(work)
    half_reassessments -= base_counts[0]
    half_ok = (
        half.get("inconsistent", 0) == baseline.get("inconsistent", 0)
        and 0 < half_reassessments < due
    )
    rows.append(
        (
            "one sweeper killed (SIGKILL) a third of the way",
            f"{half_reassessments:,}",
            killed_after,
            half_ok,
            half,
            half_reassessments,
        )
    )
    started = time.monotonic()
    (fired,) = _finish([_sweeper(work)])
    seconds = time.monotonic() - started
    ok, states, reassessments = _check_all_fired_once(work, due, baseline, base_counts)
    ok = ok and fired == due - half_reassessments
    rows.append(("the next run after the kill", f"{fired:,}", seconds, ok, states, reassessments))

    # 4. Viewflow's own sweeper on a sample, for comparison.
    if args.viewflow_sample:
        bench.copy_database(source, work)
        bench.use_database(work)
        from django.utils import timezone
        from viewflow.workflow.models import Task
        from viewflow.workflow.status import STATUS
        from viewflow.workflow.timers import fire_due_timers

        from workflows.flows import ReferralFlow

        timers = Task.objects.filter(
            flow_task=ReferralFlow.wait_for_reassessment, status=STATUS.SCHEDULED
        )
        keep = list(timers.order_by("pk").values_list("pk", flat=True)[: args.viewflow_sample])
        timers.exclude(pk__in=keep).update(scheduled=timezone.now() + datetime.timedelta(days=1))
        started = time.monotonic()
        fired = fire_due_timers()
        seconds = time.monotonic() - started
        states, _counts = _states(work)
        ok = (
            fired == args.viewflow_sample
            and states.get("fired", 0) - baseline.get("fired", 0) == args.viewflow_sample
        )
        rows.append(
            (
                f"viewflow's fire_due_timers, {args.viewflow_sample:,} of them",
                f"{fired:,}",
                seconds,
                ok,
                states,
                fired,
            )
        )
    bench.use_database("postgres")
    bench._admin_sql(f'DROP DATABASE "{work}"')
    return rows, generated_in, source


def report(rows, *, args, generated_in, source, load_before, load_after):
    bench.use_database(source)
    machine = bench._machine(source)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {now}: timer sweep, {args.timers:,} due reassessment timers",
        "",
        "Machine: {nproc} CPUs, {memory} memory; Python {python}, Django {django}, "
        "django-viewflow {viewflow}, PostgreSQL {postgresql}; source database "
        "`{database}`, a fresh copy for each run.".format(**machine),
        f"Load average (1 min) before/after: {load_before:.2f} / {load_after:.2f}.",
    ]
    if generated_in is not None:
        lines.append(f"Generating the {args.timers:,} cases in support took {generated_in:.0f} s.")
    lines += [
        "",
        "| run | timers fired | seconds | per timer ms | every timer once, nothing half-done |"
        " cases (waiting / fired / inconsistent) |",
        "|---|---|---|---|---|---|",
    ]
    for name, fired, seconds, ok, states, reassessments in rows:
        per = seconds * 1000 / reassessments if reassessments and "killed" not in name else None
        lines.append(
            f"| {name} | {fired} | {seconds:.1f} | {'' if per is None else f'{per:.1f}'} | "
            f"{'yes' if ok else '**no**'} | {states.get('waiting', 0):,} / "
            f"{states.get('fired', 0):,} / {states.get('inconsistent', 0):,} |"
        )
    bench.publish(lines, no_report=args.no_report)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--viewflow-sample", type=int, default=500)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows, generated_in, source = run(args)
    load_after = os.getloadavg()[0]
    report(
        rows,
        args=args,
        generated_in=generated_in,
        source=source,
        load_before=load_before,
        load_after=load_after,
    )
    if not all(ok for _name, _fired, _seconds, ok, _states, _r in rows):
        raise SystemExit("A timer run fired a timer twice, missed one or left one half-done.")


if __name__ == "__main__":
    main()
