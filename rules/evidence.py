"""The evidence pack's rules: which days it covers, which wins it calls the best, and the CSV of every win,
made safe for spreadsheets. Pure: no Slack, no SQL.

- **Days**: `export` alone covers the member's latest trial, its days that are over; without a trial, the
  `DEFAULT_DAYS` days before today. A range covers the range, its days that are over (today is not). The
  CSV lists every shared win dated in the range, today's too.
- **Private wins** are never in the pack, its figures or its CSV (the pack is made to be handed over).
- **Best wins**: the member's own logged wins (not ticked plan items), grouped by category in the
  categories' order; within one, those that carry evidence (a link or a metric value) first, then the
  newest; at most `BEST_PER_CATEGORY` a category and `BEST_IN_ALL` in all.
- **The CSV** (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read the accents, quoted where
  needed, so commas, quotes and newlines round-trip): one row per win. A text cell that a spreadsheet
  would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in
  front, as OWASP advises; nothing else is changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from rules.calendar import DateRange
from rules.digest import PLAN_WIN
from rules.wins import CATEGORIES, SavedWin, plain_number

DEFAULT_DAYS = 90
BEST_PER_CATEGORY = 3
BEST_IN_ALL = 12
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "date",
    "day_kind",
    "category",
    "text",
    "metric_name",
    "metric_value",
    "link",
    "source",
    "logged_at_utc",
)


def export_range(first: date | None, last: date | None, trial: DateRange | None, today: date) -> DateRange:
    """The days the pack's figures cover: the range asked for, else the trial's, else the last
    `DEFAULT_DAYS`; only days that are over (before `today`), never an empty range."""
    if first is not None and last is not None:
        wanted = DateRange(first, last)
    elif trial is not None:
        wanted = trial
    else:
        wanted = DateRange(today - timedelta(days=DEFAULT_DAYS), today - timedelta(days=1))
    end = min(wanted.last, today - timedelta(days=1))
    return DateRange(wanted.first, max(end, wanted.first))


def neutralize(cell: str) -> str:
    """A text cell a spreadsheet won't run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def best_wins(wins: Iterable[SavedWin]) -> dict[str, list[SavedWin]]:
    """The best wins by category (see the module's rules), in the categories' order."""
    mine = [w for w in wins if not w.private and w.source != PLAN_WIN]
    grouped: dict[str, list[SavedWin]] = {}
    left = BEST_IN_ALL
    for category in CATEGORIES:
        ranked = sorted(
            (w for w in mine if w.category == category),
            key=lambda w: (not (w.link or w.metric_value is not None), -w.local_date.toordinal(), -w.id),
        )
        chosen = ranked[: min(BEST_PER_CATEGORY, left)]
        if chosen:
            grouped[category] = chosen
            left -= len(chosen)
    return grouped


def csv_text(wins: Sequence[SavedWin], logged_at: dict[int, datetime]) -> str:
    """Every win as CSV (see the module's rules); `logged_at` is each win's created_at (UTC)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for win in wins:
        at = logged_at.get(win.id)
        writer.writerow(
            [
                win.id,
                win.local_date.isoformat(),
                win.day_kind,
                win.category,
                neutralize(win.text),
                neutralize(win.metric_name or ""),
                "" if win.metric_value is None else plain_number(win.metric_value),
                neutralize(win.link or ""),
                win.source,
                at.isoformat() if at else "",
            ]
        )
    return "\ufeff" + out.getvalue()
