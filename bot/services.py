"""What listeners need at hand, built once per process and passed in rather than imported as globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.background import ACK_BUDGET, Background
from rules.calendar import utc_now


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    background: Background = field(default_factory=Background)
    clock: Callable[[], datetime] = utc_now
    ack_budget: float = ACK_BUDGET

    def close(self) -> None:
        self.background.shutdown()
        self.engine.dispose()
