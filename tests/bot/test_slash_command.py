"""`/remote-win <text>` and the text subcommands, through signed HTTP requests to the running app."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from bot.blocks.escape import MESSAGE_TEXT
from bot.blocks.kit import text_size
from bot.services import Services
from rules.calendar import local_today
from rules.wins import WinDraft
from storage.members import find_member
from storage.models import DayOverride, Member
from storage.wins import add_win
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, saved_wins, wait_until


def block_texts(message: dict) -> str:
    parts = []
    for block in message.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return "\n".join(parts)


def test_a_win_is_saved_and_the_ack_says_so_with_undo_and_edit(
    slack: SlackRequests, services: Services
) -> None:
    reply = slack.command("shipped the Q3 report")
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "shipped the Q3 report" in block_texts(body)
    assert [e["action_id"] for e in body["blocks"][-1]["elements"]] == ["win_undo", "win_edit"]
    [win] = saved_wins(services)
    assert (win.text, win.source, win.category, win.day_kind) == (
        "shipped the Q3 report",
        "command",
        "other",
        "unknown",
    )
    assert body["blocks"][-1]["elements"][0]["value"] == str(win.id)


def test_the_win_is_dated_in_the_members_time_zone(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U9", tz="Pacific/Kiritimati")  # +14: already tomorrow when UTC says 23 Nov 11:00
    services.clock = lambda: datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    slack.command("closed the sprint", user="U9")
    [win] = saved_wins(services)
    assert win.local_date == date(2026, 11, 24)
    with services.sessions() as session:
        member = session.scalars(select(Member).filter_by(user_id="U9")).one()
    assert member.tz == "Pacific/Kiritimati"


def test_the_time_zone_is_cached_so_slack_is_asked_once(slack: SlackRequests, fake_slack: FakeSlack) -> None:
    slack.command("one")
    slack.command("two")
    assert len(fake_slack.calls_to("users.info")) == 1


def test_a_slow_slack_still_gets_an_ack_in_time_and_the_result_follows(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    services.ack_budget = 0.2
    slack_answers = fake_slack.hold("users.info")  # a first-time member needs users.info
    reply = slack.command("wrote the migration plan")
    assert "Saving your win" in reply.json()["text"]
    assert saved_wins(services) == []  # the ack came while Slack had not answered: nothing waited for it
    slack_answers.set()
    _url, follow_up = wait_until(lambda: fake_slack.responses, what="the follow-up")[0]
    assert follow_up["replace_original"] is True
    assert "wrote the migration plan" in block_texts(follow_up)
    assert [w.text for w in saved_wins(services)] == ["wrote the migration plan"]


def test_a_retried_request_saves_the_win_once(slack: SlackRequests, services: Services) -> None:
    body = slack.command_body("fixed the flaky build")
    assert slack.post(body, "application/x-www-form-urlencoded").status == 200
    assert slack.post(body, "application/x-www-form-urlencoded").status == 200
    assert len(saved_wins(services)) == 1


def test_mentions_are_stored_as_typed_and_shown_without_pinging(
    slack: SlackRequests, services: Services
) -> None:
    # With should_escape, Slack sends mentions as ids and escapes the member's own & < >.
    reply = slack.command("helped <@U2|bo> &amp; told <!channel> &lt;3")
    [win] = saved_wins(services)
    assert win.text == "helped @bo & told @channel <3"
    shown = block_texts(reply.json())
    assert "helped @bo &amp; told @channel &lt;3" in shown
    assert "<!channel>" not in shown and "<@" not in shown


def test_list_shows_this_weeks_wins_in_the_members_days(slack: SlackRequests, services: Services) -> None:
    services.clock = lambda: datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    slack.command("wednesday win")
    services.clock = lambda: datetime(2026, 11, 17, 12, 0, tzinfo=UTC)  # the week before
    slack.command("last week's win")
    services.clock = lambda: datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    this_week = block_texts(slack.command("list").json())
    assert "wednesday win" in this_week and "last week's win" not in this_week
    assert "Your wins, Mon 23 Nov – Sun 29 Nov: 1" in this_week
    last_week = block_texts(slack.command("list last week").json())
    assert "last week's win" in last_week and "wednesday win" not in last_week
    ranged = block_texts(slack.command("list 2026-11-01..2026-11-30").json())
    assert "last week's win" in ranged and "wednesday win" in ranged


def test_a_long_list_stays_within_slacks_limits_and_says_what_it_left_out(
    slack: SlackRequests, services: Services
) -> None:
    slack.command("the first win")  # creates the member
    now = services.clock()
    with services.sessions.begin() as session:
        member = find_member(session, "T0001", "U1")
        for n in range(600):
            draft = WinDraft(f"win {n} " + "x&" * 140, local_today(now, member.tz))
            add_win(session, member, draft, source="command", source_ref=None, now=now)
    body = slack.command("list").json()
    assert len(body["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in body["blocks"] if b["type"] == "section")
    listed = block_texts(body).count("• ")
    left_out = int(body["blocks"][-1]["elements"][0]["text"].split()[1])
    assert left_out > 0
    assert listed + left_out == 601


def test_undo_removes_the_last_win_and_gives_its_text_back(slack: SlackRequests, services: Services) -> None:
    slack.command("first")
    slack.command("second")
    reply = block_texts(slack.command("undo").json())
    assert "second" in reply
    assert [w.text for w in saved_wins(services)] == ["first"]
    slack.command("undo")
    assert "no wins to undo" in block_texts(slack.command("undo").json())


def test_delete_touches_only_the_members_own_wins(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2", tz="UTC")
    slack.command("ana's win", user="U1")
    [win] = saved_wins(services)
    assert f"no win #{win.id}" in block_texts(slack.command(f"delete {win.id}", user="U2").json())
    assert len(saved_wins(services)) == 1
    assert "ana's win" in block_texts(slack.command(f"delete #{win.id}", user="U1").json())
    assert saved_wins(services) == []


def test_edit_opens_the_form_prefilled(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.command("draft text")
    [win] = saved_wins(services)
    assert slack.command(f"edit {win.id}").status == 200
    call = wait_until(lambda: fake_slack.calls_to("views.open"), what="views.open")[0]
    view = call.params["view"]
    assert view["blocks"][0]["element"]["initial_value"] == "draft text"
    assert f'"win_id": {win.id}' in view["private_metadata"]


def test_typos_and_bad_arguments_get_the_help_and_save_nothing(
    slack: SlackRequests, services: Services
) -> None:
    for text in ("lsit", "delete abc", "edit", "undo everything", "list yesterday", "help me"):
        reply = slack.command(text)
        assert reply.status == 200
        shown = block_texts(reply.json())
        assert "/remote-win list" in shown, text  # the help itself
        assert "You typed:" in shown
    assert saved_wins(services) == []


def test_log_saves_a_win_that_starts_with_a_command_word(slack: SlackRequests, services: Services) -> None:
    slack.command("log undo the bad deploy")
    assert [w.text for w in saved_wins(services)] == ["undo the bad deploy"]


def test_a_save_that_fails_echoes_the_text(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    slack.command("warm the member cache")
    with services.engine.begin() as connection:  # the wins table is gone: every save fails
        connection.exec_driver_sql("ALTER TABLE wins RENAME TO wins_away")
    try:
        reply = slack.command("the text I must not lose")
        assert reply.status == 200
        shown = block_texts(reply.json())
        assert "Not saved" in shown and "the text I must not lose" in shown
    finally:
        with services.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE wins_away RENAME TO wins")


def test_a_win_is_tagged_remote_or_office_by_the_members_schedule(
    slack: SlackRequests, services: Services
) -> None:
    slack.command("before any schedule")
    with services.sessions.begin() as session:
        member = session.scalars(select(Member).filter_by(user_id="U1")).one()
        member.remote_days = 0b0000110  # Tuesday and Wednesday
        session.add(DayOverride(member_id=member.id, local_date=date(2026, 11, 26), kind="remote"))
    services.members.forget("T0001", "U1")
    for day, text in (
        (23, "monday"),
        (24, "tuesday"),
        (26, "thursday, remote by override"),
        (28, "saturday"),
    ):
        services.clock = lambda day=day: datetime(2026, 11, day, 12, 0, tzinfo=UTC)
        slack.command(text)
    assert [(w.text, w.day_kind) for w in saved_wins(services)] == [
        ("before any schedule", "unknown"),
        ("monday", "office"),
        ("tuesday", "remote"),
        ("thursday, remote by override", "remote"),
        ("saturday", "unknown"),
    ]


def test_the_same_trigger_id_from_two_members_saves_two_wins(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    """Slack's trigger ids are unique per request, not a key across members: each member's win is saved."""
    fake_slack.add_user("U2", tz="UTC")

    def with_trigger(body: bytes) -> bytes:
        return urlencode(dict(parse_qsl(body.decode())) | {"trigger_id": "13345.same"}).encode()

    ana = with_trigger(slack.command_body("ana's win", user="U1"))
    ben = with_trigger(slack.command_body("ben's win", user="U2"))
    assert "ana's win" in block_texts(slack.post(ana, "application/x-www-form-urlencoded").json())
    assert "ben's win" in block_texts(slack.post(ben, "application/x-www-form-urlencoded").json())
    assert sorted(w.text for w in saved_wins(services)) == ["ana's win", "ben's win"]
    slack.post(ben, "application/x-www-form-urlencoded")  # ben's retry still saves once
    assert len(saved_wins(services)) == 2


def test_a_long_list_keeps_its_text_within_slacks_total_for_a_message(
    slack: SlackRequests, services: Services
) -> None:
    slack.command("the first win")
    now = services.clock()
    with services.sessions.begin() as session:
        member = find_member(session, "T0001", "U1")
        for n in range(100):
            draft = WinDraft(f"win {n} " + "y" * 280, local_today(now, member.tz))
            add_win(session, member, draft, source="command", source_ref=None, now=now)
    body = slack.command("list").json()
    assert text_size(body["blocks"]) <= MESSAGE_TEXT
    listed = block_texts(body).count("• ")
    left_out = int(body["blocks"][-1]["elements"][0]["text"].split()[1])
    assert listed + left_out == 101 and left_out > 0
