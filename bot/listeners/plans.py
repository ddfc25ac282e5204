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
from bot.services import Services
from rules.calendar import DateRange, zone
from rules.schedule import MORNING_SNOOZE
from storage import plans
from storage.plans import SavedPlan, SignedOff
from storage.schedules import set_one_shot
from storage.wins import wins_between

T = TypeVar("T")
log = logging.getLogger(__name__)
SUMMARIZED = "This day is already signed off, so its plan can't change. Cancel to keep what you have."
SKIPPED = "You skipped this day, so there's nothing to sign off. Cancel to close."
EXPIRED = "This form lost its date. Cancel, and open it again from the prompt."


def register(app: App, services: Services) -> None:
    @app.action(OPEN_PLAN)
    def open_plan(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        day = _day(action.get("value"))
        if day is not None:
            services.background.submit(open_plan_form, services, body, day)

    @app.action(SNOOZE_PATTERN)
    def snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        value, _, minutes = str(action.get("value", "")).partition("|")
        day = _day(value)
        if day is not None and minutes.isdigit() and int(minutes) in SNOOZE_MINUTES:
            team, user = _ids(body)
            respond_later(services, respond, lambda: snooze_morning(services, team, user, day, int(minutes)))

    @app.action(SKIP)
    def skip(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        day = _day(action.get("value"))
        if day is not None:
            team, user = _ids(body)
            respond_later(services, respond, lambda: skip_day(services, team, user, day))

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

    @app.view(PLAN_FORM)
    def submit_plan(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_plan_submission(services, ack, body, view)

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


def _prompt_of(body: dict[str, Any]) -> dict[str, str]:
    """Where the pressed prompt is, so the modal's submission can update it in place."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return {"prompt_channel": channel, "prompt_ts": ts} if channel and ts else {}


def _open_view(services: Services, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open the modal; if Slack won't, the member is told under the prompt (else in the DM)."""
    try:
        services.client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"))
        why = f"{not_opened('the form', error)} Press the button again."
        tell(services, body["user"]["id"], {"response_url": body.get("response_url")}, notice_message(why))


def _update_prompt(services: Services, metadata: dict[str, Any], message: Message) -> None:
    """Show on the prompt what the member did; the prompt may be gone, which changes nothing else."""
    channel, ts = metadata.get("prompt_channel"), metadata.get("prompt_ts")
    if not (channel and ts):
        return
    try:
        services.client.chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as error:
        log.warning("could not update the prompt: %s", error.response.get("error"))


def _manager_hold(session: Session, member_id: int, now: datetime) -> datetime | None:
    """Until when what the member posts now must wait for their manager's working hours (None: not)."""
    owner = plans.plan_owner(session, member_id)
    return plans.manager_hold(session, owner, now) if owner is not None else None


def _post_or_update(
    services: Services,
    existing: tuple[str | None, str | None],
    target: str,
    message: Message,
    thread_ts: str | None = None,
) -> tuple[str, str]:
    """Edit the message already posted (sending a form again changes it, never doubles it), else post one."""
    channel, ts = existing
    if channel and ts:
        try:
            services.client.chat_update(channel=channel, ts=ts, **message)
            return channel, ts
        except SlackApiError as error:  # deleted meanwhile, say: post it anew
            log.info("could not edit %s/%s (%s); posting again", channel, ts, error.response.get("error"))
    posted = services.client.chat_postMessage(channel=target, thread_ts=thread_ts, **message)
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
    metadata = {"date": day.isoformat(), **_prompt_of(body)}
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
    return skipped_message(day) if plan.status == "skipped" else already_planned_message(day)


def handle_plan_submission(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
    team, user = _ids(body)
    metadata = form_metadata(view)
    day = _day(metadata.get("date"))
    form, errors = read_plan_form(view)
    if day is None:
        errors = {"items": EXPIRED}
    if errors or form is None or day is None:
        ack(response_action="errors", errors=errors)
        return

    def save() -> tuple[int, SavedPlan | None]:
        member, now = member_for(services, team, user), services.clock()
        with services.writing(), services.sessions.begin() as session:
            hold = _manager_hold(session, member.id, now)
            plan = plans.post_plan(
                session, member.id, day, form.items, form.reachable, form.reach_via, now, hold
            )
        return member.id, plan

    saved = form_result(services, ack, save, "items")
    if saved is None:
        return
    member_id, plan = saved
    if plan is None:
        ack(response_action="errors", errors={"items": SUMMARIZED})
        return
    ack()
    refresh_home(services, team, user)
    services.background.submit(share_plan, services, member_id, plan, metadata)


def share_plan(services: Services, member_id: int, plan: SavedPlan, metadata: dict[str, Any]) -> None:
    """Post the plan where the member chose (or edit it where it already is); a refusal goes to their DM."""
    with services.sessions() as session:
        owner = plans.plan_owner(session, member_id)
    if owner is None:
        return
    audience = owner.audience()
    if plan.held_until is not None:  # the clock posts it at the start of the manager's day
        notice = plan_held_notice(plan.local_date, audience, plan.held_until, owner.tz)
        _update_prompt(services, metadata, notice)
        return
    message = plan_message(owner.user_id, plan)
    try:
        channel, ts = _post_or_update(services, (plan.channel, plan.ts), audience.channel, message)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.info("plan of member %s not posted: %s", member_id, code)
        send_dm(
            services,
            owner.user_id,
            not_posted_message("plan", plan.local_date, where(audience), code, message),
        )
        return
    with services.writing(), services.sessions.begin() as session:
        plans.record_posted(session, plan.id, channel, ts, services.clock())
    edited = (channel, ts) == (plan.channel, plan.ts)
    place = "where it was posted" if edited else where(audience)
    _update_prompt(services, metadata, plan_sent_notice(plan.local_date, place, edited=edited))


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
    if owner is None:
        return
    ticked = ticked_in_message(body.get("state") or {})
    if ticked is None:
        ticked = set(plan.done) if plan is not None else set()
    signed_off, blockers = f"{services.clock().astimezone(zone(owner.tz)):%H:%M}", None
    if plan is not None and plan.status == "summarized":
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
        metadata={"date": day.isoformat(), **_prompt_of(body)},
        wins=wins,
    )
    _open_view(services, body, view)


def handle_summary_submission(
    services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any]
) -> None:
    team, user = _ids(body)
    metadata = form_metadata(view)
    day = _day(metadata.get("date"))
    form, errors = read_summary_form(view)
    if day is None:
        errors = {"blockers": EXPIRED}
    if errors or form is None or day is None:
        ack(response_action="errors", errors=errors)
        return

    def save() -> tuple[int, SignedOff | None]:
        member, now = member_for(services, team, user), services.clock()
        with services.writing(), services.sessions.begin() as session:
            hold = _manager_hold(session, member.id, now)
            return member.id, plans.sign_off(session, member, day, form, now, hold)

    saved = form_result(services, ack, save, "blockers")
    if saved is None:
        return
    member_id, outcome = saved
    if outcome is None:
        ack(response_action="errors", errors={"blockers": SKIPPED})
        return
    ack()
    refresh_home(services, team, user)
    services.background.submit(share_summary, services, member_id, outcome, metadata)


def share_summary(services: Services, member_id: int, outcome: SignedOff, metadata: dict[str, Any]) -> None:
    """Post the summary where the plan went (in its thread, in a channel), else where the member shares."""
    with services.sessions() as session:
        owner = plans.plan_owner(session, member_id)
    if owner is None:
        return
    plan, audience = outcome.plan, owner.audience()
    if plan.held_until is not None:  # the clock posts it at the start of the manager's day
        _update_prompt(services, metadata, summary_held_notice(plan, audience, plan.held_until, owner.tz))
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
        channel, ts = _post_or_update(services, existing, target, message, thread)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        log.info("summary of member %s not posted: %s", member_id, code)
        send_dm(services, owner.user_id, not_posted_message("summary", plan.local_date, place, code, message))
        return
    with services.writing(), services.sessions.begin() as session:
        plans.record_summary(session, plan.id, channel, ts, services.clock())
    notice = summary_sent_notice(plan, place, outcome.next_day, len(outcome.carried))
    _update_prompt(services, metadata, notice)
