"""The win modal: opened by `/remote-win` alone, checked field by field, saved once, confirmed after."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.services import Services
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, form_values, open_win_form, saved_wins, wait_until

NOON_BERLIN = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_the_form_opens_with_todays_date_for_a_known_member(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOON_BERLIN
    slack.command("warm up")  # caches the member's zone
    view = open_win_form(slack, fake_slack)
    assert view["callback_id"] == "win_form"
    picker = next(b for b in view["blocks"] if b["block_id"] == "local_date")
    assert picker["element"]["initial_date"] == "2026-11-23"


def test_a_valid_submission_saves_every_field_and_confirms(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOON_BERLIN
    view = open_win_form(slack, fake_slack)
    values = form_values(
        "cut build time",
        category="metric",
        metric_name="build minutes",
        metric_value="12.5",
        link="https://ci.example.com/run/1",
        local_date="2026-11-20",
        day_kind="remote",
        private=True,
    )
    reply = slack.submit_view(view, values)
    assert reply.status == 200 and reply.body == b""  # the modal closes
    [win] = saved_wins(services)
    assert (win.text, win.category, win.metric_name, win.metric_value) == (
        "cut build time",
        "metric",
        "build minutes",
        12.5,
    )
    assert (win.link, win.local_date, win.day_kind, win.private, win.source) == (
        "https://ci.example.com/run/1",
        date(2026, 11, 20),
        "remote",
        True,
        "modal",
    )
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert "cut build time" in json.dumps(confirmation)


def test_bad_fields_are_marked_in_the_modal_and_nothing_is_saved(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOON_BERLIN
    view = open_win_form(slack, fake_slack)
    reply = slack.submit_view(view, form_values("   ", metric_value="7", local_date="2026-11-24"))
    body = reply.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"text", "metric_name", "local_date"}
    assert saved_wins(services) == []


def test_tomorrow_is_allowed_where_it_is_already_tomorrow(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U7", tz="Pacific/Kiritimati")
    services.clock = lambda: NOON_BERLIN  # 01:00 on the 24th in Kiritimati
    reply = slack.submit_view({"id": "V7"}, form_values("early start", local_date="2026-11-24"), user="U7")
    assert reply.body == b""
    assert saved_wins(services)[0].local_date == date(2026, 11, 24)


def test_pressing_save_twice_saves_once(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    view = open_win_form(slack, fake_slack)
    slack.submit_view(view, form_values("only once"))
    slack.submit_view(view, form_values("only once"))
    assert [w.text for w in saved_wins(services)] == ["only once"]


def test_editing_updates_the_win_and_replaces_the_message(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.command("frist draft")
    [win] = saved_wins(services)
    view = open_win_form(slack, fake_slack, f"edit {win.id}")
    reply = slack.submit_view(view, form_values("first draft", category="shipped"))
    assert reply.body == b""
    [edited] = saved_wins(services)
    assert (edited.id, edited.text, edited.category) == (win.id, "first draft", "shipped")
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert confirmation["replace_original"] is True and "Updated" in confirmation["text"]


def test_a_slow_database_keeps_the_modal_open_with_the_text(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.ack_budget = 0.2
    slack_answers = fake_slack.hold("users.info")  # first-time member: the save waits for Slack
    reply = slack.submit_view({"id": "V9"}, form_values("kept while slow"))
    assert reply.json()["response_action"] == "errors"
    assert "everything you entered is kept" in reply.json()["errors"]["text"]
    assert saved_wins(services) == []  # acked while Slack had not answered
    slack_answers.set()
    wait_until(lambda: saved_wins(services), what="the save to finish")
    assert slack.submit_view({"id": "V9"}, form_values("kept while slow")).body == b""
    assert len(saved_wins(services)) == 1


def test_the_home_button_opens_the_form_and_confirms_in_the_dm(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.action("home_log_win", "")
    view = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0].params["view"]
    slack.submit_view(view | {"id": "VH"}, form_values("from home"))
    message = wait_until(lambda: fake_slack.messages, what="the DM")[0]
    assert message.channel in ("U1", "D1") and "from home" in json.dumps(message.blocks)


def test_a_win_with_the_longest_link_is_confirmed_listed_and_shown_everywhere(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    """A 3000-character link full of `&` (each grows to `&amp;`) never pushes a message or view past Slack's
    limits: the confirmation, the list, the Home and the Details modal all arrive, the link kept whole."""
    services.clock = lambda: NOON_BERLIN
    fake_slack.add_user("UM", tz="America/New_York", name="mia")
    assert "Your manager is <@UM>" in slack.command("manager <@UM>").json()["text"]  # Details needs one
    long_link = "https://example.com/?" + "a=1&" * 744
    assert len(long_link) <= 3000
    view = open_win_form(slack, fake_slack)
    assert slack.submit_view(view, form_values("tracked it", link=long_link)).body == b""
    [win] = saved_wins(services)
    assert win.link == long_link
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert "link too long to show" in json.dumps(confirmation) and not fake_slack.rejected_responses

    listed = slack.command("list").json()
    assert "tracked it" in json.dumps(listed) and "link too long to show" in json.dumps(listed)

    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    wait_until(lambda: "tracked it" in json.dumps(fake_slack.home_views.get("U1")), what="the Home stored")

    slack.action("digest_details", f"{win.member_id}:2026-W48")  # the member's own week, from the recap
    details = wait_until(
        lambda: [v for v in fake_slack.views.values() if v.get("callback_id") == "digest_detail"],
        what="the Details modal stored",
    )
    assert "link too long to show" in json.dumps(details)


def test_editing_a_win_keeps_every_digit_of_its_metric(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.clock = lambda: NOON_BERLIN
    view = open_win_form(slack, fake_slack)
    slack.submit_view(view, form_values("closed the books", metric_name="revenue", metric_value="1234567"))
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert "revenue: 1,234,567" in json.dumps(confirmation)
    [win] = saved_wins(services)
    edit = open_win_form(slack, fake_slack, f"edit {win.id}")
    [prefill] = [b["element"] for b in edit["blocks"] if b["block_id"] == "metric_value"]
    assert prefill["initial_value"] == "1234567"
    slack.submit_view(edit, form_values("closed the books", metric_name="revenue", metric_value="1234567"))
    [edited] = saved_wins(services)
    assert edited.metric_value == 1234567
