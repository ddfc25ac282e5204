"""Messages about a member's own wins: saved, removed, listed, and the replies when saving fails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby
from typing import Any

from bot.blocks.escape import MESSAGE_BLOCKS, MESSAGE_TEXT, SECTION_LIMIT, link, mrkdwn, shown
from bot.blocks.kit import context, line_sections, plain_text, section
from rules.calendar import DateRange, describe_day
from rules.wins import SavedWin, shown_number

Message = dict[str, Any]
LIST_LINE_LIMIT = 300  # one win's text in a list; the full text is one `edit` away


def _details(win: SavedWin) -> str:
    parts = [f"#{win.id}", win.category]
    if win.day_kind != "unknown":
        parts.append(f"{win.day_kind} day")
    if win.metric_name and win.metric_value is not None:
        parts.append(f"{mrkdwn(win.metric_name)}: {shown_number(win.metric_value)}")
    if shown_link := link(win.link):
        parts.append(shown_link)
    if win.private:
        parts.append("private")
    return " · ".join(parts)


def saved_message(win: SavedWin, today: date, verb: str = "Saved") -> Message:
    """The ephemeral answer to a logged or edited win, with Undo and Edit."""
    when = describe_day(win.local_date, today)
    return {
        "text": f"{verb} win #{win.id} for {when}",
        "blocks": [
            section(f":white_check_mark: {verb} for *{when}*:"),
            section(shown(win.text, SECTION_LIMIT)),
            context(_details(win)),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "win_undo",
                        "text": plain_text("Undo"),
                        "value": str(win.id),
                    },
                    {
                        "type": "button",
                        "action_id": "win_edit",
                        "text": plain_text("Edit"),
                        "value": str(win.id),
                    },
                ],
            },
        ],
    }


def removed_message(win: SavedWin) -> Message:
    """After undo or delete: the text comes back, so removing by mistake loses nothing."""
    return {
        "text": f"Removed win #{win.id}",
        "blocks": [
            section(f":wastebasket: Removed win #{win.id}. Its text, if you want it back:"),
            section(shown(win.text, SECTION_LIMIT)),
        ],
    }


def notice_message(text: str) -> Message:
    """A one-line answer whose text is ours, not the member's."""
    return {"text": text, "blocks": [section(text)]}


def not_saved_message(typed: str, reason: str) -> Message:
    """A failed save echoes what was typed, so the member can copy it and try again."""
    return {
        "text": f"Not saved: {reason}",
        "blocks": [
            section(f":warning: Not saved: {mrkdwn(reason)} Here is your text to try again:"),
            section(shown(typed, SECTION_LIMIT)),
        ],
    }


def pending_message(typed: str) -> Message:
    """The ack when saving is slow: the text is shown, and the result follows in place of this message."""
    return {
        "text": "Saving your win…",
        "blocks": [
            section(":hourglass_flowing_sand: Saving your win…"),
            section(shown(typed, SECTION_LIMIT)),
        ],
    }


def list_message(wins: Sequence[SavedWin], period: DateRange, today: date) -> Message:
    """Wins grouped by day; long lists fill whole sections and end with how many were left out."""
    title = (
        f"Your wins, {describe_day(period.first, today)} – {describe_day(period.last, today)}: {len(wins)}"
    )
    if not wins:
        return notice_message(f"{title}. Log one with `/remote-win <what you did>`.")
    lines: list[str] = []
    for day, day_wins in groupby(wins, key=lambda w: w.local_date):
        lines.append(f"*{describe_day(day, today)}*")
        lines.extend(f"• {shown(w.text, LIST_LINE_LIMIT)}  _({_details(w)})_" for w in day_wins)
    more = "…and {} more. List a shorter range to see them."
    room = MESSAGE_TEXT - len(title) - len(more) - 20  # the title, the "more" line and its count
    sections, not_shown = line_sections(lines, blocks=MESSAGE_BLOCKS - 2, chars=room)
    blocks = [section(f"*{title}*"), *sections]
    left_out = sum(1 for line in lines[len(lines) - not_shown :] if line.startswith("•"))
    if left_out:
        blocks.append(context(more.format(left_out)))
    return {"text": title, "blocks": blocks}
