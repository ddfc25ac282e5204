"""Remote-work trials: the trial and its check-ins as stored, what the clock takes from them, and the data
their figures are computed from (rules/trial.py). Every query is scoped to one member or one trial.

The clock's part (jobs/tick.py, kinds `checkin`, `checkin_manager` and `overwork`): a check-in's member
copy is due at its `due_at`; taking it sets `member_claimed_at` (compare-and-set, so of two clocks one
takes it) in the transaction that claims it in the ledger. Its manager copy is due only once the member
pressed "Share with my manager" (`shared_at`), at `manager_due_at` (the start of the manager's working
time), and is taken the same way. The overwork guard looks once a week (`trials.overwork_due_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rules.calendar import DateRange, local_today
from rules.deliveries import Kind, Status
from rules.digest import PLAN_WIN, DayTally, Report
from rules.metrics import MetricDef
from rules.plans import PlanStatus
from rules.schedule import is_working_time, next_working_start, weekdays_of
from rules.trial import (
    ANSWER_SEARCH_DAYS,
    Arrangement,
    Asked,
    Moment,
    PlanFacts,
    TrialInputs,
    TrialPlan,
    Value,
    checkin_due,
)
from storage.db import rowcount
from storage.digest import day_overrides, skipped_days, win_tallies, with_holidays
from storage.models import Delivery, Member, Metric, MetricValue, Plan, Trial, TrialCheckin, Win
from storage.questions import asked_between
from storage.schedules import (
    manager_row,
    morning_of,
    overwork_look_at,
    working_hours,
)
from storage.upsert import insert_ignore

CHECKIN, CHECKIN_MANAGER, OVERWORK = Kind.CHECKIN, Kind.CHECKIN_MANAGER, Kind.OVERWORK  # ledger kinds


class TrialRunning(Exception):
    """The member already has a trial running; it is in `trial`."""

    def __init__(self, trial: SavedTrial) -> None:
        super().__init__(f"trial {trial.id} is running")
        self.trial = trial


@dataclass(frozen=True)
class SavedCheckin:
    id: int
    trial_id: int
    day: int
    final: bool
    local_date: date
    due_at: datetime
    state: str  # due, passed (its moment had gone when the trial was recorded), cancelled (ended early)
    member_claimed_at: datetime | None = None
    shared_at: datetime | None = None
    manager_due_at: datetime | None = None
    manager_claimed_at: datetime | None = None
    manager_user_id: str | None = None
    decision: str | None = None
    note: str | None = None
    decided_at: datetime | None = None

    @property
    def period(self) -> str:
        """The ledger period of both copies: the check-in's date, then the trial and day."""
        return f"{self.local_date.isoformat()}#{self.trial_id}-{self.day}"


@dataclass(frozen=True)
class SavedTrial:
    id: int
    workspace_id: str
    member_id: int
    plan: TrialPlan
    manager_user_id: str | None
    response: str | None
    responded_at: datetime | None
    proposal_channel: str | None
    proposal_ts: str | None
    created_at: datetime
    checkins: tuple[SavedCheckin, ...] = ()

    def running(self, today: date) -> bool:
        return self.plan.ended_on is None and today <= self.plan.planned_last

    def previous_day(self, day: int) -> int | None:
        """The check-in before check-in `day` that was (or will be) sent, for the trend."""
        earlier = [c.day for c in self.checkins if c.day < day and c.state == "due"]
        return max(earlier) if earlier else None


def period_of(value: str) -> tuple[int, int] | None:
    """(trial id, day) from a check-in's ledger period; None when it isn't one."""
    _, _, rest = value.partition("#")
    trial, _, day = rest.partition("-")
    return (int(trial), int(day)) if trial.isdigit() and day.isdigit() else None


def _checkin(row: TrialCheckin) -> SavedCheckin:
    return SavedCheckin(
        row.id,
        row.trial_id,
        row.day,
        row.final,
        row.local_date,
        row.due_at,
        row.state,
        row.member_claimed_at,
        row.shared_at,
        row.manager_due_at,
        row.manager_claimed_at,
        row.manager_user_id,
        row.decision,
        row.note,
        row.decided_at,
    )


def _metric(stored: dict) -> MetricDef:
    return MetricDef(
        str(stored.get("name", "")),
        str(stored.get("unit") or "count"),
        str(stored.get("direction") or "higher"),
        stored.get("target"),
        stored.get("per"),
    )


