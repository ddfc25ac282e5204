"""Block Kit validation for the fake Slack: refuse what Slack's reference says Slack refuses.

Why: a fake that accepts any JSON lets the app ship messages and views that real Slack answers with
`invalid_blocks` / `invalid_arguments` (a morning prompt with two buttons sharing one action_id got
through). Each rule cites the reference page it comes from. Every payload our rules accept is then
cross-checked with slack_sdk's own Block Kit models (an implementation we did not write), minus the
few of its validators that are stricter than Slack's documentation (`SDK_FALSE_POSITIVES`).

`message_problem`, `view_problem` and `blocks_problem` return the first `Problem` (a string shaped like
Slack's `[ERROR] ... [json-pointer:/blocks/3/elements/1/action_id]`, with the API error code and the
validator that refused) or None.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, NoReturn

from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, Option, OptionGroup
from slack_sdk.models.views import View

MESSAGE, MODAL, HOME = "message", "modal", "home"
# https://docs.slack.dev/reference/block-kit/blocks : "up to 50 blocks in each message, and 100 blocks in
# modals or Home tabs".
MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS = 50, 100
# https://docs.slack.dev/reference/methods/chat.postMessage : text is truncated / refused (msg_too_long)
# beyond 40,000 characters.
MAX_MESSAGE_TEXT = 40_000
# Undocumented: Slack refuses a message whose blocks carry too much text in all with msg_blocks_too_long,
# although every block is within its own limit. Public reports see it at about 12k-13.3k characters
# (https://github.com/slackapi/bolt-js/issues/2509, https://github.com/slackapi/bolt-js/issues/2867); we
# refuse above the low end, counting the `text` of every text object in the blocks.
MESSAGE_BLOCKS_TEXT_BUDGET = 12_000
# https://docs.slack.dev/reference/block-kit/blocks/markdown-block : "The cumulative limit for all markdown
# blocks in a single payload is 12,000 characters."
MARKDOWN_BUDGET = 12_000

# https://docs.slack.dev/reference/block-kit/blocks (and api.slack.com/reference/block-kit/blocks):
# the block types and the surfaces they may appear on.
BLOCK_SURFACES: dict[str, frozenset[str]] = {
    "actions": frozenset({MESSAGE, MODAL, HOME}),
    "context": frozenset({MESSAGE, MODAL, HOME}),
    "divider": frozenset({MESSAGE, MODAL, HOME}),
    "header": frozenset({MESSAGE, MODAL, HOME}),
    "image": frozenset({MESSAGE, MODAL, HOME}),
    "rich_text": frozenset({MESSAGE, MODAL, HOME}),
    "section": frozenset({MESSAGE, MODAL, HOME}),
    "video": frozenset({MESSAGE, MODAL, HOME}),
    # https://docs.slack.dev/reference/block-kit/blocks/input-block : input blocks collect data in modals
    # and Home tabs (api.slack.com blocks table: "Input block | Modals Home tabs").
    "input": frozenset({MODAL, HOME}),
    # https://docs.slack.dev/reference/block-kit/blocks/file-block : remote files shared in messages.
    "file": frozenset({MESSAGE}),
    # https://docs.slack.dev/reference/block-kit/blocks/markdown-block : messages (AI apps' output).
    "markdown": frozenset({MESSAGE}),
}

SELECTS = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
MULTI_SELECTS = frozenset("multi_" + s for s in SELECTS)
# https://docs.slack.dev/blocks.json / https://docs.slack.dev/reference/block-kit/blocks/actions-block :
# compatible elements of an actions block.
ACTIONS_ELEMENTS = (
    SELECTS
    | MULTI_SELECTS
    | {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "overflow",
        "radio_buttons",
        "rich_text_input",
        "timepicker",
        "workflow_button",
    }
)
# https://docs.slack.dev/reference/block-kit/blocks/input-block : "element: A block element" (the input
# elements of https://api.slack.com/reference/block-kit/block-elements whose Blocks column has Input).
INPUT_ELEMENTS = (
    SELECTS
    | MULTI_SELECTS
    | {
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "email_text_input",
        "file_input",
        "number_input",
        "plain_text_input",
        "radio_buttons",
        "rich_text_input",
        "timepicker",
        "url_text_input",
    }
)
# https://docs.slack.dev/reference/block-kit/blocks/section-block : accessory "One of the compatible
# element objects" (Button, Checkboxes, Date picker, Image, Multi-select, Overflow, Radio, Select, Time
# picker, Workflow button).
ACCESSORY_ELEMENTS = (
    SELECTS
    | MULTI_SELECTS
    | {
        "button",
        "checkboxes",
        "datepicker",
        "image",
        "overflow",
        "radio_buttons",
        "timepicker",
        "workflow_button",
    }
)
# https://api.slack.com/reference/block-kit/block-elements (table): these work in Input blocks only.
INPUT_ONLY = frozenset(
    {"plain_text_input", "number_input", "url_text_input", "email_text_input", "file_input"}
)
# Same table, Surfaces column, where an element is not on all three surfaces.
ELEMENT_SURFACES: dict[str, frozenset[str]] = {
    "datetimepicker": frozenset({MODAL, MESSAGE}),
    "email_text_input": frozenset({MODAL}),
    "file_input": frozenset({MODAL}),
    "number_input": frozenset({MODAL}),
    "rich_text_input": frozenset({MODAL, HOME}),
}
KNOWN_ELEMENTS = ACTIONS_ELEMENTS | INPUT_ELEMENTS | ACCESSORY_ELEMENTS
STYLES = frozenset({"primary", "danger"})


class Problem(str):
    """Why Slack refuses a payload, as Slack words it; `error` is the API error, `source` the validator."""

    error: str
    source: str

    def __new__(cls, message: str, error: str = "invalid_blocks", source: str = "block_kit") -> Problem:
        problem = super().__new__(cls, message)
        problem.error, problem.source = error, source
        return problem


class _Refused(Exception):
    def __init__(self, pointer: str, why: str, error: str | None = None) -> None:
        super().__init__(why)
        self.pointer, self.why, self.error = pointer, why, error


def _fail(pointer: str, why: str) -> NoReturn:
    raise _Refused(pointer, why)


def _problem(refused: _Refused, error: str) -> Problem:
    return Problem(f"[ERROR] {refused.why} [json-pointer:{refused.pointer}]", refused.error or error)


# -- shared field checks --------------------------------------------------------------------------------


def _string(value: Any, pointer: str, maximum: int, minimum: int = 0) -> str:
    if not isinstance(value, str):
        _fail(pointer, "must be a string")
    if len(value) < minimum:
        _fail(pointer, f"must be at least {minimum} characters")
    if len(value) > maximum:
        _fail(pointer, f"must be less than {maximum + 1} characters")
    return value


def _bool(obj: Mapping[str, Any], key: str, pointer: str) -> None:
    if key in obj and not isinstance(obj[key], bool):
        _fail(f"{pointer}/{key}", "must be a boolean")


def _int(value: Any, pointer: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(pointer, "must be an integer")
    if not minimum <= value <= maximum:
        _fail(pointer, f"must be between {minimum} and {maximum}")
    return value


def _list(value: Any, pointer: str, minimum: int, maximum: int) -> list[Any]:
    if not isinstance(value, list):
        _fail(pointer, "must be an array")
    if len(value) < minimum:
        _fail(pointer, f"must provide at least {minimum} items")
    if len(value) > maximum:
        _fail(pointer, f"no more than {maximum} items allowed")
    return value


def _object(value: Any, pointer: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _fail(pointer, "must be an object")
    return value


def _text(obj: Any, pointer: str, maximum: int = 3000, *, plain: bool = False) -> None:
    """https://docs.slack.dev/reference/block-kit/composition-objects/text-object : type plain_text or
    mrkdwn; text "Minimum length ... 1 and maximum length is 3000"; emoji only with plain_text, verbatim
    only with mrkdwn. `maximum` is the tighter limit of the field holding it; `plain` where the field's
    reference says the text object "must have type of plain_text"."""
    obj = _object(obj, pointer)
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        _fail(f"{pointer}/type", "must be one of plain_text, mrkdwn")
    if plain and kind != "plain_text":
        _fail(f"{pointer}/type", "must be plain_text")
    _string(obj.get("text"), f"{pointer}/text", min(maximum, 3000), minimum=1)
    if "emoji" in obj and kind != "plain_text":
        _fail(f"{pointer}/emoji", "emoji is only allowed on plain_text")
    if "verbatim" in obj and kind != "mrkdwn":
        _fail(f"{pointer}/verbatim", "verbatim is only allowed on mrkdwn")
    _bool(obj, "emoji", pointer)
    _bool(obj, "verbatim", pointer)


def _optional_text(obj: Mapping[str, Any], key: str, pointer: str, maximum: int, *, plain: bool) -> None:
    if key in obj:
        _text(obj[key], f"{pointer}/{key}", maximum, plain=plain)


def _placeholder(element: Mapping[str, Any], pointer: str) -> None:
    # Every element page (e.g. https://docs.slack.dev/reference/block-kit/block-elements/time-picker-element):
    # placeholder "A plain_text only text object ... Maximum length for the text in this field is 150".
    _optional_text(element, "placeholder", pointer, 150, plain=True)


def _confirm(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object : title
    plain_text <= 100, text <= 300, confirm and deny plain_text <= 30, all required; style primary/danger."""
    if "confirm" not in element:
        return
    pointer = f"{pointer}/confirm"
    confirm = _object(element["confirm"], pointer)
    for key, maximum, plain in (
        ("title", 100, True),
        ("text", 300, False),
        ("confirm", 30, True),
        ("deny", 30, True),
    ):
        if key not in confirm:
            _fail(pointer, f"missing required field: {key}")
        _text(confirm[key], f"{pointer}/{key}", maximum, plain=plain)
    if "style" in confirm and confirm["style"] not in STYLES:
        _fail(f"{pointer}/style", "must be one of primary, danger")


