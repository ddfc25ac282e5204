"""A member's data as a whole: every row that is theirs, to export or to erase, and the manager link that a
named manager can decline.

A member's rows are exactly the rows that deleting the member deletes: every table reached from `members`
through foreign keys with ON DELETE CASCADE (wins, plans and their sign-offs, metrics and their values,
trials and their check-ins, day overrides, prompt slots, the ledger's deliveries, the digests they received
as a manager and their acknowledgements). They are found from the models' metadata, so a table added later
is in the export and in the erasure without a change here. Foreign keys with SET NULL (a report's win
pointing to the manager's digest) are not ownership: a manager's export never carries a report's wins.

Other members' rows name the member by Slack user id where they point to them as a manager (a report's
`manager_user_id`, the manager a trial was proposed to, who got a check-in's manager copy, who asked a
question). Erasing the
member clears those, so no row anywhere refers to them; the report's own rows stay.
Every query here is keyed by workspace: the same user id in another workspace is another member.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.models import Base, FormOrigin, Member, Question, Trial, TrialCheckin
from storage.schedules import reschedule, reschedule_digest

EXPORT_FORMAT = "remote-wins member export"
EXPORT_VERSION = 1
HIDDEN = {"members": ("forget_token",)}  # internal state, not the member's data


# -- which rows are the member's --------------------------------------------------------------------------


def _cascades_to_members(table: Table, seen: frozenset[str] = frozenset()) -> bool:
    if table.name == "members":
        return True
    if table.name in seen:
        return False
    return any(
        fk.ondelete == "CASCADE" and _cascades_to_members(fk.column.table, seen | {table.name})
        for fk in table.foreign_keys
    )


def owned_tables() -> list[Table]:
    """The tables holding rows of a member, parents before children (`members` first)."""
    return [t for t in Base.metadata.sorted_tables if _cascades_to_members(t)]


def owned_condition(table: Table, member_id: int) -> ColumnElement[bool]:
    """The condition on `table` for the rows that are member `member_id`'s (see the module's note)."""
    if table.name == "members":
        return table.c.id == member_id
    parts = []
    for fk in table.foreign_keys:
        parent = fk.column.table
        if fk.ondelete != "CASCADE" or not _cascades_to_members(parent):
            continue
        if parent.name == "members":
            parts.append(fk.parent == member_id)
        else:
            parts.append(fk.parent.in_(select(fk.column).where(owned_condition(parent, member_id))))
    return or_(*parts) if parts else false()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, member_id: int) -> list[dict[str, Any]]:
    hidden = HIDDEN.get(table.name, ())
    columns = [c for c in table.columns if c.name not in hidden]
    order = list(table.primary_key.columns)
    query = select(*columns).where(owned_condition(table, member_id)).order_by(*order)
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in session.execute(query)]


def count_rows(session: Session, member_id: int) -> dict[str, int]:
    """How many rows of each table are the member's: what `forget` would delete."""
    return {
        t.name: session.scalar(select(func.count()).select_from(t).where(owned_condition(t, member_id))) or 0
        for t in owned_tables()
    }


def find_member_id(session: Session, workspace_id: str, user_id: str) -> int | None:
    return session.scalar(select(Member.id).filter_by(workspace_id=workspace_id, user_id=user_id))


def export_member(session: Session, member_id: int, now: datetime) -> dict[str, Any]:
    """Every row of the member, by table, as JSON-ready values (instants in UTC, ISO 8601)."""
    tables = {t.name: _rows(session, t, member_id) for t in owned_tables()}
    (member,) = tables.pop("members")
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "workspace_id": member["workspace_id"],
        "user_id": member["user_id"],
        "member": member,
        "tables": tables,
    }


# -- forget-me ---------------------------------------------------------------------------------------------


def ask_to_forget(session: Session, member_id: int) -> str:
    """A new confirmation token for `forget-me`; an older confirmation no longer matches."""
    token = secrets.token_hex(16)
    session.execute(update(Member).where(Member.id == member_id).values(forget_token=token))
    return token