def _plan(row: Trial) -> TrialPlan:
    hours = None
    if row.hours_start is not None and row.hours_end is not None:
        hours = (time(*divmod(row.hours_start, 60)), time(*divmod(row.hours_end, 60)))
    return TrialPlan(
        start=row.start_date,
        arrangement=Arrangement(weekdays_of(row.remote_days), hours, row.reach_via),
        length=row.length_days,
        checkins=tuple(row.checkin_days or ()),
        metrics=tuple(_metric(m) for m in row.metrics or () if isinstance(m, dict)),
        ended_on=row.ended_on,
    )


def _saved(session: Session, row: Trial) -> SavedTrial:
    checkins = session.scalars(
        select(TrialCheckin).where(TrialCheckin.trial_id == row.id).order_by(TrialCheckin.day)
    )
    return SavedTrial(
        row.id,
        row.workspace_id,
        row.member_id,
        _plan(row),
        row.manager_user_id,
        row.response,
        row.responded_at,
        row.proposal_channel,
        row.proposal_ts,
        row.created_at,
        tuple(_checkin(c) for c in checkins),
    )


def trial_of(session: Session, trial_id: int) -> SavedTrial | None:
    row = session.get(Trial, trial_id)
    return _saved(session, row) if row is not None else None


def latest_trial(session: Session, member_id: int) -> SavedTrial | None:
    row = session.scalar(select(Trial).where(Trial.member_id == member_id).order_by(Trial.id.desc()).limit(1))
    return _saved(session, row) if row is not None else None


def create_trial(
    session: Session,
    member_id: int,
    plan: TrialPlan,
    manager_user_id: str | None,
    ref: str | None,
    now: datetime,
) -> tuple[SavedTrial, bool]:
    """Record the trial and its check-ins; (the trial, False) when this request (`ref`) made it already.

    Raises TrialRunning when the member has another trial running. The member's row is locked for the
    check, so two trials started at once can't both pass it (SQLite writes one at a time anyway)."""
    member = session.scalars(select(Member).where(Member.id == member_id).with_for_update()).one()
    if ref is not None:
        same = session.scalar(select(Trial).where(Trial.member_id == member_id, Trial.source_ref == ref))
        if same is not None:
            return _saved(session, same), False
    today = local_today(now, member.tz_override or member.tz)
    current = latest_trial(session, member_id)
    if current is not None and current.running(today):
        raise TrialRunning(current)
    hours = plan.arrangement.hours
    row = Trial(
        workspace_id=member.workspace_id,
        member_id=member_id,
        start_date=plan.start,
        length_days=plan.length,
        checkin_days=list(plan.checkins),
        remote_days=sum(1 << d for d in plan.arrangement.remote_days),
        hours_start=hours[0].hour * 60 + hours[0].minute if hours else None,
        hours_end=hours[1].hour * 60 + hours[1].minute if hours else None,
        reach_via=plan.arrangement.reach_via,
        metrics=[
            {"name": m.name, "unit": m.unit, "direction": m.direction, "target": m.target, "per": m.per}
            for m in plan.metrics
        ],
        manager_user_id=manager_user_id,
        source_ref=ref,
        created_at=now,
        overwork_due_at=overwork_look_at(
            member, max(plan.start + timedelta(days=14), today + timedelta(days=1))
        ),
    )
    session.add(row)
    session.flush()
    _add_checkins(session, member, row.id, plan, plan.checkins, now)
    return _saved(session, row), True


def _add_checkins(
    session: Session, member: Member, trial_id: int, plan: TrialPlan, days: tuple[int, ...], now: datetime
) -> None:
    hours = working_hours(session, member, now)
    for day in days:
        due, on = checkin_due(plan.checkin_date(day), morning_of(member), hours)
        values = {
            "trial_id": trial_id,
            "day": day,
            "final": day == days[-1],
            "local_date": on,
            "due_at": due,
            "state": "due" if due >= now else "passed",
        }
        session.execute(insert_ignore(session, TrialCheckin, values, ["trial_id", "day"]))
    session.flush()


def record_proposal(session: Session, trial_id: int, channel: str, ts: str) -> None:
    session.execute(update(Trial).filter_by(id=trial_id).values(proposal_channel=channel, proposal_ts=ts))


def respond_to_proposal(
    session: Session, trial_id: int, presser: str, response: str, now: datetime
) -> SavedTrial | None:
    """The manager's Accept or Discuss, by the manager the proposal went to only (None for anyone else).
    A second press records the latest answer and when it was given."""
    row = session.get(Trial, trial_id)
    if row is None or not row.manager_user_id or row.manager_user_id != presser:
        return None
    row.response, row.responded_at = response, now
    session.flush()
    return _saved(session, row)


