"""The trial's edge cases against the fake Slack: a trial started in the past, one ended early, no office
days to compare against, the text form, who may press what, exactly once when two clocks race, and the
overwork guard (the member's alone, and it can be turned off)."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, update

from bot.home import publish_home
from bot.services import Services
from jobs.tick import _claim_trial
from rules.wins import WinDraft
from storage.models import Trial, TrialCheckin
from storage.trials import due_work
from storage.wins import add_win
from tests.bot.test_plans import element, press
from tests.fake_slack import FakeSlack, Message
from tests.jobs.test_tick import ledger
from tests.jobs.test_trial_simulation import Simulation, at
from tests.support import SlackRequests, visible_text, wait_until

MON = date(2026, 3, 2)


@pytest.fixture
def sim(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Simulation:
    simulation = Simulation(services, slack, fake_slack)
    simulation.setup()
    return simulation


def dms(fake: FakeSlack, user: str) -> list[Message]:
    return [m for m in fake.messages if m.channel == "D" + user[1:] and not m.thread_ts]


def checkins(services: Services) -> list[tuple[int, str, bool, date]]:
    with services.sessions() as session:
        rows = session.execute(
            select(
                TrialCheckin.day, TrialCheckin.state, TrialCheckin.final, TrialCheckin.local_date
            ).order_by(TrialCheckin.day)
        )
        return [tuple(r) for r in rows]


def titled(fake: FakeSlack, user: str, words: str) -> list[Message]:
    return [m for m in dms(fake, user) if words in visible_text(m)]


def test_a_trial_started_in_the_past_skips_the_check_ins_already_past(
    sim: Simulation, services: Services
) -> None:
    sim.clock.now = at(MON + timedelta(days=40), 12)  # day 41
    started = sim.command("trial start 2026-03-02 90 days checkins 30,60")
    assert "Check-ins after days 30 were already past" in started
    assert "The proposal went to your manager <@UM>" in started
    assert checkins(services) == [
        (30, "passed", False, date(2026, 4, 1)),
        (60, "due", False, date(2026, 5, 1)),
        (90, "due", True, date(2026, 6, 1)),
    ]
    sim.run_until(at(date(2026, 5, 1), 12))
    assert titled(sim.fake, "UA", "Check-in after day 30") == []
    (day60,) = titled(sim.fake, "UA", "Check-in after day 60 of 90 (2 Mar – 30 Apr 2026)")
    assert "Since the last check-in" not in visible_text(day60)  # no earlier check-in was sent: no trend


def test_ending_early_cancels_the_rest_and_the_final_check_in_comes_next_morning(
    sim: Simulation, services: Services
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start")
    sim.clock.now = at(MON + timedelta(days=39), 18)  # Fri 10 Apr, day 40
    ended = sim.command("trial end")
    assert "Your trial ends today, day 40" in ended and "Mon 13 Apr at 09:00" in ended  # Saturday is off
    assert checkins(services) == [
        (30, "due", False, date(2026, 4, 1)),
        (40, "due", True, date(2026, 4, 13)),
        (60, "cancelled", False, date(2026, 5, 1)),
        (90, "cancelled", False, date(2026, 6, 1)),
    ]
    assert "You have no trial running" in sim.command("trial end")
    sim.run_until(at(date(2026, 6, 2), 12))
    (final,) = titled(sim.fake, "UA", "Final check-in after day 40 of 90 (2 Mar – 10 Apr 2026)")
    assert sim.arrivals[("member", 40)][0] == at(date(2026, 4, 13), 9)
    assert len(titled(sim.fake, "UA", "*Your remote-work trial: ")) == 2
    assert "Since the last check-in (1 Apr – 10 Apr 2026)" in visible_text(final)
    assert "cancelled (the trial ended early)" in sim.command("trial show")
    assert "You have no trial yet" not in sim.command("trial show")
    assert "Your remote-work trial is recorded" in sim.command("trial start")  # a new one may start now


def test_no_office_days_says_so_and_never_divides_by_zero(sim: Simulation, services: Services) -> None:
    """Remote every weekday, metrics never logged, no baseline: every figure still reads."""
    sim.clock.now = at(MON, 8)
    sim.command("days mon,tue,wed,thu,fri")
    sim.command("trial start 2026-03-09 30 days checkins 10")
    for offset in range(7, 40):
        day = MON + timedelta(days=offset)
        if day.weekday() < 5:
            with services.sessions.begin() as session:
                draft = WinDraft("w", day, day_kind="remote")
                add_win(session, sim.member, draft, source="command", source_ref=None, now=at(day, 10))
    sim.run_until(at(date(2026, 3, 19), 12))
    (first,) = titled(sim.fake, "UA", "Check-in after day 10 of 30")
    body = visible_text(first)
    assert "1.0 wins logged per remote day (8 on 8 days), no office days to compare against" in body
    assert "tickets closed (at least 12 a week): not logged yet" in body
    assert "first response (at most 10 minutes a day): not logged yet" in body
    assert "Start of day 10:00 remote (8 days) vs – office (0 days)" in body
    assert "length – (0 days) vs – (0 days)" in body  # one moment a day: a start, no length
    assert "*Questions:* No questions asked through remote-wins in these days" in body  # not a 0%


def test_the_text_form_a_running_trial_and_who_may_answer(sim: Simulation, services: Services) -> None:
    sim.fake.add_user("UX", tz="UTC", name="stranger")
    sim.clock.now = at(MON, 8)
    assert "trial form can't open from a direct message" not in sim.command("trial show")
    assert "You have no trial yet" in sim.command("trial show")
    started = sim.command("trial start today 60 days checkins 20,40")
    assert "Start Mon 2 Mar 2026, 60 days (to Thu 30 Apr 2026)" in started
    assert "Check-ins after days 20, 40, 60" in started
    assert "remote on Tue, Wed, Thu; reachable 09:00–18:00 via Slack" in started
    publish_home(services, "T0001", "UA")
    home = json.dumps(sim.fake.home_views["UA"], ensure_ascii=False)
    assert "Remote-work trial: day 1 of 60 · next check-in Mon 23 Mar 2026" in home
    again = sim.command("trial start")
    assert "You have a trial running since Mon 2 Mar 2026" in again and "You typed" in again

    def proposals() -> list[Message]:  # after the DM telling UM they were named as manager
        return [m for m in dms(sim.fake, "UM") if "proposes a remote-work trial" in visible_text(m)]

    proposal = wait_until(proposals, what="the proposal")[0]
    press(sim.slack, proposal, element(proposal, "trial_discuss"), user="UX")
    wait_until(lambda: dms(sim.fake, "UX"), what="the stranger told")
    assert "Only the person this message was sent to can answer it" in visible_text(dms(sim.fake, "UX")[0])
    with services.sessions() as session:
        assert session.scalar(select(Trial.response)) is None
    press(sim.slack, proposal, element(proposal, "trial_discuss"), user="UM")
    wait_until(
        lambda: titled(sim.fake, "UA", "would like to discuss your remote-work trial"), what="Ana told"
    )
    edited = next(m for m in sim.fake.messages if m.ts == proposal.ts)
    assert "You would like to discuss this trial" in visible_text(edited)
    assert "trial_discuss" not in json.dumps(edited.blocks)
    assert "UM would like to discuss" not in sim.command(
        "trial show"
    ) and "would like to discuss" in sim.command("trial show")

    # The day-20 check-in: a stranger can't share it; Ana can; a stranger can't answer the manager's copy.
    sim.decisions = {}
    sim.react = lambda now: None  # nobody presses anything by themselves here
    sim.run_until(at(date(2026, 3, 23), 12))
    (mine,) = titled(sim.fake, "UA", "Check-in after day 20")
    press(sim.slack, mine, element(mine, "checkin_share"), user="UX")
    wait_until(lambda: len(dms(sim.fake, "UX")) == 2, what="the stranger told again")
    assert "Only the person this message was sent to" in visible_text(dms(sim.fake, "UX")[1])
    assert not sim.shared(20)
    press(sim.slack, mine, element(mine, "checkin_share"), user="UA")
    wait_until(lambda: sim.shared(20), what="shared")
    sim.run_until(at(date(2026, 3, 23), 23))
    (theirs,) = titled(sim.fake, "UM", "check-in after day 20")
    press(sim.slack, theirs, element(theirs, "checkin_continue"), user="UA")
    wait_until(lambda: titled(sim.fake, "UA", "Only the person"), what="Ana told it isn't hers")
    assert not sim.decided(20)


def test_share_without_a_manager_says_how(sim: Simulation, services: Services) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("manager none")
    started = sim.command("trial start today 30 days")
    assert "You name no manager, so the proposal went to nobody" in started
    sim.react = lambda now: None
    sim.run_until(at(date(2026, 4, 1), 12))
    (mine,) = titled(sim.fake, "UA", "Final check-in after day 30 of 30")
    press(sim.slack, mine, element(mine, "checkin_share"), user="UA")
    wait_until(lambda: titled(sim.fake, "UA", "nobody to share it with"), what="told")
    assert not sim.shared(30)


def test_two_clocks_racing_and_a_lost_flag_still_send_each_copy_once(
    sim: Simulation, services: Services
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 30 days")
    due = at(date(2026, 4, 1), 9)
    with services.sessions() as session:
        (work,) = [w for w in due_work(session, due, 100) if w[0] == "checkin"]
    claims = [_claim_trial(services, work[0], work[1], due, f"clock {n}") for n in (1, 2)]
    assert [job is not None for _item, job in claims] == [True, False]  # one clock takes it
    with services.sessions.begin() as session:  # as if the flag were lost: the ledger still holds the key
        session.execute(update(TrialCheckin).values(member_claimed_at=None))
    item, job = _claim_trial(services, work[0], work[1], due, "clock 3")
    assert job is None and item is not None and item.outcome == "already_claimed"
    assert [r.kind for r in ledger(services)].count("checkin") == 1


def test_the_overwork_guard_writes_to_the_member_alone_and_can_be_turned_off(
    sim: Simulation, services: Services
) -> None:
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 60 days")
    sim.react = lambda now: None
    for offset in range(14):
        day = MON + timedelta(days=offset)
        kind = "remote" if day.weekday() in (1, 2, 3) else "office" if day.weekday() < 5 else None
        if kind is None:
            continue
        with services.sessions.begin() as session:
            start, end = (time(8, 0), time(20, 0)) if kind == "remote" else (time(9, 0), time(17, 0))
            for moment in (start, end):
                draft = WinDraft(f"{kind} {moment}", day, day_kind=kind)
                add_win(
                    session, sim.member, draft, source="command", source_ref=None, now=at(day, moment.hour)
                )
    sim.run_until(at(date(2026, 3, 16), 12))  # Monday of week 3: the guard looks at 09:00
    (note,) = titled(sim.fake, "UA", "your remote days ran 50% longer than your office days")
    assert "12h00 on average over 6 remote days against 8h00 over 4 office days" in visible_text(note)
    sim.run_until(at(date(2026, 3, 23), 12))  # the look over 9 – 22 Mar still sees a week of long days
    assert len(titled(sim.fake, "UA", "remote days ran")) == 2
    assert "overwork guard is off" in sim.command("overwork off")
    for offset in range(21, 26):  # Mon 23 – Fri 27 Mar: long remote days again
        day = MON + timedelta(days=offset)
        hours = (7, 21) if day.weekday() in (1, 2, 3) else (9, 17)
        kind = "remote" if day.weekday() in (1, 2, 3) else "office"
        with services.sessions.begin() as session:
            for hour in hours:
                draft = WinDraft("day", day, day_kind=kind)
                add_win(session, sim.member, draft, source="command", source_ref=None, now=at(day, hour))
    sim.run_until(at(date(2026, 3, 30), 12))
    assert len(titled(sim.fake, "UA", "remote days ran")) == 2  # off: no note
    assert "overwork guard is on" in sim.command("overwork on")
    sim.run_until(at(date(2026, 4, 6), 12))
    assert len(titled(sim.fake, "UA", "remote days ran")) == 3
    assert all("remote days ran" not in visible_text(m) for m in dms(sim.fake, "UM"))  # never the manager
    looks = sorted((r for r in ledger(services) if r.kind == "overwork"), key=lambda r: r.period)
    assert [(r.period[:10], r.status) for r in looks] == [
        ("2026-03-16", "sent"),
        ("2026-03-23", "sent"),
        ("2026-04-06", "sent"),
    ]  # the look of 30 Mar, while it was off, sent nothing
    assert len({r.period for r in looks}) == len(looks)  # one look a week, each keyed once


def test_the_modal_marks_bad_fields_and_a_running_trial_and_a_dm_says_where_the_form_is(
    sim: Simulation, services: Services
) -> None:
    from tests.jobs.test_trial_simulation import trial_form_values

    sim.clock.now = at(MON, 8)
    before = len(sim.fake.calls_to("views.open"))
    sim.slack.command("trial", user="UA")
    view = wait_until(lambda: sim.fake.calls_to("views.open")[before:], what="the modal")[0].params["view"]
    assert "private_metadata" not in view or json.loads(view["private_metadata"]) == {}  # nothing rides in it
    values = trial_form_values(view)
    values["remote_days"]["value"]["selected_options"] = []
    values["hours_end"]["value"]["selected_time"] = "08:00"
    reply = sim.slack.submit_view(view | {"id": "VBAD"}, values, user="UA")
    assert reply.json()["response_action"] == "errors"
    assert set(reply.json()["errors"]) == {"remote_days", "hours_end"}
    with services.sessions() as session:
        assert session.scalar(select(Trial.id)) is None
    assert sim.slack.submit_view(view | {"id": "VOK"}, trial_form_values(view), user="UA").body == b""
    again = sim.slack.submit_view(view | {"id": "VTWO"}, trial_form_values(view), user="UA")
    assert again.json()["errors"]["start"].startswith("You have a trial running since Mon 2 Mar 2026.")
    assert (
        sim.slack.submit_view(view | {"id": "VOK"}, trial_form_values(view), user="UA").body == b""
    )  # Slack's retry
    with services.sessions() as session:
        assert len(session.scalars(select(Trial.id)).all()) == 1
    sim.fake._dm("UA")
    event = {
        "type": "message",
        "channel": "DA",
        "user": "UA",
        "text": "trial",
        "ts": "1790000000.000009",
        "channel_type": "im",
    }
    sim.slack.event(event)
    answer = wait_until(
        lambda: titled(sim.fake, "UA", "trial form can't open from a direct message"), what="the DM answer"
    )
    assert "`trial start` starts one" in visible_text(answer[0])


def test_a_member_gone_from_slack_gets_no_check_in(sim: Simulation, services: Services) -> None:
    from storage.models import Member

    sim.clock.now = at(MON, 8)
    sim.command("trial start today 30 days checkins 10")
    # Gone in Slack too, so that no later look-up of her profile (the command's work after its ack
    # included) brings her back, as a real deactivation wouldn't.
    sim.fake.add_user("UA", tz="Europe/Berlin", name="ana", deleted=True)
    with services.sessions.begin() as session:
        session.execute(update(Member).where(Member.user_id == "UA").values(deactivated=True))
    sim.run_until(at(date(2026, 4, 2), 12))
    assert titled(sim.fake, "UA", "*Your remote-work trial: ") == []
    assert [r for r in ledger(services) if r.kind.startswith("checkin") or r.kind == "overwork"] == []
