"""The digest as Slack receives it: within Block Kit's limits at any size, every win accounted for, escaped.

Messages and modals go through the real slack_sdk client to the fake Slack, which refuses what Slack
would refuse (more than 50 blocks a message or 100 a modal, a section over 3000 characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from bot.blocks.digest import (
    ACK,
    ASK,
    DETAIL_NEXT,
    DETAIL_PREVIOUS,
    DETAILS,
    SHOW_ALL,
    digest_detail_views,
    digest_messages,
    digest_text,
    format_report_key,
    parse_report_key,
    split_shown,
)
from bot.blocks.escape import MESSAGE_TEXT, mrkdwn
from bot.blocks.kit import text_size
from rules.digest import SHOWN_PER_REPORT, Digest, DigestInputs, PlanDay, Report, WeekWin, build_digest
from tests.bot.test_escaping import DANGEROUS, assert_no_live_markup
from tests.digest_tallies import tally
from tests.fake_slack import FakeSlack

WEEK = "2026-W48"
MON = date(2026, 11, 23)
MANAGER = "UM"
_ids = count(1)


def win(member_id: int, day: date, text: str, private: bool = False, kind: str = "remote") -> WeekWin:
    return WeekWin(next(_ids), member_id, text, day, "shipped", "tickets", 2.0, None, kind, private)


def digest_of(
    reports: list[Report], wins: list[WeekWin], plans: tuple[PlanDay, ...] | list[PlanDay] = (), **kw: Any
) -> Digest:
    """A digest for a manager in Berlin, from the week's data alone (nothing before it)."""
    values = {"manager_tz": "Europe/Berlin", "week": WEEK, "tallies": tally(wins), "plans": list(plans)}
    return build_digest(DigestInputs("T1", MANAGER, reports=reports, wins=wins, **(values | kw)))


def report(member_id: int, name: str | None = None) -> Report:
    return Report(
        member_id,
        f"U{member_id}",
        name or f"Report {member_id:02d}",
        "America/New_York",
        frozenset({1, 2, 3}),
    )


def marker(member_id: int, n: int) -> str:
    return f"R{member_id:02d}W{n:02d}:"


@pytest.fixture(scope="module")
def big_team() -> Digest:
    """60 reports with 40 wins each over the week; every fifth win is 2,000 characters with & < > in it."""
    reports = [report(i) for i in range(1, 61)]
    wins = []
    for r in reports:
        for n in range(40):
            day = MON + timedelta(days=n % 7)
            kind = "remote" if day.weekday() in (1, 2, 3) else "office"
            body = ("fixed <the> build & " * 100)[:1990] if n % 5 == 0 else "closed the ticket"
            wins.append(win(r.member_id, day, f"{marker(r.member_id, n)} {body}", kind=kind))
    plans = [
        PlanDay(r.member_id, MON + timedelta(days=1), "summarized", 4, 3, "VPN & <SSO>", "17:30")
        for r in reports
    ]
    return digest_of(reports, wins, plans)


@pytest.fixture
def client(fake_slack: FakeSlack) -> Iterator[WebClient]:
    fake_slack.add_user(MANAGER, tz="Europe/Berlin", name="boss")
    yield WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)


def post(client: WebClient, messages: list[dict[str, Any]]) -> list[str]:
    """The DM, then the rest in its thread, as the sender will post them; every call must be accepted."""
    first = client.chat_postMessage(channel=MANAGER, **messages[0])
    thread = [first["ts"]]
    for message in messages[1:]:
        reply = client.chat_postMessage(channel=MANAGER, thread_ts=first["ts"], **message)
        thread.append(reply["ts"])
    return thread


def blocks_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for message in messages for block in message["blocks"]]


def buttons(messages: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks_of(messages)
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]


def assert_within_limits(blocks: list[dict[str, Any]], most: int) -> None:
    """Limits the fake does not check itself: context text, buttons per block, button text and value."""
    assert len(blocks) <= most
    for block in blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert all(len(element["text"]) <= 3000 for element in block["elements"])
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000


# -- a large team ---------------------------------------------------------------------------------------


