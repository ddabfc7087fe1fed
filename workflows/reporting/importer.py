"""Import of historical (closed) cases from a CSV file: all rows or none.

The columns are described in docs/status_report.md and shown by docs/import_template.csv.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pages.models import TeamPage
from pages.rules import NoStandardInForce, rules_in_force

from ..models import (
    Case,
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
    first_contact_fields,
    validate_cpr,
)
from ..models import Housing as HousingChoices

# The case number of the old system is kept at the start of the referral's text: the key
# that tells a row already imported. Data, not interface text: never translated.
IMPORT_MARKER = "Importeret historisk sag, sagsnummer: "
KEY_MAX_LENGTH = 40
MAX_ROWS = 20000

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
class ImportResult:
    created: int = 0
    already_imported: list[tuple[int, str]] = field(default_factory=list)  # (row, case number)
    errors: list[RowError] = field(default_factory=list)
    checked_only: bool = False

    @property
    def ok(self):
        return not self.errors


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


def _local_noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


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


def imported_keys() -> set[str]:
    """The case numbers already imported."""
    return set(Case.objects.exclude(import_key="").values_list("import_key", flat=True))


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
                        _("No referral source is called “%(value)s”.")
                        % {"value": cell("henvisningskilde")},
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
        return _("“%(value)s” is not a known value for %(column)s.") % {
            "value": value,
            "column": column,
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


def _read(text):
    """(headings, [(row number, {column: value})]) or a RowError for the file as a whole."""
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


def _read_rows(reader):
    try:
        headings = [_column_name(h) for h in next(reader)]
    except StopIteration:
        return None, [RowError(1, "", _("The file is empty."))]
    errors = []
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


def _rules_for(team, received, cache):
    """The rules of the standard in force when the referral came; None when none was in
    force then (a case from before any standard has no deadline to keep or miss: the
    standard in force today never reaches back to it)."""
    if (team.pk, received) not in cache:
        try:
            rules = rules_in_force(team=team, at=_local_noon(received))
        except NoStandardInForce:
            rules = None
        cache[(team.pk, received)] = rules
    return cache[(team.pk, received)]


def _save(row: _Row, person: Person, imported_by, rules_cache):
    rules = _rules_for(row.team, row.received, rules_cache)
    received_at = _local_noon(row.received)
    first_contact_at = _local_noon(row.first_contact) if row.first_contact else None
    refused_at_first_contact = row.outcome == Outcome.DECLINED and (
        row.first_contact is None or row.first_contact == row.closed
    )
    case = Case.objects.create(
        person=person,
        team=row.team,
        stage=Stage.CLOSED,
        standard_revision_id=rules.revision_id if rules else None,
        referral_received_at=received_at,
        **first_contact_fields(rules, received_at),
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
    Referral.objects.create(
        case=case,
        received_at=received_at,
        channel=row.channel,
        source=row.source,
        concern=IMPORT_MARKER + row.key,
        registered_by=imported_by,
    )
    return case


def cases_import(*, data: bytes, imported_by=None, check_only: bool = False) -> ImportResult:
    """Validate every row; unless one is invalid (or `check_only`), import all new rows.

    Rows whose case number was imported before are skipped and listed, so a file can be
    imported again safely.
    """
    result = ImportResult(checked_only=check_only)
    text = _decode(data)
    if text is None:
        result.errors = [RowError(1, "", _("The file is not a CSV file: save it as CSV."))]
        return result
    rows, result.errors = _read(text)
    if result.errors:
        return result
    parser = _RowParser(_Lookups(), timezone.localdate())
    parsed, seen = [], {}
    for number, raw in rows:
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
    if check_only:
        result.created = len(new)
        return result
    with transaction.atomic():
        people, rules_cache = {}, {}
        for row in new:
            person = _person_for(row, people)
            _save(row, person, imported_by, rules_cache)
            result.created += 1
    return result


def _person_for(row: _Row, people: dict) -> Person:
    """One person per citizen number in the file, or per CPR number in the whole register."""
    cpr = row.person.get("cpr") or ""
    keys = (f"borger:{row.person_key}" if row.person_key else None, f"cpr:{cpr}" if cpr else None)
    for key in keys:
        if key and key in people:
            return people[key]
    person = Person.objects.filter(cpr=cpr).first() if cpr else None
    if person is None:
        person = Person(**{name: value for name, value in row.person.items() if value is not None})
        person.full_clean()
        person.save()
    if row.person_key:
        people[f"borger:{row.person_key}"] = person
    if cpr:
        people[f"cpr:{cpr}"] = person
    return person
