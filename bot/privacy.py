"""A member's data is theirs: `export` (everything, as JSON, with the evidence pack), `forget-me` (erase
everything after a confirmation button), and a named manager's "Not my report".

Erasing is keyed by the confirmation's token (`members.forget_token`, see storage/privacy.py), not by the
request: the member's ledger rows go with them, so a replayed Confirm can't be recognised there, but it
no longer matches any member (a new `/remote-win` after the erasure starts a member with no token).
Whoever loses a manager link is told once: a ledger row under their own member (kinds `manager_gone`,
`manager_declined`), claimed in the transaction that clears the link, sent after it commits. Someone first
named as a manager is told once per member (`manager_named`), with the digest's "Not my report" button.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime

from slack_sdk.errors import SlackClientError
from sqlalchemy.orm import Session

from bot.blocks.privacy import (
    already_forgotten_message,
    cancelled_message,
    declined_answer,
    forget_confirmation,
    forgotten_home,
    forgotten_message,
    manager_link_ended_notice,
    named_notice,
    not_declined_answer,
    stale_confirmation_message,
)
from bot.blocks.wins import Message
from bot.directory import cached_member, forget_member, member_for
from bot.evidence import send_pack
from bot.home import refresh_home
from bot.notices import Notice, claim_notice, deliver_notices
from bot.services import Services
from rules.deliveries import Kind
from rules.digest import manager_week
from storage import ledger, privacy
from storage.replays import request_period

WORKER = "privacy"
log = logging.getLogger(__name__)


def export_json(services: Services, team: str, user: str) -> bytes | None:
    """Everything of the member's as JSON (storage.privacy.export_member); None when there is no member."""
    with services.sessions() as session:
        member_id = privacy.find_member_id(session, team, user)
        if member_id is None:
            return None
        data = privacy.export_member(session, member_id, services.clock())
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def json_file_name(user: str, today: date) -> str:
    return f"remote-wins-data-{user}-{today.isoformat()}.json"


def send_export(services: Services, team: str, user: str, first: date | None, last: date | None) -> Message:
    """`export` with a range: the evidence pack of those days. Without one: the pack and, in the same
    thread, every record remote-wins keeps about the member, as JSON."""
    if first is not None and last is not None:
        return send_pack(services, team, user, first, last)
    member_for(services, team, user)  # the pack needs the member; a newcomer's export is nearly empty
    data = export_json(services, team, user)
    title = "Everything remote-wins keeps about you (JSON)"
    extra = [(json_file_name(user, services.clock().date()), data, title)] if data is not None else []
    return send_pack(services, team, user, None, None, extra=extra)


# -- forget-me ---------------------------------------------------------------------------------------------


def ask_to_forget(services: Services, team: str, user: str) -> Message:
    """The confirmation, with a fresh token; never creates a member (nor asks Slack about one)."""
    member = cached_member(services, team, user)
    if member is None:
        return already_forgotten_message()
    with services.writing(), services.sessions.begin() as session:
        token = privacy.ask_to_forget(session, member.id)
        rows = privacy.count_rows(session, member.id)
    return forget_confirmation(token, rows)


def cancel(services: Services, team: str, user: str, token: str) -> Message:
    """Cancel: the token stops matching, so this confirmation's Confirm button can no longer erase."""
    with services.writing(), services.sessions.begin() as session:
        privacy.cancel_forget(session, team, user, token)
    return cancelled_message()


def confirm(services: Services, team: str, user: str, token: str) -> Message:
    """Erase the member if `token` is their pending confirmation (see `erase`)."""
    forgotten = erase(services, team, user, token=token)
    if forgotten is not None:
        return forgotten_message(forgotten.deleted)
    with services.sessions() as session:
        exists = privacy.find_member_id(session, team, user) is not None
    return stale_confirmation_message() if exists else already_forgotten_message()


def erase(services: Services, team: str, user: str, *, token: str | None = None) -> privacy.Forgotten | None:
    """Delete every row of the member (given `token`, only if it is their pending confirmation), tell the
    reports who named them that the link ended (nothing about why), and leave their Home empty. The
    operator's `remote-wins member forget` comes here too, without a token."""
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        forgotten = privacy.forget(session, team, user, now, token=token)
        if forgotten is None:
            return None
        period = request_period(f"{user}:{token or now.isoformat()}")
        notices = _claim_notices(session, team, forgotten.reports, Kind.MANAGER_GONE, period, now)
    forget_member(services, team, user)
    deliver_notices(services, team, notices, manager_link_ended_notice())
    for _member_id, report_user in forgotten.reports:
        forget_member(services, team, report_user)
        refresh_home(services, team, report_user)
    try:
        services.client_for(team).views_publish(user_id=user, view=forgotten_home())
    except (SlackClientError, OSError) as error:  # the erasure is done: Slack's part is only shown
        log.info("could not empty the Home of %s: %s", user, getattr(error, "response", error))
    return forgotten


# -- Not my report -----------------------------------------------------------------------------------------


def decline(services: Services, team: str, manager_user: str, member_id: int) -> Message:
    """The presser is not `member_id`'s manager: clear the link if that member, in this workspace, names
    the presser (anything else changes nothing), and tell the member once."""
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        report_user = privacy.decline_report(session, team, manager_user, member_id, now)
        if report_user is None:
            return not_declined_answer()
        period = request_period(f"{manager_user}:{now.isoformat()}")
        notices = _claim_notices(
            session, team, [(member_id, report_user)], Kind.MANAGER_DECLINED, period, now
        )
    forget_member(services, team, report_user)
    deliver_notices(services, team, notices, manager_link_ended_notice(manager_user))
    refresh_home(services, team, report_user)
    refresh_home(services, team, manager_user)
    return declined_answer(report_user)


def tell_named_manager(services: Services, team: str, report_user: str, manager_user: str) -> None:
    """Tell someone a member just named as manager, with "Not my report"; once per (manager, member), keyed
    in the ledger under the manager's row (which naming them created), so renaming never repeats it."""
    now = services.clock()
    with services.writing(), services.sessions.begin() as session:
        report_id = privacy.find_member_id(session, team, report_user)
        manager_id = privacy.find_member_id(session, team, manager_user)
        if report_id is None or manager_id is None:
            return
        notices = _claim_notices(
            session,
            team,
            [(manager_id, manager_user)],
            Kind.MANAGER_NAMED,
            request_period(f"{report_id}"),
            now,
        )
    week = manager_week(now, "UTC")
    deliver_notices(services, team, notices, named_notice(report_user, f"{report_id}:{week}"))


# -- notices, once each (bot.notices) ----------------------------------------------------------------------


def _claim_notices(
    session: Session, team: str, members: list[tuple[int, str]], kind: Kind, period: str, now: datetime
) -> list[Notice]:
    claimed = []
    for member_id, user_id in members:
        key = ledger.DeliveryKey(team, member_id, kind, period)
        notice = claim_notice(session, key, user_id, now=now, worker=WORKER)
        if notice is not None:
            claimed.append(notice)
    return claimed
