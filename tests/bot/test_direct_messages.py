"""A DM to the bot (message.im) is read as `/remote-win`'s text and answered in the DM.

Events go to the app as signed requests; its answers are read from the fake Slack. The listener runs
before the HTTP answer (process_before_response), so by then it has handed over all its work: tests that
check something was ignored wait for every piece of that work to finish first (`after_ack`).

The fake Slack knows a DM channel only once something opened it, and has no public way to open one;
these tests use its `_dm` (what conversations.open does) to have the member's DM, as Slack would.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from itertools import count
from typing import Any
from wsgiref.simple_server import make_server

import pytest

from bot.app import build_services
from bot.background import Background
from bot.listeners.messages import message_ref
from bot.services import Services
from remote_wins.config import Settings
from remote_wins.server import WebApp
from tests.conftest import SIGNING_SECRET, _QuietHandler, _ThreadingWSGIServer
from tests.fake_slack import FakeSlack, Message
from tests.support import SlackRequests, saved_wins, sign, wait_until

TEAM, USER = "T0001", "U1"
LIVE_MARKUP = re.compile(r"<[!@#]")  # <!channel>, <!here>, <@U…>, <#C…>: markup that pings or links
_ts = count(1)


class RecordingBackground:
    """The app's post-ack pool, remembering every piece of work handed to it."""

    def __init__(self, real: Background) -> None:
        self.real = real
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.real.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future

    def work(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.real.work(fn, *args, **kwargs)
        self.futures.append(future)
        return future

    def home(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.real.home(fn, *args, **kwargs)

    def shutdown(self) -> None:
        self.real.shutdown()

    def wait(self) -> None:
        """Until all the work handed over so far, and the work it handed over in turn, is done."""
        wait_until(lambda: all(f.done() for f in list(self.futures)), what="the work after the ack")


@pytest.fixture
def after_ack(services: Services) -> RecordingBackground:
    services.background = RecordingBackground(services.background)  # type: ignore[assignment]
    return services.background  # type: ignore[return-value]


@pytest.fixture
def dm_channel(fake_slack: FakeSlack) -> str:
    return fake_slack._dm(USER)


def dm(text: str, channel: str = "D1", user: str = USER, **fields: Any) -> dict[str, Any]:
    """A message.im event as Slack sends it: text Slack-formatted, a fresh ts."""
    ts = f"1790000000.{next(_ts):06d}"
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
        **fields,
    }


def replies(fake: FakeSlack, channel: str) -> list[Message]:
    with fake._lock:
        return [m for m in fake.messages if m.channel == channel]


def wait_for_replies(fake: FakeSlack, channel: str, n: int) -> list[Message]:
    wait_until(lambda: len(replies(fake, channel)) >= n, what=f"{n} answer(s) in {channel}")
    return replies(fake, channel)


def answer_of(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": message.blocks}


def slash_answer(slack: SlackRequests, text: str) -> dict[str, Any]:
    body = slack.command(text).json()
    return {"text": body["text"], "blocks": body["blocks"]}


class EventPoster:
    """One event body, sent as Slack sends it and again as Slack retries it: the same event_id."""

    def __init__(self, url: str, event: dict[str, Any]) -> None:
        self.url = url
        self.body = json.dumps(
            {
                "token": "legacy-unused",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": f"Ev{event['ts'].replace('.', '')}",
                "event_time": int(time.time()),
                "event": event,
            }
        ).encode()

    def send(self, retry: int = 0, url: str | None = None) -> int:
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(SIGNING_SECRET, ts, self.body),
        }
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        request = urllib.request.Request(url or self.url, data=self.body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status


@pytest.fixture
def second_app(settings: Settings) -> Iterator[tuple[str, Services]]:
    """Another process's app on the same database: its own services, pool and memory."""
    services = build_services(settings)
    server = make_server("127.0.0.1", 0, WebApp(settings, services), _ThreadingWSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/slack/events", services
    server.shutdown()
    server.server_close()
    services.close()


# -- a win, and the same answers as /remote-win ----------------------------------------------------------


def test_a_dm_logs_a_win_and_the_saved_answer_comes_back_in_the_dm(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    event = dm("shipped the &lt;new&gt; deck &amp; notes")
    answering = fake_slack.hold("chat.postMessage")
    reply = slack.event(event)
    assert reply.status == 200, reply
    assert replies(fake_slack, dm_channel) == []  # acked while the answer was still on its way
    answering.set()

    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    assert answer.text is not None and answer.text.startswith("Saved win #"), answer
    assert answer.user is None and answer.thread_ts is None  # in the DM itself, for the member to keep
    shown = json.dumps(answer.blocks)
    assert "shipped the &lt;new&gt; deck &amp;amp; notes" not in shown  # escaped once, not twice
    assert "shipped the &lt;new&gt; deck &amp; notes" in shown
    buttons = [e["action_id"] for b in answer.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["win_undo", "win_edit"]
    [win] = saved_wins(services)
    assert (win.text, win.source) == ("shipped the <new> deck & notes", "command")
    assert win.source_ref == message_ref(TEAM, USER, dm_channel, event["ts"])
    assert f"#{win.id}" in answer.text
    assert fake_slack.calls_to("views.open") == []


def test_a_dm_in_a_thread_is_answered_in_that_thread(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    slack.event(dm("unblocked the release", thread_ts="1790000000.000001"))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    assert answer.thread_ts == "1790000000.000001"
    assert [w.text for w in saved_wins(services)] == ["unblocked the release"]


@pytest.mark.parametrize("text", ["help", "lsit", "edit the deck", "list 2026-13-01..2026-13-02"])
def test_help_and_typos_get_the_slash_commands_answer(
    text: str, slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    expected = slash_answer(slack, text)
    slack.event(dm(text))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    assert answer_of(answer) == expected
    assert saved_wins(services) == []


def test_list_and_undo_get_the_slash_commands_answers(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    slack.event(dm("closed the sprint"))
    wait_for_replies(fake_slack, dm_channel, 1)
    slack.command("wrote the retro")

    expected = slash_answer(slack, "list")
    assert "closed the sprint" in json.dumps(expected) and "wrote the retro" in json.dumps(expected)
    slack.event(dm("list"))
    assert answer_of(wait_for_replies(fake_slack, dm_channel, 2)[1]) == expected

    slack.event(dm("undo"))
    undone = wait_for_replies(fake_slack, dm_channel, 3)[2]
    assert undone.text is not None and undone.text.startswith("Removed win #")
    assert "wrote the retro" in json.dumps(undone.blocks)
    assert [w.text for w in saved_wins(services)] == ["closed the sprint"]


def test_a_setting_changed_by_dm_is_saved_and_answered_like_the_command(
    slack: SlackRequests, fake_slack: FakeSlack, dm_channel: str
) -> None:
    slack.event(dm("days tue,thu"))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    assert answer_of(answer) == slash_answer(slack, "days tue,thu")  # the same change, made again


@pytest.mark.parametrize(
    ("text", "points_to"),
    [
        ("edit 7", "`/remote-win edit 7`"),
        ("settings", "`/remote-win settings`"),
        (" ", "`/remote-win` alone"),
    ],
)
def test_what_needs_a_form_says_where_to_go_instead(
    text: str,
    points_to: str,
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
) -> None:
    slack.event(dm(text))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    assert points_to in json.dumps(answer.blocks), answer
    assert fake_slack.calls_to("views.open") == [] and saved_wins(services) == []


# -- user text can't ping -------------------------------------------------------------------------------


def test_mentions_in_a_dm_are_stored_as_typed_and_answered_without_pinging(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    slack.event(dm("<!channel> paired with <@U2> on &lt;!here&gt;"))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    [win] = saved_wins(services)
    assert win.text == "@channel paired with @U2 on <!here>"
    assert not LIVE_MARKUP.search(json.dumps(answer_of(answer))), answer


def test_a_typo_with_markup_is_echoed_without_pinging(
    slack: SlackRequests, fake_slack: FakeSlack, dm_channel: str
) -> None:
    slack.event(dm("lsit"))
    slack.event(dm("edit &lt;!everyone&gt; <@U2>"))
    answers = wait_for_replies(fake_slack, dm_channel, 2)
    assert not LIVE_MARKUP.search(json.dumps([answer_of(a) for a in answers])), answers


# -- retries: one win, one answer ----------------------------------------------------------------------


def test_a_retried_event_saves_once_and_answers_once(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
    after_ack: RecordingBackground,
) -> None:
    event = EventPoster(slack.url, dm("migrated the billing service"))
    assert event.send() == 200
    wait_for_replies(fake_slack, dm_channel, 1)
    assert event.send(retry=1) == 200
    assert event.send(retry=2) == 200
    after_ack.wait()
    assert len(replies(fake_slack, dm_channel)) == 1
    assert [w.text for w in saved_wins(services)] == ["migrated the billing service"]


def test_a_retried_undo_removes_one_win(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
    after_ack: RecordingBackground,
) -> None:
    slack.command("first win")
    slack.command("second win")
    undo = EventPoster(slack.url, dm("undo"))
    assert undo.send() == 200
    assert undo.send(retry=1) == 200  # at once, as if the first ack had been lost on its way
    wait_for_replies(fake_slack, dm_channel, 1)
    after_ack.wait()
    assert len(replies(fake_slack, dm_channel)) == 1
    assert [w.text for w in saved_wins(services)] == ["first win"]


def test_a_retry_that_reaches_another_process_saves_nothing_and_answers_nothing(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
    second_app: tuple[str, Services],
    caplog: pytest.LogCaptureFixture,
) -> None:
    other_url, _ = second_app
    event = EventPoster(slack.url, dm("halved the build time"))
    assert event.send() == 200
    wait_for_replies(fake_slack, dm_channel, 1)
    with caplog.at_level(logging.INFO, logger="bot.listeners.messages"):
        assert event.send(retry=1, url=other_url) == 200
        wait_until(lambda: "its win was saved and answered once" in caplog.text, what="the other process")
    assert len(replies(fake_slack, dm_channel)) == 1
    assert [w.text for w in saved_wins(services)] == ["halved the build time"]


# -- what is ignored -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ignored",
    [
        {"subtype": "bot_message", "bot_id": "B999", "text": "shipped by another bot"},
        {"bot_id": "B999", "text": "shipped by an app acting as a user"},
        {"subtype": "message_changed", "text": "", "message": {"text": "shipped an edit", "user": USER}},
        {"subtype": "message_deleted", "text": "", "previous_message": {"text": "shipped", "user": USER}},
        {"subtype": "channel_join", "text": "<@U1> has joined"},
        {"channel_type": "channel", "channel": "C1", "text": "shipped in a channel"},
        {"channel_type": "mpim", "channel": "G1", "text": "shipped in a group DM"},
    ],
)
def test_bots_edits_deletions_notices_and_other_channels_are_ignored(
    ignored: dict[str, Any],
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
    after_ack: RecordingBackground,
) -> None:
    assert slack.event(dm("") | ignored).status == 200  # acked, so Slack doesn't retry it
    slack.event(dm("real win after the others"))  # the signal that the listener works
    wait_for_replies(fake_slack, dm_channel, 1)
    after_ack.wait()
    assert len(fake_slack.messages) == 1
    assert [w.text for w in saved_wins(services)] == ["real win after the others"]


def test_the_bots_own_answer_is_not_read_as_a_dm(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    dm_channel: str,
    after_ack: RecordingBackground,
) -> None:
    slack.event(dm("shipped it"))
    [answer] = wait_for_replies(fake_slack, dm_channel, 1)
    echo = answer.as_json() | {"channel": dm_channel, "channel_type": "im", "ts": answer.ts}
    assert slack.event(echo).status == 200  # Slack sends our own message back as message.im
    slack.event(dm("shipped it again"))
    wait_for_replies(fake_slack, dm_channel, 2)
    after_ack.wait()
    assert len(replies(fake_slack, dm_channel)) == 2
    assert [w.text for w in saved_wins(services)] == ["shipped it", "shipped it again"]


def test_a_shared_file_is_answered_and_not_saved(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, dm_channel: str
) -> None:
    files = [{"id": "F1", "name": "deck.pdf"}]
    slack.event(dm("the launch deck &lt;final&gt;", subtype="file_share", files=files))
    [first] = wait_for_replies(fake_slack, dm_channel, 1)
    slack.event(dm("", subtype="file_share", files=files))
    second = wait_for_replies(fake_slack, dm_channel, 2)[1]
    assert "files aren't saved" in json.dumps(first.blocks)
    assert "the launch deck &lt;final&gt;" in json.dumps(first.blocks)  # echoed, to send again as text
    assert "files aren't saved" in json.dumps(second.blocks)
    assert saved_wins(services) == []
