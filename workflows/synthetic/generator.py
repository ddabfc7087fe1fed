"""Synthetic referral cases in bulk, for benchmarks: realistic, seeded and consistent.

Each kind of case is first walked once per team through the services and the flow
(workflows.synthetic.patterns); every generated case of that kind is a copy of what the walk
left, written with `bulk_create` in batches (one case through the services costs some 60
queries). A copy keeps the walk's task rows (type, status, owner's role, permission, data,
the `previous` links and the split tokens) and the case's stage and outcome; it gets its
own person, staff of the team, receiving team, contacts, goals and times. Times follow a
clock per case: each task starts when the one before it ended, a human task takes a while,
the contacts fall while the worker's task is open, and a fired timer waits for its date.
The deadlines come from the standard in force (`Rules.first_contact_due`,
`Rules.reassessment_due`); the invariants are listed in docs/benchmarks.md.
"""

import datetime
import functools
import multiprocessing
import random
from collections import Counter

from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from intranet.models import AccessAction, AccessLogEntry
from pages.models import TeamPage
from pages.rules import NoStandardInForce, rules_in_force

from ..flows import ReferralFlow
from ..models import (
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
    Person,
    Reassessment,
    Referral,
    ReferralSource,
    deadline_fields,
)
from ..services import users_with_perm_in_team
from .patterns import Cast, record

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
# A kind the team's standard or the receiving teams rule out, and the kind made instead.
INSTEAD = {
    "reassessment": "handover_draft",
    "reassess_closed": "support_closed",
    "handover_sent": "handover_draft",
    "handed_over": "support_closed",
    "redirected": "outside_target_group",
}
HANDOVER_KINDS = {"handover_sent", "handed_over"}

# How long a task is open before it is done, in minutes (other nodes take no time).
WORK_MINUTES = {
    "triage": (30, 60 * 24),
    "outreach": (5, 5),
    "end_support": (5, 5),
    "reassess": (30, 60 * 24),
    "hand_over": (60, 60 * 24 * 5),
    "acknowledge_handover": (60, 60 * 24 * 3),
}
# The contacts a worker logs during outreach: (failed, achieved) ranges, by how it ended
# ("": not yet; then a first contact in 3 of 10).
OUTREACH_CONTACTS = {
    "": ((0, 3), (0, 0)),
    "contact_made": ((0, 2), (1, 1)),
    "declined": ((0, 0), (1, 1)),
    "gave_up": ((2, 5), (0, 0)),
}
# The contacts logged during support: while it goes on, and in a period that has ended.
SUPPORT_CONTACTS = {"open": (0, 4), "ended": (1, 6)}

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


@functools.cache
def _values(choices):
    return choices.values


def _weighted(weights, count, rng):
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names], k=count)


