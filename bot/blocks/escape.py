"""Showing user text in mrkdwn without letting it ping, link or format as Slack markup."""

from __future__ import annotations

SECTION_LIMIT = 3000  # characters in a section's text
HEADER_LIMIT = 150
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100


def mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters, and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shown(text: str, limit: int) -> str:
    """User text escaped, and cut (marked with …) so that the escaped form fits in `limit` characters."""
    escaped = mrkdwn(text)
    if limit < 1:
        return ""
    if len(escaped) <= limit:
        return escaped
    pieces, size = [], 0
    for char in text:
        piece = mrkdwn(char)
        if size + len(piece) > limit - 1:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces) + "…"
