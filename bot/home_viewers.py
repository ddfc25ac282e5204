"""Who has the App Home open in this process, and which republishes are already on their way.

Rebuilding a Home reads a member's week, plans, slots and ledger (and a manager's team); doing that
after every win would cost more than logging the win. So a change republishes only the Homes of
members who opened theirs since this process started (anyone else gets a fresh one when they open
it), and a burst of changes coalesces into one republish `DELAY` seconds after the first.
"""

from __future__ import annotations

import threading

Key = tuple[str, str]  # (workspace, user)


class HomeViewers:
    DELAY = 1.0

    def __init__(self) -> None:
        self._seen: set[Key] = set()
        self._pending: set[Key] = set()
        self._lock = threading.Lock()

    def opened(self, key: Key) -> None:
        with self._lock:
            self._seen.add(key)

    def claim_refresh(self, key: Key) -> bool:
        """True when the caller should schedule a republish: a viewer with none already pending."""
        with self._lock:
            if key not in self._seen or key in self._pending:
                return False
            self._pending.add(key)
            return True

    def refreshing(self, key: Key) -> None:
        """The republish is starting: changes from now on need another one."""
        with self._lock:
            self._pending.discard(key)
