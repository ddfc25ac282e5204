"""Messages of a member's data being theirs: the forget-me confirmation and its outcome, and the notices
when a manager link ends (the manager declined, or erased their own data). Pure renderers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks.digest import DECLINE, decline_confirm
from bot.blocks.kit import button, context, section
from bot.blocks.wins import Message

FORGET_CONFIRM, FORGET_CANCEL = "forget_confirm", "forget_cancel"
START_AGAIN = "Type `/remote-win` whenever you want to start again, from nothing."
# How each table's rows are named to the member; a table missing here is counted as "other records".
ROW_WORDS = {
    "wins": ("win", "wins"),
    "plans": ("plan or sign-off", "plans and sign-offs"),
    "metrics": ("metric", "metrics"),
    "metric_values": ("metric value", "metric values"),
    "trials": ("trial", "trials"),
    "trial_checkins": ("trial check-in", "trial check-ins"),
    "day_overrides": ("day marked remote, office or off", "days marked remote, office or off"),
    "digests": ("digest received", "digests received"),
    "deliveries": ("delivery record", "delivery records"),
}


def counted(rows: Mapping[str, int]) -> str:
    """`12 wins, 3 plans and sign-offs and 40 delivery records`: what the rows are, in words."""
    parts, other = [], 0
    for table, count in rows.items():
        if table in ROW_WORDS and count:
            one, many = ROW_WORDS[table]
            parts.append(f"{count} {one if count == 1 else many}")
        elif table not in ROW_WORDS and table != "members":
            other += count
    if other:
        parts.append(f"{other} other record{'s' if other != 1 else ''}")
    if not parts:
        return "your settings"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + ", and your settings"


def forget_confirmation(token: str, rows: Mapping[str, int]) -> Message:
    """The question `forget-me` asks, with Confirm and Cancel; both carry the pending request's token."""
    text = (
        ":warning: *Forget me?* This deletes everything remote-wins keeps about you in this workspace: "
        f"{counted(rows)}. It can't be undone. Your manager's digests stop showing you, and anyone who "
        "named you as their manager no longer does."
    )
    return {
        "text": "Forget me? Confirm or cancel.",
        "blocks": [
            section(text),
            context("To keep a copy first, type `/remote-win export` (every record as JSON, in our DM)."),
            {
                "type": "actions",
                "elements": [
                    button(FORGET_CONFIRM, "Delete everything", token, "danger"),
                    button(FORGET_CANCEL, "Cancel", token),
                ],
            },
        ],
    }


def forgotten_message(rows: Mapping[str, int]) -> Message:
    text = f":wastebasket: Done: remote-wins deleted {counted(rows)}. {START_AGAIN}"
    return {"text": text, "blocks": [section(text)]}


def already_forgotten_message() -> Message:
    text = f"remote-wins keeps nothing about you. {START_AGAIN}"
    return {"text": text, "blocks": [section(text)]}


def stale_confirmation_message() -> Message:
    text = (
        "This confirmation was cancelled or replaced, so nothing was deleted. "
        "Type `/remote-win forget-me` to be asked again."
    )
    return {"text": text, "blocks": [section(text)]}


def cancelled_message() -> Message:
    text = "Cancelled: nothing was deleted."
    return {"text": text, "blocks": [section(text)]}


def manager_link_ended_notice(manager_user_id: str | None = None) -> Message:
    """To a member whose manager link was cleared. With `manager_user_id`, that manager said they are not
    the member's manager; without, the link ended and nothing is said about why (it is the other person's
    business)."""
    if manager_user_id:
        head = f"<@{manager_user_id}> says they aren't your manager, so they are no longer set as yours"
    else:
        head = "The manager you named is no longer set as yours"
    text = (
        f"{head}: your weekly recap and plans no longer go to them, and they no longer see your week. "
        "Plans you shared with your manager come to you for now. "
        "Name your manager with `/remote-win manager @name`."
    )
    return {"text": text, "blocks": [section(text)]}


def named_notice(report_user_id: str, decline_value: str) -> Message:
    """To someone a member names as their manager, once per member: what that means, and "Not my report"
    (the digest's button, with the same confirmation) for when it isn't so."""
    text = (
        f":wave: <@{report_user_id}> named you as their manager in remote-wins, so their week (the wins they "
        "share, their remote-day plans and sign-offs) will be in your weekly digest; "
        "`/remote-win digest-time` shows when it comes. Private wins are never shown."
    )
    decline = button(DECLINE, "Not my report", decline_value) | {"confirm": decline_confirm()}
    return {
        "text": f"{report_user_id} named you as their manager",
        "blocks": [section(text), {"type": "actions", "elements": [decline]}],
    }


def declined_answer(report_user_id: str) -> Message:
    text = (
        f"Done: <@{report_user_id}> no longer names you as their manager, and has been told. "
        "Their week won't be in your digests."
    )
    return {"text": text, "blocks": [section(text)]}


def not_declined_answer() -> Message:
    text = "They don't name you as their manager (any more), so there was nothing to decline."
    return {"text": text, "blocks": [section(text)]}


def forgotten_home() -> dict[str, Any]:
    """The Home tab right after forget-me: nothing of the member's is left to show."""
    return {
        "type": "home",
        "blocks": [
            section(f"remote-wins keeps nothing about you. {START_AGAIN}"),
        ],
    }
