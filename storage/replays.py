"""Requests acted on once: a submission or command that changes something is recorded in the delivery
ledger under its own key, in the transaction that acts on it, so the same request arriving again (a
replay within the signature's five minutes, a proxy's retry, a double submission) finds the row and
does nothing.

The key is (workspace, member, kind, a digest of the request's reference): the view id of a submitted
modal, or the trigger id or message of a command. The row is closed as sent at once (the request was
handled), so the clock's sweep and retries never look at it; its kind starts with `req_`, which no
scheduled kind does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from rules.deliveries import Kind, Status
from storage import ledger

UNDO, PLAN_FORM, SUMMARY_FORM, QUESTION = Kind.REQ_UNDO, Kind.REQ_PLAN, Kind.REQ_SUMMARY, Kind.REQ_QUESTION
ANSWER = Kind.REQ_ANSWER
WORKER = "request"
PERIOD_LENGTH = 24  # deliveries.period


def request_period(ref: str) -> str:
    """The ledger's period for a request reference of any length."""
    return hashlib.sha256(ref.encode()).hexdigest()[:PERIOD_LENGTH]


def first_time(
    session: Session, workspace_id: str, member_id: int, kind: str, ref: str, now: datetime
) -> bool:
    """True the first time this request is offered (and records it); False for every copy after it."""
    key = ledger.DeliveryKey(workspace_id, member_id, kind, request_period(ref))
    delivery_id = ledger.claim(session, key, due_at=now, now=now, worker=WORKER)
    if delivery_id is None:
        return False
    ledger.finish(session, delivery_id, status=Status.SENT, now=now)
    return True
