"""Import of historical cases: good, bad and repeated files, from the command and the screen."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from intranet import roles
from intranet.models import AccessLogEntry
from workflows import tasks
from workflows.models import Case, CaseImport, Outcome, Person, Stage
from workflows.privacy import ERASED_FIELDS
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


def xlsx_file(rows):
    """A workbook as Excel saves it: the first sheet holds the rows."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.create_sheet("Noter").append(["Not read: only the first sheet is."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_file(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15"
NOT_A_TABLE = {
    "a byte Windows-1252 does not have": b"\x8d",
    "a zip header and nothing else": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x81\x8d",
    "a PNG renamed .csv": PNG,
    "a Word document renamed .xlsx": zip_file("word/document.xml", "<w:document/>"),
    "a zip archive": zip_file("historik.csv", "sagsnummer;team"),
    "binary garbage": bytes(range(256)) * 4,
}
NOT_A_TABLE_EN = (
    "The file is neither a CSV file nor an Excel workbook (.xlsx): save it as CSV or as an "
    "Excel workbook and choose that file."
)
NOT_A_TABLE_DA = "Filen er hverken en CSV-fil eller et Excel-regneark (.xlsx)"


def corrupt_xlsx():
    """A real workbook, cut short as by a broken download."""
    data = xlsx_file([HEADER.split(";"), *(row.split(";") for row in GOOD_ROWS)])
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "data", [*NOT_A_TABLE.values(), corrupt_xlsx()], ids=[*NOT_A_TABLE, "a corrupt workbook"]
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_with_a_message(world, admin_user, data):
    result = cases_import(data=data, imported_by=admin_user)

    assert [(error.row, error.message) for error in result.errors] == [(1, NOT_A_TABLE_EN)]
    assert Case.objects.count() == 0


def test_an_old_xls_or_a_password_protected_workbook_gets_its_own_message(world, admin_user):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    result = cases_import(data=ole, imported_by=admin_user)

    assert [error.message for error in result.errors] == [
        "The file is an old Excel file (.xls) or a workbook protected by a password: save it "
        "as an Excel workbook (.xlsx) without a password, or as CSV."
    ]


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
        standard = standard_with_redirects(
            delivering_teams=[world.team_a], case_handling_deadline_days=30
        )
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
    assert cases["H-4"].decision_due == recent + timedelta(days=30)  # the same rules' deadline
    deadline = {
        str(row[0]): row[1] for row in status_report(2023).table("first_contact_deadline").rows
    }
    assert deadline == {"Deadline kept": 0, "Deadline missed": 0, "Cases assessed": 0}


@pytest.mark.danish
def test_the_command_imports_and_refuses_a_bad_file_in_danish(world, db, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(*GOOD_ROWS))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("H-9;Ingen;2023-01-10;2023-02-20;moved;;X;"))

    call_command("import_cases", str(good), "--check")
    assert "3 sager ville blive importeret." in capsys.readouterr().out
    call_command("import_cases", str(good))
    assert "3 sager importeret." in capsys.readouterr().out
    call_command("import_cases", str(good))
    assert "Række 2: sagsnummer H-1 er importeret før; sprunget over." in (capsys.readouterr().out)
    with pytest.raises(CommandError, match="^1 fejl; intet blev importeret.$"):
        call_command("import_cases", str(bad))
    assert "Række 2 [team]: Intet team hedder “Ingen”." in capsys.readouterr().err
    with pytest.raises(CommandError, match="^Filen .*findes ikke.$"):
        call_command("import_cases", str(tmp_path / "missing.csv"))
    assert Case.objects.count() == 3


@pytest.mark.danish
@pytest.mark.parametrize("name", ["a PNG renamed .csv", "a Word document renamed .xlsx"])
def test_the_command_refuses_a_file_that_is_not_a_table_in_danish(world, db, tmp_path, name):
    path = tmp_path / "historik.xlsx"
    path.write_bytes(NOT_A_TABLE[name])

    with pytest.raises(CommandError, match="^1 fejl; intet blev importeret.$"):
        call_command("import_cases", str(path), stderr=(err := io.StringIO()))

    assert f"Række 1: {NOT_A_TABLE_DA}" in err.getvalue()
    assert "Traceback" not in err.getvalue()


# --- The upload screen ---------------------------------------------------------------------


