"""What only Slack knows, checked when the member chooses, not found out later: a manager Slack doesn't
know, has deactivated, or who is a bot is refused; a zone Slack doesn't give is called unknown; a channel
remote-wins can't post in is named with the fix (`/invite @remote-wins`) at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.directory import refresh_member
from bot.services import Services
from storage.models import Member
from tests.bot.test_settings import MONDAY_NOON_BERLIN, at, member, open_settings, said, slots, values
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, block_with_id, wait_until


def members(services: Services) -> set[str]:
    with services.sessions() as session:
        return set(session.scalars(select(Member.user_id)))


# -- Defect 7: a manager must be an active person ----------------------------------------------------------


@pytest.fixture
def people(fake_slack: FakeSlack) -> FakeSlack:
    """bo, a person; old, deactivated; a bot; Slackbot, which users.info describes with is_bot false."""
    fake_slack.add_user("U2", tz="America/Chicago", name="bo")
    fake_slack.add_user("U7", name="old", deleted=True)
    fake_slack.add_user("U8", name="deploybot", is_bot=True)
    return fake_slack


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("manager <@U404|ghost>", "Slack doesn't know “@ghost”"),
        ("manager <@U7|old>", "“@old” is deactivated in Slack"),
        ("manager <@U8|deploybot>", "“@deploybot” is a bot, not a person"),
        ("manager <@UBOT|remote-wins>", "“@remote-wins” is a bot, not a person"),
        ("manager <@USLACKBOT|slackbot>", "“@slackbot” is a bot, not a person"),
    ],
)
def test_manager_refuses_who_slack_does_not_know_deactivated_accounts_and_bots(
    slack: SlackRequests, services: Services, people: FakeSlack, text: str, why: str
) -> None:
    said(slack, "manager <@U2|bo>")
    shown = said(slack, text)
    assert "Nothing changed" in shown and why in shown and "manager @person" in shown
    assert member(services).manager_user_id == "U2"
    assert members(services) == {"U1", "U2"}  # nobody refused is kept as a member


def test_manager_answers_with_the_person_escaped(slack: SlackRequests, people: FakeSlack) -> None:
    shown = said(slack, "manager <@U404|a&lt;b&gt;&amp;c>")  # Slack escapes the label it sends
    assert "“@a&lt;b&gt;&amp;c”" in shown


def test_a_manager_slack_cannot_check_just_now_is_not_saved(
    slack: SlackRequests, services: Services, people: FakeSlack
) -> None:
    said(slack, "settings show")
    people.fail_next("users.info", error="fatal_error")
    shown = said(slack, "manager <@U2|bo>")
    assert "Couldn't save that just now, so nothing changed" in shown
    assert member(services).manager_user_id is None


@pytest.mark.parametrize(
    ("manager", "why"),
    [
        ("U404", "Slack doesn't know that person"),
        ("U7", "“old” is deactivated in Slack"),
        ("U8", "“deploybot” is a bot, not a person"),
        ("USLACKBOT", "“slackbot” is a bot, not a person"),
    ],
)
def test_the_modal_marks_a_manager_who_cannot_be_one_and_saves_nothing(
    slack: SlackRequests, services: Services, people: FakeSlack, manager: str, why: str
) -> None:
    view = open_settings(slack, people)
    body = slack.submit_view(view, values(manager=manager, share_to="manager")).json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"manager"} and why in body["errors"]["manager"]
    stored = member(services)
    assert (stored.manager_user_id, stored.remote_days, stored.share_to) == (None, 0, "self")


def test_the_modal_asks_slack_only_about_a_manager_that_changes(
    slack: SlackRequests, services: Services, people: FakeSlack
) -> None:
    view = open_settings(slack, people)
    assert slack.submit_view(view, values(manager="U2")).body == b""
    assert member(services, "U2").tz == "America/Chicago"  # kept at once, for the digest's zone
    asked = len(people.calls_to("users.info"))
    people.users["U2"]["deleted"] = True  # deactivated later: other changes still save
    assert slack.submit_view(view, values(manager="U2", days=("0",))).body == b""
    assert len(people.calls_to("users.info")) == asked
    assert member(services).remote_days == 0b1


# -- Defect 10: a zone Slack doesn't give is unknown, not "UTC, from your Slack profile" -------------------


@pytest.fixture(params=["missing", "null"])
def zoneless(request: pytest.FixtureRequest, fake_slack: FakeSlack) -> str:
    """U5, whose users.info has no tz (unset or restricted profile): the key left out, or null."""
    fake_slack.add_user("U5", tz=None, name="eve", tz_null=request.param == "null")
    return "U5"


def test_a_zone_slack_does_not_give_is_called_unknown(
    slack: SlackRequests, services: Services, zoneless: str
) -> None:
    shown = said(slack, "settings show", user=zoneless)
    assert "from your Slack profile" not in shown
    assert "UTC for now, because your time zone is unknown" in shown
    assert "/remote-win tz Europe/Berlin" in shown
    stored = member(services, zoneless)
    assert (stored.tz, stored.tz_unknown) == ("UTC", True)


def test_prompts_of_a_member_with_an_unknown_zone_run_on_utc_and_every_change_says_so(
    slack: SlackRequests, services: Services, zoneless: str
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    shown = said(slack, "days tue", user=zoneless)
    assert slots(services, zoneless)[0].due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert "at 09:00 (UTC)" in shown
    assert "Your time zone is unknown, so your prompts run on UTC until you set it" in shown
    shown = said(slack, "tz Europe/Berlin", user=zoneless)
    assert "Europe/Berlin, set by you" in shown and "unknown" not in shown
    assert slots(services, zoneless)[0].due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    shown = said(slack, "tz auto", user=zoneless)
    assert shown.count("/remote-win tz Europe/Berlin") == 1  # said once, not twice


def test_the_modal_leaves_an_unknown_zone_empty_and_takes_utc_when_typed(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, zoneless: str
) -> None:
    view = open_settings(slack, fake_slack, user=zoneless)
    tz = block_with_id(view, "tz")
    assert "initial_value" not in tz["element"] and "Slack didn't give your time zone" in tz["hint"]["text"]
    assert slack.submit_view(view, values(tz=""), user=zoneless).body == b""
    assert member(services, zoneless).tz_override is None
    assert slack.submit_view(view, values(tz="UTC"), user=zoneless).body == b""
    assert member(services, zoneless).tz_override == "UTC"  # chosen, so no longer unknown
    assert "UTC, set by you" in said(slack, "settings show", user=zoneless)


def test_a_zone_slack_gives_later_is_no_longer_unknown(
    services: Services, fake_slack: FakeSlack, zoneless: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh_member(services, "T0001", zoneless)
    assert member(services, zoneless).tz_unknown is True
    monkeypatch.undo()
    fake_slack.users[zoneless]["tz"] = "Asia/Tokyo"
    refresh_member(services, "T0001", zoneless)
    stored = member(services, zoneless)
    assert (stored.tz, stored.tz_unknown) == ("Asia/Tokyo", False)


# -- Defect 11: a channel remote-wins can't post in is named at once, with the fix --------------------------


def test_a_channel_remote_wins_can_post_in_is_checked_with_a_message_only_the_member_sees(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    shown = said(slack, "channel <#C1|general>")
    assert "/invite" not in shown and "Saved, but" not in shown
    [check] = fake_slack.ephemerals
    assert (check.channel, check.user) == ("C1", "U1") and "can post in this channel" in check.text
    assert fake_slack.messages == []  # nothing the channel sees


@pytest.mark.parametrize(
    ("add", "why"),
    [
        ({"member": False}, "remote-wins isn't in <#C2>, so it can't post there yet"),
        (None, "it's private and remote-wins isn't in it"),  # channel_not_found
    ],
)
def test_a_channel_remote_wins_is_not_in_is_saved_with_the_invite_to_type(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack, add: dict[str, bool] | None, why: str
) -> None:
    if add is not None:
        fake_slack.add_channel("C2", name="team", **add)
    shown = said(slack, "channel <#C2|team>")
    assert why in shown and "`/invite @remote-wins`" in shown and "Saved, but" in shown
    stored = member(services)
    assert (stored.share_to, stored.share_channel_id) == ("channel", "C2")
    fake_slack.add_channel("C2", name="team")  # invited: the same choice now works
    assert "/invite" not in said(slack, "channel <#C2|team>")


def test_an_archived_channel_is_refused(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C3", name="old-team", archived=True)
    shown = said(slack, "channel <#C3|old-team>")
    assert "Nothing changed" in shown and "<#C3> is archived" in shown and "pick another" in shown
    assert (member(services).share_to, member(services).share_channel_id) == ("self", None)


def test_the_modal_saves_a_channel_remote_wins_is_not_in_and_says_how_to_fix_it(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C2", name="team", member=False)
    view = open_settings(slack, fake_slack)
    assert slack.submit_view(view, values(share_to="channel", channel="C2")).body == b""
    assert member(services).share_channel_id == "C2"
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    text = json.dumps(confirmation)
    assert (
        "Settings saved" in text and "remote-wins isn't in <#C2>" in text and "/invite @remote-wins" in text
    )
    checks = len(fake_slack.calls_to("chat.postEphemeral"))
    assert slack.submit_view(view, values(share_to="channel", channel="C2", days=("0",))).body == b""
    assert len(fake_slack.calls_to("chat.postEphemeral")) == checks  # the same channel: not checked again


def test_the_modal_marks_an_archived_channel_and_saves_nothing(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C3", name="old-team", archived=True)
    view = open_settings(slack, fake_slack)
    body = slack.submit_view(view, values(share_to="channel", channel="C3")).json()
    assert body["response_action"] == "errors" and "archived" in body["errors"]["share_channel"]
    assert (member(services).share_to, member(services).remote_days) == ("self", 0)
