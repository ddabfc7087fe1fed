"""Small-number suppression for status reports that leave the building.

Primary suppression: a count from 1 to threshold - 1 is hidden (shown as "<3"); a 0 is shown,
as Danmarks Statistik shows it. Secondary suppression: wherever cells add up to a total the
reader knows (a total row or column, the people in contact, or the total a share column
implies), the hidden cells of that sum must not be worked out from it: not a lone hidden cell
by subtraction, nor several small ones whose sum leaves one combination ("<3", "<3" and 11 of
13 are 1 and 1). The reader's narrowing is replayed (possible_values) and, while a hidden cell
has one possible value, one more cell is hidden (shown as ".."). Shares and changes computed
from a hidden count are hidden with it. Limits: docs/status_report.md.
"""

from dataclasses import dataclass, replace

from django.conf import settings

from ..models import Outcome
from .status_report import StatusReport, Table

# Tables whose last row is the total of the rows above it.
TOTAL_ROW_TABLES = {
    "referral_sources",
    "referrals_received",
    "duration",
    "first_contact_deadline",
}
# Of those, the tables over people whose total row is the people in contact (the summary's
# number, shown again): their total is hidden only with it, never to protect a cell.
PEOPLE_TOTAL_TABLES = {"referral_sources", "duration"}
# Tables whose rows add up to a total their share column gives away (count / share).
IMPLICIT_TOTAL_TABLES = {
    "income_source",
    "marital_status",
    "living_alone",
    "main_problem",
    "housing",
    "outcomes",
}


# The outcomes table has a row per outcome, in the order of the choices.
HANDED_OVER_ROW = Outcome.values.index(Outcome.HANDED_OVER)
# The handover destinations add up to it.
HANDED_OVER = ("outcomes", HANDED_OVER_ROW, 1)


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
        if key == "homeless" and table.rows:
            # Its counts are the housing table's (_homeless_in_housing): its total row adds
            # up those cells, so the replay knows the two tables show one number each.
            last = len(table.rows) - 1
            cells = [("housing", row, 1) for row in _homeless_in_housing(report).values()]
            sums.append((cells, (key, last, 1)))
        elif key in TOTAL_ROW_TABLES and table.rows:
            last = len(table.rows) - 1
            sums += [([(key, r, c) for r in range(last)], (key, last, c)) for c in counts]
        elif key == "handover_destinations":
            sums.append(([(key, r, 1) for r in range(len(table.rows))], HANDED_OVER))
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


def _homeless_in_housing(report: StatusReport) -> dict:
    """{row of the homeless table: row of the housing table} for each national category:
    the same people, so the same count (this year's)."""
    housing_rows = {row[0]: r for r, row in enumerate(report.table("housing").rows)}
    homeless = report.table("homeless").rows[:-1]  # its last row is the total
    return {r: housing_rows[row[0]] for r, row in enumerate(homeless)}


def _mirrors(report: StatusReport):
    """Cells that show another cell's number: hidden when it is."""
    cross = report.table("gender_by_age")
    total_column = len(cross.columns) - 1
    mirrors = {
        ("gender_by_age", r, total_column): ("age_group", r, 1) for r in range(len(cross.rows))
    }
    for key in PEOPLE_TOTAL_TABLES:
        mirrors[(key, len(report.table(key).rows) - 1, 1)] = ("people", 0, 1)
    for homeless_row, housing_row in _homeless_in_housing(report).items():
        mirrors[("homeless", homeless_row, 1)] = ("housing", housing_row, 1)
    return mirrors


# What a reader knows of a hidden cell: "<3" is 1 to threshold - 1; ".." is 0 or at least
# the threshold (visible cells are 0 or that big, and a ".." is one of them).
# A set of possible values is a list of disjoint (low, high) ranges.


def _plus(a, b):
    ranges = sorted((a_low + b_low, a_high + b_high) for a_low, a_high in a for b_low, b_high in b)
    merged = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    if len(merged) > 64:  # never in practice; the hull keeps the arithmetic bounded
        merged = [(merged[0][0], merged[-1][1])]
    return merged


def _negated(values):
    return [(-high, -low) for low, high in reversed(values)]


def _within(values, limits):
    return [
        (max(low, limit_low), min(high, limit_high))
        for low, high in values
        for limit_low, limit_high in limits
        if max(low, limit_low) <= min(high, limit_high)
    ]


def _size(values):
    return sum(high - low + 1 for low, high in values)


