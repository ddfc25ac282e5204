"""The help for `/remote-win`: every command, and the rule for wins that start with a command word."""

from __future__ import annotations

from bot.blocks.escape import SECTION_LIMIT, mrkdwn, shown
from bot.blocks.wins import Message

HELP = """*`/remote-win`* logs the wins of your remote days.
• `/remote-win shipped the Q3 report`: log a win for today
• `/remote-win`: open the form (category, metric, link, date, remote or office day)
• `/remote-win list`: this week's wins; also `list last week` or `list 2026-11-02..2026-11-08`
• `/remote-win undo`: remove your last win
• `/remote-win edit 42` / `delete 42`: change or remove win #42 (`list` shows the numbers)
• `/remote-win log <text>`: log a win that starts with a command word, like `log undo the bad deploy`
• `/remote-win help`: this help
A text that starts with `help`, `list`, `undo`, `edit`, `delete` or `log` is read as that command."""


def help_message(problem: str | None = None, echo: str | None = None) -> Message:
    blocks = []
    if problem:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": ":thinking_face: " + shown(problem, 2900)}}
        )
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": HELP}})
    if echo:
        quoted = shown(echo, SECTION_LIMIT - len("You typed: "))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"You typed: {quoted}"}]})
    return {"text": mrkdwn(problem or "How to use /remote-win"), "blocks": blocks}
