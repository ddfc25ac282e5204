"""Workspaces and members: the cached part of Slack's directory that scheduling and dates depend on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Member, Workspace
from storage.schedules import reschedule
from storage.upsert import insert_ignore


@dataclass(frozen=True)
class MemberRef:
    """What a request needs to know about a member; jobs and listeners pass this, never ORM objects."""

    id: int
    workspace_id: str
    user_id: str
    tz: str  # the zone everything is shown in: the member's override, else Slack's
    display_name: str
    tz_checked_at: datetime
    remote_days: int = 0  # bit d set = weekday d (0 = Monday) is a remote day
    deactivated: bool = False


_COLUMNS = (
    Member.id,
    Member.workspace_id,
    Member.user_id,
    func.coalesce(Member.tz_override, Member.tz),
    Member.display_name,
    Member.tz_checked_at,
    Member.remote_days,
    Member.deactivated,
)


def find_member(session: Session, workspace_id: str, user_id: str) -> MemberRef | None:
    query = select(*_COLUMNS).where(Member.workspace_id == workspace_id, Member.user_id == user_id)
    row = session.execute(query).first()
    return MemberRef(*row) if row else None


def own_manager(session: Session, workspace_id: str, member_id: int, user_id: str) -> str | None:
    """The manager that member `member_id` names, when that member is `user_id`: someone opening their own
    week from their recap sees it as their manager will."""
    query = select(Member.manager_user_id).where(
        Member.id == member_id, Member.workspace_id == workspace_id, Member.user_id == user_id
    )
    return session.scalar(query)


def save_member(
    session: Session,
    workspace_id: str,
    user_id: str,
    *,
    tz: str,
    display_name: str,
    now: datetime,
    deactivated: bool = False,
    tz_unknown: bool = False,
) -> MemberRef:
    """Create or refresh a member from Slack's profile; safe when two requests race to create one.

    `tz_unknown`: Slack gave no zone, so `tz` is a stand-in (UTC) that the member is told about."""
    session.execute(insert_ignore(session, Workspace, {"id": workspace_id, "created_at": now}, ["id"]))
    session.execute(
        insert_ignore(
            session,
            Member,
            {
                "workspace_id": workspace_id,
                "user_id": user_id,
                "tz": tz,
                "tz_unknown": tz_unknown,
                "display_name": display_name,
                "tz_checked_at": now,
                "created_at": now,
            },
            ["workspace_id", "user_id"],
        )
    )
    member = session.scalars(select(Member).filter_by(workspace_id=workspace_id, user_id=user_id)).one()
    # A new zone moves the prompts; a member deleted in Slack gets nothing more, one restored gets them again.
    moved = member.tz != tz or member.deactivated != deactivated
    member.tz, member.display_name, member.tz_checked_at = tz, display_name, now
    member.deactivated, member.tz_unknown = deactivated, tz_unknown
    session.flush()
    if moved:
        reschedule(session, member.id, now)
    found = find_member(session, workspace_id, user_id)
    assert found is not None
    return found