def end_trial(session: Session, member_id: int, now: datetime) -> SavedTrial | None:
    """End the member's running trial: today is its last day; later check-ins are cancelled and the final
    one comes tomorrow morning. None when no trial is running."""
    member = session.get(Member, member_id)
    current = latest_trial(session, member_id)
    if member is None or current is None:
        return None
    today = local_today(now, member.tz_override or member.tz)
    if not current.running(today):
        return None
    row = session.get(Trial, current.id)
    assert row is not None
    row.ended_on = max(today, row.start_date)
    last = (row.ended_on - row.start_date).days + 1
    not_sent = TrialCheckin.member_claimed_at.is_(None)
    session.execute(
        update(TrialCheckin)
        .where(TrialCheckin.trial_id == row.id, TrialCheckin.day > last, not_sent)
        .values(state="cancelled", final=False)
    )
    _add_checkins(session, member, row.id, _plan(row), (last,), now)  # unless check-in `last` exists
    session.execute(
        update(TrialCheckin)
        .where(TrialCheckin.trial_id == row.id, TrialCheckin.day == last)
        .values(final=True, state="due")
    )
    session.flush()
    return _saved(session, row)


def checkin_row(session: Session, checkin_id: int) -> tuple[SavedCheckin, SavedTrial] | None:
    row = session.get(TrialCheckin, checkin_id)
    if row is None:
        return None
    trial = trial_of(session, row.trial_id)
    assert trial is not None
    return _checkin(row), trial


def share_checkin(
    session: Session, checkin_id: int, member_id: int, now: datetime
) -> tuple[SavedCheckin, SavedTrial, str | None] | None:
    """The member's "Share with my manager": due to the manager at the start of their working time.

    Returns the check-in, its trial and the manager it goes to (None: the member names no manager, and
    nothing changes); None when it is not this member's check-in, or its copy was never sent to them.
    Pressing again changes nothing."""
    row = session.get(TrialCheckin, checkin_id, with_for_update=True)
    trial = session.get(Trial, row.trial_id) if row is not None else None
    if row is None or trial is None or trial.member_id != member_id or row.member_claimed_at is None:
        return None
    member = session.get(Member, member_id)
    assert member is not None
    manager = manager_row(session, member, now)
    if manager is None:
        return _checkin(row), _saved(session, trial), None
    if row.shared_at is None:
        hours = working_hours(session, manager, now)
        row.shared_at = now
        # Within the manager's working time: now, else the start of their next working day.
        row.manager_due_at = now if is_working_time(now, hours) else (next_working_start(now, hours) or now)
        row.manager_user_id = manager.user_id
        session.flush()
    return _checkin(row), _saved(session, trial), row.manager_user_id


def decide(
    session: Session, checkin_id: int, presser: str, decision: str, note: str | None, now: datetime
) -> tuple[SavedCheckin, SavedTrial] | None:
    """The manager's Continue, Adjust (with a note) or Let's talk on a check-in they were sent; the latest
    answer is kept with when it was given. None for anyone but that manager."""
    row = session.get(TrialCheckin, checkin_id)
    if (
        row is None
        or not row.manager_user_id
        or row.manager_user_id != presser
        or row.manager_claimed_at is None
    ):
        return None
    row.decision, row.note, row.decided_at = decision, note, now
    session.flush()
    trial = trial_of(session, row.trial_id)
    assert trial is not None
    return _checkin(row), trial


def manager_copy(session: Session, checkin: SavedCheckin) -> tuple[str, str] | None:
    """Where the check-in's manager copy went (channel, ts), from the ledger; None until it is sent."""
    row = session.execute(
        select(Delivery.channel, Delivery.ts).where(
            Delivery.kind == CHECKIN_MANAGER,
            Delivery.period == checkin.period,
            Delivery.status == Status.SENT,
        )
    ).first()
    return (row.channel, row.ts) if row is not None and row.channel and row.ts else None


# -- the clock ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A delivery the clock took: who gets it (the ledger's member, and their user id) and its key."""

    workspace_id: str
    member_id: int  # the ledger row's member: the member, or their manager for the manager's copy
    user_id: str
    kind: str
    period: str
    due_at: datetime
    local_date: date


