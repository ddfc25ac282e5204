"""Plans: a remote day's plan and its end-of-day summary, as plain data, and the rules they follow.

A day's plan starts as a draft (items carried over, or tomorrow's plan written the evening before),
becomes posted when the member sends the morning plan, or skipped; the end-of-day summary marks it
summarized (`PlanStatus`). Items are kept as typed; `done` holds indexes into them. storage/plans.py keeps
the rows, bot/blocks/plans.py draws the prompts and modals; what a plan is, which input of the two forms
is valid, and what a sign-off does with the day are here.

A done item is a win only when the member says so at sign-off (`SummaryInput.wins`), or when it repeats
a win they logged that day and they link the two (`SummaryInput.links`): no item is counted twice, and
none becomes a win behind their back. Open items go on to the next plan day: after a sign-off when the
member keeps "carry" ticked, and, for a day that ends without one, at the next remote morning, once.

When a plan item repeats a win (the rule the sign-off form uses to offer linking the two): a member who
logs "unblocked QA" at noon and ticks the plan item "Unblocked QA!" at the end of the day did one thing,
not two. The rule is meant to be explained in a sentence: an item repeats a win when, ignoring case and
punctuation, they have the same words, or the words of one appear in the other in the same order and side
by side (at least two of them, so a one-word item like "review" doesn't match every win that mentions a
review). It only offers a link; the member decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from rules.schedule import HORIZON_DAYS, Schedule, WorkingHours, day_kind, is_working_time, next_working_start
from rules.wins import SavedWin, metric_number

AVAILABILITY_LENGTH = 200  # the reachable and reach_via columns
MAX_ITEMS = 50  # five groups of checkboxes: the modal and the message stay far inside their limits
ITEMS_LENGTH = 3000  # a multiline input's own maximum
NAME_LENGTH = 40  # an item named in an error
BULLET = re.compile(r"^(?:[-*•‣◦]|\d{1,2}[.)])(?:\s+|$)")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WORD = re.compile(r"[^\W_]+")  # letters and digits, in any script
MIN_CONTAINED = 2  # words the shorter text needs for "one inside the other" to count
NOT_DONE = "Tick “{}” as done above, or leave it out here."  # an item logged as a win or linked
LOGGED_TWICE = "“{}” is already win #{}: link it here, or log it again above, not both."


class PlanStatus(StrEnum):
    """Where a day's plan is; stored as its value (`plans.status`)."""

    DRAFT = "draft"  # items carried over, or tomorrow's plan written the evening before
    POSTED = "posted"  # the member sent the morning plan
    SKIPPED = "skipped"  # no plan today, and no end-of-day prompt
    SUMMARIZED = "summarized"  # the end-of-day summary was sent: the day is over whatever the clock says


PLAN_SENT = (PlanStatus.POSTED, PlanStatus.SUMMARIZED)  # the member sent the plan in the morning


# -- plain data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPlan:
    """A plan as stored: what renderers and listeners receive."""

    id: int
    member_id: int
    local_date: date
    status: PlanStatus
    items: tuple[str, ...]
    reachable: str | None
    reach_via: str | None
    channel: str | None  # where the day's messages went (the plan, else the summary)
    ts: str | None  # the posted plan; None when it could not be posted
    done: tuple[int, ...]
    blockers: str | None
    signed_off: str | None
    summary_ts: str | None
    item_wins: tuple[tuple[int, int], ...] = ()  # (item index, win id): done items that are wins
    carried: bool = False  # the day ended without a sign-off, and its open items went on
    held_until: datetime | None = None  # waiting for the manager's working hours

    @property
    def posted(self) -> bool:
        """The member sent this plan in the morning (whether or not Slack took the message)."""
        return self.status in PLAN_SENT

    @property
    def open_items(self) -> list[str]:
        return [item for i, item in enumerate(self.items) if i not in self.done]

    @property
    def win_of(self) -> dict[int, int]:
        """Item index → the win it is (made from it at sign-off, or linked to it)."""
        return dict(self.item_wins)


@dataclass(frozen=True)
class Audience:
    """Where a member's plan and summary go: a channel id, or a user id for a DM."""

    channel: str
    kind: str  # "channel", "manager" or "self"
    missing: str | None = None  # why it fell back to the member's own DM


