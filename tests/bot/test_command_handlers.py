"""Every command of the grammar (rules/commands.py) has exactly one handler in `/remote-win`'s tables."""

from __future__ import annotations

from typing import get_args

from bot.listeners.commands import ANSWERS, FORMS
from rules.commands import Command, ShowHelp


def test_every_command_of_the_grammar_has_one_handler() -> None:
    commands = set(get_args(Command))
    assert len(commands) > 20  # the union, flattened: not a type that get_args can't see into
    answered = {ShowHelp} | set(FORMS) | set(ANSWERS)
    assert {kind.__name__ for kind in commands - answered} == set(), "commands no handler answers"
    assert {kind.__name__ for kind in answered - commands} == set(), "handlers of no command"
    assert {kind.__name__ for kind in set(FORMS) & set(ANSWERS)} == set(), "both a form and data"
