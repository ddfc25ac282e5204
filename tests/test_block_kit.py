"""Tests for the Block Kit validator the fake Slack uses: each rule accepts a minimal valid payload and
refuses the same payload broken in one way, pointing where Slack would point."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from tests import block_kit
from tests.block_kit import (
    MESSAGE_BLOCKS_TEXT_BUDGET,
    SDK_FALSE_POSITIVES,
    message_problem,
    sdk_blocks_problem,
    sdk_view_problem,
    view_problem,
)
from tests.fake_slack import FakeSlack
from tests.support import Reply, SlackRequests, ack_problem

DELETE = object()


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def button(action_id: str, text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": pt(text), **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def option(text: str, value: str, kind: Callable[[str], dict[str, Any]] = pt) -> dict[str, Any]:
    return {"text": kind(text), "value": value}


def field(element: dict[str, Any], block_id: str = "f", **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": pt("Label"), "element": element, **extra}


def message(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"text": "fallback", "blocks": list(blocks)}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": pt("Wins"), "submit": pt("Save"), "blocks": list(blocks), **extra}


def home(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": list(blocks)}


def problem_of(payload: dict[str, Any]) -> block_kit.Problem | None:
    return view_problem(payload) if "type" in payload else message_problem(payload)


def changed(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `payload` with the value at the JSON pointer `path` replaced (or deleted with DELETE)."""
    result = copy.deepcopy(payload)
    *parents, last = path.strip("/").split("/")
    target: Any = result
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is DELETE:
        del target[key]
    elif isinstance(target, list) and key == len(target):
        target.append(value)
    else:
        target[key] = value
    return result


CHECKBOXES = {"type": "checkboxes", "action_id": "c", "options": [option("*a*", "a", md), option("b", "b")]}
RADIO = {
    "type": "radio_buttons",
    "action_id": "r",
    "options": [option("a", "a")],
    "initial_option": option("a", "a"),
}
SELECT = {"type": "static_select", "action_id": "s", "placeholder": pt("Pick"), "options": [option("a", "a")]}
OVERFLOW = {"type": "overflow", "action_id": "o", "options": [option("a", "a"), option("b", "b")]}
TEXT_INPUT = {
    "type": "plain_text_input",
    "action_id": "v",
    "min_length": 1,
    "max_length": 5,
    "initial_value": "hey",
}
NUMBER = {"type": "number_input", "action_id": "v", "is_decimal_allowed": False, "min_value": "0"}
NUMBER |= {"max_value": "10", "initial_value": "3"}
CONFIRM = {"title": pt("Sure?"), "text": md("Really"), "confirm": pt("Yes"), "deny": pt("No")}

MSG = message(section("hi"))
MSG_BUTTONS = message(section("hi"), actions(button("a", value="1"), button("b", url="https://x.test")))
MSG_CHOICES = message(actions(CHECKBOXES, RADIO, SELECT, OVERFLOW))
MSG_CONTEXT = message({"type": "context", "elements": [md("a"), pt("b")]})
MSG_FIELDS = message({"type": "section", "fields": [md("a"), md("b")]})
MSG_HEADER = message({"type": "header", "text": pt("Title")})
MSG_PICKERS = message(
    actions({"type": "datepicker", "action_id": "d", "initial_date": "2024-02-29"}),
    actions({"type": "timepicker", "action_id": "t", "initial_time": "23:59"}),
)
MSG_GROUPS = message(
    actions(
        {
            "type": "static_select",
            "action_id": "s",
            "option_groups": [{"label": pt("G"), "options": [option("a", "a")]}],
            "initial_option": option("a", "a"),
        }
    )
)
MSG_ACCESSORY = message(section("hi", accessory=button("a")))
MODAL = modal(field(TEXT_INPUT), field(NUMBER, "n"), callback_id="c", private_metadata="m")

