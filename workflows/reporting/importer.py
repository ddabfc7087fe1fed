"""Import of historical (closed) cases from a CSV file or an Excel workbook: all rows or none.

The columns are described in docs/status_report.md and shown by docs/import_template.csv.
"""

import csv
import dataclasses
import datetime
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from intranet.bulk import BATCH_SIZE, insert_all
from pages.models import TeamPage
from pages.rules import NoStandardInForce, RulesOverTime

from ..models import (
    Case,
    CaseImportStage,
    Channel,
    Gender,
    IncomeSource,
    LivingAlone,
    MainProblem,
    MaritalStatus,
    Outcome,
    Person,
    Referral,
    ReferralSource,
    Stage,
    cpr_birth_date,
    deadline_fields,
    validate_cpr,
)
from ..models import Housing as HousingChoices

# The case number of the old system is kept at the start of the referral's text: the key
# that tells a row already imported. Data, not interface text: never translated.
IMPORT_MARKER = "Importeret historisk sag, sagsnummer: "
KEY_MAX_LENGTH = 40
MAX_ROWS = 20000
# How often the check reports its progress (a progress bar's step).
PROGRESS_EVERY = 500
ZIP_MAGIC = b"PK\x03\x04"
# Old .xls files and password-protected workbooks are OLE compound files, not zip archives.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 5 MB upload may unpack to far more: refuse a workbook larger than this unpacked.
# A full 20,000-row workbook of every column unpacks to about 21 MB.
XLSX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# More cells than a sheet of MAX_ROWS rows of this many columns is refused before it is
# parsed: openpyxl builds a whole row in memory, so one row of a million cells, a 600 KB
# upload, took minutes and gigabytes (found by attack).
MAX_COLUMNS = 30
XLSX_MAX_CELLS = (MAX_ROWS + 1) * MAX_COLUMNS
_XLSX_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
# Rows read between two reports of the reading's progress.
READ_PROGRESS_EVERY = 1000

REQUIRED = ["sagsnummer", "team", "henvist_dato", "afsluttet_dato", "udfald"]
OPTIONAL = [
    "borger_nr",
    "alias",
    "navn",
    "cpr",
    "koen",
    "foedselsaar",
    "indkomst",
    "civilstand",
    "bor_alene",
    "bolig",
    "hovedproblem",
    "henvisningskilde",
    "kanal",
    "foerste_kontakt_dato",
    "overdraget_til",
    "bemaerkning",
]
COLUMNS = REQUIRED + OPTIONAL
# The columns that name a team (by its title or slug).
TEAM_COLUMNS = ("team", "overdraget_til")

PERSON_CHOICES = {
    "koen": ("gender", Gender),
    "indkomst": ("income_source", IncomeSource),
    "civilstand": ("marital_status", MaritalStatus),
    "bor_alene": ("living_alone", LivingAlone),
    "bolig": ("housing", HousingChoices),
    "hovedproblem": ("main_problem", MainProblem),
}
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class ReviewEntry:
    """A row that made a new person although an earlier one has the same alias and birth
    year: perhaps the same citizen, for an administrator to merge by hand."""

    row: int
    key: str  # the row's case number
    alias: str
    birth_year: int
    cases: list[str]  # the candidates' cases: "12" or "12 (H-1)" when imported
    # (person id, case id) of each of `cases`: a page showing them logs them.
    subjects: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    already_imported: list[tuple[int, str]] = field(default_factory=list)  # (row, case number)
    errors: list[RowError] = field(default_factory=list)
    review: list[ReviewEntry] = field(default_factory=list)
    checked_only: bool = False

    @property
    def ok(self):
        return not self.errors

    def as_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ImportResult":
        return cls(
            created=data["created"],
            already_imported=[tuple(pair) for pair in data["already_imported"]],
            errors=[RowError(**error) for error in data["errors"]],
            review=[
                ReviewEntry(**{**entry, "subjects": [tuple(s) for s in entry["subjects"]]})
                for entry in data["review"]
            ],
            checked_only=data["checked_only"],
        )


