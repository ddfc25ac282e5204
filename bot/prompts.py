"""What a scheduled prompt says: the message the clock sends for one member, kind and local date.

The clock (jobs/) calls `prompt_message`; None means there is nothing to send, and the delivery is
recorded as skipped: a morning whose plan is already sent or skipped, an end of day that was
skipped or already summarized, or a member who no longer exists.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks.plans import eod_prompt, morning_prompt
from bot.blocks.wins import Message
from rules.calendar import DateRange
from rules.schedule import EOD, MORNING, MORNING_SNOOZE
from storage.plans import find_plan, plan_owner
from storage.wins import wins_between

log = logging.getLogger(__name__)


def prompt_message(
    session: Session, member_id: int, kind: str, local_date: date, now: datetime
) -> Message | None:
    """The DM for `kind` on the member's `local_date`, or None when the day no longer needs it."""
    owner = plan_owner(session, member_id)
    if owner is None:
        return None
    plan = find_plan(session, member_id, local_date)
    if kind in (MORNING, MORNING_SNOOZE):
        if plan is not None and plan.status != "draft":
            return None
        draft = plan.items if plan is not None else ()
        return morning_prompt(local_date, owner.audience(), draft, snoozed=kind == MORNING_SNOOZE)
    if kind == EOD:
        if plan is not None and plan.status in ("skipped", "summarized"):
            return None
        wins = wins_between(session, member_id, DateRange(local_date, local_date))
        return eod_prompt(local_date, owner.audience(), plan, wins)
    log.warning("no prompt of kind %r; nothing sent to member %s", kind, member_id)
    return None
