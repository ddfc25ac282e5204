"""A modal's inputs as a person fills them in: what each field holds, what may be typed into it, and what
Slack's own client refuses before anything is sent (a required field left empty, text over its
max_length, a number out of range, a URL that isn't one, an option that isn't offered). What passes is
sent as Slack sends it, in `view.state.values`, and the app's own checks answer as in Slack
(`response_action: errors`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from remote_wins.simulator.render import options_of, text_object

LINE_BREAK = "\\n"  # typed between the lines of a multi-line field
CLEAR = "-"  # typed to empty a field
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Directory(Protocol):
    """The people and channels a select can offer, by name and by id."""

    def user_name(self, user_id: str) -> str: ...

    def channel_name(self, channel_id: str) -> str: ...

    def user_id(self, name: str) -> str | None: ...

    def channel_id(self, name: str) -> str | None: ...


class FieldError(ValueError):
    """What Slack's client says under a field it won't send."""


@dataclass(frozen=True)
class Field:
    """One input block of a modal."""

    number: int
    block_id: str
    action_id: str
    label: str
    element: dict[str, Any]
    optional: bool
    hint: str

    @property
    def kind(self) -> str:
        return str(self.element.get("type"))


def fields_of(view: dict[str, Any]) -> list[Field]:
    """The modal's input blocks, numbered from 1 in order."""
    out: list[Field] = []
    for index, block in enumerate(view.get("blocks") or ()):
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        out.append(
            Field(
                number=len(out) + 1,
                block_id=str(block.get("block_id") or f"blk{index}"),
                action_id=str(element.get("action_id") or "value"),
                label=str((block.get("label") or {}).get("text") or ""),
                element=element,
                optional=bool(block.get("optional")),
                hint=str((block.get("hint") or {}).get("text") or ""),
            )
        )
    return out


TEXT_KINDS = ("plain_text_input", "number_input", "url_text_input", "email_text_input")
# kind -> (the state's key, the element's key for its initial value, whether it holds a list)
_INITIAL: dict[str, tuple[str, str, bool]] = {
    **{kind: ("value", "initial_value", False) for kind in TEXT_KINDS},
    **{
        kind: ("selected_option", "initial_option", False)
        for kind in ("static_select", "radio_buttons", "external_select")
    },
    **{
        kind: ("selected_options", "initial_options", True)
        for kind in ("checkboxes", "multi_static_select", "multi_external_select")
    },
    "datepicker": ("selected_date", "initial_date", False),
    "timepicker": ("selected_time", "initial_time", False),
    "datetimepicker": ("selected_date_time", "initial_date_time", False),
    "users_select": ("selected_user", "initial_user", False),
    "multi_users_select": ("selected_users", "initial_users", True),
    "conversations_select": ("selected_conversation", "initial_conversation", False),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", True),
    "channels_select": ("selected_channel", "initial_channel", False),
    "multi_channels_select": ("selected_channels", "initial_channels", True),
}


def initial_state(element: dict[str, Any]) -> dict[str, Any]:
    """The state Slack reports for an element nobody has touched: its initial value."""
    kind = element.get("type")
    value: dict[str, Any] = {"type": kind}
    spec = _INITIAL.get(kind) if isinstance(kind, str) else None
    if spec is not None:
        state_key, initial_key, many = spec
        initial = element.get(initial_key)
        value[state_key] = list(initial or []) if many else initial
    if kind == "timepicker" and element.get("timezone"):
        value["timezone"] = element["timezone"]
    return value


