"""The help for `/remote-win`: every command, and the rule for wins that start with a command word."""

from __future__ import annotations

from bot.blocks.escape import SECTION_LIMIT, mrkdwn, shown
from bot.blocks.kit import Block
from bot.blocks.wins import Message
from rules.commands import COMMAND_WORDS
from rules.settings import MAX_OFF_DAYS

HELP = """*`/remote-win`* logs the wins of your remote days.
• `/remote-win shipped the Q3 report`: log a win for today
• `/remote-win`: open the form (category, metric, link, date, remote or office day)
• `/remote-win list`: this week's wins; also `list last week` or `list 2026-11-02..2026-11-08`
• `/remote-win undo`: remove your last win
• `/remote-win edit 42` / `delete 42`: change or remove win #42 (`list` shows the numbers)
• `/remote-win log <text>`: log a win that starts with a command word, like `log undo the bad deploy`
• `/remote-win forget-me`: delete everything remote-wins keeps about you (it asks first)
• `/remote-win help`: this help
Or send me a direct message: its text works like `/remote-win`'s (`shipped the Q3 report`, `list`, `undo`)."""

SETTINGS_HELP = f"""*Remote-day prompts*: a plan each remote morning, a summary each remote evening, \
in your time zone.
• `/remote-win settings`: change them in a form; `settings show`: your settings and next prompt
• `/remote-win days tue,wed,thu`: your remote weekdays (`days none`: no prompts)
• `/remote-win times 09:00 17:00`: morning and end-of-day prompts, 24-hour, in your time zone
• `/remote-win tz Europe/Berlin`: your own time zone; `tz auto` follows your Slack profile again
• `/remote-win hours 09:00-18:00`: your working hours (and days: `hours 08:00-16:00 sun,mon,tue,wed,thu`); \
your weekly recap comes within them
• `/remote-win holidays DE BY`: your public holidays, by country and region code (no prompts on them); \
`holidays none`, or `holidays auto` for your workspace's
• `/remote-win manager @person`: your manager, picked from Slack's list (`manager none` removes)
• `/remote-win channel #team` / `channel manager` / `channel me`: where plans and summaries go: \
a team channel, your manager's DM, or only you
• `/remote-win today remote` / `today office` / `today off`: change just today
• `/remote-win off 2026-12-24` or `off 2026-12-24..2026-12-31`: days off, no prompts \
(up to {MAX_OFF_DAYS} days at a time)
• `/remote-win pause` / `resume`: stop all prompts, and start them again
• `/remote-win digest-time fri 16:00`: for managers, the day and time your team's weekly digest comes, \
in your time zone (`digest-time` alone shows it)
A text that starts with {", ".join(f"`{word}`" for word in COMMAND_WORDS[:-1])} or `{COMMAND_WORDS[-1]}` \
is read as that command."""


TRIAL_HELP = """*Metrics and the remote-work trial*
• `/remote-win metric add tickets closed, count, at least 12 a week`: one of your metrics (at most 5; \
unit count, minutes, hours, %, currency or `unit <words>`; `higher` or `lower` is better; a target `a day` \
or `a week`); `metrics` lists them, `metric remove tickets closed` takes one off the list
• `/remote-win metric tickets closed 4`: log today's value (`… 4 2026-03-02` or `… 4 yesterday` \
for a past day)
• `/remote-win trial`: propose a remote-work trial to your manager (or `trial start 2026-03-02 90 days \
checkins 30,60,90` with your settings); `trial show`, `trial end`
• `/remote-win export`: in our DM, your evidence pack (a one-page summary and every win as CSV) and \
everything remote-wins keeps about you as JSON; `export 2026-01-05..2026-04-04`: the pack of those days only
• `/remote-win overwork off` / `on`: the private note when your remote days run long"""


def help_message(problem: str | None = None, echo: str | None = None) -> Message:
    blocks: list[Block] = []
    if problem:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": ":thinking_face: " + shown(problem, 2900)}}
        )
    blocks.extend(
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in (HELP, SETTINGS_HELP, TRIAL_HELP)
    )
    if echo:
        quoted = shown(echo, SECTION_LIMIT - len("You typed: "))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"You typed: {quoted}"}]})
    return {"text": mrkdwn(problem or "How to use /remote-win"), "blocks": blocks}
