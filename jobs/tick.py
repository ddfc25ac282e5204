"""One tick of the clock: each prompt due at an instant is sent once, sent late within the grace
window, or recorded as missed; never sent twice, whoever else ticks at the same time.

The rules, in the order a tick applies them:

1. Sweep. A delivery still "claimed" `INTERRUPTED_AFTER` after its claim has lost its sender (the
   process died between claim and finish). If the sender had not yet started its call to Slack (the
   ledger's `sending_at`, set just before the call), it becomes failed "not_sent", a passing failure
   the retry below sends while still within GRACE; if it had, it becomes failed "interrupted" and is
   not sent again: the message may have left just before the process died. A tick claims only a
   little ahead of what it is sending, so a crash leaves few of these; the rest of its slots are still
   due and the next tick sends them.
2. Retry. A delivery that failed with a transient error (rules.deliveries.is_transient: still 429, 5xx or
   no connection after the retries within the call) is claimed again, by compare-and-set so that one
   tick wins, on every tick while it is due within `rules.schedule.GRACE`; past that it stays failed
   for good. Permanent errors are never retried.
3. Due slots (storage.schedules.due_slots, oldest first, in pages; only `kinds`' slots when given, a
   snooze belonging to the morning), taken one workspace after another in turn, so that a large
   workspace's wave (paced by its own rate limit) does not hold up a small one's. In one short
   transaction per slot: the slot advances to its next
   occurrence (compare-and-set; a slot someone else moved is theirs) and then, unless the member is
   paused or deactivated, their workspace uninstalled the app, or the day is no longer remote (then
   nothing is recorded), the prompt is
   claimed in the ledger under (workspace, member, kind, local date; a snooze adds its UTC time, so each
   snooze is a delivery of its own), or recorded as missed when more than GRACE late. A key already in
   the ledger means it was handled: nothing is sent. After downtime, a slot due days ago records each
   missed day and catches up to the one that can still be sent.
4. Send and finish. Each claimed delivery is rendered (bot.prompts, or jobs.digest for the weekly
   digest and recap; nothing to say → skipped), sent to the member's DM outside any transaction, on a
   bounded pool paced per workspace and channel (bot.sender), then finished in a transaction of its
   own: sent (channel, ts) or failed (the error). A member Slack says is gone is deactivated there too
   and gets nothing more. One member's failure never stops the others'; a workspace whose token Slack
   refuses (or which uninstalled the app meanwhile) gets nothing more this tick, at no cost to the
   others (bot.sender).

The weekly kinds take the same path, keyed by ISO week instead of date (the week of the manager's date
at the digest, for the recap too): a manager's "digest" and each report's "recap". They are skipped only
for a member who is gone (and a recap while its member is paused); the remote-day rules are not theirs.
A digest is sent once its first message is in, whatever happens to the rest (jobs.digest).

Held posts (kind "held_post"): a plan or summary a member sent to their manager outside the manager's
working hours waits on its plan row (`plans.held_until`, the start of the manager's next working day).
After the slots, each tick takes the holds that are due: in one transaction, the plan's row lock and
clearing `held_until` make one taker (of two clocks, one finds nothing), and the delivery is claimed under
(workspace, member, "held_post", "<plan date>@<held-until UTC>"), so a later hold of the same day is a
delivery of its own. The day's parts not posted yet (plan, summary) go in one message to the manager,
whenever the hold comes due: after downtime it is late, never missed. A transient failure is retried as
above; a permanent one is told to the member in their DM with what wasn't posted, so nothing is lost.

A dry run makes the same decisions without acting on them: no sweep, no claim, no send, slots as they
were. Jobs carry ids, never ORM objects, across transactions and threads.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import zip_longest
from typing import Final, Literal

from sqlalchemy.orm import Session

from bot.prompts import held_not_posted, held_post_message, prompt_message
from bot.sender import Sender, SendResult
from bot.services import Services
from jobs.checkins import trial_parcel
from jobs.digest import Parcel, send_parcel, weekly_parcel
from rules.deliveries import (
    ALREADY_CLAIMED,
    CHECKIN_KINDS,
    RENDER_FAILED,
    SEND_FAILED,
    SUPERSEDED,
    UNRECORDED,
    WEEKLY_KINDS,
    Outcome,
    Status,
    is_transient,
    member_gone,
)
from rules.digest import iso_week, week_range
from rules.plans import HeldPost
from rules.schedule import (
    DIGEST,
    EOD,
    GRACE,
    MORNING,
    MORNING_SNOOZE,
    RECAP,
    DueSlot,
    day_kind,
    is_late,
)
from storage.ledger import (
    DeliveryKey,
    FailedDelivery,
    claim,
    failed_due_between,
    finish,
    mark_sending,
    reclaim,
    record_missed,
    status_of,
    sweep_interrupted,
)
from storage.models import Member
from storage.plans import (
    HELD_POST,
    carry_unanswered,
    due_held,
    held_again,
    peek_held,
    record_held,
    take_held,
)
from storage.schedules import (
    ONE_SHOT_KINDS,
    advance_slot,
    deactivate,
    due_slots,
    holiday_calendar,
    next_occurrence,
    overrides_for,
    schedule_of,
)
from storage.trials import CHECKIN, OVERWORK, due_work, peek, take
from storage.windows import mark_delivered
from storage.workspaces import is_uninstalled

TRIAL = "trial"  # `remote-wins jobs run trial`: every kind a trial sends
SLOT_KINDS: dict[str, tuple[str, ...]] = {
    MORNING: (MORNING, MORNING_SNOOZE),
    EOD: (EOD,),
    DIGEST: (DIGEST, RECAP),  # the weekly digest, with its members' recaps
    HELD_POST: (HELD_POST,),  # plans and summaries held for a manager's working hours
    TRIAL: CHECKIN_KINDS,  # trials: check-ins, their manager copies, the overwork guard (jobs/checkins.py)
}
INTERRUPTED_AFTER = timedelta(minutes=5)
BATCH_SIZE = 500
SENT: Final = Status.SENT
FAILED: Final = Status.FAILED
MISSED: Final = Status.MISSED
SKIPPED: Final = Status.SKIPPED
DRY_RUN_WORDS = {
    SENT: "would send",
    MISSED: "would record missed",
    SKIPPED: "would skip",
    ALREADY_CLAIMED: "already claimed",
}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickItem:
    """What happened to one prompt (in a dry run: what would happen)."""

    user_id: str
    kind: str
    period: str
    outcome: Outcome
    error: str | None = None
    retry: bool = False  # a transient failure tried again


@dataclass(frozen=True)
class TickReport:
    sent: int
    failed: int
    missed: int
    skipped: int
    already_claimed: int
    retried: int  # transient failures tried again (each also counted as sent, failed or skipped)
    interrupted: int  # deliveries the sweep closed
    dry_run: bool
    items: tuple[TickItem, ...]

    @classmethod
    def of(cls, items: list[TickItem], *, interrupted: int = 0, dry_run: bool = False) -> TickReport:
        def count(outcome: Outcome) -> int:
            return sum(1 for item in items if item.outcome == outcome)

        return cls(
            sent=count(SENT),
            failed=count(FAILED),
            missed=count(MISSED),
            skipped=count(SKIPPED),
            already_claimed=count(ALREADY_CLAIMED),
            retried=sum(1 for item in items if item.retry),
            interrupted=interrupted,
            dry_run=dry_run,
            items=tuple(items),
        )

    def item_lines(self) -> list[str]:
        """One tab-separated line per prompt: user, kind, period, what happened (or would happen)."""
        lines = []
        for item in self.items:
            what = DRY_RUN_WORDS[item.outcome] if self.dry_run else item.outcome.replace("_", " ")
            if item.retry:
                what += " (retry)"
            if item.error and not self.dry_run:
                what += f": {item.error}"
            lines.append(f"{item.user_id}\t{item.kind}\t{item.period}\t{what}")
        return lines

    def summary(self) -> str:
        """One line for the log and the command line."""
        if self.dry_run:
            return (
                f"dry run, nothing changed: would send {self.sent} ({self.retried} of them retries), "
                f"record {self.missed} missed, skip {self.skipped}; {self.already_claimed} already claimed"
            )
        return (
            f"sent {self.sent}, failed {self.failed}, missed {self.missed}, skipped {self.skipped}, "
            f"already claimed {self.already_claimed}; retried {self.retried}, interrupted {self.interrupted}"
        )


@dataclass(frozen=True)
class _Job:
    """A claimed delivery on its way to Slack: ids and values only."""

    delivery_id: int
    workspace_id: str
    member_id: int
    user_id: str
    kind: str
    period: str
    local_date: date
    due_at: datetime
    retry: bool = False
    held: HeldPost | None = None  # a held post: what goes, and to whom


Claimed = tuple[TickItem | None, _Job | None]  # what a claim decided: an item, or a job to send
Verdict = Literal[Status.SENT, Status.MISSED, Status.SKIPPED]  # what to do with a due delivery


def run_tick(
    services: Services,
    now: datetime,
    *,
    kinds: Collection[str] | None = None,
    dry_run: bool = False,
    worker: str | None = None,
    sender: Sender | None = None,
    batch_size: int = BATCH_SIZE,
) -> TickReport:
    """Handle every prompt due at or before `now`: sweep, retry, claim, send, finish (see the module doc).

    `kinds` restricts the tick to "morning" (with its snoozes), "eod", "digest" (with the recaps) or "trial"
    (check-ins, their manager copies and the overwork guard);
    `sender` sets the pace, retries and threads (default: a fresh one on each workspace's own client,
    `services.slack`); `worker` is recorded as the claimer.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC)
    slot_kinds = _slot_kinds(kinds)
    if dry_run:
        return _dry_run(services, now, slot_kinds, batch_size)
    worker = (worker or _default_worker())[:64]
    with services.sessions.begin() as session:
        interrupted = sweep_interrupted(session, claimed_before=now - INTERRUPTED_AFTER, now=now)
        retries = _retry_candidates(session, now, slot_kinds)
    if interrupted:
        log.warning(
            "tick: %d deliveries were left claimed by a sender that died; marked interrupted", interrupted
        )
    sender = sender or Sender(services.client, clients=services.slack)
    sender.start_tick()
    pool = _SendPool(services, sender, now)
    items: list[TickItem] = []
    try:
        items += _retry_transient_failures(services, pool, now, retries, worker)
        items += _handle_due_slots(services, pool, now, slot_kinds, worker, batch_size)
        if HELD_POST in slot_kinds:
            items += _handle_held_posts(services, pool, now, worker, batch_size)
        if CHECKIN in slot_kinds:
            items += _handle_trials(services, pool, now, worker, batch_size)
    finally:
        items += pool.close()
    return TickReport.of(items, interrupted=interrupted)


