"""Small-number suppression of the status report for publication: small counts hidden, and
enough more that no total gives them away; the leaders' own report keeps every number."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

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
    for row in outcomes.rows:
        row[1:] = [0, 0.0]
    outcomes.rows[handed_over][1:] = [4, 26.7]  # the smallest beside the hidden 1
    outcomes.rows[handed_over + 1][1:] = [1, 6.7]
    outcomes.rows[-1][1:] = [10, 66.7]
    destinations = report.table("handover_destinations")
    destinations.rows = [["Herberget", 3, 75.0], ["Misbrugscentret", 1, 25.0]]

    published = suppressed(report, threshold=3)

    assert _shown(published, "outcomes")[handed_over] == ["..", ".."]
    assert _shown(published, "handover_destinations") == [
        ["..", ".."],
        ["<3", ".."],
    ]
