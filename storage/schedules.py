"""Members' schedules and the prompt slots derived from them: the indexed table the clock reads.

A slot holds the next instant a member's prompt of one kind is due. It is recomputed whenever what
it depends on changes (settings, overrides, time zone) and advanced after each tick, so the clock
needs no memory of its own and a restart loses nothing.

The weekly slots (rules.deliveries.WEEKLY_KINDS) hang off the manager: a member who is named as manager by
at least one active member has a "digest" slot at their digest time in their zone, and each member who
names a manager has a "recap" slot at their own latest working moment at least `RECAP_LEAD` before that
manager's digest (`rules.schedule.recap_due`). Their `local_date` is the digest's date in the manager's
zone for both, so both name the same ISO week (the ledger period). A manager's time or zone moves their
reports' recaps with it, and a report's hours, days off or holidays move their own. A weekly slot
that is already due is left for the tick, which advances it by the settings as they are then: a change
made in the minute a digest is due never skips that week. A manager the bot has never met gets a
member row (zone UTC, marked never checked, so `bot.directory` refreshes it from Slack when it next
meets them); the listeners ask Slack first where they can, so the row starts with the right zone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, bindparam, delete, literal, select, tuple_, update
from sqlalchemy.orm import Session

from rules.calendar import local_today
from rules.deliveries import PROMPT_KINDS, WEEKLY_KINDS
from rules.holidays import NONE, HolidayCalendar
from rules.schedule import (
    DIGEST,
    HORIZON_DAYS,
    MORNING_SNOOZE,
    RECAP,
    DueSlot,
    Schedule,
    WorkingHours,
    local_instant,
    member_holidays,
    next_prompt,
    next_recap,
    next_weekly,
    weekdays_of,
)
from rules.trial import checkin_due
from storage.db import rowcount
from storage.models import DayOverride, Member, PromptSlot, Trial, TrialCheckin, Workspace
from storage.upsert import insert_ignore

ONE_SHOT_KINDS = (MORNING_SNOOZE,)  # slots that are deleted, not advanced, once handled
NEVER_CHECKED = datetime(1970, 1, 1, tzinfo=UTC)  # tz_checked_at of a manager Slack was never asked about
Due = tuple[datetime, date]  # a slot's next (UTC instant, local date)


def schedule_of(member: Member, holidays: HolidayCalendar | None = None) -> Schedule:
    """The member's prompt schedule; `holidays` is their calendar (`holiday_calendar`), None for none."""
    return Schedule(
        tz=member.tz_override or member.tz,
        remote_days=weekdays_of(member.remote_days),
        morning=time(*divmod(member.morning_minute, 60)),
        eod=time(*divmod(member.eod_minute, 60)),
        paused=member.paused,
        active=not member.deactivated,
        holidays=holidays,
    )


# -- working hours and public holidays -------------------------------------------------------------------


def member_calendar(member: Member) -> HolidayCalendar | None:
    """The member's own holiday calendar (None: none of their own, or they chose none)."""
    if member.holiday_country in (None, NONE):
        return None
    return HolidayCalendar(member.holiday_country, member.holiday_region)


def workspace_calendar(session: Session, workspace_id: str) -> HolidayCalendar | None:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None or not workspace.holiday_country:
        return None
    return HolidayCalendar(workspace.holiday_country, workspace.holiday_region)


def holiday_calendar(session: Session, member: Member) -> HolidayCalendar | None:
    """The public holidays that apply to the member: their own, else their workspace's; None for none."""
    if member.holiday_country == NONE:
        return None
    return member_calendar(member) or workspace_calendar(session, member.workspace_id)


def holidays_of(session: Session, member: Member, first: date, last: date) -> dict[date, str]:
    """The member's public holidays (date -> name) from `first` to `last`, by their calendar and less the
    days they marked remote or office (`rules.schedule.member_holidays`): for the digest's day kinds."""
    calendar = holiday_calendar(session, member)
    if calendar is None:
        return {}
    return member_holidays(calendar, first, last, overrides_for(session, member.id, first, last))


