"""The queries behind one manager's weekly digest, and the manager's acknowledgements.

The cost follows the team's week, not the table: the reports come from the (workspace, manager) index,
and each other table is read once, for all reports together, with `member_id IN (…)` and a date range
on its (member_id, local_date) index. Private wins never leave the database. Queries run through Core on
the session's connection and fetch all rows at once (psycopg would otherwise be asked row by row), and
rows become tuples, with no ORM bookkeeping per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Row, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from rules.calendar import DateRange, local_today
from rules.digest import (
    PLAN_WIN,
    SHOWN_PER_REPORT,
    DayTally,
    Digest,
    DigestInputs,
    MetricTally,
    PlanDay,
    Report,
    WeekWin,
    build_digest,
    chart_range,
    compare_range,
)
from rules.holidays import NONE
from rules.plans import PlanStatus
from rules.schedule import member_holidays, weekdays_of
from storage.models import DayOverride, DigestAck, Member, Metric, MetricValue, Plan, Win
from storage.schedules import member_calendar, workspace_calendar
from storage.upsert import insert_ignore
from storage.windows import Window, covered_plans, covered_wins, pending_window

IN_CHUNK = 500  # member ids per query: far below any backend's limit on bound parameters
UNKNOWN_ZONE = "UTC"  # for a manager the bot has not met yet (nobody asked Slack for their zone)


@dataclass(frozen=True)
class Manager:
    """The digest's reader; `member_id` is None when the manager has never used the bot themself."""

    workspace_id: str
    user_id: str
    tz: str
    member_id: int | None


def manager_workspaces(session: Session, user_id: str) -> list[str]:
    """Workspaces where someone names `user_id` as their manager (for the operator's preview)."""
    query = select(Member.workspace_id).where(Member.manager_user_id == user_id).distinct()
    return sorted(session.scalars(query))


def find_manager(session: Session, workspace_id: str, user_id: str) -> Manager:
    row = session.execute(
        select(Member.id, func.coalesce(Member.tz_override, Member.tz)).where(
            Member.workspace_id == workspace_id, Member.user_id == user_id
        )
    ).first()
    if row is None:
        return Manager(workspace_id, user_id, UNKNOWN_ZONE, None)
    return Manager(workspace_id, user_id, row[1], row[0])


def reports_of(session: Session, workspace_id: str, manager_user_id: str) -> list[Report]:
    """Members who named this manager and share with them: not paused sharing, not deleted in Slack."""
    rows = session.execute(
        select(
            Member.id,
            Member.user_id,
            Member.display_name,
            func.coalesce(Member.tz_override, Member.tz),
            Member.remote_days,
            Member.created_at,
        ).where(
            Member.workspace_id == workspace_id,
            Member.manager_user_id == manager_user_id,
            Member.sharing_paused.is_(False),
            Member.deactivated.is_(False),
            Member.user_id != manager_user_id,  # naming oneself is not a team
        )
    )
    return [
        Report(
            member_id=member_id,
            user_id=user_id,
            name=name or user_id,
            tz=tz,
            remote_weekdays=weekdays_of(mask),
            tracked_since=local_today(created_at, tz),
        )
        for member_id, user_id, name, tz, mask, created_at in rows
    ]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield list(ids[start : start + IN_CHUNK])


# The statements are built once, with bound parameters: a digest only supplies the ids and the dates.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_FIRST: BindParameter[date] = bindparam("first")
_LAST: BindParameter[date] = bindparam("last")
_VISIBLE_WINS = (Win.member_id.in_(_IDS), Win.local_date.between(_FIRST, _LAST), Win.private.is_(False))
_WIN_COLUMNS = (
    Win.id,
    Win.member_id,
    Win.text,
    Win.local_date,
    Win.category,
    Win.metric_name,
    Win.metric_value,
    Win.link,
    Win.day_kind,
    Win.private,  # always False here: the queries keep only shared wins
    Win.source,  # a ticked plan item is shown as one, and never counted as a logged win
)
_WIN_ORDER = (Win.member_id, Win.local_date, Win.id)
# A logged win is one the member logged themselves, not a ticked plan item (rules.digest, "Logged wins").
_LOGGED = Win.source != PLAN_WIN
# `DayTally`'s columns: all visible wins, the logged ones tagged remote and office, and the logged ones.
_TALLY_COLUMNS = (
    Win.member_id,
    Win.local_date,
    func.count(),
    func.sum(case((_LOGGED & (Win.day_kind == "remote"), 1), else_=0)),
    func.sum(case((_LOGGED & (Win.day_kind == "office"), 1), else_=0)),
    func.sum(case((_LOGGED, 1), else_=0)),
)
# Grouped by the index's own columns, so neither backend sorts: one row per member and day.
_TALLIES = select(*_TALLY_COLUMNS).where(*_VISIBLE_WINS).group_by(Win.member_id, Win.local_date)
# Logged metric values only (a ticked plan item has none, and is not the member's own figure either).
_METRICS = (
    select(Win.member_id, Win.local_date, Win.metric_name, func.count(), func.sum(Win.metric_value))
    .where(*_VISIBLE_WINS, _LOGGED, Win.metric_name.is_not(None), Win.metric_value.is_not(None))
    .group_by(Win.member_id, Win.local_date, Win.metric_name)
)
# Values logged with `/remote-win metric` (rules/metrics.py), under their metric's name: the member's own
# figures, as a logged win's are (they carry no private flag).
_METRIC_VALUES = (
    select(
        MetricValue.member_id, MetricValue.local_date, Metric.name, func.count(), func.sum(MetricValue.value)
    )
    .join(Metric, Metric.id == MetricValue.metric_id)
    .where(MetricValue.member_id.in_(_IDS), MetricValue.local_date.between(_FIRST, _LAST))
    .group_by(MetricValue.member_id, MetricValue.local_date, Metric.name)
)
# The days a member skipped their plan: neither remote nor office in the comparison's weeks.
_SKIPPED = select(Plan.member_id, Plan.local_date).where(
    Plan.member_id.in_(_IDS), Plan.local_date.between(_FIRST, _LAST), Plan.status == PlanStatus.SKIPPED
)
_OVERRIDES = select(DayOverride.member_id, DayOverride.local_date, DayOverride.kind).where(
    DayOverride.member_id.in_(_IDS), DayOverride.local_date.between(_FIRST, _LAST)
)


