"""The digest's chart: a real PNG of the expected size, drawn from the data the rules computed."""

from __future__ import annotations

import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from PIL import Image, ImageColor, ImageFont

from bot.chart import (
    COLOURS,
    HEIGHT_PX,
    WIDTH_PX,
    Bar,
    ChartLayout,
    Label,
    chart_layout,
    wins_chart_png,
    y_step,
)
from rules.digest import (
    Digest,
    DigestInputs,
    Report,
    WeekWin,
    WinsSeries,
    build_digest,
    chart_range,
    week_range,
    wins_per_day,
)
from tests.digest_tallies import tally
from tests.support import png_size

WEEK = "2026-W48"
MON = date(2026, 11, 23)


def win(win_id: int, member_id: int, day: date, kind: str) -> WeekWin:
    return WeekWin(win_id, member_id, "x", day, "other", None, None, None, kind)


def team_digest() -> Digest:
    """Ana, remote Tue–Thu, logs 2 wins a remote day and 1 an office day for eight weeks; Bo logs none."""
    ana = Report(1, "U1", "Ana", "UTC", frozenset({1, 2, 3}))
    bo = Report(2, "U2", "Bo", "UTC", frozenset({0}))
    first = chart_range(week_range(WEEK)).first
    wins, ids = [], iter(range(1, 10_000))
    for offset in range(56):
        day = first + timedelta(days=offset)
        if day.weekday() in (1, 2, 3):
            wins += [win(next(ids), 1, day, "remote"), win(next(ids), 1, day, "remote")]
        elif day.weekday() < 5:
            wins.append(win(next(ids), 1, day, "office"))
    this_week = [w for w in wins if w.local_date >= MON]
    return build_digest(DigestInputs("T1", "UM", "UTC", WEEK, [ana, bo], this_week, tally(wins), []))


def test_the_chart_is_a_png_of_the_expected_size() -> None:
    png = wins_chart_png(team_digest().chart)
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)
    assert png.endswith(b"IEND\xaeB`\x82")


def test_the_data_behind_it_counts_wins_per_day_by_the_days_kind() -> None:
    digest = team_digest()
    series = wins_per_day(digest.reports, chart_range(digest.period))
    assert series == digest.chart
    assert len(series.days) == 56 and series.days[-1] == date(2026, 11, 29)
    for day, remote, office, other in zip(
        series.days, series.remote, series.office, series.other, strict=True
    ):
        expected = (2, 0) if day.weekday() in (1, 2, 3) else (0, 1) if day.weekday() < 5 else (0, 0)
        assert (remote, office, other) == (*expected, 0), day
    assert series.total == 8 * (3 * 2 + 2)


def bars_by_kind(layout: ChartLayout) -> dict[str, list[Bar]]:
    kinds: dict[str, list[Bar]] = {}
    for bar in layout.bars:
        kinds.setdefault(bar.kind, []).append(bar)
    return kinds


def test_the_bars_drawn_are_the_series() -> None:
    series = team_digest().chart
    layout = chart_layout(series)
    drawn = bars_by_kind(layout)
    assert {kind: [bar.wins for bar in bars] for kind, bars in drawn.items()} == {
        "remote": list(series.remote),
        "office": list(series.office),
    }
    for bars in drawn.values():
        assert [bar.day for bar in bars] == list(series.days)  # one per day, in order
        for bar in bars:
            assert abs(bar.box.height - bar.wins * layout.px_per_win) <= 1, bar
    for remote, office in zip(drawn["remote"], drawn["office"], strict=True):
        assert remote.box.bottom == layout.baseline and office.box.top <= office.box.bottom == remote.box.top
        assert (office.box.left, office.box.right) == (remote.box.left, remote.box.right)
    assert [entry.label.text for entry in layout.legend] == ["Remote days", "Office days"]
    ticks = [label for label in layout.labels if label.anchor == "mt" and label.y > layout.baseline]
    assert [t.text for t in ticks] == [
        "5 Oct",
        "12 Oct",
        "19 Oct",
        "26 Oct",
        "2 Nov",
        "9 Nov",
        "16 Nov",
        "23 Nov",
    ]