def working_hours(
    session: Session, member: Member, around: datetime, days: tuple[date, date] | None = None
) -> WorkingHours:
    """The member's working hours, with their days off and worked weekend days from a week before
    `around` to `HORIZON_DAYS` after it (the range the scheduling rules look at), or over `days` (first,
    last) when given, and their holidays."""
    tz = _zone_of(member)
    today = local_today(around, tz)
    first, last = days or (today - timedelta(days=8), today + timedelta(days=HORIZON_DAYS))
    overrides = overrides_for(session, member.id, first, last)
    return WorkingHours(
        tz=tz,
        start=time(*divmod(member.work_start_minute, 60)),
        end=time(*divmod(member.work_end_minute, 60)),
        workdays=weekdays_of(member.work_days),
        days_off=frozenset(day for day, kind in overrides.items() if kind == "off"),
        extra_days=frozenset(day for day, kind in overrides.items() if kind != "off"),
        holidays=holiday_calendar(session, member),
    )


def overrides_for(session: Session, member_id: int, first: date, last: date) -> dict[date, str]:
    rows = session.execute(
        select(DayOverride.local_date, DayOverride.kind).where(
            DayOverride.member_id == member_id, DayOverride.local_date.between(first, last)
        )
    )
    return {day: kind for day, kind in rows}


_OVERRIDE_ON = (
    select(DayOverride.__table__.c.kind)
    .where(DayOverride.__table__.c.member_id == bindparam("member_id"))
    .where(DayOverride.__table__.c.local_date == bindparam("day"))
)


def override_on(session: Session, member_id: int, day: date) -> dict[date, str]:
    """The member's override for one day, as `overrides_for` gives it; Core and built once, since every
    quick win asks it on the ack path."""
    kind = session.connection().execute(_OVERRIDE_ON, {"member_id": member_id, "day": day}).scalar()
    return {day: kind} if kind else {}


def _upcoming_overrides(session: Session, member: Member, after: datetime) -> dict[date, str]:
    today = local_today(after, member.tz_override or member.tz)
    return overrides_for(session, member.id, today - timedelta(days=1), today + timedelta(days=HORIZON_DAYS))


def reschedule(session: Session, member_id: int, now: datetime) -> None:
    """Recompute the member's recurring slots from their settings as of `now`."""
    member = session.get(Member, member_id)
    if member is None:
        return
    schedule = schedule_of(member, holiday_calendar(session, member))
    overrides = _upcoming_overrides(session, member, now)
    for kind in PROMPT_KINDS:
        nxt = next_prompt(schedule, kind, now, overrides)
        session.execute(delete(PromptSlot).filter_by(member_id=member_id, kind=kind))
        if nxt is not None:
            session.add(PromptSlot(member_id=member_id, kind=kind, due_at=nxt[0], local_date=nxt[1]))
    _reschedule_weekly(session, member, now)
    reschedule_trials(session, member, now)
    session.flush()


# -- a remote-work trial's check-ins and overwork looks ---------------------------------------------------


def morning_of(member: Member) -> time:
    return time(*divmod(member.morning_minute, 60))


def overwork_look_at(member: Member, day: date) -> datetime:
    """The overwork guard's look: the member's morning on the first Monday from `day`, in their zone."""
    monday = day + timedelta(days=(7 - day.weekday()) % 7)
    return local_instant(monday, morning_of(member), _zone_of(member))


