"""What a manager's digest says, from plain data: weeks, day kinds, comparisons, quiet, privacy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import DateRange
from rules.digest import (
    DigestInputs,
    PlanDay,
    Report,
    WeekWin,
    build_digest,
    chart_range,
    compare_range,
    comparison_period,
    iso_week,
    manager_week,
    report_week,
    week_range,
    wins_per_day,
)
from tests.digest_tallies import tally, tally_metrics

WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026
MON = date(2026, 11, 23)
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("UTC"))  # the comparison ends on Sunday 22
TUE_WED_THU = frozenset({1, 2, 3})
_ids = count(1)


def report(member_id: int = 1, name: str = "Ana", **kw: object) -> Report:
    values = {"user_id": f"U{member_id}", "tz": "UTC", "remote_weekdays": TUE_WED_THU, "tracked_since": None}
    return Report(member_id=member_id, name=name, **(values | kw))  # type: ignore[arg-type]


def win(
    day: date,
    member_id: int = 1,
    kind: str = "remote",
    *,
    text: str = "did it",
    private: bool = False,
    metric: tuple[str, float] | None = None,
) -> WeekWin:
    return WeekWin(
        id=next(_ids),
        member_id=member_id,
        text=text,
        local_date=day,
        category="shipped",
        metric_name=metric[0] if metric else None,
        metric_value=metric[1] if metric else None,
        link=None,
        day_kind=kind,
        private=private,
    )


def inputs(
    reports: list[Report], wins: Sequence[WeekWin] = (), history: Sequence[WeekWin] = (), **kw: object
) -> DigestInputs:
    """Inputs as storage gives them: the week's wins, and every win of the weeks counted (never private)."""
    values = {"plans": [], "overrides": {}, "manager_tz": "UTC", "week": WEEK}
    return DigestInputs(
        workspace_id="T1",
        manager_user_id="UM",
        reports=reports,
        wins=list(wins),
        tallies=tally([*history, *wins]),
        metrics=tally_metrics(history),
        **(values | kw),
    )


def days_back(first: date, weeks: int) -> list[date]:
    return [first - timedelta(days=d) for d in range(1, 7 * weeks + 1)]


def past_wins(member_id: int = 1, weeks: int = 4, remote: int = 3, office: int = 1) -> list[WeekWin]:
    """`remote` wins on each past Tue–Thu and `office` on each Mon and Fri, over `weeks` weeks."""
    wins = []
    for day in days_back(MON, weeks):
        if day.weekday() in TUE_WED_THU:
            wins += [win(day, member_id, "remote") for _ in range(remote)]
        elif day.weekday() < 5:
            wins += [win(day, member_id, "office") for _ in range(office)]
    return wins


# -- weeks --------------------------------------------------------------------------------------------


def test_an_iso_week_runs_monday_to_sunday() -> None:
    assert iso_week(date(2026, 11, 29)) == WEEK
    assert week_range(WEEK) == DateRange(MON, date(2026, 11, 29))
    assert week_range("2026-w48") == week_range(WEEK)


def test_a_week_53_exists_only_in_long_years() -> None:
    assert week_range("2026-W53") == DateRange(date(2026, 12, 28), date(2027, 1, 3))
    with pytest.raises(ValueError, match="no week 53"):
        week_range("2027-W53")


@pytest.mark.parametrize("text", ["2026-48", "2026-W4", "W48", "2026-W00", ""])
def test_a_malformed_week_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        week_range(text)


def test_the_comparison_reads_the_28_days_that_are_over_and_the_chart_eight_weeks() -> None:
    period = week_range(WEEK)
    assert comparison_period(period, MON) == DateRange(MON - timedelta(weeks=4), MON - timedelta(days=1))
    friday = MON + timedelta(days=4)
    assert comparison_period(period, friday) == DateRange(MON - timedelta(days=24), MON + timedelta(days=3))
    assert comparison_period(period, None) == DateRange(period.last - timedelta(days=27), period.last)
    assert comparison_period(period, period.last + timedelta(days=9)).last == period.last
    for today in (MON, friday, period.last + timedelta(days=9), None):  # storage loads what it may read
        assert compare_range(period).first <= comparison_period(period, today).first
    assert chart_range(period) == DateRange(MON - timedelta(weeks=7), period.last)
    assert chart_range(period).days == 56


