"""The remote day's plan and summary: the prompts' buttons and the two modals' submissions.

Buttons ack at once and answer by replacing the prompt (response_url). Modals open after the ack,
with data loaded first (a local read, well inside the trigger's 3 s). Submissions save within the
ack budget so errors can ride on the ack and nothing typed is lost; posting to the team channel or
the manager happens after the ack, and a refusal from Slack is reported to the member in their DM.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks.form import form_metadata
from bot.blocks.plans import (
    OPEN_PLAN,
    OPEN_SUMMARY,
    PLAN_FORM,
    SKIP,
    SNOOZE_MINUTES,
    SNOOZE_PATTERN,
    SUMMARY_FORM,
    TICK_PATTERN,
    already_planned_message,
    held_message,
    not_posted_message,
    plan_form,
    plan_held_notice,
    plan_message,
    plan_sent_notice,
    read_plan_form,
    read_summary_form,
    skipped_message,
    snoozed_message,
    summary_form,
    summary_held_notice,
    summary_message,
    summary_sent_notice,
    tick_group,
    ticked_in_message,
    where,
)
from bot.blocks.wins import Message, notice_message
from bot.directory import member_for
from bot.home import refresh_home
from bot.listeners.answer import form_result, respond_later, send_dm
from bot.listeners.forms import not_opened, tell
from bot.metrics import day_kind_of
from bot.services import Services
from rules.calendar import DateRange, zone
from rules.metrics import metric_key
from rules.plans import PlanStatus, SavedPlan, SignedOff, SummaryInput, validate_plan, validate_summary
from rules.schedule import EOD, MORNING, MORNING_SNOOZE
from storage import ledger, plans, replays
from storage.members import MemberRef
from storage.metrics import (
    SavedMetric,
    clear_keyed_value,
    keyed_value,
    metrics_of,
    set_keyed_value,
    summary_ref,
)
from storage.schedules import set_one_shot
from storage.wins import wins_between

T = TypeVar("T")
log = logging.getLogger(__name__)
SUMMARIZED = "This day is already signed off, so its plan can't change. Cancel to keep what you have."
SKIPPED = "You skipped this day, so there's nothing to sign off. Cancel to close."
EXPIRED = "This form lost its date. Cancel, and open it again from the prompt."
NOT_A_METRIC = "“{}” is no longer one of your metrics: pick again."
MORNING_PROMPTS, EOD_PROMPTS = (MORNING, MORNING_SNOOZE), (EOD,)  # the ledger kinds of a day's prompts


def register(app: App, services: Services) -> None:
    _register_morning(app, services)
    _register_end_of_day(app, services)


def _register_morning(app: App, services: Services) -> None:
    """The morning prompt's buttons and the plan modal."""

    @app.action(OPEN_PLAN)
    def open_plan(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        day = _day(action.get("value"))
        if day is not None:
            services.background.submit(open_plan_form, services, body, day)

    @app.action(SNOOZE_PATTERN)
    def snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        asked = _snooze(action.get("value"))
        if asked is not None:
            (team, user), (day, minutes) = _ids(body), asked
            respond_later(services, respond, lambda: snooze_morning(services, team, user, day, minutes))

    @app.action(SKIP)
    def skip(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        day = _day(action.get("value"))
        if day is not None:
            team, user = _ids(body)
            respond_later(services, respond, lambda: skip_day(services, team, user, day))

    @app.view(PLAN_FORM)
    def submit_plan(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_plan_submission(services, ack, body, view)


def _register_end_of_day(app: App, services: Services) -> None:
    """The end-of-day message's checkboxes and Sign off, and the sign-off modal."""

    @app.action(OPEN_SUMMARY)
    def open_summary(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        day = _day(action.get("value"))
        if day is not None:
            services.background.submit(open_summary_form, services, body, day)

    @app.action(TICK_PATTERN)
    def tick(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        services.background.submit(record_ticks, services, body, action)

    @app.view(SUMMARY_FORM)
    def submit_summary(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_summary_submission(services, ack, body, view)


# -- small helpers -----------------------------------------------------------------------------------------


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _snooze(value: Any) -> tuple[date, int] | None:
    """A snooze button's day and minutes ("<date>|<minutes>"), when they are ones the prompt offers."""
    day_text, _, minutes = str(value or "").partition("|")
    day = _day(day_text)
    if day is None or not minutes.isdigit() or int(minutes) not in SNOOZE_MINUTES:
        return None
    return day, int(minutes)


def _open_view(services: Services, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open the modal; if Slack won't, the member is told under the prompt (else in the DM)."""
    team, user = _ids(body)
    try:
        services.client_for(team).views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        why = f"{not_opened('the form', error)} Press the button again."
        tell(services, team, user, {"response_url": body.get("response_url")}, notice_message(why))


def _update_prompt(
    services: Services, team: str, member_id: int, day: date, kinds: tuple[str, ...], message: Message
) -> None:
    """Show on the day's prompt what the member did; the prompt is found in the app's own ledger (never from
    a payload), and may be gone, which changes nothing else."""
    with services.sessions() as session:
        where_sent = ledger.sent_message(session, member_id, kinds, day.isoformat())
    if where_sent is None:
        return
    channel, ts = where_sent
    try:
        services.client_for(team).chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as error:
        log.warning("could not update the prompt: %s", error.response.get("error"))


def _first_submission(
    session: Session, team: str, member_id: int, kind: str, view: dict[str, Any], now: datetime
) -> bool:
    """Whether this modal (its view id) is submitted for the first time; a copy posts nothing again."""
    view_id = str(view.get("id") or "")
    return not view_id or replays.first_time(session, team, member_id, kind, f"view:{view_id}", now)


def _manager_hold(session: Session, member_id: int, now: datetime) -> datetime | None:
    """Until when what the member posts now must wait for their manager's working hours (None: not)."""
    owner = plans.plan_owner(session, member_id)
    return plans.manager_hold(session, owner, now) if owner is not None else None


def _post_or_update(
    services: Services,
    team: str,
    existing: tuple[str | None, str | None],
    target: str,
    message: Message,
    thread_ts: str | None = None,
) -> tuple[str, str]:
    """Edit the message already posted (sending a form again changes it, never doubles it), else post one."""
    channel, ts = existing
    if channel and ts:
        try:
            services.client_for(team).chat_update(channel=channel, ts=ts, **message)
            return channel, ts
        except SlackApiError as error:  # deleted meanwhile, say: post it anew
            log.info("could not edit %s/%s (%s); posting again", channel, ts, error.response.get("error"))
    posted = services.client_for(team).chat_postMessage(channel=target, thread_ts=thread_ts, **message)
    return posted["channel"], posted["ts"]


# -- the morning -------------------------------------------------------------------------------------------


def open_plan_form(services: Services, body: dict[str, Any], day: date) -> None:
    """The plan modal: items from the day's draft (or the plan being edited), availability from last time."""
    team, user = _ids(body)
    member = member_for(services, team, user)
    with services.sessions() as session:
        owner = plans.plan_owner(session, member.id)
        plan = plans.find_plan(session, member.id, day)
        if plan is not None and (plan.reachable or plan.reach_via):
            reachable, reach_via = plan.reachable, plan.reach_via
        else:
            reachable, reach_via = plans.last_availability(session, member.id, day)
    if owner is None:
        return
    metadata = {"date": day.isoformat()}
    items = plan.items if plan is not None else ()
    _open_view(services, body, plan_form(day, owner.audience(), items, reachable, reach_via, metadata))


def snooze_morning(services: Services, team: str, user: str, day: date, minutes: int) -> Message:
    """Ask again in `minutes`: a one-shot slot the clock sends like the morning prompt."""
    member = member_for(services, team, user)
    due = services.clock() + timedelta(minutes=minutes)
    with services.writing(), services.sessions.begin() as session:
        plan = plans.find_plan(session, member.id, day)
        if plan is not None and plan.posted:
            return already_planned_message(day)
        set_one_shot(session, member.id, MORNING_SNOOZE, due, day)
        owner = plans.plan_owner(session, member.id)
    tz = owner.tz if owner else member.tz
    return snoozed_message(day, f"{due.astimezone(zone(tz)):%H:%M}")


def skip_day(services: Services, team: str, user: str, day: date) -> Message:
    """No plan today, so no end-of-day prompt either; a plan already sent keeps the day on."""
    member = member_for(services, team, user)
    with services.writing(), services.sessions.begin() as session:
        plan = plans.skip_day(session, member.id, day, services.clock())
    return skipped_message(day) if plan.status == PlanStatus.SKIPPED else already_planned_message(day)


def handle_plan_submission(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    team, user = _ids(body)
    metadata = form_metadata(view)
    day = _day(metadata.get("date"))
    form, errors = validate_plan(read_plan_form(view))
    if day is None:
        errors = {"items": EXPIRED}
    if errors or form is None or day is None:
        ack(response_action="errors", errors=errors)
        return

    def save() -> tuple[int, SavedPlan | None, bool]:
        member, now = member_for(services, team, user), services.clock()
        with services.writing(), services.sessions.begin() as session:
            hold = _manager_hold(session, member.id, now)
            plan = plans.post_plan(
                session, member.id, day, form.items, form.reachable, form.reach_via, now, hold
            )
            first = plan is None or _first_submission(session, team, member.id, replays.PLAN_FORM, view, now)
        return member.id, plan, first

    def after(saved: tuple[int, SavedPlan | None, bool]) -> None:
        """After the ack, once per form (a save that outran the ack shares all the same)."""
        member_id, plan, first = saved
        if plan is None or not first:
            log.info("a plan form was submitted again; it was posted once")
            return
        refresh_home(services, team, user)
        share_plan(services, member_id, plan)

    saved = form_result(services, ack, save, "items", later=after)
    if saved is None:
        return
    if saved[1] is None:
        ack(response_action="errors", errors={"items": SUMMARIZED})
        return
    ack()
    services.background.submit(after, saved)


def share_plan(services: Services, member_id: int, plan: SavedPlan) -> None:
    """Post the plan where the member chose (or edit it where it already is); a refusal goes to their DM."""
    with services.sessions() as session:
        owner = plans.plan_owner(session, member_id)
    if owner is None:
        return
    team, audience = owner.workspace_id, owner.audience()
    if plan.held_until is not None:  # the clock posts it at the start of the manager's day
        notice = plan_held_notice(plan.local_date, audience, plan.held_until, owner.tz)
        _update_prompt(services, team, member_id, plan.local_date, MORNING_PROMPTS, notice)
        return
    message = plan_message(owner.user_id, plan)
    try:
        channel, ts = _post_or_update(services, team, (plan.channel, plan.ts), audience.channel, message)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.info("plan of member %s not posted: %s", member_id, code)
        send_dm(
            services,
            team,
            owner.user_id,
            not_posted_message("plan", plan.local_date, where(audience), code, message),
        )
        return
    with services.writing(), services.sessions.begin() as session:
        plans.record_posted(session, plan.id, channel, ts, services.clock())
    edited = (channel, ts) == (plan.channel, plan.ts)
    place = "where it was posted" if edited else where(audience)
    notice = plan_sent_notice(plan.local_date, place, edited=edited)
    _update_prompt(services, team, member_id, plan.local_date, MORNING_PROMPTS, notice)


# -- the end of the day ------------------------------------------------------------------------------------


def record_ticks(services: Services, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Boxes ticked in the end-of-day message are kept, so the sign-off form opens with them ticked."""
    group = tick_group(str(action.get("block_id", "")))
    if group is None:
        return
    shown, day = group
    ticked = {int(o["value"]) for o in action.get("selected_options") or () if str(o.get("value")).isdigit()}
    team, user = _ids(body)
    member = member_for(services, team, user)
    with services.writing(), services.sessions.begin() as session:
        plans.tick_items(session, member.id, day, shown, ticked, services.clock())


def open_summary_form(services: Services, body: dict[str, Any], day: date) -> None:
    """The sign-off modal, with the boxes ticked in the message and the time now in the member's zone."""
    team, user = _ids(body)
    member = member_for(services, team, user)
    with services.sessions() as session:
        owner = plans.plan_owner(session, member.id)
        plan = plans.find_plan(session, member.id, day)
        next_day = plans.next_plan_day(session, member.id, day)
        wins = wins_between(session, member.id, DateRange(day, day))
        names = [m.name for m in metrics_of(session, member.id)]
        logged = keyed_value(session, member.id, summary_ref(day))
    if owner is None:
        return
    ticked = ticked_in_message(body.get("state") or {})
    if ticked is None:
        ticked = set(plan.done) if plan is not None else set()
    signed_off, blockers = f"{services.clock().astimezone(zone(owner.tz)):%H:%M}", None
    if plan is not None and plan.status == PlanStatus.SUMMARIZED:
        signed_off, blockers = plan.signed_off or signed_off, plan.blockers
    carry = 0
    if plan is not None:
        carry = len(plan.open_items) if plan.posted else len(plan.items)
    view = summary_form(
        day,
        plan,
        sorted(ticked),
        signed_off=signed_off,
        tz=owner.tz,
        blockers=blockers,
        carry_count=carry,
        next_day=next_day,
        metadata={"date": day.isoformat()},
        wins=wins,
        metrics=names,
        logged=logged,
    )
    _open_view(services, body, view)


def handle_summary_submission(
    services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]
) -> None:
    team, user = _ids(body)
    metadata = form_metadata(view)
    day = _day(metadata.get("date"))
    form, errors = validate_summary(read_summary_form(view))
    if day is None:
        errors = {"blockers": EXPIRED}
    if errors or form is None or day is None:
        ack(response_action="errors", errors=errors)
        return

    def save() -> tuple[int, SignedOff | None, bool, dict[str, str]]:
        return save_summary(services, team, user, day, form, view)

    def after(saved: tuple[int, SignedOff | None, bool, dict[str, str]]) -> None:
        """After the ack, once per form (a save that outran the ack shares all the same)."""
        member_id, outcome, first, _problems = saved
        if outcome is None or not first:
            log.info("a sign-off form was submitted again, or could not be saved; it was posted once")
            return
        refresh_home(services, team, user)
        share_summary(services, member_id, outcome)

    saved = form_result(services, ack, save, "blockers", later=after)
    if saved is None:
        return
    if saved[3]:
        ack(response_action="errors", errors=saved[3])
        return
    if saved[1] is None:
        ack(response_action="errors", errors={"blockers": SKIPPED})
        return
    ack()
    services.background.submit(after, saved)


def save_summary(
    services: Services, team: str, user: str, day: date, form: SummaryInput, view: dict[str, Any]
) -> tuple[int, SignedOff | None, bool, dict[str, str]]:
    """Sign the day off with the day's number for the metric picked (errors when it is no longer one of the
    member's); whether this is the form's first submission, so a copy posts nothing again."""
    member, now = member_for(services, team, user), services.clock()
    with services.writing(), services.sessions.begin() as session:
        metric = None
        if form.metric is not None:
            metric = _metric_named(session, member.id, form.metric[0])
            if metric is None:
                return member.id, None, False, {"metric_name": NOT_A_METRIC.format(form.metric[0])}
        hold = _manager_hold(session, member.id, now)
        outcome = plans.sign_off(session, member, day, form, now, hold)
        if outcome is not None:
            _record_metric(session, member, day, metric, form, now)
        kind = replays.SUMMARY_FORM
        first = outcome is None or _first_submission(session, team, member.id, kind, view, now)
        return member.id, outcome, first, {}


def _metric_named(session: Session, member_id: int, name: str) -> SavedMetric | None:
    return next((m for m in metrics_of(session, member_id) if m.metric.key == metric_key(name)), None)


def _record_metric(
    session: Session,
    member: MemberRef,
    day: date,
    metric: SavedMetric | None,
    form: SummaryInput,
    now: datetime,
) -> None:
    """Keyed by the day: the summary sent again replaces its value, or clears it when none is given now."""
    ref = summary_ref(day)
    if metric is not None and form.metric is not None:
        kind = day_kind_of(session, member, day)
        set_keyed_value(session, member.id, metric.id, day, form.metric[1], kind, ref, now)
    else:
        clear_keyed_value(session, member.id, ref)


def share_summary(services: Services, member_id: int, outcome: SignedOff) -> None:
    """Post the summary where the plan went (in its thread, in a channel), else where the member shares."""
    with services.sessions() as session:
        owner = plans.plan_owner(session, member_id)
    if owner is None:
        return
    team, plan, audience = owner.workspace_id, outcome.plan, owner.audience()
    if plan.held_until is not None:  # the clock posts it at the start of the manager's day
        notice = summary_held_notice(plan, audience, plan.held_until, owner.tz)
        _update_prompt(services, team, member_id, plan.local_date, EOD_PROMPTS, notice)
        return
    if plan.ts and plan.ts == plan.summary_ts:  # the plan and summary went as one held message: edit both
        message = held_message(owner.user_id, plan, outcome.wins, with_plan=True, with_summary=True)
    else:
        message = summary_message(owner.user_id, plan, outcome.wins, outcome.next_day)
    with_plan = bool(plan.channel and plan.ts)
    thread = plan.ts if with_plan and not str(plan.channel).startswith("D") else None
    target = plan.channel if with_plan and plan.channel else audience.channel
    if thread:
        place = f"in your plan's thread in <#{plan.channel}>"
    else:
        place = "next to your plan" if with_plan else where(audience)
    existing = (plan.channel, plan.summary_ts)
    try:
        channel, ts = _post_or_update(services, team, existing, target, message, thread)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.info("summary of member %s not posted: %s", member_id, code)
        not_posted = not_posted_message("summary", plan.local_date, place, code, message)
        send_dm(services, team, owner.user_id, not_posted)
        return
    with services.writing(), services.sessions.begin() as session:
        plans.record_summary(session, plan.id, channel, ts, services.clock())
    notice = summary_sent_notice(plan, place, outcome.next_day, len(outcome.carried))
    _update_prompt(services, team, member_id, plan.local_date, EOD_PROMPTS, notice)
