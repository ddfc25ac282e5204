"""A modal Slack won't open (expired or invalid trigger, any Slack error) is never silence: the member is
told where they started (the command's or message's response_url), or in the app's DM when there is
none (App Home buttons), with the one-line command that does the same thing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.services import Services
from tests.bot.test_digest_buttons import NOW, WEEK
from tests.bot.test_digest_buttons import add_member as digest_member
from tests.bot.test_plans import deliver, element, press
from tests.bot.test_prompts import MORNING
from tests.bot.test_prompts import add_member as plan_member
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, wait_until

OPEN_ERRORS = ["expired_trigger_id", "invalid_trigger_id", "internal_error"]


def responses(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return wait_until(lambda: [payload for _url, payload in fake_slack.responses], what="a response_url post")


def dms(fake_slack: FakeSlack, user: str = "U1") -> list[str]:
    """The DMs the member got, as JSON text."""
    dm = "D" + user[1:]
    return wait_until(
        lambda: [json.dumps(m.blocks) for m in fake_slack.messages if m.channel == dm], what="a DM"
    )


def home_button(slack: SlackRequests, action_id: str, user: str = "U1") -> None:
    """A button in the App Home: Slack sends no response_url for those."""
    reply = slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": slack.team, "domain": "acme"},
            "user": {"id": user},
            "api_app_id": "A1",
            "trigger_id": "trigger-home.1",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": ""}],
        }
    )
    assert reply.status == 200


@pytest.mark.parametrize("error", OPEN_ERRORS)
def test_the_win_form_that_does_not_open_says_so_and_gives_the_one_line_way(
    slack: SlackRequests, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.fail_next("views.open", error=error)
    reply = slack.command("")
    assert reply.status == 200 and reply.body == b""
    [said] = responses(fake_slack)
    assert said["response_type"] == "ephemeral"
    text = json.dumps(said)
    assert f"`{error}`" in text
    assert ("in time" in text) == (error != "internal_error")
    assert "/remote-win shipped the Q3 report" in text
    assert fake_slack.messages == []  # the command's response_url, not a DM


@pytest.mark.parametrize("error", OPEN_ERRORS)
def test_settings_that_do_not_open_say_so_and_give_the_text_shortcuts(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, error: str
) -> None:
    slack.command("settings show")  # a known member: the prefilled modal is what fails
    fake_slack.clear()
    fake_slack.fail_next("views.open", error=error)
    assert slack.command("settings").body == b""
    [said] = responses(fake_slack)
    text = json.dumps(said)
    assert said["response_type"] == "ephemeral" and f"`{error}`" in text and "your settings" in text
    for shortcut in (
        "/remote-win days tue,wed,thu",
        "/remote-win times 09:00 17:00",
        "/remote-win tz Europe/Berlin",
    ):
        assert shortcut in text


def test_a_first_time_members_settings_that_do_not_open_say_so(
    slack: SlackRequests, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    slack.command("settings")
    [said] = responses(fake_slack)
    assert "/remote-win days tue,wed,thu" in json.dumps(said)


def test_settings_that_open_but_are_not_filled_in_say_so(slack: SlackRequests, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("views.update", error="not_found")
    slack.command("settings")  # a first-time member: the holding view, then views.update
    [said] = responses(fake_slack)
    text = json.dumps(said)
    assert "didn't fill in your settings" in text and "/remote-win times 09:00 17:00" in text


def test_the_settings_button_under_settings_show_answers_there(
    slack: SlackRequests, fake_slack: FakeSlack
) -> None:
    slack.command("settings show")
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    slack.action("settings_open", "show")
    [said] = responses(fake_slack)
    assert said["replace_original"] is False  # the settings stay above it
    assert "/remote-win days tue,wed,thu" in json.dumps(said)


def test_app_home_buttons_that_do_not_open_a_form_answer_in_the_dm(
    slack: SlackRequests, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    home_button(slack, "home_log_win")
    [form_dm] = dms(fake_slack)
    assert "/remote-win shipped the Q3 report" in form_dm and "run `/remote-win` again" in form_dm
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    home_button(slack, "settings_open")
    settings_dm = wait_until(lambda: dms(fake_slack)[1:], what="the second DM")[0]
    assert "/remote-win times 09:00 17:00" in settings_dm


def test_the_message_shortcut_that_does_not_open_says_so_where_it_was_used(
    slack: SlackRequests, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("views.open", error="invalid_trigger_id")
    slack.message_shortcut("fixed the flaky deploy")
    [said] = responses(fake_slack)
    text = json.dumps(said)
    assert "use the shortcut again" in text and "/remote-win shipped the Q3 report" in text
    assert fake_slack.calls_to("chat.getPermalink") == []  # nothing more is tried on a form that isn't open


def test_a_plan_button_that_does_not_open_the_form_says_so_under_the_prompt(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = plan_member(services)
    services.clock = lambda: MORNING
    prompt = deliver(services, fake_slack, ana, "morning")
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    assert press(slack, prompt, element(prompt, "plan_open")).status == 200
    [said] = responses(fake_slack)
    assert said["response_type"] == "ephemeral" and "Press the button again" in json.dumps(said)


def test_a_digest_button_that_does_not_open_says_so_in_the_dm(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOW
    digest_member(services, "UM", slack=fake_slack, tz="Europe/Berlin")
    ana = digest_member(services, "UA", slack=fake_slack, manager_user_id="UM")
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    slack.action("digest_details", f"{ana.id}:{WEEK}", user="UM")
    [told] = dms(fake_slack, "UM")
    assert "expired_trigger_id" in told and "Press the button again" in told
