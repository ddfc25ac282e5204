"""The grammar of `/remote-win`: `parse_command` and `period_range`, as pure functions."""

from __future__ import annotations

from datetime import date, time

import pytest

from rules.calendar import DateRange
from rules.commands import (
    COMMAND_WORDS,
    MAX_LIST_DAYS,
    DeleteWin,
    EditWin,
    ForgetMe,
    ListWins,
    LogWin,
    OpenForm,
    ShowHelp,
    UndoLast,
    parse_command,
    period_range,
)
from rules.settings import (
    SETTINGS_WORDS,
    Mention,
    OpenSettings,
    SetDays,
    SetDaysOff,
    SetDestination,
    SetManager,
    SetPaused,
    SetTimes,
    SetToday,
    SetZone,
    ShowSettings,
    SlackRefs,
)


@pytest.mark.parametrize("text", ["", " ", "   \t  "])
def test_empty_or_blank_text_opens_the_form(text: str) -> None:
    assert parse_command(text) == OpenForm()


def test_plain_text_is_a_win() -> None:
    assert parse_command("shipped the Q3 report") == LogWin("shipped the Q3 report")


def test_a_win_keeps_spacing_and_case_exactly_as_typed() -> None:
    text = "  Shipped   the Q3 REPORT,  finally!  "
    assert parse_command(text) == LogWin(text)


def test_help_shows_the_help_without_a_problem() -> None:
    assert parse_command("help") == ShowHelp()


def test_list_alone_lists_this_week() -> None:
    assert parse_command("list") == ListWins("this week")


def test_list_this_week() -> None:
    assert parse_command("list this week") == ListWins("this week")


def test_list_last_week() -> None:
    assert parse_command("list last week") == ListWins("last week")


def test_list_period_ignores_extra_spaces_and_case() -> None:
    assert parse_command("list  LAST    Week ") == ListWins("last week")


def test_list_a_range() -> None:
    assert parse_command("list 2026-11-02..2026-11-08") == ListWins("2026-11-02..2026-11-08")


def test_list_a_range_with_spaces_around_the_dots() -> None:
    assert parse_command("list 2026-11-02 .. 2026-11-08") == ListWins("2026-11-02..2026-11-08")


def test_list_a_single_day_range() -> None:
    assert parse_command("list 2026-11-02..2026-11-02") == ListWins("2026-11-02..2026-11-02")


def test_list_a_range_of_exactly_the_maximum_length() -> None:
    # 2026-01-01..2027-01-01 is 366 days, inclusive.
    assert MAX_LIST_DAYS == 366
    assert parse_command("list 2026-01-01..2027-01-01") == ListWins("2026-01-01..2027-01-01")


def test_undo() -> None:
    assert parse_command("undo") == UndoLast()


def test_forget_me_takes_nothing_after_it_and_log_keeps_the_words_a_win() -> None:
    assert parse_command("forget-me") == ForgetMe() == parse_command("Forget-Me ")
    refused = parse_command("forget-me please")
    assert isinstance(refused, ShowHelp) and refused.echo == "forget-me please"
    assert parse_command("log forget-me moments") == LogWin("forget-me moments")


def test_edit_with_a_number() -> None:
    assert parse_command("edit 42") == EditWin(42)


def test_edit_with_a_hash_number() -> None:
    assert parse_command("edit #42") == EditWin(42)


def test_delete_with_a_number() -> None:
    assert parse_command("delete 42") == DeleteWin(42)


def test_delete_with_a_hash_number() -> None:
    assert parse_command("delete #7") == DeleteWin(7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HELP", ShowHelp()),
        ("List", ListWins("this week")),
        ("LIST THIS WEEK", ListWins("this week")),
        ("Undo", UndoLast()),
        ("EDIT #42", EditWin(42)),
        ("Delete 42", DeleteWin(42)),
    ],
)
def test_command_words_are_case_insensitive(text: str, expected: object) -> None:
    assert parse_command(text) == expected


def test_surrounding_whitespace_does_not_hide_a_command() -> None:
    assert parse_command("  undo  ") == UndoLast()


def test_edit_with_a_word_shows_help_and_echoes_the_text() -> None:
    result = parse_command("edit abc")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "edit 42" in result.problem
    assert result.echo == "edit abc"


def test_delete_without_a_number_shows_help_and_echoes_the_text() -> None:
    result = parse_command("delete")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "delete 42" in result.problem
    assert result.echo == "delete"


def test_edit_with_extra_words_after_the_number_shows_help() -> None:
    result = parse_command("edit 42 please")
    assert isinstance(result, ShowHelp)
    assert result.echo == "edit 42 please"


def test_undo_with_arguments_shows_help_and_echoes_the_text() -> None:
    result = parse_command("undo now")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "`undo`" in result.problem
    assert result.echo == "undo now"


def test_help_with_arguments_shows_help_with_a_problem_and_echo() -> None:
    result = parse_command("help me")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert result.echo == "help me"


def test_list_with_an_unknown_period_shows_help_and_echoes_the_text() -> None:
    result = parse_command("list yesterday")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "this week" in result.problem
    assert result.echo == "list yesterday"


def test_list_a_reversed_range_shows_help() -> None:
    result = parse_command("list 2026-11-08..2026-11-02")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "ends before it starts" in result.problem
    assert result.echo == "list 2026-11-08..2026-11-02"


