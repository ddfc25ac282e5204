"""Workspaces and members: the cached part of Slack's directory that scheduling and dates depend on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member, Workspace
from storage.upsert import insert_ignore


@dataclass(frozen=True)
class MemberRef:
    """What a request needs to know about a member; jobs and listeners pass this, never ORM objects."""

    id: int
    workspace_id: str
    user_id: str
    tz: str
    display_name: str
    tz_checked_at: datetime


def _ref(member: Member) -> MemberRef:
    return MemberRef(
        member.id, member.workspace_id, member.user_id, member.tz, member.display_name, member.tz_checked_at
    )


def find_member(session: Session, workspace_id: str, user_id: str) -> MemberRef | None:
    member = session.scalar(select(Member).filter_by(workspace_id=workspace_id, user_id=user_id))
    return _ref(member) if member else None


def save_member(
    session: Session, workspace_id: str, user_id: str, *, tz: str, display_name: str, now: datetime
) -> MemberRef:
    """Create or refresh a member from Slack's profile; safe when two requests race to create one."""
    session.execute(insert_ignore(session, Workspace, {"id": workspace_id, "created_at": now}, ["id"]))
    session.execute(
        insert_ignore(
            session,
            Member,
            {
                "workspace_id": workspace_id,
                "user_id": user_id,
                "tz": tz,
                "display_name": display_name,
                "tz_checked_at": now,
                "created_at": now,
            },
            ["workspace_id", "user_id"],
        )
    )
    member = session.scalars(select(Member).filter_by(workspace_id=workspace_id, user_id=user_id)).one()
    member.tz, member.display_name, member.tz_checked_at = tz, display_name, now
    session.flush()
    return _ref(member)
