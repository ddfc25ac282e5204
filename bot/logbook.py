"""The member's log of wins, as the listeners use it: each function is one short transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.directory import forget_member, member_for
from bot.services import Services
from rules.calendar import DateRange, local_today
from rules.commands import period_range
from rules.schedule import Schedule, weekdays_of, win_day_kind
from rules.wins import SavedWin, WinDraft
from storage import replays, wins
from storage.members import MemberRef
from storage.schedules import override_on

T = TypeVar("T")


def _as_member_now(services: Services, workspace_id: str, user_id: str, save: Callable[[MemberRef], T]) -> T:
    """`save` for the member. One erased by another process (`forget-me`) may still be in this process's
    cache, for up to `MemberCache.TTL`: its id then fails the foreign key, so the copy is dropped and the
    save runs once more, for the member as they are now (a new one, starting from nothing)."""
    try:
        return save(member_for(services, workspace_id, user_id))
    except IntegrityError:
        forget_member(services, workspace_id, user_id)
        return save(member_for(services, workspace_id, user_id))


def today_for(services: Services, workspace_id: str, user_id: str) -> date:
    return local_today(services.clock(), member_for(services, workspace_id, user_id).tz)


def _with_day_kind(session: Session, member: MemberRef, draft: WinDraft) -> WinDraft:
    """A win the member didn't tag is tagged by their schedule: remote, office, or unknown."""
    if draft.day_kind != "unknown":
        return draft
    overrides = override_on(session, member.id, draft.local_date)
    schedule = Schedule(tz=member.tz, remote_days=weekdays_of(member.remote_days))
    return replace(draft, day_kind=win_day_kind(schedule, draft.local_date, overrides))


def save_quick_win(
    services: Services, workspace_id: str, user_id: str, text: str, ref: str
) -> tuple[SavedWin, date]:
    """A one-line win, dated the member's local today."""

    def save(member: MemberRef) -> tuple[SavedWin, date]:
        now = services.clock()
        today = local_today(now, member.tz)
        with services.writing(), services.sessions.begin() as session:
            draft = _with_day_kind(session, member, WinDraft(text, today))
            win = wins.add_win(session, member, draft, source="command", source_ref=ref, now=now)
        return win, today

    return _as_member_now(services, workspace_id, user_id, save)


def save_draft(
    services: Services, workspace_id: str, user_id: str, draft: WinDraft, *, source: str, ref: str
) -> SavedWin:
    def save(member: MemberRef) -> SavedWin:
        with services.writing(), services.sessions.begin() as session:
            tagged = _with_day_kind(session, member, draft)
            return wins.add_win(session, member, tagged, source=source, source_ref=ref, now=services.clock())

    return _as_member_now(services, workspace_id, user_id, save)


def update_own(
    services: Services, workspace_id: str, user_id: str, win_id: int, draft: WinDraft
) -> SavedWin | None:
    member = member_for(services, workspace_id, user_id)
    with services.writing(), services.sessions.begin() as session:
        return wins.update_win(session, member.id, win_id, draft)


def saved_before(services: Services, workspace_id: str, user_id: str, ref: str) -> bool:
    """Whether a win from this request was already saved (so the request was answered already)."""
    member = member_for(services, workspace_id, user_id)
    with services.sessions() as session:
        return wins.has_win_from(session, member.id, ref)


def own_win(services: Services, workspace_id: str, user_id: str, win_id: int) -> SavedWin | None:
    member = member_for(services, workspace_id, user_id)
    with services.sessions() as session:
        return wins.find_win(session, member.id, win_id)


def delete_own(services: Services, workspace_id: str, user_id: str, win_id: int) -> SavedWin | None:
    member = member_for(services, workspace_id, user_id)
    with services.writing(), services.sessions.begin() as session:
        return wins.delete_win(session, member.id, win_id)


class AlreadyDone(Exception):
    """This very request was acted on before (storage/replays.py): it changes nothing again."""


def undo_last(services: Services, workspace_id: str, user_id: str, ref: str | None = None) -> SavedWin | None:
    """Remove the member's latest win; the request `ref` (a command's trigger, a DM) removes one at most,
    however often it arrives."""
    member = member_for(services, workspace_id, user_id)
    with services.writing(), services.sessions.begin() as session:
        first = ref is None or replays.first_time(
            session, workspace_id, member.id, replays.UNDO, ref, services.clock()
        )
        if not first:
            raise AlreadyDone
        last = wins.last_win(session, member.id)
        return wins.delete_win(session, member.id, last.id) if last else None


def wins_in_period(
    services: Services, workspace_id: str, user_id: str, period: str
) -> tuple[list[SavedWin], DateRange, date]:
    member = member_for(services, workspace_id, user_id)
    today = local_today(services.clock(), member.tz)
    span = period_range(period, today)
    with services.sessions() as session:
        return wins.wins_between(session, member.id, span), span, today
