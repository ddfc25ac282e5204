"""DMs a request causes for other people, sent at once and once each: "your manager read your week"
(bot.listeners.digest), a trial's proposal (bot.trials), a manager link's notices (bot.privacy).

They take the clock's path, so they are paced, retried and recorded as its deliveries are: claimed in
the ledger in the transaction of the request that causes them (a unique key, so two presses or a
replayed request claim nothing the second time); `sending_at` recorded just before the call to Slack;
sent by the one sender (`Services.sender`, bot.sender); finished with its outcome in the ledger's one
error vocabulary (rules.deliveries). Only their moment differs: after the request commits, not at a tick.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.client import HTTPException

from slack_sdk.errors import SlackClientError
from sqlalchemy.orm import Session

from bot.sender import Message, SendResult, failure_word
from bot.services import Services
from rules.deliveries import SUPERSEDED, Status
from storage import ledger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A claimed notice on its way: who gets it (their DM), and its claim in the ledger."""

    user_id: str
    delivery_id: int
    claimed_at: datetime


def claim_notice(
    session: Session, key: ledger.DeliveryKey, user_id: str, *, now: datetime, worker: str
) -> Notice | None:
    """Claim the notice to `user_id` (the member of `key`), in the caller's transaction; None when it was
    claimed before: it is someone else's to send, or sent already."""
    delivery_id = ledger.claim(session, key, due_at=now, now=now, worker=worker)
    return None if delivery_id is None else Notice(user_id, delivery_id, now)


def send_notices(
    services: Services, team: str, notices: Sequence[Notice], message: Message
) -> list[SendResult]:
    """Send `message` to each, one after another, through the one sender; what Slack said of each.
    Never raises for Slack's answers: each is a SendResult, as the clock's are."""
    results = []
    for notice in notices:
        hook = partial(_mark_sending, services, notice.delivery_id, notice.claimed_at)
        try:
            with services.sender.before_the_call(hook):
                result = services.sender.send(team, notice.user_id, message)
        except (SlackClientError, OSError, HTTPException) as error:  # finding the workspace's client failed
            result = SendResult(error=failure_word(error))
        if not result.sent:
            log.warning("notice to %s not delivered: %s", notice.user_id, result.error)
        results.append(result)
    return results


def record_outcomes(
    session: Session, notices: Sequence[Notice], results: Sequence[SendResult], now: datetime
) -> None:
    """Finish each notice's delivery in the caller's transaction: sent (where to) or failed (why). One whose
    claim the sweep took meanwhile (`superseded`) is left to whoever has it now."""
    for notice, result in zip(notices, results, strict=True):
        if result.error == SUPERSEDED:
            continue
        ledger.finish(
            session,
            notice.delivery_id,
            status=Status.SENT if result.sent else Status.FAILED,
            now=now,
            channel=result.channel,
            ts=result.ts,
            error=result.error,
        )


def deliver_notices(
    services: Services, team: str, notices: Sequence[Notice], message: Message
) -> list[SendResult]:
    """Send, then record every outcome in one transaction."""
    results = send_notices(services, team, notices, message)
    if notices:
        with services.writing(), services.sessions.begin() as session:
            record_outcomes(session, notices, results, services.clock())
    return results


def _mark_sending(services: Services, delivery_id: int, claimed_at: datetime) -> bool:
    """From here the notice may leave (storage.ledger.mark_sending); False: the claim is no longer ours."""
    with services.writing(), services.sessions.begin() as session:
        return ledger.mark_sending(session, delivery_id, claimed_at, services.clock())
