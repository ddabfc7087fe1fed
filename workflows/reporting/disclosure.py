"""Small-number suppression for status reports that leave the building.

Primary suppression: a count from 1 to threshold - 1 is hidden (shown as "<3"); a 0 is shown,
as Danmarks Statistik shows it. Secondary suppression: wherever cells add up to a total the
reader knows (a total row or column, the people in contact, or the total a share column
implies), a lone hidden cell could be worked out by subtraction, so one more cell of that
sum is hidden (the smallest above 0; shown as ".."). Shares and changes computed from a
hidden count are hidden with it. Repeated until no sum has exactly one hidden cell.
"""

from dataclasses import dataclass, replace

from django.conf import settings

from ..models import Outcome
from .status_report import StatusReport, Table

# Tables whose last row is the total of the rows above it.
TOTAL_ROW_TABLES = {"homeless", "referral_sources", "duration", "first_contact_deadline"}
# Tables whose rows add up to a total their share column gives away (count / share).
IMPLICIT_TOTAL_TABLES = {
    "income_source",
    "marital_status",
    "living_alone",
    "main_problem",
    "outcomes",
    "handover_destinations",
}


# The outcomes table has a row per outcome, in the order of the choices.
HANDED_OVER_ROW = Outcome.values.index(Outcome.HANDED_OVER)


@dataclass(frozen=True)
class Suppressed:
    """A hidden cell: `primary` when its own count is small, else hidden to protect one."""

    primary: bool
    threshold: int
    suppressed = True

    def __str__(self):
        return f"<{self.threshold}" if self.primary else ".."


def suppression_threshold() -> int:
    return settings.BROBYGGER_SUPPRESSION_THRESHOLD


def _count_columns(table: Table):
    return [index for index, (_heading, kind) in enumerate(table.columns) if kind == "count"]


def _sums(report: StatusReport):
    """(cells, total cell or None for a known total) for every sum a reader can check.
    A cell is (table key, row, column)."""
    tables = {table.key: table for table in report.tables}
    sums = []
    for key, table in tables.items():
        counts = _count_columns(table)
        if key in TOTAL_ROW_TABLES and table.rows:
            last = len(table.rows) - 1
            sums += [([(key, r, c) for r in range(last)], (key, last, c)) for c in counts]
        elif key in IMPLICIT_TOTAL_TABLES:
            sums += [([(key, r, c) for r in range(len(table.rows))], None) for c in counts]
        elif key == "contact_kinds":
            sums += [([(key, r, 1), (key, r, 2)], (key, r, 3)) for r in range(len(table.rows))]
    # Gender and age group: this year and the year before add up to the people in contact.
    for key in ("gender", "age_group"):
        rows = range(len(tables[key].rows))
        sums.append(([(key, r, 1) for r in rows], ("people", 0, 1)))
        sums.append(([(key, r, 3) for r in rows], ("people", 0, 2)))
    # Age group by gender: each row adds up to the age group's count (its total column shows
    # the same number, and is hidden with it), each gender column to the gender's count.
    cross = tables["gender_by_age"]
    genders = range(1, len(cross.columns) - 1)
    for r in range(len(cross.rows)):
        sums.append(([("gender_by_age", r, c) for c in genders], ("age_group", r, 1)))
    for c in genders:
        column = [("gender_by_age", r, c) for r in range(len(cross.rows))]
        sums.append((column, ("gender", c - 1, 1)))
    return sums


def _mirrors(report: StatusReport):
    """Cells that show another cell's number: hidden when it is."""
    cross = report.table("gender_by_age")
    total_column = len(cross.columns) - 1
    return {("gender_by_age", r, total_column): ("age_group", r, 1) for r in range(len(cross.rows))}


def hidden_cells(report: StatusReport, threshold: int) -> dict:
    """{cell: primary?} of the counts to hide."""
    tables = {table.key: table for table in report.tables}

    def value(cell):
        key, row, column = cell
        return tables[key].rows[row][column]

    hidden = {}
    for key, table in tables.items():
        for column in _count_columns(table):
            for row in range(len(table.rows)):
                if 0 < value((key, row, column)) < threshold:
                    hidden[(key, row, column)] = True
    sums = _sums(report)
    changed = True
    while changed:
        changed = False
        for cells, total in sums:
            members = cells + ([total] if total else [])
            if sum(cell in hidden for cell in members) != 1:
                continue
            visible = [cell for cell in cells if cell not in hidden]
            if visible:
                # The smallest count above 0: a hidden 0 would tell the other's number.
                hidden[min(visible, key=lambda cell: (value(cell) == 0, value(cell)))] = False
                changed = True
    for mirror, original in _mirrors(report).items():
        if original in hidden:
            hidden[mirror] = hidden[original]
    # The handover destinations add up to the outcome "handed over", and their shares give
    # that sum away: when it is hidden, so are they.
    handed_over = ("outcomes", HANDED_OVER_ROW, 1)
    if handed_over in hidden:
        destinations = report.table("handover_destinations")
        for row in range(len(destinations.rows)):
            hidden.setdefault(("handover_destinations", row, 1), False)
    return hidden


def suppressed(report: StatusReport, threshold: int | None = None) -> StatusReport:
    """A copy of the report for publication: small counts, and what would reveal them, hidden."""
    threshold = threshold or suppression_threshold()
    hidden = hidden_cells(report, threshold)
    tables = []
    for table in report.tables:
        kinds = [kind for _heading, kind in table.columns]
        rows = []
        for r, row in enumerate(table.rows):
            new_row, last_count_hidden, any_count_hidden = list(row), False, False
            for c, kind in enumerate(kinds):
                if kind == "count":
                    last_count_hidden = (table.key, r, c) in hidden
                    any_count_hidden = any_count_hidden or last_count_hidden
                    if last_count_hidden:
                        new_row[c] = Suppressed(hidden[(table.key, r, c)], threshold)
                elif kind == "share" and last_count_hidden:
                    new_row[c] = Suppressed(False, threshold)
            for c, kind in enumerate(kinds):
                if kind == "change" and any_count_hidden:
                    new_row[c] = Suppressed(False, threshold)
            rows.append(new_row)
        tables.append(replace(table, rows=rows))
    people, people_previous = report.people, report.people_previous
    if ("people", 0, 1) in hidden:
        people = Suppressed(True, threshold)
    if ("people", 0, 2) in hidden:
        people_previous = Suppressed(True, threshold)
    return replace(
        report,
        tables=tables,
        people=people,
        people_previous=people_previous,
        suppression_threshold=threshold,
    )
