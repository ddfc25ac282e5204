"""The App Home tab: this week's wins, a button to log one and one to open the settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.escape import VIEW_BLOCKS
from bot.blocks.settings import OPEN_SETTINGS
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
                },
                {
                    "type": "button",
                    "action_id": OPEN_SETTINGS,
                    "text": {"type": "plain_text", "text": "Settings"},
                },
            ],
        },
        {"type": "divider"},
    ]
    return {"type": "home", "blocks": (top + list_message(wins, period, today)["blocks"])[:VIEW_BLOCKS]}
