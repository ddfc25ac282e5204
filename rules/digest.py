"""What goes in a manager's weekly digest, computed from plain data: no Slack, no SQL.

The rules, as a manager can rely on them:

- **The week** is an ISO week (Monday to Sunday) named by the manager's calendar: by default the
  manager's current week when the digest is built. Each report's days are the report's own local
  dates in that week, so a manager a day ahead of a report sees the report's Monday to Sunday, not a
  window shifted by the time difference. A win dated the report's Sunday before belongs to the week
  before, even if it was already Monday for the manager when it was logged.
- **A day's kind** (remote, office, off, skipped, holiday, unknown), first match wins: `skipped` when the
  member skipped that day's plan; `off` or `holiday` when a day override says so (public holidays
  arrive as overrides of kind `holiday`; a member's own override for the day goes first); else what
  the member said on the wins they logged that day, tagged remote or office (the majority; a tie goes
  to the schedule); else the schedule: a remote or office override, then the remote weekdays, then
  office on weekdays and off at weekends. A member who never set remote weekdays or overrides has days
  of unknown kind unless their wins say. Days before the member joined (`Report.tracked_since`) are of
  unknown kind unless their wins say, and are never counted as remote or office days.
- **Logged wins** are the wins the member logged themselves (sources command, modal, shortcut; a DM to
  the bot is a command). Wins made from ticked plan items (source `summary`) are shown in the week's
  list but never counted as logged wins: plan completion already counts them.
- **Wins per remote day vs per office day** compare logged wins over the `COMPARE_DAYS` days that are
  over at the build instant `now` (the member's local date has moved past them), ending with the
  digest's period at the latest (`comparison_period`): logged wins on days of each kind divided by the
  number of such days, counting only days since the member joined. Skipped days, days off and holidays
  are on neither side. The team's figure adds up the reports who logged a win in those days (when
  nobody did, all reports' days, with no wins). The chart counts the same logged wins per day.
- **Metrics** are compared per metric name (case and spacing ignored) over the same days: a day's value
  is the sum of the values the member logged that day under that name, and the figure on each side is
  the mean of those day values over the days on which the metric was logged, with how many such days
  there were. A day without the metric is not a 0; a side without any such day has no figure (None).
- **Plan completion** is done of planned items over the plans the member posted in the period whose day
  is over: signed off (summarized), or the member's local date at `now` is past the plan's day. A
  posted plan whose day is still going is counted as in progress, not as not done. Skipped plans and
  drafts never count. With no `now` given, every day of the period is taken as over.
- **Sign-off times** are the member's own local "HH:MM" under their own date, in their zone.
- The figures' contract in a reader's words, with what each covers and excludes: docs/DIGEST.md.
- **Quiet**: a report with no visible win and no posted plan in the week gets one quiet line, never a
  row of zeros.
- **Private wins** are never counted or shown, here or anywhere in the digest.
- **Shown and counted**: the digest message shows at most `SHOWN_PER_REPORT` wins of each report (the
  first of the week); every other win is counted in "and N more", and Details shows them all. Counts
  always come from the tallies, so a win is never dropped silently, even one logged while the digest
  was being read from the database.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from rules.calendar import DateRange, local_today, zone
from rules.plans import PLAN_SENT, PlanStatus
from rules.schedule import Schedule, day_kind, local_instant

COMPARE_DAYS = 28  # the comparison covers this many days that are over, ending with the digest's period
CHART_WEEKS = 8  # the chart covers the digest's week and the weeks before it, this many in all
SHOWN_PER_REPORT = 10  # wins of one report in the digest message: a minute's reading for a whole team
SIGNED_OFF = PlanStatus.SUMMARIZED  # the end-of-day summary was sent: the day is over whatever the clock says
PLAN_WIN = "summary"  # the source of a win made from a ticked plan item: shown, never a logged win
COMPARED = ("remote", "office")  # the kinds of day a comparison puts side by side
NEITHER = ("off", "skipped", "holiday")  # kinds that say the member was not working: before any tag
# WeekWin's fields by name, so a field added to it can't shift what these read
_MEMBER, _DAY, _KIND = attrgetter("member_id"), attrgetter("local_date"), attrgetter("day_kind")
_DAY_THEN_ID = attrgetter("local_date", "id")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# -- weeks --------------------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    """The ISO week holding `day`, as "2026-W48": the digest's period key (ledger and acks use it)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_range(week: str) -> DateRange:
    """Monday to Sunday of an ISO week given as "2026-W48"; ValueError when there is no such week."""
    match = _WEEK.match(week.strip().upper())
    if not match:
        raise ValueError(f"{week!r} is not an ISO week: use YYYY-Www, like 2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}") from None
    return DateRange(monday, monday + timedelta(days=6))