def due_work(session: Session, now: datetime, limit: int) -> list[tuple[Kind, int]]:
    """(kind, id) of what is due: member copies and manager copies of check-ins (by id), overwork looks (by
    trial id); through the due-at indexes."""
    members = session.scalars(
        select(TrialCheckin.id)
        .where(
            TrialCheckin.due_at <= now, TrialCheckin.state == "due", TrialCheckin.member_claimed_at.is_(None)
        )
        .order_by(TrialCheckin.due_at, TrialCheckin.id)
        .limit(limit)
    )
    managers = session.scalars(
        select(TrialCheckin.id)
        .where(TrialCheckin.manager_due_at <= now, TrialCheckin.manager_claimed_at.is_(None))
        .order_by(TrialCheckin.manager_due_at, TrialCheckin.id)
        .limit(limit)
    )
    guards = session.scalars(
        select(Trial.id)
        .where(Trial.overwork_due_at <= now)
        .order_by(Trial.overwork_due_at, Trial.id)
        .limit(limit)
    )
    return (
        [(CHECKIN, i) for i in members]
        + [(CHECKIN_MANAGER, i) for i in managers]
        + [(OVERWORK, i) for i in guards]
    )


def take(session: Session, kind: str, ident: int, now: datetime) -> Claim | None:
    """Take one due item (compare-and-set, so one clock of two gets it); None when another took it, or
    there is nothing to send any more (the guard then moves on to its next week)."""
    if kind == OVERWORK:
        return _take_guard(session, ident, now)
    column = TrialCheckin.member_claimed_at if kind == CHECKIN else TrialCheckin.manager_claimed_at
    taken = session.execute(
        update(TrialCheckin).where(TrialCheckin.id == ident, column.is_(None)).values({column: now})
    )
    if rowcount(taken) != 1:
        return None
    return _checkin_claim(session, kind, ident)


def peek(session: Session, kind: str, ident: int, now: datetime) -> Claim | None:
    """What `take` would take, changing nothing: for a dry run of the clock (`remote-wins jobs run trial
    --dry-run`). None where `take` would send nothing."""
    if kind == OVERWORK:
        trial = session.get(Trial, ident)
        if trial is None or trial.overwork_due_at is None or trial.overwork_due_at > now:
            return None
        return _guard_claim(session, trial, trial.overwork_due_at)
    row = session.get(TrialCheckin, ident)
    taken = None if row is None else row.member_claimed_at if kind == CHECKIN else row.manager_claimed_at
    if row is None or taken is not None:
        return None
    if kind == CHECKIN and (row.state != "due" or row.due_at > now):
        return None
    if kind == CHECKIN_MANAGER and (row.manager_due_at is None or row.manager_due_at > now):
        return None
    return _checkin_claim(session, kind, ident)


def _checkin_claim(session: Session, kind: str, ident: int) -> Claim | None:
    """Who gets check-in `ident`'s copy of `kind`, and its key; None for a member gone from Slack, or a
    manager copy whose manager is unknown."""
    found = checkin_row(session, ident)
    assert found is not None
    checkin, trial = found
    member = session.get(Member, trial.member_id)
    assert member is not None
    if member.deactivated:  # gone from Slack: nothing more goes to them, nor about them
        return None
    if kind == CHECKIN:
        return Claim(
            trial.workspace_id,
            member.id,
            member.user_id,
            kind,
            checkin.period,
            checkin.due_at,
            checkin.local_date,
        )
    manager = session.scalar(
        select(Member).where(
            Member.workspace_id == trial.workspace_id, Member.user_id == checkin.manager_user_id
        )
    )
    if manager is None or checkin.manager_due_at is None:
        return None
    return Claim(
        trial.workspace_id,
        manager.id,
        manager.user_id,
        kind,
        checkin.period,
        checkin.manager_due_at,
        checkin.local_date,
    )


def _take_guard(session: Session, trial_id: int, now: datetime) -> Claim | None:
    row = session.get(Trial, trial_id)
    if row is None or row.overwork_due_at is None or row.overwork_due_at > now:
        return None
    member = session.get(Member, row.member_id)
    assert member is not None
    due = row.overwork_due_at
    today = local_today(due, member.tz_override or member.tz)
    plan = _plan(row)
    after = today + timedelta(days=7)
    nxt = overwork_look_at(member, after) if after <= plan.last_day + timedelta(days=1) else None
    moved = session.execute(
        update(Trial).where(Trial.id == trial_id, Trial.overwork_due_at == due).values(overwork_due_at=nxt)
    )
    if rowcount(moved) != 1:
        return None
    return _guard_claim(session, row, due)