def upload(client, data, name="historik.csv", **extra):
    """Upload as the form does; the queued import is run as the worker runs it (the worker
    itself: tests/test_import_jobs.py) and the job page the browser is sent to returned."""
    response = client.post(
        reverse("leader:import_cases"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra},
    )
    if response.status_code != 302:
        return response
    job = CaseImport.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert response.url == reverse("leader:import_job", args=[job.pk])
    tasks.import_cases.call(str(job.pk))
    return client.get(response.url)


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
    assert client.get(reverse("leader:import_template_xlsx")).status_code == 403
    assert upload(client, csv_file(*GOOD_ROWS)).status_code == 403
    assert Case.objects.count() == 0


def test_a_superuser_may_import(client, world, db):
    superuser = UserFactory(username="root", is_superuser=True)
    client.force_login(superuser)

    assert client.get(reverse("leader:import_cases")).status_code == 200


@pytest.mark.danish
@pytest.mark.parametrize("name", ["historik.csv", "historik.xlsx", "billede.png"])
@pytest.mark.parametrize(
    "data", [b"\x8d\x81 not text", PNG, corrupt_xlsx()], ids=["garbage", "png", "corrupt xlsx"]
)
def test_the_upload_screen_refuses_a_file_that_is_not_a_table_in_danish(
    client, world, admin_user, data, name
):
    client.force_login(admin_user)

    response = upload(client, data, name=name)

    assert response.status_code == 200
    assert NOT_A_TABLE_DA in response.content.decode()
    assert Case.objects.count() == 0


def test_the_upload_screen_imports_a_workbook_whatever_its_name(client, world, admin_user):
    client.force_login(admin_user)
    data = xlsx_file([HEADER.split(";"), *(row.split(";") for row in GOOD_ROWS)])

    response = upload(client, data, name="Historik 2023.XLSX", check_only="on")

    assert "The file is valid: 3 cases would be imported." in response.content.decode()


# --- One person across files (issue 16, item 8) ---------------------------------------------

LINK_HEADER = "sagsnummer;team;henvist_dato;afsluttet_dato;udfald;borger_nr;alias;cpr;foedselsaar"
CPR = "010170-1234"


def link_row(key, citizen="", alias="Kasketten", cpr="", year="", received="2023-10-01"):
    return f"{key};Udekørende team Syd;{received};2023-11-01;moved;{citizen};{alias};{cpr};{year}"


def link_file(*rows):
    return csv_file(*rows, header=LINK_HEADER)


def test_two_files_imported_one_after_another_link_by_citizen_number(world, admin_user):
    cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)  # B-1 twice, and H-3

    result = cases_import(data=link_file(link_row("H-10", citizen="B-1")), imported_by=admin_user)

    assert result.ok and result.created == 1 and result.review == []
    citizen = Person.objects.get(import_citizen_key="B-1")
    assert sorted(citizen.cases.values_list("import_key", flat=True)) == ["H-1", "H-10", "H-2"]
    assert Person.objects.count() == 2
    assert status_report(2023).people == 2  # B-1 and the woman of H-3, each counted once
    assert "import_citizen_key" in ERASED_FIELDS[Person]  # a key back to the old register


def test_cpr_beats_the_citizen_number(world, admin_user):
    registered = Person.objects.create(alias="Registreret", cpr=CPR)

    first = cases_import(data=link_file(link_row("H-1", citizen="B-7", cpr=CPR)))
    # A later file without the CPR number finds the person by the citizen number just kept,
    # and one with both finds them by both.
    second = cases_import(data=link_file(link_row("H-2", citizen="B-7")))
    third = cases_import(data=link_file(link_row("H-3", citizen="B-7", cpr=CPR)))

    assert first.ok and second.ok and third.ok, third.errors
    registered.refresh_from_db()
    assert registered.import_citizen_key == "B-7"
    assert registered.alias == "Registreret"  # the recorded details are kept
    assert sorted(registered.cases.values_list("import_key", flat=True)) == ["H-1", "H-2", "H-3"]
    assert Person.objects.count() == 1


def test_a_citizen_number_of_a_person_with_another_cpr_number_is_a_row_error(world, admin_user):
    cases_import(data=link_file(link_row("H-1", citizen="B-1", cpr=CPR)))

    result = cases_import(
        data=link_file(
            link_row("H-2", citizen="B-2"), link_row("H-3", citizen="B-1", cpr="020280-4321")
        )
    )

    assert [(error.row, error.column, error.message) for error in result.errors] == [
        (
            3,
            "borger_nr",
            "The citizen number B-1 belongs to a person with another CPR number. Correct the "
            "citizen number or the CPR number.",
        )
    ]
    assert Case.objects.count() == 1 and Person.objects.count() == 1  # all or nothing


