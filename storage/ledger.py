"""The delivery ledger: a scheduled message is claimed under a unique key before it is sent.

Key: (workspace, member, kind, period), period being the member's local date (a snooze adds its UTC
hour and minute, `2026-03-09@0830`, so each snooze is a delivery of its own), or an ISO week.
Claiming is `INSERT … ON CONFLICT DO NOTHING`: whoever inserts the row sends; everyone else, be it a
second clock, an overlapping tick or a restart re-running a tick, finds the row and does nothing.
A failed row is claimed again only by compare-and-set (`reclaim`), so a retry has one sender too; a row
left "claimed" by a process that died is closed as failed by `sweep_interrupted`: "not_sent" (a passing
failure, retried) if its sender had not started the call to Slack (`mark_sending`), else "interrupted",
never sent again. Which failures are worth a retry is the clock's rule (rules.deliveries.is_transient,
applied by jobs/tick.py), not the ledger's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rules.deliveries import INTERRUPTED, NOT_SENT, DeliveryRecord, Status
from storage.db import rowcount
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
    values = {
        **key.__dict__,
        "status": Status.CLAIMED,
        "due_at": due_at,
        "claimed_at": now,
        "claimed_by": worker,
    }
    # RETURNING, not rowcount: PostgreSQL reports no rowcount for an ORM insert that returns the key.
    return session.execute(
        insert_ignore(session, Delivery, values, ["workspace_id", "member_id", "kind", "period"]).returning(
            Delivery.id
        )
    ).scalar_one_or_none()


def finish(
    session: Session,
    delivery_id: int,
    *,
    status: Status,
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
    finish(session, delivery_id, status=Status.MISSED, now=now)
    return True


def status_of(session: Session, key: DeliveryKey) -> Status | None:
    """The delivery's status, None when nobody has claimed it yet (a dry run asks this)."""
    status = session.scalar(select(Delivery.status).filter_by(**key.__dict__))
    return None if status is None else Status(status)


def mark_sending(session: Session, delivery_id: int, claimed_at: datetime, now: datetime) -> bool:
    """The sender is about to call Slack: from here on, the message may leave. Compare-and-set on its
    claim: False when the claim is no longer the sender's (a sweep took it and a retry may send it), and
    then the sender must not send."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == Status.CLAIMED,
            Delivery.claimed_at == claimed_at,
            Delivery.sending_at.is_(None),
        )
        .values(sending_at=now)
    )
    return rowcount(result) == 1


def sweep_interrupted(session: Session, *, claimed_before: datetime, now: datetime) -> int:
    """Close deliveries claimed before `claimed_before` and never finished: their sender died.

    One whose sender never started its call to Slack (`sending_at` unset) becomes failed with the error
    "not_sent", which the clock retries like any passing failure: the message never left. One whose call
    had started becomes failed with the error "interrupted" and is not sent again, because the message
    may have gone out just before the process died; it shows up on the member's Home instead of hanging
    silently. A sender that was only slow still records its real outcome over this when it finishes.
    """
    stale = (Delivery.status == Status.CLAIMED, Delivery.claimed_at < claimed_before)
    unsent = session.execute(
        update(Delivery)
        .where(*stale, Delivery.sending_at.is_(None))
        .values(status=Status.FAILED, error=NOT_SENT, finished_at=now)
    )
    interrupted = session.execute(
        update(Delivery).where(*stale).values(status=Status.FAILED, error=INTERRUPTED, finished_at=now)
    )
    return rowcount(unsent) + rowcount(interrupted)


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    key: DeliveryKey
    due_at: datetime
    error: str | None


def failed_due_between(
    session: Session, first: datetime, last: datetime, *, kinds: Collection[str] | None = None
) -> list[FailedDelivery]:
    """Failed deliveries due from `first` to `last` (inclusive), oldest first: the candidates for a retry."""
    query = select(Delivery).where(Delivery.status == Status.FAILED, Delivery.due_at.between(first, last))
    if kinds is not None:
        query = query.where(Delivery.kind.in_(kinds))
    rows = session.scalars(query.order_by(Delivery.due_at, Delivery.id))
    return [
        FailedDelivery(r.id, DeliveryKey(r.workspace_id, r.member_id, r.kind, r.period), r.due_at, r.error)
        for r in rows
    ]


def reclaim(session: Session, delivery_id: int, *, error: str | None, now: datetime, worker: str) -> bool:
    """Claim a failed delivery again for a retry; compare-and-set, so of two retrying ticks one wins."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == Status.FAILED, Delivery.error == error)
        .values(
            status=Status.CLAIMED,
            claimed_at=now,
            claimed_by=worker,
            finished_at=None,
            error=None,
            sending_at=None,
        )
    )
    return rowcount(result) == 1


def deliveries_for(
    session: Session, member_id: int, *, statuses: tuple[Status, ...] | None = None, limit: int = 20
) -> list[DeliveryRecord]:
    """The member's most recent deliveries, newest first; pass statuses=(Status.FAILED,) for problems."""
    query = select(Delivery).filter_by(member_id=member_id)
    if statuses:
        query = query.where(Delivery.status.in_(statuses))
    rows = session.scalars(query.order_by(Delivery.due_at.desc()).limit(limit))
    return [
        DeliveryRecord(r.kind, r.period, Status(r.status), r.due_at, r.finished_at, r.channel, r.ts, r.error)
        for r in rows
    ]


def sent_message(
    session: Session, member_id: int, kinds: Collection[str], period: str
) -> tuple[str, str] | None:
    """Where the member's latest sent delivery of `kinds` for `period` (or a snooze of it, "<period>@HHMM")
    was posted, as (channel, ts): the app's own record of its message, for editing it in place, rather
    than a location carried in a payload."""
    query = (
        select(Delivery.channel, Delivery.ts)
        .where(
            Delivery.member_id == member_id,
            Delivery.kind.in_(list(kinds)),
            Delivery.status == Status.SENT,
            Delivery.channel.is_not(None),
            Delivery.ts.is_not(None),
            (Delivery.period == period) | Delivery.period.startswith(f"{period}@", autoescape=True),
        )
        .order_by(Delivery.finished_at.desc(), Delivery.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return (row.channel, row.ts) if row else None