def _slot_kinds(kinds: Collection[str] | None) -> tuple[str, ...]:
    if kinds is None:
        kinds = SLOT_KINDS.keys()
    unknown = set(kinds) - SLOT_KINDS.keys()
    if unknown:
        raise ValueError(
            f"no prompts of kind {', '.join(sorted(unknown))}; kinds are {', '.join(SLOT_KINDS)}"
        )
    return tuple(slot_kind for kind in kinds for slot_kind in SLOT_KINDS[kind])


def _default_worker() -> str:
    return f"tick {socket.gethostname()}:{os.getpid()}"


def period_of(slot: DueSlot) -> str:
    """The ledger period of a prompt: the member's local date; a snooze adds its UTC time; a weekly
    message has the ISO week of its slot's date."""
    if slot.kind in WEEKLY_KINDS:
        return iso_week(slot.local_date)
    if slot.kind in ONE_SHOT_KINDS:
        return f"{slot.local_date.isoformat()}@{slot.due_at.astimezone(UTC):%H%M}"
    return slot.local_date.isoformat()


def local_date_of(kind: str, period: str) -> date:
    """A ledger period back to a date: the day itself, or the Monday of a weekly message's week."""
    return week_range(period).first if kind in WEEKLY_KINDS else date.fromisoformat(period[:10])


