"""Import of historical cases: good, bad and repeated files, from the command and the screen."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from intranet import roles
from intranet.models import AccessLogEntry
from workflows.models import Case, Outcome, Person, Stage
from workflows.reporting.importer import cases_import
from workflows.reporting.status_report import status_report

from .factories import TeamPageFactory, UserFactory, standard_with_redirects
from .test_status_report import member, module_data

HEADER = (
    "sagsnummer;team;henvist_dato;afsluttet_dato;udfald;borger_nr;alias;navn;koen;foedselsaar;"
    "indkomst;bolig;hovedproblem;henvisningskilde;foerste_kontakt_dato;overdraget_til"
)
GOOD_ROWS = [
    # One citizen (B-1) with two cases; the second is handed over to the authority.
    "H-1;Udekørende team Nord;2023-01-10;2023-02-20;goal_reached;B-1;Kasketten;;male;1970;"
    "cash_benefit;shelter;both;Boligselskab;2023-01-12;",
    "H-2;udekoerende-team-nord;05.09.2023;2024-03-01;Handed over to an established service;"
    "B-1;;Jens Hansen;male;1970;cash_benefit;shelter;both;Pårørende;07-09-2023;Myndighedsteamet",
    "H-3;Udekørende team Syd;2023-06-01;2023-06-01;declined;;Kvinden;;female;;;sleeping_rough;"
    "mental_illness;;;",
]


def csv_file(*rows, header=HEADER):
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


@dataclass
class ImportWorld:
    team_a: object
    team_b: object
    authority: object
    administrator: object
    coordinator: object


def make_import_world():
    team_a = TeamPageFactory(title="Udekørende team Nord", slug="udekoerende-team-nord")
    team_b = TeamPageFactory(title="Udekørende team Syd")
    authority = TeamPageFactory(title="Myndighedsteamet")
    administrator = UserFactory(username="administrator", roles=[roles.ADMINISTRATOR])
    coordinator = member("koordinator_a", [roles.COORDINATOR], [team_a])
    return ImportWorld(team_a, team_b, authority, administrator, coordinator)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, make_import_world) as data:
        yield data


@pytest.fixture
def admin_user(world, db):
    return world.administrator


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_good_file_imports_closed_cases_with_their_people(world, admin_user):
    result = cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)

    assert result.ok and result.created == 3
    cases = {case.referral.concern.split(": ")[1]: case for case in Case.objects.all()}
    first, second, third = cases["H-1"], cases["H-2"], cases["H-3"]
    assert {case.stage for case in cases.values()} == {Stage.CLOSED}
    assert first.person == second.person  # the same citizen number: one person
    assert Person.objects.count() == 2
    assert first.team == second.team == world.team_a  # by title and by slug
    assert timezone.localtime(second.referral.received_at).date() == date(2023, 9, 5)
    assert second.referral_received_at == second.referral.received_at  # for the medians
    assert timezone.localtime(second.first_contact_at).date() == date(2023, 9, 7)
    assert second.outcome == Outcome.HANDED_OVER and second.handover_team == world.authority
    assert second.referral.source.name == "Pårørende"
    assert first.person.gender == "male" and first.person.housing == "shelter"
    assert first.support_started_at is not None
    # Declined on the day of the referral, without contact: refused at first contact.
    assert third.outcome == Outcome.DECLINED and third.support_started_at is None
    assert third.created_by == admin_user


def test_importing_the_same_file_twice_does_not_duplicate(world, admin_user):
    cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)

    again = cases_import(
        data=csv_file(*GOOD_ROWS, "H-4;Udekørende team Syd;2023-02-01;2023-03-01;moved;;Ny;"),
        imported_by=admin_user,
    )

    assert again.ok
    assert again.created == 1
    assert again.already_imported == [(2, "H-1"), (3, "H-2"), (4, "H-3")]
    assert Case.objects.count() == 4


def test_a_bad_file_reports_every_bad_row_and_imports_nothing(world, admin_user):
    future = date(timezone.localdate().year + 1, 1, 1).isoformat()
    data = csv_file(
        GOOD_ROWS[0],
        "H-2;Team Øst;2023-01-10;2023-02-20;goal_reached;;X;",
        "H-3;Udekørende team Nord;2023-13-45;2023-02-20;goal_reached;;X;",
        "H-4;Udekørende team Nord;2023-05-10;2023-02-20;goal_reached;;X;",
        "H-5;Udekørende team Nord;2023-01-10;2023-02-20;;;X;",
        "H-1;Udekørende team Nord;2023-01-10;2023-02-20;moved;;X;",
        "H-7;Udekørende team Nord;2023-01-10;2023-02-20;moved;;;;robot;",
        f"H-8;Udekørende team Nord;2023-01-10;{future};moved;;X;",
        "H-9;Udekørende team Nord;2023-01-10;2023-02-20;moved;;X;;;;;;;Ukendt kilde",
        "H-10;Udekørende team Nord;2023-01-10;2023-02-20;moved;;X;;;;;;;;;Myndighedsteamet",
    )

    result = cases_import(data=data, imported_by=admin_user)

    assert not result.ok
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "team"),
        (4, "henvist_dato"),
        (5, "afsluttet_dato"),
        (6, "udfald"),
        (7, "sagsnummer"),
        (8, "alias"),
        (8, "koen"),
        (9, "afsluttet_dato"),
        (10, "henvisningskilde"),
        (11, "overdraget_til"),
    ]
    messages = {error.row: error.message for error in result.errors}
    assert messages[3] == "No team is called “Team Øst”."
    assert messages[4] == "“2023-13-45” is not a date; write it as YYYY-MM-DD."
    assert messages[5] == "The case cannot close before the referral was received."
    assert messages[7] == "The case number H-1 is also in row 2."
    assert messages[9] == "The date cannot be in the future."
    assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_missing_columns_are_reported_on_row_1(world, admin_user):
    result = cases_import(data=csv_file("H-1;X", header="sagsnummer;alias"))

    assert [(error.row, error.message) for error in result.errors] == [
        (1, "Missing columns: team, henvist_dato, afsluttet_dato, udfald.")
    ]


def test_an_excel_file_in_windows_1252_with_commas_is_read(world, admin_user):
    data = (
        "Sagsnummer,Team,Henvist dato,Afsluttet dato,Udfald,Alias,Køn\r\n"
        "W-1,Udekørende team Syd,2022-04-01,2022-04-30,no_contact,Måne,female\r\n"
    ).encode("cp1252")

    result = cases_import(data=data, imported_by=admin_user)

    assert result.ok and result.created == 1
    person = Person.objects.get()
    assert (person.alias, person.gender) == ("Måne", "female")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x8d", id="a byte Windows-1252 does not have"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x81\x8d", id="xlsx"),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_with_a_message(world, admin_user, data):
    result = cases_import(data=data, imported_by=admin_user)

    assert [(error.row, error.message) for error in result.errors] == [
        (1, "The file is not a CSV file: save it as CSV.")
    ]
    assert Case.objects.count() == 0


def test_a_csv_file_from_excel_for_mac_with_cr_line_endings_is_read(world, admin_user):
    template = (settings.BASE_DIR / "docs" / "import_template.csv").read_bytes()
    data = template.replace(b"\r\n", b"\r").replace(b"\n", b"\r")

    result = cases_import(data=data, imported_by=admin_user, check_only=True)

    assert result.errors == [] and result.created == 2


def test_a_cell_too_long_to_read_is_reported_on_its_row(world, admin_user):
    data = csv_file(GOOD_ROWS[0], '"' + "x" * 200_000 + '"')

    result = cases_import(data=data, imported_by=admin_user)

    assert [(error.row, error.message) for error in result.errors] == [
        (3, "The row cannot be read as CSV: save it as CSV.")
    ]
    assert Case.objects.count() == 0


def test_the_template_shipped_in_docs_imports_cleanly(world, admin_user):
    data = (settings.BASE_DIR / "docs" / "import_template.csv").read_bytes()

    result = cases_import(data=data, imported_by=admin_user, check_only=True)

    assert result.errors == []
    assert result.created == 2
    assert Case.objects.count() == 0  # only checked


def test_imported_cases_count_in_the_status_report(world, admin_user):
    cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)

    report = status_report(2023)

    # B-1 (two cases) and the woman of H-3: two people.
    assert report.people == 2
    durations = {str(row[0]): row[1] for row in report.table("duration").rows}
    # B-1: from H-1's referral (10.1.2023) to the year's end, H-2 being open then; the woman
    # of H-3 refused.
    assert durations == {
        "Refused at first contact": 1,
        "0-3 months": 0,
        "3-6 months": 0,
        "Over 6 months": 1,
        "All people in contact": 2,
    }
    outcomes = {str(row[0]): row[1] for row in report.table("outcomes").rows}
    assert outcomes["Goal reached"] == 1 and outcomes["The citizen declined"] == 1


def test_cases_from_before_any_standard_get_no_deadline_and_count_neither_way(world, admin_user):
    """The standard published 60 days ago governs the recent referral only: the 2023 cases
    get no first-contact deadline, not the one in force today (issue 16, item 6)."""
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=True):
        standard = standard_with_redirects(delivering_teams=[world.team_a])
    recent = timezone.localdate() - timedelta(days=10)
    recent_row = (
        f"H-4;Udekørende team Nord;{recent:%Y-%m-%d};{recent:%Y-%m-%d};goal_reached;B-4;Ny;;"
        f"female;1980;;;;;{recent:%Y-%m-%d};"
    )

    result = cases_import(data=csv_file(*GOOD_ROWS, recent_row), imported_by=admin_user)

    assert result.ok, result.errors
    cases = {case.referral.concern.split(": ")[1]: case for case in Case.objects.all()}
    for number in ["H-1", "H-2"]:  # team A, received in 2023
        old = cases[number]
        assert (old.first_contact_deadline, old.first_contact_due) == (None, None)
        assert (old.standard_revision_id, old.decision_due) == (None, None)
    assert cases["H-4"].standard_revision_id == standard.live_revision_id
    assert cases["H-4"].first_contact_due == recent + timedelta(days=7)
    deadline = {
        str(row[0]): row[1] for row in status_report(2023).table("first_contact_deadline").rows
    }
    assert deadline == {"Deadline kept": 0, "Deadline missed": 0, "Cases assessed": 0}


def test_the_command_imports_and_refuses_a_bad_file(world, db, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(*GOOD_ROWS))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("H-9;Ingen;2023-01-10;2023-02-20;moved;;X;"))

    call_command("import_cases", str(good))
    assert "3 cases imported" in capsys.readouterr().out
    call_command("import_cases", str(good))
    assert "was imported before; skipped" in capsys.readouterr().out
    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_cases", str(bad))
    assert "Row 2 [team]" in capsys.readouterr().err
    assert Case.objects.count() == 3


# --- The upload screen ---------------------------------------------------------------------


def upload(client, data, **extra):
    return client.post(
        reverse("leader:import_cases"),
        {"file": SimpleUploadedFile("historik.csv", data, content_type="text/csv"), **extra},
    )


def test_an_administrator_uploads_a_file(client, world, admin_user, table_owner):
    client.force_login(admin_user)

    assert client.get(reverse("leader:import_cases")).status_code == 200
    checked = upload(client, csv_file(*GOOD_ROWS), check_only="on")
    assert "would be imported" in checked.content.decode()
    assert Case.objects.count() == 0

    # The module's clock stands still in the past, and the log refuses entries dated then
    # from the application's role (tests/test_db_roles.py): the owner writes the import's.
    with table_owner():
        response = upload(client, csv_file(*GOOD_ROWS))

    assert response.status_code == 200
    assert "3 cases were imported." in response.content.decode()
    assert Case.objects.count() == 3
    assert AccessLogEntry.objects.filter(user=admin_user, action="create").count() == 1


def test_the_upload_screen_lists_errors_with_row_numbers(client, world, admin_user):
    client.force_login(admin_user)

    response = upload(client, csv_file(GOOD_ROWS[0], "H-2;Ingen;2023-01-10;2023-02-20;moved;;X;"))

    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "<td>3</td><td>team</td>" in html
    assert Case.objects.count() == 0


def test_the_template_downloads_for_an_administrator(client, world, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("leader:import_template"))

    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbfsagsnummer;team;")


@pytest.mark.parametrize("who", ["leader", "coordinator"])
def test_only_administrators_may_import(client, world, leader, who):
    client.force_login(leader if who == "leader" else world.coordinator)

    assert client.get(reverse("leader:import_cases")).status_code == 403
    assert client.get(reverse("leader:import_template")).status_code == 403
    assert upload(client, csv_file(*GOOD_ROWS)).status_code == 403
    assert Case.objects.count() == 0


def test_a_superuser_may_import(client, world, db):
    superuser = UserFactory(username="root", is_superuser=True)
    client.force_login(superuser)

    assert client.get(reverse("leader:import_cases")).status_code == 200


@pytest.mark.danish
def test_the_upload_screen_refuses_a_file_that_is_not_csv_in_danish(client, world, admin_user):
    client.force_login(admin_user)

    response = upload(client, b"\x8d\x81 not text")

    assert response.status_code == 200
    assert "Filen er ikke en CSV-fil: gem den som CSV." in response.content.decode()
    assert Case.objects.count() == 0
