"""The digest's chart: the team's wins per day over the last eight weeks, remote days against office days.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no display, no global state), so it runs
headless in the clock process and in tests. Upload is the sender's job; this only turns data into PNG bytes.
"""

from __future__ import annotations

import io
import threading
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rules.digest import WinsSeries

WIDTH_PX, HEIGHT_PX, DPI = 1200, 500, 100
COLOURS = {"remote": "#2e7d32", "office": "#1565c0", "other": "#b0bec5"}
LABELS = {"remote": "Remote days", "office": "Office days", "other": "Days off or not set"}
DRAWING = threading.Lock()  # matplotlib is not promised to be thread-safe: one chart at a time, whoever draws


def _tick(day: date) -> str:
    return f"{day.day} {day:%b}"


def chart_figure(series: WinsSeries) -> Figure:
    """Stacked bars, one per day: wins on remote days, on office days, and on other days above them."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(series.days))
    bottom = [0] * len(series.days)
    for kind, values in (("remote", series.remote), ("office", series.office), ("other", series.other)):
        if kind == "other" and not any(values):
            continue  # no legend entry for an empty stack
        axes.bar(
            positions, values, bottom=bottom, color=COLOURS[kind], label=LABELS[kind], width=0.8, gid=kind
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    mondays = [i for i, day in enumerate(series.days) if day.weekday() == 0]
    axes.set_xticks(mondays, [_tick(series.days[i]) for i in mondays])
    for i in mondays[1:]:
        axes.axvline(i - 0.5, color="#eceff1", linewidth=1, zorder=0)
    axes.set_xlim(-0.6, len(series.days) - 0.4)
    axes.set_ylim(0, max(1, *bottom) * 1.2)  # headroom for the legend above the tallest bar
    axes.set_ylabel("Wins logged")
    axes.yaxis.get_major_locator().set_params(integer=True)
    weeks = round(len(series.days) / 7)
    axes.set_title(f"Wins logged per day, remote vs office, last {weeks} weeks")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    return figure


def wins_chart_png(series: WinsSeries) -> bytes:
    """The chart as PNG bytes, WIDTH_PX × HEIGHT_PX."""
    buffer = io.BytesIO()
    with DRAWING:
        chart_figure(series).savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
