"""A member's weekly recap: their own week exactly as their manager's digest will show it, before it goes.

The recap is the digest renderer's output for a one-report digest (so a member sees what the manager
will see, not a look-alike) with the manager's buttons taken out (Acknowledge, Ask a question; Details
and Show all stay: they open a report's week to their manager and to the report themselves) and two
buttons of the member's own added: mark a win private, add a forgotten win. Both carry the ISO week as
their value; their handlers live with the digest's other listeners (bot/listeners/digest.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.digest import ACK, ASK, DECLINE, day_span, digest_messages
from bot.blocks.escape import MESSAGE_BLOCKS, MESSAGE_TEXT, VIEW_BLOCKS, cut, mrkdwn, one_line
from bot.blocks.kit import button, context, input_block, plain_text, section, text_size
from bot.blocks.plans import CHECKBOX_GROUP, OPTION_TEXT, short_day
from bot.blocks.wins import Message
from rules.calendar import zone
from rules.digest import Digest, week_range
from rules.wins import SavedWin

MARK_PRIVATE, ADD_WIN = "recap_private", "recap_add"
PRIVATE_FORM = "recap_private_form"
PRIVATE_BLOCK = "private_"  # + group number: the private form's checkbox groups
MANAGER_ONLY = frozenset({ACK, ASK, DECLINE})

Block = dict[str, Any]


def _without_manager_buttons(blocks: list[Block]) -> list[Block]:
    """The blocks with the manager's buttons taken out, and an actions block left empty dropped."""
    kept = []
    for block in blocks:
        if block.get("type") == "actions":
            elements = [e for e in block["elements"] if e.get("action_id") not in MANAGER_ONLY]
            if not elements:
                continue
            block = {**block, "elements": elements}
        kept.append(block)
    return kept


def recap_messages(digest: Digest, manager_user_id: str, digest_at: datetime) -> list[Message]:
    """The recap: an intro saying when the manager reads it, the member's week, then the two buttons.

    `digest` is built for this member alone, with `manager_tz` set to the member's zone (so the times
    it shows are theirs); `digest_at` is when the manager's digest goes out.
    """
    messages = [
        {**message, "blocks": _without_manager_buttons(message["blocks"])}
        for message in digest_messages(digest)
    ]
    local = digest_at.astimezone(zone(digest.manager_tz))
    intro = section(
        f"*Your week, as <@{mrkdwn(manager_user_id)}> will see it* in their digest on "
        f"{local:%a} at {local:%H:%M} (your time). A win you'd rather keep to yourself can be made "
        "private, and a win you forgot can still be added, until then."
    )
    buttons = {
        "type": "actions",
        "elements": [
            button(MARK_PRIVATE, "Mark a win private", digest.week),
            button(ADD_WIN, "Add a forgotten win", digest.week, "primary"),
        ],
    }
    first = messages[0]
    text = f"Your recap, before your manager's digest. {first['text']}"
    ours = [intro, buttons]
    if len(first["blocks"]) + 2 <= MESSAGE_BLOCKS and text_size(first["blocks"] + ours) <= MESSAGE_TEXT:
        messages[0] = {"text": text, "blocks": [first["blocks"][0], intro, *first["blocks"][1:], buttons]}
    else:  # never for one report, but a full first message must not break Slack's limit
        messages.append({"text": text, "blocks": ours})
    return messages


def private_form(week: str, wins: Sequence[SavedWin]) -> dict[str, Any]:
    """The member's shared wins of the week as checkboxes, ten a group; ticked ones become private."""
    period = week_range(week)
    groups = [wins[i : i + CHECKBOX_GROUP] for i in range(0, len(wins), CHECKBOX_GROUP)]
    room = VIEW_BLOCKS - 2  # the intro, and the note when some are left out
    blocks = [
        section(
            f"Your wins of {day_span(period)} that your manager's digest will show. Tick those to keep to "
            "yourself; they are never shown to anyone else."
            if wins
            else f"None of your wins of {day_span(period)} is shared: there is nothing to keep private."
        )
    ]
    for n, group in enumerate(groups[:room]):
        options = [
            {
                "text": plain_text(cut(one_line(w.text) or "(no text)", OPTION_TEXT)),
                "description": plain_text(cut(f"{short_day(w.local_date)} · #{w.id}", OPTION_TEXT)),
                "value": str(w.id),
            }
            for w in group
        ]
        element = {"type": "checkboxes", "action_id": "value", "options": options}
        label = "Keep private" if len(groups) == 1 else f"Keep private ({n + 1} of {len(groups)})"
        blocks.append(input_block(f"{PRIVATE_BLOCK}{n}", label, element, optional=True))
    if len(groups) > room:
        shown_count = room * CHECKBOX_GROUP
        blocks.append(
            context(f"The first {shown_count} of {len(wins)} wins are listed; the rest are shared.")
        )
    view = {
        "type": "modal",
        "callback_id": PRIVATE_FORM,
        "title": plain_text("Keep wins private"),
        "close": plain_text("Cancel" if wins else "Close"),
        "private_metadata": json.dumps({"week": week}),
        "blocks": blocks,
    }
    return view | ({"submit": plain_text("Keep private")} if wins else {})


def private_done_view(count: int) -> dict[str, Any]:
    """The private form once saved: how many wins the manager's digest now leaves out."""
    text = (
        f"Done: {count} win{'s' * (count != 1)} now private. Your manager's digest leaves "
        f"{'them' if count != 1 else 'it'} out."
        if count
        else "Nothing changed: no win was ticked."
    )
    return {
        "type": "modal",
        "title": plain_text("Keep wins private"),
        "close": plain_text("Close"),
        "blocks": [section(text)],
    }
