"""Remote days' plans and their end-of-day summaries, in the database: one row per member and local date.

What a plan is and the rules it follows (statuses, which done items become wins, what carries over) are
rules/plans.py; this module loads and writes the rows. A day that ends without a sign-off has its open
items carried to the next remote morning (`carry_unanswered`), once.

A plan or summary for the member's manager that would reach them outside their working hours is held
(`held_until`: the start of the manager's next working day) and goes with whatever else of that day is
still held, in one message, when the clock takes it (`take_held`, jobs/tick.py; ledger kind `held_post`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rules.calendar import DateRange
from rules.deliveries import Kind
from rules.plans import (
    PLAN_SENT,
    DayEnd,
    HeldPost,
    PlanOwner,
    PlanStatus,
    SavedPlan,
    SignedOff,
    SummaryInput,
    day_end,
    held_parts,
    hold_until,
    item_wins,
    linkable,
    next_remote_day,
    retick,
    unanswered_items,
)
from rules.schedule import HORIZON_DAYS, WorkingHours
from rules.wins import WinDraft
from storage.members import MemberRef
from storage.models import Member, Plan, Win
from storage.schedules import holiday_calendar, overrides_for, schedule_of, working_hours
from storage.upsert import insert_ignore
from storage.wins import add_win, wins_between

CARRY_ATTEMPTS = 30  # plan days looked at for one that is still open
HELD_POST = Kind.HELD_POST  # the ledger kind of a day's plan and summary held for the manager's morning
UNMET_MANAGER_ZONE = "UTC"  # a manager with no member row: nobody has asked Slack for their zone yet


def _saved(plan: Plan) -> SavedPlan:
    return SavedPlan(
        id=plan.id,
        member_id=plan.member_id,
        local_date=plan.local_date,
        status=PlanStatus(plan.status),
        items=tuple(plan.items or ()),
        reachable=plan.reachable,
        reach_via=plan.reach_via,
        channel=plan.channel,
        ts=plan.ts,
        done=tuple(plan.done or ()),
        blockers=plan.blockers,
        signed_off=plan.signed_off,
        summary_ts=plan.summary_ts,
        item_wins=tuple((int(i), int(w)) for i, w in plan.item_wins or ()),
        carried=plan.carried_at is not None,
        held_until=plan.held_until,
    )


def plan_owner(session: Session, member_id: int) -> PlanOwner | None:
    member = session.get(Member, member_id)
    if member is None:
        return None
    return PlanOwner(
        member_id=member.id,
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        tz=member.tz_override or member.tz,
        share_to=member.share_to,
        share_channel_id=member.share_channel_id,
        manager_user_id=member.manager_user_id,
    )


def find_plan(session: Session, member_id: int, day: date) -> SavedPlan | None:
    plan = session.scalar(select(Plan).filter_by(member_id=member_id, local_date=day))
    return _saved(plan) if plan else None


def last_availability(session: Session, member_id: int, before: date) -> tuple[str | None, str | None]:
    """The hours and the way to reach the member they gave last time, to prefill the next plan."""
    row = session.execute(
        select(Plan.reachable, Plan.reach_via)
        .where(
            Plan.member_id == member_id,
            Plan.local_date < before,
            Plan.status.in_(PLAN_SENT),
            (Plan.reachable.is_not(None)) | (Plan.reach_via.is_not(None)),
        )
        .order_by(Plan.local_date.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _row(session: Session, member_id: int, day: date, now: datetime) -> Plan:
    """The day's row, created as an empty draft if missing, and locked for this transaction."""
    values: dict[str, Any] = {
        "member_id": member_id,
        "local_date": day,
        "status": PlanStatus.DRAFT,
        "items": [],
        "done": [],
        "created_at": now,
        "updated_at": now,
    }
    session.execute(insert_ignore(session, Plan, values, ["member_id", "local_date"]))
    query = select(Plan).filter_by(member_id=member_id, local_date=day).with_for_update()
    return session.scalars(query).one()


def post_plan(
    session: Session,
    member_id: int,
    day: date,
    items: list[str],
    reachable: str | None,
    reach_via: str | None,
    now: datetime,
    hold: datetime | None = None,
) -> SavedPlan | None:
    """Store the morning plan (sending it again replaces it); None once the day is summarized.

    `hold` (see `manager_hold`) keeps a plan not yet posted from being posted until then; a plan still
    held stays held, and goes as it is when the clock takes it.
    """
    plan = _row(session, member_id, day, now)
    if plan.status == PlanStatus.SUMMARIZED:
        return None
    plan.status, plan.items, plan.done = PlanStatus.POSTED, list(items), []
    plan.reachable, plan.reach_via, plan.updated_at = reachable, reach_via, now
    plan.posted_at = plan.posted_at or now  # the day's start, for a trial's figures (rules/trial.py)
    if hold is not None and plan.held_until is None and plan.ts is None:
        plan.held_until = hold
    session.flush()
    return _saved(plan)