def manager_week(now: datetime, manager_tz: str) -> str:
    """The week a digest built at `now` covers: the manager's current ISO week."""
    return iso_week(local_today(now, manager_tz))


def chart_range(period: DateRange) -> DateRange:
    """The days the tallies cover: the chart's eight weeks, which end with the digest's last day."""
    return DateRange(period.last - timedelta(weeks=CHART_WEEKS) + timedelta(days=1), period.last)


def compare_range(period: DateRange) -> DateRange:
    """The days any report's comparison for `period` may read (storage loads the metrics over them):
    `comparison_period` for a build instant up to a week before the period's last day, or after it."""
    return DateRange(period.last - timedelta(days=COMPARE_DAYS + 6), period.last)


def comparison_period(period: DateRange, today: date | None) -> DateRange:
    """The `COMPARE_DAYS` days a member's comparison covers: those that are over when their local date is
    `today` (at the build instant), ending with `period`'s last day at the latest; None: all are over."""
    last = period.last if today is None else min(period.last, today - timedelta(days=1))
    return DateRange(last - timedelta(days=COMPARE_DAYS - 1), last)


def day_is_over(day: date, today: date | None) -> bool:
    """The member's local `day` has ended when their local date at the build instant is later; comparing
    dates, not adding 24 hours, keeps 23- and 25-hour days right. None (no build instant): it is over."""
    return today is None or day < today


# -- what the rules are given ----------------------------------------------------------------------------


class WeekWin(NamedTuple):
    """A win as the digest shows it: `rules.wins.SavedWin`'s fields.

    A tuple rather than a frozen dataclass because a digest reads thousands of them, and building a
    tuple costs a tenth as much.
    """

    id: int
    member_id: int
    text: str
    local_date: date
    category: str
    metric_name: str | None
    metric_value: float | None
    link: str | None
    day_kind: str
    private: bool = False
    source: str = "command"  # `PLAN_WIN` for a ticked plan item made a win: shown, not a logged win

    @property
    def logged(self) -> bool:
        """The member logged it themselves, rather than ticking a plan item."""
        return self.source != PLAN_WIN


@dataclass(frozen=True)
class Report:
    """A member who named the manager and shares with them."""

    member_id: int
    user_id: str
    name: str
    tz: str  # the member's effective zone
    remote_weekdays: frozenset[int] = frozenset()  # 0 = Monday
    tracked_since: date | None = None  # the member's first local day with the bot; earlier days don't count


@dataclass(frozen=True)
class PlanDay:
    """One day's plan and its end-of-day summary, reduced to what the digest shows."""

    member_id: int
    local_date: date
    status: PlanStatus
    planned: int
    done: int
    blockers: str | None = None  # as typed
    signed_off: str | None = None  # the member's local "HH:MM"
    # What this digest shows of the plan (storage.windows): its posting, its outcome (the sign-off, or
    # the end of an unanswered day), or both. Completion, blockers and sign-offs come with the outcome.
    posting: bool = True
    outcome: bool = True


class DayTally(NamedTuple):
    """One member's visible wins on one day: how many, how many they logged themselves (not ticked plan
    items), and how many of those they tagged remote or office.

    A tuple, like `WeekWin`, because a digest reads one per member and day over eight weeks.
    """

    member_id: int
    local_date: date
    wins: int
    remote: int = 0  # logged wins tagged remote
    office: int = 0  # logged wins tagged office
    logged: int | None = None  # wins the member logged themselves; None: all `wins` are


