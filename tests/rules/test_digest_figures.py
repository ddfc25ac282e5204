"""The digest's figures against an independent computation from the raw rows (docs/DIGEST.md).

The property test generates wins (sources, tags, dates, metrics, private), plans (statuses, items, ticks,
sign-offs), overrides (including days off and holidays), join dates and zones for a few members, builds
the digest, and recomputes every figure here from those rows, day by day, without the rules' code:
logged wins per remote and office day with the day counts, metric means with their day counts, plan
completion over finished days only, skipped days on neither side. The unit tests below pin each rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.calendar import DateRange
from rules.digest import (
    DigestInputs,
    MetricRates,
    PlanDay,
    Report,
    WeekWin,
    build_digest,
    day_is_over,
    report_week,
)
from tests.digest_tallies import tally, tally_metrics

WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026
MON = date(2026, 11, 23)
SUN = MON + timedelta(days=6)
ZONES = ("UTC", "Pacific/Auckland", "America/Adak", "Asia/Kolkata", "America/Los_Angeles", "Pacific/Chatham")
SOURCES = ("command", "modal", "shortcut", "summary")
METRIC_NAMES = ("tickets closed", "Tickets  Closed", "uptime %", "PRs")
_ids = count(1)


# -- raw rows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawWin:
    day: date
    source: str
    tag: str  # the win's day_kind
    private: bool
    metric: tuple[str, float] | None


@dataclass(frozen=True)
class RawPlan:
    status: str
    planned: int
    done: int
    signed_off: str | None


@dataclass(frozen=True)
class RawMember:
    member_id: int
    tz: str
    remote_weekdays: frozenset[int]
    joined: date | None
    wins: tuple[RawWin, ...]
    plans: dict[date, RawPlan]
    overrides: dict[date, str]


days = st.integers(min_value=-40, max_value=6).map(lambda d: MON + timedelta(days=d))
halves = st.integers(min_value=-4, max_value=40).map(lambda n: n / 2)  # exact in binary: sums don't drift
raw_wins = st.builds(
    RawWin,
    day=days,
    source=st.sampled_from(SOURCES),
    tag=st.sampled_from(("remote", "office", "unknown")),
    private=st.booleans(),
    metric=st.none() | st.tuples(st.sampled_from(METRIC_NAMES), halves),
)


@st.composite
def raw_plans(draw: st.DrawFn) -> RawPlan:
    planned = draw(st.integers(min_value=0, max_value=5))
    status = draw(st.sampled_from(("draft", "posted", "skipped", "summarized")))
    signed = draw(st.sampled_from(("17:30", "23:59", "00:10", "5pm"))) if status == "summarized" else None
    return RawPlan(status, planned, draw(st.integers(min_value=0, max_value=planned)), signed)


@st.composite
def members(draw: st.DrawFn, member_id: int) -> RawMember:
    return RawMember(
        member_id=member_id,
        tz=draw(st.sampled_from(ZONES)),
        remote_weekdays=frozenset(draw(st.sets(st.integers(min_value=0, max_value=6), max_size=4))),
        joined=draw(st.none() | days),
        wins=tuple(draw(st.lists(raw_wins, max_size=30))),
        plans=draw(st.dictionaries(days, raw_plans(), max_size=12)),
        overrides=draw(
            st.dictionaries(days, st.sampled_from(("remote", "office", "off", "holiday")), max_size=8)
        ),
    )


teams = st.integers(min_value=1, max_value=3).flatmap(
    lambda n: st.tuples(*(members(member_id) for member_id in range(1, n + 1)))
)
# From the Saturday before the week to the Wednesday after it: weeks seen before, during and after.
instants = st.integers(min_value=-2 * 24 * 60, max_value=10 * 24 * 60).map(
    lambda minutes: datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=minutes)
)


def digest_inputs(team: tuple[RawMember, ...], now: datetime | None) -> DigestInputs:
    """The raw rows as storage hands them to the rules."""
    wins = [
        WeekWin(
            next(_ids),
            m.member_id,
            f"win {n}",
            w.day,
            "shipped",
            w.metric[0] if w.metric else None,
            w.metric[1] if w.metric else None,
            None,
            w.tag,
            w.private,
            w.source,
        )
        for m in team
        for n, w in enumerate(m.wins)
    ]
    return DigestInputs(
        workspace_id="T1",
        manager_user_id="UM",
        manager_tz="America/New_York",
        week=WEEK,
        reports=[
            Report(m.member_id, f"U{m.member_id}", f"Member {m.member_id}", m.tz, m.remote_weekdays, m.joined)
            for m in team
        ],
        wins=[w for w in wins if MON <= w.local_date <= SUN],
        tallies=tally(wins),
        plans=[
            PlanDay(m.member_id, day, p.status, p.planned, p.done, None, p.signed_off)
            for m in team
            for day, p in m.plans.items()
        ],
        overrides={m.member_id: m.overrides for m in team},
        metrics=tally_metrics(wins),
        now=now,
    )


# -- the independent computation -------------------------------------------------------------------------


def local_date_at(now: datetime | None, tz: str) -> date | None:
    return None if now is None else now.astimezone(ZoneInfo(tz)).date()


def expected_kind(m: RawMember, day: date) -> str:
    """The kind of one day, read from the raw rows in the contract's order."""
    plan = m.plans.get(day)
    if plan is not None and plan.status == "skipped":
        return "skipped"
    if m.overrides.get(day) in ("off", "holiday"):
        return m.overrides[day]
    remote = sum(
        1 for w in m.wins if w.day == day and not w.private and w.source != "summary" and w.tag == "remote"
    )
    office = sum(
        1 for w in m.wins if w.day == day and not w.private and w.source != "summary" and w.tag == "office"
    )
    if remote != office:
        return "remote" if remote > office else "office"
    if day in m.overrides:
        return m.overrides[day]
    if not m.remote_weekdays:
        return "unknown"
    if day.weekday() in m.remote_weekdays:
        return "remote"
    return "office" if day.weekday() < 5 else "off"


