"""Members as Slack knows them: time zone and name from `users.info`, cached twice.

The database keeps every member; this process also keeps the members it saw in the last minute, so
the ack path of a busy workspace costs no query for them. Slack is asked only for a member seen
for the first time, and a stored entry older than a day is refreshed after the ack, never before.
A settings change calls `forget_member`; another process sees it within `MemberCache.TTL`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services import Services
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
        user = services.client.users_info(user=user_id)["user"]
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("users.info failed for %s: %s", user_id, getattr(error, "response", error))
        known = cached_member(services, workspace_id, user_id)
        if known is not None:
            return known
        tz, name, checked, deleted = "UTC", "", now - TZ_REFRESH, False
    else:
        profile = user.get("profile") or {}
        tz = user.get("tz") or "UTC"
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or ""
        checked, deleted = now, bool(user.get("deleted"))
    with services.writing(), services.sessions.begin() as session:
        member = save_member(
            session, workspace_id, user_id, tz=tz, display_name=name, now=checked, deactivated=deleted
        )
    return services.members.put(member)