def _verdict(
    session: Session, member: Member, kind: str, local_date: date, due_at: datetime, now: datetime
) -> Verdict:
    """SKIPPED (paused, gone, their workspace uninstalled the app, or not a remote day any more), MISSED (too
    late) or SENT (send it).

    A manager's digest goes whether or not they pause their own prompts; it is about their team."""
    if is_uninstalled(session, member.workspace_id):  # until it installs again, or its data is purged
        return SKIPPED
    schedule = schedule_of(member, holiday_calendar(session, member))  # a holiday is not a remote day
    if kind in CHECKIN_KINDS:  # a trial's: for whoever is still in Slack, late rather than missed
        return SENT if schedule.active else SKIPPED
    if not schedule.active or (schedule.paused and kind != DIGEST):
        return SKIPPED
    if kind not in WEEKLY_KINDS:
        overrides = overrides_for(session, member.id, local_date, local_date)
        if day_kind(schedule, local_date, overrides) != "remote":
            return SKIPPED
    return MISSED if is_late(due_at, now) else SENT


# -- claiming (the main thread) --------------------------------------------------------------------------


def _handle_due_slots(
    services: Services, pool: _SendPool, now: datetime, slot_kinds: tuple[str, ...], worker: str, batch: int
) -> list[TickItem]:
    """Claim every due slot and hand each claimed delivery to the pool.

    Pages through the due slots, then starts over while a pass found a slot it had not seen (a slot
    advanced to an occurrence that is itself due, after downtime); a slot seen once this tick is not
    handled again, so the loop ends even if a slot refuses to move.
    """
    items: list[TickItem] = []
    seen: set[tuple[int, str, datetime]] = set()
    found_new = True
    while found_new and not pool.broken:
        fresh = []
        for slot in _pages(services, now, slot_kinds, batch):
            ident = (slot.member_id, slot.kind, slot.due_at)
            if ident not in seen:
                seen.add(ident)
                fresh.append(slot)
        found_new = bool(fresh)
        for slot in _in_turn(fresh):
            if pool.broken or not pool.hand_over(partial(_claim_slot, services, slot, now, worker), items):
                break
    return items