def test_a_large_team_is_posted_whole_in_the_dm_and_its_thread(
    big_team: Digest, client: WebClient, fake_slack: FakeSlack
) -> None:
    messages = digest_messages(big_team)
    assert len(messages) > 1
    for message in messages:
        assert_within_limits(message["blocks"], 50)
        assert text_size(message["blocks"]) <= MESSAGE_TEXT  # Slack's undocumented total
    thread = post(client, messages)
    posted = fake_slack.messages
    assert len(posted) == len(messages) and all(m.channel == "DM" for m in posted)
    assert [m.thread_ts for m in posted[1:]] == [thread[0]] * (len(messages) - 1)
    assert len(buttons(messages[:1], ACK)) == 1 and buttons(messages[1:], ACK) == []


def test_every_win_of_a_large_team_is_shown_or_counted(big_team: Digest) -> None:
    messages = digest_messages(big_team)
    sections = [b["text"]["text"] for b in blocks_of(messages) if b["type"] == "section"]
    show_all = {b["value"]: b for b in buttons(messages, SHOW_ALL)}
    details = {b["value"] for b in buttons(messages, DETAILS)}
    asks = {b["value"] for b in buttons(messages, ASK)}
    shortened_total = 0
    for week in big_team.reports:
        member_id, key = week.report.member_id, f"{week.report.member_id}:{WEEK}"
        (section,) = [s for s in sections if s.startswith(f"*{week.report.name}*")]
        seen = re.findall(rf"R{member_id:02d}W\d\d:", section)
        assert SHOWN_PER_REPORT >= len(seen) == len(set(seen)) > 0
        more = re.search(r"…and (\d+) more", section)
        hidden = int(more.group(1)) if more else 0
        assert len(seen) + hidden == 40
        assert (key in show_all) == bool(hidden)
        assert key in details and key in asks
        shortened_total += sum(1 for m in seen if f"{m} fixed" in section)
    assert shortened_total > 0
    contexts = [e["text"] for b in blocks_of(messages) if b["type"] == "context" for e in b["elements"]]
    counted = sum(int(m) for c in contexts for m in re.findall(r"(\d+) long wins? shortened", c))
    assert counted == shortened_total


def test_each_report_of_a_large_team_opens_in_full_in_details(
    big_team: Digest, client: WebClient, fake_slack: FakeSlack
) -> None:
    for week in big_team.reports:
        views = digest_detail_views(week)
        for n, view in enumerate(views, start=1):
            assert_within_limits(view["blocks"], 100)
            client.views_open(trigger_id=f"trigger-{week.report.member_id}-{n}", view=view)
        text = "".join(b["text"]["text"] for v in views for b in v["blocks"] if b["type"] == "section")
        for shown in week.wins:
            assert mrkdwn(shown.text) in text
    assert len(fake_slack.views) >= len(big_team.reports)


def test_a_week_too_long_for_one_modal_is_paginated(client: WebClient) -> None:
    long_text = "x" * 2990 + "&&&&"  # over 3000 characters once escaped: split, never cut
    wins = [win(1, MON + timedelta(days=n % 7), f"{marker(1, n % 100)} {long_text}") for n in range(300)]
    (week,) = digest_of([report(1)], wins).reports
    views = digest_detail_views(week)
    assert len(views) > 2
    for n, view in enumerate(views, start=1):
        assert_within_limits(view["blocks"], 100)
        client.views_open(trigger_id=f"page-{n}", view=view)
        previous = [e["value"] for e in buttons([view], DETAIL_PREVIOUS)]
        following = [e["value"] for e in buttons([view], DETAIL_NEXT)]
        assert previous == ([f"1:{WEEK}:{n - 1}"] if n > 1 else [])
        assert following == ([f"1:{WEEK}:{n + 1}"] if n < len(views) else [])
        assert json.loads(view["private_metadata"]) == {"member_id": 1, "week": WEEK, "page": n}
    text = "".join(b["text"]["text"] for v in views for b in v["blocks"] if b["type"] == "section")
    assert text.count(mrkdwn(long_text)) == 300


