"""Small-number suppression of the status report for publication: small counts hidden, and
enough more that no total gives them away; the leaders' own report keeps every number."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from workflows.models import IncomeSource, Outcome
from workflows.reporting.disclosure import Suppressed, _sums, hidden_cells, suppressed
from workflows.reporting.status_report import status_report

pytestmark = pytest.mark.django_db


def _durations(report, counts):
    """Set the duration table's counts (and its total and shares) as the register would."""
    table = report.table("duration")
    total = sum(counts)
    for row, count in zip(table.rows[:-1], counts, strict=True):
        row[1:] = [count, round(100 * count / total, 1)]
    table.rows[-1][1:] = [total, 100.0]


def _shown(report, key):
    return [[str(cell) for cell in row[1:]] for row in report.table(key).rows]


def test_a_one_and_its_complement_are_hidden_and_the_total_cannot_reveal_it():
    report = status_report(2025)
    _durations(report, [1, 10, 8, 5])

    published = suppressed(report, threshold=3)

    assert _shown(published, "duration") == [
        ["<3", ".."],  # refused at first contact: 1
        ["10", "41.7"],
        ["8", "33.3"],
        ["..", ".."],  # over 6 months, the smallest other: hidden so 24 - 18 is two numbers
        ["24", "100.0"],
    ]


def test_a_one_and_a_two_are_both_hidden_and_need_no_third():
    report = status_report(2025)
    _durations(report, [1, 2, 8, 5])

    rows = _shown(suppressed(report, threshold=3), "duration")

    assert [row[0] for row in rows] == ["<3", "<3", "8", "5", "16"]


def test_zeros_are_shown():
    report = status_report(2025)
    _durations(report, [0, 10, 8, 5])

    assert _shown(suppressed(report, threshold=3), "duration")[0] == ["0", "0.0"]


def test_no_sum_in_the_report_has_exactly_one_hidden_cell():
    report = status_report(2025)
    _durations(report, [1, 10, 8, 5])
    age_group = report.table("age_group")
    gender = report.table("gender")
    cross = report.table("gender_by_age")
    # One woman aged 30-39 among 9 people: hidden in three tables at once.
    cross.rows[2][1:] = [1, 4, 0, 0, 5]
    cross.rows[3][1:] = [2, 2, 0, 0, 4]
    age_group.rows[2][1] = 5
    age_group.rows[3][1] = 4
    gender.rows[0][1], gender.rows[1][1] = 3, 6
    report.table("people").rows[0][1] = 9

    hidden = hidden_cells(report, 3)

    for cells, total in _sums(report):
        members = cells + ([total] if total else [])
        assert sum(cell in hidden for cell in members) != 1, (cells, total)
    assert ("gender_by_age", 2, 1) in hidden and ("gender_by_age", 3, 1) in hidden


def test_the_leaders_screen_keeps_exact_numbers_and_the_export_hides_them(client, leader):
    client.force_login(leader)

    screen = client.get(reverse("leader:status_report"), {"year": 2025})
    exported = client.get(
        reverse("leader:status_report"), {"year": 2025, "format": "json", "suppress": "on"}
    )

    assert screen.status_code == 200
    assert screen.context["report"].suppression_threshold is None
    data = json.loads(exported.content)
    assert data["suppression_threshold"] == 3
    assert "Small numbers are hidden" in data["suppression_note"]


def test_suppressed_cells_print_their_mark():
    assert str(Suppressed(True, 3)) == "<3"
    assert str(Suppressed(False, 3)) == ".."


def test_the_command_writes_the_report_for_publication():
    out = io.StringIO()

    call_command("status_report", year=2025, format="json", suppress=True, stdout=out)

    assert json.loads(out.getvalue())["suppression_threshold"] == 3


def test_hiding_the_handed_over_outcome_hides_the_destinations_that_add_up_to_it():
    report = status_report(2025)
    outcomes = report.table("outcomes")
    labels = [str(row[0]) for row in outcomes.rows]
    handed_over = labels.index("Handed over to an established service")
    # A row: this year, its share, the previous year (none here) and the change.
    for row in outcomes.rows:
        row[1:] = [0, 0.0, 0, 0]
    outcomes.rows[handed_over][1:] = [4, 26.7, 0, 4]  # the smallest beside the hidden 1
    outcomes.rows[handed_over + 1][1:] = [1, 6.7, 0, 1]
    outcomes.rows[-1][1:] = [10, 66.7, 0, 10]
    destinations = report.table("handover_destinations")
    destinations.rows = [["Herberget", 3, 75.0], ["Misbrugscentret", 1, 25.0]]

    published = suppressed(report, threshold=3)

    assert _shown(published, "outcomes")[handed_over] == ["..", "..", "0", ".."]
    assert _shown(published, "handover_destinations") == [
        ["..", ".."],
        ["<3", ".."],
    ]