def initial_values(view: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """`state.values` of a modal as it opens: every input at its initial value."""
    return {f.block_id: {f.action_id: initial_state(f.element)} for f in fields_of(view)}


def is_empty(state: dict[str, Any]) -> bool:
    for key, value in state.items():
        if key in ("type", "timezone"):
            continue
        if value not in (None, "", []):
            return False
    return True


def shown_value(field: Field, state: dict[str, Any], names: Directory) -> str:
    """What the field holds, as the person would read it in the modal."""
    if field.kind in TEXT_KINDS:
        value = state.get("value")
        return "" if value is None else str(value).replace("\n", f" {LINE_BREAK} ")
    for key, show in _SHOWN:
        if key in state:
            return show(state.get(key), names)
    return ""


def _label(option: dict[str, Any] | None, names: Directory) -> str:
    return text_object(option.get("text"), names).plain if option else ""


def _labels(options: list[dict[str, Any]] | None, names: Directory) -> str:
    return ", ".join(text_object(o.get("text"), names).plain for o in options or ())


def _as_is(value: Any, names: Directory) -> str:
    return str(value or "")


def _at(user_id: str | None, names: Directory) -> str:
    return f"@{names.user_name(user_id)}" if user_id else ""


def _ats(user_ids: list[str] | None, names: Directory) -> str:
    return ", ".join(_at(u, names) for u in user_ids or ())


def _hash(channel_id: str | None, names: Directory) -> str:
    return f"#{names.channel_name(channel_id)}" if channel_id else ""


def _hashes(channel_ids: list[str] | None, names: Directory) -> str:
    return ", ".join(_hash(c, names) for c in channel_ids or ())


# A state's key and how its value reads, in the order they are looked for.
_SHOWN: tuple[tuple[str, Callable[[Any, Directory], str]], ...] = (
    ("selected_option", _label),
    ("selected_options", _labels),
    ("selected_date", _as_is),
    ("selected_time", _as_is),
    ("selected_date_time", _as_is),
    ("selected_user", _at),
    ("selected_users", _ats),
    ("selected_conversation", _hash),
    ("selected_channel", _hash),
    ("selected_conversations", _hashes),
    ("selected_channels", _hashes),
)


_HOW = {
    "url_text_input": "a link, https://…",
    "email_text_input": "an email address",
    "datepicker": "a date, YYYY-MM-DD",
    "timepicker": "a time, HH:MM (24-hour)",
    "users_select": "a person: @name",
    "multi_users_select": "a person: @name (comma-separated)",
    "conversations_select": "a channel: #name",
    "channels_select": "a channel: #name",
    "multi_conversations_select": "a channel: #name",
    "multi_channels_select": "a channel: #name",
}


def how_to_answer(field: Field, names: Directory) -> str:
    """A short line on what to type for this kind of field."""
    kind = field.kind
    element = field.element
    if kind == "plain_text_input":
        return _how_to_write(element)
    if kind == "number_input":
        return "a number" if element.get("is_decimal_allowed") else "a whole number"
    if kind in ("static_select", "radio_buttons"):
        return "one option, by number or words: " + _choices(element, names)
    if kind in ("checkboxes", "multi_static_select"):
        return "options by number or words, comma-separated: " + _choices(element, names)
    return _HOW.get(kind, kind)


def _how_to_write(element: dict[str, Any]) -> str:
    how = "text"
    if element.get("multiline"):
        how = f"text; separate lines with {LINE_BREAK}"
    if element.get("max_length"):
        how += f"; at most {element['max_length']} characters"
    return how


def _choices(element: dict[str, Any], names: Directory) -> str:
    labels = [text_object(o.get("text"), names).plain for o in options_of(element)]
    return " | ".join(f"{n}. {label}" for n, label in enumerate(labels, start=1))


def _option(element: dict[str, Any], typed: str, names: Directory) -> dict[str, Any]:
    options = options_of(element)
    typed = typed.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1]
    wanted = typed.casefold()
    for option in options:
        label = text_object(option.get("text"), names).plain.casefold()
        if wanted in (label, str(option.get("value")).casefold()):
            return option
    matches = [o for o in options if text_object(o.get("text"), names).plain.casefold().startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    raise FieldError(f"“{typed}” is not one of the options: {_choices(element, names)}")


def answer(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    """The state value for what was typed into the field, or FieldError with what Slack's client says."""
    element, kind = field.element, field.kind
    typed = typed.strip()
    state = initial_state(
        {"type": kind, "timezone": element.get("timezone")} if kind == "timepicker" else {"type": kind}
    )
    if typed == CLEAR:
        typed = ""
    if not typed:
        if not field.optional:
            raise FieldError("This field is required.")
        return state
    fill = _FILLS.get(kind)
    if fill is None:
        raise FieldError(f"The sandbox can't fill a {kind} yet.")
    state.update(fill(field, typed, names))
    return state


def _typed_text(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    element, kind = field.element, field.kind
    text = typed.replace(f" {LINE_BREAK} ", "\n").replace(LINE_BREAK, "\n")
    if kind == "plain_text_input" and not element.get("multiline") and "\n" in text:
        raise FieldError("This field takes one line.")
    _lengths(element, text)
    if kind == "number_input":
        _number(element, text)
    if kind == "url_text_input":
        _url(text)
    if kind == "email_text_input" and not EMAIL.match(text):
        raise FieldError("Enter a valid email address.")
    return {"value": text}


def _picked_option(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    return {"selected_option": _option(field.element, typed, names)}


def _picked_options(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    chosen: list[dict[str, Any]] = []
    for part in typed.split(","):
        option = _option(field.element, part, names)
        if option not in chosen:
            chosen.append(option)
    most = field.element.get("max_selected_items")
    if most and len(chosen) > most:
        raise FieldError(f"Choose at most {most}.")
    return {"selected_options": chosen}


def _picked_date(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    try:
        return {"selected_date": date.fromisoformat(typed).isoformat()}
    except ValueError:
        raise FieldError("Pick a date as YYYY-MM-DD.") from None


def _picked_time(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    match = TIME.match(typed)
    if not match:
        raise FieldError("Pick a time as HH:MM.")
    return {"selected_time": f"{int(match[1]):02d}:{match[2]}"}


def _picked_date_time(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    try:
        return {"selected_date_time": int(datetime.fromisoformat(typed).timestamp())}
    except ValueError:
        raise FieldError("Pick a date and time as YYYY-MM-DD HH:MM.") from None


def _picked_people(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    kind = field.kind
    people = [_person(part, names) for part in typed.split(",") if part.strip()]
    most = field.element.get("max_selected_items")
    if kind == "users_select" or most == 1:
        if len(people) > 1:
            raise FieldError("Choose one person.")
    elif most and len(people) > most:
        raise FieldError(f"Choose at most {most} people.")
    if kind == "users_select":
        return {"selected_user": people[0]}
    return {"selected_users": people}


def _picked_channel(field: Field, typed: str, names: Directory) -> dict[str, Any]:
    channel = names.channel_id(typed.lstrip("#"))
    if channel is None:
        raise FieldError(f"There is no channel “{typed}”.")
    return {"selected_conversation" if field.kind == "conversations_select" else "selected_channel": channel}


# How what is typed becomes the state's value, by kind of element; a kind not here can't be filled in.
_FILLS: dict[str, Callable[[Field, str, Directory], dict[str, Any]]] = {
    **dict.fromkeys(TEXT_KINDS, _typed_text),
    **dict.fromkeys(("static_select", "radio_buttons", "overflow"), _picked_option),
    **dict.fromkeys(("checkboxes", "multi_static_select"), _picked_options),
    "datepicker": _picked_date,
    "timepicker": _picked_time,
    "datetimepicker": _picked_date_time,
    **dict.fromkeys(("users_select", "multi_users_select"), _picked_people),
    **dict.fromkeys(("conversations_select", "channels_select"), _picked_channel),
}


def _person(typed: str, names: Directory) -> str:
    user_id = names.user_id(typed.strip().lstrip("@"))
    if user_id is None:
        raise FieldError(f"Nobody here is called “{typed.strip()}”.")
    return user_id


def _lengths(element: dict[str, Any], text: str) -> None:
    most, least = element.get("max_length"), element.get("min_length")
    if most and len(text) > most:
        raise FieldError(f"Keep it to {most} characters (this is {len(text)}).")
    if least and len(text) < least:
        raise FieldError(f"Write at least {least} characters.")


def _url(text: str) -> None:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldError("Enter a valid URL, like https://example.com.")


def _number(element: dict[str, Any], text: str) -> None:
    try:
        number = float(text)
    except ValueError:
        raise FieldError("Enter a number.") from None
    if not element.get("is_decimal_allowed") and not re.fullmatch(r"-?\d+", text):
        raise FieldError("Enter a whole number.")
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < float(low):
        raise FieldError(f"Enter a number of at least {low}.")
    if high is not None and number > float(high):
        raise FieldError(f"Enter a number of at most {high}.")


def required_missing(view: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    """Required fields that are still empty: Slack's client won't submit the modal until they are filled."""
    missing = {}
    for field in fields_of(view):
        state = (values.get(field.block_id) or {}).get(field.action_id) or {}
        if not field.optional and is_empty(state):
            missing[field.block_id] = "This field is required."
    return missing
