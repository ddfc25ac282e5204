"""The sandbox's commands: be someone, type what they would type in Slack, press what they would press,
and move time; then see what Slack would show them.

One line at a time, from the terminal or from a script (`--script`), through `Session.handle`; what
Slack would show goes to a rich Console. While a modal is open the lines fill its fields, one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from remote_wins.sandbox import seed
from remote_wins.sandbox.runtime import Sandbox, Tick
from remote_wins.simulator import forms
from remote_wins.simulator.fake_slack import BOT_USER_ID
from remote_wins.simulator.render import Control, Controls, render_blocks, text_object
from remote_wins.simulator.workspace import COMMAND, Post, Sighting
from rules.calendar import zone
from rules.deliveries import Kind, Status

FIRST_USER = "ana"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RELATIVE = re.compile(r"^\+(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
KIND_WORDS: dict[str, str] = {
    Kind.MORNING: "morning prompt",
    Kind.MORNING_SNOOZE: "morning prompt (after a snooze)",
    Kind.EOD: "end-of-day prompt",
    Kind.DIGEST: "weekly digest",
    Kind.RECAP: "weekly recap",
    Kind.HELD_POST: "held plan/summary",
}
COMMANDS = ("as", "dm", "press", "home", "dms", "channel", "clock", "who", "help", "quit")
SUBCOMMANDS = (
    "help",
    "list",
    "list last week",
    "undo",
    "edit",
    "delete",
    "log",
    "settings",
    "settings show",
    "days",
    "times",
    "tz",
    "hours",
    "holidays",
    "manager",
    "channel",
    "today remote",
    "today office",
    "today off",
    "off",
    "pause",
    "resume",
    "digest-time",
)
HELP = f"""\
Be someone, then type what they would type in Slack:
  as NAME                      be maya (the manager), ana, kenji, priya or leo
  {COMMAND} TEXT               the slash command, as in Slack: {COMMAND} shipped the Q3 report, {COMMAND} list
  dm TEXT                      a direct message to the bot (its Messages tab)
  N  or  press N               press button [N]; N 1,3 ticks options 1 and 3 of [N]
  home                         open the bot's Home tab
  dms [N]  /  channel [N]      the last N messages of your DM with the bot / of #team
Move time (in your own time zone), running every tick of the clock on the way:
  clock                        what time it is, for everyone
  clock +2h, +30m, +1d         later
  clock 09:00, clock fri 16:00, clock 2026-12-01 09:00
Also: who (the people and their local times), help, quit.
In a form: type each field's value (Enter keeps it, - empties it, a \\n starts a new line),
then Enter to submit, a field's number to change it, or cancel."""


@dataclass
class Walk:
    """A modal being filled in: the fields still to ask, then the question of submitting it."""

    view_id: str
    pending: list[int] = field(default_factory=list)  # field numbers still to ask, in order

    @property
    def confirming(self) -> bool:
        return not self.pending


