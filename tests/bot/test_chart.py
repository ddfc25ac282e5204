"""The digest's chart: a real PNG of the expected size, drawn from the data the rules computed."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta

from bot.chart import HEIGHT_PX, WIDTH_PX, chart_figure, wins_chart_png
from rules.digest import (
    Digest,
    DigestInputs,
    Report,
    WeekWin,
    build_digest,
    chart_range,
    week_range,
    wins_per_day,
)
from tests.digest_tallies import tally

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


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    return struct.unpack(">II", body[:8])


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


def test_the_bars_drawn_are_the_series() -> None:
    series = team_digest().chart
    (axes,) = chart_figure(series).axes
    drawn = {container.get_label(): [bar.get_height() for bar in container] for container in axes.containers}
    assert drawn == {"Remote days": list(series.remote), "Office days": list(series.office)}
    office_bottoms = [bar.get_y() for bar in axes.containers[1]]
    assert office_bottoms == list(series.remote)  # stacked on the remote bars
    assert [t.get_text() for t in axes.get_xticklabels()][-1] == "23 Nov"


def test_an_empty_team_still_draws_a_chart() -> None:
    digest = build_digest(DigestInputs("T1", "UM", "UTC", WEEK, [], [], [], []))
    assert digest.chart.total == 0
    assert png_size(wins_chart_png(digest.chart)) == (WIDTH_PX, HEIGHT_PX)
