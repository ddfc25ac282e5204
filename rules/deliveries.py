"""The delivery ledger's words, defined once: what a message the bot sends on its own initiative is (its
kind), how its delivery stands (its status), and what a failed one's error means.

Pure, so that storage (which records them), bot (which sends and shows them) and jobs (the clock) all
read the same words. They are `StrEnum`s: each member is its string, so the database keeps the strings it
always had (no migration), and a string read back compares equal to its member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Literal


class Kind(StrEnum):
    """What a ledger row is about; its period says which one (a local date, an ISO week, an id)."""

    # the clock's prompt slots (rules.schedule)
    MORNING = "morning"
    MORNING_SNOOZE = "morning_snooze"  # a one-shot slot: the morning prompt again after a snooze
    EOD = "eod"
    # weekly: the manager's digest, and each report's recap before it
    DIGEST = "digest"
    RECAP = "recap"
    HELD_POST = "held_post"  # a day's plan and summary held for the manager's working hours
    # a trial's (storage.trials): a check-in, its copy for the manager, the weekly overwork look
    CHECKIN = "checkin"
    CHECKIN_MANAGER = "checkin_manager"
    OVERWORK = "overwork"
    # sent at once after a request, through the same sender (bot.notices)
    READ_NOTICE = "digest_read"  # "your manager read your week"
    TRIAL_PROPOSAL = "trial_proposal"
    MANAGER_NAMED = "manager_named"
    MANAGER_GONE = "manager_gone"
    MANAGER_DECLINED = "manager_declined"
    # requests acted on once (storage.replays): closed as sent at once, never sent
    REQ_UNDO = "req_undo"
    REQ_PLAN = "req_plan"
    REQ_SUMMARY = "req_summary"
    REQ_QUESTION = "req_question"
    REQ_ANSWER = "req_answer"


class Status(StrEnum):
    """Where a delivery stands. Only `claimed` is open: a claim the sweep finds stale lost its sender."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    MISSED = "missed"  # too late to send: remembered, not sent
    SKIPPED = "skipped"  # nothing to send, or no longer wanted


ALREADY_CLAIMED: Final = "already_claimed"  # a tick's outcome only: someone else had it; never stored
Outcome = Literal[Status.SENT, Status.FAILED, Status.MISSED, Status.SKIPPED, "already_claimed"]

WEEKLY_KINDS = (Kind.DIGEST, Kind.RECAP)
PROMPT_KINDS = (Kind.MORNING, Kind.EOD)
CHECKIN_KINDS = (Kind.CHECKIN, Kind.CHECKIN_MANAGER, Kind.OVERWORK)

# -- the error vocabulary: what a failed delivery's `error` says, whoever sent it ----------------------------

RATELIMITED: Final = "ratelimited"  # 429, still, after the retries within the call
CONNECTION_ERROR: Final = "connection_error"  # no connection to Slack, or it dropped
TIMEOUT: Final = "timeout"  # sent, but no answer in time: it may have been posted, so never sent again
CLIENT_ERROR: Final = "client_error"  # slack_sdk refused the call before sending it
NOT_INSTALLED: Final = "not_installed"  # the workspace no longer has the app (found before calling Slack)
SUPERSEDED: Final = "superseded"  # not sent: the claim was swept and may be retried by another sender
NOT_SENT: Final = "not_sent"  # the sweep: the sender died before its call to Slack; sent again
INTERRUPTED: Final = "interrupted"  # the sweep: the sender died during its call to Slack; never resent
RENDER_FAILED: Final = "render_failed"  # ours, never retried: the message could not be built
SEND_FAILED: Final = "send_failed"  # ours, never retried: sending raised something that isn't Slack's answer
UNKNOWN_ERROR: Final = "unknown_error"  # a failure with no error recorded, as shown to the member
UNRECORDED: Final = "unrecorded"  # a tick's report only: the outcome couldn't be written (the sweep shows it)

TRANSIENT_ERRORS = frozenset(
    {
        RATELIMITED,
        CONNECTION_ERROR,
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        NOT_SENT,
    }
)
GONE_ERRORS = frozenset({"user_not_found", "user_disabled"})  # the member has left Slack
# The whole workspace refuses: not installed, or Slack refuses the token. Not a member's doing.
WORKSPACE_REFUSED = frozenset(
    {NOT_INSTALLED, "invalid_auth", "account_inactive", "token_revoked", "token_expired", "not_authed"}
)


def is_transient(error: str | None) -> bool:
    """Worth another try on a later tick: Slack was busy or unreachable, not saying no."""
    return error is not None and (error in TRANSIENT_ERRORS or error.startswith("http_5"))


def member_gone(error: str | None) -> bool:
    """Slack says the member is no longer there: they should get nothing more."""
    return error in GONE_ERRORS


@dataclass(frozen=True)
class DeliveryRecord:
    """One ledger row as the Home and settings show it: plain data, no database behind it."""

    kind: str  # a Kind's value, kept a string: a renderer shows whatever the ledger holds
    period: str
    status: Status
    due_at: datetime
    finished_at: datetime | None
    channel: str | None
    ts: str | None
    error: str | None
