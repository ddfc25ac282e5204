"""Member settings through signed HTTP requests: the text shortcuts, `settings show`, the modal.

The clock is passed in; each test checks what is stored, where the prompt slots moved, and what the
member is told, in their own time zone.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.services import Services
from rules.schedule import DueSlot
from storage.models import DayOverride, Delivery, Member, Win
from storage.schedules import next_slots
from tests.bot.test_slash_command import block_texts
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, block_with_id, wait_until

MONDAY_NOON_BERLIN = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # Mon 23 Nov, 12:00 in Berlin


def member(services: Services, user: str = "U1") -> Member:
    with services.sessions() as session:
        return session.scalars(select(Member).filter_by(user_id=user)).one()


def slots(services: Services, user: str = "U1") -> list[DueSlot]:
    with services.sessions() as session:
        return next_slots(session, member(services, user).id)


def said(slack: SlackRequests, text: str, user: str = "U1") -> str:
    reply = slack.command(text, user=user)
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    return block_texts(body)


def at(services: Services, instant: datetime) -> None:
    services.clock = lambda: instant


# -- the text shortcuts ----------------------------------------------------------------------------------


def test_days_sets_remote_weekdays_and_the_first_prompt(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    shown = said(slack, "days tue,thu")
    assert member(services).remote_days == 0b0001010
    morning, eod = slots(services)
    assert (morning.kind, morning.due_at) == ("morning", datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert (eod.kind, eod.due_at) == ("eod", datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    assert "Remote days: Tue, Thu." in shown
    assert "your morning plan prompt, tomorrow (Tue 24 Nov) at 09:00 (Europe/Berlin)" in shown


def test_days_none_stops_the_prompts(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days mon-fri".replace("mon-fri", "mon,tue,wed,thu,fri"))
    assert slots(services)
    shown = said(slack, "days none")
    assert slots(services) == []
    assert "Remote days: none" in shown and "no remote days yet" in shown


def test_a_remote_day_today_prompts_at_the_end_of_the_day_when_the_morning_has_passed(
    slack: SlackRequests, services: Services
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days mon")
    [first, _] = slots(services)
    assert first.due_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    shown = said(slack, "settings show")
    assert "your end-of-day prompt, today at 17:00 (Europe/Berlin)" in shown


def test_times_move_the_prompts(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days tue")
    shown = said(slack, "times 07:45 15:30")
    stored = member(services)
    assert (stored.morning_minute, stored.eod_minute) == (7 * 60 + 45, 15 * 60 + 30)
    assert [s.due_at for s in slots(services)] == [
        datetime(2026, 11, 24, 6, 45, tzinfo=UTC),
        datetime(2026, 11, 24, 14, 30, tzinfo=UTC),
    ]
    assert "Prompts at 07:45 (morning plan) and 15:30 (end of day)" in shown
    assert "tomorrow (Tue 24 Nov) at 07:45 (Europe/Berlin)" in shown


def test_times_in_the_wrong_order_get_the_help_and_change_nothing(
    slack: SlackRequests, services: Services
) -> None:
    said(slack, "days tue")
    shown = said(slack, "times 17:00 09:00")
    assert "must come before" in shown and "You typed: times 17:00 09:00" in shown
    assert "/remote-win days tue,wed,thu" in shown  # the help, with the settings part
    assert member(services).morning_minute == 9 * 60


def test_tz_overrides_slacks_zone_and_auto_returns_to_it(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days tue")
    shown = said(slack, "tz asia/kathmandu")
    stored = member(services)
    assert (stored.tz, stored.tz_override) == ("Europe/Berlin", "Asia/Kathmandu")
    assert slots(services)[0].due_at == datetime(2026, 11, 24, 3, 15, tzinfo=UTC)  # 09:00 at +05:45
    assert "Time zone: Asia/Kathmandu, set by you" in shown
    assert "tomorrow (Tue 24 Nov) at 09:00 (Asia/Kathmandu)" in shown
    shown = said(slack, "tz auto")
    assert member(services).tz_override is None
    assert slots(services)[0].due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert "Time zone: Europe/Berlin, from your Slack profile" in shown


def test_an_unknown_zone_gets_the_help(slack: SlackRequests, services: Services) -> None:
    said(slack, "settings show")
    shown = said(slack, "tz Mars/Olympus")
    assert "tz Europe/Berlin" in shown and "You typed: tz Mars/Olympus" in shown
    assert member(services).tz_override is None


def test_wins_are_dated_in_the_new_zone_at_once(slack: SlackRequests, services: Services) -> None:
    at(services, datetime(2026, 11, 23, 20, 0, tzinfo=UTC))  # 21:00 Mon in Berlin, 01:45 Tue in Kathmandu
    slack.command("a win in Berlin")
    said(slack, "tz Asia/Kathmandu")
    slack.command("a win in Kathmandu")
    with services.sessions() as session:
        dates = [w.local_date for w in session.scalars(select(Win).order_by(Win.id))]
    assert dates == [date(2026, 11, 23), date(2026, 11, 24)]


def test_a_member_in_kathmandu_sees_the_next_prompt_in_their_time(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U5", tz="Asia/Kathmandu")
    at(services, datetime(2026, 11, 23, 4, 0, tzinfo=UTC))  # Mon 09:45 in Kathmandu
    said(slack, "days mon,wed", user="U5")
    assert slots(services, "U5")[0].due_at == datetime(2026, 11, 23, 11, 15, tzinfo=UTC)
    shown = said(slack, "settings show", user="U5")
    assert "your end-of-day prompt, today at 17:00 (Asia/Kathmandu)" in shown
    assert "Asia/Kathmandu, from your Slack profile" in shown


def test_the_next_prompt_after_a_dst_change_is_at_the_same_local_time(
    slack: SlackRequests, services: Services
) -> None:
    at(services, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # Friday; Berlin moves to CEST on Sunday
    shown = said(slack, "days mon")
    assert slots(services)[0].due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert "Mon 30 Mar at 09:00 (Europe/Berlin)" in shown


def test_today_overrides_the_weekdays_for_the_members_own_today(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U9", tz="Pacific/Kiritimati")
    at(services, datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # Sunday in UTC, Monday 02:00 in Kiritimati
    said(slack, "days tue", user="U9")
    shown = said(slack, "today remote", user="U9")
    with services.sessions() as session:
        rows = session.scalars(select(DayOverride)).all()
    assert [(r.local_date, r.kind) for r in rows] == [(date(2026, 11, 23), "remote")]
    assert slots(services, "U9")[0].local_date == date(2026, 11, 23)
    assert "Today, Mon 23 Nov, is a remote day." in shown
    assert "today at 09:00 (Pacific/Kiritimati)" in shown
    said(slack, "today off", user="U9")
    assert slots(services, "U9")[0].local_date == date(2026, 11, 24)


def test_days_off_write_one_row_a_day_and_the_prompts_skip_them(
    slack: SlackRequests, services: Services
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days tue,wed,thu")
    shown = said(slack, "off 2026-11-24..2026-11-26")
    with services.sessions() as session:
        rows = session.scalars(select(DayOverride).order_by(DayOverride.local_date)).all()
    assert [(r.local_date, r.kind) for r in rows] == [(date(2026, 11, d), "off") for d in (24, 25, 26)]
    assert slots(services)[0].local_date == date(2026, 12, 1)
    assert "Days off: Tue 24 Nov – Thu 26 Nov (3 days)." in shown
    assert "Tue 1 Dec at 09:00" in shown
    said(slack, "off 2026-11-26")  # the same day again: replaced, not doubled
    with services.sessions() as session:
        assert len(session.scalars(select(DayOverride)).all()) == 3
    assert "off Tue 24 Nov – Thu 26 Nov (3 days)" in said(slack, "settings show")


def test_a_days_off_range_too_long_gets_the_help(slack: SlackRequests, services: Services) -> None:
    shown = said(slack, "off 2026-11-01..2027-11-01")
    assert "use `pause`" in shown and "You typed: off 2026-11-01..2027-11-01" in shown
    with services.sessions() as session:
        assert session.scalars(select(DayOverride)).all() == []


def test_pause_and_resume(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days tue")
    shown = said(slack, "pause")
    assert member(services).paused is True and slots(services) == []
    assert "Paused" in shown and "your prompts are paused" in shown
    assert "Paused: no prompts until you resume" in said(slack, "settings show")
    said(slack, "resume")
    assert member(services).paused is False
    assert slots(services)[0].due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_manager_is_read_from_the_mention_slack_sends(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2", name="bo")
    fake_slack.add_user("W3", name="di")
    shown = said(slack, "manager <@U2|bo>")
    assert member(services).manager_user_id == "U2"
    assert "Your manager is <@U2>." in shown
    said(slack, "manager <@W3>")  # an Enterprise Grid id, without a label
    assert member(services).manager_user_id == "W3"
    said(slack, "manager none")
    assert member(services).manager_user_id is None


def test_a_manager_typed_without_a_real_mention_is_asked_for_one(
    slack: SlackRequests, services: Services
) -> None:
    said(slack, "settings show")
    shown = said(slack, "manager @bo")
    assert "pick the person from Slack's list" in shown and "You typed: manager @bo" in shown
    assert member(services).manager_user_id is None


def test_nobody_is_their_own_manager(slack: SlackRequests, services: Services) -> None:
    shown = said(slack, "manager <@U1|ana>")
    assert "Nothing changed" in shown and "your own manager" in shown
    assert member(services).manager_user_id is None


def test_channel_takes_a_channel_the_managers_dm_or_only_me(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2", name="bo")
    shown = said(slack, "channel <#C1|general>")
    stored = member(services)
    assert (stored.share_to, stored.share_channel_id) == ("channel", "C1")
    assert "Plans and summaries go to <#C1>" in shown and "/invite" not in shown  # remote-wins is in C1
    shown = said(slack, "channel manager")
    assert "Nothing changed" in shown and "manager @person" in shown
    assert member(services).share_to == "channel"
    said(slack, "manager <@U2|bo>")
    shown = said(slack, "channel manager")
    assert member(services).share_to == "manager"
    assert "your manager's DM (<@U2>)" in shown
    shown = said(slack, "manager none")
    assert "Nothing changed" in shown and member(services).manager_user_id == "U2"
    said(slack, "channel me")
    stored = member(services)
    assert (stored.share_to, stored.share_channel_id) == ("self", "C1")


def test_a_channel_typed_without_a_real_link_is_asked_for_one(
    slack: SlackRequests, services: Services
) -> None:
    said(slack, "settings show")
    shown = said(slack, "channel #nowhere")
    assert "pick it from Slack's list" in shown and "You typed: channel #nowhere" in shown
    assert member(services).share_to == "self"


def test_settings_show_states_everything_in_words(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2", name="bo")
    at(services, MONDAY_NOON_BERLIN)
    for text in ("days wed,fri", "times 08:00 16:30", "manager <@U2|bo>", "channel <#C1|general>"):
        said(slack, text)
    reply = slack.command("settings show").json()
    shown = block_texts(reply)
    assert "• Remote days: Wed, Fri" in shown
    assert (
        "• Prompts at 08:00 (morning plan) and 16:30 (end of day), Europe/Berlin, from your Slack profile"
        in (shown)
    )
    assert "• Manager: <@U2>" in shown
    assert "• Plans and summaries go to <#C1>" in shown
    assert "*Next prompt:* your morning plan prompt, Wed 25 Nov at 08:00 (Europe/Berlin)." in shown
    assert "Last problem" not in shown
    assert reply["blocks"][-1]["elements"][0]["action_id"] == "settings_open"


def record_delivery(services: Services, day: date, status: str, error: str | None = None) -> None:
    """A morning prompt's row in the ledger, as the clock leaves it after Slack answered."""
    due = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    row = Delivery(
        workspace_id="T0001",
        member_id=member(services).id,
        kind="morning",
        period=day.isoformat(),
        status=status,
        due_at=due,
        claimed_at=due,
        claimed_by="test",
        finished_at=due,
        channel="D1",
        error=error,
    )
    with services.sessions.begin() as session:
        session.add(row)