def _in_turn(slots: list[DueSlot]) -> list[DueSlot]:
    """The slots one workspace after another (each workspace's in due order): the pool sends a few at a
    time, so a workspace whose thousand members come first would otherwise make the others wait for its
    whole wave at its own pace."""
    queues: dict[str, list[DueSlot]] = {}
    for slot in slots:
        queues.setdefault(slot.workspace_id or "", []).append(slot)
    return [slot for turn in zip_longest(*queues.values()) for slot in turn if slot is not None]


def _pages(services: Services, now: datetime, slot_kinds: tuple[str, ...], batch: int) -> Iterator[DueSlot]:
    """Every slot due at `now`, a page per query, each page read in a session of its own."""
    after: DueSlot | None = None
    while True:
        with services.sessions() as session:
            page = due_slots(session, now, batch, kinds=slot_kinds, after=after)
        yield from page
        if len(page) < batch:
            return
        after = page[-1]


def _claim_slot(services: Services, slot: DueSlot, now: datetime, worker: str) -> Claimed:
    """The slot's one transaction: advance it, and claim its delivery, record it missed, or skip it."""
    with services.sessions.begin() as session:
        member = session.get(Member, slot.member_id)
        if member is None:  # deleted since the page was read; its slots went with it
            return None, None
        period = period_of(slot)
        verdict = _verdict(session, member, slot.kind, slot.local_date, slot.due_at, now)
        if not advance_slot(session, slot):
            return TickItem(member.user_id, slot.kind, period, ALREADY_CLAIMED), None
        if verdict == SKIPPED:
            return TickItem(member.user_id, slot.kind, period, SKIPPED), None
        if slot.kind == MORNING:  # days that ended unanswered hand their open items to this one
            carry_unanswered(session, member.id, slot.local_date, now)
        key = DeliveryKey(member.workspace_id, member.id, slot.kind, period)
        if verdict == MISSED:
            recorded = record_missed(session, key, due_at=slot.due_at, now=now, worker=worker)
            return TickItem(member.user_id, slot.kind, period, MISSED if recorded else ALREADY_CLAIMED), None
        delivery_id = claim(session, key, due_at=slot.due_at, now=now, worker=worker)
        if delivery_id is None:
            return TickItem(member.user_id, slot.kind, period, ALREADY_CLAIMED), None
        job = _Job(
            delivery_id,
            member.workspace_id,
            member.id,
            member.user_id,
            slot.kind,
            period,
            slot.local_date,
            slot.due_at,
        )
        return None, job


def _retry_transient_failures(
    services: Services, pool: _SendPool, now: datetime, candidates: list[FailedDelivery], worker: str
) -> list[TickItem]:
    """Claim again, and hand to the pool, each delivery that failed for a passing reason within GRACE."""
    items: list[TickItem] = []
    for failed in candidates:
        if not pool.hand_over(partial(_claim_retry, services, failed, now, worker), items):
            break
    return items


