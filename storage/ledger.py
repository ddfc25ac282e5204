"""The delivery ledger: a scheduled message is claimed under a unique key before it is sent.

Key: (workspace, member, kind, period), period being the member's local date (or an ISO week).
Claiming is `INSERT … ON CONFLICT DO NOTHING`: whoever inserts the row sends; everyone else, be it a
second clock, an overlapping tick or a restart re-running a tick, finds the row and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Delivery
from storage.upsert import insert_ignore

ERROR_LENGTH = 200


@dataclass(frozen=True)
class DeliveryKey:
    workspace_id: str
    member_id: int
    kind: str
    period: str


def claim(session: Session, key: DeliveryKey, *, due_at: datetime, now: datetime, worker: str) -> int | None:
    """The delivery's id if this caller claimed it, None if someone already had."""
    values = {**key.__dict__, "status": "claimed", "due_at": due_at, "claimed_at": now, "claimed_by": worker}
    inserted = session.execute(
        insert_ignore(session, Delivery, values, ["workspace_id", "member_id", "kind", "period"])
    )
    if inserted.rowcount != 1:
        return None
    return session.scalars(select(Delivery.id).filter_by(**key.__dict__)).one()


def finish(
    session: Session,
    delivery_id: int,
    *,
    status: str,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    """Record what happened: sent (with the message ts), failed (with Slack's error) or missed."""
    session.execute(
        update(Delivery)
        .filter_by(id=delivery_id)
        .values(
            status=status,
            finished_at=now,
            channel=channel,
            ts=ts,
            error=(error or None) and error[:ERROR_LENGTH],
        )
    )


def record_missed(
    session: Session, key: DeliveryKey, *, due_at: datetime, now: datetime, worker: str
) -> bool:
    """Claim and close as missed in one go: a prompt too late to send is remembered, not sent."""
    delivery_id = claim(session, key, due_at=due_at, now=now, worker=worker)
    if delivery_id is None:
        return False
    finish(session, delivery_id, status="missed", now=now)
    return True


@dataclass(frozen=True)
class DeliveryRecord:
    kind: str
    period: str
    status: str
    due_at: datetime
    finished_at: datetime | None
    channel: str | None
    ts: str | None
    error: str | None


def deliveries_for(
    session: Session, member_id: int, *, statuses: tuple[str, ...] | None = None, limit: int = 20
) -> list[DeliveryRecord]:
    """The member's most recent deliveries, newest first; pass statuses=("failed",) for problems."""
    query = select(Delivery).filter_by(member_id=member_id)
    if statuses:
        query = query.where(Delivery.status.in_(statuses))
    rows = session.scalars(query.order_by(Delivery.due_at.desc()).limit(limit))
    return [
        DeliveryRecord(r.kind, r.period, r.status, r.due_at, r.finished_at, r.channel, r.ts, r.error)
        for r in rows
    ]
