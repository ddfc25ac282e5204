"""Work that happens after the ack, and a bounded wait so a quick result can still ride on the ack.

Slack gives a request 3 s, counted from when it sent it. A listener hands its work to a pool, waits at
most what is left of `ACK_BUDGET` since the request's first byte arrived (`request_arrived`, set by the
HTTP layer), and acks with the result if it is ready or with a "working on it" message if not; the work
then answers later. So a request that queued for a thread, behind 31 others on a locked database, still
acks in time: it just waits less.

The work goes to one of three pools, so that one kind never waits behind another:

- `work`: what the ack carries (saving a win, a list, undo, a settings change): the database, and
  Slack only where the answer needs it (a manager's profile);
- `submit`: Slack calls a member waits for after the ack (opening a modal, a follow-up through
  `response_url`, a DM, a post);
- `home`: republishing the App Home, the least urgent: it is redone on the next open, so its threads
  are daemons and a shutdown drops what is queued.

The Web API client sleeps through a 429's Retry-After in the calling thread, so `views.publish` held
at 20 s stalls only the Home's two threads, never a save.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

ACK_BUDGET = 2.0  # seconds from the request's arrival: Slack's 3 s less a margin for the network
T = TypeVar("T")
log = logging.getLogger(__name__)
_request = threading.local()


class Pending(Exception):
    """The work is still running when the ack has to go."""


def request_arrived(at: float | None) -> None:
    """The HTTP layer says when this thread's request arrived (time.monotonic()); None when it is done."""
    _request.at = at


def ack_wait(budget: float) -> float:
    """How long this thread's request may still wait for its work: `budget` from its arrival, or from
    now when no arrival was recorded (Socket Mode, a test calling a listener directly)."""
    at = getattr(_request, "at", None)
    return budget if at is None else max(0.0, at + budget - time.monotonic())


class _DaemonPool:
    """A few daemon threads on a queue: for work that may be dropped when the process stops."""

    def __init__(self, workers: int, name: str) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{n}", daemon=True) for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self._closed:
            raise RuntimeError("the pool is shut down")
        self._queue.put(lambda: fn(*args, **kwargs))

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                job()
            except Exception:
                log.error("work after the ack failed", exc_info=True)

    def settle(self, timeout: float) -> None:
        """Wait until every job queued so far has run: one blocker per thread, each holding its thread
        until all are held, can only all start once the jobs queued before them are done."""
        held = threading.Barrier(len(self._threads) + 1, timeout=timeout)
        for _ in self._threads:
            self.submit(held.wait)
        held.wait()

    def shutdown(self) -> None:
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)


class Background:
    def __init__(self, workers: int = 8, slack_workers: int = 8, home_workers: int = 2) -> None:
        self._work = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ack-work")
        self._slack = ThreadPoolExecutor(max_workers=slack_workers, thread_name_prefix="after-ack")
        self._home = _DaemonPool(home_workers, "home")
        self._unfinished = 0  # jobs submitted to `work` and `submit` that have not finished
        self._finished = threading.Condition()

    def work(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Work whose result the ack carries."""
        return self._counted(self._work.submit(fn, *args, **kwargs))

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Slack calls after the ack that a member waits for."""
        return self._counted(self._slack.submit(fn, *args, **kwargs))

    def settled(self, timeout: float = 5.0) -> None:
        """Return once the `work` and `submit` jobs submitted so far have finished (and any they
        submitted in turn), so that "nothing was sent after the ack" can be asserted; raises
        TimeoutError if they are still running after `timeout`."""
        with self._finished:
            if not self._finished.wait_for(lambda: self._unfinished == 0, timeout):
                raise TimeoutError(f"{self._unfinished} jobs after the ack still running")

    def _counted(self, future: Future[T]) -> Future[T]:
        with self._finished:
            self._unfinished += 1
        future.add_done_callback(self._one_finished)
        return _logged(future)

    def _one_finished(self, _future: Future[Any]) -> None:
        with self._finished:
            self._unfinished -= 1
            self._finished.notify_all()

    def home(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Republishing the App Home."""
        self._home.submit(fn, *args, **kwargs)

    def home_settled(self, timeout: float = 5.0) -> None:
        """Return once the Home republishes queued so far have run, so that "no Home was published"
        can be asserted (the pool keeps no other record of what it ran)."""
        self._home.settle(timeout)

    def shutdown(self) -> None:
        """Let accepted work finish (a win being saved, a reply on its way) before the process exits; a
        Home not yet republished is republished when the member next opens it."""
        self._home.shutdown()
        self._work.shutdown(wait=True)
        self._slack.shutdown(wait=True)


def result_within(future: Future[T], seconds: float) -> T:
    """The result if it is ready within `seconds`; raises Pending otherwise, and whatever the work raised."""
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        raise Pending from None


def _logged(future: Future[T]) -> Future[T]:
    future.add_done_callback(_log_failure)
    return future


def _log_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.error("work after the ack failed", exc_info=error)