@dataclass
class _Row:
    number: int
    key: str
    person_key: str
    person: dict
    team: TeamPage
    received: datetime.date
    source: ReferralSource | None
    channel: str
    first_contact: datetime.date | None
    closed: datetime.date
    outcome: str
    handover_team: TeamPage | None
    note: str


def _column_name(heading):
    name = (heading or "").strip().lower().lstrip("\ufeff")
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.replace(danish, plain)
    return re.sub(r"[\s\-]+", "_", name)


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM); otherwise Windows-1252, which Excel's plain CSV uses;
    None for neither (a spreadsheet or another file saved as something else than CSV)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _choice_lookup(choices):
    """Every way a value may be written: its code, its English and its Danish label."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "da"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


@functools.lru_cache(maxsize=8192)
def _local_noon(day):
    """Noon of `day` in the municipality's time zone (settings.TIME_ZONE). Cached: a
    file's 20,000 rows fall on a few thousand days."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(12)), timezone.get_default_timezone()
    )


class _Lookups:
    """Teams, sources and choices, read once per file."""

    def __init__(self):
        self.teams_by_slug = {}
        self.teams_by_title = {}
        for team in TeamPage.objects.all():
            self.teams_by_slug[team.slug.lower()] = team
            self.teams_by_title.setdefault(team.title.strip().lower(), []).append(team)
        self.sources = {s.name.strip().lower(): s for s in ReferralSource.objects.all()}
        self.choices = {column: _choice_lookup(c) for column, (_f, c) in PERSON_CHOICES.items()}
        self.channels = _choice_lookup(Channel)
        self.outcomes = _choice_lookup(Outcome)
        self.allowed = dict(allowed_values(sources=self.sources.values()))

    def team(self, text):
        wanted = text.strip().lower()
        by_title = self.teams_by_title.get(wanted, [])
        if len(by_title) > 1:
            raise ValidationError(
                _("Several teams are called “%(team)s”: use the team's slug.") % {"team": text}
            )
        team = by_title[0] if by_title else self.teams_by_slug.get(wanted)
        if team is None:
            raise ValidationError(_("No team is called “%(team)s”.") % {"team": text})
        return team


def allowed_values(*, sources=None) -> list[tuple[str, list[str]]]:
    """[(column, the values it takes as the reader writes them)]: each choice by its label
    in the current language (its code and English label are taken too), the referral
    sources by name. For the upload page and for the message about an unknown value."""
    columns = [(column, choices) for column, (_f, choices) in PERSON_CHOICES.items()]
    columns += [("kanal", Channel), ("udfald", Outcome)]
    allowed = [
        (column, [str(label) for _v, label in choices.choices]) for column, choices in columns
    ]
    if sources is None:
        sources = ReferralSource.objects.all()
    allowed.append(("henvisningskilde", sorted(source.name for source in sources)))
    return allowed


def imported_keys() -> set[str]:
    """The case numbers already imported."""
    return set(Case.objects.exclude(import_key="").values_list("import_key", flat=True))


@functools.lru_cache(maxsize=8192)
def _parse_date(text):
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), date_format).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text})


