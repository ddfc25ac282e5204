"""What a scheduled prompt says: the message the clock sends for one member, kind and local date.

The clock (jobs/) calls `prompt_message`; None means there is nothing to send, and the delivery is
recorded as skipped: a morning whose plan is already sent or skipped, an end of day that was
skipped or already summarized, or a member who no longer exists. `held_post_message` is what a manager
gets at the start of their working day for a report's plan and summary held outside it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks.escape import mrkdwn
from bot.blocks.plans import eod_prompt, held_message, morning_prompt, not_posted_message
from bot.blocks.wins import Message
from rules.calendar import DateRange
from rules.plans import HeldPost, PlanStatus
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
        if plan is not None and plan.status != PlanStatus.DRAFT:
            return None
        draft = plan.items if plan is not None else ()
        return morning_prompt(local_date, owner.audience(), draft, snoozed=kind == MORNING_SNOOZE)
    if kind == EOD:
        if plan is not None and plan.status in (PlanStatus.SKIPPED, PlanStatus.SUMMARIZED):
            return None
        wins = wins_between(session, member_id, DateRange(local_date, local_date))
        return eod_prompt(local_date, owner.audience(), plan, wins)
    log.warning("no prompt of kind %r; nothing sent to member %s", kind, member_id)
    return None


def held_post_message(session: Session, held: HeldPost) -> Message | None:
    """The held day's parts (`held.with_plan`, `held.with_summary`) in one message, as they are now."""
    plan = find_plan(session, held.member_id, held.local_date)
    if plan is None or not (held.with_plan or held.with_summary):
        return None
    wins = wins_between(session, held.member_id, DateRange(held.local_date, held.local_date))
    return held_message(held.user_id, plan, wins, with_plan=held.with_plan, with_summary=held.with_summary)


def held_not_posted(held: HeldPost, error: str, message: Message) -> Message:
    """A DM to the member when Slack refused their held post for good: what it said, and the post."""
    what = "plan" if held.with_plan else "summary"
    to = mrkdwn(held.to)
    place = f"to <@{to}>" if held.to.startswith(("U", "W")) else f"to <#{to}>"
    return not_posted_message(what, held.local_date, place, error, message)