# --- What a reader can work out: every solution consistent with what is printed -----------


def _cell(report, cell):
    key, row, column = cell
    return report.table(key).rows[row][column]


def _equations(original, published):
    """[(terms, rest)]: sum(sign * cell) == rest, over the hidden cells, for every line a reader
    can check (the rows and totals of _sums, and the totals the shares give away)."""
    equations = []
    for cells, total in _sums(original):
        terms = [(cell, 1) for cell in cells] + ([(total, -1)] if total else [])
        # A share column's total: the sum of the counts, known from any share shown.
        rest = sum(_cell(original, cell) for cell in cells) if total is None else 0
        unknown = []
        for cell, sign in terms:
            shown = _cell(published, cell)
            if getattr(shown, "suppressed", False):
                unknown.append((cell, sign))
            else:
                rest -= sign * shown
        if unknown:
            equations.append((unknown, rest))
    # A hidden total whose table shows a nonzero count with its share: share = count / total.
    for key in ("referral_sources", "duration", "first_contact_deadline"):
        rows = published.table(key).rows
        total = rows[-1][1]
        if getattr(total, "suppressed", False) and any(
            not getattr(row[1], "suppressed", False) and row[1] for row in rows[:-1]
        ):
            equations.append(
                ([((key, len(rows) - 1, 1), 1)], _cell(original, (key, len(rows) - 1, 1)))
            )
    return equations


def _possible_values(original, published, threshold):
    """{hidden cell: set of values}: brute force, though only until each hidden cell has shown
    two values (a cell with one possible value has been worked out). Every value a cell may
    take, not only those shown, is tried: a search finds a solution on either side of the
    truth or proves there is none."""
    equations = _equations(original, published)
    cells = sorted({cell for terms, _rest in equations for cell, _sign in terms})
    truth = {cell: _cell(original, cell) for cell in cells}
    ceiling = 2 * max(truth.values(), default=0) + threshold

    def domain(cell):
        if _cell(published, cell).primary:
            return list(range(1, threshold))
        return [0, *range(threshold, ceiling + 1)]

    domains = {cell: domain(cell) for cell in cells}
    for cell in cells:
        assert truth[cell] in domains[cell], cell

    def narrowed(bounds):
        """Bounds (low, high) narrowed by every equation until stable, or None if none fit."""
        bounds = dict(bounds)
        changed = True
        while changed:
            changed = False
            for terms, rest in equations:
                for index, (cell, sign) in enumerate(terms):
                    low = high = rest
                    for other, other_sign in terms[:index] + terms[index + 1 :]:
                        a, b = (other_sign * value for value in bounds[other])
                        low, high = low - max(a, b), high - min(a, b)
                    if sign < 0:
                        low, high = -high, -low
                    new = (max(bounds[cell][0], low), min(bounds[cell][1], high))
                    if new[0] > new[1]:
                        return None
                    if new != bounds[cell]:
                        bounds[cell], changed = new, True
        return bounds

    def solution(bounds):
        """Values for every cell within `bounds` that fit every equation, or None."""
        bounds = narrowed(bounds)
        if bounds is None:
            return None
        open_cells = [cell for cell in cells if bounds[cell][0] < bounds[cell][1]]
        if not open_cells:
            fits = all(bounds[cell][0] in domains[cell] for cell in cells)
            return {cell: bounds[cell][0] for cell in cells} if fits else None
        cell = min(open_cells, key=lambda cell: bounds[cell][1] - bounds[cell][0])
        low, high = bounds[cell]
        values = [value for value in domains[cell] if low <= value <= high]
        for value in sorted(values, key=lambda value: value != truth[cell]):
            found = solution({**bounds, cell: (value, value)})
            if found is not None:
                return found
        return None

    start = {cell: (min(domains[cell]), max(domains[cell])) for cell in cells}
    assert solution({cell: (truth[cell],) * 2 for cell in cells}), "the truth fits"
    possible = {cell: {truth[cell]} for cell in cells}
    for cell in cells:
        # One search each side of the truth: any solution found there is a second value
        # for this cell, and for every other cell it gives a value other than the truth.
        for side in ((start[cell][0], truth[cell] - 1), (truth[cell] + 1, start[cell][1])):
            if len(possible[cell]) > 1 or side[0] > side[1]:
                continue
            found = solution({**start, cell: side})
            for other, value in (found or {}).items():
                possible[other].add(value)
    return possible


