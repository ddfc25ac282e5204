"""What listeners need at hand, built once per process and passed in rather than imported as globals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.background import ACK_BUDGET, Background
from bot.home_viewers import HomeViewers
from bot.member_cache import MemberCache
from rules.calendar import utc_now


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    background: Background = field(default_factory=Background)
    clock: Callable[[], datetime] = utc_now
    ack_budget: float = ACK_BUDGET
    members: MemberCache = field(default_factory=MemberCache)
    home_viewers: HomeViewers = field(default_factory=HomeViewers)

    _sqlite_writes: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def writing(self) -> AbstractContextManager[object]:
        """SQLite takes one writer at a time: queue this process's writers on a lock, which wakes the next
        at once, rather than in SQLite's busy handler, which sleeps and polls."""
        return self._sqlite_writes if self.engine.dialect.name == "sqlite" else nullcontext()

    def close(self) -> None:
        self.background.shutdown()
        self.engine.dispose()
