"""The clock: a tick at second 0 of every minute, on whichever clock process leads.

It keeps nothing that a restart would lose: who is due lives in `prompt_slots`, what was sent in the
delivery ledger. A tick that fails, or one skipped while the process was down or busy, leaves its slots
due, and the next tick sends them (within the grace window of `rules.schedule`). A clock also ticks once
as soon as it starts, so a restart catches up at once instead of at the next minute.

`remote-wins clock` runs one in the foreground; with SQLite, `remote-wins serve` runs one inside each
gunicorn worker (see `remote_wins.server`), and the lock file lets one of them tick; `remote-wins socket`
runs one on either database (see `remote_wins.socket_mode`).
"""

from __future__ import annotations

import logging
import math
import os
import signal
import socket
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk.errors import SlackApiError

from bot.app import build_services
from bot.services import Services
from bot.workspaces import SingleWorkspace
from jobs.leader import Leadership, leadership_for
from jobs.retention import purge_expired
from jobs.tick import TickReport, run_tick
from remote_wins.config import ConfigError, Settings

log = logging.getLogger(__name__)

TICK_SECONDS = 60
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def check_interval(seconds: int) -> int:
    """Ticks stay aligned to the minute only when their interval divides it (1, 2, 3, 4, 5, 6, 10, …, 60)."""
    if not 0 < seconds <= TICK_SECONDS or TICK_SECONDS % seconds:
        raise ValueError(f"the tick interval must divide {TICK_SECONDS} seconds, not {seconds}")
    return seconds


def tick_instant(now: datetime, interval_seconds: int = TICK_SECONDS) -> datetime:
    """The instant a tick stands for: `now` floored to its interval, so a tick that starts a few
    milliseconds (or, after a stall, seconds) late still asks for 09:00:00 and not 09:00:00.004."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return datetime.fromtimestamp(math.floor(now.timestamp()) // interval_seconds * interval_seconds, UTC)


def worker_name() -> str:
    """Who claimed a delivery, as the ledger records it: this host and process."""
    return f"clock {socket.gethostname()}:{os.getpid()}"[:64]


class Clock:
    """Ticks on a background thread while this process leads; stands by, asking every tick, while not."""

    def __init__(
        self,
        services: Services,
        leadership: Leadership,
        *,
        interval_seconds: int = TICK_SECONDS,
        worker: str | None = None,
    ) -> None:
        self.services = services
        self.leadership = leadership
        self.interval_seconds = check_interval(interval_seconds)
        self.worker = worker or worker_name()
        self.leading: bool | None = None  # None: not asked yet, or the database didn't answer
        self._scheduler: BackgroundScheduler | None = None

    def tick(self) -> TickReport | None:
        """One tick as of the current interval's instant, if this process leads; None if it doesn't. After
        the prompts, the data of workspaces uninstalled longer ago than the retention period is deleted.

        Never raises: the scheduler would only log it, and the next tick retries whatever is still due.
        """
        if not self._lead():
            return None
        now = tick_instant(self.services.clock(), self.interval_seconds)
        try:
            report = run_tick(self.services, now, worker=self.worker)
        except Exception:
            log.exception("clock: the tick at %s failed; the next tick retries what is still due", _at(now))
            return None
        level = logging.INFO if report.items or report.interrupted else logging.DEBUG  # quiet minutes
        log.log(level, "clock: tick at %s: %s", _at(now), report.summary())
        try:  # the leader alone deletes what has outlived the retention period
            purge_expired(self.services, now)
        except Exception:
            log.exception("clock: purging uninstalled workspaces failed; the next tick tries again")
        return report

    def start(self) -> None:
        """Tick now, then at every interval (second 0 of each minute by default).

        One tick at a time (a tick still running when the next is due makes that one skip), a late
        start still runs within one interval (misfire grace), and missed ticks collapse into one.
        """
        if self._scheduler is not None:
            raise RuntimeError("the clock is already running")
        scheduler = BackgroundScheduler(
            timezone=UTC, executors={"default": ThreadPoolExecutor(max_workers=1)}, daemon=True
        )
        every = "0" if self.interval_seconds == TICK_SECONDS else f"*/{self.interval_seconds}"
        scheduler.add_job(
            self.tick,
            CronTrigger(second=every, timezone=UTC),
            id="tick",
            name="remote-wins tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=self.interval_seconds,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("clock: started (%s); ticking every %d s", self.worker, self.interval_seconds)

    def stop(self) -> None:
        """Let the tick in progress finish, then let go of the lead so a standby takes over at once."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self.leadership.release()
        if self.leading:
            log.info("clock: stopped; released %s", self.leadership.description)
        self.leading = None

    def _lead(self) -> bool:
        """Ask for the lead and log only the changes: leading, standing by, losing the lead."""
        try:
            leading = self.leadership.acquire()
        except Exception as error:  # the database doesn't answer: no clock can send anything, so wait
            log.warning("clock: could not ask for the lead (%s); trying again next tick", _one_line(error))
            self.leading = None
            return False
        if leading and not self.leading:
            log.info("clock: leading; holds %s", self.leadership.description)
        elif not leading and self.leading:
            log.warning("clock: lost the lead (%s); standing by", self.leadership.description)
        elif not leading and self.leading is None:
            log.info(
                "clock: standby; another clock holds %s; asking again every tick",
                self.leadership.description,
            )
        self.leading = leading
        return leading


def run_clock(settings: Settings, *, interval_seconds: int = TICK_SECONDS) -> None:
    """`remote-wins clock`: tick until SIGTERM or SIGINT, then finish the tick in progress and let go.

    The scheduler runs on its own thread and the main thread waits for a stop signal with `sigwait`,
    so no signal handler runs inside the scheduler's locks. A second signal stops the process at once.
    """
    check_interval(interval_seconds)
    if not settings.oauth:
        settings.require_bot_token()  # named before the database is touched, as `serve` does
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # before any thread starts: all inherit it
    try:
        services = build_services(settings)
        try:
            if not settings.oauth:  # OAuth mode: each workspace's token is its installation's
                _check_token(services)
            clock = Clock(services, leadership_for(services.engine), interval_seconds=interval_seconds)
            clock.start()
            received = signal.sigwait(STOP_SIGNALS)
            log.info("clock: %s received; finishing the tick in progress", signal.Signals(received).name)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            clock.stop()
        finally:
            services.close()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _check_token(services: Services) -> None:
    """As `serve` does: a token Slack refuses stops the clock at start, in one line, not at every send."""
    try:
        if isinstance(services.slack, SingleWorkspace):  # auth.test, once: a reinstall is served again
            log.info("clock: serving workspace %s", services.slack.team_id)
        else:
            services.client.auth_test()
    except SlackApiError as error:
        raise ConfigError(
            "SLACK_BOT_TOKEN", "was not accepted by Slack", str(error.response.get("error"))
        ) from None


def _at(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%SZ")


def _one_line(error: Exception) -> str:
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__