def _retry_candidates(session: Session, now: datetime, slot_kinds: tuple[str, ...]) -> list[FailedDelivery]:
    """Deliveries that failed for a passing reason and are still within GRACE of when they were due."""
    failed = failed_due_between(session, now - GRACE, now, kinds=slot_kinds)
    return [f for f in failed if is_transient(f.error)]


def _claim_retry(services: Services, failed: FailedDelivery, now: datetime, worker: str) -> Claimed:
    """Claim a failed delivery again, unless another tick did first or the member no longer wants it."""
    key = failed.key
    if key.kind == HELD_POST:
        return _claim_held_retry(services, failed, now, worker)
    local_date = local_date_of(key.kind, key.period)
    with services.sessions.begin() as session:
        member = session.get(Member, key.member_id)
        if member is None:
            return None, None
        if not reclaim(session, failed.id, error=failed.error, now=now, worker=worker):
            return TickItem(member.user_id, key.kind, key.period, ALREADY_CLAIMED, retry=True), None
        if _verdict(session, member, key.kind, local_date, failed.due_at, now) != SENT:
            finish(session, failed.id, status=SKIPPED, now=now)
            return TickItem(member.user_id, key.kind, key.period, SKIPPED, retry=True), None
        job = _Job(
            failed.id,
            key.workspace_id,
            member.id,
            member.user_id,
            key.kind,
            key.period,
            local_date,
            failed.due_at,
            True,
        )
        return None, job


# -- held posts ------------------------------------------------------------------------------------------


def _handle_held_posts(
    services: Services, pool: _SendPool, now: datetime, worker: str, batch: int
) -> list[TickItem]:
    """Take every hold that is due and hand its delivery to the pool, a page of plans at a time."""
    items: list[TickItem] = []
    seen: set[int] = set()
    while not pool.broken:
        with services.sessions() as session:
            page = [plan_id for plan_id in due_held(session, now, batch) if plan_id not in seen]
        if not page:
            break
        seen.update(page)
        for plan_id in page:
            if not pool.hand_over(partial(_claim_held, services, plan_id, now, worker), items):
                return items
    return items


def _held_job(delivery_id: int, held: HeldPost, retry: bool = False) -> _Job:
    return _Job(
        delivery_id,
        held.workspace_id,
        held.member_id,
        held.user_id,
        HELD_POST,
        held.period,
        held.local_date,
        held.held_until,
        retry,
        held,
    )


def _claim_held(services: Services, plan_id: int, now: datetime, worker: str) -> Claimed:
    """The hold's one transaction: take it off the plan and claim its delivery (see the module doc)."""
    with services.sessions.begin() as session:
        held = take_held(session, plan_id, now)
        if held is None:  # another tick took it
            return None, None
        if not (held.with_plan or held.with_summary):  # posted meanwhile: nothing left to send
            return TickItem(held.user_id, HELD_POST, held.period, SKIPPED), None
        key = DeliveryKey(held.workspace_id, held.member_id, HELD_POST, held.period)
        delivery_id = claim(session, key, due_at=held.held_until, now=now, worker=worker)
        if delivery_id is None:
            return TickItem(held.user_id, HELD_POST, held.period, ALREADY_CLAIMED), None
        return None, _held_job(delivery_id, held)


def _claim_held_retry(services: Services, failed: FailedDelivery, now: datetime, worker: str) -> Claimed:
    """A held post that failed for a passing reason, claimed again with what of its day is still unposted."""
    key = failed.key
    with services.sessions.begin() as session:
        held = held_again(session, key.member_id, local_date_of(key.kind, key.period), failed.due_at)
        if held is None:
            return None, None
        if not reclaim(session, failed.id, error=failed.error, now=now, worker=worker):
            return TickItem(held.user_id, HELD_POST, key.period, ALREADY_CLAIMED, retry=True), None
        if not (held.with_plan or held.with_summary):
            finish(session, failed.id, status=SKIPPED, now=now)
            return TickItem(held.user_id, HELD_POST, key.period, SKIPPED, retry=True), None
        return None, _held_job(failed.id, held, retry=True)