# (id, valid payload, JSON pointer to change, new value, pointer Slack names). The valid payload passes;
# changed in that one place it is refused, at that pointer.
CASES: list[tuple[str, dict[str, Any], str, Any, str]] = [
    # block types, element types and where they may go
    ("unknown block type", MSG, "/blocks/0/type", "carousel_of_doom", "/blocks/0/type"),
    ("block without type", MSG, "/blocks/0/type", DELETE, "/blocks/0"),
    ("unknown element", MSG_BUTTONS, "/blocks/1/elements/0/type", "slider", "/blocks/1/elements/0/type"),
    ("image in actions", MSG_BUTTONS, "/blocks/1/elements/0", {"type": "image"}, "/blocks/1/elements/0/type"),
    (
        "input element in actions",
        MSG_BUTTONS,
        "/blocks/1/elements/0",
        TEXT_INPUT,
        "/blocks/1/elements/0/type",
    ),
    ("input element as accessory", MSG_ACCESSORY, "/blocks/0/accessory", NUMBER, "/blocks/0/accessory/type"),
    (
        "datetimepicker as accessory",
        MSG_ACCESSORY,
        "/blocks/0/accessory",
        {"type": "datetimepicker", "action_id": "d"},
        "/blocks/0/accessory/type",
    ),
    ("input block in a message", MSG, "/blocks/0", field(TEXT_INPUT), "/blocks/0/type"),
    (
        "file block in a modal",
        MODAL,
        "/blocks/2",
        {"type": "file", "external_id": "e", "source": "remote"},
        "/view/blocks/2/type",
    ),
    # ids
    (
        "action_id too long",
        MSG_BUTTONS,
        "/blocks/1/elements/0/action_id",
        "a" * 256,
        "/blocks/1/elements/0/action_id",
    ),
    (
        "action_id repeated in a block",
        MSG_BUTTONS,
        "/blocks/1/elements/1/action_id",
        "a",
        "/blocks/1/elements/1/action_id",
    ),
    ("block_id too long", MSG, "/blocks/0/block_id", "b" * 256, "/blocks/0/block_id"),
    ("block_id repeated", MODAL, "/blocks/1/block_id", "f", "/view/blocks/1/block_id"),
    # text objects
    ("text object of unknown type", MSG, "/blocks/0/text/type", "markdown", "/blocks/0/text/type"),
    ("empty text", MSG, "/blocks/0/text/text", "", "/blocks/0/text/text"),
    ("text over 3000", MSG_CONTEXT, "/blocks/0/elements/0/text", "x" * 3001, "/blocks/0/elements/0/text"),
    ("emoji on mrkdwn", MSG, "/blocks/0/text/emoji", True, "/blocks/0/text/emoji"),
    (
        "verbatim on plain_text",
        MSG_CONTEXT,
        "/blocks/0/elements/1/verbatim",
        True,
        "/blocks/0/elements/1/verbatim",
    ),
    # section, header, context, actions
    ("section without text or fields", MSG, "/blocks/0/text", DELETE, "/blocks/0"),
    ("section text over 3000", MSG, "/blocks/0/text/text", "x" * 3001, "/blocks/0/text/text"),
    ("eleven fields", MSG_FIELDS, "/blocks/0/fields", [md("f")] * 11, "/blocks/0/fields"),
    ("field over 2000", MSG_FIELDS, "/blocks/0/fields/1/text", "x" * 2001, "/blocks/0/fields/1/text"),
    ("header in mrkdwn", MSG_HEADER, "/blocks/0/text/type", "mrkdwn", "/blocks/0/text/type"),
    ("header over 150", MSG_HEADER, "/blocks/0/text/text", "x" * 151, "/blocks/0/text/text"),
    ("empty context", MSG_CONTEXT, "/blocks/0/elements", [], "/blocks/0/elements"),
    ("eleven context elements", MSG_CONTEXT, "/blocks/0/elements", [md("c")] * 11, "/blocks/0/elements"),
    ("empty actions", MSG_BUTTONS, "/blocks/1/elements", [], "/blocks/1/elements"),
    (
        "26 actions",
        MSG_BUTTONS,
        "/blocks/1/elements",
        [button(f"a{i}") for i in range(26)],
        "/blocks/1/elements",
    ),
    # buttons
    (
        "button text in mrkdwn",
        MSG_BUTTONS,
        "/blocks/1/elements/0/text/type",
        "mrkdwn",
        "/blocks/1/elements/0/text/type",
    ),
    (
        "button text over 75",
        MSG_BUTTONS,
        "/blocks/1/elements/0/text/text",
        "x" * 76,
        "/blocks/1/elements/0/text/text",
    ),
    (
        "button value over 2000",
        MSG_BUTTONS,
        "/blocks/1/elements/0/value",
        "v" * 2001,
        "/blocks/1/elements/0/value",
    ),
    ("button url over 3000", MSG_BUTTONS, "/blocks/1/elements/1/url", "u" * 3001, "/blocks/1/elements/1/url"),
    ("button style", MSG_BUTTONS, "/blocks/1/elements/0/style", "secondary", "/blocks/1/elements/0/style"),
    (
        "confirm title over 100",
        changed(MSG_BUTTONS, "/blocks/1/elements/0/confirm", CONFIRM),
        "/blocks/1/elements/0/confirm/title/text",
        "x" * 101,
        "/blocks/1/elements/0/confirm/title/text",
    ),
    # options
    (
        "option text over 75",
        MSG_CHOICES,
        "/blocks/0/elements/0/options/1/text/text",
        "x" * 76,
        "/blocks/0/elements/0/options/1/text/text",
    ),
    (
        "option value over 150",
        MSG_CHOICES,
        "/blocks/0/elements/3/options/0/value",
        "v" * 151,
        "/blocks/0/elements/3/options/0/value",
    ),
    (
        "option description over 75",
        MSG_CHOICES,
        "/blocks/0/elements/0/options/1/description",
        pt("d" * 76),
        "/blocks/0/elements/0/options/1/description/text",
    ),
    (
        "mrkdwn option in a select",
        MSG_CHOICES,
        "/blocks/0/elements/2/options/0/text/type",
        "mrkdwn",
        "/blocks/0/elements/2/options/0/text/type",
    ),
    (
        "url on a checkbox option",
        MSG_CHOICES,
        "/blocks/0/elements/0/options/1/url",
        "https://x.test",
        "/blocks/0/elements/0/options/1/url",
    ),
    (
        "eleven checkboxes",
        MSG_CHOICES,
        "/blocks/0/elements/0/options",
        [option(str(i), str(i)) for i in range(11)],
        "/blocks/0/elements/0/options",
    ),
    (
        "radio without options",
        MSG_CHOICES,
        "/blocks/0/elements/1/options",
        [],
        "/blocks/0/elements/1/options",
    ),
    (
        "101 select options",
        MSG_CHOICES,
        "/blocks/0/elements/2/options",
        [option(str(i), str(i)) for i in range(101)],
        "/blocks/0/elements/2/options",
    ),
    (
        "options and option_groups",
        MSG_GROUPS,
        "/blocks/0/elements/0/options",
        [option("a", "a")],
        "/blocks/0/elements/0",
    ),
    (
        "group label in mrkdwn",
        MSG_GROUPS,
        "/blocks/0/elements/0/option_groups/0/label",
        md("G"),
        "/blocks/0/elements/0/option_groups/0/label/type",
    ),
    (
        "overflow with one option",
        MSG_CHOICES,
        "/blocks/0/elements/3/options",
        [option("a", "a")],
        "/blocks/0/elements/3/options",
    ),
    (
        "overflow with six options",
        MSG_CHOICES,
        "/blocks/0/elements/3/options",
        [option(str(i), str(i)) for i in range(6)],
        "/blocks/0/elements/3/options",
    ),
    (
        "initial_option not an option",
        MSG_CHOICES,
        "/blocks/0/elements/1/initial_option",
        option("a", "b"),
        "/blocks/0/elements/1/initial_option",
    ),
    (
        "initial_options text differs",
        changed(MSG_CHOICES, "/blocks/0/elements/0/initial_options", [option("*a*", "a", md)]),
        "/blocks/0/elements/0/initial_options/0/text",
        pt("*a*"),
        "/blocks/0/elements/0/initial_options/0",
    ),
    (
        "initial_option not in the groups",
        MSG_GROUPS,
        "/blocks/0/elements/0/initial_option/value",
        "z",
        "/blocks/0/elements/0/initial_option",
    ),
    # placeholders, pickers
    (
        "placeholder over 150",
        MSG_CHOICES,
        "/blocks/0/elements/2/placeholder/text",
        "p" * 151,
        "/blocks/0/elements/2/placeholder/text",
    ),
    (
        "placeholder in mrkdwn",
        MSG_CHOICES,
        "/blocks/0/elements/2/placeholder/type",
        "mrkdwn",
        "/blocks/0/elements/2/placeholder/type",
    ),
    (
        "no such date",
        MSG_PICKERS,
        "/blocks/0/elements/0/initial_date",
        "2023-02-29",
        "/blocks/0/elements/0/initial_date",
    ),
    (
        "date not YYYY-MM-DD",
        MSG_PICKERS,
        "/blocks/0/elements/0/initial_date",
        "2024-2-29",
        "/blocks/0/elements/0/initial_date",
    ),
    (
        "time past 23:59",
        MSG_PICKERS,
        "/blocks/1/elements/0/initial_time",
        "24:00",
        "/blocks/1/elements/0/initial_time",
    ),
    (
        "time not HH:mm",
        MSG_PICKERS,
        "/blocks/1/elements/0/initial_time",
        "9:30",
        "/blocks/1/elements/0/initial_time",
    ),
    # plain-text and number inputs
    (
        "min_length over 3000",
        MODAL,
        "/blocks/0/element/min_length",
        3001,
        "/view/blocks/0/element/min_length",
    ),
    ("max_length of 0", MODAL, "/blocks/0/element/max_length", 0, "/view/blocks/0/element/max_length"),
    (
        "min_length above max_length",
        MODAL,
        "/blocks/0/element/min_length",
        6,
        "/view/blocks/0/element/min_length",
    ),
    (
        "initial_value over max_length",
        MODAL,
        "/blocks/0/element/initial_value",
        "x" * 6,
        "/view/blocks/0/element/initial_value",
    ),
    (
        "number without is_decimal_allowed",
        MODAL,
        "/blocks/1/element/is_decimal_allowed",
        DELETE,
        "/view/blocks/1/element/is_decimal_allowed",
    ),
    (
        "decimal where whole numbers",
        MODAL,
        "/blocks/1/element/initial_value",
        "1.5",
        "/view/blocks/1/element/initial_value",
    ),
    ("number given as a number", MODAL, "/blocks/1/element/min_value", 0, "/view/blocks/1/element/min_value"),
    (
        "min_value above max_value",
        MODAL,
        "/blocks/1/element/min_value",
        "11",
        "/view/blocks/1/element/min_value",
    ),
    (
        "initial_value out of range",
        MODAL,
        "/blocks/1/element/initial_value",
        "-1",
        "/view/blocks/1/element/initial_value",
    ),
    # input blocks
    ("label over 2000", MODAL, "/blocks/0/label/text", "l" * 2001, "/view/blocks/0/label/text"),
    ("label in mrkdwn", MODAL, "/blocks/0/label/type", "mrkdwn", "/view/blocks/0/label/type"),
    ("hint over 2000", MODAL, "/blocks/0/hint", pt("h" * 2001), "/view/blocks/0/hint/text"),
    ("input without element", MODAL, "/blocks/0/element", DELETE, "/view/blocks/0"),
    (
        "number input on the Home tab",
        home(section()),
        "/blocks/0",
        field(NUMBER),
        "/view/blocks/0/element/type",
    ),
    # views
    ("modal without title", MODAL, "/title", DELETE, "/view"),
    ("title over 24", MODAL, "/title/text", "t" * 25, "/view/title/text"),
    ("title in mrkdwn", MODAL, "/title/type", "mrkdwn", "/view/title/type"),
    ("close over 24", MODAL, "/close", pt("c" * 25), "/view/close/text"),
    ("submit over 24", MODAL, "/submit/text", "s" * 25, "/view/submit/text"),
    ("inputs without submit", MODAL, "/submit", DELETE, "/view"),
    ("private_metadata over 3000", MODAL, "/private_metadata", "m" * 3001, "/view/private_metadata"),
    ("callback_id over 255", MODAL, "/callback_id", "c" * 256, "/view/callback_id"),
    ("101 blocks in a view", home(section()), "/blocks", [section()] * 101, "/view/blocks"),
    ("51 blocks in a message", MSG, "/blocks", [section()] * 51, "/blocks"),
]