@dataclass
class Expected:
    first: date
    last: date
    days: dict[str, int]
    wins: dict[str, int]
    metrics: dict[str, tuple[float | None, int, float | None, int]]
    planned: int
    done: int
    in_progress: int
    skipped: set[date]
    week_wins: int
    plan_wins: int


def expected(m: RawMember, now: datetime | None) -> Expected:
    today = local_date_at(now, m.tz)
    # The 28 days that are over, ending with the week at the latest.
    last = SUN if today is None else min(SUN, today - timedelta(days=1))
    first = last - timedelta(days=27)
    days = {"remote": 0, "office": 0}
    wins = {"remote": 0, "office": 0}
    per_day: dict[str, dict[date, float]] = defaultdict(dict)
    spelled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kinds: dict[date, str] = {}
    skipped = set()
    day = first
    while day <= last:
        if m.joined is None or day >= m.joined:
            kind = kinds[day] = expected_kind(m, day)
            if kind == "skipped":
                skipped.add(day)
            if kind in days:
                days[kind] += 1
                mine = [w for w in m.wins if w.day == day and not w.private and w.source != "summary"]
                wins[kind] += len(mine)
                for w in mine:
                    if w.metric is not None:
                        key = " ".join(w.metric[0].split()).casefold()
                        per_day[key][day] = per_day[key].get(day, 0.0) + w.metric[1]
                        spelled[key][" ".join(w.metric[0].split())] += 1
        day += timedelta(days=1)
    metrics = {}
    for key, values in per_day.items():
        remote = [v for d, v in values.items() if kinds[d] == "remote"]
        office = [v for d, v in values.items() if kinds[d] == "office"]
        best = sorted(spelled[key].items(), key=lambda item: (-item[1], item[0]))[0][0]
        metrics[best] = (
            sum(remote) / len(remote) if remote else None,
            len(remote),
            sum(office) / len(office) if office else None,
            len(office),
        )
    finished = [
        p
        for d, p in m.plans.items()
        if MON <= d <= SUN
        and p.status in ("posted", "summarized")
        and (p.status == "summarized" or today is None or d < today)
    ]
    going = [
        d
        for d, p in m.plans.items()
        if MON <= d <= SUN and p.status == "posted" and today is not None and d >= today
    ]
    in_week = [w for w in m.wins if MON <= w.day <= SUN and not w.private]
    if m.joined is not None and first < m.joined <= last:
        first = m.joined  # the figure says what it covers: the days since the member joined
    return Expected(
        first=first,
        last=last,
        days=days,
        wins=wins,
        metrics=metrics,
        planned=sum(p.planned for p in finished),
        done=sum(p.done for p in finished),
        in_progress=len(going),
        skipped=skipped,
        week_wins=len(in_week),
        plan_wins=sum(1 for w in in_week if w.source == "summary"),
    )