def _finish_held(
    services: Services, job: _Job, held: HeldPost, now: datetime, result: SendResult, note: str | None
) -> TickItem:
    """Record a held post's outcome, and where it went on the plan in the same transaction (so a sign-off
    sent again edits it). An error saying the recipient is gone is about the manager: nobody is
    deactivated for it."""
    outcome: Outcome
    outcome, error = (SENT, note) if result.sent else (FAILED, result.error)
    try:
        with services.sessions.begin() as session:
            finish(
                session,
                job.delivery_id,
                status=outcome,
                now=now,
                channel=result.channel,
                ts=result.ts,
                error=error,
            )
            if result.sent and result.channel and result.ts:
                record_held(session, held, result.channel, result.ts, now)
    except Exception:  # left claimed: the sweep marks it interrupted, and it is never sent twice
        log.exception("tick: could not record held post %s as %s", job.delivery_id, outcome)
    return TickItem(job.user_id, job.kind, job.period, outcome, error, job.retry)


def _send_held(
    services: Services, sender: Sender, job: _Job, held: HeldPost, now: datetime, parcel: Parcel
) -> TickItem:
    """Send a held post to where the member shares; a refusal for good is told to the member."""
    try:
        result, note = send_parcel(sender, job.workspace_id, held.to, parcel)
    except Exception:  # not one of Slack's answers: it may or may not have gone out, so it is not retried
        log.exception("tick: sending the held post of %s failed", job.user_id)
        result, note = SendResult(error=SEND_FAILED), None
    if result.error == SUPERSEDED:  # the claim is someone else's now: theirs to send and record
        return TickItem(job.user_id, job.kind, job.period, ALREADY_CLAIMED, retry=job.retry)
    item = _finish_held(services, job, held, now, result, note)
    if not result.sent and not is_transient(result.error):
        told = sender.send(
            job.workspace_id, job.user_id, held_not_posted(held, result.error or "", parcel.messages[0])
        )
        if not told.sent:
            log.warning("tick: could not tell %s their held post wasn't posted: %s", job.user_id, told.error)
    return item


# -- trials ----------------------------------------------------------------------------------------------


def _handle_trials(
    services: Services, pool: _SendPool, now: datetime, worker: str, batch: int
) -> list[TickItem]:
    """Take every trial delivery that is due (storage.trials.due_work) and hand it to the pool: a check-in's
    member copy, its manager copy once the member shared it, an overwork look. Like held posts, these are
    sent late after downtime, never recorded missed."""
    items: list[TickItem] = []
    seen: set[tuple[str, int]] = set()
    while not pool.broken:
        with services.sessions() as session:
            page = [work for work in due_work(session, now, batch) if work not in seen]
        if not page:
            break
        seen.update(page)
        for kind, ident in page:
            if not pool.hand_over(partial(_claim_trial, services, kind, ident, now, worker), items):
                return items
    return items


def _claim_trial(services: Services, kind: str, ident: int, now: datetime, worker: str) -> Claimed:
    """One transaction: take the item off its row (compare-and-set) and claim its delivery in the ledger."""
    with services.sessions.begin() as session:
        taken = take(session, kind, ident, now)
        if taken is None:  # another tick took it, or there is nothing to send
            return None, None
        key = DeliveryKey(taken.workspace_id, taken.member_id, taken.kind, taken.period)
        delivery_id = claim(session, key, due_at=taken.due_at, now=now, worker=worker)
        if delivery_id is None:
            return TickItem(taken.user_id, taken.kind, taken.period, ALREADY_CLAIMED), None
        job = _Job(
            delivery_id,
            taken.workspace_id,
            taken.member_id,
            taken.user_id,
            taken.kind,
            taken.period,
            taken.local_date,
            taken.due_at,
        )
        return None, job


# -- sending (the pool) ----------------------------------------------------------------------------------


