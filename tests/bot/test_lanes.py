"""A slow Slack method never holds up a save: the work an ack carries, the Slack calls a member waits
for and the Home's republishing each have their own threads (bot/background.py)."""

from __future__ import annotations

import time

from bot.services import Services
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, saved_win_texts, wait_until

HOMES = 12  # members with the Home open: more than any pool has threads


def test_views_publish_held_at_429_for_20_s_delays_no_save_and_no_modal(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("views.publish", status=429, retry_after=20, times=1000)
    for n in range(HOMES):
        fake_slack.add_user(f"UH{n}", tz="UTC")
        slack.event({"type": "app_home_opened", "user": f"UH{n}", "channel": f"DH{n}", "tab": "home"})
    wait_until(lambda: len(fake_slack.calls_to("views.publish")) >= 2, what="the Home's publishes")
    time.sleep(0.3)  # every thread that will take a publish has taken one and sleeps on its Retry-After

    reply = slack.command("shipped while Slack throttles the Home")
    assert reply.status == 200 and "Saved win" in reply.json()["text"], reply.json()

    fake_slack.add_user("U2", tz="UTC")
    slack.event(
        {
            "type": "message",
            "channel": "D2",
            "user": "U2",
            "text": "fixed the build",
            "ts": "1790000000.000001",
            "channel_type": "im",
        }
    )
    wait_until(
        lambda: "fixed the build" in saved_win_texts(services), timeout=2, what="the DM's win, saved at once"
    )
    wait_until(
        lambda: any(c.params.get("channel") == "D2" for c in fake_slack.calls_to("chat.postMessage")),
        timeout=2,
        what="the DM's answer",
    )

    assert slack.command("").status == 200  # the form: views.open within the trigger's 3 s
    wait_until(lambda: fake_slack.calls_to("views.open"), timeout=2, what="the form to open")
