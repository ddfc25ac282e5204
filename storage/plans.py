"""Remote days' plans and their end-of-day summaries: one row per member and local date.

A row starts as a `draft` (items carried over, or tomorrow's plan written the evening before),
becomes `posted` when the member sends the morning plan, or `skipped`; the end-of-day summary
marks it `summarized`. Items are kept as typed; `done` holds indexes into them.

A done item is a win only when the member says so at sign-off (`SignOff.wins`), or when it repeats a
win they logged that day and they link the two (`SignOff.links`): no item is counted twice, and none
becomes a win behind their back. Open items go on to the next plan day: after a sign-off when the
member keeps "carry" ticked, and, for a day that ends without one, at the next remote morning
(`carry_unanswered`), once.

A plan or summary for the member's manager that would reach them outside their working hours is held
(`held_until`: the start of the manager's next working day) and goes with whatever else of that day is
still held, in one message, when the clock takes it (`take_held`, jobs/tick.py; ledger kind `held_post`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rules.calendar import DateRange
from rules.deliveries import Kind
from rules.plans import linkable
from rules.schedule import HORIZON_DAYS, WorkingHours, day_kind, is_working_time, next_working_start
from rules.wins import SavedWin, WinDraft
from storage.members import MemberRef
from storage.models import Member, Plan, Win
from storage.schedules import holiday_calendar, overrides_for, schedule_of, working_hours
from storage.upsert import insert_ignore
from storage.wins import add_win, wins_between

AVAILABILITY_LENGTH = 200  # the reachable and reach_via columns
CARRY_ATTEMPTS = 30  # plan days looked at for one that is still open
HELD_POST = Kind.HELD_POST  # the ledger kind of a day's plan and summary held for the manager's morning
UNMET_MANAGER_ZONE = "UTC"  # a manager with no member row: nobody has asked Slack for their zone yet


@dataclass(frozen=True)
class SavedPlan:
    """A plan as stored: what renderers and listeners receive."""

    id: int
    member_id: int
    local_date: date
    status: str
    items: tuple[str, ...]
    reachable: str | None
    reach_via: str | None
    channel: str | None  # where the day's messages went (the plan, else the summary)
    ts: str | None  # the posted plan; None when it could not be posted
    done: tuple[int, ...]
    blockers: str | None
    signed_off: str | None
    summary_ts: str | None
    item_wins: tuple[tuple[int, int], ...] = ()  # (item index, win id): done items that are wins
    carried: bool = False  # the day ended without a sign-off, and its open items went on
    held_until: datetime | None = None  # waiting for the manager's working hours

    @property
    def posted(self) -> bool:
        """The member sent this plan in the morning (whether or not Slack took the message)."""
        return self.status in ("posted", "summarized")

    @property
    def open_items(self) -> list[str]:
        return [item for i, item in enumerate(self.items) if i not in self.done]

    @property
    def win_of(self) -> dict[int, int]:
        """Item index → the win it is (made from it at sign-off, or linked to it)."""
        return dict(self.item_wins)


@dataclass(frozen=True)
class Audience:
    """Where a member's plan and summary go: a channel id, or a user id for a DM."""

    channel: str
    kind: str  # "channel", "manager" or "self"
    missing: str | None = None  # why it fell back to the member's own DM


@dataclass(frozen=True)
class PlanOwner:
    """The member as the plan flows need them: effective zone and where they share."""

    member_id: int
    workspace_id: str
    user_id: str
    tz: str  # the override, else Slack's zone
    share_to: str
    share_channel_id: str | None
    manager_user_id: str | None

    def audience(self) -> Audience:
        """The member's choice, or their own DM when the choice lacks a channel or a manager."""
        if self.share_to == "channel":
            if self.share_channel_id:
                return Audience(self.share_channel_id, "channel")
            return Audience(self.user_id, "self", "no team channel is set")
        if self.share_to == "manager":
            if self.manager_user_id:
                return Audience(self.manager_user_id, "manager")
            return Audience(self.user_id, "self", "no manager is set")
        return Audience(self.user_id, "self")