@pytest.mark.parametrize(
    ("valid", "path", "value", "pointer"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(valid: dict[str, Any], path: str, value: Any, pointer: str) -> None:
    assert problem_of(valid) is None
    problem = problem_of(changed(valid, path, value))
    assert problem is not None and problem.source == "block_kit"
    assert problem.endswith(f"[json-pointer:{pointer}]"), problem
    assert problem.error == ("invalid_arguments" if "type" in valid else "invalid_blocks")


def test_limits_are_inclusive() -> None:
    """Everything exactly at its documented limit passes, ours and slack_sdk's."""
    at_limits = message(
        {"type": "header", "text": pt("h" * 150)},
        {"type": "section", "fields": [md("f" * 200)] * 10, "block_id": "b" * 255},
        actions(
            button("a" * 255, "t" * 75, value="v" * 2000, url="https://" + "u" * 2992, style="danger"),
            {"type": "overflow", "action_id": "o", "options": [option("o" * 75, "v" * 150)] * 5},
            {"type": "checkboxes", "action_id": "c", "options": [option(str(i), str(i)) for i in range(10)]},
        ),
        {"type": "context", "elements": [md("c")] * 10},
    )
    assert message_problem(at_limits) is None
    text = {"type": "plain_text_input", "action_id": "v", "min_length": 3000, "max_length": 3000}
    view = modal(
        field(text | {"initial_value": "x" * 3000}, hint=pt("h" * 2000)),
        field(NUMBER | {"initial_value": "10"}, "n", label=pt("l" * 2000)),
        title=pt("t" * 24),
        submit=pt("s" * 24),
        close=pt("c" * 24),
        private_metadata="m" * 3000,
        callback_id="c" * 255,
    )
    assert view_problem(view) is None
    assert view_problem(home(*[section()] * 100)) is None
    assert message_problem(message(*[section()] * 50)) is None


def test_input_elements_only_in_input_blocks() -> None:
    for kind in block_kit.INPUT_ONLY:
        element = {"type": kind, "action_id": "v"} | (
            {"is_decimal_allowed": True} if kind == "number_input" else {}
        )
        assert view_problem(modal(field(element))) is None
        for payload in (message(actions(element)), message(section(accessory=element))):
            problem = message_problem(payload)
            assert problem is not None and f"{kind} is only allowed in input blocks" in problem


def test_morning_prompt_with_repeated_action_id_is_refused() -> None:
    """The shape that got through the old fake: two snooze buttons sharing one action_id."""
    prompt = message(
        section("*Good morning!* What's the plan for today?"),
        actions(
            button("plan_open", "Plan my day", value="2024-05-06", style="primary"),
            button("plan_snooze", "Snooze 30 min", value="30"),
            button("plan_snooze", "Snooze 1 hour", value="60"),
            button("plan_skip", "Not today", value="2024-05-06"),
        ),
    )
    problem = message_problem(prompt)
    assert problem is not None and problem.error == "invalid_blocks"
    assert problem.endswith("[json-pointer:/blocks/1/elements/2/action_id]")
    fixed = changed(prompt, "/blocks/1/elements/2/action_id", "plan_snooze_60")
    assert message_problem(fixed) is None
    # the same action_id in two different blocks is fine
    assert message_problem(message(actions(button("a")), actions(button("a")))) is None


def test_surfaces() -> None:
    assert view_problem(modal(field(TEXT_INPUT))) is None
    assert view_problem(home(field(TEXT_INPUT))) is None
    assert view_problem(home(field(NUMBER))) is not None  # number_input: Modals only
    datetime = actions({"type": "datetimepicker", "action_id": "d", "initial_date_time": 1_700_000_000})
    assert message_problem(message(datetime)) is None and view_problem(home(datetime)) is not None
    markdown = {"type": "markdown", "text": "**hi**"}
    assert message_problem(message(markdown)) is None and view_problem(home(markdown)) is not None


def test_text_budget_of_a_message() -> None:
    """msg_blocks_too_long: counted over every text object, buttons and fields included."""
    full = message(*[section("x" * 3000)] * 4)
    assert block_kit.blocks_text_length(full["blocks"]) == MESSAGE_BLOCKS_TEXT_BUDGET
    assert message_problem(full) is None
    over = changed(full, "/blocks/4", actions(button("a", "Go")))
    problem = message_problem(over)
    assert problem is not None and problem.error == "msg_blocks_too_long"
    assert problem.endswith("[json-pointer:/blocks]")
    # a view has no such budget
    assert view_problem(home(*[section("x" * 3000)] * 5)) is None


def test_top_level_text() -> None:
    assert message_problem({"text": "x" * 40_000}) is None
    assert message_problem({"text": "x" * 40_001}).error == "msg_too_long"  # type: ignore[union-attr]
    assert message_problem({}).error == "no_text"  # type: ignore[union-attr]
    assert message_problem({"blocks": "[{"}).error == "invalid_blocks_format"  # type: ignore[union-attr]


# -- the slack_sdk cross-check ----------------------------------------------------------------------------


def test_slack_sdk_parses_unknown_blocks_to_none() -> None:
    """Why the cross-check alone would be vacuous for unknown types: slack_sdk skips them silently."""
    assert Block.parse({"type": "carousel_of_doom"}) is None
    parsed = Block.parse(actions({"type": "slider", "action_id": "s"}))
    assert parsed is not None and parsed.elements == [None]  # type: ignore[attr-defined]
    assert sdk_blocks_problem([{"type": "carousel_of_doom"}]) is None  # not covered by slack_sdk...
    assert message_problem(message({"type": "carousel_of_doom"})) is not None  # ...but by our rules


def test_slack_sdk_cross_check_refuses_nested_problems() -> None:
    """It checks nested objects (options, text objects), not only the block's own fields."""
    overflow = actions({"type": "overflow", "action_id": "o", "options": [option("o" * 76, "v")] * 2})
    problem = sdk_blocks_problem([section(), overflow])
    assert problem is not None and problem.source == "slack_sdk"
    assert "Option._validate_text_length" in problem and problem.endswith("[json-pointer:/blocks/1]")
    assert sdk_blocks_problem([{"type": "section", "fields": [md("f")] * 11}]) is not None
    assert sdk_blocks_problem([{"type": "input", "element": TEXT_INPUT}]).startswith(  # type: ignore[union-attr]
        "[ERROR] slack_sdk Block.parse: "
    )  # no label: InputBlock's constructor refuses


def test_slack_sdk_cross_check_runs_on_messages() -> None:
    """A button's agent_prompt: our rules don't know it, slack_sdk caps it at 4000 characters."""
    assert message_problem(message(actions(button("a", agent_prompt="p" * 4000)))) is None
    problem = message_problem(message(actions(button("a", agent_prompt="p" * 4001))))
    assert problem is not None and problem.source == "slack_sdk" and problem.error == "invalid_blocks"
    assert "ButtonElement._validate_agent_prompt_length" in problem


def test_slack_sdk_cross_check_refuses_what_our_rules_let_through(fake: FakeSlack, client: WebClient) -> None:
    """A Home tab with a close button: our rules don't look at it, slack_sdk's View refuses it."""
    view = home(section()) | {"close": pt("Close")}
    with pytest.raises(SlackApiError) as info:
        client.views_publish(user_id="U1", view=view)
    assert info.value.response["error"] == "invalid_arguments"
    ((method, problem),) = fake.refusals
    assert method == "views.publish" and problem.source == "slack_sdk"
    assert "View._validate_home_tab_structure" in info.value.response["response_metadata"]["messages"][0]


def test_sdk_false_positives_are_stricter_than_the_docs() -> None:
    """Each skipped slack_sdk validator refuses a payload the reference allows; nothing else is skipped."""
    empty_home = home()
    assert ("View", "_validate_blocks_length") in SDK_FALSE_POSITIVES
    with pytest.raises(Exception, match="between 1 and 100 blocks"):
        View(**empty_home).validate_json()
    assert sdk_view_problem(empty_home) is None and view_problem(empty_home) is None
    assert len(SDK_FALSE_POSITIVES) == 1
    # the same validator's maximum is still enforced, by our rules
    assert view_problem(home(*[section()] * 101)) is not None


# -- wired into the fake ----------------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1")
        server.add_channel("C1")
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url)


REPEATED = [actions(button("a"), button("a"))]


def test_messages_refused_everywhere(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="t", blocks=[section()])["ts"]
    calls: list[Callable[[], Any]] = [
        lambda: client.chat_postMessage(channel="C1", text="t", blocks=REPEATED),
        lambda: client.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=REPEATED),
        lambda: client.chat_update(channel="C1", ts=ts, text="t", blocks=REPEATED),
    ]
    for call in calls:
        with pytest.raises(SlackApiError) as info:
            call()
        assert info.value.response["error"] == "invalid_blocks"
        (why,) = info.value.response["response_metadata"]["messages"]
        assert why.startswith("[ERROR] action_id 'a' is already used in this block")
        assert why.endswith(" [json-pointer:/blocks/0/elements/1/action_id]")
    assert fake.messages[0].blocks == [section()] and fake.ephemerals == []
    url = fake.new_response_url()
    resp = WebhookClient(url).send(text="t", blocks=REPEATED)
    assert (resp.status_code, resp.body) == (400, "invalid_blocks") and fake.responses == []
    assert [m for m, _ in fake.refusals] == [
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "response_url",
    ]
    assert all(p.source == "block_kit" for _, p in fake.refusals)