# -- the manager a day ahead ---------------------------------------------------------------------------

KIRITIMATI, PAGO_PAGO = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11: 25 hours apart


def test_the_week_is_the_managers_and_each_reports_days_are_their_own() -> None:
    """Friday 16:00 for a manager in Kiritimati is Thursday 15:00 for a report in Pago Pago.

    The digest covers ISO week 49 by the manager's calendar, and the report's own dates Monday 30
    November to Sunday 6 December: the win the report logged on their Sunday 29 November (already
    Monday for the manager) belongs to week 48, not to this digest.
    """
    now = datetime(2026, 12, 4, 16, 0, tzinfo=ZoneInfo(KIRITIMATI))
    week = manager_week(now, KIRITIMATI)
    assert week == "2026-W49"
    assert manager_week(now, PAGO_PAGO) == "2026-W49"  # still Thursday there, same week
    sunday, monday, thursday = date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 3)
    ana = report(tz=PAGO_PAGO)
    wins = [win(sunday, kind="office"), win(monday, kind="office"), win(thursday)]
    digest = build_digest(inputs([ana], wins, manager_tz=KIRITIMATI, week=week))
    (shown,) = digest.reports
    assert [w.local_date for w in shown.wins] == [monday, thursday]
    earlier = build_digest(inputs([ana], wins, manager_tz=KIRITIMATI, week="2026-W48"))
    assert [w.local_date for w in earlier.reports[0].wins] == [sunday]


def test_a_week_boundary_seen_from_the_manager_ahead_is_already_the_next_week() -> None:
    """At 00:30 Monday in Kiritimati it is still Saturday in Pago Pago: the manager's week is the new one."""
    now = datetime(2026, 11, 30, 0, 30, tzinfo=ZoneInfo(KIRITIMATI))
    assert manager_week(now, KIRITIMATI) == "2026-W49"
    assert manager_week(now, PAGO_PAGO) == "2026-W48"


def test_sign_off_times_are_the_members_own_whatever_the_managers_zone() -> None:
    tuesday = date(2026, 12, 1)
    plan = PlanDay(1, tuesday, "summarized", planned=3, done=2, signed_off="17:00")
    week = report_week(report(tz=PAGO_PAGO), "2026-W49", KIRITIMATI, [], [], [plan])
    (sign_off,) = week.sign_offs
    assert (sign_off.local, sign_off.day, sign_off.tz) == ("17:00", tuesday, PAGO_PAGO)
    assert sign_off.at == datetime(2026, 12, 2, 18, 0, tzinfo=ZoneInfo(KIRITIMATI))  # the same instant
    assert sign_off.at.utcoffset() == timedelta(hours=-11) and sign_off.at.date() == tuesday


def test_a_malformed_sign_off_time_is_left_out() -> None:
    plan = PlanDay(1, MON + timedelta(days=1), "summarized", 1, 1, signed_off="5pm")
    assert report_week(report(), WEEK, "UTC", [], [], [plan]).sign_offs == ()


# -- remote against office -------------------------------------------------------------------------------


def test_wins_per_remote_day_against_wins_per_office_day_over_four_weeks() -> None:
    digest = build_digest(inputs([report()], history=past_wins(weeks=7), now=MONDAY_NOON))
    comparison = digest.reports[0].comparison
    assert (comparison.remote_days, comparison.office_days) == (12, 8)  # weekends are neither
    assert (comparison.remote_wins, comparison.office_wins) == (36, 8)  # only the last four weeks
    assert (comparison.remote_rate, comparison.office_rate) == (3.0, 1.0)
    assert digest.comparison.remote_rate == 3.0 and digest.comparison.office_rate == 1.0


def test_the_teams_comparison_leaves_out_reports_who_logged_nothing_in_those_weeks() -> None:
    reports = [report(1, "Ana"), report(2, "Bo")]
    digest = build_digest(inputs(reports, history=past_wins(1), now=MONDAY_NOON))
    assert digest.reports[1].comparison.remote_days == 12  # Bo's days exist, with no wins
    assert (digest.comparison.remote_days, digest.comparison.remote_rate) == (12, 3.0)