class _SendPool:
    """Sends claimed deliveries on `sender.workers` threads, claiming at most twice that far ahead.

    The bound is what keeps a crash cheap: only the deliveries in flight are left claimed (and swept:
    sent again if their call to Slack hadn't started, else recorded interrupted); every other slot is
    still due for the next tick. A job that dies of something other
    than an Exception (the process is going down) stops the claiming, and `close` raises it.
    """

    def __init__(self, services: Services, sender: Sender, now: datetime) -> None:
        self._services, self._sender, self._now = services, sender, now
        self._executor = ThreadPoolExecutor(max_workers=sender.workers, thread_name_prefix="tick-send")
        self._room = threading.Semaphore(2 * sender.workers)
        self._futures: list[Future[TickItem]] = []
        self._broken = threading.Event()

    @property
    def broken(self) -> bool:
        return self._broken.is_set()

    def hand_over(self, claim_one: Callable[[], Claimed], items: list[TickItem]) -> bool:
        """Run one claim once fewer than the bound are in flight, and send what it claimed; whatever it
        decided instead goes to `items`. False, without claiming, once a job has died."""
        self._room.acquire()
        if self._broken.is_set():
            self._room.release()
            return False
        try:
            item, job = claim_one()
        except Exception:  # this one stays due (or failed) for the next tick; the others go on
            self._room.release()
            log.exception("tick: a claim failed; the next tick tries it again")
            return True
        if job is None:
            self._room.release()
            if item is not None:
                items.append(item)
        else:
            self._futures.append(self._executor.submit(self._run, job))
        return True

    def close(self) -> list[TickItem]:
        """Wait for every send to finish; their items, or what killed one of them."""
        self._executor.shutdown(wait=True)
        return [future.result() for future in self._futures]

    def _run(self, job: _Job) -> TickItem:
        try:
            return _deliver(self._services, self._sender, job, self._now)
        except Exception:  # a bug, not Slack: the delivery stays claimed, and the sweep will show it
            log.exception("tick: delivering %s to %s failed", job.kind, job.user_id)
            return TickItem(job.user_id, job.kind, job.period, FAILED, UNRECORDED, job.retry)
        except BaseException:  # the process is going down: claim nothing more
            self._broken.set()
            raise
        finally:
            self._room.release()


def _parcel(session: Session, job: _Job, now: datetime) -> Parcel | None:
    """What the job sends: a prompt's one message, or a weekly digest or recap; None: nothing."""
    if job.held is not None:
        held = held_post_message(session, job.held)
        return None if held is None else Parcel([held])
    if job.kind in WEEKLY_KINDS:
        return weekly_parcel(session, job.member_id, job.kind, job.period, job.due_at, now)
    if job.kind in CHECKIN_KINDS:
        return trial_parcel(session, job.kind, job.period, now)
    message = prompt_message(session, job.member_id, job.kind, job.local_date, now)
    return None if message is None else Parcel([message])


def _deliver(services: Services, sender: Sender, job: _Job, now: datetime) -> TickItem:
    """Render, send, finish: the rendering and the finish each in a short session, the send in none."""
    try:  # a transaction: building a digest assigns it its work (storage.windows), before it is sent
        with services.writing(), services.sessions.begin() as session:
            parcel = _parcel(session, job, now)
    except Exception:
        log.exception("tick: could not render the %s prompt for %s", job.kind, job.user_id)
        return _finish(services, job, now, SendResult(error=RENDER_FAILED))
    if parcel is None:
        return _finish(services, job, now, None)
    if job.held is not None:
        with sender.before_the_call(partial(_mark_sending, services, job.delivery_id, now)):
            return _send_held(services, sender, job, job.held, now, parcel)
    note = None
    try:
        with sender.before_the_call(partial(_mark_sending, services, job.delivery_id, now)):
            result, note = send_parcel(sender, job.workspace_id, job.user_id, parcel)
    except Exception:  # not one of Slack's answers: it may or may not have gone out, so it is not retried
        log.exception("tick: sending the %s prompt to %s failed", job.kind, job.user_id)
        result = SendResult(error=SEND_FAILED)
    return _finish(services, job, now, result, note)


def _mark_sending(services: Services, delivery_id: int, claimed_at: datetime) -> bool:
    """From here the message may leave: a sender that dies after this is not replaced (see the sweep).
    False: the claim was swept meanwhile (this sender stalled past INTERRUPTED_AFTER), so don't send."""
    with services.writing(), services.sessions.begin() as session:
        return mark_sending(session, delivery_id, claimed_at, services.clock())


