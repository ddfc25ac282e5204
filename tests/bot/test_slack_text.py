"""Slack's markup back to what was typed (`as_typed`), and user text shown safely (`mrkdwn`, `shown`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.escape import mrkdwn, shown
from bot.slack_text import as_typed


def test_a_user_mention_with_a_label_becomes_at_label() -> None:
    assert as_typed("thanks <@U1|ana>!") == "thanks @ana!"


def test_a_user_mention_without_a_label_becomes_at_id() -> None:
    assert as_typed("thanks <@U1>") == "thanks @U1"


def test_a_channel_with_a_label_becomes_hash_name() -> None:
    assert as_typed("posted in <#C1|general>") == "posted in #general"


def test_a_channel_without_a_label_becomes_hash_id() -> None:
    assert as_typed("posted in <#C1>") == "posted in #C1"


@pytest.mark.parametrize(
    ("slack", "typed"),
    [("<!here>", "@here"), ("<!channel>", "@channel"), ("<!everyone>", "@everyone")],
)
def test_special_mentions_become_their_at_word(slack: str, typed: str) -> None:
    assert as_typed(f"hey {slack} look") == f"hey {typed} look"


def test_special_mention_with_a_label_becomes_the_label() -> None:
    assert as_typed("<!here|@here>") == "@here"


def test_a_user_group_becomes_its_handle() -> None:
    assert as_typed("ping <!subteam^S1|@team>") == "ping @team"


def test_a_date_token_becomes_its_fallback_text() -> None:
    assert as_typed("<!date^1392734382^{date}|Feb 18, 2014>") == "Feb 18, 2014"


def test_a_labelled_link_becomes_its_label() -> None:
    assert as_typed("see <https://x.com|x.com>") == "see x.com"


def test_a_bare_link_becomes_its_url() -> None:
    assert as_typed("see <https://x.com>") == "see https://x.com"


def test_a_link_with_an_escaped_ampersand_is_unescaped() -> None:
    assert as_typed("<https://x.com/?a=1&amp;b=2>") == "https://x.com/?a=1&b=2"


def test_entities_are_unescaped() -> None:
    assert as_typed("a &lt; b &gt; c &amp; d") == "a < b > c & d"


def test_entities_are_unescaped_only_one_level() -> None:
    assert as_typed("&amp;lt; &amp;gt; &amp;amp;") == "&lt; &gt; &amp;"


def test_typed_angle_brackets_come_back_as_typed_not_as_a_mention() -> None:
    # A member who types "<@U1>" literally: Slack escapes it, so it is text, not a token.
    assert as_typed("&lt;@U1&gt;") == "<@U1>"


def test_plain_text_is_unchanged() -> None:
    assert as_typed("  shipped the *Q3* report  ") == "  shipped the *Q3* report  "


def test_mrkdwn_escapes_ampersand_and_angle_brackets() -> None:
    assert mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"


def test_mrkdwn_makes_mentions_inert() -> None:
    assert mrkdwn("<!channel> <@U1>") == "&lt;!channel&gt; &lt;@U1&gt;"


def test_mrkdwn_escapes_an_existing_entity_again() -> None:
    assert mrkdwn("&amp;") == "&amp;amp;"


def test_mrkdwn_leaves_other_markup_characters_alone() -> None:
    text = "*bold* _it_ ~strike~ `code` | pipe @here #general :smile: \\ \" ' \n"
    assert mrkdwn(text) == text


@given(st.text())
def test_mrkdwn_changes_exactly_the_three_control_characters(text: str) -> None:
    escaped = mrkdwn(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert escaped.replace("&amp;", "").count("&") == escaped.count("&lt;") + escaped.count("&gt;")
    unescaped = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == text
    assert len(escaped) == len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def test_shown_leaves_text_that_fits_unchanged_apart_from_escaping() -> None:
    assert shown("R&D <3", 20) == "R&amp;D &lt;3"


def test_shown_of_text_exactly_at_the_limit_is_not_cut() -> None:
    assert shown("x" * 10, 10) == "x" * 10


def test_shown_cuts_long_text_and_marks_the_cut() -> None:
    result = shown("x" * 20, 10)
    assert result == "x" * 9 + "…"


def test_shown_never_cuts_inside_an_entity() -> None:
    result = shown("&" * 10, 12)
    assert result == "&amp;&amp;…"


@pytest.mark.parametrize("limit", [1, 2, 5, 6, 149, 150, 3000])
def test_shown_of_all_ampersands_fits_the_limit(limit: int) -> None:
    result = shown("&" * 4000, limit)
    assert len(result) <= limit
    assert result.endswith("…")


@given(st.text(alphabet="&<>ab…", max_size=400), st.integers(min_value=1, max_value=400))
def test_shown_never_exceeds_the_limit(text: str, limit: int) -> None:
    assert len(shown(text, limit)) <= limit


@given(st.text(alphabet="&<>ab", max_size=400), st.integers(min_value=1, max_value=400))
def test_shown_is_an_escaped_prefix_of_the_text(text: str, limit: int) -> None:
    result = shown(text, limit)
    if result == mrkdwn(text):
        return
    assert result.endswith("…")
    kept = result.removesuffix("…")
    prefix = kept.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert text.startswith(prefix)
    assert mrkdwn(prefix) == kept


@given(st.text(alphabet="&<>ab", min_size=1, max_size=400), st.integers(min_value=1, max_value=400))
def test_shown_keeps_as_much_text_as_fits(text: str, limit: int) -> None:
    result = shown(text, limit)
    if len(mrkdwn(text)) > limit:
        # Cut: the next character would not have fitted, so at most one escaped character is unused.
        assert len(result) > limit - 5