def test_metric_values_are_averaged_per_day_logged_by_name_whatever_the_case_and_spacing() -> None:
    history = []
    for day in days_back(MON, 4):
        if day.weekday() in TUE_WED_THU:
            history.append(win(day, kind="remote", metric=("Tickets closed", 5)))
        elif day.weekday() < 5:
            history.append(win(day, kind="office", metric=("tickets  CLOSED ", 2)))
            history.append(win(day, kind="office", metric=("Designs", 1)))
    comparison = build_digest(inputs([report()], history=history, now=MONDAY_NOON)).reports[0].comparison
    by_name = {m.name: (m.remote, m.remote_days, m.office, m.office_days) for m in comparison.metrics}
    assert by_name == {"Designs": (None, 0, 1.0, 8), "Tickets closed": (5.0, 12, 2.0, 8)}


def test_days_before_the_member_joined_are_not_compared() -> None:
    joined = MON - timedelta(days=7)  # a week of data, not four
    ana = report(tracked_since=joined)
    comparison = build_digest(inputs([ana], history=past_wins(), now=MONDAY_NOON)).reports[0].comparison
    assert (comparison.remote_days, comparison.office_days) == (3, 2)
    assert (comparison.remote_wins, comparison.office_wins) == (9, 2)


def test_a_day_the_member_tagged_remote_counts_as_remote_whatever_the_weekdays_say() -> None:
    last_monday = MON - timedelta(days=7)
    history = [win(last_monday, kind="remote"), win(last_monday, kind="remote")]
    comparison = build_digest(inputs([report()], history=history, now=MONDAY_NOON)).reports[0].comparison
    assert comparison.remote_days == 13 and comparison.office_days == 7
    assert comparison.remote_wins == 2


def test_an_override_moves_a_day_and_a_day_off_counts_as_neither() -> None:
    tuesday, monday = MON + timedelta(days=1), MON
    overrides = {1: {tuesday: "off", monday: "remote"}}
    week = build_digest(inputs([report()], overrides=overrides)).reports[0]
    assert week.remote_days == (monday, MON + timedelta(days=2), MON + timedelta(days=3))


def test_a_member_who_never_set_remote_days_has_nothing_to_compare() -> None:
    nobody_said = report(remote_weekdays=frozenset())
    history = [win(d, kind="unknown") for d in days_back(MON, 4)]
    week = build_digest(inputs([nobody_said], history=history)).reports[0]
    assert week.remote_days == ()
    assert (week.comparison.remote_days, week.comparison.office_days) == (0, 0)
    assert week.comparison.remote_rate is None


# -- the week: wins by day, plans, blockers ----------------------------------------------------------


def test_wins_are_grouped_by_day_with_each_days_kind() -> None:
    tuesday, friday = MON + timedelta(days=1), MON + timedelta(days=4)
    wins = [win(friday, kind="office"), win(tuesday), win(tuesday, metric=("tickets", 4))]
    week = build_digest(inputs([report()], wins)).reports[0]
    assert [(d.day, d.kind, len(d.wins)) for d in week.days] == [
        (tuesday, "remote", 2),
        (friday, "office", 1),
    ]
    assert week.days[0].wins[1].metric_value == 4


def test_plan_completion_counts_posted_plans_only() -> None:
    tue, wed, thu = (MON + timedelta(days=d) for d in (1, 2, 3))
    plans = [
        PlanDay(1, tue, "summarized", planned=4, done=3, blockers="VPN fixed", signed_off="17:10"),
        PlanDay(1, wed, "posted", planned=2, done=0),
        PlanDay(1, thu, "skipped", planned=5, done=0),
        PlanDay(1, thu + timedelta(days=1), "draft", planned=3, done=0),
    ]
    week = build_digest(inputs([report()], plans=plans)).reports[0]
    assert (week.done, week.planned, week.completion) == (3, 6, 0.5)
    assert [b.text for b in week.blockers] == ["VPN fixed"]
    assert not week.quiet  # a posted plan is something logged


def test_the_team_line_adds_up_the_reports() -> None:
    tue = MON + timedelta(days=1)
    reports = [report(1, "Ana"), report(2, "Bo"), report(3, "Cy")]
    wins = [win(tue, 1), win(tue, 1), win(tue, 2)]
    plans = [PlanDay(1, tue, "summarized", 4, 4), PlanDay(2, tue, "summarized", 4, 1)]
    team = build_digest(inputs(reports, wins, plans=plans)).team
    assert (team.reports, team.remote_days, team.wins, team.quiet) == (3, 9, 3, 1)
    assert (team.done, team.planned, team.completion) == (5, 8, 5 / 8)


