"""Block Kit as a person reads it in a terminal: the app's real blocks, drawn with rich.

Sections (text, fields, accessory), headers, context, dividers, images as their alt text, rich text and
markdown blocks; mrkdwn (bold, italic, strike, code, quotes, links, mentions, emoji codes) as styled text.
Every interactive element gets a number (`Controls`), so a button is pressed by typing its number; a
modal's inputs are listed as numbered fields with their current values (see `forms`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Group, RenderableType
from rich.emoji import Emoji, NoEmoji
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

BUTTON_STYLES = {"primary": "bold green", "danger": "bold red", None: "bold cyan"}
INTERACTIVE = frozenset(
    {
        "button",
        "checkboxes",
        "radio_buttons",
        "overflow",
        "static_select",
        "multi_static_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "external_select",
        "multi_external_select",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "workflow_button",
    }
)
# Slack's names for a few emoji that rich knows by another name.
EMOJI_ALIASES = {
    "city_sunset": "city_sunrise",
    "white_square": "white_large_square",
    "thumbsup": "thumbs_up",
    "+1": "thumbs_up",
    "sunrise": "sunrise",
    "tada": "party_popper",
}


class Names(Protocol):
    """Who and where an id is, as Slack would show it."""

    def user_name(self, user_id: str) -> str: ...

    def channel_name(self, channel_id: str) -> str: ...


@dataclass
class Control:
    """A numbered interactive element on screen: what pressing or choosing it acts on."""

    number: int
    element: dict[str, Any]
    block_id: str
    surface: Any  # whatever the caller draws (a message, a view); handed back when the control is used


@dataclass
class Controls:
    """The numbers given to interactive elements on the screen, from 1; `clear` starts again."""

    items: dict[int, Control] = field(default_factory=dict)

    def add(self, element: dict[str, Any], block_id: str, surface: Any) -> int:
        number = len(self.items) + 1
        self.items[number] = Control(number, element, block_id, surface)
        return number

    def clear(self) -> None:
        self.items.clear()

    def get(self, number: int) -> Control | None:
        return self.items.get(number)


# -- mrkdwn --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"```(?P<pre>.+?)```"
    r"|`(?P<code>[^`\n]+)`"
    r"|<(?P<link>[^<>\n]+)>"
    r"|(?<![\w*])\*(?P<bold>[^*\n]+?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\n]+?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\n]+?)~(?![\w~])"
    r"|:(?P<emoji>[a-z0-9_+\-]+):",
    re.DOTALL,
)
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(name: str) -> str:
    """The emoji for a Slack emoji code, or the code itself when rich doesn't know it."""
    for candidate in (name, EMOJI_ALIASES.get(name, name)):
        try:
            return str(Emoji(candidate))
        except NoEmoji:
            continue
    return f":{name}:"


def _link(inner: str, names: Names) -> tuple[str, str]:
    """A `<…>` token as Slack shows it: mentions by name, links by their label."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or names.user_name(target[1:])), "bold magenta"
    if target.startswith("#"):
        return "#" + (label or names.channel_name(target[1:])), "bold magenta"
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        if label:
            return label, "bold magenta"
        return _SPECIAL.get(name, "@" + name), "bold magenta"
    if label:
        return f"{unescape(label)} ({unescape(target)})", "underline blue"
    return unescape(target), "underline blue"


def mrkdwn(text: str, names: Names, style: str = "") -> Text:
    """Slack's mrkdwn as styled text; `&lt;` and friends shown as typed."""
    out = Text(style=style)
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if n:
            out.append("\n")
        if line.startswith("&gt; ") or line == "&gt;":
            out.append("▎ ", style="dim")
            line = line[5:]
        _inline(line, names, out, style)
    return out


def _inline(text: str, names: Names, out: Text, style: str) -> None:
    at = 0
    for match in _TOKEN.finditer(text):
        out.append(unescape(text[at : match.start()]), style=style or None)
        at = match.end()
        kind = match.lastgroup
        value = match.group(kind or 0)
        if kind in ("pre", "code"):
            out.append(unescape(value), style=f"{style} on grey23".strip())
        elif kind == "link":
            shown, link_style = _link(value, names)
            out.append(shown, style=f"{style} {link_style}".strip())
        elif kind == "emoji":
            out.append(emoji(value), style=style or None)
        else:
            extra = {"bold": "bold", "italic": "italic", "strike": "strike"}[str(kind)]
            _inline(value, names, out, f"{style} {extra}".strip())
    out.append(unescape(text[at:]), style=style or None)