@pytest.mark.parametrize("text", ["list 2026-02-30..2026-03-01", "list 2026-13-01..2026-13-02"])
def test_list_a_range_with_an_impossible_date_shows_help(text: str) -> None:
    result = parse_command(text)
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "doesn't exist" in result.problem
    assert result.echo == text


def test_list_a_range_longer_than_the_maximum_shows_help() -> None:
    result = parse_command("list 2026-01-01..2027-01-02")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert str(MAX_LIST_DAYS) in result.problem
    assert result.echo == "list 2026-01-01..2027-01-02"


def test_echo_keeps_the_text_exactly_as_typed() -> None:
    text = "  Edit   abc  "
    result = parse_command(text)
    assert isinstance(result, ShowHelp)
    assert result.echo == text


@pytest.mark.parametrize(("typo", "command"), [("lsit", "list"), ("undoo", "undo"), ("hlep", "help")])
def test_a_single_mistyped_command_word_suggests_the_command_and_log(typo: str, command: str) -> None:
    result = parse_command(typo)
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert f"`{command}`" in result.problem
    assert f"`log {typo}`" in result.problem
    assert result.echo == typo


def test_a_mistyped_command_word_followed_by_words_is_a_win() -> None:
    assert parse_command("lsit of things done") == LogWin("lsit of things done")


def test_a_single_word_unlike_any_command_is_a_win() -> None:
    assert parse_command("shipped") == LogWin("shipped")


def test_log_prefix_logs_a_win_starting_with_a_command_word() -> None:
    assert parse_command("log undo the bad deploy") == LogWin("undo the bad deploy")


def test_log_prefix_is_case_insensitive() -> None:
    assert parse_command("LOG list of fixes") == LogWin("list of fixes")


def test_log_prefix_keeps_the_rest_exactly_as_typed() -> None:
    assert parse_command("log Edit  the   README ") == LogWin("Edit  the   README ")


def test_log_alone_shows_help() -> None:
    result = parse_command("log")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None
    assert "`log`" in result.problem


def test_period_range_this_week_is_monday_to_sunday() -> None:
    # 2026-11-25 is a Wednesday.
    assert period_range("this week", date(2026, 11, 25)) == DateRange(date(2026, 11, 23), date(2026, 11, 29))


def test_period_range_this_week_across_a_year_boundary() -> None:
    # 2027-01-01 is a Friday; its ISO week starts on Monday 2026-12-28.
    assert period_range("this week", date(2027, 1, 1)) == DateRange(date(2026, 12, 28), date(2027, 1, 3))


def test_period_range_last_week_across_a_year_boundary() -> None:
    assert period_range("last week", date(2027, 1, 1)) == DateRange(date(2026, 12, 21), date(2026, 12, 27))


def test_period_range_last_week_from_a_monday_is_the_previous_week() -> None:
    assert period_range("last week", date(2026, 11, 23)) == DateRange(date(2026, 11, 16), date(2026, 11, 22))


def test_period_range_of_a_parsed_range() -> None:
    command = parse_command("list 2026-11-02..2026-11-08")
    assert isinstance(command, ListWins)
    assert period_range(command.period, date(2027, 1, 1)) == DateRange(date(2026, 11, 2), date(2026, 11, 8))


# -- the settings shortcuts ------------------------------------------------------------------------------


def test_settings_words_are_command_words() -> None:
    assert set(SETTINGS_WORDS) <= set(COMMAND_WORDS)
    assert parse_command("settings") == OpenSettings()
    assert parse_command("Settings show") == ShowSettings()
    assert parse_command("days tue,wed,thu") == SetDays(frozenset({1, 2, 3}))
    assert parse_command("times 09:00 17:00") == SetTimes(time(9), time(17))
    assert parse_command("tz Asia/Kathmandu") == SetZone("Asia/Kathmandu")
    assert parse_command("TODAY off") == SetToday("off")
    assert parse_command("off 2026-12-24..2026-12-31") == SetDaysOff(date(2026, 12, 24), date(2026, 12, 31))
    assert parse_command("pause") == SetPaused(True)
    assert parse_command("  resume ") == SetPaused(False)


def test_mentions_are_read_from_the_refs_the_listener_passes() -> None:
    ana = SlackRefs(users=(Mention("U2", "@ana maria"),))
    assert parse_command("manager @ana maria", ana) == SetManager("U2")
    team = SlackRefs(channels=(Mention("C9", "#team"),))
    assert parse_command("channel #team", team) == SetDestination("channel", "C9")


@pytest.mark.parametrize(
    "text",
    [
        "settings everything",
        "days someday",
        "times 17:00 09:00",
        "tz Mars/Olympus",
        "manager @ana",
        "channel #team",
        "channel dm",
        "today I shipped the report",
        "off christmas",
        "pause for a week",
    ],
)
def test_malformed_settings_get_the_help_with_the_text_echoed(text: str) -> None:
    result = parse_command(text)
    assert isinstance(result, ShowHelp)
    assert result.problem
    assert result.echo == text


def test_log_still_escapes_a_win_that_starts_with_a_settings_word() -> None:
    assert parse_command("log today I shipped the report") == LogWin("today I shipped the report")
    assert parse_command("log pause") == LogWin("pause")


def test_a_mistyped_settings_word_alone_suggests_it() -> None:
    result = parse_command("setings")
    assert isinstance(result, ShowHelp)
    assert result.problem is not None and "`settings`" in result.problem
