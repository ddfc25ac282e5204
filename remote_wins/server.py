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
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> WebApp:
        return WebApp(self.settings, build_services(self.settings))


def _close_worker(_server: Any, worker: Any) -> None:
    """On SIGTERM, finish the work already acked (saves, follow-ups) before the worker exits."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, WebApp):
        app.close()


def serve(settings: Settings) -> None:
    """Check everything a worker will need, in the master, so a mistake is one line and not a crash loop."""
    settings.require_bot_token()
    settings.require_signing_secret()
    WebApp(settings, build_services(settings)).close()  # the schema, and the token with Slack (auth.test)
    GunicornServer(settings).run()