def test_views_refused_everywhere(fake: FakeSlack, client: WebClient) -> None:
    bad = modal(section(), actions(button("a"), button("a")))
    view_id = client.views_open(trigger_id="t0", view=modal(section()))["view"]["id"]
    calls: list[Callable[[], Any]] = [
        lambda: client.views_open(trigger_id="t1", view=bad),
        lambda: client.views_push(trigger_id="t2", view=bad),
        lambda: client.views_update(view_id=view_id, view=bad),
        lambda: client.views_publish(user_id="U1", view=home(*bad["blocks"])),
    ]
    for call in calls:
        with pytest.raises(SlackApiError) as info:
            call()
        assert info.value.response["error"] == "invalid_arguments"
        assert info.value.response["response_metadata"]["messages"][0].endswith(
            "[json-pointer:/view/blocks/1/elements/1/action_id]"
        )
    assert list(fake.views) == [view_id] and fake.home_views == {}


# -- the app's answers to signed requests (tests/support.py) ---------------------------------------------


def command_body() -> bytes:
    return urlencode({"command": "/remote-win", "text": "x", "user_id": "U1"}).encode()


def interaction_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM = "application/x-www-form-urlencoded"
SUBMITTED = {"type": "view_submission", "view": modal(field(TEXT_INPUT, "text"), section(block_id="info"))}


