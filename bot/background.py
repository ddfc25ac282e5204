"""Work that happens after the ack, and a bounded wait so a quick result can still ride on the ack.

Slack gives a request 3 s. A listener hands its work to this pool, waits at most `ACK_BUDGET`, and acks
with the result if it is ready or with a "working on it" message if not; the work then answers later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

ACK_BUDGET = 2.0  # seconds: Slack's 3 s less a margin for the network
T = TypeVar("T")
log = logging.getLogger(__name__)


class Pending(Exception):
    """The work is still running when the ack has to go."""


class Background:
    def __init__(self, workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-ack")

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future = self._pool.submit(fn, *args, **kwargs)
        future.add_done_callback(_log_failure)
        return future

    def shutdown(self) -> None:
        """Let accepted work finish (a win being saved, a reply on its way) before the process exits."""
        self._pool.shutdown(wait=True)


def result_within(future: Future[T], seconds: float) -> T:
    """The result if it is ready within `seconds`; raises Pending otherwise, and whatever the work raised."""
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        raise Pending from None


def _log_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.error("work after the ack failed", exc_info=error)