def any_logged(team: tuple[RawMember, ...], now: datetime | None) -> bool:
    """Someone logged a win on a remote or office day of their comparison: the team's figure is theirs."""
    return any(sum(expected(m, now).wins.values()) for m in team)


def rates(metrics: tuple[MetricRates, ...]) -> dict[str, tuple[float | None, int, float | None, int]]:
    return {m.name: (m.remote, m.remote_days, m.office, m.office_days) for m in metrics}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(teams, st.none() | instants)
def test_every_figure_matches_an_independent_computation_from_the_raw_rows(
    team: tuple[RawMember, ...], now: datetime | None
) -> None:
    digest = build_digest(digest_inputs(team, now))
    weeks = {r.report.member_id: r for r in digest.reports}
    team_days, team_wins, first, last = {"remote": 0, "office": 0}, {"remote": 0, "office": 0}, [], []
    for m in team:
        want, week = expected(m, now), weeks[m.member_id]
        got = week.comparison
        assert (got.period.first, got.period.last) == (want.first, want.last)
        assert (got.remote_days, got.office_days) == (want.days["remote"], want.days["office"])
        assert (got.remote_wins, got.office_wins) == (want.wins["remote"], want.wins["office"])
        assert rates(got.metrics) == want.metrics  # halves: every sum is exact, so the means are equal
        assert (week.planned, week.done, week.in_progress) == (want.planned, want.done, want.in_progress)
        on_neither = {d for d in want.skipped if week.kinds.get(d) == "skipped"}
        assert on_neither == want.skipped
        assert (week.win_count, week.plan_wins) == (want.week_wins, want.plan_wins)
        if want.wins["remote"] or want.wins["office"] or not any_logged(team, now):
            for kind in team_days:
                team_days[kind] += want.days[kind]
                team_wins[kind] += want.wins[kind]
            first.append(want.first)
            last.append(want.last)
    together = digest.comparison
    assert (together.remote_days, together.office_days) == (team_days["remote"], team_days["office"])
    assert (together.remote_wins, together.office_wins) == (team_wins["remote"], team_wins["office"])
    if first:
        assert (together.period.first, together.period.last) == (min(first), max(last))
    assert (digest.team.planned, digest.team.done) == (
        sum(weeks[m.member_id].planned for m in team),
        sum(weeks[m.member_id].done for m in team),
    )
    # The chart puts the same like with like: logged wins only, none of them lost.
    logged = sum(1 for m in team for w in m.wins if not w.private and w.source != "summary")
    assert digest.chart.total == logged


# -- each rule, once -------------------------------------------------------------------------------------

TUE, WED, THU, FRI = (MON + timedelta(days=d) for d in range(1, 5))
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def member(member_id: int = 1, tz: str = "UTC", joined: date | None = None) -> Report:
    return Report(member_id, f"U{member_id}", "Ana", tz, frozenset({1, 2, 3}), joined)


def win(
    day: date, source: str = "command", kind: str = "remote", metric: tuple[str, float] | None = None
) -> WeekWin:
    name, value = metric if metric else (None, None)
    return WeekWin(next(_ids), 1, "did it", day, "shipped", name, value, None, kind, False, source)


def built(
    wins: list[WeekWin], *, report: Report | None = None, now: datetime | None = MONDAY_NOON, **kw: object
):
    inputs = DigestInputs(
        "T1",
        "UM",
        "UTC",
        WEEK,
        [report or member()],
        [w for w in wins if MON <= w.local_date <= SUN],
        tally(wins),
        kw.pop("plans", []),  # type: ignore[arg-type]
        metrics=tally_metrics(wins),
        now=now,
        **kw,  # type: ignore[arg-type]
    )
    return build_digest(inputs)