def test_days_off_stack_on_top_with_their_own_legend_entry() -> None:
    days = tuple(MON + timedelta(days=i) for i in range(14))
    series = WinsSeries(days, (1,) * 14, (2,) * 14, (0, 3) * 7)
    layout = chart_layout(series)
    drawn = bars_by_kind(layout)
    assert [bar.wins for bar in drawn["other"]] == list(series.other)
    for office, other in zip(drawn["office"], drawn["other"], strict=True):
        assert other.box.bottom == office.box.top
        assert abs(other.box.height - other.wins * layout.px_per_win) <= 1
    assert [entry.kind for entry in layout.legend] == ["remote", "office", "other"]
    assert layout.legend[-1].label.text == "Days off or not set"


def test_the_y_axis_counts_in_whole_nice_steps_and_leaves_room_for_the_legend() -> None:
    assert [y_step(n) for n in (1, 2, 6, 7, 12, 30, 300, 1000)] == [1, 1, 1, 2, 2, 5, 50, 200]
    for tallest, ticks in ((1, (0, 1)), (2, (0, 1, 2)), (300, (0, 50, 100, 150, 200, 250, 300))):
        days = tuple(MON + timedelta(days=i) for i in range(56))
        series = WinsSeries(days, (tallest,) + (0,) * 55, (0,) * 56, (0,) * 56)
        layout = chart_layout(series)
        assert layout.y_ticks == ticks
        top = min(bar.box.top for bar in layout.bars)
        assert top > max(entry.swatch.bottom for entry in layout.legend)  # the legend stays clear of bars


def text_span(label: Label) -> tuple[float, float]:
    width = ImageFont.load_default(size=label.size).getlength(label.text)
    return label.x - width / 2, label.x + width / 2


def test_a_long_period_thins_its_date_labels_so_none_overlap() -> None:
    days = tuple(MON + timedelta(days=i) for i in range(365))
    layout = chart_layout(WinsSeries(days, (5,) * 365, (0,) * 365, (0,) * 365))
    ticks = [label for label in layout.labels if label.anchor == "mt" and label.y > layout.baseline]
    assert len(ticks) >= 6
    for left, right in itertools.pairwise(ticks):
        assert text_span(left)[1] + 8 <= text_span(right)[0], (left.text, right.text)
    assert text_span(ticks[0])[0] >= 0 and text_span(ticks[-1])[1] <= WIDTH_PX


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {colour for _, colour in image.getcolors(maxcolors=WIDTH_PX * HEIGHT_PX)}


def test_the_png_shows_each_bar_in_its_colour_where_the_layout_put_it() -> None:
    series = team_digest().chart
    layout = chart_layout(series)
    image = Image.open(io.BytesIO(wins_chart_png(series)))
    assert (image.format, image.size, image.mode) == ("PNG", (WIDTH_PX, HEIGHT_PX), "RGB")
    for bar in layout.bars:
        middle = ((bar.box.left + bar.box.right) // 2, (bar.box.top + bar.box.bottom) // 2)
        if bar.wins:
            assert image.getpixel(middle) == ImageColor.getrgb(COLOURS[bar.kind]), bar
            assert image.getpixel((middle[0], bar.box.top - 1)) != ImageColor.getrgb(COLOURS[bar.kind])
    for entry in layout.legend:
        swatch = (
            (entry.swatch.left + entry.swatch.right) // 2,
            (entry.swatch.top + entry.swatch.bottom) // 2,
        )
        assert image.getpixel(swatch) == ImageColor.getrgb(COLOURS[entry.kind])
    assert ImageColor.getrgb(COLOURS["other"]) not in colours(image)  # no empty stack, no grey swatch


def test_charts_drawn_side_by_side_are_the_charts_drawn_one_at_a_time() -> None:
    days = tuple(MON + timedelta(days=i) for i in range(56))
    many = [WinsSeries(days, (n,) * 56, (n % 3,) * 56, (n % 2,) * 56) for n in range(1, 13)]
    alone = [wins_chart_png(series) for series in many]
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(wins_chart_png, many)) == alone


def test_an_empty_team_still_draws_a_chart() -> None:
    digest = build_digest(DigestInputs("T1", "UM", "UTC", WEEK, [], [], [], []))
    assert digest.chart.total == 0
    assert png_size(wins_chart_png(digest.chart)) == (WIDTH_PX, HEIGHT_PX)
