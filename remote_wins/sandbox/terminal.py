"""`remote-wins sandbox`: the terminal around a `Session`, interactive (prompt_toolkit: history and
completion of commands and names) or from a script (`--script FILE`: the same lines, printed as a
transcript)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from rich.console import Console
from rich.text import Text

from remote_wins.sandbox.runtime import DEFAULT_DB, Sandbox
from remote_wins.sandbox.session import COMMANDS, SUBCOMMANDS, Session
from remote_wins.simulator.workspace import COMMAND

CLOCK_EXAMPLES = ("+1h", "+30m", "+1d", "09:00", "17:00", "tomorrow 09:00", "fri 16:00")
SCRIPT_WIDTH = 100


class SandboxCompleter(Completer):
    """Commands at the start of a line, names after `as` and `@`, the slash command's words after it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        if self.session.walk is not None:
            return
        text = document.text_before_cursor
        word = document.get_word_before_cursor(WORD=True)
        if word.startswith("@"):
            yield from _matches(word, (f"@{name}" for name in self.session.names()))
            return
        head, _, rest = text.partition(" ")
        if not _:
            yield from _matches(word, (*COMMANDS, COMMAND))
        elif head == "as":
            yield from _matches(rest, self.session.names())
        elif head == COMMAND:
            yield from _matches(rest, SUBCOMMANDS)
        elif head == "clock":
            yield from _matches(rest, CLOCK_EXAMPLES)


def _matches(typed: str, candidates: Iterable[str]) -> Iterator[Completion]:
    for candidate in candidates:
        if candidate.startswith(typed) and candidate != typed:
            yield Completion(candidate, start_position=-len(typed))


def run(db: str | Path = DEFAULT_DB, script: str | Path | None = None, start: datetime | None = None) -> int:
    """Open the sandbox and read commands until `quit` or the end of the input; 0 when all went through."""
    interactive = script is None and sys.stdin.isatty()
    console = Console(highlight=False, emoji=False, width=None if interactive else SCRIPT_WIDTH)
    with Sandbox(db, start=start) as sandbox:
        session = Session(sandbox, console)
        sandbox.catch_up()
        session.banner()
        if script is not None:
            lines: Iterable[str] = Path(script).read_text(encoding="utf-8").splitlines()
            _play(session, console, lines)
        elif interactive:
            _interactive(session, sandbox)
        else:
            _play(session, console, (line.rstrip("\n") for line in sys.stdin))
    return 0


def is_comment(line: str) -> bool:
    """`# …` in a script is a note for its reader (a field value like `#team` is not)."""
    stripped = line.strip()
    return stripped == "#" or stripped.startswith("# ")


def _play(session: Session, console: Console, lines: Iterable[str]) -> None:
    """Each line as if typed at the prompt, shown with the prompt so the output reads as a transcript."""
    for line in lines:
        if is_comment(line):
            console.print(Text(line.strip(), style="dim"))
            continue
        if not line.strip() and session.walk is None:
            continue
        console.print(Text(session.prompt() + line, style="bold"))
        session.handle(line)
        if session.done:
            break


def _interactive(session: Session, sandbox: Sandbox) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(sandbox.db_path.with_name(sandbox.db_path.name + ".history"))),
        completer=SandboxCompleter(session),
    )
    while not session.done:
        try:
            line = prompt.prompt(session.prompt())
        except KeyboardInterrupt:  # Ctrl-C: out of a form, else a fresh line
            if session.walk is not None:
                session.handle("cancel")
            continue
        except EOFError:  # Ctrl-D
            break
        session.handle(line)