class MetricTally(NamedTuple):
    """One member's values of one metric on one day (logged wins with a value), summed per name as typed:
    `wins` values adding up to `total`. The comparison merges spellings and averages over days."""

    member_id: int
    local_date: date
    name: str
    wins: int
    total: float


@dataclass(frozen=True)
class DigestInputs:
    """Everything one manager's digest is built from; storage loads it in one query per table."""

    workspace_id: str
    manager_user_id: str
    manager_tz: str
    week: str
    reports: Sequence[Report]
    wins: Sequence[WeekWin]  # the week's wins to show: all of them, or the first few of each report
    tallies: Sequence[DayTally]  # every visible win in `chart_range` (the digest's week too), counted
    plans: Sequence[PlanDay]  # the week's plans
    overrides: Mapping[int, Mapping[date, str]] = field(default_factory=dict)  # member -> day -> kind
    acknowledged_at: datetime | None = None
    metrics: Sequence[MetricTally] = ()  # the logged wins' metrics in `compare_range`
    # The build instant: which of each member's days are over (see `day_is_over`); None: all of them.
    now: datetime | None = None
    # Member -> days in `chart_range` whose plan they skipped: neither remote nor office (the plans'
    # own skipped days count too, so this may be left empty when `plans` covers those days).
    skipped: Mapping[int, Collection[date]] = field(default_factory=dict)
    # The digest's window (storage.windows): work recorded after `since` (None: the manager's first
    # digest, reaching back to `floor`) and by `now`. `wins`, `counts` and `plans` are the window's.
    since: datetime | None = None
    floor: datetime | None = None
    counts: Sequence[DayTally] = ()  # the window's wins per member and day; () for a week's, from tallies


# -- what the rules return -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayWins:
    day: date
    kind: str  # the day's kind: remote, office, off, skipped, holiday or unknown
    count: int  # the day's visible wins
    wins: tuple[WeekWin, ...]  # those loaded to show: all `count`, or fewer
    logged: int | None = None  # of `count`, the wins the member logged (not ticked plan items); None: all
    late: bool = False  # a day before the window, added since the last digest (a backdated win)

    @property
    def plan_wins(self) -> int:
        return self.count - (self.count if self.logged is None else self.logged)


@dataclass(frozen=True)
class SignOff:
    day: date  # the member's local date
    local: str  # as the member gave it, their "HH:MM"
    at: datetime  # the same instant, in the member's own zone
    tz: str = "UTC"  # the member's zone, named where the time is shown


@dataclass(frozen=True)
class Blocker:
    day: date
    text: str


@dataclass(frozen=True)
class MetricRates:
    """One metric: the mean of its day values (a day's values summed) over the days of each kind on which
    it was logged, and how many such days; None where there was no such day (never a 0)."""

    name: str
    remote: float | None
    office: float | None
    remote_days: int = 0  # remote days on which the metric was logged
    office_days: int = 0


@dataclass(frozen=True)
class Comparison:
    """Remote days against office days over `period` (days that are over, since the member joined):
    logged wins per day, and metrics per day they were logged. The team's spans its reports' periods."""

    period: DateRange
    remote_days: int = 0
    office_days: int = 0
    remote_wins: int = 0
    office_wins: int = 0
    metrics: tuple[MetricRates, ...] = ()

    @property
    def remote_rate(self) -> float | None:
        return self.remote_wins / self.remote_days if self.remote_days else None

    @property
    def office_rate(self) -> float | None:
        return self.office_wins / self.office_days if self.office_days else None


