"""Where each modal was opened from: the `response_url` Slack sent with the command or button that opened
it, so that the modal's submission is answered there.

It is kept here, under a random reference that the modal carries in its private_metadata, and read back
only for the member who opened it: the app posts only to URLs that came with a signed request from
Slack, never to one carried inside a payload. Slack's response URLs last 30 minutes; rows older than
`KEPT` are deleted as new ones come.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import FormOrigin

KEPT = timedelta(days=1)
MAX_URL = 1000  # form_origins.response_url
MAX_ID = 32  # workspace and user ids


def remember(
    session: Session, workspace_id: str, user_id: str, response_url: str, now: datetime
) -> str | None:
    """Record where a modal is being opened from; the reference to put in its metadata (None: not kept)."""
    if len(response_url) > MAX_URL or len(workspace_id) > MAX_ID or len(user_id) > MAX_ID:
        return None
    session.execute(delete(FormOrigin).where(FormOrigin.created_at < now - KEPT))
    ref = secrets.token_urlsafe(16)
    session.add(
        FormOrigin(
            ref=ref, workspace_id=workspace_id, user_id=user_id, response_url=response_url, created_at=now
        )
    )
    return ref


def response_url_of(session: Session, ref: object, workspace_id: str, user_id: str) -> str | None:
    """The response_url the member's modal was opened with, or None (opened from the Home, another member's
    reference, or long ago)."""
    if not isinstance(ref, str) or not ref or len(ref) > MAX_ID:
        return None
    query = select(FormOrigin.response_url).where(
        FormOrigin.ref == ref, FormOrigin.workspace_id == workspace_id, FormOrigin.user_id == user_id
    )
    return session.scalar(query)
