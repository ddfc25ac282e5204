"""The digest's chart: the team's wins per day over the last eight weeks, remote days against office days.

Two steps. `chart_layout` turns the series into what to draw, in pixels, as plain dataclasses (so tests
check the bars against the data without reading pixels); `wins_chart_png` paints that with Pillow and
encodes the PNG. Pillow, not a plotting library: a chart costs milliseconds and the import a few tens of
them, in every process that draws one (the clock, `remote-wins export`).

Thread-safe without a lock: each call paints its own image with its own fonts. Drawing on separate images
shares nothing; a FreeType face must not be used by two threads at once, so fonts are never shared, and
loading Pillow's built-in font (Aileron, scalable since Pillow 10.1, no font file needed) costs well under
a millisecond. Upload is the sender's job; this only turns data into PNG bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageColor, ImageDraw, ImageFont

from rules.digest import WinsSeries

WIDTH_PX, HEIGHT_PX = 1200, 500
COLOURS = {"remote": "#2e7d32", "office": "#1565c0", "other": "#b0bec5"}
LABELS = {"remote": "Remote days", "office": "Office days", "other": "Days off or not set"}
KINDS = ("remote", "office", "other")  # stacked from the axis up, in this order
BACKGROUND, INK, AXIS, SEPARATOR = "#ffffff", "#263238", "#90a4ae", "#eceff1"
TITLE_SIZE, AXIS_LABEL_SIZE, TICK_SIZE = 20, 15, 14
PLOT_LEFT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM = 84, 56, WIDTH_PX - 24, HEIGHT_PX - 44
LEGEND_BAND = 34  # px at the plot's top kept free of bars, for the legend
MOST_Y_TICKS = 6  # steps between 0 and the tallest bar, at most
BAR_SHARE, MAX_BAR_PX = 0.8, 40  # of a day's slot (the rest is the gap between bars), and at most
LABEL_GAP_PX = 8  # at least, between two date labels
SEPARATED_WEEK_PX = 24  # weeks narrower than this get a separator only where their Monday is labelled


@dataclass(frozen=True)
class Box:
    """A filled rectangle in pixels: left and top inside it, right and bottom just outside."""

    left: int
    top: int
    right: int
    bottom: int
    colour: str

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class Bar:
    """One kind's part of one day's stack (height 0 when that day has no such wins)."""

    day: date
    kind: str
    wins: int
    box: Box


@dataclass(frozen=True)
class Line:
    """A 1 px line: an axis, a tick mark, or the separator between two weeks."""

    x0: int
    y0: int
    x1: int
    y1: int
    colour: str


@dataclass(frozen=True)
class Label:
    """Text at (x, y); `anchor` is Pillow's two-letter text anchor ("mt": middle of its top edge)."""

    text: str
    x: int
    y: int
    size: int
    anchor: str
    colour: str = INK
    upright: bool = False  # turned 90° anticlockwise, anchored at its centre (the y axis's name)


@dataclass(frozen=True)
class LegendEntry:
    kind: str
    swatch: Box
    label: Label


@dataclass(frozen=True)
class ChartLayout:
    """Everything the PNG shows. Bars are one per day for each kind drawn, in KINDS order."""

    width: int
    height: int
    baseline: int  # y of the x axis: every stack stands on it
    px_per_win: float
    y_ticks: tuple[int, ...]
    bars: tuple[Bar, ...]
    legend: tuple[LegendEntry, ...]
    lines: tuple[Line, ...]  # drawn under the bars
    labels: tuple[Label, ...]


def _tick(day: date) -> str:
    return f"{day.day} {day:%b}"


def y_step(tallest: int, most: int = MOST_Y_TICKS) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that reaches `tallest` in at most `most` steps."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            if math.ceil(tallest / step) <= most:
                return step
        magnitude *= 10