@dataclass(frozen=True)
class ReportWeek:
    """One report's week, as the digest and its Details view show it."""

    report: Report
    week: str
    period: DateRange
    manager_tz: str
    remote_days: tuple[date, ...]
    days: tuple[DayWins, ...]  # the week's days with visible wins, in order
    planned: int  # items of the posted plans whose day is over (see `day_is_over`)
    done: int  # of those, the ones ticked
    blockers: tuple[Blocker, ...]
    sign_offs: tuple[SignOff, ...]
    comparison: Comparison
    plans_posted: int = 0
    in_progress: int = 0  # posted plans whose day is still going: neither done nor not done yet
    # Over the chart's weeks (`chart_range`): each day's kind, its visible wins and its logged wins.
    kinds: Mapping[date, str] = field(default_factory=dict, repr=False)
    daily: Mapping[date, int] = field(default_factory=dict, repr=False)
    logged: Mapping[date, int] = field(default_factory=dict, repr=False)

    @property
    def wins(self) -> tuple[WeekWin, ...]:
        """The wins loaded to show (see `complete`)."""
        return tuple(win for day in self.days for win in day.wins)

    @cached_property
    def win_count(self) -> int:
        return sum(day.count for day in self.days)

    @property
    def plan_wins(self) -> int:
        """Of `win_count`, the wins made from ticked plan items (plan completion counts them already)."""
        return sum(day.plan_wins for day in self.days)

    @property
    def complete(self) -> bool:
        """Every visible win of the week is loaded, as Details needs."""
        return all(len(day.wins) == day.count for day in self.days)

    @property
    def quiet(self) -> bool:
        return self.win_count == 0 and self.plans_posted == 0

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class TeamLine:
    reports: int
    remote_days: int
    wins: int
    planned: int
    done: int
    quiet: int
    in_progress: int = 0  # posted plans whose day is still going
    plan_wins: int = 0  # of `wins`, those made from ticked plan items

    @property
    def completion(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class WinsSeries:
    """The team's logged wins per day (like with like: no ticked plan items), split by the day's kind:
    the data behind the chart."""

    days: tuple[date, ...]
    remote: tuple[int, ...]
    office: tuple[int, ...]
    other: tuple[int, ...]  # days off, skipped, holidays, unknown: shown, so no logged win goes missing

    @property
    def total(self) -> int:
        return sum(self.remote) + sum(self.office) + sum(self.other)


@dataclass(frozen=True)
class Digest:
    workspace_id: str
    manager_user_id: str
    manager_tz: str
    week: str
    period: DateRange
    team: TeamLine
    comparison: Comparison  # the team's, wins only (metrics differ from report to report)
    reports: tuple[ReportWeek, ...]  # reports with something logged, then quiet ones; each by name
    chart: WinsSeries
    acknowledged_at: datetime | None = None
    since: datetime | None = None  # the previous digest's build (None: the first), when built as a window
    until: datetime | None = None  # this digest's build

    @property
    def active(self) -> tuple[ReportWeek, ...]:
        return tuple(r for r in self.reports if not r.quiet)

    @property
    def quiet(self) -> tuple[ReportWeek, ...]:
        return tuple(r for r in self.reports if r.quiet)


# -- the rules -----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _days(first: date, count: int) -> tuple[tuple[date, int], ...]:
    """Each day from `first` with its weekday; the same window serves every report of a digest."""
    return tuple((day, day.weekday()) for day in (first + timedelta(days=d) for d in range(count)))


def day_kinds(
    report: Report,
    period: DateRange,
    overrides: Mapping[date, str],
    lean: Mapping[date, int],
    skipped: Collection[date] = frozenset(),
) -> dict[date, str]:
    """The kind of each day in `period` for one member (see the module's rules).

    `lean` is, per day, the member's logged wins tagged remote minus those tagged office: what they said.
    `skipped` holds the days whose plan the member skipped.
    """
    schedule = Schedule(tz=report.tz, remote_days=report.remote_weekdays)
    # The schedule's answer depends only on the weekday once overrides are set aside: ask it once per weekday.
    monday = period.first - timedelta(days=period.first.weekday())
    by_weekday = [
        day_kind(schedule, monday + timedelta(days=d), {}) if report.remote_weekdays else "unknown"
        for d in range(7)
    ]
    joined = report.tracked_since
    kinds = {}
    for day, weekday in _days(period.first, period.days):
        override, said = overrides.get(day), lean.get(day)
        if day in skipped:
            kinds[day] = "skipped"
        elif override in NEITHER:
            kinds[day] = override
        elif said:
            kinds[day] = "remote" if said > 0 else "office"
        elif joined is not None and day < joined:
            kinds[day] = "unknown"  # no schedule yet: nothing to say
        elif override is not None:
            kinds[day] = override
        else:
            kinds[day] = by_weekday[weekday]
    return kinds


def compare(
    report: Report,
    period: DateRange,
    kinds: Mapping[date, str],
    logged: Mapping[date, int],
    metrics: Iterable[MetricTally] = (),
) -> Comparison:
    """Logged wins and metric values per remote day and per office day over `period` (the module's rules).

    `logged` is the member's logged wins per day, not counting ticked plan items; `metrics` the day tallies
    of their logged metric values.
    """
    since = max(period.first, report.tracked_since or period.first)
    counted = {day: kind for day, kind in kinds.items() if since <= day <= period.last and kind in COMPARED}
    days = Counter(counted.values())
    wins: Counter[str] = Counter()
    for day, kind in counted.items():
        wins[kind] += logged.get(day, 0)
    # A metric's day value is the sum of that day's values; the figure is the mean over the days it has one.
    day_values: defaultdict[str, defaultdict[date, float]] = defaultdict(lambda: defaultdict(float))
    spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in metrics:
        day_kind = counted.get(row.local_date)
        spelling = " ".join(row.name.split())
        if day_kind is None or not spelling or row.wins <= 0:
            continue
        key = spelling.casefold()
        spellings[key][spelling] += row.wins
        day_values[key][row.local_date] += row.total
    rates = []
    for key, values in sorted(day_values.items()):
        sides: dict[str, list[float]] = {kind: [] for kind in COMPARED}
        for day, value in sorted(values.items()):
            sides[counted[day]].append(value)
        remote, office = sides["remote"], sides["office"]
        rates.append(
            MetricRates(
                name=_most_used(spellings[key]),
                remote=sum(remote) / len(remote) if remote else None,
                office=sum(office) / len(office) if office else None,
                remote_days=len(remote),
                office_days=len(office),
            )
        )
    return Comparison(
        period=DateRange(since, period.last) if since <= period.last else period,  # what it covers
        remote_days=days["remote"],
        office_days=days["office"],
        remote_wins=wins["remote"],
        office_wins=wins["office"],
        metrics=tuple(rates),
    )


def _most_used(spellings: Counter[str]) -> str:
    """The spelling of a metric's name that the member used most (the first alphabetically on a tie)."""
    return max(sorted(spellings), key=lambda spelling: spellings[spelling])


def _sign_off(plan: PlanDay, report_tz: str) -> SignOff | None:
    """The member's sign-off as they gave it, under their own date, in their own zone."""
    match = _HHMM.match((plan.signed_off or "").strip())
    if not match:
        return None
    at = local_instant(plan.local_date, time(int(match.group(1)), int(match.group(2))), report_tz)
    return SignOff(plan.local_date, match.group(0), at.astimezone(zone(report_tz)), report_tz)


def report_week(
    report: Report,
    week: str,
    manager_tz: str,
    wins: Iterable[WeekWin],
    tallies: Iterable[DayTally],
    plans: Iterable[PlanDay],
    overrides: Mapping[date, str] | None = None,
    metrics: Iterable[MetricTally] = (),
    *,
    now: datetime | None = None,
    skipped: Collection[date] = (),
    start: datetime | None = None,
    counts: Iterable[DayTally] = (),
) -> ReportWeek:
    """One report's week and comparison, from that report's data (anyone else's is ignored).

    `now` is the build instant (which days are over); `skipped` the days, over the chart's weeks, whose
    plan the member skipped (the plans given count too). With `start` (and `now`), the week is the
    digest's window (storage.windows): `wins`, `counts` and `plans` are all the window's, whatever their
    dates, and its days run from `start`'s date to `now`'s on the member's calendar; a win dated before
    that was added since the last digest (`DayWins.late`). Without it, the week is the ISO `week`.
    """
    windowed = start is not None and now is not None
    if windowed:
        assert start is not None and now is not None
        period = DateRange(local_today(start, report.tz), local_today(now, report.tz))
    else:
        period = week_range(week)
    window = chart_range(period)
    first, last, member_id = period.first, period.last, report.member_id
    today = None if now is None else local_today(now, report.tz)
    mine = sorted(
        (
            w
            for w in wins
            if w.member_id == member_id and not w.private and (windowed or first <= w.local_date <= last)
        ),
        key=_DAY_THEN_ID,
    )
    shown = {day: tuple(group) for day, group in groupby(mine, key=_DAY)}
    counted = [t for t in tallies if t.member_id == member_id and window.first <= t.local_date <= last]
    in_week = [c for c in counts if c.member_id == member_id] if windowed else counted
    lean: defaultdict[date, int] = defaultdict(int)
    daily: defaultdict[date, int] = defaultdict(int)
    logged: defaultdict[date, int] = defaultdict(int)
    for row in counted:
        daily[row.local_date] += row.wins
        logged[row.local_date] += row.wins if row.logged is None else row.logged
        lean[row.local_date] += row.remote - row.office
    for day, group in shown.items():
        if len(group) > daily[day]:  # a win logged between the two reads: count what is shown
            own = [w for w in group if w.logged]
            said = Counter(map(_KIND, own))
            lean[day], daily[day], logged[day] = said["remote"] - said["office"], len(group), len(own)
    week_daily: defaultdict[date, int] = defaultdict(int)
    week_logged: defaultdict[date, int] = defaultdict(int)
    for row in in_week:
        if windowed or first <= row.local_date <= last:
            week_daily[row.local_date] += row.wins
            week_logged[row.local_date] += row.wins if row.logged is None else row.logged
    for day, group in shown.items():
        if len(group) > week_daily[day]:  # saved between the two reads: count what is shown
            week_daily[day], week_logged[day] = len(group), sum(1 for w in group if w.logged)
    mine_plans = [p for p in plans if p.member_id == member_id]
    skipped_days = {*skipped, *(p.local_date for p in mine_plans if p.status == PlanStatus.SKIPPED)}
    kinds = day_kinds(report, window, overrides or {}, lean, skipped_days)
    days = tuple(
        DayWins(
            day, kinds.get(day, "unknown"), week_daily[day], shown.get(day, ()), week_logged[day], day < first
        )
        for day in sorted((d for d in week_daily if week_daily[d]), key=lambda d: (d < first, d))
    )  # the window's days, then those added since the last digest (backdated)

    week_plans = sorted(
        (p for p in mine_plans if windowed or first <= p.local_date <= last), key=lambda p: p.local_date
    )
    posted = [p for p in week_plans if p.status in PLAN_SENT]
    over = [p for p in posted if p.outcome and (p.status == SIGNED_OFF or day_is_over(p.local_date, today))]
    ended = [p for p in week_plans if p.outcome]
    blockers = tuple(Blocker(p.local_date, p.blockers) for p in ended if p.blockers and p.blockers.strip())
    sign_offs = tuple(s for p in ended if (s := _sign_off(p, report.tz)) is not None)
    compared = comparison_period(period, today)
    compared = DateRange(max(compared.first, window.first), compared.last)  # never past the days loaded
    mine_metrics = [
        m for m in metrics if m.member_id == member_id and compared.first <= m.local_date <= compared.last
    ]
    joined = report.tracked_since or first
    return ReportWeek(
        report=report,
        week=week,
        period=period,
        manager_tz=manager_tz,
        remote_days=tuple(
            day for day, kind in kinds.items() if kind == "remote" and max(first, joined) <= day <= last
        ),
        days=days,
        planned=sum(p.planned for p in over),
        done=sum(min(p.done, p.planned) for p in over),
        blockers=blockers,
        sign_offs=sign_offs,
        comparison=compare(report, compared, kinds, logged, mine_metrics),
        plans_posted=len(posted),
        in_progress=len(posted) - len(over),
        kinds=kinds,
        daily={day: n for day, n in daily.items() if n},
        logged={day: n for day, n in logged.items() if n},
    )


def _team_comparison(period: DateRange, weeks: Sequence[ReportWeek]) -> Comparison:
    """The reports who logged a win in their comparison: a silent member's days would only dilute it.
    When nobody did, every report's days, with no wins: "no wins logged", rather than "no days".

    Its period spans theirs (members in different zones can be a day apart); `period` when there is none.
    """
    weeks = [r for r in weeks if r.comparison.remote_wins or r.comparison.office_wins] or list(weeks)
    if weeks:
        periods = [r.comparison.period for r in weeks]
        period = DateRange(min(p.first for p in periods), max(p.last for p in periods))
    return Comparison(
        period=period,
        remote_days=sum(r.comparison.remote_days for r in weeks),
        office_days=sum(r.comparison.office_days for r in weeks),
        remote_wins=sum(r.comparison.remote_wins for r in weeks),
        office_wins=sum(r.comparison.office_wins for r in weeks),
    )


def wins_per_day(weeks: Sequence[ReportWeek], window: DateRange) -> WinsSeries:
    """The team's logged wins on each day of `window`, split by each member's kind of that day."""
    days = [window.first + timedelta(days=i) for i in range(window.days)]
    split: defaultdict[date, Counter[str]] = defaultdict(Counter)
    for week in weeks:
        for day, count in week.logged.items():
            kind = week.kinds.get(day, "unknown")
            split[day][kind if kind in COMPARED else "other"] += count
    return WinsSeries(
        days=tuple(days),
        remote=tuple(split[d]["remote"] for d in days),
        office=tuple(split[d]["office"] for d in days),
        other=tuple(split[d]["other"] for d in days),
    )


def build_digest(inputs: DigestInputs) -> Digest:
    """The whole digest: a team line, then each report's week (by name; quiet reports last)."""
    start = inputs.since if inputs.since is not None else inputs.floor
    if start is not None and inputs.now is not None:  # the window, on the manager's calendar
        period = DateRange(local_today(start, inputs.manager_tz), local_today(inputs.now, inputs.manager_tz))
    else:
        period = week_range(inputs.week)
    counts_of: defaultdict[int, list[DayTally]] = defaultdict(list)
    for row in inputs.counts:
        counts_of[row.member_id].append(row)
    wins_of: defaultdict[int, list[WeekWin]] = defaultdict(list)
    for member_id, group in groupby(sorted(inputs.wins, key=_MEMBER), key=_MEMBER):
        wins_of[member_id].extend(group)
    tallies_of: defaultdict[int, list[DayTally]] = defaultdict(list)
    for row in inputs.tallies:
        tallies_of[row.member_id].append(row)
    plans_of: defaultdict[int, list[PlanDay]] = defaultdict(list)
    for plan in inputs.plans:
        plans_of[plan.member_id].append(plan)
    metrics_of: defaultdict[int, list[MetricTally]] = defaultdict(list)
    for metric in inputs.metrics:
        metrics_of[metric.member_id].append(metric)
    weeks = [
        report_week(
            report,
            inputs.week,
            inputs.manager_tz,
            wins_of[report.member_id],
            tallies_of[report.member_id],
            plans_of[report.member_id],
            inputs.overrides.get(report.member_id, {}),
            metrics_of[report.member_id],
            now=inputs.now,
            skipped=inputs.skipped.get(report.member_id, ()),
            start=start,
            counts=counts_of[report.member_id],
        )
        for report in inputs.reports
    ]
    weeks.sort(key=lambda r: (r.quiet, r.report.name.casefold(), r.report.user_id))
    team = TeamLine(
        reports=len(weeks),
        remote_days=sum(len(r.remote_days) for r in weeks),
        wins=sum(r.win_count for r in weeks),
        planned=sum(r.planned for r in weeks),
        done=sum(r.done for r in weeks),
        quiet=sum(r.quiet for r in weeks),
        in_progress=sum(r.in_progress for r in weeks),
        plan_wins=sum(r.plan_wins for r in weeks),
    )
    return Digest(
        workspace_id=inputs.workspace_id,
        manager_user_id=inputs.manager_user_id,
        manager_tz=inputs.manager_tz,
        week=inputs.week,
        period=period,
        team=team,
        comparison=_team_comparison(compare_range(period), weeks),
        reports=tuple(weeks),
        chart=wins_per_day(weeks, chart_range(period)),
        acknowledged_at=inputs.acknowledged_at,
        since=inputs.since,
        until=inputs.now if start is not None else None,
    )
