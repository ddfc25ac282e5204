"""Members' schedules and the prompt slots derived from them: the indexed table the clock reads.

A slot holds the next instant a member's prompt of one kind is due. It is recomputed whenever what
it depends on changes (settings, overrides, time zone) and advanced after each tick, so the clock
needs no memory of its own and a restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, literal, select, tuple_, update
from sqlalchemy.orm import Session

from rules.calendar import local_today
from rules.schedule import HORIZON_DAYS, MORNING_SNOOZE, PROMPT_KINDS, Schedule, next_prompt, weekdays_of
from storage.models import DayOverride, Member, PromptSlot

ONE_SHOT_KINDS = (MORNING_SNOOZE,)  # slots that are deleted, not advanced, once handled


def schedule_of(member: Member) -> Schedule:
    return Schedule(
        tz=member.tz_override or member.tz,
        remote_days=weekdays_of(member.remote_days),
        morning=time(*divmod(member.morning_minute, 60)),
        eod=time(*divmod(member.eod_minute, 60)),
        paused=member.paused,
        active=not member.deactivated,
    )


def overrides_for(session: Session, member_id: int, first: date, last: date) -> dict[date, str]:
    rows = session.execute(
        select(DayOverride.local_date, DayOverride.kind).where(
            DayOverride.member_id == member_id, DayOverride.local_date.between(first, last)
        )
    )
    return {day: kind for day, kind in rows}


def _upcoming_overrides(session: Session, member: Member, after: datetime) -> dict[date, str]:
    today = local_today(after, member.tz_override or member.tz)
    return overrides_for(session, member.id, today - timedelta(days=1), today + timedelta(days=HORIZON_DAYS))


def reschedule(session: Session, member_id: int, now: datetime) -> None:
    """Recompute the member's recurring slots from their settings as of `now`."""
    member = session.get(Member, member_id)
    if member is None:
        return
    schedule = schedule_of(member)
    overrides = _upcoming_overrides(session, member, now)
    for kind in PROMPT_KINDS:
        nxt = next_prompt(schedule, kind, now, overrides)
        session.execute(delete(PromptSlot).filter_by(member_id=member_id, kind=kind))
        if nxt is not None:
            session.add(PromptSlot(member_id=member_id, kind=kind, due_at=nxt[0], local_date=nxt[1]))
    session.flush()


def deactivate(session: Session, member_id: int) -> None:
    """Slack says the member is gone: flag them and drop every slot, snoozes too, so nothing more is sent."""
    session.execute(update(Member).filter_by(id=member_id).values(deactivated=True))
    session.execute(delete(PromptSlot).filter_by(member_id=member_id))
    session.flush()


@dataclass(frozen=True)
class DueSlot:
    member_id: int
    kind: str
    due_at: datetime
    local_date: date


def due_slots(
    session: Session,
    now: datetime,
    limit: int = 1000,
    *,
    kinds: Collection[str] | None = None,
    after: DueSlot | None = None,
) -> list[DueSlot]:
    """Slots due at or before `now`, oldest first, through the due_at index.

    `kinds` keeps to some kinds of slot (a tick for mornings only); `after` pages on from the last
    slot of the previous page, in the same total order (due_at, member, kind).
    """
    query = select(PromptSlot.member_id, PromptSlot.kind, PromptSlot.due_at, PromptSlot.local_date).where(
        PromptSlot.due_at <= now
    )
    if kinds is not None:
        query = query.where(PromptSlot.kind.in_(kinds))
    if after is not None:
        query = query.where(
            tuple_(PromptSlot.due_at, PromptSlot.member_id, PromptSlot.kind)
            > tuple_(literal(after.due_at, PromptSlot.due_at.type), after.member_id, after.kind)
        )
    query = query.order_by(PromptSlot.due_at, PromptSlot.member_id, PromptSlot.kind).limit(limit)
    return [DueSlot(*row) for row in session.execute(query)]


def next_occurrence(session: Session, slot: DueSlot) -> DueSlot | None:
    """Where `advance_slot` moves a slot: its next instant by the member's settings (None for one-shots)."""
    member = session.get(Member, slot.member_id)
    if member is None or slot.kind in ONE_SHOT_KINDS:
        return None
    overrides = _upcoming_overrides(session, member, slot.due_at)
    nxt = next_prompt(schedule_of(member), slot.kind, slot.due_at, overrides)
    return None if nxt is None else DueSlot(slot.member_id, slot.kind, nxt[0], nxt[1])


def advance_slot(session: Session, slot: DueSlot) -> bool:
    """Move a handled slot to its next occurrence (or delete a one-shot one).

    Compare-and-set on `due_at`: when two ticks handle the same slot, only one moves it; the other
    gets False. The ledger, not this, is what stops a second send.
    """
    if slot.kind in ONE_SHOT_KINDS:
        result = session.execute(
            delete(PromptSlot).filter_by(member_id=slot.member_id, kind=slot.kind, due_at=slot.due_at)
        )
        return result.rowcount == 1
    nxt = next_occurrence(session, slot)
    where = {"member_id": slot.member_id, "kind": slot.kind, "due_at": slot.due_at}
    if nxt is None:
        result = session.execute(delete(PromptSlot).filter_by(**where))
    else:
        result = session.execute(
            update(PromptSlot).filter_by(**where).values(due_at=nxt.due_at, local_date=nxt.local_date)
        )
    return result.rowcount == 1


def set_one_shot(session: Session, member_id: int, kind: str, due_at: datetime, local_date: date) -> None:
    """A snooze: one more prompt at `due_at` (replacing an earlier snooze of the same kind)."""
    session.execute(delete(PromptSlot).filter_by(member_id=member_id, kind=kind))
    session.add(PromptSlot(member_id=member_id, kind=kind, due_at=due_at, local_date=local_date))
    session.flush()


def next_slots(session: Session, member_id: int) -> list[DueSlot]:
    """The member's upcoming prompts, soonest first (for `settings show` and the App Home)."""
    rows = session.execute(
        select(PromptSlot.member_id, PromptSlot.kind, PromptSlot.due_at, PromptSlot.local_date)
        .where(PromptSlot.member_id == member_id)
        .order_by(PromptSlot.due_at)
    )
    return [DueSlot(*row) for row in rows]