def reschedule_trials(session: Session, member: Member, now: datetime) -> None:
    """Move the member's pending check-ins (due, their copy not taken yet) to their morning on the first
    working day from each one's date, and their trials' next overwork look to their morning of its Monday,
    by the settings as they are now: a new morning time, zone, working days or day off moves them as it
    moves the prompts. A copy the clock took meanwhile is left alone (the update is a compare-and-set)."""
    pending = session.execute(
        select(TrialCheckin.id, TrialCheckin.day, Trial.start_date)
        .join(Trial, Trial.id == TrialCheckin.trial_id)
        .where(
            Trial.member_id == member.id,
            TrialCheckin.state == "due",
            TrialCheckin.member_claimed_at.is_(None),
        )
    ).all()
    if pending:
        hours = working_hours(session, member, now)
        for checkin_id, offset, start in pending:
            due_at, on = checkin_due(start + timedelta(days=offset), morning_of(member), hours)
            session.execute(
                update(TrialCheckin)
                .where(TrialCheckin.id == checkin_id, TrialCheckin.member_claimed_at.is_(None))
                .values(due_at=due_at, local_date=on)
            )
    looks = session.execute(
        select(Trial.id, Trial.overwork_due_at).where(
            Trial.member_id == member.id, Trial.overwork_due_at.is_not(None)
        )
    ).all()
    for trial_id, due in looks:
        assert due is not None  # the query keeps only trials with a look
        # The look's Monday, read in the new zone: a morning moves a day at most either way.
        day = local_today(due, _zone_of(member))
        monday = day - timedelta(days=day.weekday()) if day.weekday() < 3 else day
        session.execute(
            update(Trial)
            .where(Trial.id == trial_id, Trial.overwork_due_at == due)
            .values(overwork_due_at=overwork_look_at(member, monday))
        )


# -- the weekly digest and recap ---------------------------------------------------------------------------


def digest_time(member: Member) -> time:
    return time(*divmod(member.digest_minute, 60))


def _zone_of(member: Member) -> str:
    return member.tz_override or member.tz


def _names_a_manager(member: Member) -> bool:
    return bool(member.manager_user_id) and member.manager_user_id != member.user_id


def _reports_query(manager: Member) -> Select[Member]:
    """Who the manager's digest is about (sharing or not: the digest skips the paused at send time)."""
    return select(Member).where(
        Member.workspace_id == manager.workspace_id,
        Member.manager_user_id == manager.user_id,
        Member.user_id != manager.user_id,
        Member.deactivated.is_(False),
    )


def manager_row(session: Session, member: Member, now: datetime | None = None) -> Member | None:
    """The row of the member's manager; given `now`, created when missing (see the module doc)."""
    if not _names_a_manager(member):
        return None
    if now is not None:
        values = {
            "workspace_id": member.workspace_id,
            "user_id": member.manager_user_id,
            "tz": "UTC",
            "display_name": "",
            "tz_checked_at": NEVER_CHECKED,
            "created_at": now,
        }
        session.execute(insert_ignore(session, Member, values, ["workspace_id", "user_id"]))
    return session.scalars(
        select(Member).filter_by(workspace_id=member.workspace_id, user_id=member.manager_user_id)
    ).one_or_none()


def next_digest(session: Session, manager: Member, after: datetime) -> Due | None:
    """The manager's next digest strictly after `after`; None unless an active member names them."""
    if manager.deactivated:
        return None
    if session.scalar(_reports_query(manager).with_only_columns(Member.id).limit(1)) is None:
        return None
    return next_weekly(manager.digest_weekday, digest_time(manager), _zone_of(manager), after)


def next_recap_of(
    session: Session, member: Member, after: datetime, manager: Member | None = None
) -> Due | None:
    """The member's next recap strictly after `after`, by their manager's digest time and zone and within
    their own working hours (`rules.schedule.recap_due`); None without a manager, or while paused (the
    recap is a prompt to them) or gone."""
    if member.deactivated or member.paused or not _names_a_manager(member):
        return None
    manager = manager or manager_row(session, member)
    if manager is None or manager.deactivated:
        return None
    hours = working_hours(session, member, after)
    return next_recap(manager.digest_weekday, digest_time(manager), _zone_of(manager), after, hours)


