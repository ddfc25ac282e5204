"""Members as Slack knows them: time zone and name from `users.info`, cached in the database.

The cache is what the ack path reads; Slack is asked only for a member seen for the first time, and a
cached entry older than a day is refreshed after the ack, never before it.
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
    with services.sessions() as session:
        return find_member(session, workspace_id, user_id)


def member_for(services: Services, workspace_id: str, user_id: str) -> MemberRef:
    """The member, from the cache when it has them; refreshed in the background when the cache is old."""
    member = cached_member(services, workspace_id, user_id)
    if member is None:
        return refresh_member(services, workspace_id, user_id)
    if services.clock() - member.tz_checked_at > TZ_REFRESH:
        services.background.submit(refresh_member, services, workspace_id, user_id)
    return member


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
        tz, name, checked = "UTC", "", now - TZ_REFRESH
    else:
        profile = user.get("profile") or {}
        tz = user.get("tz") or "UTC"
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or ""
        checked = now
    with services.sessions.begin() as session:
        return save_member(session, workspace_id, user_id, tz=tz, display_name=name, now=checked)
