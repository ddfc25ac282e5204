"""Members as Slack knows them: time zone and name from `users.info`, cached twice.

The database keeps every member; this process also keeps the members it saw in the last minute, so
the ack path of a busy workspace costs no query for them. Slack is asked only for a member seen
for the first time, and a stored entry older than a day is refreshed after the ack, never before.
A settings change calls `forget_member`; another process sees it within `MemberCache.TTL`.

A profile with no zone (unset, or hidden from apps) is stored as UTC marked `tz_unknown`, so the member
is told their zone is unknown and how to set it, and is never told "UTC, from your Slack profile".
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services import Services
from rules.settings import Person, known_zone, manager_refusal
from storage.members import MemberRef, find_member, save_member

TZ_REFRESH = timedelta(days=1)
log = logging.getLogger(__name__)


def cached_member(services: Services, workspace_id: str, user_id: str) -> MemberRef | None:
    """The member from this process's cache or the database; never asks Slack."""
    member = services.members.get(workspace_id, user_id)
    if member is not None:
        return member
    with services.sessions() as session:
        member = find_member(session, workspace_id, user_id)
    return services.members.put(member) if member else None


def member_for(services: Services, workspace_id: str, user_id: str) -> MemberRef:
    """The member, from a cache when one has them; refreshed from Slack in the background when old."""
    member = cached_member(services, workspace_id, user_id)
    if member is None:
        return refresh_member(services, workspace_id, user_id)
    if services.clock() - member.tz_checked_at > TZ_REFRESH:
        services.members.forget(workspace_id, user_id)  # so the next request doesn't queue another refresh
        services.background.submit(refresh_member, services, workspace_id, user_id)
    return member


def forget_member(services: Services, workspace_id: str, user_id: str) -> None:
    """Drop the cached copy after the member's settings change."""
    services.members.forget(workspace_id, user_id)


def refresh_member(services: Services, workspace_id: str, user_id: str) -> MemberRef:
    """Ask Slack for the member's zone and name; if Slack can't say, keep what we had or use UTC for now."""
    now = services.clock()
    try:
        user = services.client_for(workspace_id).users_info(user=user_id)["user"]
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("users.info failed for %s: %s", user_id, getattr(error, "response", error))
        known = cached_member(services, workspace_id, user_id)
        if known is not None:
            return known
        with services.writing(), services.sessions.begin() as session:
            member = save_member(
                session,
                workspace_id,
                user_id,
                tz="UTC",
                display_name="",
                now=now - TZ_REFRESH,
                tz_unknown=True,
            )
        return services.members.put(member)
    return _keep(services, workspace_id, user_id, user, now)


def look_up_person(services: Services, workspace_id: str, user_id: str) -> Person:
    """Ask Slack, always, about someone a member names as their manager (the cache can't tell a bot or a
    deactivated account). A person who can be a manager is kept with their zone, so that their digest,
    and the member's recap before it, run in it from the start. Raises when Slack can't answer."""
    try:
        user = services.client_for(workspace_id).users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "user_not_visible"):
            return Person(user_id, found=False)
        raise
    profile = user.get("profile") or {}
    person = Person(
        user_id,
        deleted=bool(user.get("deleted")),
        bot=bool(user.get("is_bot")),
        name=profile.get("display_name") or profile.get("real_name") or user.get("name") or "",
    )
    if manager_refusal(person, "") is None:  # a real, active person (who they manage is checked later)
        _keep(services, workspace_id, user_id, user, services.clock())
    return person


def _keep(services: Services, workspace_id: str, user_id: str, user: dict, now: datetime) -> MemberRef:
    """Store what `users.info` said: the zone (UTC, marked unknown, when it gave none), name, deactivation."""
    profile = user.get("profile") or {}
    tz = known_zone(str(user.get("tz") or ""))
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or ""
    with services.writing(), services.sessions.begin() as session:
        member = save_member(
            session,
            workspace_id,
            user_id,
            tz=tz or "UTC",
            display_name=name,
            now=now,
            deactivated=bool(user.get("deleted")),
            tz_unknown=tz is None,
        )
    return services.members.put(member)