def test_a_digest_read_with_only_the_first_wins_counts_all_the_others(client: WebClient) -> None:
    """Storage reads a report's first wins for the message and counts the rest: all 25 are accounted for."""
    every = [win(1, MON + timedelta(days=n % 7), f"{marker(1, n)} did it") for n in range(25)]
    first = sorted(every, key=lambda w: (w.local_date, w.id))[:SHOWN_PER_REPORT]
    inputs = DigestInputs("T1", MANAGER, "Europe/Berlin", WEEK, [report(1)], first, tally(every), [])
    digest = build_digest(inputs)
    messages = digest_messages(digest)
    post(client, messages)
    (section,) = [
        b["text"]["text"]
        for b in blocks_of(messages)
        if b["type"] == "section" and b["text"]["text"].startswith("*Report 01*")
    ]
    shown = re.findall(r"R01W\d\d:", section)
    assert len(shown) + int(re.search(r"…and (\d+) more", section).group(1)) == 25
    assert [b["value"] for b in buttons(messages, SHOW_ALL)] == [f"1:{WEEK}"]
    (view,) = digest_detail_views(digest.reports[0])
    assert "15 more wins this week, not loaded here." in json.dumps(view, ensure_ascii=False)


# -- small cases ----------------------------------------------------------------------------------------


def test_one_report_with_one_win_is_one_message_with_every_button(client: WebClient) -> None:
    digest = digest_of([report(7, "Ana")], [win(7, MON + timedelta(days=1), "shipped the Q3 report")])
    messages = digest_messages(digest)
    assert len(messages) == 1
    post(client, messages)
    text = json.dumps(messages, ensure_ascii=False)
    assert "shipped the Q3 report" in text
    assert "1 report · 3 remote days · 1 win" in text
    assert [b["value"] for b in buttons(messages, ACK)] == [WEEK]
    assert [b["value"] for b in buttons(messages, DETAILS)] == [f"7:{WEEK}"]
    assert [b["value"] for b in buttons(messages, ASK)] == [f"7:{WEEK}"]
    assert buttons(messages, SHOW_ALL) == []
    assert "…and" not in text


def test_a_report_with_only_private_wins_is_one_quiet_line(client: WebClient) -> None:
    wins = [win(1, MON, "shipped it"), win(2, MON, "my secret plan", private=True)]
    digest = digest_of([report(1, "Ana"), report(2, "Bo")], wins)
    messages = digest_messages(digest)
    post(client, messages)
    everything = json.dumps(messages, ensure_ascii=False) + digest_text(digest)
    assert "my secret plan" not in everything
    quiet = [e["text"] for b in blocks_of(messages) if b["type"] == "context" for e in b["elements"]]
    assert "Nothing logged this week: Bo." in quiet
    assert {b["value"] for b in buttons(messages, DETAILS)} == {f"1:{WEEK}"}
    assert "1 quiet" in json.dumps(messages[0]["blocks"][1], ensure_ascii=False)


def test_an_acknowledged_digest_says_when_in_the_managers_zone() -> None:
    at = datetime(2026, 11, 27, 15, 40, tzinfo=UTC)  # 16:40 in Berlin
    digest = digest_of([report(1)], [win(1, MON, "x")], acknowledged_at=at)
    messages = digest_messages(digest)
    assert buttons(messages, ACK) == []
    assert "You acknowledged this week on Fri 27 Nov 16:40" in json.dumps(messages, ensure_ascii=False)


def test_a_manager_without_reports_gets_one_plain_message() -> None:
    messages = digest_messages(digest_of([], []))
    assert len(messages) == 1 and len(messages[0]["blocks"]) == 1


def test_sign_offs_are_in_the_members_own_time_and_marked_so_everywhere() -> None:
    tuesday, wednesday = MON + timedelta(days=1), MON + timedelta(days=2)
    plans = [  # New York is six hours behind the manager in Berlin: 18:30 there is already Thursday here
        PlanDay(1, tuesday, "summarized", 2, 2, None, "17:30"),
        PlanDay(1, wednesday, "summarized", 2, 2, None, "18:30"),
    ]
    digest = digest_of([report(1, "Ana")], [win(1, tuesday, "x")], plans)
    line = "Signed off (Ana's time, America/New_York): Tue 17:30, Wed 18:30"
    assert line in json.dumps(digest_messages(digest), ensure_ascii=False)
    assert line in json.dumps(digest_detail_views(digest.reports[0]), ensure_ascii=False)
    assert line in digest_text(digest)
    assert "23:30" not in digest_text(digest) + json.dumps(digest_messages(digest))