def _finish(
    services: Services, job: _Job, now: datetime, result: SendResult | None, note: str | None = None
) -> TickItem:
    """Record the outcome; a gone member is deactivated in the same transaction. None: nothing to send.

    `note` is what went wrong after a sent delivery's first message (jobs.digest), kept as its error."""
    outcome: Outcome
    if result is not None and result.error == SUPERSEDED:  # the claim is someone else's now: theirs to record
        return TickItem(job.user_id, job.kind, job.period, ALREADY_CLAIMED, retry=job.retry)
    if result is None:
        outcome, error = SKIPPED, None
    else:
        outcome, error = (SENT, note) if result.sent else (FAILED, result.error)
    try:
        with services.sessions.begin() as session:
            finish(
                session,
                job.delivery_id,
                status=outcome,
                now=now,
                channel=result.channel if result else None,
                ts=result.ts if result else None,
                error=error,
            )
            if job.kind == DIGEST and outcome == SENT:
                mark_delivered(session, job.member_id, job.period, now)
            if member_gone(error):
                deactivate(session, job.member_id)
                log.warning("tick: Slack says %s is gone (%s); they get no more prompts", job.user_id, error)
    except Exception:  # left claimed: the sweep marks it interrupted, and it is never sent twice
        log.exception("tick: could not record delivery %s as %s", job.delivery_id, outcome)
    return TickItem(job.user_id, job.kind, job.period, outcome, error, job.retry)


# -- dry run ---------------------------------------------------------------------------------------------


def _dry_run(services: Services, now: datetime, slot_kinds: tuple[str, ...], batch: int) -> TickReport:
    """What a tick at `now` would do, read in one session that writes nothing."""
    items: list[TickItem] = []
    with services.sessions() as session:
        items += _dry_retries(session, now, slot_kinds)
        for first in _pages(services, now, slot_kinds, batch):
            items += _dry_slot(session, first, now)
        if HELD_POST in slot_kinds:
            items += _dry_held(session, now, batch)
        if CHECKIN in slot_kinds:
            items += _dry_trials(session, now, batch)
    return TickReport.of(items, dry_run=True)


def _dry_retries(session: Session, now: datetime, slot_kinds: tuple[str, ...]) -> list[TickItem]:
    """The failures a tick would try again, and whether each would still be sent."""
    items = []
    for failed in _retry_candidates(session, now, slot_kinds):
        member = session.get(Member, failed.key.member_id)
        if member is None:
            continue
        local_date = local_date_of(failed.key.kind, failed.key.period)
        verdict = _verdict(session, member, failed.key.kind, local_date, failed.due_at, now)
        outcome: Outcome = SENT if verdict == SENT else SKIPPED
        key = failed.key
        items.append(TickItem(member.user_id, key.kind, key.period, outcome, failed.error, retry=True))
    return items


def _dry_slot(session: Session, first: DueSlot, now: datetime) -> list[TickItem]:
    """A due slot, and the occurrences it would advance to that are due too, as `_claim_slot` decides."""
    items: list[TickItem] = []
    slot: DueSlot | None = first
    while slot is not None and slot.due_at <= now:
        member = session.get(Member, slot.member_id)
        if member is None:
            break
        period = period_of(slot)
        verdict: Outcome = _verdict(session, member, slot.kind, slot.local_date, slot.due_at, now)
        key = DeliveryKey(member.workspace_id, member.id, slot.kind, period)
        if verdict != SKIPPED and status_of(session, key) is not None:
            verdict = ALREADY_CLAIMED
        items.append(TickItem(member.user_id, slot.kind, period, verdict))
        slot = next_occurrence(session, slot)
    return items


def _dry_held(session: Session, now: datetime, batch: int) -> list[TickItem]:
    """The held posts a tick would take."""
    items = []
    for plan_id in due_held(session, now, batch):
        held = peek_held(session, plan_id)
        if held is not None:
            key = DeliveryKey(held.workspace_id, held.member_id, HELD_POST, held.period)
            seen: Outcome = SENT if status_of(session, key) is None else ALREADY_CLAIMED
            items.append(TickItem(held.user_id, HELD_POST, held.period, seen))
    return items


def _dry_trials(session: Session, now: datetime, batch: int) -> list[TickItem]:
    """The trial deliveries a tick at `now` would take, as `_claim_trial` and `_deliver` would decide them:
    an overwork look with nothing to say would be recorded skipped."""
    items = []
    for kind, ident in due_work(session, now, batch):
        taken = peek(session, kind, ident, now)
        if taken is None:
            continue
        key = DeliveryKey(taken.workspace_id, taken.member_id, taken.kind, taken.period)
        outcome: Outcome = SENT if status_of(session, key) is None else ALREADY_CLAIMED
        if outcome == SENT and kind == OVERWORK and trial_parcel(session, kind, taken.period, now) is None:
            outcome = SKIPPED
        items.append(TickItem(taken.user_id, taken.kind, taken.period, outcome))
    return items
