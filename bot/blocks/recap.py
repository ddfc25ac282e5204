"""A member's weekly recap: their own week exactly as their manager's digest will show it, before it goes.

The recap is the digest renderer's output for a one-report digest (so a member sees what the manager
will see, not a look-alike) with the manager's buttons taken out (Acknowledge, Ask a question; Details
and Show all stay: they open a report's week to their manager and to the report themselves) and two
buttons of the member's own added: mark a win private, add a forgotten win. Both carry the ISO week as
their value; their handlers live with the digest's other listeners (bot/listeners/digest.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.digest import ACK, ASK, DECLINE, digest_messages
from bot.blocks.escape import MESSAGE_BLOCKS, MESSAGE_TEXT, mrkdwn
from bot.blocks.kit import section, text_size
from bot.blocks.wins import Message
from rules.calendar import zone
from rules.digest import Digest

MARK_PRIVATE, ADD_WIN = "recap_private", "recap_add"
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
            _button("Mark a win private", MARK_PRIVATE, digest.week),
            _button("Add a forgotten win", ADD_WIN, digest.week, "primary"),
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


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}
    return button | {"value": value} | ({"style": style} if style else {})
