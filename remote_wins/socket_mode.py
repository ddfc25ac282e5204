"""Socket Mode: the same app over a WebSocket, for a laptop with no public URL, and the clock beside it.

`remote-wins socket` is a complete install in one process: it also offers to be the clock, on SQLite
and on PostgreSQL alike, because no other process would send the prompts and digests of an install
that has no web process. Leadership keeps that safe: on SQLite the lock file next to the database lets
one process tick (a `serve` or a second `socket` beside it stands by), and on PostgreSQL the advisory
lock makes this clock a standby while a `remote-wins clock` process leads, and the reverse.
"""

from __future__ import annotations

import logging
import signal

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_services, create_app
from jobs.clock import STOP_SIGNALS, Clock
from jobs.leader import leadership_for
from remote_wins.config import Settings

log = logging.getLogger(__name__)


def run_socket_mode(settings: Settings) -> None:
    """Serve over the WebSocket and tick until SIGTERM or SIGINT (Ctrl-C), then stop in order: no new
    envelopes, the tick in progress finishes and lets go of the lead, then the work already acked.

    As in `remote-wins clock`, the main thread waits for the signal with `sigwait`, so no handler runs
    inside another thread's locks; a second signal stops the process at once.
    """
    if not settings.oauth:  # in OAuth mode it serves the workspaces installed through `serve`
        settings.require_bot_token()
    app_token = settings.require_app_token()
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # before any thread starts: all inherit it
    try:
        services = build_services(settings)
        try:
            handler = SocketModeHandler(create_app(settings, services, socket_mode=True), app_token)
            clock = Clock(services, leadership_for(services.engine))
            handler.connect()  # a refused app token ends here, before the clock sends anything
            try:
                clock.start()
                log.info("socket mode: connected to Slack; SIGTERM or Ctrl-C stops it")
                received = signal.sigwait(STOP_SIGNALS)
                log.info("socket mode: %s received; closing the connection", signal.Signals(received).name)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            finally:
                handler.close()
                clock.stop()
        finally:
            services.close()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
