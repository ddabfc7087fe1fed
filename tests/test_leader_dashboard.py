"""The leader's dashboard, against the register of test_status_report (now = 2.3.2026)."""

import importlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from intranet import roles
from intranet.models import AccessLogEntry
from workflows.flows import ReferralFlow
from workflows.models import Case
from workflows.reporting import dashboard as figures
from workflows.reporting.periods import Period

from .factories import StaffMemberFactory
from .test_status_report import NOW, at, make_world, member, module_data

URL = reverse("leader:dashboard")
YEAR_2025 = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


def unclaimed_task(case, node, created):
    process = Process.objects.create(flow_class=ReferralFlow, status=STATUS.NEW)
    case.process = process
    case.save(update_fields=["process"])
    return Task.objects.create(
        process=process,
        flow_task=node,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        created=created,
    )


def make_dashboard_world():
    world = make_world()
    register = world.register
    # Team B's triage has waited 29 days; team A's outreach 2 days (unclaimed only for N < 2).
    unclaimed_task(register.open_b, ReferralFlow.triage, at(2026, 2, 1))
    unclaimed_task(register.open_a, ReferralFlow.outreach, NOW - timedelta(days=2))
    # A team leader who also coordinates the team's casework: the casework role, not the
    # directory entry, is what opens team A's cases to them (see the test of a leader who
    # is only in the directory).
    world.leader_a = member("leder_a", [roles.LEADER, roles.COORDINATOR], [world.team_a])
    world.coordinator_a = member("koordinator_a", [roles.COORDINATOR], [world.team_a])
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, make_dashboard_world) as data:
        yield data


@pytest.fixture
def leader_a(world, db):
    return world.leader_a


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def year_scope(**kwargs):
    return figures.Scope(period=Period.year(2025), **kwargs)


# --- The figures, worked out by hand in test_status_report.build_register ------------------


def test_stage_counts_are_open_cases_now_and_cases_closed_in_the_period(world, db):
    counts = {row["stage"]: row["count"] for row in figures.stage_counts(year_scope())}

    assert counts == {
        "intake": 0,
        "triage": 1,  # open_b
        "outreach": 1,  # open_a
        "support": 1,  # C2
        "reassessment": 0,
        "handover": 0,
        "closed": 4,  # C1, C3, C4, C5 closed in 2025 (C8 closed in 2024)
    }