class Session:
    """The person at the keyboard, as whoever they chose to be in the demo workspace."""

    def __init__(self, sandbox: Sandbox, console: Console, *, quiet: float = 0.4) -> None:
        self.sandbox, self.console, self.quiet = sandbox, console, quiet
        self.ws = sandbox.workspace
        self.me = self.ws.user_id(FIRST_USER) or seed.MANAGER.user_id
        self.cursor: dict[str, int] = {p.user_id: len(self.ws.sightings) for p in seed.demo_people()}
        self.announced = dict(self.cursor)  # what the line about the others has counted already
        self.controls = Controls()
        self.walk: Walk | None = None
        self.done = False

    # -- what the prompt says ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.ws.user_name(self.me)

    def local(self, instant: datetime | None = None, user: str | None = None) -> datetime:
        return (instant or self.sandbox.now()).astimezone(zone(self.ws.zone_of(user or self.me)))

    def prompt(self) -> str:
        if self.walk is not None:
            view = self.ws.view(self.walk.view_id)
            if self.walk.confirming:
                if not forms.fields_of(view):
                    return f"  {_plain(view.get('title'))} (N: press [N] · cancel: close it) › "
                label = _plain(view.get("submit")) or "Submit"
                return f"  {label}? (Enter: yes · N: change field N · cancel) › "
            spec = self._field(self.walk.pending[0])
            if spec is not None:
                return f"  ({spec.number}) {spec.label}{'' if spec.optional else ' *'} › "
        return f"{self.name} · {self.local():%a %H:%M} › "

    def names(self) -> list[str]:
        return [p.name for p in seed.demo_people()]

    # -- the start --------------------------------------------------------------------------------------

    def banner(self) -> None:
        now = self.local()
        lines = Text()
        lines.append("remote-wins sandbox", style="bold")
        lines.append(
            ": the real app, over HTTP and signed like Slack's requests, against a simulated Slack "
            f"workspace ({seed.TEAM_NAME}) and a simulated clock. Data: {self.sandbox.db_path}"
            + (" (new: four weeks of history made up)." if self.sandbox.seeded_now else ".")
        )
        lines.append(f"\nIt is {now:%a %d %b %Y %H:%M} for {self.name} ({self.ws.zone_of(self.me)}).")
        people = ", ".join(
            f"{p.name} ({p.role}, {p.tz.split('/')[-1].replace('_', ' ')})" for p in seed.demo_people()
        )
        lines.append(f"\nPeople: {people}.")
        self.console.print(Panel(lines, border_style="cyan"))
        self.hint(
            f"Try: {COMMAND} shipped the Q3 report · clock 09:00 (Ana's morning prompt) · "
            "as maya, then clock fri 16:00 (her weekly digest, with everyone's recap an hour before) · help"
        )

    def hint(self, text: str) -> None:
        self.console.print(Text(text, style="italic yellow"))

    # -- one line ---------------------------------------------------------------------------------------

    def handle(self, line: str) -> None:
        """Do what the line says and show what came of it."""
        if self.walk is not None:
            self._walk_line(line)
            return
        line = line.strip()
        if not line:
            return
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        command = self._commands().get(word.lower())
        try:
            if word.startswith("/"):
                self._slash(word, rest)
            elif re.fullmatch(r"\d+", word):
                self._press(int(word), rest)
            elif command is not None:
                command(rest)
            else:
                self.error(
                    f"“{line}” is not a sandbox command. Slash commands start with /, like {COMMAND} help."
                )
                self.hint("Type help for the commands.")
        except forms.FieldError as problem:
            self.error(str(problem))

    def _commands(self) -> dict[str, Callable[[str], None]]:
        """The sandbox's own words, each taking the rest of the line."""
        return {
            "press": self._press_typed,
            "as": self._become,
            "dm": self._dm,
            "home": lambda rest: self._home(),
            "dms": lambda rest: self._history(self.ws.dm_channel(self.me), rest),
            "channel": lambda rest: self._history(
                seed.CHANNEL_ID, rest.replace(f"#{seed.CHANNEL_NAME}", "").strip()
            ),
            "clock": self._clock,
            "who": lambda rest: self._who(),
            **dict.fromkeys(("help", "?"), lambda rest: self.console.print(Text(HELP))),
            **dict.fromkeys(("quit", "exit", "q"), lambda rest: self._quit()),
        }

    def _quit(self) -> None:
        self.done = True

    def error(self, text: str) -> None:
        self.console.print(Text(text, style="bold red"))

    # -- commands ---------------------------------------------------------------------------------------

    def _slash(self, word: str, rest: str) -> None:
        if word.lower() != COMMAND:
            self.error(f"{word} isn't installed in this workspace; remote-wins answers {COMMAND}.")
            return
        self.ws.command(self.me, rest, seed.CHANNEL_ID)
        self._after()

    def _dm(self, text: str) -> None:
        if not text:
            self.error("dm needs the message: dm shipped the Q3 report")
            return
        self.ws.direct_message(self.me, text)
        self._after()

    def _home(self) -> None:
        self.ws.open_home(self.me)
        self._after(show_home=True)

    def _become(self, name: str) -> None:
        user = self.ws.user_id(name)
        if user is None or user == BOT_USER_ID or user not in self.cursor:
            self.error(f"Nobody here is called “{name}”: try {', '.join(self.names())}.")
            return
        self.me = user
        person = next(p for p in seed.demo_people() if p.user_id == user)
        self.console.print(
            Text(
                f"You are {person.name}, {person.role}, in {person.tz}: {self.local():%a %d %b %H:%M}.",
                "bold",
            )
        )
        self._show_new()
        if person is seed.MANAGER:
            self.hint("Maya's weekly digest comes on Friday at 16:00: clock fri 16:00")

    def _press_typed(self, rest: str) -> None:
        """`press 2 [choice]`."""
        number, _, choice = rest.partition(" ")
        if not number.isdigit():
            self.error("press takes a number: press 2")
        else:
            self._press(int(number), choice.strip())

    def _press(self, number: int, choice: str) -> None:
        control = self.controls.get(number)
        if control is None:
            self.error(
                f"There is no [{number}] on screen."
                + (" Press one of the numbers in brackets." if self.controls.items else "")
            )
            return
        self._use(control, choice)

    def _use(self, control: Control, choice: str) -> None:
        element = control.element
        kind = element.get("type")
        if kind == "button":
            if element.get("url"):
                self.console.print(Text(f"(a link: {element['url']})", style="dim"))
                if not element.get("action_id"):
                    return
            self.ws.press(self.me, element, control.block_id, control.surface)
        else:
            if not choice:
                n = control.number
                self.error(f"[{n}] needs a choice: {n} 1,2 (the options' numbers), or {n} - for none")
                return
            self.ws.choose(self.me, element, control.block_id, control.surface, choice)
            picked = forms.Field(0, control.block_id, str(element.get("action_id")), "", element, True, "")
            state = forms.answer(picked, choice, self.ws)
            self.console.print(
                Text(
                    f"  [{control.number}] now: {forms.shown_value(picked, state, self.ws) or 'nothing'}",
                    style="dim",
                )
            )
        self._after()

    def _history(self, channel: str, rest: str) -> None:
        limit = int(rest) if rest.isdigit() else 5
        posts = self.ws.history(channel, self.me, limit)
        if not posts:
            self.console.print(Text("Nothing here yet.", style="dim"))
            return
        controls = Controls()
        for post in posts:
            self._show_post(post, controls, "")
        self._take(controls)

    def _who(self) -> None:
        table = Table(box=None, padding=(0, 2))
        for column in ("", "name", "role", "zone", "local time", "remote days", "plans go to"):
            table.add_column(column)
        for person in seed.demo_people():
            days = ", ".join(WEEKDAYS[d] for d in sorted(person.remote_days)) or "—"
            goes = {"channel": f"#{seed.CHANNEL_NAME}", "manager": "maya", "self": "own DM"}[person.share_to]
            table.add_row(
                "you" if person.user_id == self.me else "",
                person.name,
                person.role,
                person.tz,
                f"{self.local(user=person.user_id):%a %H:%M}",
                days,
                "—" if person is seed.MANAGER else goes,
            )
        self.console.print(table)

    def _clock(self, rest: str) -> None:
        now = self.sandbox.now()
        if not rest:
            self.console.print(
                Text(f"{self.local():%a %d %b %Y %H:%M} for you ({self.ws.zone_of(self.me)}).")
            )
            self._who()
            return
        target = self._when(rest, now)
        if target is None:
            self.error(
                f"“clock {rest}”: say +2h, +30m, +1d, 09:00, fri 16:00 or 2026-12-01 09:00 (your time)."
            )
            return
        if target <= now:
            self.error(f"{self.local(target):%a %d %b %H:%M} has passed: the clock only moves forward.")
            return
        ticks = self.sandbox.advance(target)
        self.console.print(
            Text(f"⏰ {self.local(now):%a %d %b %H:%M} → {self.local(target):%a %d %b %H:%M} ", "bold")
            + Text(f"({self.ws.zone_of(self.me)})")
        )
        self._tick_lines(ticks)
        self._after(settle=False)

    def _when(self, text: str, now: datetime) -> datetime | None:
        """The instant `clock TEXT` means, in the current person's zone."""
        tz = zone(self.ws.zone_of(self.me))
        local = now.astimezone(tz)
        text = text.strip().lower()
        if match := RELATIVE.match(text.replace(" ", "")):
            if not any(match.groups()):
                return None
            w, d, h, m = (int(g or 0) for g in match.groups())
            return now + timedelta(weeks=w, days=d, hours=h, minutes=m)
        words = text.split()
        if not words or len(words) > 2:
            return None
        clock = time(0, 0)
        if len(words) == 2 or CLOCK_TIME.match(words[-1]):
            found = CLOCK_TIME.match(words[-1])
            if not found:
                return None
            clock = time(int(found[1]), int(found[2]))
            words = words[:-1]
        if not words:  # a time alone: its next occurrence
            candidate = datetime.combine(local.date(), clock, tz)
            return (
                candidate
                if candidate > now
                else datetime.combine(local.date() + timedelta(days=1), clock, tz)
            )
        day_word = words[0]
        if day_word[:3] in WEEKDAYS and day_word.isalpha():
            ahead = (WEEKDAYS.index(day_word[:3]) - local.weekday()) % 7
            candidate = datetime.combine(local.date() + timedelta(days=ahead), clock, tz)
            return candidate if candidate > now else candidate + timedelta(days=7)
        if day_word in ("today", "tomorrow"):
            day = local.date() + timedelta(days=1 if day_word == "tomorrow" else 0)
            return datetime.combine(day, clock, tz)
        try:
            return datetime.combine(date.fromisoformat(day_word), clock, tz)
        except ValueError:
            return None

    def _tick_lines(self, ticks: list[Tick]) -> None:
        lines = Text()
        for tick in ticks:
            if tick.report is None:
                continue
            for item in tick.report.items:
                what = KIND_WORDS.get(item.kind, item.kind)
                who = self.ws.user_name(item.user_id)
                outcome = (
                    ""
                    if item.outcome == Status.SENT
                    else f" ({item.outcome}{': ' + item.error if item.error else ''})"
                )
                if lines:
                    lines.append("\n")
                lines.append(f"  {self.local(tick.at):%a %H:%M}  {what} → {who}{outcome}", style="dim")
        if lines:
            self.console.print(lines)
        else:
            self.console.print(Text("  Nothing was due on the way.", style="dim"))

    # -- after an action: what Slack would show ---------------------------------------------------------

    def _after(self, *, show_home: bool = False, settle: bool = True) -> None:
        if settle:
            self.ws.settle(quiet=self.quiet)
        self._show_new(show_home=show_home)

    def _show_new(self, *, show_home: bool = False) -> None:
        """Everything the current person hasn't seen yet, and a line about what arrived for the others."""
        seen = self.cursor[self.me]
        mine = self.ws.sightings_for(self.me, seen)
        self.cursor[self.me] = len(self.ws.sightings)
        controls = Controls()
        modal = self._show_sightings(mine, controls)
        for sighting in self.ws.sightings[seen:]:  # Slack's refusals show for everyone
            if sighting.kind == "refused" and sighting not in mine:
                self.console.print(Text(f"⚠ {sighting.note}", style="bold red"))
        if show_home:
            self._show_home(controls)
        self._others()
        self._take(controls)
        if modal:
            self._modal_changed()

    def _show_sightings(self, sightings: list[Sighting], controls: Controls) -> bool:
        """The current person's new sightings, each message once (as it is now); whether a modal changed."""
        shown: set[str] = set()
        modal = False
        for sighting in sightings:
            post = sighting.post
            if sighting.kind in ("refused", "error"):
                self.console.print(Text(f"⚠ {sighting.note}", style="bold red"))
            elif sighting.kind == "modal":
                modal = True
            elif post is not None and post.author != self.me:
                if post.key in shown and sighting.kind != "deleted":
                    continue
                shown.add(post.key)
                if sighting.kind == "deleted":
                    self.console.print(Text(f"  ✕ a message {self._where(post)} was deleted", style="dim"))
                else:
                    self._show_post(post, controls, "(edited) " if sighting.kind == "updated" else "")
        return modal

    def _take(self, controls: Controls) -> None:
        if controls.items:
            self.controls = controls

    def _others(self) -> None:
        """One line about what arrived for everyone else since they last looked."""
        news = []
        for person in seed.demo_people():
            if person.user_id == self.me:
                continue
            since = max(self.cursor[person.user_id], self.announced[person.user_id])
            self.announced[person.user_id] = len(self.ws.sightings)
            count = sum(
                1
                for s in self.ws.sightings_for(person.user_id, since)
                if s.kind == "new"
                and s.post is not None
                and s.post.author != person.user_id
                and (s.post.to == person.user_id or s.post.channel == self.ws.dm_channel(person.user_id))
            )
            if count:
                news.append(f"{person.name} {count}")
        if news:
            self.console.print(
                Text(f"  Meanwhile, new for {', '.join(news)} (as NAME to see it)", style="dim")
            )

    def _where(self, post: Post) -> str:
        if post.to is not None:
            return (
                f"only visible to you, in #{self.ws.channel_name(post.channel)}"
                if not post.channel.startswith("D")
                else "only visible to you"
            )
        if post.channel.startswith("D"):
            return "DM with remote-wins"
        return f"#{self.ws.channel_name(post.channel)}"

    def _show_post(self, post: Post, controls: Controls, note: str) -> None:
        author = "remote-wins" if post.author == BOT_USER_ID else self.ws.user_name(post.author)
        head = f"{note}{self._where(post)} · {author} · {self.local(post.at):%a %H:%M}"
        parent = self.ws.parent_of(post)
        if post.thread_ts:
            first = (parent.text or "").split("\n")[0] if parent else ""
            shown = text_object({"type": "mrkdwn", "text": first}, self.ws).plain
            head += f" · in the thread of “{_shorten(shown, 36)}”"
        body: list[RenderableType] = []
        if post.blocks:
            body = render_blocks(post.blocks, self.ws, controls=controls, surface=post, state=post.state)
        elif post.text:
            body = [text_object({"type": "mrkdwn", "text": post.text}, self.ws)]
        body += [Text(f"📎 {title}", style="italic") for title in post.files]
        style = "yellow" if post.to else ("cyan" if post.channel.startswith("D") else "green")
        self.console.print(
            Panel(
                Group(*body) if body else Text(""),
                title=head,
                title_align="left",
                border_style=style,
                padding=(0, 1),
            )
        )

    def _show_home(self, controls: Controls) -> None:
        home = self.ws.home(self.me)
        if home is None:
            self.console.print(Text("The Home tab is empty: the app hasn't published it.", style="dim"))
            return
        body = render_blocks(home.get("blocks"), self.ws, controls=controls, surface=home.get("id"))
        self.console.print(
            Panel(Group(*body), title="remote-wins · Home", title_align="left", border_style="magenta")
        )

    # -- modals -----------------------------------------------------------------------------------------

    def _field(self, number: int) -> forms.Field | None:
        if self.walk is None:
            return None
        fields = forms.fields_of(self.ws.view(self.walk.view_id))
        return fields[number - 1] if 0 < number <= len(fields) else None

    def _modal_changed(self) -> None:
        view = self.ws.open_modal(self.me)
        if view is None:
            if self.walk is not None:
                self.console.print(Text("  (the form closed)", style="dim"))
            self.walk = None
            return
        self.walk = Walk(view["id"], [f.number for f in forms.fields_of(view)])
        self._show_modal(view, {})

    def _show_modal(self, view: dict[str, Any], errors: dict[str, str]) -> None:
        values = self.ws.modal_values.get(view["id"]) or forms.initial_values(view)
        by_block = {f.block_id: f for f in forms.fields_of(view)}

        def draw(block: dict[str, Any]) -> RenderableType:
            spec = by_block.get(str(block.get("block_id")))
            if spec is None:
                return Text("")
            state = (values.get(spec.block_id) or {}).get(spec.action_id) or {}
            line = Text(f"({spec.number}) ", style="bold cyan")
            line.append(spec.label, style="bold")
            line.append("" if spec.optional else " *", style="red")
            shown = forms.shown_value(spec, state, self.ws)
            line.append(f"  [{shown}]" if shown else "  [ ]", style="green" if shown else "dim")
            extra = [line, Text(f"     {forms.how_to_answer(spec, self.ws)}", style="dim")]
            if spec.hint:
                extra.append(Text(f"     {spec.hint}", style="dim italic"))
            if spec.block_id in errors:
                extra.append(Text(f"     ⚠ {errors[spec.block_id]}", style="bold red"))
            return Group(*extra)

        controls = Controls()
        body = render_blocks(view.get("blocks"), self.ws, controls=controls, surface=view["id"], fields=draw)
        buttons = Text()
        if view.get("submit"):
            buttons.append(f"[{_plain(view['submit'])}: Enter]", style="bold green")
            buttons.append("  ")
        buttons.append(f"[{_plain(view.get('close')) or 'Close'}: cancel]", style="bold")
        title = f"{_plain(view.get('title'))} · form"
        self.console.print(
            Panel(Group(*body, Text(""), buttons), title=title, title_align="left", border_style="blue")
        )
        self._take(controls)

    def _walk_line(self, line: str) -> None:
        assert self.walk is not None
        typed = line.strip()
        if typed.lower() in ("cancel", "close"):
            self.ws.close_modal(self.me)
            self._after()
            if self.ws.open_modal(self.me) is None:
                self.walk = None
            return
        if not self.walk.confirming:
            self._fill_field(self.walk, typed)
            return
        view = self.ws.view(self.walk.view_id)
        has_fields = bool(forms.fields_of(view))
        word, _, rest = typed.partition(" ")
        if typed.isdigit() and has_fields:
            self._go_to_field(self.walk, typed)
        elif word.lower() == "press" or (typed.isdigit() and not has_fields):
            self._press_in_form(rest if word.lower() == "press" else word)
        elif typed.lower() in ("", "y", "yes", "submit", "ok"):
            self._submit_form(self.walk, view)
        else:
            self.error("    Enter sends the form, a field's number changes that field, cancel closes it.")

    def _fill_field(self, walk: Walk, typed: str) -> None:
        """What was typed, into the next field asked for; Enter alone keeps its value (unless required and
        empty)."""
        spec = self._field(walk.pending[0])
        if spec is None:
            walk.pending.pop(0)
            return
        if not typed:
            view = self.ws.view(walk.view_id)
            values = self.ws.modal_values.get(view["id"]) or forms.initial_values(view)
            state = (values.get(spec.block_id) or {}).get(spec.action_id) or {}
            if not spec.optional and forms.is_empty(state):
                self.error("    This field is required.")
                return
            walk.pending.pop(0)
            return
        try:
            state = forms.answer(spec, typed, self.ws)
        except forms.FieldError as problem:
            self.error(f"    {problem}")
            return
        self.ws.set_field(self.me, spec, state)
        walk.pending.pop(0)

    def _go_to_field(self, walk: Walk, typed: str) -> None:
        if self._field(int(typed)) is None:
            self.error(f"    There is no field ({typed}).")
        else:
            walk.pending = [int(typed)]

    def _press_in_form(self, number: str) -> None:
        if number.isdigit() and self.controls.get(int(number)):
            self._use(self.controls.get(int(number)), "")  # type: ignore[arg-type]
            self._modal_changed_if_needed()
        else:
            self.error(f"    There is no button [{number}] in the form.")

    def _submit_form(self, walk: Walk, view: dict[str, Any]) -> None:
        """Send the form; when the app answers with errors, show them and ask those fields again."""
        if not view.get("submit"):
            self.error("    This form has nothing to send: cancel closes it.")
            return
        errors = self.ws.submit(self.me)
        if errors:
            self.console.print(Text("  The form says:", style="bold red"))
            self._show_modal(view, errors)
            numbers = [f.number for f in forms.fields_of(view) if f.block_id in errors]
            walk.pending = numbers or []
            return
        self.walk = None
        self._after()

    def _modal_changed_if_needed(self) -> None:
        view = self.ws.open_modal(self.me)
        if view is None:
            self.walk = None
        elif self.walk is not None and view["id"] != self.walk.view_id:
            self.walk = Walk(view["id"], [f.number for f in forms.fields_of(view)])


def _plain(obj: Any) -> str:
    return str(obj.get("text") or "") if isinstance(obj, dict) else ""


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
