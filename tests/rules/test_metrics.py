"""The `metric` words, a metric's target, and the day and week totals a target is held against."""

from __future__ import annotations

from datetime import date

import pytest

from rules.commands import ShowHelp, parse_command
from rules.metrics import (
    DefineMetric,
    ListMetrics,
    LogMetric,
    MetricDef,
    MetricProblem,
    RemoveMetric,
    day_values,
    find_metric,
    metric_key,
    parse_definition,
    resolve_day,
    value_words,
    weekly_totals,
)

TODAY = date(2026, 3, 11)  # a Wednesday


@pytest.mark.parametrize("text", ["metric", "metrics", "metric list", "Metrics  LIST"])
def test_the_list(text: str) -> None:
    assert parse_command(text) == ListMetrics()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "tickets closed, count, at least 12 a week",
            MetricDef("tickets closed", "count", "higher", 12, "week"),
        ),
        (
            "first response time, minutes, at most 10 per day",
            MetricDef("first response time", "minutes", "lower", 10, "day"),
        ),
        ("  uptime ,  99.5% a day ", MetricDef("uptime", "%", "higher", 99.5, "day")),
        ("bugs reopened, lower, 2/week", MetricDef("bugs reopened", "count", "lower", 2, "week")),
        ("revenue, currency", MetricDef("revenue", "currency", "higher")),
        (
            "story points, unit points, higher, target 30 a week",
            MetricDef("story points", "points", "higher", 30, "week"),
        ),
        ("Deploys", MetricDef("Deploys")),
    ],
)
def test_a_definition(text: str, expected: MetricDef) -> None:
    assert parse_definition(text) == expected
    assert parse_command(f"metric add {text}") == DefineMetric(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "Name the metric"),
        ("12, count", "can't be a metric's name"),
        ("add more, count", "can't be a metric's name"),
        ("tickets, hihger", "didn't understand “hihger”"),
        ("tickets, count, minutes", "one unit"),
        ("latency, higher, at most 10 a day", "says lower is better"),
        ("x" * 81, "under 80"),
    ],
)
def test_a_definition_that_does_not_fit_says_why(text: str, why: str) -> None:
    with pytest.raises(MetricProblem, match=why):
        parse_definition(text)
    answer = parse_command(f"metric add {text}")
    assert (
        isinstance(answer, ShowHelp) and why in (answer.problem or "") and answer.echo == f"metric add {text}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metric tickets closed 4", LogMetric("tickets closed", 4)),
        ("metric  Tickets   Closed 4.5 2026-03-02", LogMetric("Tickets Closed", 4.5, "2026-03-02")),
        ("metric uptime 99.9% yesterday", LogMetric("uptime", 99.9, "yesterday")),
        ("metrics response time -3 today", LogMetric("response time", -3, "today")),
    ],
)
def test_logging_a_value(text: str, expected: LogMetric) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text", ["metric tickets", "metric 4", "metric tickets four", "metric tickets 1e400"]
)
def test_a_value_without_a_name_and_a_number_gets_the_help_echoing_the_text(text: str) -> None:
    answer = parse_command(text)
    assert isinstance(answer, ShowHelp) and answer.echo == text and answer.problem


def test_remove() -> None:
    assert parse_command("metric remove  tickets  closed") == RemoveMetric("tickets closed")
    assert parse_command("metric delete uptime") == RemoveMetric("uptime")
    assert isinstance(parse_command("metric remove"), ShowHelp)


def test_log_still_logs_a_win_that_starts_with_metric() -> None:
    assert parse_command("log metrics dashboard shipped").__class__.__name__ == "LogWin"


def test_resolve_day() -> None:
    assert resolve_day(None, TODAY) == TODAY
    assert resolve_day("yesterday", TODAY) == date(2026, 3, 10)
    assert resolve_day("2026-03-02", TODAY) == date(2026, 3, 2)
    with pytest.raises(MetricProblem, match="future"):
        resolve_day("2026-03-12", TODAY)
    with pytest.raises(MetricProblem, match="366"):
        resolve_day("2025-03-09", TODAY)
    with pytest.raises(MetricProblem, match="not a date"):
        resolve_day("2026-02-30", TODAY)


def test_names_are_compared_ignoring_case_and_spacing() -> None:
    mine = [MetricDef("Tickets closed"), MetricDef("uptime", "%")]
    assert metric_key("  tickets   CLOSED ") == "tickets closed"
    assert find_metric(mine, "TICKETS  closed") == mine[0]
    assert find_metric(mine, "ticket closed") is None


def test_targets_and_words() -> None:
    closed = MetricDef("tickets closed", "count", "higher", 12, "week")
    response = MetricDef("response", "minutes", "lower", 10, "day")
    assert closed.target_words() == "at least 12 a week" and closed.met(12) and not closed.met(11.9)
    assert (
        response.target_words() == "at most 10 minutes a day" and response.met(10) and not response.met(10.5)
    )
    assert MetricDef("x").target_words() is None
    assert value_words(1234.5, "currency") == "1,234.5 currency" and value_words(99.5, "%") == "99.5%"


def test_day_values_sum_a_days_values_and_weekly_totals_keep_whole_weeks_only() -> None:
    closed = MetricDef("tickets closed", "count", "higher", 12, "week")
    values = [
        (date(2026, 3, 2), "tickets closed", 3),
        (date(2026, 3, 2), "Tickets  Closed", 2),
        (date(2026, 3, 4), "tickets closed", 4),
        (date(2026, 3, 4), "uptime", 99),
        (date(2026, 3, 10), "tickets closed", 6),
    ]
    days = day_values(values, closed)
    assert days == {date(2026, 3, 2): 5, date(2026, 3, 4): 4, date(2026, 3, 10): 6}
    # 2 Mar - 15 Mar: two whole weeks; from Tuesday 3 Mar, the first is cut and left out.
    assert weekly_totals(days, date(2026, 3, 2), date(2026, 3, 15)) == {
        date(2026, 3, 2): 9,
        date(2026, 3, 9): 6,
    }
    assert weekly_totals(days, date(2026, 3, 3), date(2026, 3, 15)) == {date(2026, 3, 9): 6}
    assert weekly_totals(days, date(2026, 3, 2), date(2026, 3, 14)) == {date(2026, 3, 2): 9}