class _RowParser:
    def __init__(self, lookups, today):
        self.lookups = lookups
        self.today = today

    def parse(self, number, raw):
        errors = []

        def cell(column):
            return (raw.get(column) or "").strip()

        def attempt(column, convert, *args):
            try:
                return convert(*args)
            except ValidationError as error:
                errors.append(RowError(number, column, " ".join(error.messages)))
                return None

        key = cell("sagsnummer")
        if not key:
            errors.append(RowError(number, "sagsnummer", _("The case number is missing.")))
        elif len(key) > KEY_MAX_LENGTH or "\n" in key:
            errors.append(
                RowError(
                    number,
                    "sagsnummer",
                    _("The case number may be at most %(max)s characters.")
                    % {"max": KEY_MAX_LENGTH},
                )
            )

        if len(cell("borger_nr")) > KEY_MAX_LENGTH or "\n" in cell("borger_nr"):
            errors.append(
                RowError(
                    number,
                    "borger_nr",
                    _("The citizen number may be at most %(max)s characters.")
                    % {"max": KEY_MAX_LENGTH},
                )
            )
        person = {"alias": cell("alias")[:120], "name": cell("navn")[:200]}
        if not (person["alias"] or person["name"]):
            errors.append(RowError(number, "alias", _("Give an alias or a name.")))
        for column, (field_name, _choices) in PERSON_CHOICES.items():
            if cell(column):
                value = self.lookups.choices[column].get(cell(column).lower())
                if value is None:
                    errors.append(RowError(number, column, self._unknown(cell(column), column)))
                person[field_name] = value
        if cell("foedselsaar"):
            person["birth_year"] = attempt("foedselsaar", self._birth_year, cell("foedselsaar"))
        if cell("cpr"):
            person["cpr"] = attempt("cpr", self._cpr, cell("cpr"), person.get("birth_year"))

        team = attempt("team", self._required_team, cell("team"))
        received = attempt("henvist_dato", self._past_date, cell("henvist_dato"), True)
        closed = attempt("afsluttet_dato", self._past_date, cell("afsluttet_dato"), True)
        first_contact = None
        if cell("foerste_kontakt_dato"):
            first_contact = attempt(
                "foerste_kontakt_dato", self._past_date, cell("foerste_kontakt_dato"), False
            )
        self._check_order(number, errors, received, first_contact, closed)

        source = None
        if cell("henvisningskilde"):
            source = self.lookups.sources.get(cell("henvisningskilde").lower())
            if source is None:
                errors.append(
                    RowError(
                        number,
                        "henvisningskilde",
                        self._unknown(cell("henvisningskilde"), "henvisningskilde"),
                    )
                )
        channel = ""
        if cell("kanal"):
            channel = self.lookups.channels.get(cell("kanal").lower())
            if channel is None:
                errors.append(RowError(number, "kanal", self._unknown(cell("kanal"), "kanal")))
        outcome = self.lookups.outcomes.get(cell("udfald").lower())
        if not cell("udfald"):
            errors.append(RowError(number, "udfald", _("The outcome is missing.")))
        elif outcome is None:
            errors.append(RowError(number, "udfald", self._unknown(cell("udfald"), "udfald")))
        handover_team = None
        if cell("overdraget_til"):
            handover_team = attempt("overdraget_til", self.lookups.team, cell("overdraget_til"))
            if outcome and outcome != Outcome.HANDED_OVER:
                errors.append(
                    RowError(
                        number,
                        "overdraget_til",
                        _("A receiving team can only be given when the outcome is a handover."),
                    )
                )
        if errors:
            return None, errors
        return (
            _Row(
                number=number,
                key=key,
                person_key=cell("borger_nr"),
                person=person,
                team=team,
                received=received,
                source=source,
                channel=channel,
                first_contact=first_contact,
                closed=closed,
                outcome=outcome,
                handover_team=handover_team,
                note=cell("bemaerkning"),
            ),
            [],
        )

    def _unknown(self, value, column):
        return _("“%(value)s” is not a known value for %(column)s. Write one of: %(values)s.") % {
            "value": value,
            "column": column,
            "values": ", ".join(self.lookups.allowed[column]),
        }

    def _birth_year(self, text):
        if not text.isdigit() or not 1900 <= int(text) <= self.today.year:
            raise ValidationError(_("The birth year must be a year between 1900 and this year."))
        return int(text)

    def _cpr(self, text, birth_year):
        validate_cpr(text)
        if birth_year and cpr_birth_date(text).year != birth_year:
            raise ValidationError(_("The birth year does not match the CPR number."))
        return text

    def _required_team(self, text):
        if not text:
            raise ValidationError(_("The team is missing."))
        return self.lookups.team(text)

    def _past_date(self, text, required):
        if not text:
            if required:
                raise ValidationError(_("The date is missing."))
            return None
        day = _parse_date(text)
        if day > self.today:
            raise ValidationError(_("The date cannot be in the future."))
        if day.year < 1990:
            raise ValidationError(_("The date is too early to be a case of the scheme."))
        return day

    @staticmethod
    def _check_order(number, errors, received, first_contact, closed):
        if received and first_contact and first_contact < received:
            errors.append(
                RowError(
                    number,
                    "foerste_kontakt_dato",
                    _("The first contact cannot be before the referral was received."),
                )
            )
        if first_contact and closed and closed < first_contact:
            errors.append(
                RowError(
                    number,
                    "afsluttet_dato",
                    _("The case cannot close before the first contact."),
                )
            )
        if received and closed and closed < received:
            errors.append(
                RowError(
                    number,
                    "afsluttet_dato",
                    _("The case cannot close before the referral was received."),
                )
            )


