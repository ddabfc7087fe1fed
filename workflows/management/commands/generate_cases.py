"""Synthetic referral cases in bulk, for benchmarks: realistic, seeded and consistent.

Rows are written with `bulk_create` in batches, not through the services (one case through
the services costs some 60 queries). The rows are the ones the services and the flow
would have left behind; the invariants kept are listed in docs/benchmarks.md:

- every case has a Process of ReferralFlow (NEW while open, DONE with `finished` when
  closed) and the Task rows of the path it took, in order, each linked to the one before it
  (`previous`), with the same type, status, owner, permission, token and time columns the
  flow writes; an open case has exactly one open human task, the one its stage calls for;
- a case in support whose standard sets a reassessment interval has a SCHEDULED timer task
  (`scheduled` = `reassessment_due_at`, in the future) beside its `end_support` task, both
  with the split's branch tokens; a case at reassessment has the fired timer, the cancelled
  `end_support`, the join and an undecided Reassessment row; a sent handover has the
  acknowledge task and, on consent, the waiting `consent_withdrawn` task, both branches of
  the `await_acknowledgement` split (an acknowledged one: cancelled, and the join);
- stage, outcome, workers, first contact, support and handover fields agree with the
  tasks; the first achieved contact is the case's `first_contact_at`; a handover sent on
  consent points to a valid consent to the receiving team;
- deadlines and revisions come from the standard in force for the team (`rules_in_force`).
"""

import datetime
import functools
import multiprocessing
import random
import time
from collections import Counter

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from intranet.models import AccessAction, AccessLogEntry
from pages.models import StandardPage, TeamPage
from pages.rules import NoStandardInForce, rules_in_force
from workflows.flows import ReferralFlow
from workflows.models import (
    WORKER_OUTCOMES,
    AgeGroup,
    Case,
    Channel,
    ConcernCategory,
    Consent,
    ConsentForm,
    ContactKind,
    ContactLog,
    Gender,
    Goal,
    GoalArea,
    GoalStatus,
    HandoverBasis,
    Housing,
    IncomeSource,
    MainProblem,
    Outcome,
    Person,
    Reassessment,
    Referral,
    ReferralSource,
    Stage,
)
from workflows.services import add_months, users_with_perm_in_team

# What becomes of a generated case, with its weight among open and among closed cases.
OPEN_KINDS = {
    "triage_new": 10,
    "triage_claimed": 4,
    "outreach": 18,
    "support": 45,
    "reassessment": 8,
    "handover_draft": 5,
    "handover_sent": 5,
}
CLOSED_KINDS = {
    "redirected": 8,
    "outside_target_group": 6,
    "outreach_declined": 8,
    "no_contact": 12,
    "support_closed": 40,
    "reassess_closed": 10,
    "handed_over": 16,
}

ALIASES = ["Kasket", "Hønse", "Smeden", "Lange", "Røde", "Bamse", "Skipper", "Søster", "Mulle"]
FIRST = ["Anne", "Bo", "Camilla", "Dennis", "Eva", "Frank", "Gitte", "Henrik", "Ida", "Jens"]
LAST = ["Hansen", "Jensen", "Nielsen", "Pedersen", "Larsen", "Sørensen", "Rasmussen", "Holm"]
PLACES = ["Banegårdspladsen", "biblioteket", "havnen", "Torvet", "stationen", "Møllebakken"]
CONCERNS = [
    "Sover i opgangen og virker forvirret.",
    "Har ikke hentet post i flere uger; naboer er bekymrede.",
    "Ses dagligt ved stationen, virker afkræftet.",
    "Udskrevet fra psykiatrien uden bolig.",
    "Misbrug og gæld; har mistet kontakten til familien.",
]


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


@functools.cache
def _values(choices):
    return choices.values


def _weighted(weights, count, rng):
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names], k=count)


