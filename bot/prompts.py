"""What a scheduled prompt says: the message the clock sends for one member, kind and local date.

The clock (jobs/) calls `prompt_message`; None means there is nothing to send (say, the member
skipped today), and the delivery is recorded as skipped.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

Message = dict[str, Any]


def prompt_message(
    session: Session, member_id: int, kind: str, local_date: date, now: datetime
) -> Message | None:
    """A placeholder until the plan and summary flows land: a plain prompt with no buttons."""
    words = {"morning": "What's your plan for today?", "eod": "How did today go?"}
    text = words.get(kind, "A reminder from remote-wins.")
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