@dataclass(frozen=True)
class PlanOwner:
    """The member as the plan flows need them: effective zone and where they share."""

    member_id: int
    workspace_id: str
    user_id: str
    tz: str  # the override, else Slack's zone
    share_to: str
    share_channel_id: str | None
    manager_user_id: str | None

    def audience(self) -> Audience:
        """The member's choice, or their own DM when the choice lacks a channel or a manager."""
        if self.share_to == "channel":
            if self.share_channel_id:
                return Audience(self.share_channel_id, "channel")
            return Audience(self.user_id, "self", "no team channel is set")
        if self.share_to == "manager":
            if self.manager_user_id:
                return Audience(self.manager_user_id, "manager")
            return Audience(self.user_id, "self", "no manager is set")
        return Audience(self.user_id, "self")


@dataclass(frozen=True)
class PlanInput:
    """The plan modal's values, checked."""

    items: list[str]
    reachable: str | None
    reach_via: str | None


@dataclass(frozen=True)
class SummaryInput:
    """The sign-off modal's values, checked: what the member says of their day."""

    done: frozenset[int]
    blockers: str | None
    signed_off: str  # local "HH:MM"
    carry: bool
    tomorrow: tuple[str, ...]
    wins: frozenset[int] = frozenset()  # done items the member also logs as wins (none unless chosen)
    links: tuple[tuple[int, int], ...] = ()  # (item index, win id): done items repeating a logged win
    metric: tuple[str, float] | None = None  # (one of the member's metrics, the day's number for it)


@dataclass(frozen=True)
class SignedOff:
    """The day as summarized, and where the rest of the work went."""

    plan: SavedPlan
    wins: list[SavedWin]  # the day's wins, including those made from items the member picked
    next_day: date | None  # the draft's date; None when nothing was carried, or no open day was found
    carried: tuple[str, ...]


@dataclass(frozen=True)
class HeldPost:
    """A held day taken for sending: to whom, what of the day goes (the parts not posted yet), and the
    ledger period (the day and the instant it was held until, so a later hold of the same day is its own)."""

    plan_id: int
    member_id: int
    workspace_id: str
    user_id: str
    local_date: date
    held_until: datetime
    to: str  # a channel id, or a user id for a DM
    with_plan: bool
    with_summary: bool

    @property
    def period(self) -> str:
        return f"{self.local_date.isoformat()}@{self.held_until.astimezone(UTC):%Y%m%d%H%M}"


# -- the two forms -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanForm:
    """The raw values of the plan modal, "" when left empty; checked by `validate_plan`."""

    items: str
    reachable: str
    reach_via: str


@dataclass(frozen=True)
class Picked:
    """An option ticked in one of the sign-off modal's checkbox groups."""

    field: str  # the group's field: an error about the option is shown there
    value: str
    label: str  # the option's text, to name it in an error


@dataclass(frozen=True)
class SummaryForm:
    """The raw values of the sign-off modal ("" or None when left empty); checked by `validate_summary`."""

    done: tuple[str, ...]  # the values ticked under "What got done?"
    wins: tuple[Picked, ...]  # "Log as wins too": item indexes
    links: tuple[Picked, ...]  # "Already logged as a win today": "<item index>:<win id>"
    blockers: str
    signed_off: str  # "HH:MM"
    tomorrow: str
    carry: bool
    metric_name: str | None
    metric_value: str | None


def plan_items(text: str) -> list[str]:
    """One item a line, as typed, without blank lines or the bullet a member may have typed in front."""
    items = (BULLET.sub("", line.strip(), count=1).strip() for line in text.splitlines())
    return [item for item in items if item]


def validate_plan(form: PlanForm) -> tuple[PlanInput | None, dict[str, str]]:
    """The plan, or errors keyed by field name (shown in the modal, with the text kept)."""
    items = plan_items(form.items)
    errors = {}
    if not items:
        errors["items"] = "Write at least one thing you plan to do, one a line."
    elif len(items) > MAX_ITEMS:
        errors["items"] = f"Keep it to {MAX_ITEMS} items (this has {len(items)}): merge the small ones."
    elif len(form.items) > ITEMS_LENGTH:
        errors["items"] = f"Keep it under {ITEMS_LENGTH} characters (this is {len(form.items)})."
    reachable, reach_via = form.reachable.strip() or None, form.reach_via.strip() or None
    for name, value in (("reachable", reachable), ("reach_via", reach_via)):
        if len(value or "") > AVAILABILITY_LENGTH:
            errors[name] = f"Keep it under {AVAILABILITY_LENGTH} characters."
    if errors:
        return None, errors
    return PlanInput(items, reachable, reach_via), {}


