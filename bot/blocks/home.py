"""The App Home tab: this week's wins and a button to log one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.escape import VIEW_BLOCKS
from bot.blocks.wins import list_message
from rules.calendar import DateRange
from rules.wins import SavedWin


def home_view(wins: Sequence[SavedWin], period: DateRange, today: date) -> dict[str, Any]:
    top = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your remote-day wins"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "home_log_win",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Log a win"},
                }
            ],
        },
        {"type": "divider"},
    ]
    return {"type": "home", "blocks": (top + list_message(wins, period, today)["blocks"])[:VIEW_BLOCKS]}