def test_a_citizen_number_and_a_cpr_number_of_two_people_is_a_row_error(world, admin_user):
    Person.objects.create(alias="Registreret", cpr=CPR)
    cases_import(data=link_file(link_row("H-1", citizen="B-1")))

    result = cases_import(data=link_file(link_row("H-2", citizen="B-1", cpr=CPR)))

    assert [(error.row, error.column) for error in result.errors] == [(2, "borger_nr")]
    assert "belongs to another person than the one registered" in result.errors[0].message


def test_the_same_alias_and_birth_year_makes_a_new_person_listed_for_review(world, admin_user):
    cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)  # B-1: Kasketten, 1970
    citizen = Person.objects.get(import_citizen_key="B-1")
    cases = [
        f"{pk} ({key})" for pk, key in citizen.cases.order_by("pk").values_list("pk", "import_key")
    ]

    result = cases_import(
        data=link_file(
            link_row("H-20", alias="kasketten", year="1970"),
            link_row("H-21", alias="Kasketten", year="1971"),  # another birth year
        ),
        imported_by=admin_user,
    )

    assert result.ok and result.created == 2
    assert [(e.row, e.key, e.alias, e.birth_year, e.cases) for e in result.review] == [
        (2, "H-20", "kasketten", 1970, cases)
    ]
    assert Person.objects.count() == 4  # not merged: B-1, H-3's woman and two new people
    assert Case.objects.get(import_key="H-20").person != citizen


@pytest.mark.danish
def test_the_review_list_is_shown_on_the_page_and_by_the_command_in_danish(
    client, world, admin_user, tmp_path, capsys, table_owner
):
    cases_import(data=csv_file(*GOOD_ROWS), imported_by=admin_user)
    data = link_file(link_row("H-20", year="1970"))
    client.force_login(admin_user)
    path = tmp_path / "historik.csv"
    path.write_bytes(data)

    # The page logs the registered cases it lists; the module's clock stands in the past,
    # which the log refuses from the application's role: the owner writes those entries.
    with table_owner():
        html = upload(client, data, check_only="on").content.decode()
    call_command("import_cases", str(path), "--check")

    assert "Til gennemsyn: måske samme person" in html
    assert "<td>2</td><td>H-20</td><td>Kasketten</td><td>1970</td>" in html
    out = capsys.readouterr().out
    assert "Til gennemsyn: række 2 (sagsnummer H-20, Kasketten, født 1970)" in out
    assert "(H-1)" in out and "(H-2)" in out


def test_linking_reads_the_register_once_per_file_not_once_per_row(
    world, admin_user, django_assert_max_num_queries
):
    rows = [link_row(f"H-{n}", citizen=f"B-{n}", year="1970") for n in range(60)]
    rows += [link_row(f"H-{n}", alias="Kasketten", year="1970") for n in range(60, 120)]

    with django_assert_max_num_queries(12):
        result = cases_import(data=link_file(*rows), check_only=True)

    assert result.ok and result.created == 120


# --- Excel workbooks (issue 16, item 9) -----------------------------------------------------


def test_a_workbook_imports_the_same_as_the_csv_file(world, admin_user):
    rows = [row.split(";") for row in GOOD_ROWS]
    rows[0][2] = datetime(2023, 1, 10)  # a real Excel date; the others stay text
    rows[0][9] = 1970  # the birth year as a number
    data = xlsx_file([HEADER.split(";"), [], *rows])  # an empty row is skipped, as in CSV

    result = cases_import(data=data, imported_by=admin_user)

    assert result.ok, result.errors
    assert result.created == 3
    cases = {case.import_key: case for case in Case.objects.all()}
    assert cases["H-1"].person == cases["H-2"].person
    assert cases["H-1"].person.birth_year == 1970
    assert timezone.localtime(cases["H-1"].referral_received_at).date() == date(2023, 1, 10)
    assert timezone.localtime(cases["H-2"].referral_received_at).date() == date(2023, 9, 5)
    assert cases["H-2"].handover_team == world.authority
    assert Person.objects.count() == 2


def test_a_bad_workbook_is_reported_by_its_spreadsheet_row_numbers(world, admin_user):
    rows = [row.split(";") for row in GOOD_ROWS]
    rows[1][1] = "Team Øst"

    result = cases_import(data=xlsx_file([HEADER.split(";"), *rows]), imported_by=admin_user)

    assert [(error.row, error.column) for error in result.errors] == [(3, "team")]
    assert Case.objects.count() == 0


