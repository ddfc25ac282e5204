"""The weekly digest and recap on the clock: who gets what, when, and how many times, against the fake Slack.

A manager's digest is due at their local digest time (default Friday 16:00) and each report's recap an
hour before it; both go through the ledger under the ISO week. The clock is always passed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import build_services
from bot.services import Services
from remote_wins.config import Settings
from rules.wins import WinDraft
from storage.members import MemberRef, save_member
from storage.models import Member, PromptSlot
from storage.schedules import NEVER_CHECKED, reschedule
from storage.settings import save_settings, settings_of
from storage.wins import add_win
from tests.conftest import SIGNING_SECRET, manifest_scopes
from tests.fake_slack import FakeSlack
from tests.fake_slack import Message as Posted
from tests.jobs.test_tick import cli_env, ledger, tick
from tests.remote_wins.test_cli import remote_wins
from tests.support import add_member, png_size, save_win, visible_text

TEAM = "T0001"
WEEK = "2026-W48"  # Mon 23 Nov - Sun 29 Nov 2026
MON = date(2026, 11, 23)
JOINED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SETUP = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday morning, before anything is due
DIGEST_AT = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Fri 27 Nov, 16:00 in Berlin (+01:00)
RECAP_AT = DIGEST_AT - timedelta(hours=1)


# -- helpers -------------------------------------------------------------------------------------------


def person(
    services: Services, fake: FakeSlack, user_id: str, tz: str = "Europe/Berlin", **settings: Any
) -> MemberRef:
    """A member in Slack and in the database with `settings` set, their slots computed as of SETUP."""
    return add_member(
        services, user_id, slack=fake, team=TEAM, tz=tz, joined=JOINED, slots_at=SETUP, **settings
    )


log = partial(save_win, at=SETUP)


def team_with_wins(
    services: Services, fake: FakeSlack, manager_tz: str = "Europe/Berlin", report_tz: str = "Europe/Berlin"
):
    """UM manages UA and UB, who logged a win each on Monday and Tuesday of the week."""
    manager = person(services, fake, "UM", manager_tz)
    reports = [person(services, fake, user, report_tz, manager_user_id="UM") for user in ("UA", "UB")]
    for ref in reports:
        log(services, ref, f"{ref.user_id} shipped the importer", MON, day_kind="remote")
        log(services, ref, f"{ref.user_id} fixed the flaky build", MON + timedelta(days=1), day_kind="office")
    return manager, reports


def slot_of(services: Services, user_id: str, kind: str) -> tuple[datetime, date] | None:
    with services.sessions() as session:
        row = session.execute(
            select(PromptSlot.due_at, PromptSlot.local_date)
            .join(Member, Member.id == PromptSlot.member_id)
            .where(Member.user_id == user_id, PromptSlot.kind == kind)
        ).first()
    return None if row is None else tuple(row)


def dm(fake: FakeSlack, user_id: str) -> list[Posted]:
    return [m for m in fake.messages if m.channel == "D" + user_id[1:]]


text_of = visible_text  # test_digest_window.py imports it by this name (left alone while it is refactored)


def action_ids(message: Posted) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for block in message.blocks or []
        if block["type"] == "actions"
        for e in block["elements"]
    }


def charts(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [f for f in fake.files.values() if f.get("channel_id") == channel]


def weekly_rows(services: Services) -> list[tuple[str, str, str, str]]:
    return sorted((r.user_id, r.kind, r.period, r.status) for r in ledger(services))


# -- scheduling ------------------------------------------------------------------------------------------


def test_a_named_manager_gets_a_digest_slot_and_each_report_a_recap_an_hour_before(
    services: Services, fake_slack: FakeSlack
) -> None:
    team_with_wins(services, fake_slack)
    assert slot_of(services, "UM", "digest") == (DIGEST_AT, date(2026, 11, 27))
    assert slot_of(services, "UA", "recap") == (RECAP_AT, date(2026, 11, 27))
    assert slot_of(services, "UB", "recap") == (RECAP_AT, date(2026, 11, 27))
    assert slot_of(services, "UA", "digest") is None  # nobody reports to UA


def test_a_manager_the_bot_never_met_gets_a_row_and_moves_when_slack_says_where_they_are(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UA", manager_user_id="UM")  # UM has never used the bot
    with services.sessions() as session:
        manager = session.scalars(select(Member).filter_by(user_id="UM")).one()
        assert (manager.tz, manager.tz_checked_at) == ("UTC", NEVER_CHECKED)
    assert slot_of(services, "UM", "digest") == (
        datetime(2026, 11, 27, 16, 0, tzinfo=UTC),
        date(2026, 11, 27),
    )
    assert slot_of(services, "UA", "recap") == (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), date(2026, 11, 27))
    with services.sessions.begin() as session:  # bot.directory refreshes the row from users.info
        save_member(session, TEAM, "UM", tz="Asia/Tokyo", display_name="um", now=SETUP)
    assert slot_of(services, "UM", "digest") == (datetime(2026, 11, 27, 7, 0, tzinfo=UTC), date(2026, 11, 27))
    # 16:00 in Tokyo is 08:00 in Berlin, before UA's day: the recap comes at the end of their Thursday.
    assert slot_of(services, "UA", "recap") == (datetime(2026, 11, 26, 17, 0, tzinfo=UTC), date(2026, 11, 27))


def test_dropping_a_manager_ends_the_recap_and_the_last_report_ends_the_digest(
    services: Services, fake_slack: FakeSlack
) -> None:
    _, (ana, bo) = team_with_wins(services, fake_slack)
    for ref, left in ((ana, True), (bo, False)):
        with services.sessions.begin() as session:
            current = settings_of(session, ref.id)
            save_settings(session, ref.id, current.__class__(**{**vars(current), "manager": None}), SETUP)
        assert slot_of(services, ref.user_id, "recap") is None
        assert (slot_of(services, "UM", "digest") is not None) == left


def test_changing_manager_moves_the_recap_to_the_new_managers_digest(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM")
    person(services, fake_slack, "UN", "America/New_York")
    ana = person(services, fake_slack, "UA", manager_user_id="UM")
    with services.sessions.begin() as session:
        current = settings_of(session, ana.id)
        save_settings(session, ana.id, current.__class__(**{**vars(current), "manager": "UN"}), SETUP)
    assert slot_of(services, "UM", "digest") is None
    new_digest = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)  # 16:00 in New York
    assert slot_of(services, "UN", "digest") == (new_digest, date(2026, 11, 27))
    # An hour before is 21:00 in Berlin, after UA's day: the recap comes at its end, 18:00 (17:00 UTC).
    assert slot_of(services, "UA", "recap") == (datetime(2026, 11, 27, 17, 0, tzinfo=UTC), date(2026, 11, 27))


# -- sending ---------------------------------------------------------------------------------------------


def test_one_digest_at_friday_1600_with_its_chart_in_the_thread_and_the_recaps_an_hour_before(
    services: Services, fake_slack: FakeSlack
) -> None:
    team_with_wins(services, fake_slack)
    assert tick(services, RECAP_AT - timedelta(minutes=1)).sent == 0

    recaps = tick(services, RECAP_AT)
    assert sorted((i.user_id, i.kind, i.period, i.outcome) for i in recaps.items) == [
        ("UA", "recap", WEEK, "sent"),
        ("UB", "recap", WEEK, "sent"),
    ]
    (recap,) = dm(fake_slack, "UA")
    buttons = action_ids(recap)  # Acknowledge and Ask are the manager's; Details opens the member's own week
    assert {k: v for k, v in buttons.items() if k != "digest_details"} == {
        "recap_private": WEEK,
        "recap_add": WEEK,
    }
    assert buttons["digest_details"].endswith(f":{WEEK}")
    assert "UA shipped the importer" in visible_text(recap) and "UB" not in visible_text(recap)
    assert "<@UM>" in visible_text(recap) and dm(fake_slack, "UM") == []

    assert tick(services, DIGEST_AT - timedelta(minutes=1)).sent == 0
    report = tick(services, DIGEST_AT)
    assert [(i.user_id, i.kind, i.period, i.outcome, i.error) for i in report.items] == [
        ("UM", "digest", WEEK, "sent", None)
    ]
    (digest,) = dm(fake_slack, "UM")
    assert digest.thread_ts is None
    shown = visible_text(digest)
    for user in ("UA", "UB"):
        assert f"{user} shipped the importer" in shown and f"{user} fixed the flaky build" in shown
    assert "digest_ack" in action_ids(digest)
    (chart,) = charts(fake_slack, digest.channel)
    assert chart["thread_ts"] == digest.ts
    assert png_size(fake_slack.uploads[chart["id"]]) == (1200, 500)

    (row,) = [r for r in ledger(services) if r.kind == "digest"]
    assert (row.status, row.channel, row.ts, row.due_at, row.error) == (
        "sent",
        digest.channel,
        digest.ts,
        DIGEST_AT,
        None,
    )
    for later in (DIGEST_AT, DIGEST_AT + timedelta(minutes=1), DIGEST_AT + timedelta(hours=1)):
        assert tick(services, later).sent == 0
    assert len(fake_slack.messages) == 3 and len(fake_slack.files) == 1
    assert slot_of(services, "UM", "digest") == (DIGEST_AT + timedelta(weeks=1), date(2026, 12, 4))
    assert slot_of(services, "UA", "recap") == (RECAP_AT + timedelta(weeks=1), date(2026, 12, 4))


def test_a_digest_slot_recomputed_after_it_was_sent_sends_nothing_twice(
    services: Services, fake_slack: FakeSlack
) -> None:
    manager, _ = team_with_wins(services, fake_slack)
    assert tick(services, DIGEST_AT).sent == 3  # the recaps, late but within the grace window, and the digest
    with services.sessions.begin() as session:
        reschedule(session, manager.id, DIGEST_AT - timedelta(minutes=1))  # this week's digest is due again
    again = tick(services, DIGEST_AT + timedelta(minutes=1))
    assert (again.sent, again.already_claimed) == (0, 1)
    assert len(dm(fake_slack, "UM")) == 1


def test_jobs_run_digest_twice_sends_each_message_once(
    services: Services, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    team_with_wins(services, fake_slack)
    env = cli_env(fake_slack, database_url)
    at = "2026-11-27T16:00:00+01:00"
    dry = remote_wins("jobs", "run", "digest", "--at", at, "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 0, dry.stderr
    assert sorted(dry.stdout.splitlines()[1:]) == [
        f"UA\trecap\t{WEEK}\twould send",
        f"UB\trecap\t{WEEK}\twould send",
        f"UM\tdigest\t{WEEK}\twould send",
    ]
    assert fake_slack.messages == []
    first = remote_wins("jobs", "run", "digest", "--at", at, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "digest tick at 2026-11-27T15:00:00Z: sent 3, failed 0" in first.stdout
    second = remote_wins("jobs", "run", "digest", "--at", at, cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "sent 0" in second.stdout
    assert tick(services, DIGEST_AT + timedelta(minutes=1)).sent == 0  # nor the clock after it
    assert [len(dm(fake_slack, user)) for user in ("UM", "UA", "UB")] == [1, 1, 1]
    assert len(fake_slack.files) == 1
    assert weekly_rows(services) == [
        ("UA", "recap", WEEK, "sent"),
        ("UB", "recap", WEEK, "sent"),
        ("UM", "digest", WEEK, "sent"),
    ]


def test_a_429_on_the_first_attempts_still_sends_the_digest_once(
    services: Services, fake_slack: FakeSlack
) -> None:
    team_with_wins(services, fake_slack)
    tick(services, RECAP_AT)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    report = tick(services, DIGEST_AT)
    assert (report.sent, report.failed) == (1, 0)
    assert fake_slack.ratelimited["chat.postMessage"] == 2
    assert len(dm(fake_slack, "UM")) == 1
    assert tick(services, DIGEST_AT + timedelta(minutes=1)).sent == 0
    assert len(dm(fake_slack, "UM")) == 1


def test_a_digest_refused_for_a_passing_reason_is_sent_by_a_later_tick(
    services: Services, fake_slack: FakeSlack
) -> None:
    team_with_wins(services, fake_slack)
    tick(services, RECAP_AT)
    fake_slack.fail_next("chat.postMessage", status=503, times=3)  # the call and both of its retries
    assert tick(services, DIGEST_AT).failed == 1
    retried = tick(services, DIGEST_AT + timedelta(minutes=1))
    assert (retried.sent, retried.retried) == (1, 1)
    assert len(dm(fake_slack, "UM")) == 1 and len(fake_slack.files) == 1


@pytest.fixture
def no_files_services(database_url: str) -> Iterator[tuple[Services, FakeSlack]]:
    """The app installed without `files:write`: Slack answers the upload with missing_scope."""
    with FakeSlack(scopes=manifest_scopes() - {"files:write"}) as fake:
        settings = Settings(
            bot_token=fake.bot_token,
            signing_secret=SIGNING_SECRET,
            app_token=fake.app_token,
            slack_api_url=fake.api_url,
            database_url=database_url,
            port=0,
            web_concurrency=1,
            log_level="INFO",
        )
        built = build_services(settings)
        yield built, fake
        built.close()


def test_without_files_write_the_digest_goes_out_without_its_chart(
    no_files_services: tuple[Services, FakeSlack],
) -> None:
    services, fake = no_files_services
    team_with_wins(services, fake)
    report = tick(services, DIGEST_AT)
    digest_item = next(i for i in report.items if i.kind == "digest")
    assert digest_item.outcome == "sent"
    assert digest_item.error == "chart not uploaded: missing_scope (files:write)"
    assert len(dm(fake, "UM")) == 1 and fake.files == {} and fake.uploads == {}
    (row,) = [r for r in ledger(services) if r.kind == "digest"]
    assert (row.status, row.error) == ("sent", "chart not uploaded: missing_scope (files:write)")
    assert tick(services, DIGEST_AT + timedelta(minutes=1)).sent == 0  # a chart is not worth a second digest


def test_a_failed_upload_still_counts_the_digest_as_sent(services: Services, fake_slack: FakeSlack) -> None:
    team_with_wins(services, fake_slack)
    tick(services, RECAP_AT)
    fake_slack.fail_next("upload", status=500)
    report = tick(services, DIGEST_AT)
    assert report.sent == 1 and report.items[0].error and "chart not uploaded" in report.items[0].error
    assert len(dm(fake_slack, "UM")) == 1


def test_a_manager_a_day_ahead_of_the_reports_gets_the_reports_own_days(
    services: Services, fake_slack: FakeSlack
) -> None:
    """Kiritimati (+14) is a day ahead of Los Angeles (-08): its Fri 16:00 is the reports Thu 18:00. A
    first digest covers the week before it, on each calendar."""
    person(services, fake_slack, "UM", "Pacific/Kiritimati")
    ana = person(services, fake_slack, "UA", "America/Los_Angeles", manager_user_id="UM")
    old = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # saved more than a week before the first digest
    log(services, ana, "a Sunday of the week before", date(2026, 11, 19), at=old)
    log(services, ana, "Monday's win in Los Angeles", MON)
    log(services, ana, "Thursday's win in Los Angeles", date(2026, 11, 26))
    digest_at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Fri 16:00 in Kiritimati, Thu 18:00 in LA
    assert slot_of(services, "UM", "digest") == (digest_at, date(2026, 11, 27))
    assert slot_of(services, "UA", "recap") == (digest_at - timedelta(hours=1), date(2026, 11, 27))

    assert tick(services, digest_at).sent == 2
    assert weekly_rows(services) == [("UA", "recap", WEEK, "sent"), ("UM", "digest", WEEK, "sent")]
    for user in ("UM", "UA"):
        shown = visible_text(dm(fake_slack, user))
        assert "Monday's win in Los Angeles" in shown and "Thursday's win in Los Angeles" in shown
        assert "a Sunday of the week before" not in shown
    assert "20 Nov – 27 Nov 2026" in visible_text(dm(fake_slack, "UM"))  # Kiritimati's days
    assert "19 Nov – 26 Nov 2026" in visible_text(dm(fake_slack, "UA"))  # Ana's recap: her own days


def test_a_team_of_60_with_40_wins_each_fits_in_slacks_limits(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM")
    long_text = "A long account of the migration. " * 61  # about 2,000 characters
    names = [f"U{n:03d}" for n in range(60)]
    for user in names:
        fake_slack.add_user(user, tz="Europe/Berlin", name=user.lower())
    with services.sessions.begin() as session:
        for user in names:
            ref = save_member(session, TEAM, user, tz="Europe/Berlin", display_name=user.lower(), now=JOINED)
            session.get(Member, ref.id).manager_user_id = "UM"
            session.flush()
            reschedule(session, ref.id, SETUP)
            for n in range(40):
                text = long_text[:2000] if n % 8 == 3 else f"{user} win {n} <&> @here"
                draft = WinDraft(text, MON + timedelta(days=n % 5), day_kind=("remote", "office")[n % 2])
                add_win(session, ref, draft, source="command", source_ref=None, now=SETUP)

    recaps = tick(services, RECAP_AT)
    assert (recaps.sent, recaps.failed) == (60, 0)
    digest = tick(services, DIGEST_AT)
    assert [(i.kind, i.outcome, i.error) for i in digest.items] == [("digest", "sent", None)]
    posted = fake_slack.calls_to("chat.postMessage")
    assert len(posted) == len(fake_slack.messages) == 60 + len(dm(fake_slack, "UM"))  # none refused
    first, *thread = dm(fake_slack, "UM")
    assert thread and all(m.thread_ts == first.ts for m in thread)
    shown = visible_text([first, *thread])
    assert all(f"*{user.lower()}*" in shown for user in names)
    assert "<!here>" not in shown and "&lt;&amp;&gt; @here" in shown  # escaped: no mention
    (chart,) = charts(fake_slack, first.channel)
    assert chart["thread_ts"] == first.ts


def test_a_digest_that_nobody_shares_with_is_skipped(services: Services, fake_slack: FakeSlack) -> None:
    person(services, fake_slack, "UM")
    person(services, fake_slack, "UA", manager_user_id="UM", sharing_paused=True)
    assert slot_of(services, "UM", "digest") is not None  # someone names UM, but shares nothing
    report = tick(services, DIGEST_AT)
    assert (report.sent, report.skipped) == (0, 2)
    assert weekly_rows(services) == [("UA", "recap", WEEK, "skipped"), ("UM", "digest", WEEK, "skipped")]
    assert fake_slack.messages == [] and fake_slack.files == {}


def test_a_manager_whose_only_report_left_is_skipped_and_their_slot_ends(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM")
    ana = person(services, fake_slack, "UA", manager_user_id="UM")
    with services.sessions.begin() as session:  # gone from Slack, after the slot was computed
        session.get(Member, ana.id).deactivated = True
    report = tick(services, DIGEST_AT)
    assert [(i.user_id, i.kind, i.outcome) for i in report.items] == [
        ("UA", "recap", "skipped"),
        ("UM", "digest", "skipped"),
    ]
    assert slot_of(services, "UM", "digest") is None and fake_slack.messages == []


def test_a_manager_who_paused_their_own_prompts_still_gets_the_digest_but_a_paused_report_no_recap(
    services: Services, fake_slack: FakeSlack
) -> None:
    person(services, fake_slack, "UM", paused=True)
    ana = person(services, fake_slack, "UA", manager_user_id="UM", paused=True)
    log(services, ana, "shipped it", MON)
    assert slot_of(services, "UA", "recap") is None
    report = tick(services, DIGEST_AT)
    assert [(i.user_id, i.kind, i.outcome) for i in report.items] == [("UM", "digest", "sent")]
    assert "shipped it" in visible_text(dm(fake_slack, "UM"))
