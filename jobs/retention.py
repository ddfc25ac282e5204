"""Deleting the data of workspaces that uninstalled the app, once DATA_RETENTION_DAYS have passed.

The clock runs it after each tick (jobs/clock.py); `remote-wins workspace purge` does it at once. A
workspace that installs again within the period keeps everything (storage.workspaces.mark_installed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services import Services
from storage.workspaces import purge_due

log = logging.getLogger(__name__)


def purge_expired(services: Services, now: datetime) -> list[str]:
    """Purge every workspace uninstalled `services.retention_days` or more before `now`; their team ids."""
    with services.writing(), services.sessions.begin() as session:
        purged = purge_due(session, now, timedelta(days=services.retention_days))
    for team_id in purged:
        days = services.retention_days
        log.warning("workspace %s: uninstalled %d days ago or more; its data is deleted", team_id, days)
    return purged
