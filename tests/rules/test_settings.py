"""The settings rules: the shortcuts' arguments, the checks shared with the modal, and the words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from rules.settings import (
    MAX_OFF_DAYS,
    MemberSettings,
    Mention,
    OpenSettings,
    Person,
    SetDays,
    SetDaysOff,
    SetDestination,
    SetManager,
    SetPaused,
    SetTimes,
    SettingsForm,
    SettingsProblem,
    SetToday,
    SetZone,
    ShowSettings,
    SlackRefs,
    changed,
    describe_instant,
    describe_overrides,
    describe_prompt,
    known_zone,
    manager_refusal,
    new_channel,
    new_manager,
    parse_settings,
    parse_time,
    plain_zone_note,
    problems,
    settings_from_form,
    why_no_prompt,
)

ANA = SlackRefs(users=(Mention("U2", "@ana"),))
TEAM = SlackRefs(channels=(Mention("C9", "#team"),))
BERLIN = MemberSettings(slack_tz="Europe/Berlin")
NO_REFS = SlackRefs()


def problem(word: str, rest: str, refs: SlackRefs = NO_REFS) -> str:
    with pytest.raises(SettingsProblem) as raised:
        parse_settings(word, rest, refs)
    return str(raised.value)


def test_settings_alone_opens_the_modal_and_show_lists_them() -> None:
    assert parse_settings("settings", "", SlackRefs()) == OpenSettings()
    assert parse_settings("settings", " SHOW ", SlackRefs()) == ShowSettings()
    assert "settings show" in problem("settings", "everything")


@pytest.mark.parametrize(
    ("rest", "days"),
    [("tue,wed,thu", {1, 2, 3}), ("Tue, Thursday", {1, 3}), ("mon fri", {0, 4}), ("none", set())],
)
def test_days_takes_weekday_names_or_none(rest: str, days: set[int]) -> None:
    assert parse_settings("days", rest, SlackRefs()) == SetDays(frozenset(days))


@pytest.mark.parametrize("rest", ["", "someday", "t", "tue,xyz"])
def test_days_refuses_what_isnt_a_weekday(rest: str) -> None:
    assert "days tue,wed,thu" in problem("days", rest)


def test_times_takes_two_24_hour_times() -> None:
    assert parse_settings("times", "9:00  17:30", SlackRefs()) == SetTimes(time(9), time(17, 30))
    assert parse_settings("times", "8 16", NO_REFS) == SetTimes(time(8), time(16))
    assert parse_time("23:59") == time(23, 59)
    assert parse_time("24:00") is None and parse_time("9am") is None and parse_time("9:5") is None


@pytest.mark.parametrize("rest", ["09:00", "9am 5pm", "09:00 17:00 18:00", "25:00 26:00", "0900 1700"])
def test_times_refuses_anything_else(rest: str) -> None:
    assert "times 09:00 17:00" in problem("times", rest)


def test_the_morning_must_come_before_the_end_of_day() -> None:
    assert "before" in problem("times", "17:00 09:00")
    assert "before" in problem("times", "09:00 09:00")


def test_tz_takes_an_iana_name_in_any_case_and_auto() -> None:
    assert parse_settings("tz", "asia/kathmandu", SlackRefs()) == SetZone("Asia/Kathmandu")
    assert parse_settings("tz", "Europe/Berlin", SlackRefs()) == SetZone("Europe/Berlin")
    assert parse_settings("tz", "AUTO", SlackRefs()) == SetZone(None)


@pytest.mark.parametrize("rest", ["", "Mars/Olympus", "America", "localtime", "CEST", "../etc/passwd"])
def test_tz_refuses_what_isnt_a_zone(rest: str) -> None:
    assert "tz Europe/Berlin" in problem("tz", rest)
    assert known_zone(rest) is None


def test_manager_takes_one_picked_person_or_none() -> None:
    assert parse_settings("manager", "@ana", ANA) == SetManager("U2")
    assert parse_settings("manager", "None", SlackRefs()) == SetManager(None)


def test_a_manager_typed_without_autocomplete_is_asked_to_be_picked() -> None:
    text = problem("manager", "@ana")
    assert "pick the person from Slack's list" in text and "@ana" in text


def test_manager_refuses_two_people_or_extra_words() -> None:
    two = SlackRefs(users=(Mention("U2", "@ana"), Mention("U3", "@bo")))
    assert "one person" in problem("manager", "@ana @bo", two)
    assert "one person" in problem("manager", "@ana please", ANA)
    assert "one person" in problem("manager", "", SlackRefs())


def test_channel_takes_a_picked_channel_the_managers_dm_or_me() -> None:
    assert parse_settings("channel", "#team", TEAM) == SetDestination("channel", "C9")
    assert parse_settings("channel", "Manager", SlackRefs()) == SetDestination("manager")
    assert parse_settings("channel", "me", SlackRefs()) == SetDestination("self")


def test_channel_dm_asks_whose() -> None:
    text = problem("channel", "dm")
    assert "channel manager" in text and "channel me" in text


def test_a_channel_typed_without_autocomplete_is_asked_to_be_picked() -> None:
    assert "pick it from Slack's list" in problem("channel", "#team")
    assert "`channel` takes" in problem("channel", "the team one")


@pytest.mark.parametrize("kind", ["remote", "office", "off"])
def test_today_takes_a_kind_of_day(kind: str) -> None:
    assert parse_settings("today", kind.upper(), SlackRefs()) == SetToday(kind)


def test_today_with_anything_else_says_how_to_log_such_a_win() -> None:
    text = problem("today", "I shipped the report")
    assert "today remote" in text and "log today" in text


def test_off_takes_a_day_or_a_range() -> None:
    assert parse_settings("off", "2026-12-24", SlackRefs()) == SetDaysOff(
        date(2026, 12, 24), date(2026, 12, 24)
    )
    assert parse_settings("off", "2026-12-24 .. 2026-12-31", SlackRefs()) == SetDaysOff(
        date(2026, 12, 24), date(2026, 12, 31)
    )


def test_off_refuses_bad_ranges() -> None:
    assert "off 2026-12-24" in problem("off", "christmas")
    assert "doesn't exist" in problem("off", "2026-02-30")
    assert "ends before" in problem("off", "2026-12-31..2026-12-24")
    assert str(MAX_OFF_DAYS) in problem("off", "2026-01-01..2026-04-03")  # 93 days
    longest = parse_settings("off", "2026-01-01..2026-04-02", SlackRefs())  # 92 days
    assert isinstance(longest, SetDaysOff)


def test_pause_and_resume_take_nothing_after_them() -> None:
    assert parse_settings("pause", "", SlackRefs()) == SetPaused(True)
    assert parse_settings("resume", "", SlackRefs()) == SetPaused(False)
    assert "takes nothing" in problem("pause", "for a week")


def test_problems_refuses_combinations_that_cannot_work() -> None:
    assert problems(BERLIN, "U1") == {}
    assert set(problems(MemberSettings("UTC", share_to="channel"), "U1")) == {"share_channel"}
    assert set(problems(MemberSettings("UTC", share_to="manager"), "U1")) == {"manager"}
    assert set(problems(MemberSettings("UTC", manager="U1"), "U1")) == {"manager"}
    assert set(problems(MemberSettings("UTC", morning=time(17), eod=time(9)), "U1")) == {"eod"}


def test_a_change_to_the_managers_dm_keeps_the_chosen_channel_for_later() -> None:
    with_channel = MemberSettings("UTC", share_to="channel", share_channel="C9", manager="U2")
    to_manager = changed(with_channel, SetDestination("manager"))
    assert (to_manager.share_to, to_manager.share_channel) == ("manager", "C9")
    assert changed(to_manager, SetDays(frozenset({1}))).remote_days == {1}
    assert changed(with_channel, SetZone("Asia/Kathmandu")).tz == "Asia/Kathmandu"


def form(**values: object) -> SettingsForm:
    defaults: dict[str, object] = {
        "remote_days": ("1", "3"),
        "morning": "08:30",
        "eod": "16:45",
        "tz": "Europe/Berlin",
        "manager": "U2",
        "share_to": "manager",
        "share_channel": None,
        "paused": False,
    }
    return SettingsForm(**(defaults | values))  # type: ignore[arg-type]


def test_a_valid_form_becomes_settings() -> None:
    wanted, errors = settings_from_form(form(), BERLIN, "U1")
    assert errors == {}
    assert wanted == MemberSettings(
        "Europe/Berlin", None, frozenset({1, 3}), time(8, 30), time(16, 45), "U2", "manager", None, False
    )


def test_the_form_zone_follows_slack_unless_another_is_typed() -> None:
    for typed in ("Europe/Berlin", "", None, "auto"):
        wanted, _ = settings_from_form(form(tz=typed), BERLIN, "U1")
        assert wanted is not None and wanted.tz_override is None
    wanted, _ = settings_from_form(form(tz="asia/kathmandu"), BERLIN, "U1")
    assert wanted is not None and wanted.tz_override == "Asia/Kathmandu"


def test_the_form_marks_every_field_that_is_wrong() -> None:
    _, errors = settings_from_form(form(tz="Nowhere/City", morning=None), BERLIN, "U1")
    assert set(errors) == {"tz", "morning"}
    _, errors = settings_from_form(form(morning="18:00", manager=None, share_to="manager"), BERLIN, "U1")
    assert set(errors) == {"eod", "manager"}
    _, errors = settings_from_form(form(share_to="channel", share_channel=None), BERLIN, "U1")
    assert set(errors) == {"share_channel"}


def test_instants_are_described_in_the_members_zone() -> None:
    now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # Monday
    assert (
        describe_instant(datetime(2026, 11, 23, 16, 0, tzinfo=UTC), "Europe/Berlin", now) == "today at 17:00"
    )
    assert (
        describe_instant(datetime(2026, 11, 24, 3, 15, tzinfo=UTC), "Asia/Kathmandu", now)
        == "tomorrow (Tue 24 Nov) at 09:00"
    )
    assert (
        describe_prompt("morning", datetime(2026, 11, 26, 8, 0, tzinfo=UTC), "Europe/Berlin", now)
        == "your morning plan prompt, Thu 26 Nov at 09:00 (Europe/Berlin)"
    )


def test_where_it_is_already_tomorrow_today_is_the_local_one() -> None:
    now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # already 01:00 on the 24th in Kiritimati
    assert (
        describe_instant(datetime(2026, 11, 23, 19, 0, tzinfo=UTC), "Pacific/Kiritimati", now)
        == "today at 09:00"
    )


def test_overrides_are_described_as_runs_from_today() -> None:
    today = date(2026, 12, 1)
    overrides = {date(2026, 11, 30): "off", date(2026, 12, 1): "remote"}
    overrides |= {date(2026, 12, day): "off" for day in range(24, 32)}
    assert describe_overrides(overrides, today) == ["remote today", "off Thu 24 Dec – Thu 31 Dec (8 days)"]


def test_why_no_prompt_names_the_shortcut_that_changes_it() -> None:
    assert "resume" in why_no_prompt(MemberSettings("UTC", paused=True), {})
    assert "days tue,wed,thu" in why_no_prompt(BERLIN, {})


def test_manager_keeps_the_mention_as_typed_to_name_them_back() -> None:
    parsed = parse_settings("manager", "@ana", ANA)
    assert isinstance(parsed, SetManager) and parsed.typed == "@ana"


def test_a_manager_is_an_active_person_other_than_the_member() -> None:
    assert manager_refusal(Person("U2"), "U1") is None
    assert manager_refusal(Person("U1"), "U1") == "self"
    assert manager_refusal(Person("U9", found=False), "U1") == "unknown"
    assert manager_refusal(Person("U7", deleted=True), "U1") == "deactivated"
    assert manager_refusal(Person("U8", bot=True), "U1") == "bot"
    assert manager_refusal(Person("USLACKBOT"), "U1") == "bot"  # users.info says is_bot: false for it


def test_only_a_new_manager_or_channel_is_checked_in_slack() -> None:
    current = MemberSettings("UTC", manager="U2", share_to="channel", share_channel="C9")
    assert new_manager(current, current) is None and new_channel(current, current) is None
    assert new_manager(current, MemberSettings("UTC", manager="U3")) == "U3"
    assert new_manager(current, MemberSettings("UTC")) is None
    assert new_channel(current, MemberSettings("UTC", share_to="channel", share_channel="C8")) == "C8"
    assert new_channel(current, MemberSettings("UTC", share_to="self", share_channel="C8")) is None
    back = MemberSettings("UTC", share_to="channel", share_channel="C9")
    assert new_channel(MemberSettings("UTC", share_to="self", share_channel="C9"), back) == "C9"


def test_a_zone_slack_did_not_give_is_unknown_until_the_member_sets_one() -> None:
    unknown = MemberSettings("UTC", slack_tz_known=False)
    assert unknown.tz_unknown and unknown.tz == "UTC"
    note = plain_zone_note(unknown)
    assert "unknown" in note and "/remote-win tz Europe/Berlin" in note and "Slack profile" not in note
    assert plain_zone_note(MemberSettings("UTC")) == "UTC, from your Slack profile"
    chosen = MemberSettings("UTC", tz_override="UTC", slack_tz_known=False)
    assert not chosen.tz_unknown and plain_zone_note(chosen).startswith("UTC, set by you")


def test_the_form_takes_a_typed_utc_as_a_choice_when_the_zone_is_unknown() -> None:
    unknown = MemberSettings("UTC", slack_tz_known=False)
    wanted, _ = settings_from_form(form(tz="UTC"), unknown, "U1")
    assert wanted is not None and wanted.tz_override == "UTC" and not wanted.tz_unknown
    wanted, _ = settings_from_form(form(tz=""), unknown, "U1")
    assert wanted is not None and wanted.tz_unknown
    wanted, _ = settings_from_form(form(tz="UTC"), MemberSettings("UTC"), "U1")
    assert wanted is not None and wanted.tz_override is None  # Slack's own zone: keep following it
