"""Turn Slack-formatted text (slash commands with should_escape, message text) back into what was typed.

Slack sends `<@U1|ana>` for a mention, `<!here>` for @here and `&lt;` for `<`. A win keeps the words as
the member wrote them; showing them is `blocks.escape.mrkdwn`'s job, which makes them ping nobody.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"<([^<>]*)>")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and halves of a surrogate pair standing alone
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def _plain(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        if label:
            return label if name in ("subteam", "date") or label.startswith("@") else "@" + label
        return _SPECIAL.get(name, "@" + name)
    return label or target


def as_typed(slack_text: str) -> str:
    text = _TOKEN.sub(_plain, slack_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def storable(value: Any) -> Any:
    """Every string in a payload as both databases store it: NUL characters dropped (PostgreSQL refuses
    them in text) and lone surrogates (valid in JSON, not in UTF-8) replaced by U+FFFD. Applied to every
    request's body before a listener reads it (bot.app), so a win saves alike on SQLite and PostgreSQL
    whichever way it came in."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(_replacement, value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _replacement(match: re.Match[str]) -> str:
    return "" if match.group(0) == "\x00" else "\ufffd"
