"""No win can ping: whatever a member types, what the bot shows has no live mention or broadcast."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks.help import help_message
from bot.blocks.home import MemberHome, home_view
from bot.blocks.wins import list_message, not_saved_message, pending_message, removed_message, saved_message
from bot.slack_text import as_typed
from rules.calendar import week_of
from rules.commands import ShowHelp, parse_command
from rules.wins import SavedWin
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests

TODAY = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LIVE_MARKUP = re.compile(r"<[!@#]")  # <!channel>, <!here>, <!everyone>, <@U…>, <#C…>
DANGEROUS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@U1|ana>",
    "<#C1>",
    "&",
    "<",
    ">",
    "|",
    "&lt;",
]
texts = st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=40)), max_size=12).map("".join)


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def win(text: str, link: str | None = None, metric: str | None = None) -> SavedWin:
    return SavedWin(
        1, 1, text, TODAY, "metric", metric, 3.0 if metric else None, link, "remote", False, "command"
    )


def assert_no_live_markup(message: Any) -> None:
    for text in strings(message):
        assert not LIVE_MARKUP.search(text), text


@settings(max_examples=300, deadline=None)
@given(text=texts, link=st.one_of(st.none(), texts, texts.map(lambda t: "https://" + t)), metric=texts)
def test_rendered_wins_never_carry_live_markup(text: str, link: str | None, metric: str) -> None:
    saved = win(text, link, metric or None)
    for message in (
        saved_message(saved, TODAY),
        removed_message(saved),
        not_saved_message(text, "the database didn't answer."),
        pending_message(text),
        list_message([saved], week_of(TODAY), TODAY),
        home_view(MemberHome("U1", "UTC", NOON, TODAY, [saved], week_of(TODAY))),
    ):
        assert_no_live_markup(message)


@settings(max_examples=300, deadline=None)
@given(slack_text=texts)
def test_whatever_slack_sends_the_reply_to_it_pings_no_one(slack_text: str) -> None:
    typed = as_typed(slack_text)
    parsed = parse_command(typed)
    if isinstance(parsed, ShowHelp):
        assert_no_live_markup(help_message(parsed.problem, parsed.echo))
    assert_no_live_markup(saved_message(win(typed), TODAY))


def test_broadcasts_typed_into_a_command_come_back_inert(slack: SlackRequests, fake_slack: FakeSlack) -> None:
    for typed in (
        "<!channel> shipped",
        "told <!here|here> and <@U2|bo>",
        "&lt;!everyone&gt; lol",
        "lsit <!here>",
    ):
        body = slack.command(typed).json()
        assert_no_live_markup(body)
