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
from bot.sender import Sender
from bot.workspaces import SingleWorkspace, SlackClients
from rules.calendar import utc_now


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient  # the app's client: SLACK_BOT_TOKEN's, or in OAuth mode one with no token
    slack: SlackClients | None = None  # a client per workspace (bot.workspaces); default: `client`'s only
    background: Background = field(default_factory=Background)
    clock: Callable[[], datetime] = utc_now
    ack_budget: float = ACK_BUDGET
    members: MemberCache = field(default_factory=MemberCache)
    home_viewers: HomeViewers = field(default_factory=HomeViewers)

    retention_days: int = 30  # DATA_RETENTION_DAYS: an uninstalled workspace's data is kept this long
    # The one sender of what a request causes for others (bot.notices); the clock keeps its own per tick.
    sender: Sender = field(init=False, repr=False)

    _sqlite_writes: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.slack is None:
            self.slack = SingleWorkspace(self.client)
        self.sender = Sender(self.client, clients=self.slack, remember_refusals=False)

    def client_for(self, team_id: str | None) -> WebClient:
        """The workspace's own client (its installation's token); raises bot.workspaces.NotInstalled for
        a workspace the app does not serve."""
        assert self.slack is not None
        return self.slack.client_for(team_id)

    def writing(self) -> AbstractContextManager[object]:
        """SQLite takes one writer at a time: queue this process's writers on a lock, which wakes the next
        at once, rather than in SQLite's busy handler, which sleeps and polls."""
        return self._sqlite_writes if self.engine.dialect.name == "sqlite" else nullcontext()

    def close(self) -> None:
        self.background.shutdown()
        self.engine.dispose()