def possible_values(lines, hidden: dict, value, threshold: int) -> dict:
    """{hidden cell: its possible values as a reader can narrow them}: every line (cells that
    add up to a total) is applied to every hidden cell in it, over and over until nothing
    narrows. A cell left with one possible value has been worked out."""
    ceiling = sum(value(cell) for line, total in lines for cell in line) + threshold
    possible = {
        cell: [(1, threshold - 1)] if primary else [(0, 0), (threshold, ceiling)]
        for cell, primary in hidden.items()
    }
    equations = []
    for cells, total in lines:
        terms = [(cell, 1) for cell in cells]
        # A total that is no cell (a share column's) is known: the sum of the counts.
        known = sum(value(cell) for cell in cells) if total is None else 0
        if total is not None:
            terms.append((total, -1))
        unknown = [(cell, sign) for cell, sign in terms if cell in hidden]
        if unknown:
            rest = known - sum(sign * value(cell) for cell, sign in terms if cell not in hidden)
            equations.append((unknown, rest))
    for _round in range(200):
        narrowed = False
        for unknown, rest in equations:
            for index, (cell, sign) in enumerate(unknown):
                others = [(0, 0)]
                for other, other_sign in unknown[:index] + unknown[index + 1 :]:
                    values = possible[other]
                    others = _plus(others, values if other_sign > 0 else _negated(values))
                # sign * cell = rest - others
                limits = _plus([(rest, rest)], _negated(others))
                if sign < 0:
                    limits = _negated(limits)
                values = _within(possible[cell], limits)
                if values != possible[cell]:
                    possible[cell], narrowed = values, True
        if not narrowed:
            break
    return possible


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
    mirrors = _mirrors(report)
    destinations = [
        ("handover_destinations", row, 1)
        for row in range(len(tables["handover_destinations"].rows))
    ]
    beyond_help = set()
    while True:
        for mirror, original in mirrors.items():
            if original in hidden:
                hidden[mirror] = hidden[original]
        # The destinations' shares give away the outcome "handed over": hidden with it.
        if HANDED_OVER in hidden:
            for cell in destinations:
                hidden.setdefault(cell, False)
        possible = possible_values(sums, hidden, value, threshold)
        worked_out = [
            cell for cell in hidden if _size(possible[cell]) < 2 and cell not in beyond_help
        ]
        if not worked_out:
            return hidden
        extra = _protector(worked_out[0], sums, hidden, value, threshold)
        if extra is None:
            beyond_help.add(worked_out[0])  # see docs/status_report.md: nothing left to hide
        else:
            hidden[extra] = False


def _protector(cell, sums, hidden, value, threshold):
    """The cell to hide so that `cell` can no longer be worked out: in the lines through it,
    else in the lines through the hidden cells of those (which narrowed it), and so on."""
    reached, lines = {cell}, []
    while True:
        new = [
            line
            for line in sums
            if line not in lines and (reached & set(line[0]) or line[1] in reached)
        ]
        if not new:
            return None
        lines += new
        extra = _visible_protector(new, hidden, value, threshold)
        if extra is not None:
            return extra
        reached |= {c for line, total in new for c in [*line, total] if c in hidden}


def _visible_protector(lines, hidden, value, threshold):
    """The smallest visible count of at least the threshold in `lines` (the most doubt for the
    least loss); else a visible total (not the people in contact, which every share gives
    away, nor a total row that repeats it); else a visible 0."""
    cells = {cell for line, _total in lines for cell in line if cell not in hidden}
    large = [cell for cell in cells if value(cell) >= threshold]
    if large:
        return min(large, key=lambda cell: (value(cell), cell))
    totals = [
        total
        for _line, total in lines
        if total is not None
        and total not in hidden
        and total[0] != "people"
        and total[0] not in PEOPLE_TOTAL_TABLES
    ]
    if totals:
        return min(totals, key=lambda cell: (value(cell), cell))
    zeros = sorted(cells)
    return zeros[0] if zeros else None


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
    tables = [_dependent_figures_hidden(table, hidden, threshold) for table in tables]
    return replace(
        report,
        tables=tables,
        people=people,
        people_previous=people_previous,
        suppression_threshold=threshold,
    )


def _columns_giving_away(key: str, hidden: dict) -> list[int]:
    """The columns of table `key` that are no counts of their own but would give a hidden
    count away, per year:
    - the youngest, oldest and median age of a year whose people in contact are hidden: of
      one or two people they are those people's ages (all three alike for one);
    - the leader's age band (count and share) of a year in which an age group or the people
      in contact are hidden: a band is any range of ages, so beside the groups it could give
      a hidden group away by subtraction (0-64 beside 65+ "<3"), and its share gives the
      number with a known age."""

    def groups_hidden(column):
        return any(cell[0] == "age_group" and cell[2] == column for cell in hidden)

    if key == "age_figures":  # columns: this year, the year before
        years = [([1], ("people", 0, 1), None), ([2], ("people", 0, 2), None)]
    elif key == "age_band":  # columns: count and share this year, then the year before
        years = [([1, 2], ("people", 0, 1), 1), ([3, 4], ("people", 0, 2), 3)]
    else:
        return []
    return [
        column
        for columns, people, group_column in years
        if people in hidden or (group_column is not None and groups_hidden(group_column))
        for column in columns
    ]


def _dependent_figures_hidden(table: Table, hidden: dict, threshold: int) -> Table:
    """`table` with its `_columns_giving_away` hidden, and the change with them."""
    columns = _columns_giving_away(table.key, hidden)
    if not columns:
        return table
    columns += [c for c, (_heading, kind) in enumerate(table.columns) if kind == "change"]
    rows = [
        [
            Suppressed(False, threshold)
            if c in columns and not getattr(cell, "suppressed", False)
            else cell
            for c, cell in enumerate(row)
        ]
        for row in table.rows
    ]
    return replace(table, rows=rows)
