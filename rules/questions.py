"""A manager's question about a report's week, as plain data: what the renderers (bot/blocks/questions.py)
and the trial's reachability figures read; storage/questions.py records and loads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SavedQuestion:
    id: int
    workspace_id: str
    member_id: int
    member_user_id: str
    asker_user_id: str | None  # None: the asker has since erased their data (forget-me)
    week: str
    text: str
    asked_at: datetime
    answered_at: datetime | None
