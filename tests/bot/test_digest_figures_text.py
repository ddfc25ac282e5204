"""How the digest's figures read (docs/DIGEST.md): what each covers, no 0 for "not logged", plans in
progress, ticked plan items apart from logged wins, sign-offs in the member's own time, kinds of day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from slack_sdk import WebClient

from bot.blocks.digest import digest_detail_views, digest_messages, digest_text
from rules.digest import Digest, DigestInputs, PlanDay, Report, WeekWin, build_digest
from tests.digest_tallies import tally, tally_metrics
from tests.fake_slack import FakeSlack

WEEK = "2026-W48"  # Monday 23 to Sunday 29 November 2026
MON = date(2026, 11, 23)
TUE, WED, THU, FRI = (MON + timedelta(days=d) for d in range(1, 5))
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the comparison covers the days up to Sunday 22
_ids = count(1)


def win(
    day: date, kind: str = "remote", source: str = "command", metric: tuple[str, float] | None = None
) -> WeekWin:
    name, value = metric if metric else (None, None)
    return WeekWin(next(_ids), 1, f"win on {day}", day, "shipped", name, value, None, kind, False, source)


def digest(
    wins: list[WeekWin],
    plans: list[PlanDay] | None = None,
    *,
    joined: date | None = MON - timedelta(days=7),
    now: datetime | None = MONDAY_NOON,
    **kw: Any,
) -> Digest:
    """Ana in Berlin (remote Tue–Thu), for a manager in New York; wins before the week are history."""
    ana = Report(1, "U1", "Ana", "Europe/Berlin", frozenset({1, 2, 3}), joined)
    inputs = DigestInputs(
        "T1",
        "UM",
        "America/New_York",
        WEEK,
        [ana],
        [w for w in wins if w.local_date >= MON],
        tally(wins),
        plans or [],
        metrics=tally_metrics(wins),
        now=now,
        **kw,
    )
    return build_digest(inputs)


def everything(built: Digest) -> str:
    """The DM, the Details modal and the plain-text preview, as one text to search."""
    views = digest_detail_views(built.reports[0]) if built.reports else []
    return json.dumps([digest_messages(built), views], ensure_ascii=False) + digest_text(built)


LAST_WEEK = [MON - timedelta(days=d) for d in range(7, 0, -1)]  # Mon 16 to Sun 22 November


def test_the_comparison_says_what_it_covers_and_compares_logged_wins() -> None:
    """1 and 2 office wins on Monday and Friday, 5 logged wins and 3 ticked items over Tue–Thu."""
    mon, tue, wed, thu, fri = LAST_WEEK[:5]
    wins = [win(mon, "office"), win(fri, "office"), win(fri, "office")]
    wins += [win(tue), win(tue), win(wed), win(thu), win(thu)]
    wins += [win(day, source="summary") for day in (tue, wed, thu)]
    text = everything(digest([*wins, win(MON, "office")]))
    line = "Over 3 remote and 2 office days (16 Nov – 22 Nov 2026): 1.7 wins logged per remote day"
    assert text.count(line + ", 1.5 per office day") == 5  # team and Ana in the DM and preview; Details
    assert "Last 4 weeks" not in text and "2.7" not in text  # (5 + 3) / 3 is never shown


def test_a_metric_never_logged_on_office_days_says_so_and_never_shows_0() -> None:
    tue, wed, thu = LAST_WEEK[1:4]
    wins = [win(tue, metric=("tickets closed", 4)), win(wed, metric=("tickets closed", 5)), win(thu)]
    wins.append(win(LAST_WEEK[0], "office"))
    built = digest(wins)
    line = "tickets closed 4.5 on 2 remote days vs no office days logged"
    assert line in everything(built)
    assert "0.0" not in everything(built)


def test_a_metric_on_both_sides_gives_each_sides_mean_and_days() -> None:
    wins = [win(day, metric=("PRs", n)) for day, n in zip(LAST_WEEK[1:4], (2, 3, 4), strict=True)]
    wins += [win(LAST_WEEK[0], "office", metric=("PRs", 1))]
    assert "PRs 3.0 on 3 remote days vs 1.0 on 1 office day" in everything(digest(wins))


def test_only_remote_days_say_there_is_nothing_on_the_other_side() -> None:
    wins = [win(day) for day in LAST_WEEK[1:4]]
    built = digest(wins, overrides={1: {LAST_WEEK[0]: "off", LAST_WEEK[4]: "holiday"}})
    line = "Over 3 remote days, no office days (16 Nov – 22 Nov 2026): 1.0 wins logged per remote day"
    assert line in everything(built)


def test_a_member_who_joined_today_has_nothing_to_compare_yet() -> None:
    built = digest([win(MON)], joined=MON)
    assert "No remote or office days to compare yet" in everything(built)


def test_a_plan_whose_day_is_still_going_is_in_progress() -> None:
    plans = [PlanDay(1, TUE, "summarized", 4, 3, None, "17:30"), PlanDay(1, FRI, "posted", 7, 2)]
    friday_noon = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
    text = everything(digest([win(TUE)], plans, now=friday_noon))
    assert "plans 3 of 4 done (75%), 1 plan in progress" in text
    assert "of 11" not in text
    alone = everything(digest([], [PlanDay(1, FRI, "posted", 7, 2)], now=friday_noon))
    assert "remote days: Tue, Wed, Thu · 1 plan in progress" in alone and "no plans" not in alone


def test_ticked_plan_items_are_shown_as_such_and_counted_apart() -> None:
    wins = [win(TUE), win(TUE, source="summary"), win(WED, source="summary")]
    text = everything(digest(wins, [PlanDay(1, TUE, "summarized", 3, 2)]))
    assert "1 report · 3 remote days · 3 wins (2 from ticked plan items) · plans 2 of 3 done (67%)" in text
    assert "Ana · 3 wins (2 from ticked plan items)" in text
    assert text.count("shipped, a ticked plan item") == 3 * 2  # DM, Details, preview; two items each
    one = everything(digest([win(TUE), win(TUE, source="summary")]))
    assert "2 wins (1 from a ticked plan item)" in one


def test_days_off_skipped_days_and_holidays_are_named_as_such() -> None:
    wins = [win(TUE, "unknown"), win(WED, "unknown"), win(THU, "unknown")]
    built = digest(wins, [PlanDay(1, TUE, "skipped", 0, 0)], overrides={1: {WED: "off", THU: "holiday"}})
    text = digest_text(built)
    assert "Tue 24 Nov (plan skipped)" in text and "Wed 25 Nov (day off)" in text
    assert "Thu 26 Nov (holiday)" in text
    assert "remote days: none" in text


def test_sign_offs_are_the_members_own_time_named_with_their_zone() -> None:
    plans = [PlanDay(1, TUE, "summarized", 2, 2, None, "23:45")]  # 17:45 in New York, the manager's
    text = everything(digest([win(TUE)], plans))
    assert text.count("Signed off (Ana's time, Europe/Berlin): Tue 23:45") == 3
    assert "17:45" not in text


def test_the_figures_pass_slacks_checks(fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UM", tz="America/New_York", name="boss")
    client = WebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    wins = [win(day, metric=("<!here> & tickets", 2)) for day in LAST_WEEK[1:4]] + [
        win(TUE, source="summary")
    ]
    built = digest(wins, [PlanDay(1, FRI, "posted", 3, 0)], now=datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    for message in digest_messages(built):
        client.chat_postMessage(channel="UM", **message)
    client.views_open(trigger_id="t", view=digest_detail_views(built.reports[0])[0])
    assert "&lt;!here&gt; &amp; tickets 2.0 on 3 remote days vs no office days logged" in json.dumps(
        digest_messages(built), ensure_ascii=False
    )


def test_nobody_logged_a_win_in_those_days_says_so_rather_than_no_days() -> None:
    text = digest_text(digest([win(TUE)]))
    assert (
        text.count("Over 3 remote and 2 office days (16 Nov – 22 Nov 2026): no wins logged to compare yet")
        == 2
    )