def cancel_forget(session: Session, workspace_id: str, user_id: str, token: str) -> bool:
    """Cancel the confirmation `token`; False when it was no longer pending."""
    result = session.execute(
        update(Member)
        .where(Member.workspace_id == workspace_id, Member.user_id == user_id, Member.forget_token == token)
        .values(forget_token=None)
    )
    return bool(rowcount(result))


@dataclass(frozen=True)
class Forgotten:
    """What an erasure did: rows deleted per table, and the reports whose manager link it cleared."""

    member_id: int
    deleted: dict[str, int]
    reports: list[tuple[int, str]]  # (member id, user id) of members who named them as manager

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def forget(
    session: Session, workspace_id: str, user_id: str, now: datetime, *, token: str | None = None
) -> Forgotten | None:
    """Delete every row of the member and clear every reference to them; None when there is no such
    member (or, given `token`, when it is not their pending confirmation: cancelled, replaced or used).

    The member's row is locked first, so two confirmations at once erase once."""
    query = select(Member).filter_by(workspace_id=workspace_id, user_id=user_id)
    if token is not None:
        query = query.where(Member.forget_token == token)
    member = session.scalars(query.with_for_update()).one_or_none()
    if member is None:
        return None
    member_id = member.id
    reports = clear_manager_links(session, workspace_id, user_id, now, manager_stays=False)
    session.execute(
        update(Trial)
        .where(Trial.workspace_id == workspace_id, Trial.manager_user_id == user_id)
        .values(manager_user_id=None)
    )
    in_workspace = select(Trial.id).where(Trial.workspace_id == workspace_id)
    session.execute(
        update(TrialCheckin)
        .where(TrialCheckin.trial_id.in_(in_workspace), TrialCheckin.manager_user_id == user_id)
        .values(manager_user_id=None)
    )
    session.execute(  # the reports keep their answers (their reachability), without who asked
        update(Question)
        .where(Question.workspace_id == workspace_id, Question.asker_user_id == user_id)
        .values(asker_user_id=None)
    )
    session.execute(delete(FormOrigin).filter_by(workspace_id=workspace_id, user_id=user_id))
    deleted: dict[str, int] = {}
    for table in reversed(owned_tables()):  # children first, so no backend depends on ON DELETE CASCADE
        result = session.execute(delete(table).where(owned_condition(table, member_id)))
        deleted[table.name] = rowcount(result) or 0
    session.expunge(member)
    return Forgotten(member_id, deleted, reports)


def clear_manager_links(
    session: Session,
    workspace_id: str,
    manager_user_id: str,
    now: datetime,
    *,
    only_member: int | None = None,
    manager_stays: bool = True,
) -> list[tuple[int, str]]:
    """Members who name `manager_user_id` no longer do (or only `only_member`): their plans shared with
    the manager go to their own DM instead, and their recap and (unless the manager is being erased) the
    manager's digest are rescheduled."""
    query = select(Member).where(
        Member.workspace_id == workspace_id,
        Member.manager_user_id == manager_user_id,
        Member.user_id != manager_user_id,
    )
    if only_member is not None:
        query = query.where(Member.id == only_member)
    cleared = []
    for report in session.scalars(query.with_for_update()):
        report.manager_user_id = None
        if report.share_to == "manager":
            report.share_to = "self"
        cleared.append((report.id, report.user_id))
    session.flush()
    for member_id, _user in cleared:
        reschedule(session, member_id, now)
    if cleared and manager_stays:
        reschedule_digest(session, workspace_id, manager_user_id, now)
    return cleared


def decline_report(
    session: Session, workspace_id: str, manager_user_id: str, member_id: int, now: datetime
) -> str | None:
    """`manager_user_id` says member `member_id` is not their report: the link is cleared when that member,
    in this workspace, names them; the report's user id, or None when there was no such link."""
    cleared = clear_manager_links(session, workspace_id, manager_user_id, now, only_member=member_id)
    return cleared[0][1] if cleared else None
