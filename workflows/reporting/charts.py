"""Geometry of the dashboard's server-drawn SVG charts (the templates only place the shapes).

Colours come from classes in static/leader/leader.css: the Content-Security-Policy allows
no inline styles, and a class per series keeps colour and legend in one place.
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int | float
    series: str
    category: str
    title: str


@dataclass
class Tick:
    position: float
    value: int


@dataclass
class Label:
    x: float
    y: float
    text: str
    sub: str = ""  # a second line, e.g. the year under a month


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    series: list[tuple[str, str]] = field(default_factory=list)  # (key, label)
    plot: dict = field(default_factory=dict)  # left, top, right, bottom of the plot area


def _grouped(number):
    """A count as the reader writes it: 1.234 in Danish, 1,234 in English."""
    return number_format(number, force_grouping=True)


def _nice_max(value):
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(maximum, count=4):
    top = _nice_max(maximum)
    step = max(1, top // count) if top >= count else 1
    return top, list(range(0, top + 1, step))


def column_chart(categories, series, values, *, height=240, group_width=None) -> Chart:
    """Grouped vertical bars: `categories` [(key, label)] along the bottom, one bar per
    series [(key, label)] in each group; `values` {(series key, category key): number}.

    A category label may be a pair (first line, second line).
    """
    left, top, bottom = 44, 12, 44
    group_width = group_width or max(30, 14 * len(series) + 12)
    width = left + group_width * max(1, len(categories)) + 12
    plot_height = height - top - bottom
    maximum, tick_values = _ticks(max([*values.values(), 0]))
    chart = Chart(width=width, height=height, series=list(series))
    chart.plot = {"left": left, "top": top, "right": width - 12, "bottom": top + plot_height}
    for tick in tick_values:
        chart.ticks.append(Tick(top + plot_height - plot_height * tick / maximum, tick))
    bar_width = (group_width - 12) / max(1, len(series))
    for index, (category, category_label) in enumerate(categories):
        group_x = left + index * group_width + 6
        category_label, sub = (
            category_label if isinstance(category_label, tuple) else (category_label, "")
        )
        chart.labels.append(
            Label(group_x + (group_width - 12) / 2, height - bottom + 18, category_label, sub)
        )
        for position, (key, label) in enumerate(series):
            value = values.get((key, category), 0)
            bar_height = plot_height * value / maximum
            chart.bars.append(
                Bar(
                    x=round(group_x + position * bar_width, 1),
                    y=round(top + plot_height - bar_height, 1),
                    width=round(bar_width - 2, 1),
                    height=round(bar_height, 1),
                    value=value,
                    series=key,
                    category=category,
                    title=f"{category_label} {sub}: {label} {_grouped(value)}".replace(" :", ":"),
                )
            )
    return chart


def bar_chart(categories, series, values, *, width=560, row_height=None) -> Chart:
    """Grouped horizontal bars, for categories with long names (teams)."""
    left, right, top = 190, 40, 24
    row_height = row_height or max(24, 16 * len(series) + 10)
    height = top + row_height * max(1, len(categories)) + 8
    plot_width = width - left - right
    maximum, tick_values = _ticks(max([*values.values(), 0]))
    chart = Chart(width=width, height=height, series=list(series))
    chart.plot = {"left": left, "top": top, "right": left + plot_width, "bottom": height - 8}
    for tick in tick_values:
        chart.ticks.append(Tick(left + plot_width * tick / maximum, tick))
    bar_height = (row_height - 10) / max(1, len(series))
    for index, (category, category_label) in enumerate(categories):
        row_y = top + index * row_height + 5
        text = category_label if len(category_label) <= 28 else category_label[:27] + "…"
        chart.labels.append(Label(left - 8, row_y + (row_height - 10) / 2 + 4, text))
        for position, (key, label) in enumerate(series):
            value = values.get((key, category), 0)
            chart.bars.append(
                Bar(
                    x=left,
                    y=round(row_y + position * bar_height, 1),
                    width=round(plot_width * value / maximum, 1),
                    height=round(bar_height - 2, 1),
                    value=value,
                    series=key,
                    category=category,
                    title=f"{category_label}: {label} {_grouped(value)}",
                )
            )
    return chart


@dataclass
class Step:
    stage: str
    label: str
    count: int
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self):
        return self.x + self.width / 2


@dataclass
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float


def process_diagram(stage_counts: list[dict]) -> dict:
    """The process's steps in a row with their counts, and the arrows between them.

    Support and reassessment have arrows both ways: a reassessment can continue support.
    """
    step_width, step_height, gap, margin, top = 120, 70, 34, 8, 12
    steps = [
        Step(
            stage=row["stage"],
            label=str(row["label"]),
            count=row["count"],
            x=margin + index * (step_width + gap),
            y=top,
            width=step_width,
            height=step_height,
        )
        for index, row in enumerate(stage_counts)
    ]
    arrows, back_arrows = [], []
    middle = top + step_height / 2
    for before, after in zip(steps, steps[1:], strict=False):
        if (before.stage, after.stage) == ("support", "reassessment"):
            arrows.append(Arrow(before.x + step_width, middle - 12, after.x - 2, middle - 12))
            back_arrows.append(Arrow(after.x, middle + 12, before.x + step_width + 2, middle + 12))
        else:
            arrows.append(Arrow(before.x + step_width, middle, after.x - 2, middle))
    width = margin * 2 + len(steps) * step_width + (len(steps) - 1) * gap
    return {
        "steps": steps,
        "arrows": arrows + back_arrows,
        "width": width,
        "height": top * 2 + step_height,
        "description": _(
            "The process from intake to closing; the number on each step is "
            "the number of cases there."
        ),
    }