def test_ticked_plan_items_are_never_counted_as_logged_wins() -> None:
    """In the issue's story: 3.3 per remote day with ticked items, 1.6 without: only the latter is shown."""
    last_week = [MON - timedelta(days=d) for d in (6, 5, 4)]  # last Tue, Wed, Thu: remote
    wins = [win(day) for day in last_week for _ in range(2)] + [win(day, "summary") for day in last_week]
    wins += [win(MON - timedelta(days=7), kind="office"), win(MON - timedelta(days=3), "modal", "office")]
    digest = built(wins, report=member(joined=MON - timedelta(days=7)))
    (week,) = digest.reports
    assert (week.comparison.remote_wins, week.comparison.remote_days) == (6, 3)
    assert (week.comparison.office_wins, week.comparison.office_days) == (2, 2)
    assert digest.chart.total == 8  # the chart compares the same wins


def test_ticked_plan_items_are_shown_in_the_week_and_counted_once() -> None:
    wins = [win(TUE), win(TUE, "summary"), win(TUE, "summary")]
    (week,) = built(wins, plans=[PlanDay(1, TUE, "summarized", 3, 2)]).reports
    assert (week.win_count, week.plan_wins, len(week.wins)) == (3, 2, 3)
    assert [w.logged for w in week.wins] == [True, False, False]
    assert (week.done, week.planned) == (2, 3)


def test_a_skipped_day_and_a_day_off_and_a_holiday_are_neither_remote_nor_office() -> None:
    tuesday, wednesday, thursday = (MON - timedelta(days=d) for d in (6, 5, 4))
    wins = [win(tuesday), win(wednesday), win(thursday), win(MON - timedelta(days=3), kind="office")]
    plans = [PlanDay(1, tuesday, "skipped", 0, 0)]
    overrides = {1: {wednesday: "off", thursday: "holiday"}}
    digest = built(wins, report=member(joined=MON - timedelta(days=7)), plans=plans, overrides=overrides)
    (week,) = digest.reports
    assert [week.kinds[d] for d in (tuesday, wednesday, thursday)] == ["skipped", "off", "holiday"]
    assert (week.comparison.remote_days, week.comparison.remote_wins) == (0, 0)
    assert (week.comparison.office_days, week.comparison.office_wins) == (2, 1)  # Mon and Fri


def test_skipped_days_before_the_digests_plans_come_from_the_skipped_input() -> None:
    tuesday = MON - timedelta(days=6)
    digest = built([win(tuesday)], report=member(joined=MON - timedelta(days=7)), skipped={1: {tuesday}})
    assert digest.reports[0].kinds[tuesday] == "skipped"
    assert digest.reports[0].comparison.remote_days == 2


def test_a_metric_is_averaged_over_the_days_it_was_logged_with_their_count() -> None:
    remote = [MON - timedelta(days=d) for d in (6, 5, 13, 12, 11, 20)]  # six remote days
    wins = [win(d, metric=("tickets closed", 4 + i % 2)) for i, d in enumerate(remote)]
    wins.append(win(MON - timedelta(days=4)))  # a remote day without the metric: not a 0
    (week,) = built(wins).reports
    (tickets,) = week.comparison.metrics
    assert (tickets.remote, tickets.remote_days) == (4.5, 6)
    assert (tickets.office, tickets.office_days) == (None, 0)  # never logged on an office day: no figure


def test_a_metric_logged_twice_on_one_day_is_that_days_sum() -> None:
    tuesday, wednesday = MON - timedelta(days=6), MON - timedelta(days=5)
    wins = [
        win(tuesday, metric=("uptime %", 99)),
        win(tuesday, metric=("uptime %", 97)),
        win(wednesday, metric=("Uptime  %", 98)),
    ]
    (week,) = built(wins).reports
    (uptime,) = week.comparison.metrics
    assert (uptime.remote, uptime.remote_days) == (pytest.approx((196 + 98) / 2), 2)  # never 294 over 12 days


