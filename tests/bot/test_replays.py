"""Replays act once, and the app trusts only what Slack vouches for.

A request that changes something, arriving again (a replay within the signature's five minutes, a
proxy's retry, a double submission), changes nothing more. The app posts only to Slack's own response
URLs and edits only messages its own records say it posted: a URL or a message location carried in a
payload or a modal's private_metadata is never used as given.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from bot.services import Services
from bot.slack_client import is_slack_response_url
from storage.members import MemberRef
from tests.bot.test_digest_buttons import WEEK, ask_values, dms_to, opened, send_digest, team  # noqa: F401
from tests.bot.test_digest_buttons import log as log_for
from tests.bot.test_plans import (
    deliver,
    element,
    open_form,
    plan_values,
    posted_in,
    press,
    stored_plan,
)
from tests.bot.test_prompts import MORNING, add_member
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, blocks_json, form_values, saved_win_texts, wait_until

FORM = "application/x-www-form-urlencoded"


# -- replays -----------------------------------------------------------------------------------------------


def test_a_replayed_undo_removes_one_win(slack: SlackRequests, services: Services) -> None:
    slack.command("first")
    slack.command("second")
    body = slack.command_body("undo")  # one request, trigger id and all, sent twice
    first = slack.post(body, FORM)
    again = slack.post(body, FORM)
    assert "second" in json.dumps(first.json())
    assert "done already" in again.json()["text"]
    assert saved_win_texts(services) == ["first"]
    assert "first" in json.dumps(slack.command("undo").json())  # a new undo still works
    assert saved_win_texts(services) == []


def test_a_question_form_submitted_twice_sends_one_question(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    team: dict[str, MemberRef],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.listeners.digest")
    win_id = log_for(services, team["ana"], "shipped the importer")
    slack.action("digest_ask", f"{team['ana'].id}:{WEEK}", user="UM")
    view = opened(fake_slack, 0) | {"id": "VQ"}
    assert slack.submit_view(view, ask_values("How did it go?", win_id), user="UM").body == b""
    wait_until(lambda: dms_to(fake_slack, "UM"), what="the manager's confirmation")
    assert slack.submit_view(view, ask_values("How did it go?", win_id), user="UM").body == b""
    wait_until(
        lambda: "submitted again" in caplog.text or len(dms_to(fake_slack, "UM")) > 1,
        what="the second submission's work after the ack",
    )
    assert len(dms_to(fake_slack, "UA")) == 1 and len(dms_to(fake_slack, "UM")) == 1


def test_a_plan_form_submitted_twice_posts_once(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    services.clock = lambda: MORNING
    prompt = deliver(services, fake_slack, ana, "morning")
    view = open_form(slack, fake_slack, prompt, "plan_open")
    for _ in range(2):
        assert slack.submit_view(view, plan_values("write the proposal")).body == b""
    posted_in(fake_slack, "C1")
    wait_until(lambda: "is posted to <#C1>" in blocks_json(prompt), what="the prompt updated")
    assert [m.channel for m in fake_slack.messages].count("C1") == 1


def test_a_plan_saved_after_the_ack_is_posted_once_and_the_second_press_adds_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    services.clock = lambda: MORNING
    prompt = deliver(services, fake_slack, ana, "morning")
    view = open_form(slack, fake_slack, prompt, "plan_open")
    services.ack_budget = 0.0  # every save outruns the ack
    slow = slack.submit_view(view, plan_values("write the proposal"))
    assert slow.json()["response_action"] == "errors"  # "press Save again"
    posted_in(fake_slack, "C1")  # posted all the same, once the save was in
    services.ack_budget = 2.0
    assert slack.submit_view(view, plan_values("write the proposal")).body == b""  # the second press
    wait_until(lambda: "is posted to <#C1>" in blocks_json(prompt), what="the prompt updated")
    assert [m.channel for m in fake_slack.messages].count("C1") == 1
    assert stored_plan(services, ana).items == ["write the proposal"]


# -- fields the app trusts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "api_url", "trusted"),
    [
        ("https://hooks.slack.com/commands/T1/2/abc", "https://slack.com/api/", True),
        ("https://hooks.slack.com:443/actions/T1/2/abc", "https://slack.com/api/", True),
        ("http://hooks.slack.com/commands/T1/2/abc", "https://slack.com/api/", False),
        ("https://hooks.slack.com.evil.example/x", "https://slack.com/api/", False),
        ("https://hooks.slack.com@evil.example/x", "https://slack.com/api/", False),
        ("https://evil.example/hooks.slack.com", "https://slack.com/api/", False),
        ("https://hooks.slack.com:8443/x", "https://slack.com/api/", False),
        ("http://127.0.0.1:5000/response/1", "http://127.0.0.1:5000/api/", True),
        ("http://127.0.0.1:5001/response/1", "http://127.0.0.1:5000/api/", False),
        ("http://169.254.169.254/latest/meta-data", "http://127.0.0.1:5000/api/", False),
        ("https://hooks.slack.com:99999/x", "https://slack.com/api/", False),
        (None, "https://slack.com/api/", False),
        (["https://hooks.slack.com/x"], "https://slack.com/api/", False),
    ],
)
def test_only_slacks_response_urls_are_trusted(url: Any, api_url: str, trusted: bool) -> None:
    assert is_slack_response_url(url, api_url) is trusted


def test_a_request_carrying_another_response_url_is_refused(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    elsewhere = "http://169.254.169.254/latest/meta-data"
    body = slack.command_body("never saved").replace(
        f"response_url={fake_slack.base_url}".replace(":", "%3A").replace("/", "%2F").encode(),
        f"response_url={elsewhere}".replace(":", "%3A").replace("/", "%2F").encode(),
    )
    assert elsewhere.replace(":", "%3A").replace("/", "%2F").encode() in body
    assert slack.post(body, FORM).status == 400
    view = {
        "type": "view_submission",
        "team": {"id": slack.team},
        "user": {"id": "U1"},
        "view": {"id": "V1", "callback_id": "win_form", "state": {"values": form_values("nope")}},
        "response_urls": [{"response_url": elsewhere, "channel_id": "C1", "block_id": "b", "action_id": "a"}],
    }
    assert slack.interaction(view).status == 400
    assert saved_win_texts(services) == [] and fake_slack.responses == []


def test_a_response_url_in_private_metadata_is_never_posted_to(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    """Even one of Slack's own URLs: what a modal's submission answers through is the app's record of
    where the modal was opened, not what the modal carries."""
    planted = fake_slack.new_response_url()
    view = {"id": "VX", "private_metadata": json.dumps({"response_url": planted})}
    assert slack.submit_view(view, form_values("confirmed in the DM")).body == b""
    dm = wait_until(lambda: fake_slack.calls_to("chat.postMessage"), what="the confirmation in the DM")
    assert dm[0].params["channel"] == "U1" and "confirmed in the DM" in json.dumps(dm[0].params)
    assert fake_slack.responses == []


def test_the_form_is_confirmed_where_it_was_opened(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    reply = slack.command("")
    assert reply.status == 200
    call = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0]
    carried = json.loads(call.params["view"]["private_metadata"])
    assert "response_url" not in carried and carried.get("origin")
    view = call.params["view"] | {"id": "VO"}
    assert slack.submit_view(view, form_values("confirmed under the command")).body == b""
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert "confirmed under the command" in json.dumps(confirmation)
    stolen = slack.submit_view(view | {"id": "VS"}, form_values("by someone else"), user="U2")
    assert stolen.body == b""
    wait_until(lambda: fake_slack.calls_to("chat.postMessage"), what="U2's confirmation in their DM")
    assert len(fake_slack.responses) == 1  # another member's submission never reaches U1's URL


def test_a_message_location_in_private_metadata_is_never_edited(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, share_to="channel", share_channel_id="C1")
    services.clock = lambda: MORNING
    bystander = services.client.chat_postMessage(channel="C1", text="someone else's message")
    prompt = deliver(services, fake_slack, ana, "morning")
    view = open_form(slack, fake_slack, prompt, "plan_open")
    metadata = json.loads(view["private_metadata"])
    metadata |= {"prompt_channel": "C1", "prompt_ts": bystander["ts"]}
    planted = view | {"private_metadata": json.dumps(metadata)}
    assert slack.submit_view(planted, plan_values("write the proposal")).body == b""
    wait_until(lambda: "is posted to <#C1>" in blocks_json(prompt), what="the real prompt updated")
    assert [c.params["ts"] for c in fake_slack.calls_to("chat.update")] == [prompt.ts]


def test_a_digest_acknowledged_from_a_payload_pointing_elsewhere_edits_only_the_digest(
    slack: SlackRequests,
    services: Services,
    fake_slack: FakeSlack,
    team: dict[str, MemberRef],  # noqa: F811
) -> None:
    log_for(services, team["ana"], "shipped the importer")
    digest = send_digest(services, fake_slack)
    bystander = services.client.chat_postMessage(channel="C1", text="someone else's message")
    elsewhere = type(digest)("C1", bystander["ts"], digest.text, digest.blocks)
    assert press(slack, elsewhere, element(digest, "digest_ack"), user="UM").status == 200
    wait_until(lambda: "Acknowledged" in blocks_json(digest), what="the digest marked")
    assert [c.params["ts"] for c in fake_slack.calls_to("chat.update")] == [digest.ts]