def test_reports_come_by_name_with_quiet_ones_last() -> None:
    tue = MON + timedelta(days=1)
    reports = [report(1, "zoe"), report(2, "Adam"), report(3, "bea")]
    digest = build_digest(inputs(reports, [win(tue, 1), win(tue, 3)]))
    assert [r.report.name for r in digest.reports] == ["bea", "zoe", "Adam"]
    assert [r.report.name for r in digest.quiet] == ["Adam"]


# -- quiet and private ---------------------------------------------------------------------------------


def test_a_report_with_nothing_logged_is_quiet() -> None:
    week = build_digest(inputs([report()])).reports[0]
    assert week.quiet and week.win_count == 0 and week.days == ()


def test_private_wins_are_never_counted_or_shown() -> None:
    tue = MON + timedelta(days=1)
    secret = [win(tue, text="interviewing elsewhere", private=True)]
    past = [win(d, kind="remote", private=True) for d in days_back(MON, 4)]
    digest = build_digest(inputs([report()], secret, history=past))
    (week,) = digest.reports
    assert week.quiet and week.win_count == 0
    assert week.comparison.remote_wins == 0
    assert digest.team.wins == 0 and digest.chart.total == 0
    assert tally([*secret, *past]) == [] and tally_metrics([*secret, *past]) == []


def test_a_private_win_next_to_a_shared_one_leaves_only_the_shared_one() -> None:
    tue = MON + timedelta(days=1)
    shared = win(tue, text="shipped")
    week = build_digest(inputs([report()], [win(tue, private=True), shared])).reports[0]
    assert week.wins == (shared,)


def test_another_members_data_is_ignored() -> None:
    tue = MON + timedelta(days=1)
    week = report_week(report(1), WEEK, "UTC", [win(tue, member_id=2)], [], [PlanDay(2, tue, "posted", 1, 1)])
    assert week.quiet


def test_counts_come_from_the_tallies_when_only_the_first_wins_are_loaded() -> None:
    tue, thu = MON + timedelta(days=1), MON + timedelta(days=3)
    every = [win(tue) for _ in range(8)] + [win(thu, kind="office") for _ in range(4)]
    loaded = every[:3]  # what storage reads for the message: the first wins only
    week = build_digest(inputs([report()], history=every[3:], wins=loaded)).reports[0]
    assert (week.win_count, len(week.wins), week.complete) == (12, 3, False)
    assert [(d.day, d.kind, d.count, len(d.wins)) for d in week.days] == [
        (tue, "remote", 8, 3),
        (thu, "office", 4, 0),
    ]


def test_a_win_shown_but_not_yet_counted_is_still_counted() -> None:
    """The tallies and the wins are two reads: a win logged between them is counted, not lost."""
    tue = MON + timedelta(days=1)
    late = win(tue)
    digest = build_digest(replace(inputs([report()]), wins=[late]))
    assert digest.reports[0].win_count == 1 and digest.team.wins == 1
    assert digest.chart.remote[digest.chart.days.index(tue)] == 1


# -- the chart's data ------------------------------------------------------------------------------------


def test_wins_per_day_splits_each_day_by_its_kind_over_eight_weeks() -> None:
    tue, sat = MON + timedelta(days=1), MON + timedelta(days=5)
    reports = [report(1), report(2, remote_weekdays=frozenset({0}))]  # Bo is remote on Mondays
    wins = [win(tue, 1), win(tue, 2, "office"), win(sat, 1, "unknown")]
    history = [*past_wins(1, weeks=7), win(MON - timedelta(weeks=8), 1)]  # the last is too old to chart
    digest = build_digest(inputs(reports, wins, history))
    series = digest.chart
    assert len(series.days) == 56 and series.days[0] == MON - timedelta(weeks=7)
    assert series == wins_per_day(digest.reports, chart_range(week_range(WEEK)))
    at = series.days.index(tue)
    assert (series.remote[at], series.office[at], series.other[at]) == (1, 1, 0)
    assert series.other[series.days.index(sat)] == 1
    assert series.total == 3 + len(past_wins(1, weeks=7))
