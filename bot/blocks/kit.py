"""The Block Kit pieces every renderer builds with, so each module says what it shows, not how."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.blocks.escape import SECTION_LIMIT

Block = dict[str, Any]
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> Block:
    """A mrkdwn section; the caller has escaped any user text in it and kept it within SECTION_LIMIT."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain_text(label), "value": value}


def button(action_id: str, label: str, value: str, style: str | None = None) -> Block:
    """A button carrying `value` to its listener; `style` is "primary" or "danger" (none: the default)."""
    block: Block = {"type": "button", "action_id": action_id, "text": plain_text(label), "value": value}
    return block | ({"style": style} if style else {})


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = ""
) -> Block:
    """A modal input; its `block_id` is the key of the field's error in `response_action: errors`."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


def text_size(blocks: Iterable[Any]) -> int:
    """Characters of text in all the text objects inside `blocks`: what `MESSAGE_TEXT` bounds."""
    size = 0
    stack: list[Any] = list(blocks)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") in TEXT_TYPES and isinstance(item.get("text"), str):
                size += len(item["text"])
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return size


def line_sections(lines: Sequence[str], *, blocks: int, chars: int) -> tuple[list[Block], int]:
    """mrkdwn lines (each within `SECTION_LIMIT`) packed into whole sections, at most `blocks` of them and
    `chars` characters in all; returns the sections and how many lines did not fit."""
    chunks: list[str] = []
    total = 0
    for taken, line in enumerate(lines):
        joined = f"{chunks[-1]}\n{line}" if chunks else ""
        if chunks and len(joined) <= SECTION_LIMIT:
            cost = len(line) + 1
            if total + cost > chars:
                return [section(c) for c in chunks], len(lines) - taken
            chunks[-1] = joined
        else:
            cost = len(line)
            if len(chunks) == blocks or total + cost > chars:
                return [section(c) for c in chunks], len(lines) - taken
            chunks.append(line)
        total += cost
    return [section(c) for c in chunks], 0