class CaseGenerator:
    """Builds and bulk-inserts cases; one instance per run (it holds the seeded random)."""

    def __init__(self, *, seed=1, now=None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.patterns = {}
        self._load_reference_data()

    # --- reference data ----------------------------------------------------------------

    def _load_reference_data(self):
        self.receivers = {}
        for team in TeamPage.objects.live().order_by("pk"):
            receivers = list(users_with_perm_in_team(team, "workflows.acknowledge_handover"))
            if receivers:
                self.receivers[team.pk] = receivers
        self.teams = [entry for entry in map(self._team_entry, self._teams()) if entry]
        if not self.teams:
            raise CommandError(
                "No live team delivering a live standard has both a worker and a coordinator."
            )
        self.sources = list(ReferralSource.objects.filter(active=True).values_list("pk", flat=True))

    @staticmethod
    def _teams():
        return TeamPage.objects.live().filter(standards__live=True).distinct().order_by("pk")

    def _team_entry(self, team):
        workers = list(users_with_perm_in_team(team, "workflows.work_case"))
        coordinators = list(users_with_perm_in_team(team, "workflows.triage_case"))
        if not workers or not coordinators:
            return None
        try:
            rules = rules_in_force(team=team)
        except NoStandardInForce:
            return None
        cast = Cast(team, coordinators[0], workers[0], self.receivers)
        return {
            "team": team,
            "workers": workers,
            "coordinators": coordinators,
            "rules": rules,
            "cast": cast,
        }

    # --- the patterns ------------------------------------------------------------------

    def _possible(self, kind, entry):
        """`kind`, or the kind made instead when the team's standard rules it out."""
        rules = entry["rules"]
        ruled_out = (
            (kind in ("reassessment", "reassess_closed") and not rules.reassessment_interval_months)
            or (kind == "redirected" and not rules.redirects)
            or (kind in HANDOVER_KINDS and not self._pattern(entry, "support").handover_teams)
        )
        return INSTEAD[kind] if ruled_out else kind

    def _pattern(self, entry, kind, basis=HandoverBasis.CONSENT):
        key = (entry["team"].pk, kind, basis)
        if key not in self.patterns:
            self.patterns[key] = record(kind, entry["cast"], basis)
        return self.patterns[key]

    def _prepare(self, kinds):
        """Walk every kind (and basis) a case of these kinds may take, before any batch."""
        for entry in self.teams:
            for kind in {self._possible(kind, entry) for kind in kinds}:
                for basis in HandoverBasis.values if kind in HANDOVER_KINDS else [None]:
                    self._pattern(entry, kind, basis or HandoverBasis.CONSENT)

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
        self._prepare(set(kinds))
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
            return _insert([self._plan(kind) for kind in self._batches[number]])

    # --- one case ----------------------------------------------------------------------

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

    def _age_days(self, kind, rules):
        """How long ago the referral came: open cases are recent, the history spans 4 years."""
        uniform = self.rng.uniform
        months = rules.reassessment_interval_months or 12
        ranges = {
            "triage_new": (0.2, 6),
            "triage_claimed": (0.2, 6),
            "outreach": (1, 40),
            "support": (14, months * 30 - 10),
            "reassessment": (months * 31 + 20, months * 31 + 200),
            "handover_draft": (30, 110),  # started before the reassessment date came
            "handover_sent": (30, 110),
            "reassess_closed": (months * 31 + 60, 4 * 365),
        }
        return uniform(*ranges.get(kind, (60, 4 * 365)))

    def _plan(self, kind):
        rng = self.rng
        entry = rng.choice(self.teams)
        kind = self._possible(kind, entry)
        coordinator = rng.choice(entry["coordinators"])
        worker = rng.choice(entry["workers"])
        received = self.now - datetime.timedelta(days=self._age_days(kind, entry["rules"]))
        person = self._person()
        person.created_at = received
        referral = Referral(
            received_at=received,
            channel=rng.choice(_values(Channel)),
            source_id=rng.choice(self.sources) if self.sources else None,
            concern=rng.choice(CONCERNS),
            concern_categories=rng.sample(_values(ConcernCategory), rng.randint(1, 3)),
            registered_by=coordinator,
        )
        copy = self._copy(kind, entry, received, {"coordinator": coordinator, "worker": worker})
        return {
            "copy": copy,
            "person": person,
            "referral": referral,
            "log": self._log(entry, coordinator),
        }

    def _copy(self, kind, entry, received, people):
        """The case, its process and their rows, copied from the kind's pattern."""
        rng = self.rng
        basis = HandoverBasis.CONSENT
        if kind in HANDOVER_KINDS and rng.random() >= 0.8:
            basis = HandoverBasis.DUTY_TO_NOTIFY
        pattern = self._pattern(entry, kind, basis)
        handover_team = None
        if pattern.case.values.get("handover_team_id"):
            handover_team = rng.choice(pattern.handover_teams)
            people["receiver"] = rng.choice(self.receivers[handover_team])
        copy = _Copy(pattern, received, self.now, rng, entry["rules"], people)
        copy.run()
        case, worker = copy.case, people["worker"]
        if case.primary_worker_id:
            others = [w for w in entry["workers"] if w.pk != worker.pk]
            if others and rng.random() < 0.3:
                case.second_worker = rng.choice(others)
        if handover_team:
            case.handover_team_id = handover_team
            for consent in copy.consents:
                consent.receiver_id = handover_team
        copy.goals = self._goals(copy, worker)
        return copy

    def _goals(self, copy, worker):
        rng, case = self.rng, copy.case
        if case.support_started_at is None:
            return []
        done = copy.pattern.worker_outcome
        return [
            Goal(
                area=rng.choice(_values(GoalArea)),
                description="Mål aftalt med borgeren.",
                status=rng.choice(_values(GoalStatus)[1:]) if done else GoalStatus.ACTIVE,
                created_at=case.support_started_at,
                updated_at=case.support_started_at,
                created_by=worker,
            )
            for _ in range(rng.randint(1, 3))
        ]

    def _log(self, entry, coordinator):
        log = [
            AccessLogEntry(
                user=coordinator,
                username=coordinator.get_username(),
                action=AccessAction.CREATE,
                what="referral",
                path="/sager/ny/",
            )
        ]
        for _ in range(self.rng.randint(0, 3)):
            reader = self.rng.choice(entry["workers"])
            log.append(
                AccessLogEntry(
                    user=reader,
                    username=reader.get_username(),
                    action=AccessAction.VIEW,
                    what="case",
                    path="/sager/",
                )
            )
        return log


class _Copy:
    """One case copied from a pattern, on its own clock."""

    def __init__(self, pattern, received, now, rng, rules, people):
        self.pattern, self.received, self.now = pattern, received, now
        self.rng, self.rules, self.people = rng, rules, people
        self.tasks, self.ends, self.contacts, self.consents = [], [], [], []
        self.goals, self.reassessments = [], []
        self.case = None
        self.due = None
        self.on_consent = False

    def time_of(self, anchor):
        """The copy's moment for a moment the walk wrote during task `anchor`'s turn."""
        if anchor is None:
            return None
        return self.ends[anchor]

    def run(self):
        for source in self.pattern.tasks:
            self._task(source)
        # A cancelled task ends when the branch that cancelled it arrives, later in the list.
        for task, source in zip(self.tasks, self.pattern.tasks, strict=True):
            if source.status == STATUS.CANCELED:
                task.finished = self.time_of(source.finished_at)
        self._case()
        self.process = Process(
            flow_class=ReferralFlow,
            status=self.pattern.process_status,
            created=self.received,
            finished=self.time_of(self.pattern.process_finished_at),
            data={},
        )
        self.reassessments = [
            self._row(Reassessment, row, due_at=self.case.reassessment_due_at)
            for row in self.pattern.reassessments
        ]
        self.consents = [self._consent(row) for row in self.pattern.consents]

    def _task(self, source):
        """Copy one task: it is created when the task before it ended, and (if done) ends
        when its work is done, or for a timer on its date."""
        created = max((self.ends[i] for i in source.previous), default=self.received)
        end = created
        if source.owner == "worker":
            end = self._log_contacts(source, created)
        if source.node.task_type == "TIMER":
            self.due = self._due()
            end = max(end, self.due)
        if source.status == STATUS.DONE:
            low, high = WORK_MINUTES.get(source.node.name, (0, 0))
            end = end + datetime.timedelta(minutes=self.rng.randint(low, high))
        else:
            end = created
        end = min(end, self.now)
        self.ends.append(end)
        marks = dict.fromkeys(source.marks, created)
        if "finished" in marks:
            marks["finished"] = end
        if "scheduled" in marks:
            marks["scheduled"] = self.due
            if "started" in marks:  # a timer starts when it fires
                marks["started"] = end
        self.tasks.append(
            Task(
                flow_task=source.node,
                flow_task_type=source.node.task_type,
                status=source.status,
                created=created,
                owner=self.people.get(source.owner),
                owner_permission=source.owner_permission,
                data=dict(source.data),
                **marks,
            )
        )

    def _due(self):
        started = self.time_of(self.pattern.case.times.get("support_started_at"))
        return self.rules.reassessment_due(started) if started else None

    def _contact_counts(self, source):
        rng, name = self.rng, source.node.name
        if name == "outreach":
            decision = source.data.get("decision", "")
            (failed_low, failed_high), (low, high) = OUTREACH_CONTACTS[decision]
            failed = rng.randint(failed_low, failed_high)
            achieved = int(rng.random() < 0.3) if not decision else rng.randint(low, high)
            return failed, achieved
        if name == "end_support":
            going_on = source.status in (STATUS.NEW, STATUS.ASSIGNED)
            return 0, rng.randint(*SUPPORT_CONTACTS["open" if going_on else "ended"])
        return 0, 0

    def _log_contacts(self, source, at):
        """The contacts logged while `source` is open, from `at`; returns the last moment."""
        failed, achieved = self._contact_counts(source)
        for number in range(failed + achieved):
            at += datetime.timedelta(hours=self.rng.randint(4, 96))
            self.contacts.append(self._contact(number >= failed, at))
        return at

    def _contact(self, achieved, at):
        moment = min(at, self.now - datetime.timedelta(minutes=10))
        return ContactLog(
            worker=self.people["worker"],
            kind=self.rng.choice(_values(ContactKind)),
            achieved=achieved,
            occurred_at=moment,
            duration_minutes=self.rng.choice([10, 20, 30, 45, 60]) if achieved else None,
            note="Mødt og talt sammen." if achieved else "Ikke truffet.",
            created_at=moment,
        )

    def _case(self):
        case = self.case = self._row(Case, self.pattern.case)
        case.referral_received_at = case.created_at = self.received
        for name, value in deadline_fields(self.rules, self.received).items():
            setattr(case, name, value)
        achieved = [c.occurred_at for c in self.contacts if c.achieved]
        case.first_contact_at = min(achieved) if achieved else None
        case.reassessment_due_at = self.due if self.due else self._due()
        if self.pattern.worker_outcome:
            case.outcome = self.rng.choice(WORKER_OUTCOMES)
        # The walk's consent is not copied by id: the copy's own is linked once written.
        self.on_consent = case.handover_consent_id is not None
        case.handover_consent_id = None

    def _row(self, model, row, **fields):
        instance = model(**row.values)
        for name, anchor in row.times.items():
            setattr(instance, name, self.time_of(anchor))
        for name, role in row.people.items():
            setattr(instance, name, self.people.get(role) if role else None)
        for name, value in fields.items():
            setattr(instance, name, value)
        return instance

    def _consent(self, row):
        consent = self._row(Consent, row, form=self.rng.choice(_values(ConsentForm)))
        consent.given_on = timezone.localtime(consent.recorded_at).date()
        return consent

    def phases(self):
        """Each task's phase: 1, or one more than the split tasks its token names."""
        phases = []
        for source in self.pattern.tasks:
            splits = [part[0] for part in source.token[1:]]
            phases.append(1 + max((phases[i] for i in splits), default=0))
        return phases

    def set_tokens(self, numbers):
        for number in numbers:
            parts = self.pattern.tasks[number].token
            text = "/".join(
                [parts[0], *(f"{self.tasks[index].pk}_{branch}" for index, branch in parts[1:])]
            )
            self.tasks[number].token = Token(text)


def _insert(plans):
    """Write a batch of planned cases; returns the count per stage."""
    persons = Person.objects.bulk_create([p["person"] for p in plans])
    copies = [p["copy"] for p in plans]
    processes = Process.objects.bulk_create([c.process for c in copies])
    for copy, person, process in zip(copies, persons, processes, strict=True):
        copy.case.person_id = person.pk
        copy.case.process_id = process.pk
        for consent in copy.consents:
            consent.person_id = person.pk
        for task in copy.tasks:
            task.process_id = process.pk
    cases = Case.objects.bulk_create([c.case for c in copies])
    for plan, case in zip(plans, cases, strict=True):
        plan["referral"].case_id = case.pk
    Referral.objects.bulk_create([p["referral"] for p in plans])
    _insert_tasks(copies)
    _insert_case_rows(plans)
    return Counter(copy.case.stage for copy in copies)


def _insert_tasks(copies):
    # Tasks up to each split first: the branches' tokens carry the split task's id.
    phases = {copy: copy.phases() for copy in copies}
    for phase in sorted({n for numbers in phases.values() for n in numbers}):
        batch = []
        for copy in copies:
            numbers = [i for i, n in enumerate(phases[copy]) if n == phase]
            copy.set_tokens(numbers)
            batch += [copy.tasks[i] for i in numbers]
        Task.objects.bulk_create(batch)
    link = Task.previous.through
    link.objects.bulk_create(
        [
            link(from_task_id=copy.tasks[i].pk, to_task_id=copy.tasks[j].pk)
            for copy in copies
            for i, source in enumerate(copy.pattern.tasks)
            for j in source.previous
        ]
    )


def _insert_case_rows(plans):
    for plan in plans:
        copy, case = plan["copy"], plan["copy"].case
        for row in copy.contacts + copy.goals + copy.reassessments + plan["log"]:
            row.case_id = case.pk
        for row in plan["log"]:
            row.person_id = case.person_id
        for consent in copy.consents:
            consent.case_id = case.pk
    copies = [p["copy"] for p in plans]
    ContactLog.objects.bulk_create([c for copy in copies for c in copy.contacts])
    Goal.objects.bulk_create([g for copy in copies for g in copy.goals])
    Reassessment.objects.bulk_create([r for copy in copies for r in copy.reassessments])
    Consent.objects.bulk_create([c for copy in copies for c in copy.consents])
    AccessLogEntry.objects.bulk_create([e for p in plans for e in p["log"]])
    handed = []
    for copy in copies:
        if copy.on_consent:
            copy.case.handover_consent_id = copy.consents[-1].pk
            handed.append(copy.case)
    if handed:
        Case.objects.bulk_update(handed, ["handover_consent"])
