"""A trial's check-ins move with the member's settings: a new morning time, zone, remote days or day off
recomputes the pending check-ins (and the overwork guard's next look) in the transaction that changes the
settings, under the clock frozen at the moment of the change, across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services import Services
from storage.models import Trial, TrialCheckin
from tests.fake_slack import FakeSlack
from tests.jobs.test_trial_edges import titled
from tests.jobs.test_trial_simulation import Simulation, at
from tests.support import SlackRequests

MON = date(2026, 3, 2)  # Berlin is on CET (UTC+1) until 29 Mar; New York on EST (UTC-5) until 8 Mar
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def sim(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Simulation:
    simulation = Simulation(services, slack, fake_slack)
    simulation.setup()
    simulation.decisions = {}
    return simulation


def pending(services: Services) -> dict[int, tuple[datetime, date]]:
    with services.sessions() as session:
        rows = session.execute(select(TrialCheckin.day, TrialCheckin.due_at, TrialCheckin.local_date))
        return {day: (due.astimezone(UTC), on) for day, due, on in rows}


def guard(services: Services) -> datetime:
    with services.sessions() as session:
        return session.scalar(select(Trial.overwork_due_at)).astimezone(UTC)


def test_pending_check_ins_follow_the_morning_the_zone_and_days_off(
    sim: Simulation, services: Services
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    sim.clock.now = at(MON, 8)
    sim.command("trial start today 60 days checkins 30")
    assert pending(services) == {
        30: (at(date(2026, 4, 1), 9, 0, berlin), date(2026, 4, 1)),  # CEST by then: 07:00 UTC
        60: (at(date(2026, 5, 1), 9, 0, berlin), date(2026, 5, 1)),
    }
    assert guard(services) == at(date(2026, 3, 16), 9, 0, berlin)

    sim.clock.now = at(MON + timedelta(days=3), 12)  # Thu 5 Mar
    assert "07:30" in sim.command("times 07:30 17:00")
    assert pending(services)[30] == (datetime(2026, 4, 1, 5, 30, tzinfo=UTC), date(2026, 4, 1))
    assert guard(services) == datetime(2026, 3, 16, 6, 30, tzinfo=UTC)  # still CET in mid-March

    # New York, changed while it is on EST (UTC-5): 1 April at 07:30 is EDT there (UTC-4), so 11:30 UTC.
    assert "America/New_York" in sim.command("tz America/New_York")
    assert pending(services) == {
        30: (datetime(2026, 4, 1, 11, 30, tzinfo=UTC), date(2026, 4, 1)),
        60: (datetime(2026, 5, 1, 11, 30, tzinfo=UTC), date(2026, 5, 1)),
    }
    assert guard(services) == at(date(2026, 3, 16), 7, 30, NEW_YORK)  # the same Monday, in New York

    sim.command("days mon,fri")  # remote days don't decide a check-in's day: nothing moves
    assert pending(services)[30] == (datetime(2026, 4, 1, 11, 30, tzinfo=UTC), date(2026, 4, 1))
    sim.command("off 2026-04-01")  # a day off: the first working day after it
    assert pending(services)[30] == (datetime(2026, 4, 2, 11, 30, tzinfo=UTC), date(2026, 4, 2))

    sim.run_until(at(date(2026, 4, 2), 12, 0, NEW_YORK))
    assert len(titled(sim.fake, "UA", "Check-in after day 30 of 60")) == 1
    assert sim.arrivals[("member", 30)][0] == datetime(2026, 4, 2, 11, 30, tzinfo=UTC)

    # A check-in already sent stays as it was; the pending one moves.
    sim.command("times 10:00 18:00")
    assert pending(services)[30] == (datetime(2026, 4, 2, 11, 30, tzinfo=UTC), date(2026, 4, 2))
    assert pending(services)[60] == (at(date(2026, 5, 1), 10, 0, NEW_YORK), date(2026, 5, 1))


def test_a_zone_change_in_the_autumn_keeps_the_local_morning(sim: Simulation, services: Services) -> None:
    """Changed in Berlin's summer time to Tokyo (no DST), for a check-in after Berlin's clocks go back."""
    start = date(2026, 9, 28)
    sim.clock.now = at(start, 8)
    sim.command("trial start today 40 days checkins 30")
    assert pending(services)[30] == (datetime(2026, 10, 28, 8, 0, tzinfo=UTC), date(2026, 10, 28))  # CET
    sim.clock.now = at(start + timedelta(days=2), 12)
    sim.command("tz Asia/Tokyo")
    assert pending(services)[30] == (datetime(2026, 10, 28, 0, 0, tzinfo=UTC), date(2026, 10, 28))
    sim.command("tz Europe/Berlin")  # and back: as it was
    assert pending(services)[30] == (datetime(2026, 10, 28, 8, 0, tzinfo=UTC), date(2026, 10, 28))