@dataclass(frozen=True)
class SignOff:
    """What the end-of-day form said, already checked."""

    done: frozenset[int]
    blockers: str | None
    signed_off: str  # local "HH:MM"
    carry: bool
    tomorrow: tuple[str, ...]
    wins: frozenset[int] = frozenset()  # done items the member also logs as wins (none unless chosen)
    links: tuple[tuple[int, int], ...] = ()  # (item index, win id): done items repeating a logged win
    metric: tuple[str, float] | None = None  # (one of the member's metrics, the day's number for it)


@dataclass(frozen=True)
class SignedOff:
    """The day as summarized, and where the rest of the work went."""

    plan: SavedPlan
    wins: list[SavedWin]  # the day's wins, including those made from items the member picked
    next_day: date | None  # the draft's date; None when nothing was carried, or no open day was found
    carried: tuple[str, ...]


def _saved(plan: Plan) -> SavedPlan:
    return SavedPlan(
        id=plan.id,
        member_id=plan.member_id,
        local_date=plan.local_date,
        status=plan.status,
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
            Plan.status.in_(("posted", "summarized")),
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
        "status": "draft",
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
    if plan.status == "summarized":
        return None
    plan.status, plan.items, plan.done = "posted", list(items), []
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
    if plan.status == "draft":
        plan.status, plan.updated_at = "skipped", now
        session.flush()
    return _saved(plan)


def tick_items(
    session: Session, member_id: int, day: date, shown: range, ticked: set[int], now: datetime
) -> None:
    """Checkboxes ticked in the end-of-day message: replace the ticks among the `shown` indexes."""
    plan = session.scalar(select(Plan).filter_by(member_id=member_id, local_date=day).with_for_update())
    if plan is None or plan.status != "posted":
        return
    kept = {i for i in plan.done or () if i not in shown}
    plan.done = sorted(kept | {i for i in ticked if i in shown and i < len(plan.items)})
    plan.updated_at = now


def next_plan_day(session: Session, member_id: int, after: date) -> date:
    """The member's next remote day after `after`; the next calendar day when none is set."""
    member = session.get(Member, member_id)
    fallback = after + timedelta(days=1)
    if member is None:
        return fallback
    schedule = schedule_of(member, holiday_calendar(session, member))  # a holiday is no plan day
    last = after + timedelta(days=HORIZON_DAYS)
    overrides = overrides_for(session, member_id, fallback, last)
    if not schedule.remote_days and "remote" not in overrides.values():
        return fallback
    for offset in range(1, HORIZON_DAYS + 1):
        day = after + timedelta(days=offset)
        if day_kind(schedule, day, overrides) == "remote":
            return day
    return fallback


def add_to_draft(session: Session, member_id: int, day: date, items: list[str], now: datetime) -> bool:
    """Add items to the day's draft (once each); False when that day already has a sent or skipped plan."""
    plan = _row(session, member_id, day, now)
    if plan.status != "draft":
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
    session: Session, member: MemberRef, day: date, form: SignOff, now: datetime, hold: datetime | None = None
) -> SignedOff | None:
    """Summarize the day: the items picked become wins, the rest and tomorrow's plan a draft; None if skipped.

    Only the done items the member picked become wins (category shipped, source summary), keyed by
    plan and item, so sending the form again makes no second copy, and a win made by an earlier send
    that is no longer picked is removed. A done item linked to a win logged that day (not private, not
    made from an item) points to it instead of copying it. A day whose plan was never sent has no items
    to tick; a draft's items then count as not done. A day whose open items were already carried on
    (it had ended unanswered) doesn't carry them again. The summary joins a plan still held for the
    manager; else `hold` (see `manager_hold`) holds a summary not yet posted.
    """
    plan = _row(session, member.id, day, now)
    if plan.status == "skipped":
        return None
    if plan.status == "draft":
        leftover, plan.items = ([] if plan.carried_at else list(plan.items or ())), []
    else:
        leftover = []
    items = list(plan.items or ())
    done = sorted(i for i in form.done if 0 <= i < len(items))
    plan.status, plan.done, plan.blockers = "summarized", done, form.blockers
    plan.signed_off, plan.updated_at = form.signed_off, now
    if hold is not None and plan.held_until is None and plan.summary_ts is None:
        plan.held_until = hold
    session.flush()
    picked = [i for i in done if i in form.wins]
    refs = {i: f"plan:{plan.id}:{i}" for i in picked}
    session.execute(
        delete(Win).where(
            Win.member_id == member.id,
            Win.source == "summary",
            Win.source_ref.startswith(f"plan:{plan.id}:", autoescape=True),
            Win.source_ref.not_in(list(refs.values())),
        )
    )
    item_wins: dict[int, int] = {}
    for i in picked:
        win = WinDraft(items[i], day, category="shipped", day_kind="remote")
        item_wins[i] = add_win(session, member, win, source="summary", source_ref=refs[i], now=now).id
    logged = {w.id for w in linkable(wins_between(session, member.id, DateRange(day, day)))}
    for i, win_id in form.links:
        if i in done and i not in item_wins and win_id in logged:
            item_wins[i] = win_id
    plan.item_wins = [[i, w] for i, w in sorted(item_wins.items())]
    if form.carry and plan.carried_at is None:
        leftover += [item for i, item in enumerate(items) if i not in done]
    carried = tuple(dict.fromkeys(leftover + list(form.tomorrow)))
    next_day = None
    if carried:
        next_day = carry_forward(session, member.id, day, list(carried), now)
    session.flush()
    wins = wins_between(session, member.id, DateRange(day, day))
    return SignedOff(_saved(plan), wins, next_day, carried)