# -- escaping -------------------------------------------------------------------------------------------


def test_names_wins_metrics_and_blockers_are_escaped(client: WebClient) -> None:
    evil = WeekWin(
        1,
        1,
        "<!channel> ship & <@U123>",
        MON,
        "metric",
        "<!here> rate",
        2.0,
        "https://x.test/?a=1&b=<2>",
        "remote",
    )
    plan = PlanDay(1, MON, "summarized", 1, 1, "<!everyone> unblocked", "17:00")
    digest = digest_of([report(1, "<@U999> & co")], [evil], [plan])
    messages = digest_messages(digest)
    views = digest_detail_views(digest.reports[0])
    post(client, messages)
    client.views_open(trigger_id="t", view=views[0])
    for rendered in (messages, views):
        assert_no_live_markup(rendered)
    text = json.dumps(messages, ensure_ascii=False)
    assert "&lt;!channel&gt; ship &amp; &lt;@U123&gt;" in text and "&lt;@U999&gt; &amp; co" in text
    assert "&lt;!here&gt; rate" in text and "&lt;!everyone&gt; unblocked" in text
    assert "<https://x.test/?a=1&amp;b=&lt;2&gt;|link>" in json.dumps(views, ensure_ascii=False)
    plain = digest_text(digest)
    assert "<!channel> ship & <@U123>" in plain and "<@U999> & co" in plain  # the preview shows it as typed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=40)), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=300)), min_size=1, max_size=20).map(
        "".join
    ),
)
def test_any_text_renders_without_live_markup(name: str, text: str) -> None:
    wins = [win(1, MON + timedelta(days=n), text) for n in range(3)]
    digest = digest_of([report(1, name or "x")], wins)
    messages = digest_messages(digest)
    assert_no_live_markup(messages)
    assert_no_live_markup(digest_detail_views(digest.reports[0]))
    for message in messages:
        assert_within_limits(message["blocks"], 50)
    views = digest_detail_views(digest.reports[0])
    joined = "".join(b["text"]["text"] for v in views for b in v["blocks"] if b["type"] == "section")
    assert joined.count(mrkdwn(text)) >= 3


@given(st.text(alphabet="ab&<>;\n ", max_size=200), st.integers(min_value=5, max_value=40))
def test_long_text_is_split_into_sections_without_losing_or_breaking_a_character(
    text: str, limit: int
) -> None:
    pieces = split_shown(text, limit)
    assert "".join(pieces) == mrkdwn(text)
    assert all(len(piece) <= limit for piece in pieces)
    assert not any(re.search(r"&[a-z]*$", piece) for piece in pieces[:-1])  # no entity cut in two


def test_the_plain_text_preview_has_every_win_whole(big_team: Digest) -> None:
    text = digest_text(big_team)
    for week in big_team.reports:
        for shown in week.wins:
            assert shown.text in text
    assert text.startswith("Remote day wins · 23 Nov – 29 Nov 2026 (week 2026-W48)")
    assert "60 reports · 180 remote days · 2400 wins" in text


@pytest.mark.parametrize("page", [None, 1, 2, 40])
def test_a_report_key_reads_back_as_it_was_written(page: int | None) -> None:
    week = digest_of([report(7)], [win(7, MON, "shipped")]).reports[0]
    key = format_report_key(week, page)
    assert parse_report_key(key) == (7, WEEK, page or 1)


@pytest.mark.parametrize(
    "value", ["", "7", "x:2026-W48", "7:2026-W54", "7:2026-W48:x", "7:2026-W48:1:2", "7:week"]
)
def test_a_value_that_is_no_report_key_reads_as_none(value: str) -> None:
    assert parse_report_key(value) is None