def text_object(obj: Any, names: Names, style: str = "") -> Text:
    """A plain_text or mrkdwn text object (plain text keeps its emoji codes as emoji, as Slack's do)."""
    if not isinstance(obj, dict):
        return Text("")
    raw = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(raw, names, style)
    shown = re.sub(r":([a-z0-9_+\-]+):", lambda m: emoji(m.group(1)), raw) if obj.get("emoji", True) else raw
    return Text(shown, style=style)


# -- elements ------------------------------------------------------------------------------------------


def option_label(option: dict[str, Any], names: Names) -> Text:
    label = text_object(option.get("text"), names)
    if isinstance(option.get("description"), dict):
        label.append(" — ", style="dim")
        label.append_text(text_object(option["description"], names, "dim"))
    return label


def options_of(element: dict[str, Any]) -> list[dict[str, Any]]:
    """An element's options, flattening option groups."""
    if element.get("options"):
        return list(element["options"])
    return [o for group in element.get("option_groups") or () for o in group.get("options") or ()]


def _selected_values(element: dict[str, Any], state: dict[str, Any] | None) -> set[str]:
    if state is not None:
        chosen = state.get("selected_options")
        if chosen is None and state.get("selected_option"):
            chosen = [state["selected_option"]]
        return {str(o.get("value")) for o in chosen or ()}
    initial = element.get("initial_options") or (
        [element["initial_option"]] if element.get("initial_option") else []
    )
    return {str(o.get("value")) for o in initial}


def element_text(
    element: dict[str, Any], names: Names, number: int | None, state: dict[str, Any] | None = None
) -> Text:
    """One interactive element on one line (checkboxes and radio buttons: one line per option)."""
    kind = element.get("type")
    tag = f"[{number}] " if number is not None else ""
    if kind in ("button", "workflow_button"):
        style = BUTTON_STYLES.get(element.get("style"), BUTTON_STYLES[None])
        label = text_object(element.get("text"), names).plain
        out = Text(f"[{number} {label}]" if number is not None else f"[{label}]", style=style)
        if element.get("url"):
            out.append(f" ({element['url']})", style="dim")
        return out
    if kind in ("checkboxes", "radio_buttons"):
        chosen = _selected_values(element, state)
        box = ("☑", "☐") if kind == "checkboxes" else ("◉", "○")
        out = Text(tag, style="bold cyan")
        for n, option in enumerate(options_of(element), start=1):
            if n > 1:
                out.append("\n" + " " * len(tag))
            mark = box[0] if str(option.get("value")) in chosen else box[1]
            out.append(f"{mark} {n}. ")
            out.append_text(option_label(option, names))
        return out
    out = Text(tag, style="bold cyan")
    placeholder = text_object(element.get("placeholder"), names).plain
    if kind == "overflow":
        labels = [text_object(o.get("text"), names).plain for o in options_of(element)]
        out.append("⋯ " + " | ".join(f"{n}. {label}" for n, label in enumerate(labels, start=1)))
    elif kind in ("static_select", "multi_static_select", "external_select", "multi_external_select"):
        labels = [text_object(o.get("text"), names).plain for o in options_of(element)]
        out.append(
            f"▾ {placeholder or 'choose'}: " + " | ".join(f"{n}. {lb}" for n, lb in enumerate(labels, 1))
        )
    else:
        out.append(f"▾ {kind}" + (f": {placeholder}" if placeholder else ""))
    return out


def _accessory(element: dict[str, Any], block_id: str, ctx: _Context) -> Text:
    if element.get("type") == "image":
        return Text(f"[image: {element.get('alt_text', '')}]", style="dim italic")
    return element_text(element, ctx.names, ctx.number(element, block_id), ctx.state_of(block_id, element))


@dataclass
class _Context:
    names: Names
    controls: Controls | None
    surface: Any
    state: dict[str, Any]  # block_id -> action_id -> state value
    fields: Callable[[dict[str, Any]], RenderableType] | None  # how a modal draws an input block

    def number(self, element: dict[str, Any], block_id: str) -> int | None:
        if self.controls is None or element.get("type") not in INTERACTIVE:
            return None
        return self.controls.add(element, block_id, self.surface)

    def state_of(self, block_id: str, element: dict[str, Any]) -> dict[str, Any] | None:
        return (self.state.get(block_id) or {}).get(str(element.get("action_id")))


