"""A workspace's life with the app: installed, uninstalled (nothing more is sent), and purged.

An uninstall (or the revocation of the bot's tokens) stamps `workspaces.uninstalled_at` and deletes the
tokens in one transaction; the tick sends nothing to a workspace so stamped. Its data stays for the
retention period (DATA_RETENTION_DAYS), so a reinstall within it finds everything, then the clock
deletes it (`purge_due`); `remote-wins workspace purge` deletes it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.installations import delete_tokens
from storage.models import FormOrigin, Workspace
from storage.upsert import insert_ignore


def mark_installed(session: Session, team_id: str, now: datetime) -> None:
    """A new installation: the workspace exists and is served again, if it had uninstalled the app."""
    session.execute(insert_ignore(session, Workspace, {"id": team_id, "created_at": now}, ["id"]))
    session.execute(update(Workspace).where(Workspace.id == team_id).values(uninstalled_at=None))


def mark_served(session: Session, team_id: str) -> None:
    """The workspace's token works again (single-workspace mode, after a reinstall): it is served again,
    and its data no longer awaits deletion. A workspace not stored yet gets no row here."""
    session.execute(update(Workspace).where(Workspace.id == team_id).values(uninstalled_at=None))


def mark_uninstalled(session: Session, team_id: str, now: datetime) -> bool:
    """Stop everything for the workspace: stamp it and delete its tokens. False if it was already
    stamped (Slack sends both `tokens_revoked` and `app_uninstalled`): the first stamp starts the
    retention period. A workspace we never stored gets no row: there is nothing of it to keep."""
    delete_tokens(session, team_id)
    stamped = rowcount(
        session.execute(
            update(Workspace)
            .where(Workspace.id == team_id, Workspace.uninstalled_at.is_(None))
            .values(uninstalled_at=now)
        )
    )
    return bool(stamped)


def is_uninstalled(session: Session, team_id: str) -> bool:
    return session.scalar(select(Workspace.uninstalled_at).where(Workspace.id == team_id)) is not None


def purge_workspace(session: Session, team_id: str) -> bool:
    """Delete every row of the workspace: members and all that hangs off them go with it (foreign keys
    cascade), the modals' origins (no key), and its tokens. False if there was no such workspace."""
    delete_tokens(session, team_id)
    session.execute(delete(FormOrigin).where(FormOrigin.workspace_id == team_id))
    return bool(rowcount(session.execute(delete(Workspace).where(Workspace.id == team_id))))


def purge_due(session: Session, now: datetime, retention: timedelta) -> list[str]:
    """Purge every workspace uninstalled more than `retention` ago; their team ids."""
    query = select(Workspace.id).where(Workspace.uninstalled_at <= now - retention).order_by(Workspace.id)
    teams = list(session.scalars(query))
    for team_id in teams:
        purge_workspace(session, team_id)
    return teams
