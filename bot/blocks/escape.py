"""Showing user text in mrkdwn without letting it ping, link or format as Slack markup."""

from __future__ import annotations

from urllib.parse import quote

SECTION_LIMIT = 3000  # characters in a section's text
HEADER_LIMIT = 150
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
# Slack refuses a message whose blocks carry too much text in all (`msg_blocks_too_long`). The limit is not
# documented; public reports see it at about 12,000-13,300 characters (slackapi/bolt-js issues 2509 and
# 2867), so every message we build keeps its blocks' text under this, continuing in a thread or saying
# how much it left out.
MESSAGE_TEXT = 10_000
# A link's address as shown in mrkdwn (escaped). The form takes addresses up to 3000 characters, which
# once escaped could not fit in a context or a list line; longer ones are kept in the win, not shown.
LINK_SHOWN = 1000


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


def one_line(text: str) -> str:
    """Text on one line: newlines and runs of spaces become single spaces (a list line, a select's option)."""
    return " ".join(text.split())


def cut(text: str, limit: int) -> str:
    """Plain text (never parsed as markup) cut to `limit` characters, marked with …"""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link(url: str | None, label: str = "link") -> str | None:
    """A clickable mrkdwn link to a web address the member gave; None for anything else (other schemes
    could be Slack markup), and a plain note for an address too long to show within Slack's limits."""
    if not url or not url.startswith(("https://", "http://")):
        return None
    # `|` would end the address and start the label (so the label could lie), a space would end the link:
    # percent-encoded, they are the same address to a browser and plain characters to Slack.
    escaped = mrkdwn("".join(quote(c, safe="") if c == "|" or c.isspace() else c for c in url))
    if len(escaped) > LINK_SHOWN:
        return f"{label} too long to show"
    return f"<{escaped}|{label}>"
