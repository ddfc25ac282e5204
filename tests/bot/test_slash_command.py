"""`/remote-win <text>` and the text subcommands, through signed HTTP requests to the running app."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.services import Services
from storage.models import Member, Win
from tests.fake_slack import FakeSlack
from tests.support import SlackRequests, wait_until


def all_wins(services: Services) -> list[Win]:
    with services.sessions() as session:
        return list(session.scalars(select(Win).order_by(Win.id)))


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
    [win] = all_wins(services)
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
    [win] = all_wins(services)
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
    fake_slack.delay("users.info", 1.0)  # a first-time member needs users.info
    reply = slack.command("wrote the migration plan")
    assert reply.seconds < 1.0
    assert "Saving your win" in reply.json()["text"]
    _url, follow_up = wait_until(lambda: fake_slack.responses, what="the follow-up")[0]
    assert follow_up["replace_original"] is True
    assert "wrote the migration plan" in block_texts(follow_up)
    assert [w.text for w in all_wins(services)] == ["wrote the migration plan"]
