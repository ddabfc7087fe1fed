"""Fire due workflow timers: here, the reassessment dates of cases in support.

Run it from cron every five minutes on each application host:

    */5 * * * * cd /srv/brobygger && .venv/bin/python manage.py workflow_timers

It fires the reassessment timers of cases in support in batches
(`workflows.services.timers.fire_due_reassessments`: one transaction per batch, under the
process row locks, skipping processes another host holds), then runs viewflow's own
sweeper for any other due timer (`viewflow.workflow.timers.fire_due_timers`: one timer per
transaction, inside `task.activation()`, which takes the flow's lock,
`ReferralFlow.lock_impl = select_for_update_lock`, refreshes the task and fires it only if
it is still SCHEDULED).

Running it on several hosts at once is safe: each timer fires exactly once, and a sweeper
killed halfway leaves each case either waiting or fully at reassessment (see
tests/test_workflow_timers.py and tests/test_timer_sweep.py).
"""

from viewflow.management.commands.workflow_timers import Command as ViewflowTimersCommand
from viewflow.workflow.timers import (
    fire_due_conditions,
    fire_due_start_timers,
    fire_due_timers,
)

from workflows.services.timers import BATCH_SIZE, fire_due_reassessments


class Command(ViewflowTimersCommand):
    help = "Fire due workflow timers (reassessment dates). Safe to run from several hosts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Reassessment timers fired per transaction (default {BATCH_SIZE}).",
        )

    def handle(self, **options):
        fired = fire_due_reassessments(batch_size=options["batch_size"]) + fire_due_timers()
        started = fire_due_start_timers()
        conditions = fire_due_conditions()
        self.stdout.write(
            f"{fired} timer(s) fired, {started} process(es) started, "
            f"{conditions} condition(s) fired"
        )
