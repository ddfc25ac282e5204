"""Every way into the app, fuzzed with hypothesis over signed HTTP: bodies and content types, slash text,
DMs, modal values, button values and events. Whatever arrives: never a 5xx, never a traceback (in an
answer or in the log), and never a mention the member's own text didn't carry, escaped or not.

Atheris (coverage-guided) adds little here: the parsers in front are the standard library's and
Bolt's, and what matters is the app's behaviour on well-signed input, which hypothesis drives better.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks.digest import ACK, ASK, DECLINE, DETAIL_NEXT, DETAIL_PREVIOUS, DETAILS, SHOW_ALL
from bot.blocks.plans import OPEN_PLAN, OPEN_SUMMARY, PLAN_FORM, SKIP, SUMMARY_FORM
from bot.blocks.privacy import FORGET_CANCEL, FORGET_CONFIRM
from bot.blocks.questions import ANSWER, ANSWER_FORM, ASK_FORM
from bot.blocks.recap import ADD_WIN, MARK_PRIVATE, PRIVATE_FORM
from bot.blocks.settings import CALLBACK_ID as SETTINGS_FORM
from bot.blocks.settings import OPEN_SETTINGS
from tests.fake_slack import FakeSlack
from tests.support import Reply, SlackRequests, form_values, wait_until

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ACTIONS = [
    "win_undo",
    "win_edit",
    "home_log_win",
    OPEN_PLAN,
    SKIP,
    OPEN_SUMMARY,
    "plan_snooze_30",
    "plan_done_0",
    ACK,
    ASK,
    DETAILS,
    SHOW_ALL,
    DETAIL_NEXT,
    DETAIL_PREVIOUS,
    MARK_PRIVATE,
    ADD_WIN,
    OPEN_SETTINGS,
    ANSWER,
    FORGET_CONFIRM,
    FORGET_CANCEL,
    DECLINE,
]
FORMS = ["win_form", PLAN_FORM, SUMMARY_FORM, ASK_FORM, PRIVATE_FORM, SETTINGS_FORM, ANSWER_FORM]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]
# Text as Slack sends it: anything, plus the markup that pings (so the fuzzer tries it often).
MARKUP = st.sampled_from(["<!channel>", "<!here|here>", "<@U2>", "<#C1|general>", "&lt;", "<", ">", "&", "|"])
TEXT = st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=8).map("".join)
IDS = re.compile(r"<[@#]([A-Z0-9]+)")
MENTION = re.compile(r"<([@#!])([^|>]*)")


def mentions_not_carried(output: Any, carried: str) -> list[str]:
    """Mentions in what the app sent that the member's text didn't carry (ids it named may come back as
    mentions; `<!…>` broadcasts never)."""
    allowed = set(IDS.findall(carried)) | {"U1"}  # the member themself, in their own answers
    return [
        kind + target
        for kind, target in MENTION.findall(json.dumps(output, ensure_ascii=False))
        if kind == "!" or target not in allowed
    ]


def sent_by_app(fake_slack: FakeSlack) -> list[Any]:
    """Everything the app has sent to Slack so far: messages, response_url answers and views."""
    with fake_slack._lock:
        calls = [c.params for c in fake_slack.calls if c.method != "users.info"]
        return calls + [payload for _url, payload in fake_slack.responses]


def healthy(reply: Reply) -> None:
    assert reply.status < 500, reply
    assert b"Traceback" not in reply.body and b'File "' not in reply.body, reply.body[:300]


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.WARNING)
    yield caplog
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not failures, [f"{r.name}: {r.getMessage()}" for r in failures][:5]


@FUZZ
@given(body=st.binary(max_size=400), kind=st.sampled_from(CONTENT_TYPES), signed=st.booleans())
def test_any_body_with_any_content_type_is_answered_without_a_5xx(
    slack: SlackRequests, no_errors_logged: Any, body: bytes, kind: str, signed: bool
) -> None:
    reply = slack.post(body, kind, signature=None if signed else "v0=" + "0" * 64)
    healthy(reply)
    assert signed or reply.status == 401


@FUZZ
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    ),
    as_form=st.booleans(),
)
def test_any_json_shape_is_answered_without_a_5xx(slack: SlackRequests, payload: Any, as_form: bool) -> None:
    """Shapes Slack never sends, signed: refused or ignored, never a crash answered 500."""
    text = json.dumps(payload)
    if as_form:
        from urllib.parse import urlencode

        healthy(slack.post(urlencode({"payload": text}).encode(), "application/x-www-form-urlencoded"))
    else:
        healthy(slack.post(text.encode(), "application/json"))


@FUZZ
@given(text=TEXT)
def test_slash_text_is_answered_and_pings_nobody(
    slack: SlackRequests, fake_slack: FakeSlack, no_errors_logged: Any, text: str
) -> None:
    reply = slack.command(text)
    healthy(reply)
    assert reply.status == 200
    assert not mentions_not_carried(reply.json(), text)
    assert not mentions_not_carried(sent_by_app(fake_slack), text)


@FUZZ
@given(text=TEXT, thread=st.booleans())
def test_a_dm_is_answered_and_pings_nobody(
    slack: SlackRequests, fake_slack: FakeSlack, no_errors_logged: Any, text: str, thread: bool
) -> None:
    ts = f"{time.time():.6f}"
    event = {"type": "message", "channel": "D1", "user": "U1", "channel_type": "im", "text": text, "ts": ts}
    before = len(fake_slack.calls_to("chat.postMessage"))
    healthy(slack.event(event | ({"thread_ts": ts} if thread else {})))
    wait_until(lambda: len(fake_slack.calls_to("chat.postMessage")) > before, what="the DM's answer")
    assert not mentions_not_carried(sent_by_app(fake_slack), text)


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "text": st.none() | TEXT,
            "category": st.none() | st.text(max_size=12),
            "metric_name": st.none() | TEXT,
            "metric_value": st.none()
            | st.sampled_from(["1", "-0", "1e308", "nan", "inf", "0x10"])
            | st.text(max_size=8),
            "link": st.none()
            | st.sampled_from(["https://a.example/|x", "https://a.example/ok"])
            | st.text(max_size=30),
            "local_date": st.none()
            | st.sampled_from(["2026-02-30", "9999-12-31", "0001-01-01"])
            | st.text(max_size=12),
            "day_kind": st.none() | st.text(max_size=8),
            "private": st.booleans(),
        }
    ),
    metadata=st.none()
    | st.text(max_size=30)
    | st.just('{"win_id": "1"}')
    | st.just('{"win_id": 99999999999}'),
)
def test_win_form_values_are_validated_and_ping_nobody(
    slack: SlackRequests, fake_slack: FakeSlack, no_errors_logged: Any, fields: dict[str, Any], metadata: Any
) -> None:
    text = fields.pop("text")
    view = {"id": f"V{time.monotonic_ns()}", "private_metadata": metadata}
    reply = slack.submit_view(view, form_values(text, **fields))  # the ack is checked against Block Kit
    healthy(reply)
    assert reply.status == 200
    carried = json.dumps(fields) + (text or "")
    assert not mentions_not_carried(reply.json(), carried)
    assert not mentions_not_carried(sent_by_app(fake_slack), carried)


@FUZZ
@given(
    action_id=st.sampled_from(ACTIONS),
    value=st.text(max_size=30)
    | st.sampled_from(["1", "0", "-1", "1:2026-W48", "2026-11-24", "1:2026-W53:9", "0" * 32]),
    block_id=st.text(max_size=20) | st.just("plan_done_0:2026-11-24"),
    in_view=st.booleans(),
)
def test_any_button_value_is_answered_quietly(
    slack: SlackRequests, no_errors_logged: Any, action_id: str, value: str, block_id: str, in_view: bool
) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": slack.team, "domain": "acme"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": f"t{time.monotonic_ns()}",
        "response_url": slack.fake.new_response_url(),
        "container": {"type": "view", "view_id": "V1"}
        if in_view
        else {"type": "message", "message_ts": "1.2"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value}],
    }
    if in_view:
        payload["view"] = {"id": "V1", "type": "modal"}
    reply = slack.interaction(payload)
    healthy(reply)
    assert reply.status == 200


@FUZZ
@given(
    callback_id=st.sampled_from(FORMS),
    values=st.dictionaries(
        st.sampled_from(["text", "items", "blockers", "question", "win", "private_0", "remote_days", "x"]),
        st.fixed_dictionaries(
            {"value": st.fixed_dictionaries({"type": st.just("plain_text_input"), "value": TEXT})}
        ),
        max_size=4,
    ),
    metadata=st.none()
    | st.text(max_size=20)
    | st.sampled_from(
        ['{"date": "2026-11-24"}', '{"member_id": 1, "week": "2026-W48"}', '{"week": "2026-W99"}']
    ),
)
def test_any_modal_submission_is_answered_quietly(
    slack: SlackRequests,
    fake_slack: FakeSlack,
    no_errors_logged: Any,
    callback_id: str,
    values: dict[str, Any],
    metadata: Any,
) -> None:
    view = {"id": f"V{time.monotonic_ns()}", "callback_id": callback_id, "private_metadata": metadata}
    reply = slack.submit_view(view, values)
    healthy(reply)
    assert reply.status == 200
    carried = json.dumps(values)
    assert not mentions_not_carried(reply.json(), carried)


@FUZZ
@given(
    event=st.fixed_dictionaries(
        {
            "type": st.sampled_from(["message", "app_home_opened", "app_mention", "reaction_added"]),
            "user": st.sampled_from(["U1", "UBOT", ""]) | st.text(max_size=6),
            "channel": st.sampled_from(["D1", "C1"]) | st.text(max_size=6),
            "channel_type": st.sampled_from(["im", "channel", "mpim"]),
            "text": TEXT,
            "ts": st.just("1790000000.000001") | st.text(max_size=12),
        },
        optional={
            "subtype": st.sampled_from(["bot_message", "message_changed", "file_share", "thread_broadcast"]),
            "tab": st.sampled_from(["home", "messages", "about"]),
            "bot_id": st.just("B1"),
            "thread_ts": st.text(max_size=12),
        },
    )
)
def test_any_event_is_acked_quietly(
    slack: SlackRequests, fake_slack: FakeSlack, no_errors_logged: Any, event: dict[str, Any]
) -> None:
    reply = slack.event(event)
    healthy(reply)
    assert reply.status in (200, 404)
    assert not mentions_not_carried(sent_by_app(fake_slack), event["text"])
