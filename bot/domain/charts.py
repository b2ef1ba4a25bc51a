"""PNG charts for /statistik (matplotlib's object API on the Agg canvas: no display, no global pyplot state,
safe to render in a worker thread). Labels come translated."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

COLORS = ("#1f6f8b", "#99a8b2", "#2e8b57", "#c0392b", "#e67e22")
SIZE = (8.0, 5.0)  # inches; 100 dpi → 800×500, readable on a phone


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def stacked_bars(title: str, categories: Sequence[str], series: Mapping[str, Sequence[int]], empty: str) -> bytes:
    """Horizontal stacked bars, one per category (e.g. requests per kecamatan, split by status)."""
    figure = Figure(figsize=SIZE, dpi=100)
    axes = figure.subplots()
    if not categories:
        axes.text(0.5, 0.5, empty, ha="center", va="center", fontsize=14)
        axes.set_axis_off()
    else:
        left = [0] * len(categories)
        for color, (label, values) in zip(COLORS * 3, series.items(), strict=False):
            axes.barh(list(categories), list(values), left=left, label=label, color=color)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.invert_yaxis()
        axes.legend(loc="lower right", fontsize=9)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title, fontsize=13)
    return _png(figure)


def funnel(title: str, stages: Sequence[tuple[str, int]]) -> bytes:
    """Bars narrowing from received to registered, with the count on each."""
    figure = Figure(figsize=SIZE, dpi=100)
    axes = figure.subplots()
    labels = [label for label, _ in stages]
    values = [value for _, value in stages]
    bars = axes.barh(labels, values, color=COLORS[: len(stages)])
    axes.bar_label(bars, labels=[str(v) for v in values], padding=4)
    axes.invert_yaxis()
    axes.set_xlim(0, max([*values, 1]) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title, fontsize=13)
    return _png(figure)


def weekly_trend(title: str, weeks: Sequence[str], lines: Mapping[str, Sequence[int]]) -> bytes:
    """One line per series over the weeks (labels like "17 Nov")."""
    figure = Figure(figsize=SIZE, dpi=100)
    axes = figure.subplots()
    for color, (label, values) in zip(COLORS, lines.items(), strict=False):
        axes.plot(list(weeks), list(values), marker="o", label=label, color=color)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", fontsize=9)
    axes.set_title(title, fontsize=13)
    axes.tick_params(axis="x", labelrotation=30)
    return _png(figure)


Formatter = Callable[[float], str]  # a tick's number in the reader's locale (Babel)


def coverage_bars(title: str, names: Sequence[str], values: Sequence[int], labels: Sequence[str], empty: str,
                  size: tuple[float, float] = SIZE, number: Formatter = str) -> bytes:
    """Horizontal bars of active members per area, each labelled (e.g. "1.234 · 12,5%"); the first on top."""
    figure = Figure(figsize=size, dpi=100)
    axes = figure.subplots()
    if not names:
        axes.text(0.5, 0.5, empty, ha="center", va="center", fontsize=14)
        axes.set_axis_off()
    else:
        bars = axes.barh(list(names), list(values), color=COLORS[0], height=0.6)
        axes.bar_label(bars, labels=list(labels), padding=4, fontsize=8)
        axes.set_ylim(max(len(names), 4) - 0.5, -0.5)  # the first on top; a lone bar stays a bar
        axes.set_xlim(0, max([*values, 1]) * 1.3)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value)))
        axes.tick_params(axis="y", labelsize=8 if len(names) > 12 else 10)
    axes.set_title(title, fontsize=13)
    return _png(figure)


def monthly_trend(title: str, months: Sequence[str], values: Sequence[int], label: str,
                  target: tuple[str, int] | None = None, size: tuple[float, float] = SIZE,
                  number: Formatter = str) -> bytes:
    """One line of active members at each month's end; the target as a dashed line when it is in sight
    (within ten times the highest value; otherwise the line would be flattened to the floor)."""
    figure = Figure(figsize=size, dpi=100)
    axes = figure.subplots()
    axes.plot(list(months), list(values), marker="o", label=label, color=COLORS[0])
    if target is not None and target[1] <= 10 * max([*values, 1]):
        axes.axhline(target[1], linestyle="--", color=COLORS[3], label=target[0])
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value)))
    axes.legend(loc="upper left", fontsize=9)
    axes.set_title(title, fontsize=13)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8 if len(months) > 8 else 10)
    return _png(figure)