def test_flow_per_month_matches_the_status_report_year(world, db):
    flow = {row["month"].month: row for row in figures.monthly_flow(year_scope())}

    assert len(flow) == 12
    assert [flow[m]["referrals"] for m in range(1, 13)] == [0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    assert [flow[m]["first_contacts"] for m in range(1, 13)] == [
        0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0
    ]  # fmt: skip
    assert [flow[m]["closed"] for m in range(1, 13)] == [0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0]


def test_medians_this_period_against_the_previous(world, db):
    medians = figures.medians(year_scope())

    # First contacts in 2025: C3 after 9 days, C2 after 4: median 6.5.
    assert medians["current"]["to_first_contact"] == pytest.approx(6.5)
    # Closed in 2025: C5 1 day, C4 2, C1 82, C3 262: median (2 + 82) / 2 = 42.
    assert medians["current"]["case_length"] == pytest.approx(42.0)
    assert medians["previous_period"] == Period.year(2024)
    assert medians["previous"]["to_first_contact"] == pytest.approx(5.0)  # C1
    assert medians["previous"]["case_length"] == pytest.approx(61, abs=0.05)  # C8


def test_the_migration_copies_each_referrals_time_of_receipt_to_its_case(world, db, monkeypatch):
    migration = importlib.import_module(
        "workflows.migrations.0006_backfill_case_referral_received_at"
    )
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches, as on a large register
    without_referral = Case.objects.create(person=world.register.p1, team=world.team_a)
    received = dict(Case.objects.values_list("pk", "referral__received_at"))
    assert received[without_referral.pk] is None
    before = figures.medians(year_scope())
    Case.objects.update(referral_received_at=None)

    migration.backfill(django_apps, None)

    assert dict(Case.objects.values_list("pk", "referral_received_at")) == received
    assert figures.medians(year_scope()) == before


def test_deadline_breaches_are_counted_for_everyone_and_listed_only_when_visible(
    world, leader, leader_a
):
    scope = year_scope()

    assert figures.breach_counts(scope, user=leader, now=NOW) == {
        "first-contact": {"total": 2, "visible": 0},
        "reassessment": {"total": 1, "visible": 0},
        "unclaimed": {"total": 1, "visible": 0},
    }
    assert figures.breach_counts(scope, user=leader_a, now=NOW) == {
        "first-contact": {"total": 2, "visible": 1},  # open_a; open_b is team B's
        "reassessment": {"total": 1, "visible": 1},  # C2
        "unclaimed": {"total": 1, "visible": 0},  # team B's triage
    }
    one_day = figures.Scope(period=Period.year(2025), unclaimed_days=1)
    assert figures.breach_counts(one_day, user=leader_a, now=NOW)["unclaimed"] == {
        "total": 2,
        "visible": 1,
    }


def test_workload_per_team_and_worker(world, db):
    teams = {row["title"]: row for row in figures.team_workload(year_scope(), now=NOW)}
    workers = figures.worker_workload(year_scope(), now=NOW)

    assert teams["Udekørende team Nord"]["open_cases"] == 2
    assert teams["Udekørende team Nord"]["first_contact_overdue"] == 1
    assert teams["Udekørende team Nord"]["reassessment_overdue"] == 1
    assert teams["Udekørende team Nord"]["overdue"] == 2
    assert teams["Udekørende team Syd"]["open_cases"] == 1
    assert teams["Udekørende team Syd"]["overdue"] == 1
    assert teams["Myndighedsteamet"]["open_cases"] == 0
    assert [(row["primary"], row["second"], row["overdue"]) for row in workers] == [(2, 0, 2)]


def test_team_and_department_filters(world, db):
    team_b = figures.Scope(period=Period.year(2025), team=world.team_b)
    department_a = figures.Scope(period=Period.year(2025), department=world.team_a.get_parent())

    stages_b = {row["stage"]: row["count"] for row in figures.stage_counts(team_b)}
    assert (stages_b["triage"], stages_b["support"], stages_b["closed"]) == (1, 0, 1)
    assert [row["title"] for row in figures.team_workload(department_a, now=NOW)] == [
        "Udekørende team Nord"
    ]
    referrals_a = sum(row["referrals"] for row in figures.monthly_flow(department_a))
    assert referrals_a == 3  # C2, C4, C5


# --- The page ------------------------------------------------------------------------------


class ChartAndTableReader(HTMLParser):
    """Collects (series, category) -> value from SVG shapes and from table cells."""

    def __init__(self):
        super().__init__()
        self.chart, self.table = {}, {}
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-series" not in attrs:
            return
        key = (attrs["data-series"], attrs["data-category"])
        if "data-value" in attrs and tag in ("rect", "g"):
            self.chart[key] = attrs["data-value"]
        elif tag == "td":
            self._cell = key

    def handle_data(self, data):
        if self._cell is not None:
            self.table[self._cell] = data.strip()
            self._cell = None


def test_every_chart_has_a_table_beside_it_with_the_same_numbers(client, world, leader):
    client.force_login(leader)

    response = client.get(URL, YEAR_2025)

    reader = ChartAndTableReader()
    reader.feed(response.content.decode())
    assert reader.chart == reader.table
    assert reader.chart[("count", "closed")] == "4"
    assert reader.chart[("referrals", "2025-09-01")] == "1"
    assert reader.chart[("open_cases", str(world.team_a.pk))] == "2"
    assert len(reader.chart) == 7 + 12 * 3 + 3 * 2


def test_the_page_has_no_inline_script_or_style(client, world, leader):
    client.force_login(leader)

    html = client.get(URL, YEAR_2025).content.decode()

    assert "<script" not in html
    assert "<style" not in html and "style=" not in html


def test_dashboard_query_count_is_pinned(client, world, leader_a, django_assert_max_num_queries):
    client.force_login(leader_a)

    with django_assert_max_num_queries(30):
        response = client.get(URL, {**YEAR_2025, "unclaimed_days": "1"})

    assert response.status_code == 200


@pytest.mark.danish
def test_dashboard_shows_counts_and_medians_in_danish_format(client, world, leader):
    client.force_login(leader)

    response = client.get(URL, YEAR_2025)

    assert response.status_code == 200
    assert response.context["breaches"][0]["total"] == 2
    html = response.content.decode()
    assert "6,5" in html and "42,0" in html  # medians with a decimal comma


def test_a_leader_outside_the_teams_sees_each_breach_without_person_data(
    client, world, leader, table_owner
):
    """Never "nothing you may open" while breaches exist: each one is listed with its team,
    step, time over the deadline and case number, without the person or a link."""
    register = world.register
    client.force_login(leader)

    with table_owner():  # the listed cases are logged, at the module's past time
        page = client.get(URL, YEAR_2025).content.decode()
        listing = client.get(reverse("leader:breaches", args=["first-contact"]), YEAR_2025)

    assert reverse("leader:breaches", args=["first-contact"]) in page
    assert "listed without person data" in page
    assert listing.status_code == 200
    rows = listing.context["rows"]
    assert {case.pk for case in rows} == {register.open_a.pk, register.open_b.pk}
    assert [case.may_open for case in rows] == [False, False]
    assert listing.context["hidden"] == 2
    html = listing.content.decode()
    assert "Ny i februar" not in html and "Syd-borgeren" not in html
    for case in (register.open_a, register.open_b):
        assert f"Case {case.pk}" in html
        assert reverse("workflows:case_detail", args=[case.pk]) not in html
    assert world.team_a.title in html and world.team_b.title in html
    assert "Not shown" in html
    logged = set(AccessLogEntry.objects.filter(user=leader).values_list("case_id", flat=True))
    assert logged == {register.open_a.pk, register.open_b.pk}


def test_a_leader_put_in_a_teams_directory_entry_still_sees_no_person(
    client, world, leader, table_owner
):
    """Team membership opens a team's cases to those who work on cases: a leader's directory
    entry in team A (however it got there) opens none of them."""
    StaffMemberFactory(user=leader, teams=[world.team_a])
    client.force_login(leader)

    with table_owner():
        listing = client.get(reverse("leader:breaches", args=["first-contact"]), YEAR_2025)
        unclaimed = client.get(
            reverse("leader:breaches", args=["unclaimed"]), {**YEAR_2025, "unclaimed_days": "1"}
        )

    assert figures.breach_counts(year_scope(), user=leader, now=NOW)["first-contact"] == {
        "total": 2,
        "visible": 0,
    }
    assert not any(case.may_open for case in listing.context["rows"])
    assert listing.context["hidden"] == 2
    assert "Ny i februar" not in listing.content.decode()
    assert len(unclaimed.context["rows"]) == 2
    assert not any(task.may_open for task in unclaimed.context["rows"])
    assert "Ny i februar" not in unclaimed.content.decode()
    for case in (world.register.open_a, world.register.c2):
        assert client.get(reverse("workflows:case_detail", args=[case.pk])).status_code == 404


def test_a_team_leader_opens_the_teams_breaches_and_sees_the_others_without_a_person(
    client, world, leader_a, table_owner
):
    register = world.register
    client.force_login(leader_a)

    # The module's clock stands still in the past, and the log refuses entries dated then
    # from the application's role (tests/test_db_roles.py): the owner writes them here.
    with table_owner():
        page = client.get(URL, YEAR_2025).content.decode()
        listing = client.get(reverse("leader:breaches", args=["first-contact"]), YEAR_2025)
        reassessments = client.get(reverse("leader:breaches", args=["reassessment"]), YEAR_2025)

    assert reverse("leader:breaches", args=["first-contact"]) in page
    html = listing.content.decode()
    assert "Ny i februar" in html and "Syd-borgeren" not in html
    assert reverse("workflows:case_detail", args=[register.open_a.pk]) in html
    assert reverse("workflows:case_detail", args=[register.open_b.pk]) not in html
    may_open = {case.pk: case.may_open for case in listing.context["rows"]}
    assert may_open == {register.open_a.pk: True, register.open_b.pk: False}
    assert [case.pk for case in reassessments.context["rows"]] == [register.c2.pk]
    logged = set(AccessLogEntry.objects.filter(user=leader_a).values_list("case_id", flat=True))
    assert logged == {register.open_a.pk, register.open_b.pk, register.c2.pk}


def test_the_unclaimed_task_list_shows_every_task_and_opens_the_visible(
    client, world, leader_a, table_owner
):
    client.force_login(leader_a)

    with table_owner():  # a list is logged, at the module's past time (see above)
        response = client.get(
            reverse("leader:breaches", args=["unclaimed"]), {**YEAR_2025, "unclaimed_days": "1"}
        )

    may_open = {task.process.case.pk: task.may_open for task in response.context["rows"]}
    assert may_open == {world.register.open_b.pk: False, world.register.open_a.pk: True}
    assert response.context["hidden"] == 1
    html = response.content.decode()
    assert "Ny i februar" in html and "Syd-borgeren" not in html


def test_a_coordinator_opens_the_overview_of_their_teams_and_the_breach_lists(
    client, world, table_owner
):
    """Item 12: a coordinator gets the overview they need, for their own teams."""
    client.force_login(world.coordinator_a)

    overview = client.get(reverse("workflows:overview"))
    with table_owner():
        listing = client.get(reverse("leader:breaches", args=["first-contact"]), YEAR_2025)

    assert overview.status_code == 200
    assert [row["team"] for row in overview.context["table"]] == [world.team_a.title]
    assert reverse("leader:breaches", args=["first-contact"]) in overview.content.decode()
    assert listing.status_code == 200
    may_open = {case.pk: case.may_open for case in listing.context["rows"]}
    assert may_open == {world.register.open_a.pk: True, world.register.open_b.pk: False}
    assert "Back to the process overview" in listing.content.decode()
    assert client.get(URL).status_code == 403  # the leaders' dashboard stays theirs


@pytest.mark.danish
def test_a_refused_page_is_danish_in_brobyggers_layout_with_a_way_back(client, world, db):
    client.force_login(world.worker_a)

    response = client.get(reverse("workflows:overview"), HTTP_ACCEPT_LANGUAGE="da")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har ikke adgang til denne side" in html
    assert f'href="{reverse("staff_home")}"' in html
    assert 'class="site-header"' in html  # Brobygger's own frame, not viewflow's
    assert "viewflow" not in html.lower() and "mdc-" not in html


def test_a_worker_is_refused_and_an_anonymous_user_sent_to_login(client, world, db):
    client.force_login(world.worker_a)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("leader:breaches", args=["first-contact"])).status_code == 403

    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"date_from": "2025-06-01", "date_to": "2025-01-01"},
            "date_from",
            "The start date must be on or before the end date.",
        ),
        ({"date_to": "2026-12-31"}, "date_to", "The end date cannot be in the future."),
        ({"date_from": "31-31-2025"}, "date_from", "Write the date as dd.mm.yyyy"),
        ({"date_from": "2019-01-01", "date_to": "2025-01-01"}, "date_from", "at most five"),
        ({"unclaimed_days": "0"}, "unclaimed_days", "from 1 to 365"),
    ],
)
def test_filters_are_validated(client, world, leader, params, field, message):
    client.force_login(leader)

    response = client.get(URL, params)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["scope"] is None


def test_a_team_outside_the_chosen_department_is_refused(client, world, leader):
    client.force_login(leader)

    response = client.get(
        URL, {"team": world.team_b.pk, "department": world.team_a.get_parent().pk}
    )

    assert "not part of the chosen department" in str(response.context["form"].errors["team"])


@pytest.mark.danish
def test_danish_dates_are_accepted_and_the_default_is_twelve_months(client, world, leader):
    client.force_login(leader)

    danish = client.get(URL, {"date_from": "01.01.2025", "date_to": "31.12.2025"})
    default = client.get(URL)

    assert danish.context["scope"].period == Period.year(2025)
    assert default.context["scope"].period == Period(
        NOW.date().replace(year=2025, month=4, day=1), NOW.date()
    )


def test_unknown_breach_list_is_404(client, world, leader):
    client.force_login(leader)

    assert client.get(reverse("leader:breaches", args=["nonsense"])).status_code == 404
