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
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from rules.calendar import DateRange, local_today
from rules.digest import (
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
    week_range,
)
from rules.schedule import weekdays_of
from storage.models import DayOverride, DigestAck, Member, Plan, Win
from storage.upsert import insert_ignore

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
_IDS, _FIRST, _LAST = bindparam("ids", expanding=True), bindparam("first"), bindparam("last")
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
)  # `private` is not read: the queries keep only shared wins
_WIN_ORDER = (Win.member_id, Win.local_date, Win.id)
_ALL_WINS = select(*_WIN_COLUMNS).where(*_VISIBLE_WINS).order_by(*_WIN_ORDER)
_RANKED = (
    select(Win.id, func.row_number().over(partition_by=Win.member_id, order_by=_WIN_ORDER[1:]).label("n"))
    .where(*_VISIBLE_WINS)
    .subquery()
)
_FIRST_WINS = (
    select(*_WIN_COLUMNS)
    .where(Win.id.in_(select(_RANKED.c.id).where(_RANKED.c.n <= bindparam("per_member"))))
    .order_by(*_WIN_ORDER)
)
# Grouped by the index's own columns, so neither backend sorts: one row per member and day.
_TALLIES = (
    select(
        Win.member_id,
        Win.local_date,
        func.count(),
        func.sum(case((Win.day_kind == "remote", 1), else_=0)),
        func.sum(case((Win.day_kind == "office", 1), else_=0)),
    )
    .where(*_VISIBLE_WINS)
    .group_by(Win.member_id, Win.local_date)
)
_METRICS = (
    select(
        Win.member_id,
        Win.local_date,
        Win.metric_name,
        func.count(),
        func.coalesce(func.sum(Win.metric_value), 0.0),
    )
    .where(*_VISIBLE_WINS, Win.metric_name.is_not(None))
    .group_by(Win.member_id, Win.local_date, Win.metric_name)
)
_PLANS = select(
    Plan.member_id, Plan.local_date, Plan.status, Plan.items, Plan.done, Plan.blockers, Plan.signed_off
).where(Plan.member_id.in_(_IDS), Plan.local_date.between(_FIRST, _LAST))
_OVERRIDES = select(DayOverride.member_id, DayOverride.local_date, DayOverride.kind).where(
    DayOverride.member_id.in_(_IDS), DayOverride.local_date.between(_FIRST, _LAST)
)


def _rows(
    session: Session, query: Select[Any], member_ids: Sequence[int], period: DateRange, **extra: int
) -> list[Row[Any]]:
    """All rows of `query` for the members and the period, fetched at once, a chunk of ids at a time."""
    rows: list[Row[Any]] = []
    for ids in _chunks(member_ids):
        values = {"ids": ids, "first": period.first, "last": period.last, **extra}
        rows.extend(session.connection().execute(query, values).all())
    return rows


def week_wins(
    session: Session, member_ids: Sequence[int], period: DateRange, per_member: int | None = None
) -> list[WeekWin]:
    """The members' visible wins in `period`, by member, day and id; with `per_member`, each one's first few.

    The digest message shows only a report's first wins, so it reads only those: the rest are counted
    by `win_tallies`, and the week's cost stays in the rows shown, not in the rows logged.
    """
    if per_member is None:
        return [WeekWin(*row) for row in _rows(session, _ALL_WINS, member_ids, period)]
    rows = _rows(session, _FIRST_WINS, member_ids, period, per_member=per_member)
    return [WeekWin(*row) for row in rows]


def win_tallies(session: Session, member_ids: Sequence[int], period: DateRange) -> list[DayTally]:
    """The members' visible wins in `period`, counted per day and tag: no text leaves the database."""
    return [DayTally(*row) for row in _rows(session, _TALLIES, member_ids, period)]


def metric_tallies(session: Session, member_ids: Sequence[int], period: DateRange) -> list[MetricTally]:
    """The members' metric values in `period`, summed per day and name as typed."""
    return [MetricTally(*row) for row in _rows(session, _METRICS, member_ids, period)]


def week_plans(session: Session, member_ids: Sequence[int], period: DateRange) -> list[PlanDay]:
    plans = []
    for member_id, day, status, items, done, blockers, signed_off in _rows(
        session, _PLANS, member_ids, period
    ):
        items = items or []
        ticked = {i for i in (done or []) if isinstance(i, int) and 0 <= i < len(items)}
        plans.append(PlanDay(member_id, day, status, len(items), len(ticked), blockers, signed_off))
    return plans


def day_overrides(
    session: Session, member_ids: Sequence[int], period: DateRange
) -> dict[int, dict[date, str]]:
    overrides: defaultdict[int, dict[date, str]] = defaultdict(dict)
    for member_id, day, kind in _rows(session, _OVERRIDES, member_ids, period):
        overrides[member_id][day] = kind
    return dict(overrides)


def digest_inputs(
    session: Session,
    workspace_id: str,
    manager_user_id: str,
    week: str,
    *,
    shown_per_report: int | None = SHOWN_PER_REPORT,
    only_member_id: int | None = None,
) -> DigestInputs:
    """Everything one manager's digest for `week` needs.

    `shown_per_report` wins of each report are loaded whole (None: all of them, as Details and the
    plain-text preview need); `only_member_id` narrows it all to one report.
    """
    period = week_range(week)
    window = chart_range(period)
    manager = find_manager(session, workspace_id, manager_user_id)
    reports = reports_of(session, workspace_id, manager_user_id)
    if only_member_id is not None:
        reports = [r for r in reports if r.member_id == only_member_id]
    ids = sorted(r.member_id for r in reports)
    acked = acknowledged_at(session, manager.member_id, week) if manager.member_id is not None else None
    if not ids:
        return DigestInputs(workspace_id, manager_user_id, manager.tz, week, [], [], [], [], {}, acked)
    return DigestInputs(
        workspace_id=workspace_id,
        manager_user_id=manager_user_id,
        manager_tz=manager.tz,
        week=week,
        reports=reports,
        wins=week_wins(session, ids, period, shown_per_report),
        tallies=win_tallies(session, ids, window),
        metrics=metric_tallies(session, ids, compare_range(period)),
        plans=week_plans(session, ids, period),
        overrides=day_overrides(session, ids, window),
        acknowledged_at=acked,
    )


def load_digest(
    session: Session,
    workspace_id: str,
    manager_user_id: str,
    week: str,
    *,
    shown_per_report: int | None = SHOWN_PER_REPORT,
) -> Digest:
    """One manager's digest for an ISO week ("2026-W48"), built from the database as it is now."""
    return build_digest(
        digest_inputs(session, workspace_id, manager_user_id, week, shown_per_report=shown_per_report)
    )


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
