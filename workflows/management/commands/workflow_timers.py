"""Fire due workflow timers: here, the reassessment dates of cases in support.

This is viewflow's own `workflow_timers` command, documented for this project. Run it from
cron every five minutes on each application host:

    */5 * * * * cd /srv/brobygger && .venv/bin/python manage.py workflow_timers

Running it on several hosts at once is safe: viewflow (viewflow/workflow/timers.py) fires
each due timer inside `task.activation()`, which takes the flow's lock
(`ReferralFlow.lock_impl = select_for_update_lock`, a `SELECT ... FOR UPDATE NOWAIT` on the
process row), refreshes the task and fires it only if it is still SCHEDULED. A second host
either waits and then finds it already fired, or cannot take the lock and skips it until the
next run. A timer fired twice therefore opens one reassessment task (see
tests/test_workflow_timers.py).
"""

from viewflow.management.commands.workflow_timers import Command as ViewflowTimersCommand


class Command(ViewflowTimersCommand):
    help = "Fire due workflow timers (reassessment dates). Safe to run from several hosts."
