"""A member's own metrics: what one is, the `/remote-win metric …` words, and a value against its target.

The rules, as a member can rely on them:

- A metric has a name (compared ignoring case and spacing, as the digest compares metric names), a unit
  (count, minutes, hours, %, currency, or free text), a direction (higher or lower is better) and
  optionally a target per day or per week. A member has at most `MAX_METRICS` in use; removing one keeps
  its values for the record, and adding it again brings it back.
- `metric <name> <number> [date]` logs a value for one of the member's metrics on their own date (today
  unless a date is given; never in the future). A name that is not one of theirs is never a new metric:
  the answer lists the metrics they have.
- A day's value is the sum of what was logged that day, and a figure is the mean over the days on which
  the metric was logged, with how many, exactly as the digest's metrics (rules.digest.compare). A
  per-week target is held against each whole week's total (`weekly_totals`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from math import isfinite

from rules.wins import MAX_METRIC_NAME, MAX_METRIC_VALUE, shown_number

MAX_METRICS = 5
MAX_UNIT = 24
MAX_PAST_DAYS = 366  # a value can be logged this far back
UNITS = {  # what a member may type -> the unit kept
    "count": "count",
    "counts": "count",
    "minutes": "minutes",
    "minute": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "hours": "hours",
    "hour": "hours",
    "h": "hours",
    "%": "%",
    "percent": "%",
    "percentage": "%",
    "currency": "currency",
    "money": "currency",
}
DIRECTION_WORDS = {
    "higher": "higher",
    "higher is better": "higher",
    "more is better": "higher",
    "up": "higher",
    "lower": "lower",
    "lower is better": "lower",
    "less is better": "lower",
    "down": "lower",
}
RESERVED = frozenset({"add", "remove", "delete", "list"})
_TARGET = re.compile(
    r"^(?:target\s+)?(?:(at least|at most|>=|<=|≥|≤|min|max)\s*)?(-?\d+(?:\.\d+)?)\s*%?\s*"
    r"(?:/|per|a|an|each|every)\s*(day|week)$"
)
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)%?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MetricProblem(ValueError):
    """The words after `metric` don't fit; the message says how to write them."""


def metric_key(name: str) -> str:
    """How names are compared: case and spacing ignored (as rules.digest.compare merges spellings)."""
    return " ".join(name.split()).casefold()


def tidy_name(name: str) -> str:
    return " ".join(name.split())


@dataclass(frozen=True)
class MetricDef:
    """A metric as the member defined it."""

    name: str
    unit: str = "count"
    direction: str = "higher"
    target: float | None = None
    per: str | None = None  # "day" or "week" when there is a target

    @property
    def key(self) -> str:
        return metric_key(self.name)

    def target_words(self) -> str | None:
        """ "at least 12 a week", or None without a target."""
        if self.target is None or self.per is None:
            return None
        bound = "at least" if self.direction == "higher" else "at most"
        return f"{bound} {value_words(self.target, self.unit)} a {self.per}"

    def describe(self) -> str:
        """One line about the metric, our own words around the member's name (escape it when shown)."""
        better = "higher is better" if self.direction == "higher" else "lower is better"
        target = self.target_words()
        return f"{self.name} ({self.unit}, {better}" + (f"; target {target})" if target else ")")

    def met(self, value: float) -> bool:
        """Whether `value` meets the target (it has one): at least it when higher is better, else at most."""
        assert self.target is not None
        return value >= self.target if self.direction == "higher" else value <= self.target


def value_words(value: float, unit: str) -> str:
    """A value with its unit, as a member reads it: "12", "45 minutes", "99.5%", "1,200 currency"."""
    number = shown_number(round(value, 2))
    if unit == "count":
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


# -- the words -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListMetrics:
    """`metric`, `metrics`, `metric list`."""


@dataclass(frozen=True)
class DefineMetric:
    metric: MetricDef


@dataclass(frozen=True)
class RemoveMetric:
    name: str


@dataclass(frozen=True)
class LogMetric:
    name: str
    value: float
    day: str | None = None  # "YYYY-MM-DD", "today" or "yesterday"; None: today


MetricCommand = ListMetrics | DefineMetric | RemoveMetric | LogMetric

METRIC_HELP = (
    "`metric add tickets closed, count, at least 12 a week` defines one (unit: count, minutes, hours, %, "
    "currency, or `unit <words>`; `higher` or `lower` is better; a target `a day` or `a week`); "
    "`metric tickets closed 4` logs today's value (`metric tickets closed 4 2026-03-02` for a past day); "
    "`metric remove tickets closed`; `metrics` lists yours."
)


def parse_metric(rest: str) -> MetricCommand:
    """What the words after `metric` ask for; MetricProblem when they don't fit."""
    words = rest.split()
    if not words or [w.lower() for w in words] == ["list"]:
        return ListMetrics()
    first, tail = words[0].lower(), rest.strip()[len(words[0]) :].strip()
    if first == "add":
        return DefineMetric(parse_definition(tail))
    if first in ("remove", "delete"):
        if not tail:
            raise MetricProblem(
                f"`metric {first}` needs the metric's name, like `metric {first} tickets closed`."
            )
        return RemoveMetric(tidy_name(tail))
    return parse_value(words)


