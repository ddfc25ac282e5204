"""The trial's words, its form, when its check-ins come, and the figures' rules on small handmade data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from rules.commands import ShowHelp, parse_command
from rules.digest import DayTally, Report
from rules.metrics import MetricDef
from rules.schedule import WorkingHours
from rules.trial import (
    Arrangement,
    EndTrial,
    ExportPack,
    Moment,
    OpenTrialForm,
    OverworkGuard,
    PlanFacts,
    ShowTrial,
    StartTrial,
    TrialForm,
    TrialInputs,
    TrialPlan,
    Value,
    baseline,
    checkin_due,
    checkin_report,
    figures,
    overwork,
    validate_trial,
)

TODAY = date(2026, 3, 11)
TICKETS = MetricDef("tickets closed", "count", "higher", 12, "week")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trial", OpenTrialForm()),
        ("trial show", ShowTrial()),
        ("trial end", EndTrial()),
        ("trial start", StartTrial()),
        ("trial start 2026-03-02 90 days checkins 30, 60,90", StartTrial("2026-03-02", 90, (30, 60, 90))),
        ("trial start 60d today", StartTrial("today", 60)),
        ("overwork off", OverworkGuard(False)),
        ("export", ExportPack()),
        ("export 2026-01-05..2026-04-04", ExportPack(date(2026, 1, 5), date(2026, 4, 4))),
    ],
)
def test_the_words(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "trial run of the new pipeline",
        "trial start soon",
        "export everything",
        "export 2026-04-04..2026-01-05",
        "overwork maybe",
    ],
)
def test_words_that_do_not_fit_get_the_help_and_the_way_to_log_them(text: str) -> None:
    answer = parse_command(text)
    assert isinstance(answer, ShowHelp) and answer.echo == text and f"log {text}" in (answer.problem or "")


def form(**changes: object) -> TrialForm:
    values = dict(
        start="2026-03-02",
        length="90",
        checkins="30, 60, 90",
        remote_days=("1", "3"),
        hours_start="09:00",
        hours_end="17:00",
        reach_via="  Slack   DM ",
        metrics=("TICKETS closed",),
    )
    return TrialForm(**(values | changes))  # type: ignore[arg-type]


def test_a_valid_form() -> None:
    plan, errors = validate_trial(form(checkins="60 30"), TODAY, [TICKETS])
    assert errors == {}
    assert plan == TrialPlan(
        start=date(2026, 3, 2),
        arrangement=Arrangement(frozenset({1, 3}), (time(9), time(17)), "Slack DM"),
        length=90,
        checkins=(30, 60, 90),  # sorted, and the last day is always one
        metrics=(TICKETS,),
    )
    short, _ = validate_trial(form(length="45", checkins=""), TODAY, [TICKETS])
    assert short is not None and short.checkins == (30, 45)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "2025-03-01"}, "start"),
        ({"start": "2026-07-01"}, "start"),
        ({"length": "3"}, "length"),
        ({"length": "ninety"}, "length"),
        ({"checkins": "30, 120"}, "checkins"),
        ({"checkins": "thirty"}, "checkins"),
        ({"remote_days": ()}, "remote_days"),
        ({"hours_end": "08:00"}, "hours_end"),
        ({"hours_start": None}, "hours_start"),
        ({"reach_via": "x" * 201}, "reach_via"),
        ({"metrics": ("uptime",)}, "metrics"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str) -> None:
    plan, errors = validate_trial(form(**changes), TODAY, [TICKETS])
    assert plan is None and field in errors


def test_a_check_in_on_a_day_off_comes_on_the_next_working_morning_across_a_dst_change() -> None:
    hours = WorkingHours("Europe/Berlin")
    assert checkin_due(date(2026, 3, 28), time(9), hours) == (
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        date(2026, 3, 30),
    )
    assert checkin_due(date(2026, 3, 27), time(9), hours) == (
        datetime(2026, 3, 27, 8, 0, tzinfo=UTC),
        date(2026, 3, 27),
    )


REPORT = Report(1, "UA", "ana", "Europe/Berlin", frozenset(), tracked_since=date(2026, 1, 1))
PLAN = TrialPlan(
    date(2026, 3, 2), Arrangement(frozenset({1, 2, 3}), (time(9), time(17))), 14, (7, 14), (TICKETS,)
)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh - 1, mm, tzinfo=UTC)  # Berlin in winter: UTC+1


def test_figures_follow_the_digests_rules_and_never_divide_by_zero() -> None:
    inputs = TrialInputs(
        report=REPORT,
        plan=PLAN,
        tallies=[DayTally(1, date(2026, 3, 3), 3, remote=3), DayTally(1, date(2026, 3, 6), 1, office=1)],
        values=[Value(date(2026, 3, 3), "Tickets  Closed", 4), Value(date(2026, 3, 3), "tickets closed", 2)],
        plans=[PlanFacts(date(2026, 3, 3), "summarized", 4, 3, at(date(2026, 3, 3), 8, 50), "17:30")],
        moments=[
            Moment(date(2026, 3, 3), at(date(2026, 3, 3), 10)),
            Moment(date(2026, 3, 6), at(date(2026, 3, 6), 9)),
        ],
    )
    week = figures(inputs, PLAN.covered(7))
    c = week.comparison
    assert (c.remote_days, c.office_days, c.remote_wins, c.office_wins) == (3, 2, 3, 1)  # Mon 2 – Sun 8 Mar
    assert (week.planned, week.done) == (4, 3)
    (tickets,) = week.metrics
    assert (tickets.rates.remote, tickets.rates.remote_days, tickets.rates.office) == (6, 1, None)
    assert (tickets.weekly, tickets.weeks, tickets.met) == (6, 1, False)  # one whole week: 6 of at least 12
    remote = week.times["remote"]
    assert (remote.start, remote.end, remote.length) == (8 * 60 + 50, 17 * 60 + 30, 8 * 60 + 40)
    office = week.times["office"]
    assert (office.start, office.starts, office.length, office.lengths) == (9 * 60, 1, None, 0)
    assert (week.reach.remote_days, week.reach.plans_posted, week.reach.within_hours) == (
        3,
        1,
        0,
    )  # 08:50 < 09:00
    empty = figures(TrialInputs(report=REPORT, plan=PLAN), PLAN.covered(7))
    assert empty.comparison.remote_rate == 0  # 0 wins over 3 remote days; the days are there
    assert empty.comparison.office_days == 2 and empty.completion is None
    assert empty.metrics[0].met is None and empty.metrics[0].days == 0


def test_the_baseline_is_only_weeks_recorded_as_office_only_never_todays_schedule() -> None:
    office = [
        DayTally(1, date(2026, 2, 16 + d), 1, office=1) for d in range(5) if d != 2
    ]  # Wed 18 unrecorded
    mixed = [DayTally(1, date(2026, 2, 9), 1, office=1), DayTally(1, date(2026, 2, 10), 1, remote=1)]
    inputs = TrialInputs(report=REPORT, plan=PLAN, tallies=office + mixed)
    found = baseline(inputs)
    assert found is not None and found.weeks == (date(2026, 2, 16),)
    # The unrecorded Wednesday of an office-only week is an office day without a win.
    assert (found.comparison.office_days, found.comparison.office_wins, found.comparison.remote_days) == (
        5,
        4,
        0,
    )
    assert baseline(TrialInputs(report=REPORT, plan=PLAN, tallies=mixed)) is None


def test_the_trend_compares_the_days_since_the_last_check_in_with_those_before() -> None:
    tallies = [DayTally(1, date(2026, 3, 3), 2, remote=2), DayTally(1, date(2026, 3, 10), 4, remote=4)]
    report = checkin_report(TrialInputs(report=REPORT, plan=PLAN, tallies=tallies), 14, 7, True)
    assert report.trend is not None
    assert (report.trend.before.remote_wins, report.trend.before.remote_days) == (2, 3)
    assert (report.trend.since.remote_wins, report.trend.since.remote_days) == (4, 3)
    assert checkin_report(TrialInputs(report=REPORT, plan=PLAN), 7, None, False).trend is None


def test_overwork_needs_enough_days_on_both_sides_and_more_than_the_margin() -> None:
    def day(d: date, start: int, end: int) -> list[Moment]:
        return [Moment(d, at(d, start)), Moment(d, at(d, end))]

    remote = [date(2026, 3, d) for d in (3, 4, 5, 10, 11, 12)]
    office = [date(2026, 3, d) for d in (2, 6, 9, 13)]

    def inputs(remote_hours: int) -> TrialInputs:
        moments = [m for d in remote for m in day(d, 8, 8 + remote_hours)] + [
            m for d in office for m in day(d, 9, 17)
        ]
        return TrialInputs(report=REPORT, plan=PLAN, moments=moments)

    assert overwork(inputs(9), date(2026, 3, 16)) is None  # 9h against 8h: 12.5%, within the margin
    note = overwork(inputs(10), date(2026, 3, 16))  # 10h against 8h: 25%
    assert note is not None and round(note.longer_by, 3) == 0.25 and note.remote.lengths == 6
    few = TrialInputs(
        report=REPORT, plan=PLAN, moments=[m for d in remote for m in day(d, 8, 20)] + day(office[0], 9, 17)
    )
    assert overwork(few, date(2026, 3, 16)) is None  # one office day is too few to compare against