class _Chain:
    """The task rows of one process, in creation order, with their `previous` links."""

    def __init__(self, at, now):
        self.now = now
        self.tasks = []  # (phase, Task)
        self.links = []  # (task index, previous task index)
        self.at = at
        self.phase = 1
        # Split tasks by the marker their branches' tokens carry ("start/S_1") until the
        # split's id is known: S the support period, H the wait for acknowledgement.
        self.splits = {}
        self.ack_token = ""

    def add(self, name, status, *, after=None, minutes=5, token="start", **fields):  # noqa: S107
        self.at = min(self.at + datetime.timedelta(minutes=minutes), self.now)
        node = getattr(ReferralFlow, name)
        task = Task(
            flow_task=node,
            flow_task_type=node.task_type,
            status=status,
            created=self.at,
            token=Token(token),
            **fields,
        )
        done = status in (STATUS.DONE, STATUS.CANCELED)
        if done:
            task.finished = self.at + datetime.timedelta(minutes=1)
        self.tasks.append((self.phase, task))
        index = len(self.tasks) - 1
        for previous in [index - 1] if after is None else after:
            if previous is not None and previous >= 0:
                self.links.append((index, previous))
        return index

    def wait(self, moment):
        self.at = max(self.at, moment)


class CaseGenerator:
    """Builds and bulk-inserts cases; one instance per run (it holds the seeded random)."""

    def __init__(self, *, seed=1, now=None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.flow_class = ReferralFlow
        self._load_reference_data()

    # --- reference data ----------------------------------------------------------------

    def _load_reference_data(self):
        teams = []
        for team in TeamPage.objects.live().filter(standards__live=True).distinct().order_by("pk"):
            workers = list(users_with_perm_in_team(team, "workflows.work_case"))
            coordinators = list(users_with_perm_in_team(team, "workflows.triage_case"))
            if not workers or not coordinators:
                continue
            try:
                rules = rules_in_force(team=team)
            except NoStandardInForce:
                continue
            teams.append(
                {"team": team, "workers": workers, "coordinators": coordinators, "rules": rules}
            )
        if not teams:
            raise CommandError(
                "No live team delivering a live standard has both a worker and a coordinator."
            )
        self.teams = teams
        self.receivers = {}
        for team in TeamPage.objects.live().order_by("pk"):
            receivers = list(users_with_perm_in_team(team, "workflows.acknowledge_handover"))
            if receivers:
                self.receivers[team.pk] = (team, receivers)
        for entry in teams:
            department = entry["team"].get_parent()
            entry["handover_teams"] = [
                pk
                for pk, (team, _) in self.receivers.items()
                if pk != entry["team"].pk and not team.path.startswith(department.path)
            ]
        self.sources = list(ReferralSource.objects.filter(active=True).values_list("pk", flat=True))

    # --- the run -----------------------------------------------------------------------

    def generate(self, *, count=0, open_count=0, batch_size=2000, jobs=1, kinds=None):
        """Insert `count` cases (or one of each of `kinds`); returns the count per stage."""
        rng = self.rng
        if kinds is None:
            open_count = min(open_count, count)
            kinds = _weighted(OPEN_KINDS, open_count, rng) + _weighted(
                CLOSED_KINDS, count - open_count, rng
            )
            rng.shuffle(kinds)
        count = len(kinds)
        self._batches = [kinds[start : start + batch_size] for start in range(0, count, batch_size)]
        made = Counter()
        if jobs > 1:
            # Children inherit this generator by fork and open their own connections.
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for counts in pool.imap_unordered(self._run_batch, range(len(self._batches))):
                    made.update(counts)
        else:
            for number in range(len(self._batches)):
                made.update(self._run_batch(number))
        return made

    def _run_batch(self, number):
        # Each batch has its own random, so the data is the same whatever the number of jobs.
        self.rng = random.Random(f"{self.seed}-{number}")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Benchmark data: a crash may lose the last batch, never corrupt it.
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            return self._batch(self._batches[number])

    def _batch(self, kinds):
        plans = [self._plan(kind) for kind in kinds]

        persons = Person.objects.bulk_create([p["person"] for p in plans])
        processes = Process.objects.bulk_create([p["process"] for p in plans])
        for plan, person, process in zip(plans, persons, processes, strict=True):
            plan["case"].person_id = person.pk
            plan["case"].process_id = process.pk
            for consent in plan["consents"]:
                consent.person_id = person.pk
        cases = Case.objects.bulk_create([p["case"] for p in plans])
        for plan, case in zip(plans, cases, strict=True):
            plan["referral"].case_id = case.pk
            for _phase, task in plan["chain"].tasks:
                task.process_id = case.process_id
        Referral.objects.bulk_create([p["referral"] for p in plans])

        # Tasks up to each split first: the branches' tokens carry the split task's id.
        phases = sorted({phase for p in plans for phase, _task in p["chain"].tasks})
        for number in phases:
            for plan in plans:
                chain = plan["chain"]
                for marker, index in chain.splits.items():
                    split_pk = chain.tasks[index][1].pk
                    for phase, task in chain.tasks:
                        if phase == number and task.token.token.startswith(f"start/{marker}_"):
                            task.token = Token(task.token.token.replace(marker, str(split_pk), 1))
            Task.objects.bulk_create(
                [t for p in plans for phase, t in p["chain"].tasks if phase == number]
            )
        Through = Task.previous.through
        Task.previous.through.objects.bulk_create(
            [
                Through(
                    from_task_id=p["chain"].tasks[i][1].pk, to_task_id=p["chain"].tasks[j][1].pk
                )
                for p in plans
                for i, j in p["chain"].links
            ]
        )

        for plan, case in zip(plans, cases, strict=True):
            for row in plan["contacts"] + plan["goals"] + plan["reassessments"] + plan["log"]:
                row.case_id = case.pk
            for row in plan["log"]:
                row.person_id = case.person_id
            for consent in plan["consents"]:
                consent.case_id = case.pk
        ContactLog.objects.bulk_create([c for p in plans for c in p["contacts"]])
        Goal.objects.bulk_create([g for p in plans for g in p["goals"]])
        Reassessment.objects.bulk_create([r for p in plans for r in p["reassessments"]])
        Consent.objects.bulk_create([c for p in plans for c in p["consents"]])
        AccessLogEntry.objects.bulk_create([e for p in plans for e in p["log"]])

        handed = []
        for plan in plans:
            if plan.get("handover_consent") is not None:
                plan["case"].handover_consent_id = plan["handover_consent"].pk
                handed.append(plan["case"])
        if handed:
            Case.objects.bulk_update(handed, ["handover_consent"])
        return Counter(plan["case"].stage for plan in plans)

    # --- one case ------------------------------------------------------------------------

    def _person(self):
        rng = self.rng
        identified = rng.random() < 0.6
        birth_year = rng.randint(1950, 2005) if rng.random() < 0.7 else None
        person = Person(
            alias=f"{rng.choice(ALIASES)}-{rng.randint(1, 9999)}",
            whereabouts=f"Ses ofte ved {rng.choice(PLACES)}",
            gender=rng.choice(_values(Gender)),
            birth_year=birth_year,
            age_group=AgeGroup.UNKNOWN if birth_year else rng.choice(_values(AgeGroup)),
            income_source=rng.choice(_values(IncomeSource)),
            housing=rng.choice(_values(Housing)),
            main_problem=rng.choice(_values(MainProblem)),
        )
        if identified:
            person.name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if birth_year:
                day = rng.randint(1, 28)
                month = rng.randint(1, 12)
                seventh = "0" if birth_year < 2000 else "4"
                person.cpr = (
                    f"{day:02d}{month:02d}{birth_year % 100:02d}-{seventh}{rng.randint(0, 999):03d}"
                )
        return person

    def _plan(self, kind):
        rng = self.rng
        entry = rng.choice(self.teams)
        team, rules = entry["team"], entry["rules"]
        coordinator = rng.choice(entry["coordinators"])
        worker = rng.choice(entry["workers"])
        is_open = kind in OPEN_KINDS
        if kind in ("handover_sent", "handed_over") and not entry["handover_teams"]:
            kind = "handover_draft" if is_open else "support_closed"
        # Open cases are recent; the history spreads over four years.
        if kind in ("triage_new", "triage_claimed"):
            age_days = rng.uniform(0.2, 6)
        elif kind == "outreach":
            age_days = rng.uniform(1, 40)
        elif kind == "support":
            months = rules.reassessment_interval_months or 12
            age_days = rng.uniform(14, months * 30 - 10)
        elif kind == "reassessment":
            months = rules.reassessment_interval_months or 12
            age_days = rng.uniform(months * 31 + 20, months * 31 + 200)
        elif is_open:  # a handover: started before the reassessment date came
            age_days = rng.uniform(30, 110)
        elif kind == "reassess_closed":
            months = rules.reassessment_interval_months or 12
            age_days = rng.uniform(months * 31 + 60, 4 * 365)
        else:
            age_days = rng.uniform(60, 4 * 365)
        received = self.now - datetime.timedelta(days=age_days)
        person = self._person()
        person.created_at = received
        case = Case(
            team=team,
            stage=Stage.TRIAGE,
            standard_revision_id=rules.revision_id,
            referral_received_at=received,
            first_contact_due=rules.first_contact_due(received),
            created_at=received,
            created_by=coordinator,
        )
        referral = Referral(
            received_at=received,
            channel=rng.choice(_values(Channel)),
            source_id=rng.choice(self.sources) if self.sources else None,
            concern=rng.choice(CONCERNS),
            concern_categories=rng.sample(_values(ConcernCategory), rng.randint(1, 3)),
            registered_by=coordinator,
        )
        plan = {
            "person": person,
            "process": Process(
                flow_class=self.flow_class, status=PROCESS.NEW, created=received, data={}
            ),
            "case": case,
            "referral": referral,
            "contacts": [],
            "goals": [],
            "consents": [],
            "reassessments": [],
            "log": [
                AccessLogEntry(
                    user=coordinator,
                    username=coordinator.get_username(),
                    action=AccessAction.CREATE,
                    what="referral",
                    path="/sager/ny/",
                )
            ],
        }
        chain = _Chain(received, self.now)
        plan["chain"] = chain
        chain.add("start", STATUS.DONE, owner=coordinator, started=received, minutes=0)
        getattr(self, f"_path_{kind}")(plan, chain, entry, coordinator, worker)
        if case.stage == Stage.CLOSED:
            plan["process"].status = PROCESS.DONE
            plan["process"].finished = case.closed_at
        for _ in range(rng.randint(0, 3)):
            reader = rng.choice(entry["workers"])
            plan["log"].append(
                AccessLogEntry(
                    user=reader,
                    username=reader.get_username(),
                    action=AccessAction.VIEW,
                    what="case",
                    path="/sager/",
                )
            )
        return plan

    # --- the steps (each mirrors a service and the flow nodes after it) -------------------

    def _triage(self, chain, coordinator, decision, *, status=STATUS.DONE):
        chain.add(
            "triage",
            status,
            owner=coordinator if status != STATUS.NEW else None,
            owner_permission="workflows.triage_case",
            assigned=chain.at if status != STATUS.NEW else None,
            started=chain.at if status == STATUS.DONE else None,
            data={"decision": decision} if decision else {},
            minutes=self.rng.randint(30, 60 * 24),
        )
        if status == STATUS.DONE:
            chain.add("is_accepted", STATUS.DONE)

    def _close(self, plan, chain, outcome, note=""):
        end = chain.add("end", STATUS.DONE, started=chain.at)
        case = plan["case"]
        case.stage = Stage.CLOSED
        case.outcome = outcome
        case.outcome_note = note
        case.closed_at = chain.tasks[end][1].finished
        return end

    def _contacts(self, plan, chain, worker, *, failed, achieved, extra=0):
        rng = self.rng
        case = plan["case"]
        for number in range(failed + achieved + extra):
            chain.at += datetime.timedelta(hours=rng.randint(4, 96))
            is_achieved = number >= failed
            moment = min(chain.at, self.now - datetime.timedelta(minutes=10))
            plan["contacts"].append(
                ContactLog(
                    worker=worker,
                    kind=rng.choice(_values(ContactKind)),
                    achieved=is_achieved,
                    occurred_at=moment,
                    duration_minutes=rng.choice([10, 20, 30, 45, 60]) if is_achieved else None,
                    note="Mødt og talt sammen." if is_achieved else "Ikke truffet.",
                    created_at=moment,
                )
            )
            if is_achieved and case.first_contact_at is None:
                case.first_contact_at = moment

    def _accept(self, plan, chain, coordinator, worker, entry):
        self._triage(chain, coordinator, "accept")
        case = plan["case"]
        case.primary_worker = worker
        others = [w for w in entry["workers"] if w.pk != worker.pk]
        if others and self.rng.random() < 0.3:
            case.second_worker = self.rng.choice(others)
        case.stage = Stage.OUTREACH

    def _outreach(self, chain, worker, result, *, status=STATUS.DONE):
        chain.add(
            "outreach",
            status,
            owner=worker,
            owner_permission="workflows.work_case",
            started=chain.at if status == STATUS.DONE else None,
            data={"decision": result} if result else {},
        )
        if status == STATUS.DONE:
            chain.add("is_contact_made", STATUS.DONE)

    def _to_support(self, plan, chain, coordinator, worker, entry):
        """Triage, outreach with contact made, plan_support and the split's two branches."""
        rng = self.rng
        case = plan["case"]
        self._accept(plan, chain, coordinator, worker, entry)
        self._contacts(plan, chain, worker, failed=rng.randint(0, 2), achieved=1)
        self._outreach(chain, worker, "contact_made")
        case.stage = Stage.SUPPORT
        case.support_started_at = chain.at
        months = entry["rules"].reassessment_interval_months
        case.reassessment_revision_id = entry["rules"].revision_id
        if months:
            case.reassessment_due_at = add_months(case.support_started_at, months)
        chain.add("plan_support", STATUS.DONE, started=chain.at, minutes=0)
        chain.splits["S"] = chain.add("support", STATUS.DONE, minutes=0)
        chain.phase = 2
        for _ in range(rng.randint(1, 3)):
            plan["goals"].append(
                Goal(
                    area=rng.choice(_values(GoalArea)),
                    description="Mål aftalt med borgeren.",
                    status=GoalStatus.ACTIVE,
                    created_at=chain.at,
                    updated_at=chain.at,
                    created_by=worker,
                )
            )

    def _branches(self, plan, chain, worker, *, timer_status, end_status, decision=""):
        """The timer (if the standard sets an interval) and the standing end_support task."""
        case = plan["case"]
        split = chain.splits["S"]
        timer = None
        number = 1
        if case.reassessment_due_at is not None:
            timer = chain.add(
                "wait_for_reassessment",
                timer_status,
                after=[split],
                minutes=0,
                token=f"start/S_{number}",
                scheduled=case.reassessment_due_at,
                started=case.reassessment_due_at if timer_status == STATUS.DONE else None,
            )
            number += 1
        end = chain.add(
            "end_support",
            end_status,
            after=[split],
            minutes=0,
            token=f"start/S_{number}",
            owner=worker,
            owner_permission="workflows.work_case",
            started=chain.at if end_status == STATUS.DONE else None,
            data={"decision": decision} if decision else {},
        )
        return timer, end

    def _support_over(self, plan, chain, worker, *, by_timer, decision=""):
        """The support period ends: by the timer (reassessment) or by the worker early."""
        rng = self.rng
        case = plan["case"]
        self._contacts(plan, chain, worker, failed=0, achieved=0, extra=rng.randint(1, 6))
        if by_timer:
            chain.wait(case.reassessment_due_at)
            timer, _end = self._branches(
                plan, chain, worker, timer_status=STATUS.DONE, end_status=STATUS.CANCELED
            )
            arrived = timer
        else:
            _timer, end = self._branches(
                plan,
                chain,
                worker,
                timer_status=STATUS.CANCELED,
                end_status=STATUS.DONE,
                decision=decision,
            )
            arrived = end
        chain.add("support_ended", STATUS.DONE, after=[arrived], started=chain.at, minutes=0)
        chain.add("is_reassessment_due", STATUS.DONE, minutes=0)

    def _reassess(self, plan, chain, worker, *, decision=""):
        case = plan["case"]
        case.stage = Stage.REASSESSMENT
        reassessment = Reassessment(
            due_at=case.reassessment_due_at,
            opened_at=chain.at,
            standard_revision_id=case.reassessment_revision_id,
        )
        plan["reassessments"].append(reassessment)
        status = STATUS.DONE if decision else STATUS.ASSIGNED
        chain.add(
            "reassess",
            status,
            owner=worker,
            owner_permission="workflows.work_case",
            started=chain.at if decision else None,
            data={"decision": decision} if decision else {},
            minutes=0,
        )
        if decision:
            chain.add("is_support_continued", STATUS.DONE)
            reassessment.decision = decision
            reassessment.note = "Vurderet sammen med borgeren."
            reassessment.decided_at = chain.at
            reassessment.decided_by = worker
            case.last_reassessed_at = chain.at

    def _hand_over(self, plan, chain, worker, entry, *, send):
        rng = self.rng
        case = plan["case"]
        case.stage = Stage.HANDOVER
        if not send:
            chain.add(
                "hand_over", STATUS.ASSIGNED, owner=worker, owner_permission="workflows.work_case"
            )
            return None
        chain.add(
            "hand_over",
            STATUS.DONE,
            owner=worker,
            owner_permission="workflows.work_case",
            started=chain.at,
            data={"decision": "sent"},
            minutes=rng.randint(60, 60 * 24 * 5),
        )
        chain.add("is_handover_sent", STATUS.DONE)
        chain.splits["H"] = chain.add("await_acknowledgement", STATUS.DONE, minutes=0)
        chain.phase = 3
        team_pk = rng.choice(entry["handover_teams"])
        case.handover_team_id = team_pk
        case.handover_summary = "Borgeren ønsker støtte fra jer; se vores opsummering."
        case.handover_sent_at = chain.at
        if rng.random() < 0.8:
            case.handover_basis = HandoverBasis.CONSENT
            consent = Consent(
                receiver_id=team_pk,
                information="Boligsituation og kontaktoplysninger.",
                given_on=timezone.localtime(chain.at).date(),
                form=rng.choice(_values(ConsentForm)),
                recorded_by=worker,
                recorded_at=chain.at,
            )
            plan["consents"].append(consent)
            plan["handover_consent"] = consent
        else:
            case.handover_basis = HandoverBasis.DUTY_TO_NOTIFY
            case.handover_legal_note = "Underretning efter servicelovens § 154."
        return team_pk

    def _awaiting(self, plan, chain, *, withdrawal_status):
        """The handover split's first branch: the wait for a withdrawn consent (a handover on
        consent only); sets the acknowledge task's token (the next branch)."""
        number = 1
        if plan["case"].handover_basis == HandoverBasis.CONSENT:
            chain.add(
                "consent_withdrawn",
                withdrawal_status,
                after=[chain.splits["H"]],
                token="start/H_1",  # noqa: S106
                minutes=0,
            )
            number = 2
        chain.ack_token = f"start/H_{number}"

    # --- the paths ---------------------------------------------------------------------

    def _path_triage_new(self, plan, chain, entry, coordinator, worker):
        self._triage(chain, coordinator, "", status=STATUS.NEW)

    def _path_triage_claimed(self, plan, chain, entry, coordinator, worker):
        self._triage(chain, coordinator, "", status=STATUS.ASSIGNED)

    def _path_outreach(self, plan, chain, entry, coordinator, worker):
        rng = self.rng
        self._accept(plan, chain, coordinator, worker, entry)
        self._contacts(
            plan, chain, worker, failed=rng.randint(0, 3), achieved=int(rng.random() < 0.3)
        )
        self._outreach(chain, worker, "", status=STATUS.ASSIGNED)

    def _path_support(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        self._contacts(plan, chain, worker, failed=0, achieved=0, extra=self.rng.randint(0, 4))
        self._branches(
            plan, chain, worker, timer_status=STATUS.SCHEDULED, end_status=STATUS.ASSIGNED
        )

    def _path_reassessment(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        if plan["case"].reassessment_due_at is None:
            return self._path_handover_draft_after_support(plan, chain, entry, worker)
        self._support_over(plan, chain, worker, by_timer=True)
        self._reassess(plan, chain, worker)

    def _path_handover_draft(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        self._path_handover_draft_after_support(plan, chain, entry, worker)

    def _path_handover_draft_after_support(self, plan, chain, entry, worker):
        self._support_over(plan, chain, worker, by_timer=False, decision="hand_over")
        self._hand_over(plan, chain, worker, entry, send=False)

    def _path_handover_sent(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        self._support_over(plan, chain, worker, by_timer=False, decision="hand_over")
        self._hand_over(plan, chain, worker, entry, send=True)
        self._awaiting(plan, chain, withdrawal_status=STATUS.NEW)
        chain.add(
            "acknowledge_handover",
            STATUS.NEW,
            after=[chain.splits["H"]],
            token=chain.ack_token,
            owner_permission="workflows.acknowledge_handover",
            minutes=0,
        )

    def _path_redirected(self, plan, chain, entry, coordinator, worker):
        case = plan["case"]
        reason, destination = next(iter(entry["rules"].redirects.items()), ("", None))
        if destination is None:
            return self._path_outside_target_group(plan, chain, entry, coordinator, worker)
        self._triage(chain, coordinator, "redirect")
        case.redirect_reason = reason
        case.redirect_destination_id = destination
        self._close(plan, chain, Outcome.REDIRECTED)

    def _path_outside_target_group(self, plan, chain, entry, coordinator, worker):
        self._triage(chain, coordinator, "decline")
        self._close(plan, chain, Outcome.OUTSIDE_TARGET_GROUP, "Uden for målgruppen.")

    def _path_outreach_declined(self, plan, chain, entry, coordinator, worker):
        self._accept(plan, chain, coordinator, worker, entry)
        self._contacts(plan, chain, worker, failed=0, achieved=1)
        self._outreach(chain, worker, "declined")
        self._close(plan, chain, Outcome.DECLINED)

    def _path_no_contact(self, plan, chain, entry, coordinator, worker):
        self._accept(plan, chain, coordinator, worker, entry)
        self._contacts(plan, chain, worker, failed=self.rng.randint(2, 5), achieved=0)
        self._outreach(chain, worker, "gave_up")
        self._close(plan, chain, Outcome.NO_CONTACT)

    def _path_support_closed(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        self._support_over(plan, chain, worker, by_timer=False, decision="close")
        for goal in plan["goals"]:
            goal.status = self.rng.choice(_values(GoalStatus)[1:])
        self._close(plan, chain, self.rng.choice(WORKER_OUTCOMES))

    def _path_reassess_closed(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        if plan["case"].reassessment_due_at is None:
            return self._path_support_closed_after_support(plan, chain, worker)
        self._support_over(plan, chain, worker, by_timer=True)
        self._reassess(plan, chain, worker, decision=Reassessment.Decision.CLOSE)
        self._close(plan, chain, self.rng.choice(WORKER_OUTCOMES))

    def _path_support_closed_after_support(self, plan, chain, worker):
        self._support_over(plan, chain, worker, by_timer=False, decision="close")
        self._close(plan, chain, self.rng.choice(WORKER_OUTCOMES))

    def _path_handed_over(self, plan, chain, entry, coordinator, worker):
        self._to_support(plan, chain, coordinator, worker, entry)
        self._support_over(plan, chain, worker, by_timer=False, decision="hand_over")
        team_pk = self._hand_over(plan, chain, worker, entry, send=True)
        receiver = self.rng.choice(self.receivers[team_pk][1])
        self._awaiting(plan, chain, withdrawal_status=STATUS.CANCELED)
        ack = chain.add(
            "acknowledge_handover",
            STATUS.DONE,
            after=[chain.splits["H"]],
            token=chain.ack_token,
            owner=receiver,
            owner_permission="workflows.acknowledge_handover",
            assigned=chain.at,
            started=chain.at,
            data={"decision": "acknowledged"},
            minutes=self.rng.randint(60, 60 * 24 * 3),
        )
        chain.add("handover_settled", STATUS.DONE, after=[ack], started=chain.at, minutes=0)
        chain.add("is_handover_acknowledged", STATUS.DONE, minutes=0)
        case = plan["case"]
        case.handover_acknowledged_at = chain.at
        case.handover_acknowledged_by = receiver
        self._close(plan, chain, Outcome.HANDED_OVER)