def digest_after(manager: Member, instant: datetime) -> datetime:
    """The manager's first digest strictly after `instant`: the one a recap due at `instant` is before."""
    return next_weekly(manager.digest_weekday, digest_time(manager), _zone_of(manager), instant)[0]


def _set_weekly(session: Session, member_id: int, kind: str, nxt: Due | None, now: datetime) -> None:
    """Store a weekly slot's next occurrence, unless the stored one is already due (the tick's, then)."""
    stored = session.execute(
        select(PromptSlot.due_at, PromptSlot.local_date).filter_by(member_id=member_id, kind=kind)
    ).first()
    if stored is not None and (stored.due_at <= now or tuple(stored) == nxt):
        return
    if nxt is None:
        session.execute(delete(PromptSlot).filter_by(member_id=member_id, kind=kind))
    elif stored is None:
        values = {"member_id": member_id, "kind": kind, "due_at": nxt[0], "local_date": nxt[1]}
        session.execute(insert_ignore(session, PromptSlot, values, ["member_id", "kind"]))
    else:
        session.execute(
            update(PromptSlot)
            .filter_by(member_id=member_id, kind=kind)
            .values(due_at=nxt[0], local_date=nxt[1])
        )


def _reschedule_weekly(session: Session, member: Member, now: datetime) -> None:
    """The member's recap (as a report), their digest (as a manager) and their reports' recaps; and, when
    they name a manager, that manager's digest, which their first report starts."""
    manager = manager_row(session, member, now) if not member.deactivated else None
    if manager is not None:
        _set_weekly(session, manager.id, DIGEST, next_digest(session, manager, now), now)
    _set_weekly(session, member.id, RECAP, next_recap_of(session, member, now, manager), now)
    _set_weekly(session, member.id, DIGEST, next_digest(session, member, now), now)
    for report in session.scalars(_reports_query(member)):  # the digest's day, time and zone are theirs
        _set_weekly(session, report.id, RECAP, next_recap_of(session, report, now, member), now)


def reschedule_digest(session: Session, workspace_id: str, manager_user_id: str, now: datetime) -> None:
    """A member dropped or changed manager: the old manager's digest stops with their last report."""
    manager = session.scalars(
        select(Member).filter_by(workspace_id=workspace_id, user_id=manager_user_id)
    ).one_or_none()
    if manager is not None:
        _set_weekly(session, manager.id, DIGEST, next_digest(session, manager, now), now)
        session.flush()


def deactivate(session: Session, member_id: int) -> None:
    """Slack says the member is gone: flag them and drop every slot, snoozes too, so nothing more is sent."""
    session.execute(update(Member).filter_by(id=member_id).values(deactivated=True))
    session.execute(delete(PromptSlot).filter_by(member_id=member_id))
    session.flush()


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
    query = (
        select(PromptSlot.member_id, PromptSlot.kind, PromptSlot.due_at, PromptSlot.local_date)
        .add_columns(Member.workspace_id)
        .join(Member, Member.id == PromptSlot.member_id)
        .where(PromptSlot.due_at <= now)
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
    if slot.kind in WEEKLY_KINDS:
        nxt = (next_digest if slot.kind == DIGEST else next_recap_of)(session, member, slot.due_at)
        return None if nxt is None else DueSlot(slot.member_id, slot.kind, nxt[0], nxt[1])
    overrides = _upcoming_overrides(session, member, slot.due_at)
    nxt = next_prompt(
        schedule_of(member, holiday_calendar(session, member)), slot.kind, slot.due_at, overrides
    )
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
        return rowcount(result) == 1
    nxt = next_occurrence(session, slot)
    where = {"member_id": slot.member_id, "kind": slot.kind, "due_at": slot.due_at}
    if nxt is None:
        result = session.execute(delete(PromptSlot).filter_by(**where))
    else:
        result = session.execute(
            update(PromptSlot).filter_by(**where).values(due_at=nxt.due_at, local_date=nxt.local_date)
        )
    return rowcount(result) == 1


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
