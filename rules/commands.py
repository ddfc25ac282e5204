"""The grammar of `/remote-win`: which texts are commands and which are wins.

The rule (also in the help): a text whose first word is a command word is that command; when its
arguments don't fit, the member gets the help, with their text echoed back. Any other text is a win,
and `log <text>` logs a win that happens to start with a command word. The settings shortcuts
(`days`, `times`, `manager`, …) are read by `rules.settings`; mentions come in as `SlackRefs`, because
the typed text shows `@ana` where Slack sent the person's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches

from rules.calendar import DateRange, week_of
from rules.metrics import MetricCommand, MetricProblem, parse_metric
from rules.settings import SETTINGS_WORDS, SettingsCommand, SettingsProblem, SlackRefs, parse_settings
from rules.trial import TrialCommand, TrialProblem, parse_export, parse_overwork, parse_trial

MAX_LIST_DAYS = 366


@dataclass(frozen=True)
class OpenForm:
    """`/remote-win` alone."""


@dataclass(frozen=True)
class LogWin:
    text: str


@dataclass(frozen=True)
class ListWins:
    period: str  # "this week", "last week" or "first..last"; resolved with `period_range`


@dataclass(frozen=True)
class UndoLast:
    pass


@dataclass(frozen=True)
class EditWin:
    win_id: int


@dataclass(frozen=True)
class DeleteWin:
    win_id: int


@dataclass(frozen=True)
class ForgetMe:
    """`forget-me`: erase everything of the member, after a confirmation button (bot/privacy.py)."""


@dataclass(frozen=True)
class ShowHelp:
    problem: str | None = None  # why the text wasn't understood, shown above the help
    echo: str | None = None  # what the member typed, so nothing is lost


Command = (
    OpenForm
    | LogWin
    | ListWins
    | UndoLast
    | EditWin
    | DeleteWin
    | ForgetMe
    | ShowHelp
    | SettingsCommand
    | MetricCommand
    | TrialCommand
)

WIN_WORDS = ("help", "list", "undo", "edit", "delete", "log", "forget-me")
METRIC_WORDS = ("metric", "metrics")  # rules/metrics.py
TRIAL_WORDS = ("trial", "export", "overwork")  # rules/trial.py
COMMAND_WORDS = WIN_WORDS + SETTINGS_WORDS + METRIC_WORDS + TRIAL_WORDS
_TRIAL_PARSERS = {"trial": parse_trial, "export": parse_export, "overwork": parse_overwork}
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_ID = re.compile(r"^#?(\d{1,18})$")


def parse_command(text: str, refs: SlackRefs | None = None) -> Command:
    """What `text` (as typed) asks for; `refs` are the ids of the people and channels it mentions."""
    stripped = text.strip()
    if not stripped:
        return OpenForm()
    word, _, rest = stripped.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word not in COMMAND_WORDS:
        guess = [] if rest else get_close_matches(word, COMMAND_WORDS, n=1, cutoff=0.75)
        if guess:
            return ShowHelp(
                f"Did you mean `{guess[0]}`? To log “{stripped}” as a win, use `log {stripped}`.", text
            )
        return LogWin(text)
    if word == "log":
        return (
            LogWin(text.lstrip()[len("log") :].lstrip()) if rest else ShowHelp("`log` needs the win's text.")
        )
    if word == "help":
        return _or_help(ShowHelp(), text, rest, "help")
    if word == "undo":
        return _or_help(UndoLast(), text, rest, "undo")
    if word == "forget-me":
        return _or_help(ForgetMe(), text, rest, "forget-me")
    if word == "list":
        return _parse_list(rest, text)
    if word in METRIC_WORDS:
        try:
            return parse_metric(rest)
        except MetricProblem as problem:
            return ShowHelp(str(problem), text)
    if word in TRIAL_WORDS:
        try:
            return _TRIAL_PARSERS[word](rest)
        except TrialProblem as problem:
            return ShowHelp(f"{problem} To log “{stripped}” as a win, use `log {stripped}`.", text)
    if word in SETTINGS_WORDS:
        try:
            return parse_settings(word, rest, refs or SlackRefs())
        except SettingsProblem as problem:
            return ShowHelp(str(problem), text)
    match = _ID.match(rest)
    if not match:
        return ShowHelp(f"`{word}` needs a win's number, like `{word} 42` (`list` shows the numbers).", text)
    win_id = int(match.group(1))
    return EditWin(win_id) if word == "edit" else DeleteWin(win_id)


def _or_help(command: Command, text: str, rest: str, word: str) -> Command:
    if rest:
        return ShowHelp(f"`{word}` takes nothing after it.", text)
    return command


def _parse_list(rest: str, text: str) -> Command:
    period = " ".join(rest.lower().split()) or "this week"
    if period in ("this week", "last week"):
        return ListWins(period)
    match = _RANGE.match(period)
    if match:
        try:
            first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            return ShowHelp("That range has a date that doesn't exist.", text)
        if first > last:
            return ShowHelp("The range ends before it starts.", text)
        if (last - first).days >= MAX_LIST_DAYS:
            return ShowHelp(f"List at most {MAX_LIST_DAYS} days at a time.", text)
        return ListWins(f"{first.isoformat()}..{last.isoformat()}")
    return ShowHelp("`list` takes `this week`, `last week` or a range like `2026-11-02..2026-11-08`.", text)


def period_range(period: str, today: date) -> DateRange:
    """The dates a `ListWins.period` covers, for a member whose local date is `today`."""
    if period == "this week":
        return week_of(today)
    if period == "last week":
        return week_of(today - timedelta(days=7))
    first, _, last = period.partition("..")
    return DateRange(date.fromisoformat(first), date.fromisoformat(last))