def _not_a_table():
    return [
        RowError(
            1,
            "",
            _(
                "The file is neither a CSV file nor an Excel workbook (.xlsx): save it as CSV "
                "or as an Excel workbook and choose that file."
            ),
        )
    ]


def _read(data: bytes, report):
    """([(row number, {column: value})], errors): the rows of a CSV file or of the first
    sheet of an .xlsx workbook, told apart by their content, never by the file's name."""
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, report)
    if data.startswith(OLE_MAGIC):
        return None, [
            RowError(
                1,
                "",
                _(
                    "The file is an old Excel file (.xls) or a workbook protected by a "
                    "password: save it as an Excel workbook (.xlsx) without a password, "
                    "or as CSV."
                ),
            )
        ]
    text = None if b"\x00" in data else _decode(data)  # no text file holds a NUL byte
    if text is None:
        return None, _not_a_table()
    return _read_csv(text)


def _read_csv(text):
    first_line = next(iter(text.splitlines()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    # Universal newlines: Excel for Mac's "CSV (Macintosh)" ends its lines with CR alone.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        return _read_rows(reader)
    except csv.Error:  # e.g. a cell longer than the csv module reads (128 KiB)
        return None, [
            RowError(reader.line_num, "", _("The row cannot be read as CSV: save it as CSV."))
        ]


def _xlsx_cell(value) -> str:
    """A cell as the CSV path reads it: text; a real Excel date as YYYY-MM-DD; a whole
    number without a decimal point (a birth year typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _TooLarge(Exception):
    pass


def _count_cells(archive) -> int:
    """The cells the worksheets hold, counted in their XML as it is unpacked (a stream:
    nothing is parsed, nothing kept)."""
    cells = 0
    for member in archive.infolist():
        if not member.filename.startswith("xl/worksheets/"):
            continue
        with archive.open(member) as xml:
            tail = b""
            while chunk := xml.read(1 << 20):
                # With the last chunk's end, for a tag split between the two; what lay
                # wholly in that end was counted with the last chunk.
                cells += len(_XLSX_CELL.findall(tail + chunk)) - len(_XLSX_CELL.findall(tail))
                tail = chunk[-8:]
    return cells


def _xlsx_rows(data: bytes, report):
    """The first sheet's rows as lists of text, without trailing empty cells; at most one
    row more than the importer takes, so a huge sheet is not read to its end."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(member.file_size for member in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
            raise _TooLarge
        if _count_cells(archive) > XLSX_MAX_CELLS:
            raise _TooLarge
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            cells = [_xlsx_cell(value) for value in values]
            while cells and not cells[-1].strip():
                cells.pop()
            rows.append(cells[: MAX_COLUMNS + 1])
            if len(rows) % READ_PROGRESS_EVERY == 0:
                report(CaseImportStage.READING, len(rows), 0)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _read_xlsx(data: bytes, report):
    try:
        rows = _xlsx_rows(data, report)
    except _TooLarge:
        return None, [
            RowError(
                1,
                "",
                _(
                    "The workbook is too large to read: at most %(rows)s rows of at most "
                    "%(columns)s columns. Delete what is not cases, or save it as CSV."
                )
                % {"rows": MAX_ROWS, "columns": MAX_COLUMNS},
            )
        ]
    # An upload is untrusted: a renamed .docx, a broken zip or broken XML inside fails in
    # openpyxl or zipfile in many ways, each of which is the same answer to the user.
    except Exception:
        return None, _not_a_table()
    return _read_rows(iter(rows))


def _read_rows(reader):
    try:
        headings = [_column_name(h) for h in next(reader)]
    except StopIteration:
        return None, [RowError(1, "", _("The file is empty."))]
    errors = []
    if len(headings) > MAX_COLUMNS:
        return None, [
            RowError(1, "", _("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
        ]
    unknown = [h for h in headings if h and h not in COLUMNS]
    if unknown:
        errors.append(
            RowError(1, "", _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        )
    missing = [c for c in REQUIRED if c not in headings]
    if missing:
        errors.append(
            RowError(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
    if errors:
        return None, errors
    rows = []
    for index, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(headings):
            errors.append(RowError(index, "", _("The row has more cells than the header.")))
            continue
        rows.append((index, dict(zip(headings, values, strict=False))))
    if len(rows) > MAX_ROWS:
        errors.append(
            RowError(1, "", _("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        )
    if not rows and not errors:
        errors.append(RowError(2, "", _("The file has no cases.")))
    return rows, errors


class _RulesByTeam:
    """The rules in force for each row's team on the day its referral came: each team's
    standard and its publications read once for the whole file (`RulesOverTime`).

    None when none was in force then: a case from before any standard has no deadline to
    keep or miss; the standard in force today never reaches back to it."""

    def __init__(self):
        self._teams = {}

    def at(self, team, day):
        if team.pk not in self._teams:
            try:
                self._teams[team.pk] = RulesOverTime(team=team)
            except NoStandardInForce:  # the team delivers standards, none for § 99
                self._teams[team.pk] = None
        over_time = self._teams[team.pk]
        if over_time is None:
            return None
        try:
            return over_time.at(_local_noon(day))
        except NoStandardInForce:
            return None


def _case(row: _Row, person: Person, imported_by, rules: _RulesByTeam) -> Case:
    rules = rules.at(row.team, row.received)
    received_at = _local_noon(row.received)
    first_contact_at = _local_noon(row.first_contact) if row.first_contact else None
    refused_at_first_contact = row.outcome == Outcome.DECLINED and (
        row.first_contact is None or row.first_contact == row.closed
    )
    return Case(
        person=person,
        team=row.team,
        stage=Stage.CLOSED,
        standard_revision_id=rules.revision_id if rules else None,
        referral_received_at=received_at,
        **deadline_fields(rules, received_at),
        first_contact_at=first_contact_at,
        support_started_at=None if refused_at_first_contact else first_contact_at,
        outcome=row.outcome,
        outcome_note=row.note,
        closed_at=_local_noon(row.closed),
        handover_team=row.handover_team,
        created_at=received_at,
        created_by=imported_by,
        import_key=row.key,
    )


def _referral(row: _Row, case: Case, imported_by) -> Referral:
    return Referral(
        case=case,
        received_at=case.referral_received_at,
        channel=row.channel,
        source=row.source,
        concern=IMPORT_MARKER + row.key,
        registered_by=imported_by,
    )


def _save(rows: list[_Row], people: "_People", imported_by):
    """Every row's person, case and referral, in a few bulk inserts: no query per row."""
    people.save()
    rules = _RulesByTeam()
    cases = [_case(row, people.of_row[row.number], imported_by, rules) for row in rows]
    insert_all(Case, cases)
    insert_all(
        Referral,
        [_referral(row, case, imported_by) for row, case in zip(rows, cases, strict=True)],
    )


def cases_import(
    *,
    data: bytes,
    imported_by=None,
    check_only: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    on_import: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Validate every row; unless one is invalid (or `check_only`), import all new rows.

    Rows whose case number was imported before are skipped and listed, so a file can be
    imported again safely.

    `progress(stage, rows done, rows)` is told how far the check has come (a
    CaseImportStage, every PROGRESS_EVERY rows), outside any transaction so that another
    connection can read it; once more just before the saving starts. `on_import(result)`
    runs inside the import's transaction, after the cases are written: what it writes
    (the access-log entry, the job's result) is kept with them or undone with them.
    """
    report = progress or (lambda stage, done, total: None)
    report(CaseImportStage.READING, 0, 0)
    result = ImportResult(checked_only=check_only)
    rows, result.errors = _read(data, report)
    if result.errors:
        return result
    parser = _RowParser(_Lookups(), timezone.localdate())
    parsed, seen = [], {}
    report(CaseImportStage.CHECKING, 0, len(rows))
    for done_rows, (number, raw) in enumerate(rows, start=1):
        if done_rows % PROGRESS_EVERY == 0:
            report(CaseImportStage.CHECKING, done_rows, len(rows))
        row, errors = parser.parse(number, raw)
        result.errors.extend(errors)
        if row is None:
            continue
        if row.key in seen:
            result.errors.append(
                RowError(
                    number,
                    "sagsnummer",
                    _("The case number %(key)s is also in row %(row)s.")
                    % {"key": row.key, "row": seen[row.key]},
                )
            )
            continue
        seen[row.key] = number
        parsed.append(row)
    if result.errors:
        return result
    done = imported_keys()
    new = []
    for row in parsed:
        if row.key in done:
            result.already_imported.append((row.number, row.key))
        else:
            new.append(row)
    people = _People(new)
    result.errors, result.review = people.errors, people.review
    if result.errors:
        return result
    if check_only:
        result.created = len(new)
        return result
    report(CaseImportStage.SAVING, len(rows), len(rows))
    try:
        with transaction.atomic():
            _save(new, people, imported_by)
            result.created = len(new)
            if on_import is not None:
                on_import(result)
    except IntegrityError:
        # Another import wrote the same case or citizen number after this one read them:
        # the unique constraints refuse the second, and nothing of this file is kept.
        result.created = 0
        result.errors = [
            RowError(1, "", _("Another import ran at the same time. Import the file again."))
        ]
    return result


class _People:
    """Who each row is about, decided for the whole file before anything is written.

    CPR number first, then the old register's citizen number (`borger_nr`, kept on the
    person so that later files join them); a row with neither makes a new person, listed
    for review when someone registered has the same alias and birth year. Existing people
    are read in a few queries for the whole file, never one per row.
    """

    def __init__(self, rows: list[_Row]):
        self.errors: list[RowError] = []
        self.review: list[ReviewEntry] = []
        self.of_row: dict[int, Person] = {}
        self.changed: dict[int, Person] = {}  # existing people given a CPR or citizen number
        cprs = {row.person["cpr"] for row in rows if row.person.get("cpr")}
        keys = {row.person_key for row in rows if row.person_key}
        # One instance per registered person, whichever query found them: a row that
        # names both keys of one person must find the same object twice.
        known: dict[int, Person] = {}
        self.by_cpr: dict[str, Person] = {}
        for person in Person.objects.filter(cpr__in=cprs).order_by("pk") if cprs else []:
            self.by_cpr.setdefault(person.cpr, known.setdefault(person.pk, person))
        self.by_key: dict[str, Person] = {}
        for person in Person.objects.filter(import_citizen_key__in=keys) if keys else []:
            self.by_key[person.import_citizen_key] = known.setdefault(person.pk, person)
        candidates = self._candidates(rows)
        for row in rows:
            self._resolve(row, candidates)

    def _resolve(self, row: _Row, candidates):
        cpr, key = row.person.get("cpr") or "", row.person_key
        by_cpr = self.by_cpr.get(cpr) if cpr else None
        by_key = self.by_key.get(key) if key else None
        if by_key is not None and cpr and by_key.cpr and by_key.cpr != cpr:
            self.errors.append(
                RowError(
                    row.number,
                    "borger_nr",
                    _(
                        "The citizen number %(key)s belongs to a person with another CPR "
                        "number. Correct the citizen number or the CPR number."
                    )
                    % {"key": key},
                )
            )
            return
        if by_key is not None and by_cpr is not None and by_key is not by_cpr:
            self.errors.append(
                RowError(
                    row.number,
                    "borger_nr",
                    _(
                        "The citizen number %(key)s belongs to another person than the one "
                        "registered with the CPR number. Correct one of them."
                    )
                    % {"key": key},
                )
            )
            return
        person = by_cpr or by_key
        year = row.person.get("birth_year")
        if person is not None and year and person.birth_year and person.birth_year != year:
            # Two different people under one number is a mistake in the file or the old
            # register: not joined without a word.
            self.errors.append(
                RowError(
                    row.number,
                    "foedselsaar",
                    _(
                        "The person with this %(key)s was born in %(born)s, not %(year)s. "
                        "Correct the birth year or the number."
                    )
                    % {
                        "key": "cpr" if by_cpr is not None else "borger_nr",
                        "born": person.birth_year,
                        "year": year,
                    },
                )
            )
            return
        if person is None:
            person = Person(
                **{name: value for name, value in row.person.items() if value is not None},
                import_citizen_key=key,
            )
            if not (key or cpr):
                self._note_for_review(row, candidates)
        else:
            # The person's recorded details are kept; only a missing link is filled in.
            if key and not person.import_citizen_key:
                person.import_citizen_key = key
                self._changed(person)
            if cpr and not person.cpr:
                person.cpr = cpr
                self._changed(person)
        if key:
            self.by_key.setdefault(key, person)
        if cpr:
            self.by_cpr.setdefault(cpr, person)
        self.of_row[row.number] = person

    def _changed(self, person):
        if person.pk:
            self.changed[person.pk] = person

    @staticmethod
    def _candidates(rows):
        """{(alias, birth year): ["12 (H-1)", ...]} of registered people for the rows
        without CPR and citizen number: two queries for the whole file."""
        wanted = [
            row.person
            for row in rows
            if not (row.person_key or row.person.get("cpr"))
            and row.person["alias"]
            and row.person.get("birth_year")
        ]
        if not wanted:
            return {}
        people = (
            Person.objects.annotate(alias_lower=Lower("alias"))
            .filter(
                alias_lower__in={p["alias"].lower() for p in wanted},
                birth_year__in={p["birth_year"] for p in wanted},
            )
            .values_list("pk", "alias_lower", "birth_year")
        )
        person_key = {pk: (alias, year) for pk, alias, year in people}
        cases = {}
        for pk, person_id, import_key in (
            Case.objects.filter(person__in=person_key)
            .order_by("pk")
            .values_list("pk", "person_id", "import_key")
        ):
            label = f"{pk} ({import_key})" if import_key else str(pk)
            cases.setdefault(person_key[person_id], []).append((label, (person_id, pk)))
        return cases

    def _note_for_review(self, row, candidates):
        alias, year = row.person["alias"], row.person.get("birth_year")
        if alias and year and (alias.lower(), year) in candidates:
            found = candidates[(alias.lower(), year)]
            self.review.append(
                ReviewEntry(
                    row.number,
                    row.key,
                    alias,
                    year,
                    [label for label, _subject in found],
                    [subject for _label, subject in found],
                )
            )

    def save(self):
        new = [p for p in {id(p): p for p in self.of_row.values()}.values() if p.pk is None]
        for person in new:
            # The file's plan keeps citizen numbers unique: no query per person for it.
            person.full_clean(validate_unique=False, validate_constraints=False)
        insert_all(Person, new)
        Person.objects.bulk_update(
            self.changed.values(), ["cpr", "import_citizen_key"], batch_size=BATCH_SIZE
        )


TEMPLATE_DATE_COLUMNS = ("henvist_dato", "afsluttet_dato", "foerste_kontakt_dato")


def template_workbook(csv_template: str) -> bytes:
    """The CSV template (docs/import_template.csv) as an .xlsx workbook: the same columns
    and rows, with the dates as real Excel dates and the birth year as a number."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))
    lines = csv.reader(io.StringIO(csv_template.lstrip("\ufeff")), delimiter=";")
    header = next(lines)
    sheet.append(header)
    for values in lines:
        cells = []
        for column, value in zip(header, values, strict=False):
            if value and column in TEMPLATE_DATE_COLUMNS:
                cells.append(datetime.date.fromisoformat(value))
            elif value and column == "foedselsaar":
                cells.append(int(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
