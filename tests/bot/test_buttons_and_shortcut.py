"""Undo and Edit on a saved win, and the "Save as remote win" message shortcut."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient

from bot.services import Services
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, form_values, saved_wins, wait_until


def test_undo_button_removes_the_win_and_replaces_the_message(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.command("oops")
    [win] = saved_wins(services)
    slack.action("win_undo", str(win.id))
    _url, reply = wait_until(lambda: fake_slack.responses, what="the reply")[0]
    assert reply["replace_original"] is True and "oops" in json.dumps(reply["blocks"])
    assert saved_wins(services) == []


def test_undo_button_of_someone_else_removes_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2")
    slack.command("mine")
    [win] = saved_wins(services)
    slack.action("win_undo", str(win.id), user="U2")
    _url, reply = wait_until(lambda: fake_slack.responses, what="the reply")[0]
    assert "already gone" in reply["text"]
    assert len(saved_wins(services)) == 1


def test_edit_button_opens_the_form_with_the_win(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.command("fix me later")
    [win] = saved_wins(services)
    slack.action("win_edit", str(win.id))
    view = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0].params["view"]
    assert view["blocks"][0]["element"]["initial_value"] == "fix me later"
    assert view["title"]["text"] == "Edit win"


def test_the_shortcut_prefills_the_message_text_and_its_permalink(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    posted = WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url).chat_postMessage(
        channel="C1", text="x"
    )
    slack.message_shortcut("Shipped it &amp; told <@U2|bo>", ts=posted["ts"])
    opened = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0].params["view"]
    assert opened["blocks"][0]["element"]["initial_value"] == "Shipped it & told @bo"
    updated = wait_until(lambda: fake_slack.calls_to("views.update"), what="views.update")[0].params["view"]
    link = next(b for b in updated["blocks"] if b["block_id"] == "link")["element"]["initial_value"]
    assert link.startswith("https://") and posted["ts"].replace(".", "") in link
    view_id = fake_slack.calls_to("views.update")[0].params["view_id"]
    slack.submit_view(updated | {"id": view_id}, form_values("Shipped it & told @bo", link=link))
    [win] = saved_wins(services)
    assert (win.source, win.link) == ("shortcut", link)


def test_the_form_still_opens_when_the_permalink_fails(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail_next("chat.getPermalink", error="message_not_found")
    slack.message_shortcut("a message the bot can't see")
    # The work after the ack says it gave up on the link: only then is "no update" a result.
    wait_until(lambda: "could not add the permalink: message_not_found" in caplog.text, what="the warning")
    assert len(fake_slack.calls_to("views.open")) == 1
    assert fake_slack.calls_to("views.update") == []