def record_posted(session: Session, plan_id: int, channel: str, ts: str, now: datetime) -> None:
    """Where the plan went, so a resubmission edits that message and the summary can reply in its thread."""
    plan = session.get(Plan, plan_id)
    if plan is not None:
        plan.channel, plan.ts, plan.updated_at = channel, ts, now


def record_summary(session: Session, plan_id: int, channel: str, ts: str, now: datetime) -> None:
    plan = session.get(Plan, plan_id)
    if plan is not None:
        plan.channel = plan.channel or channel
        plan.summary_ts, plan.updated_at = ts, now


def skip_day(session: Session, member_id: int, day: date, now: datetime) -> SavedPlan:
    """Mark the day skipped, unless a plan was already sent; the result says which it is."""
    plan = _row(session, member_id, day, now)
    if plan.status == PlanStatus.DRAFT:
        plan.status, plan.updated_at = PlanStatus.SKIPPED, now
        session.flush()
    return _saved(plan)


def tick_items(
    session: Session, member_id: int, day: date, shown: range, ticked: set[int], now: datetime
) -> None:
    """Checkboxes ticked in the end-of-day message: replace the ticks among the `shown` indexes."""
    plan = session.scalar(select(Plan).filter_by(member_id=member_id, local_date=day).with_for_update())
    if plan is None or plan.status != PlanStatus.POSTED:
        return
    plan.done = retick(plan.done or (), shown, ticked, len(plan.items or ()))
    plan.updated_at = now


def next_plan_day(session: Session, member_id: int, after: date) -> date:
    """The member's next remote day after `after`; the next calendar day when none is set."""
    member = session.get(Member, member_id)
    if member is None:
        return after + timedelta(days=1)
    schedule = schedule_of(member, holiday_calendar(session, member))  # a holiday is no plan day
    overrides = overrides_for(
        session, member_id, after + timedelta(days=1), after + timedelta(days=HORIZON_DAYS)
    )
    return next_remote_day(schedule, overrides, after)


def add_to_draft(session: Session, member_id: int, day: date, items: list[str], now: datetime) -> bool:
    """Add items to the day's draft (once each); False when that day already has a sent or skipped plan."""
    plan = _row(session, member_id, day, now)
    if plan.status != PlanStatus.DRAFT:
        return False
    existing = list(plan.items or ())
    plan.items = existing + [item for item in dict.fromkeys(items) if item not in existing]
    plan.updated_at = now
    return True


def carry_forward(
    session: Session, member_id: int, day: date, items: list[str], now: datetime
) -> date | None:
    """Put items on the first plan day after `day` still open (a day already sent is passed over)."""
    target = day
    for _ in range(CARRY_ATTEMPTS):
        target = next_plan_day(session, member_id, target)
        if add_to_draft(session, member_id, target, items, now):
            return target
    return None


def sign_off(
    session: Session,
    member: MemberRef,
    day: date,
    form: SummaryInput,
    now: datetime,
    hold: datetime | None = None,
) -> SignedOff | None:
    """Summarize the day (`rules.plans.day_end`): the items picked become wins, the rest and tomorrow's plan
    a draft; None if skipped.

    Wins made from items (category shipped, source summary) are keyed by plan and item, so sending the
    form again makes no second copy, and a win made by an earlier send that is no longer picked is removed.
    A done item linked to a win logged that day points to it instead of copying it (`rules.plans.item_wins`).
    The summary joins a plan still held for the manager; else `hold` (see `manager_hold`) holds a summary
    not yet posted.
    """
    plan = _row(session, member.id, day, now)
    if plan.status == PlanStatus.SKIPPED:
        return None
    end = day_end(PlanStatus(plan.status), plan.items or (), plan.carried_at is not None, form)
    plan.status, plan.items, plan.done = PlanStatus.SUMMARIZED, list(end.items), list(end.done)
    plan.blockers, plan.signed_off, plan.updated_at = form.blockers, form.signed_off, now
    if hold is not None and plan.held_until is None and plan.summary_ts is None:
        plan.held_until = hold
    session.flush()
    made = _wins_from_items(session, member, plan.id, day, end, now)
    logged = {w.id for w in linkable(wins_between(session, member.id, DateRange(day, day)))}
    plan.item_wins = [[i, w] for i, w in sorted(item_wins(made, form.links, end.done, logged).items())]
    next_day = None
    if end.carried:
        next_day = carry_forward(session, member.id, day, list(end.carried), now)
    session.flush()
    wins = wins_between(session, member.id, DateRange(day, day))
    return SignedOff(_saved(plan), wins, next_day, end.carried)


def _wins_from_items(
    session: Session, member: MemberRef, plan_id: int, day: date, end: DayEnd, now: datetime
) -> dict[int, int]:
    """Item index → the win made from it, for the items picked; those made before and no longer picked go."""
    refs = {i: f"plan:{plan_id}:{i}" for i in end.as_wins}
    session.execute(
        delete(Win).where(
            Win.member_id == member.id,
            Win.source == "summary",
            Win.source_ref.startswith(f"plan:{plan_id}:", autoescape=True),
            Win.source_ref.not_in(list(refs.values())),
        )
    )
    made = {}
    for i in end.as_wins:
        win = WinDraft(end.items[i], day, category="shipped", day_kind="remote")
        made[i] = add_win(session, member, win, source="summary", source_ref=refs[i], now=now).id
    return made


