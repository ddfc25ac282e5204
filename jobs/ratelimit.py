"""Client-side pacing of sends, so a tick runs just under Slack's rate limits instead of bouncing off them.

Slack allows `chat.postMessage` about one message a second per channel, within a budget per workspace,
and answers 429 with Retry-After beyond that. Threads sending as fast as they can would spend the tick
asleep on Retry-After; instead every send takes a turn from a schedule, one key per limit (the
workspace, the channel): each key is a token bucket holding a single token, refilled at its rate, so
sends are spread evenly and never burst. `pause` stops a whole workspace for Retry-After after a 429.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PRUNE_EVERY = 1024  # acquisitions between sweeps of keys nobody has used lately


class RateLimiter:
    """Per-workspace and per-channel pacing shared by all the threads of a delivery; thread-safe."""

    def __init__(
        self,
        per_workspace_per_second: float,
        per_channel_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_workspace_per_second <= 0 or per_channel_per_second <= 0:
            raise ValueError("rates must be positive")
        self._workspace_gap = 1.0 / per_workspace_per_second
        self._channel_gap = 1.0 / per_channel_per_second
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._free_at: dict[tuple[str, str], float] = {}  # key -> when its next token is there
        self._acquired = 0

    def reserve(self, workspace_id: str, channel: str | None = None) -> float:
        """Book the next turn for this workspace (and channel); the seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            keys = [(("workspace", workspace_id), self._workspace_gap)]
            if channel is not None:
                keys.append(((workspace_id, channel), self._channel_gap))
            turn = max([now, *(self._free_at.get(key, now) for key, _ in keys)])
            for key, gap in keys:
                self._free_at[key] = turn + gap
            self._acquired += 1
            if self._acquired % PRUNE_EVERY == 0:
                self._prune(now)
            return turn - now

    def acquire(self, workspace_id: str, channel: str | None = None) -> None:
        """Wait for this workspace's (and channel's) next turn."""
        wait = self.reserve(workspace_id, channel)
        if wait > 0:
            self._sleep(wait)

    def pause(self, workspace_id: str, seconds: float) -> None:
        """Slack said 429: no send of this workspace starts for `seconds`."""
        with self._lock:
            key = ("workspace", workspace_id)
            self._free_at[key] = max(self._free_at.get(key, 0.0), self._clock() + seconds)

    def _prune(self, now: float) -> None:
        """Forget keys whose next token is already there: they would wait for nothing anyway."""
        for key in [key for key, free_at in self._free_at.items() if free_at <= now]:
            del self._free_at[key]
