"""The HTTP side: a WSGI app with Slack's Request URL and a health check, served by gunicorn."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import build_services, create_app
from bot.services import Services
from remote_wins.config import Settings
from storage.db import database_answers

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
StartResponse = Callable[..., Any]


class WebApp:
    """`POST /slack/events` goes to Bolt, which checks every signature; `GET /healthz` asks the database."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.services = services
        self._slack = SlackRequestHandler(create_app(settings, services), path=EVENTS_PATH)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == EVENTS_PATH:
            return self._slack(environ, start_response)
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            if database_answers(self.services.engine):
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unavailable")
        return _plain(start_response, "404 Not Found", "not found")

    def close(self) -> None:
        self.services.close()


def _plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code: threads per worker so slow work after the ack never blocks an ack."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"0.0.0.0:{self.settings.port}",
            "workers": self.settings.web_concurrency,
            "worker_class": "gthread",
            "threads": 16,
            "timeout": 30,
            "graceful_timeout": 20,
            "keepalive": 5,
            "worker_exit": _close_worker,
        }
        if runs_clock_in_process(self.settings):
            options["post_worker_init"] = _start_worker_clock
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> WebApp:
        return WebApp(self.settings, build_services(self.settings))


def runs_clock_in_process(settings: Settings) -> bool:
    """With SQLite, one `serve` process is a complete install, clock included. With PostgreSQL the web
    processes stay stateless and a separate `remote-wins clock` process ticks (Procfile: `clock`)."""
    return settings.database_url.startswith("sqlite")


def _start_worker_clock(worker: Any) -> None:
    """Every worker offers to be the clock; the lock file next to the database lets one of them tick,
    and another takes over within a minute if that worker goes."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, WebApp):
        from jobs.clock import Clock
        from jobs.leader import leadership_for

        worker.remote_wins_clock = Clock(app.services, leadership_for(app.services.engine))
        worker.remote_wins_clock.start()


def _close_worker(_server: Any, worker: Any) -> None:
    """On SIGTERM, finish the tick and the work already acked (saves, follow-ups) before the worker exits."""
    clock = getattr(worker, "remote_wins_clock", None)
    if clock is not None:
        clock.stop()
    app = getattr(worker, "wsgi", None)
    if isinstance(app, WebApp):
        app.close()


def serve(settings: Settings) -> None:
    """Check everything a worker will need, in the master, so a mistake is one line and not a crash loop."""
    settings.require_bot_token()
    settings.require_signing_secret()
    WebApp(settings, build_services(settings)).close()  # the schema, and the token with Slack (auth.test)
    GunicornServer(settings).run()
