"""Digest inputs built from plain wins in tests: the tallies storage.digest counts in SQL, counted here
the same way (visible wins only), so rules and renderers can be tested without a database."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from rules.digest import DayTally, MetricTally, WeekWin


def tally(wins: Iterable[WeekWin]) -> list[DayTally]:
    """Visible wins counted per member and day, with the logged ones (not ticked plan items) and their
    remote and office tags, as storage counts them."""
    counts: defaultdict[tuple[int, date], Counter[str]] = defaultdict(Counter)
    for win in wins:
        if not win.private:
            tags = counts[(win.member_id, win.local_date)]
            tags["all"] += 1
            if win.logged:
                tags["logged"] += 1
                tags[win.day_kind] += 1
    return [
        DayTally(member_id, day, tags["all"], tags["remote"], tags["office"], tags["logged"])
        for (member_id, day), tags in counts.items()
    ]


def tally_metrics(wins: Iterable[WeekWin]) -> list[MetricTally]:
    """Visible logged wins' metric values counted and summed per member, day and name, as storage does."""
    totals: defaultdict[tuple[int, date, str], list[float]] = defaultdict(list)
    for win in wins:
        if not win.private and win.logged and win.metric_name is not None and win.metric_value is not None:
            totals[(win.member_id, win.local_date, win.metric_name)].append(win.metric_value)
    return [MetricTally(*key, len(values), sum(values)) for key, values in totals.items()]