def validate_summary(form: SummaryForm) -> tuple[SummaryInput | None, dict[str, str]]:
    """The sign-off, or errors keyed by field name (the modal keeps everything typed).

    An item logged as a win or linked to one must be ticked as done, and can't be both."""
    errors: dict[str, str] = {}
    done = frozenset(int(value) for value in form.done if value.isdigit())
    as_wins = _as_wins(form.wins, done, errors)
    links = _links(form.links, done, as_wins, errors)
    if len(form.blockers) > ITEMS_LENGTH:
        errors["blockers"] = f"Keep it under {ITEMS_LENGTH} characters (this is {len(form.blockers)})."
    if not TIME.match(form.signed_off):
        errors["signed_off"] = "Pick the time you signed off."
    tomorrow = plan_items(form.tomorrow)
    if len(tomorrow) > MAX_ITEMS:
        errors["tomorrow"] = f"Keep it to {MAX_ITEMS} items (this has {len(tomorrow)})."
    metric = _metric(form.metric_name, form.metric_value, errors)
    if errors:
        return None, errors
    summary = SummaryInput(
        done,
        form.blockers if form.blockers.strip() else None,
        form.signed_off,
        form.carry,
        tuple(tomorrow),
        wins=as_wins,
        links=tuple(sorted(links.items())),
        metric=metric,
    )
    return summary, {}


def _named(picked: Picked, i: int) -> str:
    """The item as an error names it: its option's text, cut short."""
    name = picked.label or f"item {i + 1}"
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


def _as_wins(picks: Iterable[Picked], done: Collection[int], errors: dict[str, str]) -> frozenset[int]:
    """The items picked to log as wins; one not ticked as done is an error in its group."""
    as_wins = set()
    for picked in picks:
        if picked.value.isdigit():
            i = int(picked.value)
            as_wins.add(i)
            if i not in done:
                errors.setdefault(picked.field, NOT_DONE.format(_named(picked, i)))
    return frozenset(as_wins)


def _links(
    picks: Iterable[Picked], done: Collection[int], as_wins: Collection[int], errors: dict[str, str]
) -> dict[int, int]:
    """Item index → the logged win it is linked to; one not done, or also logged as a win, is an error."""
    links: dict[int, int] = {}
    for picked in picks:
        item, _, win = picked.value.partition(":")
        if not (item.isdigit() and win.isdigit()):
            continue
        i = int(item)
        links[i] = int(win)
        if i not in done:
            errors.setdefault(picked.field, NOT_DONE.format(_named(picked, i)))
        elif i in as_wins:
            errors.setdefault(picked.field, LOGGED_TWICE.format(_named(picked, i), win))
    return links


def _metric(name: str | None, number: str | None, errors: dict[str, str]) -> tuple[str, float] | None:
    """The day's number for one of the member's metrics: both given, or neither."""
    metric_name = (name or "").strip() or None
    metric_value, problem = metric_number(number)
    if problem:
        errors["metric_value"] = problem
    elif metric_value is not None and metric_name is None:
        errors["metric_name"] = "Pick the metric this number is for."
    elif metric_name is not None and metric_value is None:
        errors["metric_value"] = "Give the number for this metric."
    return (metric_name, metric_value) if metric_name and metric_value is not None else None


# -- what a sign-off does with the day ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayEnd:
    """What a sign-off makes of the day: its items, the done ones, those that become wins, what goes on."""

    items: tuple[str, ...]
    done: tuple[int, ...]
    as_wins: tuple[int, ...]  # done items the member picked: each becomes a win
    carried: tuple[str, ...]  # to the next plan day, once each