def _rows(
    session: Session,
    query: Select[*tuple[Any, ...]],
    member_ids: Sequence[int],
    period: DateRange,
    **extra: int,
) -> list[Row[*tuple[Any, ...]]]:
    """All rows of `query` for the members and the period, fetched at once, a chunk of ids at a time."""
    rows: list[Row[*tuple[Any, ...]]] = []
    for ids in _chunks(member_ids):
        values = {"ids": ids, "first": period.first, "last": period.last, **extra}
        rows.extend(session.connection().execute(query, values).all())
    return rows


def win_tallies(session: Session, member_ids: Sequence[int], period: DateRange) -> list[DayTally]:
    """The members' visible wins in `period`, counted per day, with the logged ones and their tags: no text
    leaves the database."""
    return [DayTally(*row) for row in _rows(session, _TALLIES, member_ids, period)]


def metric_tallies(session: Session, member_ids: Sequence[int], period: DateRange) -> list[MetricTally]:
    """The members' logged metric values in `period` (on their wins and with `metric`), counted and summed
    per day and name as typed."""
    return [
        MetricTally(*row)
        for query in (_METRICS, _METRIC_VALUES)
        for row in _rows(session, query, member_ids, period)
    ]


def skipped_days(
    session: Session, member_ids: Sequence[int], period: DateRange
) -> dict[int, frozenset[date]]:
    """Per member, the days in `period` whose plan they skipped."""
    days: defaultdict[int, set[date]] = defaultdict(set)
    for member_id, day in _rows(session, _SKIPPED, member_ids, period):
        days[member_id].add(day)
    return {member_id: frozenset(found) for member_id, found in days.items()}


def day_overrides(
    session: Session, member_ids: Sequence[int], period: DateRange
) -> dict[int, dict[date, str]]:
    overrides: defaultdict[int, dict[date, str]] = defaultdict(dict)
    for member_id, day, kind in _rows(session, _OVERRIDES, member_ids, period):
        overrides[member_id][day] = kind
    return dict(overrides)


def with_holidays(
    session: Session,
    workspace_id: str,
    member_ids: Sequence[int],
    period: DateRange,
    overrides: dict[int, dict[date, str]],
) -> dict[int, dict[date, str]]:
    """The overrides, with each member's public holidays as days of kind "holiday" (their own override of
    a day goes first): neither remote nor office in any figure. Two queries, whatever the team's size."""
    shared = workspace_calendar(session, workspace_id)
    for ids in _chunks(member_ids):
        for member in session.scalars(select(Member).where(Member.id.in_(ids))):
            calendar = None if member.holiday_country == NONE else member_calendar(member) or shared
            own = overrides.setdefault(member.id, {})
            for day in member_holidays(calendar, period.first, period.last, own):
                own.setdefault(day, "holiday")
    return {member_id: days for member_id, days in overrides.items() if days}


def _in_window(
    query: Select[*tuple[Any, ...]], window: Window, ids: Sequence[int]
) -> Select[*tuple[Any, ...]]:
    return query.where(covered_wins(window, ids), Win.member_id.in_(ids))


def window_wins(
    session: Session, window: Window, member_ids: Sequence[int], per_member: int | None = None
) -> list[WeekWin]:
    """The window's wins by member, day and id; with `per_member`, each member's first few (the digest
    message shows only those; `window_counts` counts the rest)."""
    rows: list[Row[*tuple[Any, ...]]] = []
    for ids in _chunks(member_ids):
        if per_member is None:
            query = _in_window(select(*_WIN_COLUMNS), window, ids).order_by(*_WIN_ORDER)
        else:
            ranked = _in_window(
                select(
                    Win.id,
                    func.row_number().over(partition_by=Win.member_id, order_by=_WIN_ORDER[1:]).label("n"),
                ),
                window,
                ids,
            ).subquery()
            first = select(ranked.c.id).where(ranked.c.n <= per_member)
            query = select(*_WIN_COLUMNS).where(Win.id.in_(first)).order_by(*_WIN_ORDER)
        rows.extend(session.connection().execute(query).all())
    return [WeekWin(*row) for row in rows]


