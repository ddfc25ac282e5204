"""Tests for the fake Slack server, driven through the real slack_sdk clients it stands in for."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.support import wait_until


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", tz="America/New_York", name="alice")
        server.add_channel("C1", name="general")
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url)


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value


def slack_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    return error_of(call, *args, **kwargs).response["error"]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(**extra: object) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Wins"},
        "blocks": [section("hi")],
        **extra,
    }


# -- auth, routing, scopes ----------------------------------------------------------------------------


def test_auth_test_and_urls(fake: FakeSlack, client: WebClient) -> None:
    assert fake.api_url == f"http://127.0.0.1:{fake.port}/api/"
    resp = client.auth_test()
    assert (resp["team_id"], resp["user_id"], resp["bot_id"]) == ("T0001", "UBOT", "BBOT")
    call = fake.calls_to("auth.test")[0]
    assert call.headers["authorization"] == "Bearer xoxb-test" and "token" not in call.params


def test_invalid_and_missing_token(fake: FakeSlack) -> None:
    assert slack_error(WebClient("xoxb-wrong", base_url=fake.api_url).auth_test) == "invalid_auth"
    assert slack_error(WebClient(base_url=fake.api_url).auth_test) == "not_authed"


def test_token_as_form_param(fake: FakeSlack) -> None:
    resp = WebClient(base_url=fake.api_url).api_call("auth.test", data={"token": "xoxb-test"})
    assert resp["ok"] and fake.calls[-1].params == {}


def test_app_token_only_for_socket_mode(fake: FakeSlack) -> None:
    resp = WebClient(fake.app_token, base_url=fake.api_url).apps_connections_open(app_token=fake.app_token)
    assert resp["url"].startswith("ws://127.0.0.1")
    bot = WebClient(fake.bot_token, base_url=fake.api_url)
    assert slack_error(bot.api_call, "apps.connections.open") == "not_allowed_token_type"


def test_unknown_method(client: WebClient) -> None:
    err = error_of(client.api_call, "chat.teleport")
    assert err.response.status_code == 404 and err.response["error"] == "unknown_method"


def test_missing_scope() -> None:
    with FakeSlack(scopes=["commands", "chat:write"]) as fake:
        fake.add_user("U1")
        err = error_of(WebClient(fake.bot_token, base_url=fake.api_url).users_info, user="U1")
    assert err.response["error"] == "missing_scope"
    assert (err.response["needed"], err.response["provided"]) == ("users:read", "chat:write,commands")


# -- users and conversations --------------------------------------------------------------------------


def test_users_info_timezone(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    expected = datetime.now(ZoneInfo("America/New_York")).utcoffset()
    assert user["tz"] == "America/New_York" and user["tz_offset"] == expected.total_seconds()
    assert user["profile"]["display_name"] == "alice" and user["is_bot"] is False
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True
    assert slack_error(client.users_info, user="U404") == "user_not_found"


def test_dm_channels_are_stable(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D") and client.conversations_open(users=["U1"])["channel"]["id"] == dm
    assert client.chat_postMessage(channel="U1", text="a")["channel"] == dm
    assert client.chat_postMessage(channel=dm, text="b")["channel"] == dm
    assert [(m.channel, m.text) for m in fake.messages] == [(dm, "a"), (dm, "b")]
    fake.add_user("U2", deleted=True)
    assert slack_error(client.conversations_open, users="U2") == "user_disabled"


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C404", "channel_not_found"),
        ("D404", "channel_not_found"),
        ("CARCH", "is_archived"),
        ("COUT", "not_in_channel"),
    ],
)
def test_post_message_channel_errors(fake: FakeSlack, client: WebClient, channel: str, error: str) -> None:
    fake.add_channel("CARCH", archived=True)
    fake.add_channel("COUT", member=False)
    assert slack_error(client.chat_postMessage, channel=channel, text="x") == error
    assert fake.messages == []


# -- messages -----------------------------------------------------------------------------------------


def test_post_update_delete_permalink(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="one", blocks=[section("one")])
    reply = client.chat_postMessage(channel="C1", text="two", thread_ts=first["ts"])
    assert first["ts"].startswith("1700000000.") and float(reply["ts"]) > float(first["ts"])
    assert fake.messages[0].blocks == [section("one")] and fake.messages[1].thread_ts == first["ts"]

    updated = client.chat_update(channel="C1", ts=first["ts"], text="uno")
    assert updated["message"]["text"] == "uno" and fake.messages[0].blocks == [section("one")]
    link = client.chat_getPermalink(channel="C1", message_ts=first["ts"])["permalink"]
    assert link == f"https://fake.slack.test/archives/C1/p{first['ts'].replace('.', '')}"
    assert "thread_ts=" in client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]

    client.chat_delete(channel="C1", ts=first["ts"])
    assert fake.messages[0].deleted
    for method in (client.chat_update, client.chat_delete):
        assert slack_error(method, channel="C1", ts=first["ts"], text="x") == "message_not_found"


def test_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert resp["message_ts"] and fake.messages == []
    assert (fake.ephemerals[0].user, fake.ephemerals[0].text) == ("U1", "psst")


def test_ts_unique_under_concurrency(fake: FakeSlack, client: WebClient) -> None:
    def post(i: int) -> None:
        client.chat_postMessage(channel="C1", text=str(i))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({m.ts for m in fake.messages}) == 20 == len(fake.calls_to("chat.postMessage"))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"blocks": [section("x")] * 51}, "invalid_blocks"),
        ({"blocks": [section("x" * 3001)]}, "invalid_blocks"),
        (
            {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}]},
            "invalid_blocks",
        ),
        (
            {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
            "invalid_blocks",
        ),
        ({"blocks": [{"text": {"type": "mrkdwn", "text": "typeless"}}]}, "invalid_blocks"),
        ({}, "no_text"),
    ],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_block_kit_limits(fake: FakeSlack, client: WebClient, kwargs: dict, error: str) -> None:
    kwargs = {"text": "fallback", **kwargs} if kwargs else {}
    for method in (client.chat_postMessage, client.chat_postEphemeral):
        assert slack_error(method, channel="C1", user="U1", **kwargs) == error
    assert fake.messages == fake.ephemerals == []


def test_block_kit_limits_are_inclusive(client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="t", blocks=[section("x")] * 49 + [section("x" * 3000)])
    header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 150}}
    fields = {"type": "section", "fields": [section("x" * 2000)["text"]]}
    client.chat_postMessage(channel="C1", text="t", blocks=[header, fields])


def test_params_decoded_from_form_query_and_json(fake: FakeSlack) -> None:
    """slack_sdk sends some methods as forms, some as JSON; the fake must decode blocks either way."""
    client = WebClient(fake.bot_token, base_url=fake.api_url)
    blocks = [section("hi")]
    client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(blocks)})
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    client.chat_postMessage(channel="C1", text="t", blocks=blocks)  # JSON body
    assert [c.params["blocks"] for c in fake.calls_to("chat.postMessage")] == [blocks] * 3
    assert [m.blocks for m in fake.messages] == [blocks] * 3


# -- views --------------------------------------------------------------------------------------------


def test_views_open_push_update(fake: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id="t1", view=modal(private_metadata="x" * 3000))["view"]
    assert view["id"].startswith("V") and view["hash"] and fake.views[view["id"]]["title"]["text"] == "Wins"
    pushed = client.views_push(trigger_id="t2", view=modal())["view"]
    assert pushed["id"] != view["id"]

    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=modal(callback_id="v2"))["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert (
        slack_error(client.views_update, view_id=view["id"], hash=view["hash"], view=modal())
        == "hash_conflict"
    )
    assert slack_error(client.views_update, view_id="V404", view=modal()) == "not_found"


def test_expired_and_missing_trigger(fake: FakeSlack, client: WebClient) -> None:
    fake.expire_trigger("old")
    assert slack_error(client.views_open, trigger_id="old", view=modal()) == "expired_trigger_id"
    assert slack_error(client.views_open, trigger_id="", view=modal()) == "invalid_arguments"


@pytest.mark.parametrize(
    "view",
    [
        modal(blocks=[section("x")] * 101),
        modal(title={"type": "plain_text", "text": "x" * 25}),
        modal(submit={"type": "plain_text", "text": "x" * 25}),
        modal(close={"type": "plain_text", "text": "x" * 25}),
        modal(private_metadata="x" * 3001),
        modal(blocks=[section("x" * 3001)]),
        {"type": "home", "blocks": []},
    ],
)
def test_invalid_views(fake: FakeSlack, client: WebClient, view: dict) -> None:
    assert slack_error(client.views_open, trigger_id="t", view=view) == "invalid_arguments"
    assert fake.views == {}


def test_views_publish(fake: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("a")]})["view"]
    second = client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("b")]})["view"]
    assert first["id"] == second["id"] and fake.home_views["U1"]["blocks"] == [section("b")]
    assert slack_error(client.views_publish, user_id="U1", view=modal()) == "invalid_arguments"
    many = {"type": "home", "blocks": [section("x")] * 101}
    assert slack_error(client.views_publish, user_id="U1", view=many) == "invalid_arguments"


# -- faults, latency, rate limits ---------------------------------------------------------------------


def test_429_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    client = WebClient(fake.bot_token, base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(1)])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2 and len(fake.messages) == 1
    assert fake.ratelimited["chat.postMessage"] == 1


def test_429_headers_without_retry(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("*", status=429)
    err = error_of(client.auth_test)
    assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "1"
    assert err.response["error"] == "ratelimited" and client.auth_test()["ok"]


def test_500_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    fake.fail_next("users.info", status=500)
    retry = ServerErrorRetryHandler(1, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = WebClient(fake.bot_token, base_url=fake.api_url, retry_handlers=[retry])
    assert client.users_info(user="U1")["user"]["id"] == "U1"
    assert len(fake.calls_to("users.info")) == 2


def test_error_fault_times_and_validation(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="fatal_error", times=2)
    for _ in range(2):
        err = error_of(client.chat_postMessage, channel="C1", text="x")
        assert err.response.status_code == 200 and err.response["error"] == "fatal_error"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    with pytest.raises(ValueError):
        fake.fail_next("chat.postMessage")


def test_delay(fake: FakeSlack, client: WebClient) -> None:
    fake.delay("auth.test", 0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    fake.delay("auth.test", 60)
    fake.delay("auth.test", 0)  # removes it: a 60 s delay would time the client out
    assert WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10).auth_test()["ok"]


def test_a_held_call_is_recorded_and_answers_once_released(fake: FakeSlack, client: WebClient) -> None:
    released = fake.hold("auth.test")
    answers: list[Any] = []
    caller = threading.Thread(target=lambda: answers.append(client.auth_test()["ok"]))
    caller.start()
    wait_until(lambda: fake.calls_to("auth.test"), what="the call to arrive")
    assert client.users_info(user="U1")["ok"]  # other methods are not held
    assert answers == []  # ordering, not a clock: the held call has not answered yet
    released.set()
    caller.join(10)
    assert answers == [True]


def test_rate_limit_per_workspace_and_channel(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C2")
    fake.rate_limit(per_workspace_per_second=3, per_channel_per_second=2)
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C1", text="2")
    err = error_of(client.chat_postMessage, channel="C1", text="3")
    assert err.response.status_code == 429 and int(err.response.headers["Retry-After"]) >= 1
    client.chat_postMessage(channel="C2", text="4")
    assert error_of(client.chat_postMessage, channel="C2", text="5").response.status_code == 429
    assert client.auth_test()["ok"]  # other methods are not limited
    assert fake.ratelimited["chat.postMessage"] == 2 and len(fake.messages) == 3


# -- response_url and uploads -------------------------------------------------------------------------


def test_response_url(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    assert url.startswith(f"{fake.base_url}/response/") and url != fake.new_response_url()
    resp = WebhookClient(url).send(text="done", response_type="ephemeral")
    assert (resp.status_code, resp.body) == (200, "ok")
    assert fake.responses == [(url, {"text": "done", "response_type": "ephemeral"})]

    too_many = WebhookClient(url).send(text="x", blocks=[section("x")] * 51)
    assert (too_many.status_code, too_many.body) == (400, "invalid_blocks")
    assert len(fake.rejected_responses) == 1 and len(fake.responses) == 1
    assert WebhookClient(f"{fake.base_url}/response/nope").send(text="x").status_code == 404
    assert [c.method for c in fake.calls] == ["response_url"] * 3


def test_upload_flow(fake: FakeSlack, client: WebClient) -> None:
    post = client.chat_postMessage(channel="C1", text="thread")
    resp = client.files_upload_v2(
        channel="C1", thread_ts=post["ts"], content=b"col\n1\n", filename="wins.csv", title="Wins"
    )
    file_id = resp["file"]["id"]
    assert fake.uploads[file_id] == b"col\n1\n"
    shared = {"title": "Wins", "channel_id": "C1", "thread_ts": post["ts"]}
    assert fake.files[file_id].items() >= shared.items()
    completion = fake.calls_to("files.completeUploadExternal")[0]
    assert completion.params["files"] == [{"id": file_id, "title": "Wins"}]
    unknown = urllib.request.Request(f"{fake.base_url}/upload/F404", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(unknown)


def test_clear_keeps_state_and_stop_frees_port(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    assert (
        slack_error(client.chat_postMessage, channel="C1", text="x", blocks=[section("")]) == "invalid_blocks"
    )
    assert [method for method, _ in fake.refusals] == ["chat.postMessage"]
    fake.clear()
    assert fake.calls == fake.messages == fake.refusals == []
    assert client.chat_update(channel="C1", ts=ts, text="still known")["ok"]
    url = fake.api_url + "auth.test"
    fake.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url, data=b"")


def test_a_socket_mode_ack_slack_would_refuse_fails_the_test() -> None:
    fake = FakeSocketMode()
    fake.acks.append({"envelope_id": "e1", "payload": {"text": "hi", "blocks": [{"type": "section"}]}})
    fake.acks.append({"envelope_id": "e2", "payload": {"text": "fine"}})
    with pytest.raises(AssertionError, match="Socket Mode"):
        fake.wait_for_ack("e1", timeout=0)
    assert fake.wait_for_ack("e2", timeout=0) == {"envelope_id": "e2", "payload": {"text": "fine"}}
