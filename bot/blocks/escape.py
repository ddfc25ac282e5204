"""Showing user text in mrkdwn without letting it ping, link or format as Slack markup."""

from __future__ import annotations

SECTION_LIMIT = 3000  # characters in a section's text
HEADER_LIMIT = 150
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100


def mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters, and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten text to `limit` characters, marking the cut; apply before escaping, then budget for it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(text: str, limit: int) -> str:
    """User text escaped and clipped so the escaped form fits in `limit` characters."""
    escaped = mrkdwn(text)
    while len(escaped) > limit:
        text = text[: max(0, len(text) - (len(escaped) - limit) - 1)]
        escaped = mrkdwn(text) + "…"
    return escaped
