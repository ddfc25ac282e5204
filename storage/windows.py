"""Which digest shows each piece of work: every shared win, posted plan and plan outcome in exactly one.

A manager's digest covers what was recorded since their previous *delivered* digest was built, up to
the moment this one is built (the first: at most `FIRST_REACH` back). Time alone can't make that exact:
a win saved while a digest is being built may carry an earlier `created_at` yet become visible only
after the build has read the table. So the build *assigns*: in the transaction that creates the digest
row, every not-yet-assigned piece of its reports' work recorded by then points to it (`wins.digest_id`,
`plans.plan_digest_id` for the posted plan, `plans.summary_digest_id` for its outcome). What is
assigned is shown; what is not yet visible stays unassigned and goes to the next digest. A piece is
never assigned twice, because the update only takes unassigned rows.

- A retried delivery (a transient Slack failure) renders the same digest row: its content does not
  change between tries.
- A digest that never reached the manager (failed for good, or its sender died) gives its work back:
  the next digest releases it, and covers it, from the last delivered digest on.
- A plan's outcome is its sign-off, or, without one, the end of its member's local day: a plan still in
  progress when a digest is built has its outcome in the next.
- Private wins are never assigned; a member who paused sharing, or who is not (yet) the manager's
  report, has nothing assigned to this manager.
- The reach back (`FIRST_REACH` for a first digest, `STRAGGLERS` before the previous build) bounds how
  old unassigned work can be: a report who joins a team brings at most a week of history.

Before a digest is built (the member's recap, the Home, Details opened from a recap) the same rules give
its *pending* content, read without assigning anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from rules.calendar import local_today
from rules.plans import PLAN_SENT, PlanStatus
from storage.models import DigestRun, Member, Plan, Win
from storage.upsert import insert_ignore

FIRST_REACH = timedelta(days=7)  # a manager's first digest covers at most this far back
STRAGGLERS = timedelta(days=1)  # work recorded just before the previous build, but seen only after it


@dataclass(frozen=True)
class Window:
    """A digest's reach: recorded after `since` (None: the manager's first) and by `until`; `digest_id` is
    the built digest whose assigned work it shows, or None for the pending content of the next one."""

    digest_id: int | None
    since: datetime | None
    until: datetime
    floor: datetime  # the oldest instant unassigned work may have been recorded at and still be covered


def _reach(since: datetime | None, until: datetime) -> datetime:
    return since - STRAGGLERS if since is not None else until - FIRST_REACH


def _previous_built(session: Session, manager_member_id: int, week: str) -> datetime | None:
    query = select(DigestRun.built_at).where(
        DigestRun.manager_member_id == manager_member_id,
        DigestRun.week != week,
        DigestRun.delivered_at.is_not(None),
    )
    return session.scalar(query.order_by(DigestRun.built_at.desc()).limit(1))


def built_window(session: Session, manager_member_id: int, week: str) -> Window | None:
    """The digest for `week` as it was built, if it was."""
    run = session.scalar(select(DigestRun).filter_by(manager_member_id=manager_member_id, week=week))
    return Window(run.id, run.since, run.built_at, run.floor) if run else None


def pending_window(session: Session, manager_member_id: int | None, week: str, now: datetime) -> Window:
    """The next digest's reach as of `now`, nothing assigned: for the recap, the Home and Details."""
    if manager_member_id is None:
        return Window(None, None, now, _reach(None, now))
    built = built_window(session, manager_member_id, week)
    if built is not None:
        return built
    since = _previous_built(session, manager_member_id, week)
    floor = min([_reach(since, now), *_undelivered_floors(session, manager_member_id, week)])
    return Window(None, since, now, floor)


def build_window(
    session: Session,
    manager: Member,
    week: str,
    report_ids: Sequence[int],
    reports_tz: dict[int, str],
    now: datetime,
) -> Window:
    """The manager's digest for `week`: created now with its work assigned, or the one already built (a
    retry renders the same). Runs in the caller's transaction, which must commit before sending."""
    if (built := built_window(session, manager.id, week)) is not None:
        return built
    since = _previous_built(session, manager.id, week)
    floor = min([_reach(since, now), *_undelivered_floors(session, manager.id, week)])
    _release_undelivered(session, manager.id, week)
    values = {
        "workspace_id": manager.workspace_id,
        "manager_member_id": manager.id,
        "week": week,
        "since": since,
        "floor": floor,
        "built_at": now,
    }
    session.execute(insert_ignore(session, DigestRun, values, ["manager_member_id", "week"]))
    window = built_window(session, manager.id, week)
    assert window is not None
    if window.until == now:  # ours, not a digest someone else built in between
        _assign(session, window, report_ids, reports_tz)
    return window


