"""A remote day that ends without a sign-off hands its open items to the next remote day's draft, as
unticked items do after a sign-off: at the next remote morning, on the clock, once, however many ticks
or clocks handle that morning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.services import Services
from storage import plans
from storage.members import MemberRef
from storage.models import Plan
from storage.schedules import reschedule
from tests.bot.test_plans import deliver, open_form, stored_plan, summary_values
from tests.bot.test_prompts import DAY, EVENING, MORNING, add_draft, add_member, post_plan
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import tick
from tests.support import SlackRequests, blocks_json, wait_until

TUESDAY_AND_THURSDAY = 0b1010
THURSDAY = date(2026, 11, 26)
THURSDAY_MORNING = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
NEXT_TUESDAY = date(2026, 12, 1)


def scheduled(services: Services, member: MemberRef, now: datetime) -> None:
    """The member's slots as the settings would leave them at `now`."""
    with services.sessions.begin() as session:
        reschedule(session, member.id, now)


def mornings_to(fake_slack: FakeSlack, channel: str) -> list[str]:
    return [
        blocks_json(m) for m in fake_slack.messages if m.channel == channel and "Remote day" in blocks_json(m)
    ]


def test_a_day_without_sign_off_carries_its_open_items_to_the_next_remote_morning_once(
    services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, remote_days=TUESDAY_AND_THURSDAY)
    post_plan(services, ana, ["done today", "not <yet>", "later"])
    with services.sessions.begin() as session:
        plans.tick_items(session, ana.id, DAY, range(10), {0}, MORNING)
    add_draft(services, ana, ["later", "prepared on Tuesday"], THURSDAY)  # tomorrow's plan, written ahead
    scheduled(services, ana, EVENING + timedelta(hours=1))  # the end-of-day prompt went unanswered

    assert tick(services, THURSDAY_MORNING).sent == 1
    assert tick(services, THURSDAY_MORNING).sent == 0  # the same tick again
    draft = stored_plan(services, ana, THURSDAY)
    assert (draft.status, draft.items) == ("draft", ["later", "prepared on Tuesday", "not <yet>"])
    [morning] = mornings_to(fake_slack, "D1")
    assert "Carried over" in morning and "not &lt;yet&gt;" in morning and "done today" not in morning
    tuesday = stored_plan(services, ana)
    assert (tuesday.status, tuesday.done, tuesday.carried_at) == ("posted", [0], THURSDAY_MORNING)

    # Thursday's plan goes out, then a second clock handles the same morning (its slot recomputed): the
    # ledger sends nothing twice, and Tuesday's items don't move on a second time, past Thursday.
    post_plan(services, ana, ["not <yet>", "later"], THURSDAY)
    scheduled(services, ana, THURSDAY_MORNING - timedelta(minutes=1))
    assert tick(services, THURSDAY_MORNING, worker="the other clock").already_claimed == 1
    assert stored_plan(services, ana, NEXT_TUESDAY) is None
    assert len(mornings_to(fake_slack, "D1")) == 1


def test_a_draft_never_sent_and_a_skipped_day_carry_all_their_items(
    services: Services, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U2")
    ana = add_member(services, remote_days=TUESDAY_AND_THURSDAY)
    bo = add_member(services, "U2", remote_days=TUESDAY_AND_THURSDAY)
    add_draft(services, ana, ["carried into Tuesday", "never sent"])
    add_draft(services, bo, ["carried into a skipped day"])
    with services.sessions.begin() as session:
        plans.skip_day(session, bo.id, DAY, MORNING)
    for member in (ana, bo):
        scheduled(services, member, EVENING + timedelta(hours=1))
    assert tick(services, THURSDAY_MORNING).sent == 2
    assert stored_plan(services, ana, THURSDAY).items == ["carried into Tuesday", "never sent"]
    assert stored_plan(services, bo, THURSDAY).items == ["carried into a skipped day"]


def test_a_late_sign_off_of_a_carried_day_does_not_carry_its_items_again(
    slack: SlackRequests, services: Services, fake_slack: FakeSlack
) -> None:
    ana = add_member(services, remote_days=TUESDAY_AND_THURSDAY)
    post_plan(services, ana, ["one", "two"])
    scheduled(services, ana, EVENING + timedelta(hours=1))
    services.clock = lambda: EVENING
    prompt = deliver(services, fake_slack, ana, "eod")  # Tuesday's prompt, answered only on Thursday
    tick(services, THURSDAY_MORNING)
    post_plan(services, ana, ["two", "three"], THURSDAY)
    services.clock = lambda: THURSDAY_MORNING + timedelta(minutes=5)
    view = open_form(slack, fake_slack, prompt, "summary_open")
    assert "carry" not in [b.get("block_id") for b in view["blocks"]]
    assert "already in the plan for your next remote day" in blocks_json(view)
    slack.submit_view(view, summary_values((0,), items=2, carry=True))
    wait_until(lambda: stored_plan(services, ana).status == "summarized", what="the sign-off")
    with services.sessions() as session:
        later = session.scalars(select(Plan.local_date).where(Plan.local_date > THURSDAY)).all()
    assert later == []  # "two" is in Thursday's plan already; it isn't sent on to next Tuesday