def test_settings_show_names_a_recent_delivery_problem_until_a_prompt_gets_through(
    slack: SlackRequests, services: Services
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    said(slack, "days mon")
    record_delivery(services, date(2026, 11, 20), "failed", "not_in_channel")
    shown = said(slack, "settings show")
    assert (
        "Last problem:* your morning plan prompt for Fri 20 Nov wasn't delivered (`not_in_channel`)" in shown
    )
    assert "/invite @remote-wins" in shown
    record_delivery(services, date(2026, 11, 23), "sent")
    assert "Last problem" not in said(slack, "settings show")


def test_an_old_delivery_problem_is_not_shown(slack: SlackRequests, services: Services) -> None:
    at(services, MONDAY_NOON_BERLIN)
    slack.command("settings show")
    record_delivery(services, date(2026, 10, 1), "failed", "is_archived")
    assert "Last problem" not in said(slack, "settings show")


# -- the modal -------------------------------------------------------------------------------------------


def open_settings(slack: SlackRequests, fake_slack: FakeSlack, user: str = "U1") -> dict[str, Any]:
    """The settings form as the member sees it: for a first-time member, the holding view's update."""
    before, updates = len(fake_slack.calls_to("views.open")), len(fake_slack.calls_to("views.update"))
    reply = slack.command("settings", user=user)
    assert reply.status == 200 and reply.body == b""
    view = wait_until(lambda: fake_slack.calls_to("views.open")[before:], what="views.open")[0].params["view"]
    if not any(b.get("type") == "input" for b in view["blocks"]):
        calls = wait_until(lambda: fake_slack.calls_to("views.update")[updates:], what="views.update")
        view = calls[0].params["view"]
    return view | {"id": f"VS{before}"}


def values(
    *,
    days: tuple[str, ...] = ("1", "3"),
    morning: str | None = "08:30",
    eod: str | None = "16:45",
    tz: str | None = "Europe/Berlin",
    manager: str | None = None,
    share_to: str = "self",
    channel: str | None = None,
    paused: bool = False,
) -> dict[str, Any]:
    """The `state.values` Slack sends for the settings modal."""
    return {
        "remote_days": {"value": {"type": "checkboxes", "selected_options": [{"value": d} for d in days]}},
        "morning": {"value": {"type": "timepicker", "selected_time": morning}},
        "eod": {"value": {"type": "timepicker", "selected_time": eod}},
        "tz": {"value": {"type": "plain_text_input", "value": tz}},
        "manager": {"value": {"type": "multi_users_select", "selected_users": [manager] if manager else []}},
        "share_to": {"value": {"type": "radio_buttons", "selected_option": {"value": share_to}}},
        "share_channel": {"value": {"type": "conversations_select", "selected_conversation": channel}},
        "paused": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "paused"}] if paused else []}
        },
    }


