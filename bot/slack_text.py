"""Turn Slack-formatted text (slash commands with should_escape, message text) back into what was typed.

Slack sends `<@U1|ana>` for a mention, `<!here>` for @here and `&lt;` for `<`. A win keeps the words as
the member wrote them; showing them is `blocks.escape.mrkdwn`'s job, which makes them ping nobody.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
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
