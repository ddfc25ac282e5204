"""Saving and reading wins. Every query is scoped to one member, so no one can touch another's wins."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import datetime
from functools import cache

from sqlalchemy import Insert, delete, select, update
from sqlalchemy.orm import Session

from rules.calendar import DateRange
from rules.wins import SavedWin, WinDraft
from storage.db import rowcount
from storage.members import MemberRef
from storage.models import Win
from storage.upsert import dialect_insert


def _saved(win: Win) -> SavedWin:
    return SavedWin(
        id=win.id,
        member_id=win.member_id,
        text=win.text,
        local_date=win.local_date,
        category=win.category,
        metric_name=win.metric_name,
        metric_value=win.metric_value,
        link=win.link,
        day_kind=win.day_kind,
        private=win.private,
        source=win.source,
    )


def add_win(
    session: Session,
    member: MemberRef,
    draft: WinDraft,
    *,
    source: str,
    source_ref: str | None,
    now: datetime,
) -> SavedWin:
    """Insert a win; a request sent again with the same `source_ref` returns the first win, not a copy."""
    values = {
        **vars(draft),
        "member_id": member.id,
        "workspace_id": member.workspace_id,
        "source": source,
        "source_ref": source_ref,
        "created_at": now,
    }
    connection = session.connection()  # Core, not the ORM: this insert is on every quick win's ack path
    win_id = connection.execute(_insert_once(connection.dialect.name), values).scalar()
    if win_id is None:  # the same request again: the first win stands
        first = select(Win).filter_by(member_id=member.id, source_ref=source_ref)
        return _saved(session.scalars(first).one())
    return SavedWin(id=win_id, member_id=member.id, source=source, **vars(draft))


@cache
def _insert_once(dialect: str) -> Insert:
    """Built once per backend, so its compiled form is reused."""
    return (
        dialect_insert(dialect)(Win.__table__)
        .on_conflict_do_nothing(index_elements=["member_id", "source_ref"])
        .returning(Win.id)
    )


def has_win_from(session: Session, member_id: int, source_ref: str) -> bool:
    """Whether the member already has a win saved from this request (a retried event or command)."""
    query = select(Win.id).where(Win.member_id == member_id, Win.source_ref == source_ref).limit(1)
    return session.scalar(query) is not None


def find_win(session: Session, member_id: int, win_id: int) -> SavedWin | None:
    win = session.scalar(select(Win).filter_by(id=win_id, member_id=member_id))
    return _saved(win) if win else None


def update_win(session: Session, member_id: int, win_id: int, draft: WinDraft) -> SavedWin | None:
    win = session.scalar(select(Win).filter_by(id=win_id, member_id=member_id))
    if win is None:
        return None
    for field, value in asdict(draft).items():
        setattr(win, field, value)
    session.flush()
    return _saved(win)


def delete_win(session: Session, member_id: int, win_id: int) -> SavedWin | None:
    """Delete one of the member's wins and return it, so the reply can echo what was removed."""
    win = find_win(session, member_id, win_id)
    if win is not None:
        session.execute(delete(Win).filter_by(id=win_id, member_id=member_id))
    return win


def last_win(session: Session, member_id: int) -> SavedWin | None:
    win = session.scalar(select(Win).filter_by(member_id=member_id).order_by(Win.id.desc()).limit(1))
    return _saved(win) if win else None


def wins_between(session: Session, member_id: int, period: DateRange) -> list[SavedWin]:
    query = (
        select(Win)
        .where(Win.member_id == member_id, Win.local_date.between(period.first, period.last))
        .order_by(Win.local_date, Win.id)
    )
    return [_saved(win) for win in session.scalars(query)]


def set_private(session: Session, member_id: int, win_ids: Collection[int]) -> int:
    """Mark some of the member's wins private (the recap's "keep these to me"); how many changed.

    Scoped to the member like every query here, so an id of someone else's win changes nothing.
    """
    if not win_ids:
        return 0
    result = session.execute(
        update(Win)
        .where(Win.member_id == member_id, Win.id.in_(list(win_ids)), Win.private.is_(False))
        .values(private=True)
    )
    return rowcount(result)
