"""This process's memory of recently seen members: the ack path of a busy workspace costs no query."""

from __future__ import annotations

import threading
import time

from storage.members import MemberRef


class MemberCache:
    """Recently seen members of this process, by (workspace, user), for `TTL` seconds."""

    TTL = 60.0

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[MemberRef, float]] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str, user_id: str) -> MemberRef | None:
        with self._lock:
            item = self._items.get((workspace_id, user_id))
        if item is None or time.monotonic() - item[1] > self.TTL:
            return None
        return item[0]

    def put(self, member: MemberRef) -> MemberRef:
        with self._lock:
            self._items[(member.workspace_id, member.user_id)] = (member, time.monotonic())
        return member

    def forget(self, workspace_id: str, user_id: str) -> None:
        with self._lock:
            self._items.pop((workspace_id, user_id), None)
