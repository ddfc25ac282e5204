"""The answer to `/remote-win digest-time`: when a manager's weekly digest comes, in their own zone."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.kit import Block
from bot.blocks.wins import Message
from rules.schedule import RECAP_LEAD
from rules.settings import DigestSnapshot, describe_digest_time, describe_instant


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    return "an hour" if minutes == 60 else f"{minutes // 60} hours"


def digest_time_message(snap: DigestSnapshot, now: datetime, *, changed: bool) -> Message:
    """What is set, and the next digest as the clock has it (or why there is none)."""
    when = f"{describe_digest_time(snap.time)} ({snap.tz})"
    lead = _duration(RECAP_LEAD.total_seconds())
    first = (
        f":white_check_mark: Your weekly digest now comes on {when}; your reports get their recap "
        f"at least {lead} before it, within their own working hours."
        if changed
        else f"Your weekly digest comes on {when}; your reports get their recap at least {lead} before it, "
        "within their own working hours."
    )
    if snap.next_digest is None:
        second = (
            "Nobody names you as their manager yet, so no digest is scheduled; "
            "it starts once someone does (`/remote-win manager @you`)."
        )
    else:
        second = f"Next digest: {describe_instant(snap.next_digest, snap.tz, now)} ({snap.tz})."
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}} for text in (first, second)
    ]
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Change it with `/remote-win digest-time fri 16:00`."}],
        }
    )
    return {"text": f"{first} {second}", "blocks": blocks}