def window_counts(session: Session, window: Window, member_ids: Sequence[int]) -> list[DayTally]:
    """The window's wins per member and day, with the logged ones and their tags (as `win_tallies`)."""
    rows: list[Row[*tuple[Any, ...]]] = []
    for ids in _chunks(member_ids):
        query = _in_window(select(*_TALLY_COLUMNS), window, ids).group_by(Win.member_id, Win.local_date)
        rows.extend(session.connection().execute(query).all())
    return [DayTally(*row) for row in rows]


def window_plans(
    session: Session, window: Window, member_ids: Sequence[int], tz_of: dict[int, str]
) -> list[PlanDay]:
    """The plans whose posting or outcome (sign-off, or the end of an unanswered day) the window shows."""
    plans = []
    for shown in covered_plans(session, window, member_ids, tz_of):
        plan = shown.plan
        items = plan.items or []
        ticked = {i for i in (plan.done or []) if isinstance(i, int) and 0 <= i < len(items)}
        plans.append(
            PlanDay(
                plan.member_id,
                plan.local_date,
                PlanStatus(plan.status),
                len(items),
                len(ticked),
                plan.blockers,
                plan.signed_off,
                posting=shown.posting,
                outcome=shown.outcome,
            )
        )
    return plans


def window_span(window: Window, tz: str) -> DateRange:
    """The window's days on a clock: from the day of its floor (the first digest's reach, or the previous
    build) to the day it was built."""
    start = window.since if window.since is not None else window.floor
    return DateRange(local_today(start, tz), local_today(window.until, tz))


def digest_inputs(
    session: Session,
    workspace_id: str,
    manager_user_id: str,
    week: str,
    *,
    now: datetime,
    window: Window | None = None,
    shown_per_report: int | None = SHOWN_PER_REPORT,
    only_member_id: int | None = None,
) -> DigestInputs:
    """Everything one manager's digest for `week` needs: the built digest's content when `window` is given
    (storage.windows.build_window), else what the next digest would show as of `now`.

    `shown_per_report` wins of each report are loaded whole (None: all of them, as Details and the
    plain-text preview need); `only_member_id` narrows it all to one report.
    """
    manager = find_manager(session, workspace_id, manager_user_id)
    if window is None:
        window = pending_window(session, manager.member_id, week, now)
    span = window_span(window, manager.tz)
    chart = chart_range(span)
    reports = reports_of(session, workspace_id, manager_user_id)
    if only_member_id is not None:
        reports = [r for r in reports if r.member_id == only_member_id]
    ids = sorted(r.member_id for r in reports)
    acked = acknowledged_at(session, manager.member_id, week) if manager.member_id is not None else None
    base = DigestInputs(
        workspace_id,
        manager_user_id,
        manager.tz,
        week,
        [],
        [],
        [],
        [],
        {},
        acked,
        since=window.since,
        now=window.until,
        floor=window.floor,
    )
    if not ids:
        return base
    return replace(
        base,
        reports=reports,
        wins=window_wins(session, window, ids, shown_per_report),
        counts=window_counts(session, window, ids),
        tallies=win_tallies(session, ids, chart),
        metrics=metric_tallies(session, ids, compare_range(span)),
        plans=window_plans(session, window, ids, {r.member_id: r.tz for r in reports}),
        overrides=with_holidays(session, workspace_id, ids, chart, day_overrides(session, ids, chart)),
        skipped=skipped_days(session, ids, chart),
    )


def load_digest(
    session: Session,
    workspace_id: str,
    manager_user_id: str,
    week: str,
    *,
    now: datetime,
    window: Window | None = None,
    shown_per_report: int | None = SHOWN_PER_REPORT,
) -> Digest:
    """One manager's digest for `week` (its ledger period, "2026-W48"): as built when `window` is given,
    else the next digest's content as of `now`."""
    inputs = digest_inputs(
        session,
        workspace_id,
        manager_user_id,
        week,
        now=now,
        window=window,
        shown_per_report=shown_per_report,
    )
    return build_digest(inputs)


def acknowledge(
    session: Session, workspace_id: str, manager_member_id: int, week: str, now: datetime
) -> datetime:
    """Record the manager's "seen" once; pressing again (or twice at once) keeps the first instant."""
    values = {
        "workspace_id": workspace_id,
        "manager_member_id": manager_member_id,
        "week": week,
        "acknowledged_at": now,
    }
    session.execute(insert_ignore(session, DigestAck, values, ["manager_member_id", "week"]))
    first = acknowledged_at(session, manager_member_id, week)
    assert first is not None
    return first


def acknowledged_at(session: Session, manager_member_id: int, week: str) -> datetime | None:
    return session.scalar(
        select(DigestAck.acknowledged_at).where(
            DigestAck.manager_member_id == manager_member_id, DigestAck.week == week
        )
    )