def test_the_workbook_template_downloads_and_imports_cleanly(client, world, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("leader:import_template_xlsx"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="import_template.xlsx"'
    assert response.content.startswith(b"PK\x03\x04")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["C2"].is_date  # henvist_dato: a real date in Excel
    result = cases_import(data=response.content, imported_by=admin_user, check_only=True)
    assert result.errors == [] and result.created == 2


def test_an_import_racing_another_is_refused_with_a_message(world, admin_user, monkeypatch):
    """Both read the register before either wrote: the unique citizen number refuses the
    second, which reports it instead of failing with a 500."""
    from workflows.reporting import importer

    data = link_file(link_row("H-1", citizen="B-1"))
    real_people = importer._People

    def the_other_import_writes_first(rows):
        people = real_people(rows)
        Person.objects.create(alias="Den anden import", import_citizen_key="B-1")
        return people

    monkeypatch.setattr(importer, "_People", the_other_import_writes_first)

    result = cases_import(data=data, imported_by=admin_user)

    assert [error.message for error in result.errors] == [
        "Another import ran at the same time. Import the file again."
    ]
    assert result.created == 0 and Case.objects.count() == 0


def test_a_citizen_number_is_unique_but_many_people_have_none(world, admin_user):
    Person.objects.create(alias="A", import_citizen_key="B-1")
    Person.objects.create(alias="B")

    Person(alias="C").full_clean()  # blank: outside the constraint
    with pytest.raises(ValidationError):
        Person(alias="D", import_citizen_key="B-1").full_clean()


# --- What the administrator is told (a new user's review) -----------------------------------


def test_an_unknown_value_is_answered_with_the_values_the_column_takes(world, admin_user):
    bad = GOOD_ROWS[0].replace("goal_reached", "Målet nået").replace("Boligselskab", "Politiet")

    result = cases_import(data=csv_file(bad), imported_by=admin_user)

    messages = {error.column: error.message for error in result.errors}
    assert messages["udfald"].startswith("“Målet nået” is not a known value for udfald. Write")
    assert "Goal reached" in messages["udfald"] and "Handed over" in messages["udfald"]
    assert messages["henvisningskilde"].startswith(
        "“Politiet” is not a known value for henvisningskilde. Write one of: "
    )
    assert "Boligselskab" in messages["henvisningskilde"]


def test_one_citizen_number_with_two_birth_years_is_a_row_error(world, admin_user):
    first = link_row("H-1", citizen="B-1", year="1957")
    other = link_row("H-2", citizen="B-1", year="1982")

    within_a_file = cases_import(data=link_file(first, other), imported_by=admin_user)
    cases_import(data=link_file(first), imported_by=admin_user)
    across_files = cases_import(data=link_file(other), imported_by=admin_user)

    for result in (within_a_file, across_files):
        assert [(e.row, e.column) for e in result.errors] == [
            (3 if result is within_a_file else 2, "foedselsaar")
        ]
        assert result.errors[0].message == (
            "The person with this borger_nr was born in 1957, not 1982. "
            "Correct the birth year or the number."
        )
    assert Case.objects.count() == 1  # the first file's H-1 only


def test_the_upload_page_lists_the_values_each_column_takes(client, world, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("leader:import_cases")).content.decode()

    assert "The values each column takes" in page
    assert "Udekørende team Nord" in page and "Myndighedsteamet" in page
    assert "Boligselskab" in page and "Goal reached" in page
    assert "and in each row an alias (alias) or a name (navn)." in page


def test_a_file_with_too_many_columns_is_refused_without_listing_them(world, admin_user):
    header = HEADER + ";" + ";".join(f"x{n}" for n in range(40))

    result = cases_import(data=csv_file(GOOD_ROWS[0], header=header), imported_by=admin_user)

    assert [e.message for e in result.errors] == ["The file has more than 30 columns."]


def test_a_workbook_of_more_cells_than_any_import_is_refused_before_it_is_read(world, admin_user):
    """One row of 700,000 empty cells unpacks to a few MB: counted, not parsed (openpyxl
    would build the whole row in memory: minutes and gigabytes, found by attack)."""
    template = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_file([HEADER.split(";")]))) as source,
        zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            content = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                content = (
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1">'
                    + b"<c/>" * 700_000
                    + b"</row></sheetData></worksheet>"
                )
            target.writestr(member, content)

    result = cases_import(data=template.getvalue(), imported_by=admin_user)

    assert [e.message for e in result.errors] == [
        "The workbook is too large to read: at most 20000 rows of at most 30 columns. "
        "Delete what is not cases, or save it as CSV."
    ]


def test_the_upload_pages_title_is_only_its_title(client, world, admin_user):
    client.force_login(admin_user)
    upload(client, csv_file(*GOOD_ROWS), check_only="on")

    page = client.get(reverse("leader:import_cases")).content.decode()

    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip().startswith("Import historical cases") and "<" not in title
    assert "Your latest imports" in page
