"""Client-side pacing of sends, so a tick runs just under Slack's rate limits instead of bouncing off them.

Slack allows `chat.postMessage` about one message a second per channel, within a budget per workspace,
and answers 429 with Retry-After beyond that. Threads sending as fast as they can would spend the tick
asleep on Retry-After; instead every send takes a turn from a schedule, one key per limit (the
workspace, the channel): each key is a token bucket holding a single token, refilled at its rate, so
sends are spread evenly and never burst. `pause` stops a whole workspace for Retry-After after a 429.

The workspace's pace adapts rather than assumes: it starts at the configured rate (Slack's published
limit less a headroom). A 429 whose Retry-After is short (the window frees within `SHORT_WAIT`: the
pace outran the limit) coming within `RECENT` of another, with sends going through in between, lowers
it by `BACKOFF`, once per pause however many threads saw it. A lone one is jitter; 429s with nothing
going through between them are a storm, which no pace avoids; and a long Retry-After is Slack asking
for a pause: `pause` gives each of those their pause without slowing after. So a workspace whose real
limit is lower than assumed (its budget shared with other apps, another tier) settles just under it
instead of bouncing off it. Each send that goes through raises the pace again by `RECOVERY`, never
above the configured rate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PRUNE_EVERY = 1024  # acquisitions between sweeps of keys nobody has used lately
BACKOFF = 0.8  # a workspace's rate after a 429 that says the pace is too fast, as a share of what it was
RECOVERY = 0.05  # sends a second regained with each send that goes through
FLOOR = 0.5  # sends a second: the slowest a workspace is paced
RECENT = 10.0  # seconds: a 429 this soon after the last says the pace is too fast; a lone one is jitter
SHORT_WAIT = 2.0  # seconds: a longer Retry-After is Slack asking for a pause, not for a slower pace


class RateLimiter:
    """Per-workspace and per-channel pacing shared by all the threads of a delivery; thread-safe."""

    def __init__(
        self,
        per_workspace_per_second: float,
        per_channel_per_second: float,
        *,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_workspace_per_second <= 0 or per_channel_per_second <= 0:
            raise ValueError("rates must be positive")
        self._workspace_rate = per_workspace_per_second
        self._channel_gap = 1.0 / per_channel_per_second
        self._adaptive = adaptive
        self._rates: dict[str, float] = {}  # workspace -> its current pace, when lowered by 429s
        self._paused_until: dict[str, float] = {}  # workspace -> the end of its latest 429 pause
        self._last_limited: dict[str, float] = {}  # workspace -> when its latest pace-sized 429 came
        self._through: dict[str, int] = {}  # workspace -> sends that went through since that 429
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._free_at: dict[tuple[str, str], float] = {}  # key -> when its next token is there
        self._acquired = 0

    def reserve(self, workspace_id: str, channel: str | None = None) -> float:
        """Book the next turn for this workspace (and channel); the seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            keys = [(("workspace", workspace_id), 1.0 / self._rates.get(workspace_id, self._workspace_rate))]
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
        """Slack said 429: no send of this workspace starts for `seconds`, and it is paced slower after."""
        with self._lock:
            key, now = ("workspace", workspace_id), self._clock()
            fresh = self._paused_until.get(workspace_id, 0.0) <= now  # not a thread late to the last one
            if self._adaptive and fresh and seconds <= SHORT_WAIT:
                recent = now - self._last_limited.get(workspace_id, float("-inf")) <= RECENT
                if recent and self._through.get(workspace_id, 0):  # sends went through between the two
                    rate = self._rates.get(workspace_id, self._workspace_rate)
                    self._rates[workspace_id] = max(FLOOR, rate * BACKOFF)
                self._last_limited[workspace_id] = now
                self._through[workspace_id] = 0
            self._paused_until[workspace_id] = max(self._paused_until.get(workspace_id, 0.0), now + seconds)
            self._free_at[key] = max(self._free_at.get(key, 0.0), now + seconds)

    def succeeded(self, workspace_id: str) -> None:
        """A send went through: the workspace's pace creeps back toward the configured rate."""
        with self._lock:
            if workspace_id in self._last_limited:
                self._through[workspace_id] = self._through.get(workspace_id, 0) + 1
            rate = self._rates.get(workspace_id)
            if rate is None:
                return
            if rate + RECOVERY >= self._workspace_rate:
                del self._rates[workspace_id]
            else:
                self._rates[workspace_id] = rate + RECOVERY

    def rate(self, workspace_id: str) -> float:
        """The workspace's current pace, in sends a second."""
        with self._lock:
            return self._rates.get(workspace_id, self._workspace_rate)

    def _prune(self, now: float) -> None:
        """Forget keys whose next token is already there: they would wait for nothing anyway."""
        for key in [key for key, free_at in self._free_at.items() if free_at <= now]:
            del self._free_at[key]