def _fonts() -> Callable[[int], ImageFont.FreeTypeFont]:
    """This call's own fonts by size (never shared between threads: see the module's docstring)."""
    loaded: dict[int, ImageFont.FreeTypeFont] = {}

    def font(size: int) -> ImageFont.FreeTypeFont:
        if size not in loaded:
            scalable = ImageFont.load_default(size=size)
            assert isinstance(scalable, ImageFont.FreeTypeFont)  # with a size, always; typed "or ImageFont"
            loaded[size] = scalable
        return loaded[size]

    return font


@dataclass(frozen=True)
class _Grid:
    """Where a number of wins and a day's slot fall on the plot, in pixels."""

    px_per_win: float
    slot: float  # a day's width, bar and gap
    pad: float  # before the first slot
    bar_width: int

    def y(self, wins: int) -> int:
        return PLOT_BOTTOM - round(wins * self.px_per_win)

    def slot_left(self, i: int) -> int:
        return PLOT_LEFT + round(self.pad + i * self.slot)

    def slot_middle(self, i: int) -> float:
        return PLOT_LEFT + self.pad + (i + 0.5) * self.slot


def chart_layout(series: WinsSeries) -> ChartLayout:
    """Stacked bars, one per day: wins on remote days, on office days, and on other days above them."""
    font = _fonts()
    drawn = [k for k in KINDS if k != "other" or any(series.other)]  # no legend entry for an empty stack
    values = {"remote": series.remote, "office": series.office, "other": series.other}
    n = max(1, len(series.days))
    tallest = max([1, *(sum(values[k][i] for k in drawn) for i in range(len(series.days)))])
    step = y_step(tallest)
    top_tick = step * math.ceil(tallest / step)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    px_per_win = (plot_height - LEGEND_BAND) / top_tick

    # Days in equal slots; every bar as wide as the next (only the gaps may differ by a pixel).
    width = PLOT_RIGHT - PLOT_LEFT
    slot = width / (n + 0.4)
    grid = _Grid(px_per_win, slot, slot * 0.2, max(1, min(MAX_BAR_PX, round(slot * BAR_SHARE))))

    bars = _bars(series.days, drawn, values, grid)
    lines = [
        Line(PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM, AXIS),
        Line(PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM, AXIS),
    ]
    labels = []
    y_ticks = tuple(v for v in range(0, top_tick * 2 + 1, step) if grid.y(v) >= PLOT_TOP)
    for value in y_ticks:
        lines.append(Line(PLOT_LEFT - 5, grid.y(value), PLOT_LEFT - 1, grid.y(value), AXIS))
        labels.append(Label(str(value), PLOT_LEFT - 9, grid.y(value), TICK_SIZE, "rm"))
    day_lines, day_labels = _day_ticks(series.days, grid, font)
    lines += day_lines
    labels += day_labels

    weeks = round(len(series.days) / 7)
    title = f"Wins logged per day, remote vs office, last {weeks} weeks"
    labels.append(Label(title, (PLOT_LEFT + PLOT_RIGHT) // 2, 16, TITLE_SIZE, "mt"))
    labels.append(
        Label("Wins logged", 20, (PLOT_TOP + PLOT_BOTTOM) // 2, AXIS_LABEL_SIZE, "mm", upright=True)
    )

    return ChartLayout(
        WIDTH_PX,
        HEIGHT_PX,
        PLOT_BOTTOM,
        px_per_win,
        y_ticks,
        tuple(bars),
        tuple(_legend(drawn, font)),
        tuple(lines),
        tuple(labels),
    )


def _bars(
    days: Sequence[date], drawn: list[str], values: Mapping[str, Sequence[int]], grid: _Grid
) -> list[Bar]:
    """Each drawn kind's part of each day's stack, kind by kind, standing on the kinds before it."""
    bars = []
    for kind in drawn:
        for i, day in enumerate(days):
            below = sum(values[k][i] for k in drawn[: drawn.index(kind)])
            wins = values[kind][i]
            left = round(grid.slot_middle(i) - grid.bar_width / 2)
            box = Box(left, grid.y(below + wins), left + grid.bar_width, grid.y(below), COLOURS[kind])
            bars.append(Bar(day, kind, wins, box))
    return bars


def _day_ticks(
    days: Sequence[date], grid: _Grid, font: Callable[[int], ImageFont.FreeTypeFont]
) -> tuple[list[Line], list[Label]]:
    """A tick on each Monday (the first day when there is none); when weeks are too narrow for their
    labels, on every second, third… Monday. A light line between weeks, where weeks are wide enough."""
    lines, labels = [], []
    mondays = [i for i, day in enumerate(days) if day.weekday() == 0]
    if not mondays and days:
        mondays = [0]
    widest = max((font(TICK_SIZE).getlength(_tick(days[i])) for i in mondays), default=0)
    every = max(1, math.ceil((widest + 2 * LABEL_GAP_PX) / (7 * grid.slot)))
    for nth, i in enumerate(mondays):
        if i > 0 and (7 * grid.slot >= SEPARATED_WEEK_PX or nth % every == 0):
            lines.append(Line(grid.slot_left(i), PLOT_TOP, grid.slot_left(i), PLOT_BOTTOM - 1, SEPARATOR))
    free_from = 0  # a label kept within the axis (clear of the y axis's "0") may crowd the next: skip that
    for i in mondays[::every]:
        x, text = round(grid.slot_middle(i)), _tick(days[i])
        half = math.ceil(font(TICK_SIZE).getlength(text) / 2)
        at = min(max(x, PLOT_LEFT + half), PLOT_RIGHT - half)
        if at - half >= free_from:
            lines.append(Line(x, PLOT_BOTTOM + 1, x, PLOT_BOTTOM + 5, AXIS))
            labels.append(Label(text, at, PLOT_BOTTOM + 9, TICK_SIZE, "mt"))
            free_from = at + half + LABEL_GAP_PX
    return lines, labels


def _legend(drawn: list[str], font: Callable[[int], ImageFont.FreeTypeFont]) -> list[LegendEntry]:
    """A swatch and a name per kind drawn, left to right at the plot's top."""
    legend, x, middle, side = [], PLOT_LEFT + 14, PLOT_TOP + 12, 12
    for kind in drawn:
        swatch = Box(x, middle - side // 2, x + side, middle + side - side // 2, COLOURS[kind])
        label = Label(LABELS[kind], x + side + 6, middle, TICK_SIZE, "lm")
        legend.append(LegendEntry(kind, swatch, label))
        x = round(label.x + font(TICK_SIZE).getlength(LABELS[kind])) + 22
    return legend


def _paint_label(
    image: Image.Image, draw: ImageDraw.ImageDraw, label: Label, font: ImageFont.FreeTypeFont
) -> None:
    if not label.upright:
        draw.text((label.x, label.y), label.text, fill=label.colour, font=font, anchor=label.anchor)
        return
    _, _, right, bottom = font.getbbox(label.text)  # whole pixels, typed as float
    mask = Image.new("L", (int(right), int(bottom)))
    ImageDraw.Draw(mask).text((0, 0), label.text, fill=255, font=font)
    mask = mask.rotate(90, expand=True)
    left, top = label.x - mask.width // 2, label.y - mask.height // 2
    image.paste(ImageColor.getrgb(label.colour), (left, top, left + mask.width, top + mask.height), mask)


def wins_chart_png(series: WinsSeries) -> bytes:
    """The chart as PNG bytes, WIDTH_PX × HEIGHT_PX."""
    layout = chart_layout(series)
    font = _fonts()
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for line in layout.lines:
        draw.line((line.x0, line.y0, line.x1, line.y1), fill=line.colour, width=1)
    boxes = [bar.box for bar in layout.bars] + [entry.swatch for entry in layout.legend]
    for box in boxes:
        if box.height > 0:
            draw.rectangle((box.left, box.top, box.right - 1, box.bottom - 1), fill=box.colour)
    for label in [*layout.labels, *(entry.label for entry in layout.legend)]:
        _paint_label(image, draw, label, font(label.size))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