def _guard_claim(session: Session, row: Trial, due: datetime) -> Claim | None:
    """The overwork look due at `due`: None when the member turned the guard off, left Slack, or the trial
    is over."""
    member = session.get(Member, row.member_id)
    assert member is not None
    if member.deactivated or not member.overwork_guard:
        return None
    today = local_today(due, member.tz_override or member.tz)
    if today > _plan(row).last_day + timedelta(days=1):
        return None
    return Claim(
        row.workspace_id,
        member.id,
        member.user_id,
        OVERWORK,
        f"{today.isoformat()}#{row.id}",  # one look a week: its date keys it
        due,
        today,
    )


# -- the figures' data -------------------------------------------------------------------------------------


def member_report(session: Session, member_id: int) -> Report:
    member = session.get(Member, member_id)
    assert member is not None
    tz = member.tz_override or member.tz
    return Report(
        member_id=member.id,
        user_id=member.user_id,
        name=member.display_name or member.user_id,
        tz=tz,
        remote_weekdays=weekdays_of(member.remote_days),
        tracked_since=local_today(member.created_at, tz),
    )


def trial_inputs(session: Session, member_id: int, plan: TrialPlan, first: date, last: date) -> TrialInputs:
    """What the figures need from `first` to `last` (the trial's days and the weeks before them): shared
    wins only (a private win is never counted), the member's values, plans and the moments wins were
    logged. One query per table."""
    report = member_report(session, member_id)
    member = session.get(Member, member_id)
    assert member is not None
    span = DateRange(first, last)
    tallies: list[DayTally] = win_tallies(session, [member_id], span)
    logged_values = session.execute(
        select(MetricValue.local_date, Metric.name, MetricValue.value, MetricValue.day_kind)
        .join(Metric, Metric.id == MetricValue.metric_id)
        .where(MetricValue.member_id == member_id, MetricValue.local_date.between(first, last))
    ).all()
    win_values = session.execute(
        select(Win.local_date, Win.metric_name, Win.metric_value).where(
            Win.member_id == member_id,
            Win.local_date.between(first, last),
            Win.private.is_(False),
            Win.source != PLAN_WIN,
            Win.metric_name.is_not(None),
            Win.metric_value.is_not(None),
        )
    ).all()
    moments = session.execute(
        select(Win.local_date, Win.created_at).where(
            Win.member_id == member_id,
            Win.local_date.between(first, last),
            Win.private.is_(False),
            Win.source != PLAN_WIN,
        )
    ).all()
    plans = []
    for plan_row in session.scalars(
        select(Plan).where(Plan.member_id == member_id, Plan.local_date.between(first, last))
    ):
        items = plan_row.items or []
        ticked = {i for i in (plan_row.done or []) if isinstance(i, int) and 0 <= i < len(items)}
        plans.append(
            PlanFacts(
                plan_row.local_date,
                PlanStatus(plan_row.status),
                len(items),
                len(ticked),
                plan_row.posted_at,
                plan_row.signed_off,
            )
        )
    overrides = with_holidays(
        session, member.workspace_id, [member_id], span, day_overrides(session, [member_id], span)
    ).get(member_id, {})
    # Questions asked on these dates (the rules keep those of the member's own dates), and the working days
    # their answers may take: up to `ANSWER_SEARCH_DAYS` after the last.
    questions = asked_between(
        session,
        member_id,
        datetime.combine(first - timedelta(days=1), time(), UTC),
        datetime.combine(last + timedelta(days=2), time(), UTC),
    )
    days = (first, last + timedelta(days=ANSWER_SEARCH_DAYS))
    hours = working_hours(session, member, member.created_at, days)  # `days` bound it, not the instant
    return TrialInputs(
        report=report,
        plan=plan,
        tallies=tallies,
        values=[Value(d, n, float(v), k) for d, n, v, k in logged_values]
        # A win's tag is in the tallies already; the query keeps only wins with a name and a value.
        + [Value(d, n, float(v)) for d, n, v in win_values if n is not None and v is not None],
        plans=plans,
        moments=[Moment(d, at) for d, at in moments],
        overrides=overrides,
        skipped=skipped_days(session, [member_id], span).get(member_id, frozenset()),
        workdays=weekdays_of(member.work_days),
        questions=[Asked(asked, answered) for asked, answered in questions],
        hours=hours,
    )


def set_guard(session: Session, member_id: int, on: bool) -> None:
    session.execute(update(Member).filter_by(id=member_id).values(overwork_guard=on))