def day_end(status: PlanStatus, items: Sequence[str], already_carried: bool, form: SummaryInput) -> DayEnd:
    """The day as the sign-off `form` leaves it.

    A day whose plan was never sent has no items to tick: a draft's items count as not done and go on with
    tomorrow's plan. Open items go on when the member keeps "carry" ticked. A day whose open items already
    went on (it had ended unanswered, `already_carried`) doesn't carry them again.
    """
    leftover: list[str] = []
    if status == PlanStatus.DRAFT:
        leftover, items = ([] if already_carried else list(items)), ()
    done = sorted(i for i in form.done if 0 <= i < len(items))
    if form.carry and not already_carried:
        leftover += [item for i, item in enumerate(items) if i not in done]
    carried = tuple(dict.fromkeys(leftover + list(form.tomorrow)))
    return DayEnd(tuple(items), tuple(done), tuple(i for i in done if i in form.wins), carried)


def item_wins(
    made: Mapping[int, int], links: Iterable[tuple[int, int]], done: Collection[int], logged: Collection[int]
) -> dict[int, int]:
    """Item index → the win it is: those `made` from items, then the links the member kept, each from a done
    item not made into a win to a win of the day that may be linked (`logged`, see `linkable`)."""
    found = dict(made)
    for i, win_id in links:
        if i in done and i not in found and win_id in logged:
            found[i] = win_id
    return found


def unanswered_items(status: PlanStatus, items: Sequence[str], done: Collection[int]) -> list[str]:
    """What goes on from a day that ended without a sign-off: a posted plan's items not ticked, all of a
    draft's or a skipped day's (nothing of them was done)."""
    ticked = done if status == PlanStatus.POSTED else ()
    return [item for i, item in enumerate(items) if i not in ticked]


def retick(done: Iterable[int], shown: range, ticked: Iterable[int], count: int) -> list[int]:
    """The done items after boxes were ticked in the end-of-day message: the ticks among the `shown`
    indexes replaced by `ticked` (of the day's `count` items)."""
    kept = {i for i in done if i not in shown}
    return sorted(kept | {i for i in ticked if i in shown and i < count})


def next_remote_day(schedule: Schedule, overrides: Mapping[date, str], after: date) -> date:
    """The member's next remote day after `after`, where carried items wait; the next calendar day when no
    day is remote (`overrides` must cover the `HORIZON_DAYS` after `after`)."""
    fallback = after + timedelta(days=1)
    if not schedule.remote_days and "remote" not in overrides.values():
        return fallback
    for offset in range(1, HORIZON_DAYS + 1):
        day = after + timedelta(days=offset)
        if day_kind(schedule, day, overrides) == "remote":
            return day
    return fallback


# -- posts held for the manager's working hours ------------------------------------------------------------


def hold_until(now: datetime, hours: WorkingHours) -> datetime | None:
    """Until when a post to the manager must wait: the start of their next working day when `now` is
    outside their working hours (`hours`); None when it can go now."""
    return None if is_working_time(now, hours) else next_working_start(now, hours)


def held_parts(status: PlanStatus, ts: str | None, summary_ts: str | None) -> tuple[bool, bool]:
    """What of a held day goes (plan, summary): the plan if it was sent but never posted, the summary if
    the day is signed off and it wasn't."""
    return status in PLAN_SENT and ts is None, status == PlanStatus.SUMMARIZED and summary_ts is None


# -- when a plan item repeats a win ------------------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """The text's words, case folded, without punctuation."""
    return tuple(WORD.findall(text.casefold()))


def repeats(item: str, win: str) -> bool:
    """Whether a plan item and a win say the same thing (see the module doc)."""
    return _same(words(item), words(win))


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """`repeats`, on the two texts' words."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_CONTAINED:
        return False
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def linkable(wins: Sequence[SavedWin]) -> list[SavedWin]:
    """The day's wins an item may be linked to: logged by the member (not made from an item at sign-off),
    and not private (the summary that shows the link may go to the team or the manager)."""
    return [w for w in wins if w.source != "summary" and not w.private]


def repeated_wins(items: Sequence[str], wins: Sequence[SavedWin]) -> dict[int, SavedWin]:
    """Item index → the first linkable win of the day that it repeats."""
    candidates = [(w, words(w.text)) for w in linkable(wins)]  # each win's words once, not once an item
    found = {}
    for i, item in enumerate(items):
        mine = words(item)
        match = next((w for w, theirs in candidates if _same(mine, theirs)), None)
        if match is not None:
            found[i] = match
    return found