def carry_unanswered(session: Session, member_id: int, day: date, now: datetime) -> int:
    """Before `day`'s morning prompt: the open items of earlier days that ended without a sign-off
    (`rules.plans.unanswered_items`) go to the first plan day from `day` on that is still open, as
    unticked items do after a sign-off.

    Each day is carried once (`carried_at`), and the draft keeps one copy of an item, so a morning handled
    twice, or by two clocks at once, carries nothing twice. Returns how many items were carried.
    """
    query = (
        select(Plan)
        .where(Plan.member_id == member_id, Plan.local_date < day, Plan.status != PlanStatus.SUMMARIZED)
        .where(Plan.carried_at.is_(None))
        .order_by(Plan.local_date)
        .with_for_update()
    )
    moved = 0
    for plan in session.scalars(query).all():
        items = unanswered_items(PlanStatus(plan.status), plan.items or (), set(plan.done or ()))
        if items and carry_forward(session, member_id, day - timedelta(days=1), items, now) is None:
            continue  # no open plan day ahead: tried again next morning
        plan.carried_at, plan.updated_at = now, now
        moved += len(items)
    session.flush()
    return moved


# -- posts held for the manager's working hours ------------------------------------------------------------


def manager_hours(session: Session, workspace_id: str, user_id: str, now: datetime) -> WorkingHours:
    """The manager's working hours: their own settings, or the defaults in their zone (a manager who never
    used the bot has only the row `storage.schedules.manager_row` made for them); UTC for one unmet."""
    manager = session.scalars(select(Member).filter_by(workspace_id=workspace_id, user_id=user_id)).first()
    if manager is None:
        return WorkingHours(tz=UNMET_MANAGER_ZONE)
    return working_hours(session, manager, now)


def manager_hold(session: Session, owner: PlanOwner, now: datetime) -> datetime | None:
    """Until when a post of the member's must wait (`rules.plans.hold_until`): None unless it goes to the
    manager and `now` is outside the manager's working hours."""
    audience = owner.audience()
    if audience.kind != "manager":
        return None
    return hold_until(now, manager_hours(session, owner.workspace_id, audience.channel, now))


def due_held(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Plans whose held posts are due at `now`, oldest first, through the held_until index."""
    query = select(Plan.id).where(Plan.held_until <= now).order_by(Plan.held_until, Plan.id).limit(limit)
    return list(session.scalars(query))


def _held_post(session: Session, plan: Plan, until: datetime) -> HeldPost | None:
    """What of the day goes, and to whom: the plan if it was never posted, the summary if it wasn't."""
    owner = plan_owner(session, plan.member_id)
    if owner is None:
        return None
    with_plan, with_summary = held_parts(PlanStatus(plan.status), plan.ts, plan.summary_ts)
    return HeldPost(
        plan_id=plan.id,
        member_id=owner.member_id,
        workspace_id=owner.workspace_id,
        user_id=owner.user_id,
        local_date=plan.local_date,
        held_until=until,
        to=owner.audience().channel,
        with_plan=with_plan,
        with_summary=with_summary,
    )


def take_held(session: Session, plan_id: int, now: datetime) -> HeldPost | None:
    """Release a due hold for sending, under the plan's row lock: None when another tick took it first.

    What goes is fixed here; a sign-off after this no longer joins it, and is posted (or held) on its own.
    """
    query = select(Plan).where(Plan.id == plan_id, Plan.held_until <= now).with_for_update()
    plan = session.scalars(query).first()
    if plan is None or plan.held_until is None:
        return None
    until, plan.held_until = plan.held_until, None
    return _held_post(session, plan, until)


def peek_held(session: Session, plan_id: int) -> HeldPost | None:
    """The held day as `take_held` would take it, without taking it (a dry run)."""
    plan = session.get(Plan, plan_id)
    if plan is None or plan.held_until is None:
        return None
    return _held_post(session, plan, plan.held_until)


def held_again(session: Session, member_id: int, day: date, until: datetime) -> HeldPost | None:
    """A held day whose send failed for a passing reason, to try again: what of it is still not posted."""
    plan = session.scalars(select(Plan).filter_by(member_id=member_id, local_date=day)).first()
    return _held_post(session, plan, until) if plan is not None else None


def record_held(session: Session, held: HeldPost, channel: str, ts: str, now: datetime) -> None:
    """Where the held day went: the plan's message and the summary's, so a sign-off sent again edits it."""
    plan = session.get(Plan, held.plan_id)
    if plan is None:
        return
    plan.channel = plan.channel or channel
    if held.with_plan:
        plan.channel, plan.ts = channel, ts
    if held.with_summary:
        plan.summary_ts = ts
    plan.updated_at = now
