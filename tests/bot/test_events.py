"""Subscribed events: the App Home is published on app_home_opened, and retries are harmless."""

from __future__ import annotations

import json

from bot.services import Services
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, home_work_done, wait_until


def test_opening_the_home_tab_publishes_this_weeks_wins(slack: SlackRequests, fake_slack: FakeSlack) -> None:
    slack.command("shipped &lt;the&gt; thing")  # as Slack sends it, should_escape on
    reply = slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    assert reply.status == 200
    view = wait_until(lambda: fake_slack.home_views.get("U1"), what="views.publish")
    shown = json.dumps(view)
    assert "shipped &lt;the&gt; thing" in shown and "home_log_win" in shown
    assert len(view["blocks"]) <= 100


def test_the_messages_tab_opening_publishes_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    assert (
        slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}).status
        == 200
    )
    home_work_done(services)  # the listener ran before the ack; what it queued has run now
    assert fake_slack.calls_to("views.publish") == []