def parse_definition(text: str) -> MetricDef:
    """`tickets closed, count, higher, at least 12 a week`: the name, then any of unit, direction, target."""
    name, *pieces = [p.strip() for p in text.split(",")]
    name = _definition_name(name)
    unit, direction, target, per, bound, percent = None, None, None, None, None, False
    for piece in pieces:
        simple = " ".join(piece.lower().split())
        if not simple:
            continue
        if simple in UNITS or simple.startswith("unit "):
            if unit is not None:
                raise MetricProblem(f"Give one unit; “{piece}” is a second.")
            unit = _unit(piece, simple)
        elif simple in DIRECTION_WORDS:
            direction = DIRECTION_WORDS[simple]
        elif match := _TARGET.match(simple):
            bound, target, per = _target(match)
            percent = percent or "%" in simple
        else:
            raise MetricProblem(
                f"I didn't understand “{piece}”. After the name, give the unit (count, minutes, hours, %, "
                "currency, or `unit <words>`), `higher` or `lower` (which is better), and a target like "
                "`at least 12 a week` or `at most 10 a day`."
            )
    implied = _implied_direction(bound, direction)
    return MetricDef(
        name, unit or ("%" if percent else "count"), direction or implied or "higher", target, per
    )


def _definition_name(name: str) -> str:
    """The name a definition starts with, tidied; MetricProblem when it can't name a metric."""
    name = tidy_name(name)
    if not name:
        raise MetricProblem(
            "Name the metric first, like `metric add tickets closed, count, at least 12 a week`."
        )
    if len(name) > MAX_METRIC_NAME:
        raise MetricProblem(f"Keep the name under {MAX_METRIC_NAME} characters.")
    if _NUMBER.match(name) or name.split()[0].lower() in RESERVED:
        raise MetricProblem(
            f"“{name}” can't be a metric's name: start it with a word, like “tickets closed”."
        )
    return name


def _unit(piece: str, simple: str) -> str:
    """A known unit (`count`, `minutes`…), or the words after `unit`."""
    unit = UNITS.get(simple) or tidy_name(piece[piece.lower().index("unit") + 4 :])
    if not unit or len(unit) > MAX_UNIT:
        raise MetricProblem(f"Keep the unit under {MAX_UNIT} characters, like `unit story points`.")
    return unit


def _target(match: re.Match[str]) -> tuple[str, float, str]:
    """`at least 12 a week` as its bound, number and period."""
    bound, number, per = match.group(1), float(match.group(2)), match.group(3)
    if not isfinite(number) or abs(number) >= MAX_METRIC_VALUE:
        raise MetricProblem(f"Use a target under {shown_number(MAX_METRIC_VALUE)}.")
    return bound, number, per


def _implied_direction(bound: str | None, direction: str | None) -> str | None:
    """The direction a target's bound implies (`at least`: higher); MetricProblem when it contradicts
    the direction given."""
    implied = {"at least": "higher", ">=": "higher", "≥": "higher", "min": "higher"}.get(bound or "") or (
        {"at most": "lower", "<=": "lower", "≤": "lower", "max": "lower"}.get(bound or "")
    )
    if implied and direction and implied != direction:
        raise MetricProblem(f"“{bound}” says {implied} is better, but you also said {direction}.")
    return implied


def parse_value(words: list[str]) -> LogMetric:
    """`tickets closed 4 [2026-03-02 | yesterday]`: the name, the number, and optionally the day."""
    words = list(words)
    day = None
    if words and (_ISO_DATE.match(words[-1]) or words[-1].lower() in ("today", "yesterday")):
        day = words.pop().lower()
    if len(words) < 2 or not _NUMBER.match(words[-1]):
        raise MetricProblem(
            "To log a value give the metric's name and a number, like `metric tickets closed 4` "
            "(and a date for a past day: `metric tickets closed 4 2026-03-02`)."
        )
    value = float(words.pop().rstrip("%"))
    if not isfinite(value) or abs(value) >= MAX_METRIC_VALUE:
        raise MetricProblem(f"Use a number under {shown_number(MAX_METRIC_VALUE)}.")
    return LogMetric(tidy_name(" ".join(words)), value, day)


def resolve_day(day: str | None, today: date) -> date:
    """The date a `LogMetric` is for, on the member's calendar; MetricProblem for the future or long ago."""
    if day in (None, "today"):
        return today
    if day == "yesterday":
        return today - timedelta(days=1)
    assert day is not None
    try:
        resolved = date.fromisoformat(day)
    except ValueError:
        raise MetricProblem(f"{day} is not a date.") from None
    if resolved > today:
        raise MetricProblem(f"Values can't be in the future: today is {today:%a %-d %b %Y}.")
    if (today - resolved).days > MAX_PAST_DAYS:
        raise MetricProblem(f"Log values of the past {MAX_PAST_DAYS} days at most.")
    return resolved


def find_metric(metrics: Iterable[MetricDef], name: str) -> MetricDef | None:
    key = metric_key(name)
    return next((m for m in metrics if m.key == key), None)


# -- a metric against its target -------------------------------------------------------------------------


def day_values(values: Iterable[tuple[date, str, float]], metric: MetricDef) -> dict[date, float]:
    """The metric's value on each day it was logged: the sum of that day's values (name, case-blind)."""
    days: defaultdict[date, float] = defaultdict(float)
    for day, name, value in values:
        if metric_key(name) == metric.key:
            days[day] += value
    return dict(days)


def weekly_totals(days: Mapping[date, float], first: date, last: date) -> dict[date, float]:
    """Per whole ISO week (Monday to Sunday) inside `first`..`last` in which the metric was logged, the
    week's total, keyed by its Monday. A week cut by the range is left out: its total would be short."""
    totals: defaultdict[date, float] = defaultdict(float)
    for day, value in days.items():
        monday = day - timedelta(days=day.weekday())
        if monday >= first and monday + timedelta(days=6) <= last:
            totals[monday] += value
    return dict(totals)