def test_a_plan_in_progress_is_not_counted_as_not_done() -> None:
    """The issue's Friday plan posted at 09:10 in Los Angeles, digest at 13:00 there."""
    la = "America/Los_Angeles"
    plans = [PlanDay(1, THU, "summarized", 4, 3), PlanDay(1, FRI, "posted", 7, 2)]
    friday_1pm = datetime(2026, 11, 27, 13, 0, tzinfo=ZoneInfo(la))
    (week,) = built([], report=member(tz=la), plans=plans, now=friday_1pm).reports
    assert (week.done, week.planned, week.in_progress) == (3, 4, 1)
    saturday = datetime(2026, 11, 28, 0, 1, tzinfo=ZoneInfo(la))
    (week,) = built([], report=member(tz=la), plans=plans, now=saturday).reports
    assert (week.done, week.planned, week.in_progress) == (5, 11, 0)  # its day is over: 2 of 7 counts now


def test_a_signed_off_plan_counts_before_its_day_ends() -> None:
    plans = [PlanDay(1, FRI, "summarized", 2, 2, signed_off="15:00")]
    friday = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    (week,) = built([], plans=plans, now=friday).reports
    assert (week.done, week.planned, week.in_progress) == (2, 2, 0)


@pytest.mark.parametrize(
    ("tz", "day", "before", "after"),
    [
        # Auckland springs forward on Sunday 27 September 2026: a 23-hour day, +12 then +13.
        (
            "Pacific/Auckland",
            date(2026, 9, 27),
            datetime(2026, 9, 27, 10, 59, tzinfo=UTC),
            datetime(2026, 9, 27, 11, 0, tzinfo=UTC),
        ),
        # Adak falls back on Sunday 1 November 2026: a 25-hour day, -9 then -10.
        (
            "America/Adak",
            date(2026, 11, 1),
            datetime(2026, 11, 2, 9, 59, tzinfo=UTC),
            datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        ),
        # No change that day: +13 and -10 all day long.
        (
            "Pacific/Auckland",
            date(2026, 11, 27),
            datetime(2026, 11, 27, 10, 59, tzinfo=UTC),
            datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
        ),
        (
            "America/Adak",
            date(2026, 11, 27),
            datetime(2026, 11, 28, 9, 59, tzinfo=UTC),
            datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
        ),
    ],
)
def test_a_day_is_over_at_the_members_own_midnight_across_dst(
    tz: str, day: date, before: datetime, after: datetime
) -> None:
    week = f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
    plan = [PlanDay(1, day, "posted", 3, 1)]
    for now, over in ((before, False), (after, True)):
        assert day_is_over(day, now.astimezone(ZoneInfo(tz)).date()) is over
        ana = member(tz=tz)
        weekly = report_week(ana, week, "UTC", [], [], plan, now=now)
        assert (weekly.planned, weekly.in_progress) == ((3, 0) if over else (0, 1))


def test_the_comparison_covers_the_days_over_for_each_member_in_their_own_zone() -> None:
    """At 11:30 UTC on Friday it is already Saturday 00:30 in Auckland and still Friday 01:30 in Adak."""
    now = datetime(2026, 11, 27, 11, 30, tzinfo=UTC)
    reports = [member(1, "Pacific/Auckland"), member(2, "America/Adak")]
    inputs = DigestInputs("T1", "UM", "UTC", WEEK, reports, [], [], [], now=now)
    periods = {r.report.member_id: r.comparison.period for r in build_digest(inputs).reports}
    assert periods[1] == DateRange(FRI - timedelta(days=27), FRI)
    assert periods[2] == DateRange(THU - timedelta(days=27), THU)


def test_remote_days_before_the_member_joined_are_not_counted_anywhere() -> None:
    joined = WED
    wins = [win(MON - timedelta(days=6)), win(TUE)]  # backdated, tagged remote
    digest = built(wins, report=member(joined=joined), now=None)
    (week,) = digest.reports
    assert week.remote_days == (WED, THU) and digest.team.remote_days == 2
    assert week.comparison.period == DateRange(joined, SUN)  # it says what it covers
    assert (week.comparison.remote_days, week.comparison.remote_wins) == (2, 0)