def test_the_modal_is_prefilled_and_states_the_settings_and_next_prompt(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    fake_slack.add_user("U2", name="bo")
    for text in ("days tue,thu", "times 08:15 16:00", "tz Asia/Kathmandu", "manager <@U2|bo>"):
        said(slack, text)
    view = open_settings(slack, fake_slack)
    assert view["callback_id"] == "member_settings"
    top = view["blocks"][0]["text"]["text"] + view["blocks"][1]["text"]["text"]
    assert "Remote days: Tue, Thu" in top
    assert "tomorrow (Tue 24 Nov) at 08:15 (Asia/Kathmandu)" in top
    remote_days = block_with_id(view, "remote_days")["element"]["initial_options"]
    assert [o["value"] for o in remote_days] == ["1", "3"]
    assert block_with_id(view, "morning")["element"]["initial_time"] == "08:15"
    assert block_with_id(view, "eod")["element"]["initial_time"] == "16:00"
    assert block_with_id(view, "tz")["element"]["initial_value"] == "Asia/Kathmandu"
    assert "Europe/Berlin" in block_with_id(view, "tz")["hint"]["text"]
    assert block_with_id(view, "manager")["element"]["initial_users"] == ["U2"]
    assert block_with_id(view, "share_to")["element"]["initial_option"]["value"] == "self"
    assert "initial_options" not in block_with_id(view, "paused")["element"]


def test_a_first_time_member_gets_the_modal_at_once_and_their_settings_after(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.delay("users.info", 0.5)
    slack.command("settings")
    opened = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0]
    assert "Loading" in json.dumps(opened.params["view"])
    updated = wait_until(lambda: fake_slack.calls_to("views.update"), what="views.update")[0]
    assert block_with_id(updated.params["view"], "tz")["element"]["initial_value"] == "Europe/Berlin"


def test_a_submitted_modal_saves_every_setting_moves_the_prompts_and_confirms(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    at(services, MONDAY_NOON_BERLIN)
    fake_slack.add_user("U2", tz="America/Chicago")
    view = open_settings(slack, fake_slack)
    reply = slack.submit_view(
        view, values(tz="Asia/Kathmandu", manager="U2", share_to="channel", channel="C1", paused=False)
    )
    assert reply.status == 200 and reply.body == b""
    stored = member(services)
    assert stored.remote_days == 0b0001010
    assert (stored.morning_minute, stored.eod_minute) == (8 * 60 + 30, 16 * 60 + 45)
    assert (stored.tz_override, stored.manager_user_id) == ("Asia/Kathmandu", "U2")
    assert (stored.share_to, stored.share_channel_id, stored.paused) == ("channel", "C1", False)
    assert slots(services)[0].due_at == datetime(2026, 11, 24, 2, 45, tzinfo=UTC)  # 08:30 at +05:45
    _url, confirmation = wait_until(lambda: fake_slack.responses, what="the confirmation")[0]
    assert "Settings saved" in confirmation["text"]
    assert "tomorrow (Tue 24 Nov) at 08:30 (Asia/Kathmandu)" in json.dumps(confirmation)
    # The manager, new to the bot, is looked up in Slack after the ack: their digest runs in their zone.
    wait_until(lambda: member(services, "U2").tz == "America/Chicago", what="the manager's zone from Slack")


def test_the_modal_can_pause_and_clear_the_remote_days(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    said(slack, "days mon,tue")
    view = open_settings(slack, fake_slack)
    assert slack.submit_view(view, values(days=("0", "1"), paused=True)).body == b""
    assert member(services).paused is True and slots(services) == []
    assert slack.submit_view(view, values(days=())).body == b""
    assert (member(services).paused, member(services).remote_days) == (False, 0)


def test_bad_combinations_are_marked_in_the_modal_and_nothing_is_saved(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    view = open_settings(slack, fake_slack)
    cases = [
        (values(share_to="channel"), {"share_channel"}),
        (values(share_to="manager"), {"manager"}),
        (values(morning="17:00", eod="09:00"), {"eod"}),
        (values(tz="Nowhere/City"), {"tz"}),
        (values(manager="U1"), {"manager"}),
    ]
    for state, fields in cases:
        body = slack.submit_view(view, state).json()
        assert body["response_action"] == "errors"
        assert set(body["errors"]) == fields, state
    stored = member(services)
    assert (stored.remote_days, stored.share_to, stored.morning_minute) == (0, "self", 9 * 60)


def test_a_slow_save_keeps_the_modal_open(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.ack_budget = 0.2
    slack_answers = fake_slack.hold("users.info")  # a first-time member: the save waits for Slack
    reply = slack.submit_view({"id": "VS", "callback_id": "member_settings"}, values())
    assert "everything you entered is kept" in reply.json()["errors"]["remote_days"]
    with services.sessions() as session:
        assert session.scalars(select(Member)).all() == []  # acked while Slack had not answered
    slack_answers.set()

    def saved() -> bool:
        with services.sessions() as session:
            return session.scalar(select(Member.remote_days)) == 0b0001010

    wait_until(saved, what="the save to finish")


def test_the_home_tab_has_a_settings_button_that_opens_the_modal(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
    home = wait_until(lambda: fake_slack.home_views.get("U1"), what="views.publish")
    assert "settings_open" in json.dumps(home["blocks"][:3])
    slack.action("settings_open", "")
    opened = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0]
    assert opened.params["view"]["callback_id"] == "member_settings"