def _option(option: Any, pointer: str, *, plain: bool, url: bool = False) -> Mapping[str, Any]:
    """https://docs.slack.dev/reference/block-kit/composition-objects/option-object : text required, max 75
    (plain_text only in overflow, select and multi-select menus); value required, max 150; description
    plain_text, max 75; url only in overflow menus, max 3000."""
    option = _object(option, pointer)
    if "text" not in option:
        _fail(pointer, "missing required field: text")
    _text(option["text"], f"{pointer}/text", 75, plain=plain)
    if "value" not in option:
        _fail(pointer, "missing required field: value")
    _string(option["value"], f"{pointer}/value", 150)
    _optional_text(option, "description", pointer, 75, plain=True)
    if "url" in option:
        if not url:
            _fail(f"{pointer}/url", "url is only allowed in overflow menus")
        _string(option["url"], f"{pointer}/url", 3000)
    return option


def _same_option(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("text") == b.get("text") and a.get("value") == b.get("value")


def _initial_options(element: Mapping[str, Any], pointer: str, options: list[Mapping[str, Any]]) -> None:
    """initial_option / initial_options "must exactly match one of the options" (checkboxes, radio buttons,
    select menu and multi-select menu pages of https://docs.slack.dev/reference/block-kit/block-elements)."""
    chosen: list[tuple[str, Any]] = []
    if "initial_option" in element:
        chosen.append((f"{pointer}/initial_option", element["initial_option"]))
    if "initial_options" in element:
        initial = _list(element["initial_options"], f"{pointer}/initial_options", 1, 100)
        chosen += [(f"{pointer}/initial_options/{i}", o) for i, o in enumerate(initial)]
    for where, option in chosen:
        option = _object(option, where)
        if not any(_same_option(option, o) for o in options):
            _fail(where, "must exactly match one of the provided options")


def _options_or_groups(element: Mapping[str, Any], pointer: str) -> list[Mapping[str, Any]]:
    """https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element (static select):
    options max 100, "If option_groups is specified, this field should not be"; option_groups max 100.
    https://docs.slack.dev/reference/block-kit/composition-objects/option-group-object : label plain_text
    max 75, options max 100."""
    has_options, has_groups = "options" in element, "option_groups" in element
    if has_options == has_groups:
        _fail(pointer, "must provide exactly one of options, option_groups")
    if has_options:
        items = _list(element["options"], f"{pointer}/options", 1, 100)
        return [_option(o, f"{pointer}/options/{i}", plain=True) for i, o in enumerate(items)]
    options: list[Mapping[str, Any]] = []
    groups = _list(element["option_groups"], f"{pointer}/option_groups", 1, 100)
    for g, group in enumerate(groups):
        where = f"{pointer}/option_groups/{g}"
        group = _object(group, where)
        if "label" not in group:
            _fail(where, "missing required field: label")
        _text(group["label"], f"{where}/label", 75, plain=True)
        items = _list(group.get("options"), f"{where}/options", 1, 100)
        options += [_option(o, f"{where}/options/{i}", plain=True) for i, o in enumerate(items)]
    return options


def _number(value: Any, pointer: str, decimal: bool) -> float:
    # https://docs.slack.dev/reference/block-kit/block-elements/number-input-element : initial_value,
    # min_value and max_value are Strings holding numbers; whole numbers unless is_decimal_allowed.
    pattern = r"-?(\d+(\.\d+)?|\.\d+)" if decimal else r"-?\d+"
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        _fail(pointer, "must be a string holding a " + ("number" if decimal else "whole number"))
    return float(value)


# -- elements -------------------------------------------------------------------------------------------


def _element(element: Any, pointer: str, place: str, surface: str, action_ids: set[str]) -> None:
    element = _object(element, pointer)
    kind = element.get("type")
    if kind not in KNOWN_ELEMENTS:
        _fail(f"{pointer}/type", f"unsupported element type: {kind!r}")
    allowed = {"actions": ACTIONS_ELEMENTS, "input": INPUT_ELEMENTS, "accessory": ACCESSORY_ELEMENTS}[place]
    if kind in INPUT_ONLY and place != "input":
        _fail(f"{pointer}/type", f"{kind} is only allowed in input blocks")
    if kind not in allowed:
        _fail(f"{pointer}/type", f"{kind} is not a valid element of a {place} block")
    if surface not in ELEMENT_SURFACES.get(kind, {surface}):
        _fail(f"{pointer}/type", f"{kind} is not supported in a {surface}")
    if kind == "image":
        _image(element, pointer)
        return
    if "action_id" in element:
        # Every interactive element's page, e.g.
        # https://docs.slack.dev/reference/block-kit/block-elements/button-element : action_id "Should be
        # unique among all other action_ids in the containing block. Maximum length is 255".
        action_id = _string(element["action_id"], f"{pointer}/action_id", 255, minimum=1)
        if action_id in action_ids:
            _fail(f"{pointer}/action_id", f"action_id {action_id!r} is already used in this block")
        action_ids.add(action_id)
    _confirm(element, pointer)
    _bool(element, "focus_on_load", pointer)
    check = _ELEMENT_CHECKS.get(kind)
    if check:
        check(element, pointer)


def _button(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/button-element : text plain_text max 75
    (required); value max 2000; url max 3000; style primary or danger; accessibility_label max 75."""
    if "text" not in element:
        _fail(pointer, "missing required field: text")
    _text(element["text"], f"{pointer}/text", 75, plain=True)
    if "value" in element:
        _string(element["value"], f"{pointer}/value", 2000)
    if "url" in element:
        _string(element["url"], f"{pointer}/url", 3000, minimum=1)
    if "style" in element and element["style"] not in STYLES:
        _fail(f"{pointer}/style", "must be one of primary, danger")
    if "accessibility_label" in element:
        _string(element["accessibility_label"], f"{pointer}/accessibility_label", 75, minimum=1)


def _workflow_button(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/workflow-button-element : text plain_text
    max 75 and workflow required; style primary or danger."""
    _button({k: v for k, v in element.items() if k != "workflow"}, pointer)
    _object(element.get("workflow"), f"{pointer}/workflow")


def _choices(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/checkboxes-element and
    .../radio-button-group-element : options required, max 10 (mrkdwn text allowed); initial option(s)
    must match."""
    items = _list(element.get("options"), f"{pointer}/options", 1, 10)
    options = [_option(o, f"{pointer}/options/{i}", plain=False) for i, o in enumerate(items)]
    _initial_options(element, pointer, options)


def _static_select(element: Mapping[str, Any], pointer: str) -> None:
    _placeholder(element, pointer)
    options = _options_or_groups(element, pointer)
    _initial_options(element, pointer, options)
    _max_selected(element, pointer)


def _max_selected(element: Mapping[str, Any], pointer: str) -> None:
    # https://docs.slack.dev/reference/block-kit/block-elements/multi-select-menu-element :
    # max_selected_items "Minimum number is 1".
    if "max_selected_items" in element:
        _int(element["max_selected_items"], f"{pointer}/max_selected_items", 1, 10**9)


def _other_select(element: Mapping[str, Any], pointer: str) -> None:
    """External, user, conversation and channel menus (select and multi-select pages): a placeholder,
    initial values of the right shape, a conversation filter with known values."""
    _placeholder(element, pointer)
    _max_selected(element, pointer)
    _initial_menu_options(element, pointer)
    _initial_ids(element, pointer)
    if "filter" in element:
        _conversation_filter(element["filter"], f"{pointer}/filter")


def _initial_menu_options(element: Mapping[str, Any], pointer: str) -> None:
    """An external menu's initial option(s): option objects (nothing to match them against)."""
    if "initial_option" in element:
        _option(element["initial_option"], f"{pointer}/initial_option", plain=True)
    if "initial_options" in element:
        items = _list(element["initial_options"], f"{pointer}/initial_options", 1, 100)
        for i, o in enumerate(items):
            _option(o, f"{pointer}/initial_options/{i}", plain=True)


def _initial_ids(element: Mapping[str, Any], pointer: str) -> None:
    """The initial people, conversations and channels of their menus: ids, one or a list."""
    for key in ("initial_user", "initial_conversation", "initial_channel"):
        if key in element:
            _string(element[key], f"{pointer}/{key}", 255, minimum=1)
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        if key in element:
            items = _list(element[key], f"{pointer}/{key}", 0, 100)
            for i, item in enumerate(items):
                _string(item, f"{pointer}/{key}/{i}", 255, minimum=1)


def _conversation_filter(value: Any, where: str) -> None:
    """https://docs.slack.dev/reference/block-kit/composition-objects/conversation-filter-object :
    include is a non-empty array of im, mpim, private, public; at least one field is set."""
    conversation_filter = _object(value, where)
    if not conversation_filter:
        _fail(
            where,
            "must provide at least one of include, exclude_external_shared_channels, exclude_bot_users",
        )
    if "include" in conversation_filter:
        include = _list(conversation_filter["include"], f"{where}/include", 1, 4)
        if any(kind not in ("im", "mpim", "private", "public") for kind in include):
            _fail(f"{where}/include", "must be one of im, mpim, private, public")
    _bool(conversation_filter, "exclude_external_shared_channels", where)
    _bool(conversation_filter, "exclude_bot_users", where)


def _overflow(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element : "up to five option
    objects"; the api.slack.com edition: "Maximum number of options is 5, minimum is 2"."""
    items = _list(element.get("options"), f"{pointer}/options", 2, 5)
    for i, o in enumerate(items):
        _option(o, f"{pointer}/options/{i}", plain=True, url=True)


def _datepicker(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/date-picker-element : initial_date
    "in the format YYYY-MM-DD" (a real date); placeholder max 150."""
    _placeholder(element, pointer)
    if "initial_date" in element:
        value = element["initial_date"]
        match = isinstance(value, str) and re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        try:
            valid = bool(match) and bool(date(*map(int, match.groups())))  # type: ignore[union-attr]
        except ValueError:
            valid = False
        if not valid:
            _fail(f"{pointer}/initial_date", "must be a date in the format YYYY-MM-DD")


def _timepicker(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/time-picker-element : initial_time
    "in the format HH:mm ... 24-hour format"; placeholder max 150; timezone a string."""
    _placeholder(element, pointer)
    value = element.get("initial_time")
    if "initial_time" in element and not (
        isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value)
    ):
        _fail(f"{pointer}/initial_time", "must be a time in the format HH:mm (24-hour)")
    if "timezone" in element:
        _string(element["timezone"], f"{pointer}/timezone", 255, minimum=1)


def _datetimepicker(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/datetime-picker-element : initial_date_time
    a UNIX timestamp in seconds (10 digits)."""
    if "initial_date_time" in element:
        _int(element["initial_date_time"], f"{pointer}/initial_date_time", 0, 9_999_999_999)


def _plain_text_input(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element : min_length
    0-3000, max_length 1-3000 inclusive; Slack refuses an initial_value longer than max_length and a
    min_length above max_length."""
    _placeholder(element, pointer)
    _bool(element, "multiline", pointer)
    minimum = _int(element["min_length"], f"{pointer}/min_length", 0, 3000) if "min_length" in element else 0
    maximum = (
        _int(element["max_length"], f"{pointer}/max_length", 1, 3000) if "max_length" in element else 3000
    )
    if minimum > maximum:
        _fail(f"{pointer}/min_length", "must not be greater than max_length")
    if "initial_value" in element:
        value = _string(element["initial_value"], f"{pointer}/initial_value", 10**9)
        if "max_length" in element and len(value) > maximum:
            _fail(f"{pointer}/initial_value", f"must be less than {maximum + 1} characters (max_length)")


def _number_input(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/number-input-element : is_decimal_allowed
    required; initial_value, min_value, max_value are strings; min_value <= max_value; the initial value
    lies within them."""
    if not isinstance(element.get("is_decimal_allowed"), bool):
        _fail(f"{pointer}/is_decimal_allowed", "missing required field: is_decimal_allowed (a boolean)")
    decimal = element["is_decimal_allowed"]
    _placeholder(element, pointer)
    values = {
        key: _number(element[key], f"{pointer}/{key}", decimal)
        for key in ("initial_value", "min_value", "max_value")
        if key in element
    }
    low, high = values.get("min_value", -math.inf), values.get("max_value", math.inf)
    if low > high:
        _fail(f"{pointer}/min_value", "must not be greater than max_value")
    if not low <= values.get("initial_value", low) <= high:
        _fail(f"{pointer}/initial_value", "must be between min_value and max_value")


def _text_input(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/url-input-element and
    .../email-input-element : initial_value a string; placeholder max 150."""
    _placeholder(element, pointer)
    if "initial_value" in element:
        _string(element["initial_value"], f"{pointer}/initial_value", 10**9)


def _file_input(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/file-input-element : max_files 1-10."""
    if "max_files" in element:
        _int(element["max_files"], f"{pointer}/max_files", 1, 10)
    if "filetypes" in element:
        for i, kind in enumerate(_list(element["filetypes"], f"{pointer}/filetypes", 0, 1000)):
            _string(kind, f"{pointer}/filetypes/{i}", 255, minimum=1)


def _rich_text_input(element: Mapping[str, Any], pointer: str) -> None:
    _placeholder(element, pointer)
    if "initial_value" in element:
        _object(element["initial_value"], f"{pointer}/initial_value")


def _image(element: Mapping[str, Any], pointer: str) -> None:
    """https://docs.slack.dev/reference/block-kit/block-elements/image-element : alt_text required;
    image_url (max 3000) or slack_file required."""
    if "image_url" in element:
        _string(element["image_url"], f"{pointer}/image_url", 3000, minimum=1)
    elif "slack_file" in element:
        _object(element["slack_file"], f"{pointer}/slack_file")
    else:
        _fail(pointer, "must provide image_url or slack_file")
    _string(element.get("alt_text"), f"{pointer}/alt_text", 2000, minimum=1)


_ELEMENT_CHECKS = {
    "button": _button,
    "workflow_button": _workflow_button,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "datetimepicker": _datetimepicker,
    "plain_text_input": _plain_text_input,
    "number_input": _number_input,
    "url_text_input": _text_input,
    "email_text_input": _text_input,
    "file_input": _file_input,
    "rich_text_input": _rich_text_input,
} | {kind: _other_select for kind in (SELECTS | MULTI_SELECTS) - {"static_select", "multi_static_select"}}


# -- blocks ---------------------------------------------------------------------------------------------


def _block(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    check = _BLOCK_CHECKS.get(block["type"])
    if check is not None:
        check(block, pointer, surface)


def _section(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/section-block : text 1-3000, "not required if
    # fields"; fields "Maximum number of items is 10. Maximum length for the text in each item is 2000".
    if "text" not in block and not block.get("fields"):
        _fail(pointer, "must provide text or fields")
    _optional_text(block, "text", pointer, 3000, plain=False)
    if "fields" in block:
        fields = _list(block["fields"], f"{pointer}/fields", 0 if "text" in block else 1, 10)
        for i, field in enumerate(fields):
            _text(field, f"{pointer}/fields/{i}", 2000)
    if "accessory" in block:
        _element(block["accessory"], f"{pointer}/accessory", "accessory", surface, set())
    _bool(block, "expand", pointer)


def _header(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/header-block : text plain_text required, max 150.
    if "text" not in block:
        _fail(pointer, "missing required field: text")
    _text(block["text"], f"{pointer}/text", 150, plain=True)


def _context(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/context-block : elements "An array of image
    # elements and text objects. Maximum number of items is 10." Required.
    elements = _list(block.get("elements"), f"{pointer}/elements", 1, 10)
    for i, element in enumerate(elements):
        where = f"{pointer}/elements/{i}"
        if isinstance(element, Mapping) and element.get("type") == "image":
            _image(element, where)
        else:
            _text(element, where)


def _actions(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/actions-block : elements required, "maximum of
    # 25 elements".
    elements = _list(block.get("elements"), f"{pointer}/elements", 1, 25)
    action_ids: set[str] = set()
    for i, element in enumerate(elements):
        _element(element, f"{pointer}/elements/{i}", "actions", surface, action_ids)


def _input(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/input-block : label plain_text required max 2000;
    # element required; hint plain_text max 2000; dispatch_action is incompatible with file_input.
    if "label" not in block:
        _fail(pointer, "missing required field: label")
    _text(block["label"], f"{pointer}/label", 2000, plain=True)
    if "element" not in block:
        _fail(pointer, "missing required field: element")
    _element(block["element"], f"{pointer}/element", "input", surface, set())
    _optional_text(block, "hint", pointer, 2000, plain=True)
    _bool(block, "optional", pointer)
    _bool(block, "dispatch_action", pointer)
    if block.get("dispatch_action") and block["element"].get("type") == "file_input":
        _fail(f"{pointer}/dispatch_action", "dispatch_action is not supported with file_input")


def _image_block(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/image-block : alt_text required max 2000;
    # image_url max 3000 or slack_file; title plain_text max 2000.
    _image(block, pointer)
    _optional_text(block, "title", pointer, 2000, plain=True)


def _video(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/video-block : alt_text, title (plain_text, less
    # than 200 characters), thumbnail_url and video_url required.
    for key in ("alt_text", "thumbnail_url", "video_url"):
        _string(block.get(key), f"{pointer}/{key}", 3000, minimum=1)
    if "title" not in block:
        _fail(pointer, "missing required field: title")
    _text(block["title"], f"{pointer}/title", 199, plain=True)
    if "author_name" in block:
        _string(block["author_name"], f"{pointer}/author_name", 49, minimum=1)


def _rich_text(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/rich-text-block : elements required.
    _list(block.get("elements"), f"{pointer}/elements", 1, 1000)


def _file(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    # https://docs.slack.dev/reference/block-kit/blocks/file-block : external_id and source required.
    _string(block.get("external_id"), f"{pointer}/external_id", 255, minimum=1)
    if block.get("source") != "remote":
        _fail(f"{pointer}/source", "must be remote")


def _markdown(block: Mapping[str, Any], pointer: str, surface: str) -> None:
    _string(block.get("text"), f"{pointer}/text", MARKDOWN_BUDGET, minimum=1)


# Each block type's own checks (a divider has none); the block's type is already known to be valid.
_BLOCK_CHECKS: dict[str, Callable[[Mapping[str, Any], str, str], None]] = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "input": _input,
    "image": _image_block,
    "video": _video,
    "rich_text": _rich_text,
    "file": _file,
    "markdown": _markdown,
}


def _blocks(blocks: Any, base: str, surface: str) -> None:
    limit = MAX_MESSAGE_BLOCKS if surface == MESSAGE else MAX_VIEW_BLOCKS
    blocks = _list(blocks, f"{base}/blocks", 0, limit)
    block_ids: set[str] = set()
    markdown = 0
    for i, block in enumerate(blocks):
        pointer = f"{base}/blocks/{i}"
        block = _object(block, pointer)
        kind = block.get("type")
        if kind is None:
            _fail(pointer, "missing required field: type")
        if kind not in BLOCK_SURFACES:
            _fail(f"{pointer}/type", f"unsupported block type: {kind!r}")
        if surface not in BLOCK_SURFACES[kind]:
            _fail(f"{pointer}/type", f"{kind} blocks are not supported in a {surface}")
        if "block_id" in block:
            # Every block page: block_id "Maximum length for this field is 255 characters. block_id should
            # be unique for each message or view" (https://docs.slack.dev/reference/block-kit/blocks/input-block).
            block_id = _string(block["block_id"], f"{pointer}/block_id", 255, minimum=1)
            if block_id in block_ids:
                _fail(f"{pointer}/block_id", f"block_id {block_id!r} is already used")
            block_ids.add(block_id)
        _block(block, pointer, surface)
        if kind == "markdown":
            markdown += len(block["text"])
            if markdown > MARKDOWN_BUDGET:
                _fail(
                    f"{pointer}/text", f"markdown blocks carry more than {MARKDOWN_BUDGET} characters in all"
                )


def text_objects(value: Any) -> Iterator[str]:
    """The `text` of every text object (plain_text / mrkdwn) anywhere inside `value`."""
    if isinstance(value, Mapping):
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            yield from text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item)


def blocks_text_length(blocks: Any) -> int:
    """Characters counted towards MESSAGE_BLOCKS_TEXT_BUDGET."""
    return sum(len(text) for text in text_objects(blocks))


# -- the slack_sdk cross-check --------------------------------------------------------------------------

# slack_sdk validators that are stricter than Slack's documentation, skipped by the cross-check.
# (class name, validator name) -> why. Found by feeding slack_sdk 3.x payloads at the documented limits
# (tests/test_block_kit.py::test_sdk_false_positives_are_stricter_than_the_docs shows each one).
SDK_FALSE_POSITIVES: dict[tuple[str, str], str] = {
    # "views must contain between 1 and 100 blocks": https://docs.slack.dev/reference/views/modal-views and
    # .../home-tab-views give blocks only a maximum (100, which our own rule enforces), no minimum.
    ("View", "_validate_blocks_length"): "the reference gives no minimum number of blocks",
}
# Looked at and kept, as the reference says the same: video title/author_name "less than" 200/50 (strict
# <), "home view cannot have submit and close" (Home tab views have neither field), every "cannot exceed"
# limit (equal to the reference's). Looser than the reference, so harmless here: overflow's minimum of 1
# option (Slack: 2), unanchored date and time patterns, confirm dialogs' default confirm/deny texts.


# Some slack_sdk elements keep their options as the raw dicts they were given (overflow, radio buttons,
# static select: options, initial_option, option_groups), which its validators then never see; the
# cross-check parses those with slack_sdk's own Option / OptionGroup models so they are covered too.
_RAW_OPTIONS: dict[str, Callable[[Any], Any]] = {
    "options": Option.parse_all,
    "initial_options": Option.parse_all,
    "initial_option": lambda option: Option.parse_all([option]),
    "option_groups": OptionGroup.parse_all,
}


def _sdk_objects(obj: Any, seen: set[int] | None = None) -> Iterator[JsonObject]:
    """Every slack_sdk model object reachable from `obj` (its attributes, lists, private fields)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _sdk_objects(item, seen)
    elif isinstance(obj, JsonObject):
        yield obj
        for key, value in vars(obj).items():
            raw = value if isinstance(value, list) else [value]
            if key in _RAW_OPTIONS and raw and all(isinstance(item, dict) for item in raw):
                value = _RAW_OPTIONS[key](copy.deepcopy(value))
            yield from _sdk_objects(value, seen)


def _sdk_validators(obj: JsonObject) -> Iterator[str]:
    for name in sorted(dir(type(obj))):
        attribute = getattr(type(obj), name, None)
        if callable(attribute) and hasattr(attribute, "validator"):
            yield name


def _sdk_check(root: Any, pointer: str, *, own_only: bool = False) -> Problem | None:
    try:
        objects = [root] if own_only else list(_sdk_objects(root))
    except Exception as error:  # an option slack_sdk's Option model can't even build (e.g. no value)
        return _sdk_problem(pointer, "Option.parse_all", error)
    for obj in objects:
        for name in _sdk_validators(obj):
            if (type(obj).__name__, name) in SDK_FALSE_POSITIVES:
                continue
            try:
                getattr(obj, name)()
            except Exception as error:  # SlackObjectFormationError, or a validator tripping on a bad value
                return _sdk_problem(pointer, f"{type(obj).__name__}.{name}", error)
    return None


def _sdk_problem(pointer: str, where: str, error: Exception) -> Problem:
    why = str(error) or type(error).__name__
    return Problem(f"[ERROR] slack_sdk {where}: {why} [json-pointer:{pointer}]", source="slack_sdk")


def sdk_blocks_problem(blocks: list[Any], base: str = "") -> Problem | None:
    """What slack_sdk's Block Kit models refuse in these blocks, block by block. `Block.parse` returns None
    for a type it doesn't know (and BlockElement.parse puts None in place of an unknown element), so such
    parts are not cross-checked: our own rules alone decide them."""
    for i, block in enumerate(blocks):
        pointer = f"{base}/blocks/{i}"
        try:
            parsed = Block.parse(copy.deepcopy(block))
        except Exception as error:  # a missing required argument, a wrong type
            return _sdk_problem(pointer, "Block.parse", error)
        if parsed is not None and (problem := _sdk_check(parsed, pointer)):
            return problem
    return None


def sdk_view_problem(view: Mapping[str, Any]) -> Problem | None:
    """What slack_sdk's View model refuses (its own fields), then its blocks one by one."""
    try:
        parsed = View(**copy.deepcopy(dict(view)))
    except Exception as error:
        return _sdk_problem("/view", "View", error)
    problem = _sdk_check(parsed, "/view", own_only=True)
    return problem or sdk_blocks_problem(list(view.get("blocks") or []), "/view")


# -- entry points ---------------------------------------------------------------------------------------


def blocks_problem(blocks: Any, surface: str = MESSAGE, base: str = "") -> Problem | None:
    """Why Slack would refuse these blocks on this surface (ours, then slack_sdk's), or None."""
    error = "invalid_blocks" if surface == MESSAGE else "invalid_arguments"
    try:
        _blocks(blocks, base, surface)
    except _Refused as refused:
        return _problem(refused, error)
    problem = sdk_blocks_problem(blocks, base)
    if problem is not None:
        problem.error = error
    return problem


def message_problem(payload: Mapping[str, Any]) -> Problem | None:
    """Why Slack would refuse this message body (chat.postMessage / postEphemeral / update, a response_url
    payload, a slash command's ack), or None."""
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        return Problem("[ERROR] blocks is not valid JSON [json-pointer:/blocks]", "invalid_blocks_format")
    if blocks is not None:
        if problem := blocks_problem(blocks, MESSAGE):
            return problem
        if (length := blocks_text_length(blocks)) > MESSAGE_BLOCKS_TEXT_BUDGET:
            return Problem(
                f"[ERROR] blocks carry {length} characters of text, more than Slack takes in one message "
                f"(~{MESSAGE_BLOCKS_TEXT_BUDGET}) [json-pointer:/blocks]",
                "msg_blocks_too_long",
            )
    if not (payload.get("text") or blocks or payload.get("attachments") or payload.get("delete_original")):
        return Problem("[ERROR] text, blocks or attachments is required [json-pointer:/text]", "no_text")
    if len(str(payload.get("text") or "")) > MAX_MESSAGE_TEXT:
        return Problem(
            f"[ERROR] must be at most {MAX_MESSAGE_TEXT} characters [json-pointer:/text]", "msg_too_long"
        )
    return None


def view_problem(view: Any, kinds: tuple[str, ...] = (MODAL, HOME)) -> Problem | None:
    """Why Slack would refuse this view (views.open/update/push/publish, response_action update/push), or
    None; views.* answer invalid_arguments for any bad view."""
    try:
        _view(view, kinds)
    except _Refused as refused:
        return _problem(refused, "invalid_arguments")
    problem = sdk_view_problem(view)
    if problem is not None:
        problem.error = "invalid_arguments"
    return problem


def _view(view: Any, kinds: tuple[str, ...]) -> None:
    """https://docs.slack.dev/reference/views/modal-views : title plain_text max 24 (required); close and
    submit plain_text max 24; "submit is required when an input block is within the blocks array";
    private_metadata max 3000; callback_id max 255; blocks max 100.
    https://docs.slack.dev/reference/views/home-tab-views : type, blocks, private_metadata, callback_id."""
    view = _object(view, "/view")
    kind = view.get("type")
    if kind not in kinds:
        _fail("/view/type", f"must be one of {', '.join(kinds)}")
    if kind == MODAL:
        if "title" not in view:
            _fail("/view", "missing required field: title")
        _text(view["title"], "/view/title", 24, plain=True)
        for key in ("close", "submit"):
            _optional_text(view, key, "/view", 24, plain=True)
    if "private_metadata" in view:
        _string(view["private_metadata"], "/view/private_metadata", 3000)
    if "callback_id" in view:
        _string(view["callback_id"], "/view/callback_id", 255)
    if "external_id" in view:
        _string(view["external_id"], "/view/external_id", 255)
    if "blocks" not in view:
        _fail("/view", "missing required field: blocks")
    _blocks(view["blocks"], "/view", kind)
    has_input = any(isinstance(b, Mapping) and b.get("type") == "input" for b in view["blocks"])
    if kind == MODAL and has_input and "submit" not in view:
        _fail("/view", "submit is required when the view has an input block")