def block_id_of(block: dict[str, Any], index: int) -> str:
    """A block's id; Slack makes one up when the app gave none, and so do we (stable per position)."""
    return str(block.get("block_id") or f"blk{index}")


def render_blocks(
    blocks: list[dict[str, Any]] | None,
    names: Names,
    *,
    controls: Controls | None = None,
    surface: Any = None,
    state: dict[str, Any] | None = None,
    fields: Callable[[dict[str, Any]], RenderableType] | None = None,
) -> list[RenderableType]:
    """Each block as rich renderables, numbering interactive elements in `controls` (None: no numbers)."""
    ctx = _Context(names, controls, surface, state or {}, fields)
    out: list[RenderableType] = []
    for index, block in enumerate(blocks or ()):
        out.extend(_block(block, block_id_of(block, index), ctx))
    return out


def _block(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    draw = _DRAWERS.get(str(block.get("type")), _unknown)
    yield from draw(block, block_id, ctx)


def _header(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield text_object(block.get("text"), ctx.names, "bold underline")


def _divider(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Rule(style="dim")


def _section(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    parts: list[RenderableType] = []
    if block.get("text"):
        parts.append(text_object(block["text"], ctx.names))
    if block.get("fields"):
        parts.append(_fields_grid(block["fields"], ctx.names))
    if block.get("accessory"):
        parts.append(Padding(_accessory(block["accessory"], block_id, ctx), (0, 0, 0, 2)))
    yield Group(*parts)


def _fields_grid(fields: list[Any], names: Names) -> Table:
    """A section's fields, two to a row as Slack lays them out."""
    grid = Table.grid(padding=(0, 3))
    grid.add_column()
    grid.add_column()
    cells = [text_object(f, names) for f in fields]
    for i in range(0, len(cells), 2):
        grid.add_row(*cells[i : i + 2], *([Text("")] if i + 1 >= len(cells) else []))
    return grid


def _context_block(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    line = Text(style="dim")
    for n, element in enumerate(block.get("elements") or ()):
        if n:
            line.append("  ")
        if element.get("type") == "image":
            line.append(f"[{element.get('alt_text', 'image')}]")
        else:
            line.append_text(text_object(element, ctx.names, "dim"))
    yield line


def _image(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    title = text_object(block.get("title"), ctx.names).plain if block.get("title") else ""
    yield Text(f"[image: {block.get('alt_text', '')}]" + (f" {title}" if title else ""), style="italic dim")


def _actions(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    """The elements side by side; one drawn on several lines (checkboxes, radio buttons) stands alone."""
    line = Text()
    for element in block.get("elements") or ():
        piece = element_text(
            element, ctx.names, ctx.number(element, block_id), ctx.state_of(block_id, element)
        )
        if "\n" in piece.plain:
            if line.plain:
                yield line
                line = Text()
            yield piece
        else:
            if line.plain:
                line.append("  ")
            line.append_text(piece)
    if line.plain:
        yield line


def _input(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    if ctx.fields is not None:
        yield ctx.fields(block)
    else:
        yield text_object(block.get("label"), ctx.names, "bold")


def _rich_text(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Text(rich_text_plain(block))


def _markdown(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Text(str(block.get("text") or ""))


def _file(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Text(f"[file {block.get('external_id', '')}]", style="dim")


def _video(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Text(f"[video: {block.get('alt_text', '')}]", style="dim")


def _unknown(block: dict[str, Any], block_id: str, ctx: _Context) -> Iterator[RenderableType]:
    yield Text(f"[{block.get('type')} block]", style="dim")


# How each block type is drawn; any other type is named in brackets.
_DRAWERS: dict[str, Callable[[dict[str, Any], str, _Context], Iterator[RenderableType]]] = {
    "header": _header,
    "divider": _divider,
    "section": _section,
    "context": _context_block,
    "image": _image,
    "actions": _actions,
    "input": _input,
    "rich_text": _rich_text,
    "markdown": _markdown,
    "file": _file,
    "video": _video,
}


def rich_text_plain(value: Any) -> str:
    """The words of a rich_text block (its styling dropped)."""
    if isinstance(value, dict):
        if value.get("type") == "text":
            return str(value.get("text") or "")
        if value.get("type") == "user":
            return "@" + str(value.get("user_id"))
        if value.get("type") == "link":
            return str(value.get("text") or value.get("url") or "")
        return "".join(rich_text_plain(v) for v in value.get("elements") or ())
    if isinstance(value, list):
        return "".join(rich_text_plain(v) for v in value)
    return ""