def mark_delivered(session: Session, manager_member_id: int, week: str, now: datetime) -> None:
    """Slack took the digest's first message: its work is shown, and the next digest starts from it."""
    session.execute(
        update(DigestRun)
        .where(DigestRun.manager_member_id == manager_member_id, DigestRun.week == week)
        .values(delivered_at=now)
    )


def _undelivered(manager_member_id: int, week: str) -> Any:
    return (
        DigestRun.manager_member_id == manager_member_id,
        DigestRun.week != week,
        DigestRun.delivered_at.is_(None),
    )


def _undelivered_floors(session: Session, manager_member_id: int, week: str) -> list[datetime]:
    """How far back digests that never reached the manager reached: the next one covers their work."""
    return list(session.scalars(select(DigestRun.floor).where(*_undelivered(manager_member_id, week))))


def _release_undelivered(session: Session, manager_member_id: int, week: str) -> None:
    """Digests of other weeks that never reached the manager give their work back to this one."""
    ids = list(session.scalars(select(DigestRun.id).where(*_undelivered(manager_member_id, week))))
    if not ids:
        return
    session.execute(update(Win).where(Win.digest_id.in_(ids)).values(digest_id=None))
    session.execute(update(Plan).where(Plan.plan_digest_id.in_(ids)).values(plan_digest_id=None))
    session.execute(update(Plan).where(Plan.summary_digest_id.in_(ids)).values(summary_digest_id=None))
    session.execute(delete(DigestRun).where(DigestRun.id.in_(ids)))


# -- what a window covers ----------------------------------------------------------------------------------


def covered_wins(window: Window, report_ids: Sequence[int]) -> ColumnElement[bool]:
    """The condition on `wins` for the window's wins: assigned to it, or (pending) assignable to it."""
    if window.digest_id is not None:
        return Win.digest_id == window.digest_id
    return and_(
        Win.member_id.in_(report_ids),
        Win.digest_id.is_(None),
        Win.private.is_(False),
        Win.created_at > window.floor,
        Win.created_at <= window.until,
    )


def _plan_floor(window: Window) -> datetime:
    return window.floor - timedelta(days=1)  # a plan's local date may be a day behind UTC


def _open_plans(session: Session, window: Window, report_ids: Sequence[int]) -> list[Plan]:
    """Posted plans of the reports not yet assigned a posting or an outcome, within the reach."""
    first = _plan_floor(window).date()
    query = select(Plan).where(
        Plan.member_id.in_(report_ids),
        Plan.status.in_(PLAN_SENT),
        Plan.local_date >= first,
        or_(Plan.plan_digest_id.is_(None), Plan.summary_digest_id.is_(None)),
    )
    return list(session.scalars(query))


def outcome_known(plan: Plan, tz: str, now: datetime) -> bool:
    """A plan's outcome is known once it is signed off, or once its member's local day has ended."""
    return plan.status == PlanStatus.SUMMARIZED or local_today(now, tz) > plan.local_date


def _assign(session: Session, window: Window, report_ids: Sequence[int], reports_tz: dict[int, str]) -> None:
    if not report_ids:
        return
    pending = Window(None, window.since, window.until, window.floor)
    session.execute(update(Win).where(covered_wins(pending, report_ids)).values(digest_id=window.digest_id))
    opened = _open_plans(session, pending, report_ids)
    postings = [plan.id for plan in opened if plan.plan_digest_id is None]
    outcomes = [
        plan.id
        for plan in opened
        if plan.summary_digest_id is None and outcome_known(plan, reports_tz[plan.member_id], window.until)
    ]
    # Two statements, not an UPDATE per plan: a team's week is hundreds of plans.
    for column, plan_ids in (("plan_digest_id", postings), ("summary_digest_id", outcomes)):
        if plan_ids:
            session.execute(update(Plan).where(Plan.id.in_(plan_ids)).values({column: window.digest_id}))


@dataclass(frozen=True)
class PlanShown:
    """What a window shows of one plan: its posting, its outcome, or both."""

    plan: Plan
    posting: bool
    outcome: bool


def covered_plans(
    session: Session, window: Window, report_ids: Sequence[int], reports_tz: dict[int, str]
) -> list[PlanShown]:
    """The plans whose posting or outcome the window shows."""
    if not report_ids:
        return []
    if window.digest_id is not None:
        query = select(Plan).where(
            Plan.member_id.in_(report_ids),
            or_(Plan.plan_digest_id == window.digest_id, Plan.summary_digest_id == window.digest_id),
        )
        return [
            PlanShown(p, p.plan_digest_id == window.digest_id, p.summary_digest_id == window.digest_id)
            for p in session.scalars(query)
        ]
    shown = []
    for plan in _open_plans(session, window, report_ids):
        outcome = plan.summary_digest_id is None and outcome_known(
            plan, reports_tz[plan.member_id], window.until
        )
        posting = plan.plan_digest_id is None
        if posting or outcome:
            shown.append(PlanShown(plan, posting, outcome))
    return shown