def carry_unanswered(session: Session, member_id: int, day: date, now: datetime) -> int:
    """Before `day`'s morning prompt: the open items of earlier days that ended without a sign-off go to
    the first plan day from `day` on that is still open, as unticked items do after a sign-off.

    A posted plan's open items are those not ticked; a draft's or a skipped day's are all of its items
    (nothing of them was done). Each day is carried once (`carried_at`), and the draft keeps one copy of
    an item, so a morning handled twice, or by two clocks at once, carries nothing twice. Returns how
    many items were carried.
    """
    query = (
        select(Plan)
        .where(Plan.member_id == member_id, Plan.local_date < day, Plan.status != "summarized")
        .where(Plan.carried_at.is_(None))
        .order_by(Plan.local_date)
        .with_for_update()
    )
    moved = 0
    for plan in session.scalars(query).all():
        done = set(plan.done or ()) if plan.status == "posted" else set()
        items = [item for i, item in enumerate(plan.items or ()) if i not in done]
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
    """Until when a post of the member's must wait: the start of their manager's next working day when it
    goes to the manager and `now` is outside the manager's working hours; None when it can go now."""
    audience = owner.audience()
    if audience.kind != "manager":
        return None
    hours = manager_hours(session, owner.workspace_id, audience.channel, now)
    if is_working_time(now, hours):
        return None
    return next_working_start(now, hours)


@dataclass(frozen=True)
class HeldPost:
    """A held day taken for sending: to whom, what of the day goes (the parts not posted yet), and the
    ledger period (the day and the instant it was held until, so a later hold of the same day is its own)."""

    plan_id: int
    member_id: int
    workspace_id: str
    user_id: str
    local_date: date
    held_until: datetime
    to: str  # a channel id, or a user id for a DM
    with_plan: bool
    with_summary: bool

    @property
    def period(self) -> str:
        return f"{self.local_date.isoformat()}@{self.held_until.astimezone(UTC):%Y%m%d%H%M}"


def due_held(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Plans whose held posts are due at `now`, oldest first, through the held_until index."""
    query = select(Plan.id).where(Plan.held_until <= now).order_by(Plan.held_until, Plan.id).limit(limit)
    return list(session.scalars(query))


def _held_post(session: Session, plan: Plan, until: datetime) -> HeldPost | None:
    """What of the day goes, and to whom: the plan if it was never posted, the summary if it wasn't."""
    owner = plan_owner(session, plan.member_id)
    if owner is None:
        return None
    return HeldPost(
        plan_id=plan.id,
        member_id=owner.member_id,
        workspace_id=owner.workspace_id,
        user_id=owner.user_id,
        local_date=plan.local_date,
        held_until=until,
        to=owner.audience().channel,
        with_plan=plan.status in ("posted", "summarized") and plan.ts is None,
        with_summary=plan.status == "summarized" and plan.summary_ts is None,
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