def ok(answer: Any) -> Reply:
    return Reply(200, json.dumps(answer).encode(), 0.0)


def test_ack_problem_for_commands_and_buttons() -> None:
    assert ack_problem(command_body(), FORM, ok({"response_type": "ephemeral", "text": "Saved"})) is None
    assert ack_problem(command_body(), FORM, Reply(200, b"plain text is a message", 0.0)) is None
    refused = ack_problem(command_body(), FORM, ok({"text": "t", "blocks": REPEATED}))
    assert refused is not None and refused.endswith("/blocks/0/elements/1/action_id]")
    clicked = interaction_body({"type": "block_actions"})
    assert ack_problem(clicked, FORM, ok({"text": "t", "blocks": [section("x" * 3001)]})) is not None
    assert ack_problem(clicked, FORM, Reply(200, b"", 0.0)) is None
    assert ack_problem(b"{}", "application/json", ok({"blocks": "anything"})) is None  # events: not read


def test_ack_problem_for_modal_submissions() -> None:
    submitted = interaction_body(SUBMITTED)
    assert (
        ack_problem(submitted, FORM, ok({"response_action": "errors", "errors": {"text": "Too long"}}))
        is None
    )
    for errors in ({"nope": "x"}, {"info": "x"}, {}, {"text": ""}):
        assert ack_problem(submitted, FORM, ok({"response_action": "errors", "errors": errors})) is not None
    unknown_view = interaction_body({"type": "view_submission", "view": {"callback_id": "c"}})
    assert ack_problem(unknown_view, FORM, ok({"response_action": "errors", "errors": {"any": "x"}})) is None
    good = modal(section())
    assert ack_problem(submitted, FORM, ok({"response_action": "update", "view": good})) is None
    assert ack_problem(submitted, FORM, ok({"response_action": "push", "view": home(section())})) is not None
    bad = changed(good, "/title/text", "t" * 25)
    assert "/view/title/text" in ack_problem(submitted, FORM, ok({"response_action": "update", "view": bad}))  # type: ignore[operator]
    assert ack_problem(submitted, FORM, ok({"response_action": "close"})) is not None
    assert ack_problem(submitted, FORM, ok({"response_action": "clear"})) is None


class _Canned(BaseHTTPRequestHandler):
    answer = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_slack_requests_fail_loudly_on_a_refused_ack(fake: FakeSlack) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        slack = SlackRequests(f"http://127.0.0.1:{server.server_port}/", "secret", fake)
        _Canned.answer = json.dumps({"response_type": "ephemeral", "text": "t", "blocks": REPEATED}).encode()
        with pytest.raises(AssertionError, match="action_id 'a' is already used"):
            slack.command("list")
        _Canned.answer = json.dumps({"response_action": "errors", "errors": {"gone": "x"}}).encode()
        with pytest.raises(AssertionError, match="'gone', which is not an input block"):
            slack.submit_view(SUBMITTED["view"], {})
        _Canned.answer = json.dumps({"response_type": "ephemeral", "text": "fine"}).encode()
        assert slack.command("list").json() == {"response_type": "ephemeral", "text": "fine"}
    finally:
        server.shutdown()
        server.server_close()
