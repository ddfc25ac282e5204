"""A member's prompt settings and day overrides, read and written inside the caller's transaction.

Every write ends with `storage.schedules.reschedule` in that same transaction, so the slots the clock
reads can never disagree with what the member has just been told.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.calendar import local_today
from rules.deliveries import WEEKLY_KINDS, DeliveryRecord, Status
from rules.holidays import NONE, HolidayCalendar
from rules.schedule import DIGEST, HORIZON_DAYS, weekdays_of
from rules.settings import DigestSnapshot, DigestTime, MemberSettings, SettingsSnapshot
from storage.ledger import deliveries_for
from storage.models import DayOverride, Member, Workspace
from storage.schedules import (
    digest_time,
    member_calendar,
    next_slots,
    overrides_for,
    reschedule,
    reschedule_digest,
    workspace_calendar,
)
from storage.upsert import dialect_insert

RECENT_PROBLEM = timedelta(days=14)  # an older failure is history, not something to fix


def _member(session: Session, member_id: int, *, for_update: bool = False) -> Member:
    member = session.get(Member, member_id, with_for_update=for_update)
    if member is None:
        raise LookupError(f"no member {member_id}")
    return member


def settings_of(session: Session, member_id: int, *, for_update: bool = False) -> MemberSettings:
    """The member's settings; `for_update` locks the row (PostgreSQL) so two changes can't interleave."""
    member = _member(session, member_id, for_update=for_update)
    return MemberSettings(
        slack_tz=member.tz,
        tz_override=member.tz_override,
        remote_days=weekdays_of(member.remote_days),
        morning=time(*divmod(member.morning_minute, 60)),
        eod=time(*divmod(member.eod_minute, 60)),
        manager=member.manager_user_id,
        share_to=member.share_to,
        share_channel=member.share_channel_id,
        paused=member.paused,
        slack_tz_known=not member.tz_unknown,
        work_start=time(*divmod(member.work_start_minute, 60)),
        work_end=time(*divmod(member.work_end_minute, 60)),
        workdays=weekdays_of(member.work_days),
        own_holidays=member_calendar(member),
        no_holidays=member.holiday_country == NONE,
        workspace_holidays=workspace_calendar(session, member.workspace_id),
    )


def save_settings(session: Session, member_id: int, settings: MemberSettings, now: datetime) -> None:
    """Store checked settings (see `rules.settings.problems`) and move the member's prompt slots."""
    member = _member(session, member_id)
    old_manager = member.manager_user_id
    member.tz_override = settings.tz_override
    member.remote_days = sum(1 << day for day in settings.remote_days)
    member.morning_minute = settings.morning.hour * 60 + settings.morning.minute
    member.eod_minute = settings.eod.hour * 60 + settings.eod.minute
    member.manager_user_id = settings.manager
    member.share_to = settings.share_to
    member.share_channel_id = settings.share_channel
    member.paused = settings.paused
    member.work_start_minute = settings.work_start.hour * 60 + settings.work_start.minute
    member.work_end_minute = settings.work_end.hour * 60 + settings.work_end.minute
    member.work_days = sum(1 << day for day in settings.workdays)
    own = settings.own_holidays
    member.holiday_country = NONE if settings.no_holidays else own.country if own else None
    member.holiday_region = own.region if own and not settings.no_holidays else None
    session.flush()
    reschedule(session, member_id, now)
    if old_manager and old_manager != settings.manager:
        reschedule_digest(session, member.workspace_id, old_manager, now)


def set_day_kinds(
    session: Session, member_id: int, first: date, last: date, kind: str, now: datetime
) -> None:
    """Mark each day from `first` to `last` remote, office or off (one row a day, replacing any before)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    statement = dialect_insert(session.get_bind().dialect.name)(DayOverride).values(
        [{"member_id": member_id, "local_date": day, "kind": kind} for day in days]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "local_date"], set_={"kind": statement.excluded.kind}
        )
    )
    reschedule(session, member_id, now)


def set_today(session: Session, member_id: int, kind: str, now: datetime) -> date:
    """Mark the member's own today (in their effective zone) remote, office or off; returns that date."""
    today = local_today(now, settings_of(session, member_id).tz)
    set_day_kinds(session, member_id, today, today, kind, now)
    return today


def snapshot(session: Session, member_id: int, now: datetime) -> SettingsSnapshot:
    settings = settings_of(session, member_id)
    today = local_today(now, settings.tz)
    slots = [slot for slot in next_slots(session, member_id) if slot.kind not in WEEKLY_KINDS]
    overrides = overrides_for(session, member_id, today, today + timedelta(days=HORIZON_DAYS))
    return SettingsSnapshot(
        settings, today, slots[0] if slots else None, overrides, _problem(session, member_id, now)
    )


def digest_snapshot(session: Session, member_id: int) -> DigestSnapshot:
    member = _member(session, member_id)
    due = [slot.due_at for slot in next_slots(session, member_id) if slot.kind == DIGEST]
    return DigestSnapshot(
        DigestTime(member.digest_weekday, digest_time(member)),
        member.tz_override or member.tz,
        due[0] if due else None,
    )


def set_digest_time(session: Session, member_id: int, wanted: DigestTime, now: datetime) -> DigestSnapshot:
    """Move the member's digest, and with it their reports' recaps, in this transaction."""
    member = _member(session, member_id, for_update=True)
    member.digest_weekday = wanted.weekday
    member.digest_minute = wanted.at.hour * 60 + wanted.at.minute
    session.flush()
    reschedule(session, member_id, now)
    return digest_snapshot(session, member_id)


def set_workspace_holidays(
    session: Session, workspace_id: str, calendar: HolidayCalendar | None, now: datetime
) -> int:
    """Make `calendar` the workspace's default (None: no default) and move the prompts and recaps of the
    members who follow it; how many they are. Raises LookupError for a workspace the bot doesn't know."""
    workspace = session.get(Workspace, workspace_id, with_for_update=True)
    if workspace is None:
        raise LookupError(workspace_id)
    workspace.holiday_country = calendar.country if calendar else None
    workspace.holiday_region = calendar.region if calendar else None
    session.flush()
    followers = session.scalars(
        select(Member.id).where(
            Member.workspace_id == workspace_id,
            Member.holiday_country.is_(None),
            Member.deactivated.is_(False),
        )
    ).all()
    for member_id in followers:
        reschedule(session, member_id, now)
    return len(followers)


def _problem(session: Session, member_id: int, now: datetime) -> DeliveryRecord | None:
    failed = deliveries_for(session, member_id, statuses=(Status.FAILED,), limit=1)
    if not failed or now - failed[0].due_at > RECENT_PROBLEM:
        return None
    sent = deliveries_for(session, member_id, statuses=(Status.SENT,), limit=1)
    return None if sent and sent[0].due_at > failed[0].due_at else failed[0]
