"""The grammar of `/remote-win`: which texts are commands and which are wins.

The rule (also in the help): a text whose first word is a command word is that command; when its
arguments don't fit, the member gets the help, with their text echoed back. Any other text is a win,
and `log <text>` logs a win that happens to start with a command word. The settings shortcuts
(`days`, `times`, `manager`, …) are read by `rules.settings`; mentions come in as `SlackRefs`, because
the typed text shows `@ana` where Slack sent the person's id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_ID = re.compile(r"^#?(\d{1,18})$")


@dataclass(frozen=True)
class _Typed:
    """A text whose first word is a command word, split as each word's parser needs it."""

    text: str  # as typed
    word: str  # the first word, lower-cased
    rest: str  # what follows it, stripped
    refs: SlackRefs


def parse_command(text: str, refs: SlackRefs | None = None) -> Command:
    """What `text` (as typed) asks for; `refs` are the ids of the people and channels it mentions."""
    stripped = text.strip()
    if not stripped:
        return OpenForm()
    word, _, rest = stripped.partition(" ")
    word, rest = word.lower(), rest.strip()
    parse = _PARSERS.get(word)
    if parse is None:
        guess = [] if rest else get_close_matches(word, COMMAND_WORDS, n=1, cutoff=0.75)
        if guess:
            return ShowHelp(
                f"Did you mean `{guess[0]}`? To log “{stripped}” as a win, use `log {stripped}`.", text
            )
        return LogWin(text)
    return parse(_Typed(text, word, rest, refs or SlackRefs()))


def _parse_log(typed: _Typed) -> Command:
    if not typed.rest:
        return ShowHelp("`log` needs the win's text.")
    return LogWin(typed.text.lstrip()[len("log") :].lstrip())


def _alone(command: Command) -> Callable[[_Typed], Command]:
    """A word that takes nothing after it."""

    def parse(typed: _Typed) -> Command:
        return ShowHelp(f"`{typed.word}` takes nothing after it.", typed.text) if typed.rest else command

    return parse


def _parse_win_id(make: Callable[[int], EditWin | DeleteWin]) -> Callable[[_Typed], Command]:
    """`edit 42`, `delete #42`."""

    def parse(typed: _Typed) -> Command:
        match = _ID.match(typed.rest)
        if not match:
            word = typed.word
            return ShowHelp(
                f"`{word}` needs a win's number, like `{word} 42` (`list` shows the numbers).", typed.text
            )
        return make(int(match.group(1)))

    return parse


def _parse_metric(typed: _Typed) -> Command:
    try:
        return parse_metric(typed.rest)
    except MetricProblem as problem:
        return ShowHelp(str(problem), typed.text)


def _parse_trial(parse: Callable[[str], TrialCommand]) -> Callable[[_Typed], Command]:
    """`trial …`, `export …`, `overwork …` (rules/trial.py)."""

    def parse_words(typed: _Typed) -> Command:
        try:
            return parse(typed.rest)
        except TrialProblem as problem:
            stripped = typed.text.strip()
            return ShowHelp(f"{problem} To log “{stripped}” as a win, use `log {stripped}`.", typed.text)

    return parse_words


def _parse_settings(typed: _Typed) -> Command:
    try:
        return parse_settings(typed.word, typed.rest, typed.refs)
    except SettingsProblem as problem:
        return ShowHelp(str(problem), typed.text)


def _parse_list(typed: _Typed) -> Command:
    text = typed.text
    period = " ".join(typed.rest.lower().split()) or "this week"
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


# Each command word's parser, in the order the help lists the words: a new word is one entry here.
_PARSERS: dict[str, Callable[[_Typed], Command]] = {
    "help": _alone(ShowHelp()),
    "list": _parse_list,
    "undo": _alone(UndoLast()),
    "edit": _parse_win_id(EditWin),
    "delete": _parse_win_id(DeleteWin),
    "log": _parse_log,
    "forget-me": _alone(ForgetMe()),
    **dict.fromkeys(SETTINGS_WORDS, _parse_settings),
    "metric": _parse_metric,  # rules/metrics.py
    "metrics": _parse_metric,
    "trial": _parse_trial(parse_trial),  # rules/trial.py
    "export": _parse_trial(parse_export),
    "overwork": _parse_trial(parse_overwork),
}
COMMAND_WORDS = tuple(_PARSERS)


def period_range(period: str, today: date) -> DateRange:
    """The dates a `ListWins.period` covers, for a member whose local date is `today`."""
    if period == "this week":
        return week_of(today)
    if period == "last week":
        return week_of(today - timedelta(days=7))
    first, _, last = period.partition("..")
    return DateRange(date.fromisoformat(first), date.fromisoformat(last))
