"""The Block Kit pieces every renderer builds with, so each module says what it shows, not how."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> Block:
    """A mrkdwn section; the caller has escaped any user text in it and kept it within SECTION_LIMIT."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain_text(label), "value": value}


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