def _assert_nothing_can_be_worked_out(report, threshold=3):
    published = suppressed(report, threshold=threshold)
    worked_out = {
        cell: values
        for cell, values in _possible_values(report, published, threshold).items()
        if len(values) < 2
    }
    assert not worked_out, worked_out
    return published


def _set_income(report, counts):
    table = report.table("income_source")
    total = sum(counts.values())
    for row, value in zip(table.rows, IncomeSource.values, strict=True):
        count = counts.get(value, 0)
        row[1:] = [count, round(100 * count / total, 1), 0, count]


def test_two_small_incomes_beside_the_rest_of_the_people_cannot_be_worked_out():
    # Red team: cash benefit <3, none <3, unknown 11 of 13 people: the two are 1 and 1.
    report = status_report(2025)
    _set_income(report, {"cash_benefit": 1, "none": 1, "unknown": 11})

    published = _assert_nothing_can_be_worked_out(report)

    assert [row[0] for row in _shown(published, "income_source")] == [
        "<3",
        "0",
        "0",
        "0",
        "..",
        "<3",
    ]


def test_three_small_homeless_categories_and_their_total_cannot_be_worked_out():
    # Red team: three categories <3, sleeping rough 3, all categories 6: each is 1.
    report = status_report(2025)
    table = report.table("homeless")
    for row in table.rows:
        row[1:] = [0, 0.0]
    for row, count in zip(table.rows, [3, 1, 1, 1], strict=False):
        row[1] = count
    table.rows[-1][1] = 6
    # The housing table shows the same people, category by category (as the report makes it).
    for row, count in zip(report.table("housing").rows, [3, 1, 1, 1], strict=False):
        row[1] = count

    published = _assert_nothing_can_be_worked_out(report)

    assert _shown(published, "homeless")[0][0] == ".."


@pytest.mark.parametrize(
    "counts",
    [
        [1, 1, 11, 0],  # red team: <3, <3, 11, all 13: each is 1
        [2, 2, 11, 0],  # the hidden two at their largest
        [1, 10, 8, 3],  # the ".." beside a 1 is 3, the smallest it can be
        [1, 10, 8, 5],
        [1, 2, 8, 5],
        [0, 1, 0, 0],
    ],
)
def test_no_duration_hidden_can_be_worked_out(counts):
    report = status_report(2025)
    _durations(report, counts)

    _assert_nothing_can_be_worked_out(report)


def test_the_handed_over_outcome_and_its_destinations_cannot_be_worked_out():
    report = status_report(2025)
    outcomes = report.table("outcomes")
    handed_over = Outcome.values.index(Outcome.HANDED_OVER)
    for row in outcomes.rows:
        row[1:] = [0, 0.0, 0, 0]
    outcomes.rows[handed_over][1:] = [4, 26.7, 0, 4]
    outcomes.rows[handed_over + 1][1:] = [1, 6.7, 0, 1]
    outcomes.rows[-1][1:] = [10, 66.7, 0, 10]
    report.table("handover_destinations").rows = [
        ["Herberget", 3, 75.0],
        ["Misbrugscentret", 1, 25.0],
    ]

    _assert_nothing_can_be_worked_out(report)


def test_age_group_by_gender_cannot_be_worked_out():
    report = status_report(2025)
    cross = report.table("gender_by_age")
    cross.rows[2][1:] = [1, 4, 0, 0, 5]
    cross.rows[3][1:] = [2, 2, 0, 0, 4]
    cross.rows[4][1:] = [3, 7, 0, 0, 10]
    report.table("age_group").rows[2][1] = 5
    report.table("age_group").rows[3][1] = 4
    report.table("age_group").rows[4][1] = 10
    report.table("gender").rows[0][1], report.table("gender").rows[1][1] = 6, 13
    report.table("people").rows[0][1] = report.people = 19

    _assert_nothing_can_be_worked_out(report)


def test_the_leaders_own_report_is_not_touched():
    report = status_report(2025)
    _durations(report, [1, 1, 11, 0])

    suppressed(report, threshold=3)

    assert [row[1] for row in report.table("duration").rows] == [1, 1, 11, 0, 13]
