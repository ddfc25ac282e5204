"""The HTTP side: a WSGI app with Slack's Request URL and a health check, served by gunicorn.

What reaches Bolt has been checked here first, cheapest check first, so a stranger's request costs
almost nothing and never a traceback:

1. `POST /slack/events` only (405 otherwise), with a `Content-Length` (411) of at most `MAX_BODY`
   (413, answered before a byte of the body is read);
2. the signature, over the raw bytes, before anything is parsed (401: a missing, malformed or wrong
   signature, a non-numeric timestamp or one more than five minutes off);
3. the body as Slack sends it (400 otherwise): UTF-8, form-encoded or JSON as its Content-Type says
   (415 for any other type), a `payload=` that is a JSON object, a JSON body that is an object, and
   any `response_url` one of Slack's (`bot.slack_client.is_slack_response_url`: hooks.slack.com, or
   SLACK_API_URL's host for a fake Slack), the only URLs the app ever posts to.

Bolt then checks the signature again (its own verification stays on) and dispatches the body parsed
here. In OAuth mode, `GET /slack/install` (the install link) and `GET /slack/oauth_redirect` (where
Slack sends the installer back) go to Bolt's OAuth flow (bot.installs); they carry no signature.
Under gunicorn, `BufferingWorker` reads each request whole in the worker's event loop before a
thread takes it, so slow or idle clients hold no thread; the ack budget counts from the request's
first byte (`bot.background.request_arrived`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import selectors
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker
from slack_bolt import App
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

from bot.app import build_services, create_app
from bot.background import request_arrived
from bot.installs import INSTALL_PATH, REDIRECT_PATH
from bot.services import Services
from bot.slack_client import is_slack_response_url
from remote_wins.config import Settings
from storage.db import database_answers

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's requests are a few kilobytes (a modal's submission with every field full stays under 100 KB);
# anything bigger is refused by its Content-Length, unread.
MAX_BODY = 1024 * 1024
FORM, JSON_TYPE = "application/x-www-form-urlencoded", "application/json"
MAX_FORM_FIELDS = 100
SIGNATURE_WINDOW = 5 * 60  # seconds either side of now, as Slack's verification guide and Bolt use
StartResponse = Callable[..., Any]
log = logging.getLogger(__name__)


class Refused(Exception):
    """A request answered here, before Bolt: the status and a short plain-text reason (never a trace)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class WebApp:
    """`POST /slack/events`: checked (see the module's note), then Bolt; `GET /healthz` asks the database."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.services = services
        self.bolt: App = create_app(settings, services)
        self._secret = settings.require_signing_secret().encode()
        self._api_url = settings.slack_api_url

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == EVENTS_PATH:
            request_arrived(arrival_of(environ))
            try:
                return self._slack(environ, start_response)
            except Refused as refused:
                return _plain(start_response, refused.status, refused.reason)
            finally:
                request_arrived(None)
        if path in (INSTALL_PATH, REDIRECT_PATH) and self.bolt.oauth_flow is not None:
            return self._oauth(path, environ, start_response)
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            if database_answers(self.services.engine):
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unavailable")
        return _plain(start_response, "404 Not Found", "not found")

    def _slack(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            raise Refused("405 Method Not Allowed", "POST only")
        raw = read_body(environ)
        headers = request_headers(environ)
        if not self._signed(raw, headers):
            raise Refused("401 Unauthorized", "invalid request")
        text, body = parse_body(raw, environ.get("CONTENT_TYPE", ""))
        if not all(is_slack_response_url(url, self._api_url) for url in response_urls(body)):
            raise Refused("400 Bad Request", "a response_url that is not Slack's")
        try:
            # Bolt types its headers as an invariant dict of str | Sequence[str]; ours are all str.
            request = BoltRequest(body="", query=environ.get("QUERY_STRING", ""), headers=headers)  # type: ignore[arg-type]
            request.raw_body, request.body = text, body  # Bolt verifies the raw body; reads ours
            request.context = build_context(BoltContext({}), body)
        except Exception as error:  # a shape Bolt can't take (`team` a list, say): it is not Slack's
            log.warning("refused a signed request Bolt could not read: %s", type(error).__name__)
            raise Refused("400 Bad Request", "malformed request") from None
        answer = self.bolt.dispatch(request)
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _oauth(self, path: str, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The install link's page, or the redirect that completes an install (Bolt's OAuth flow)."""
        if environ.get("REQUEST_METHOD") != "GET":
            return _plain(start_response, "405 Method Not Allowed", "GET only")
        flow = self.bolt.oauth_flow
        assert flow is not None
        headers = request_headers(environ)  # Bolt's invariant dict of str | Sequence[str], as in `_slack`
        request = BoltRequest(body="", query=environ.get("QUERY_STRING", ""), headers=headers, mode="http")  # type: ignore[arg-type]
        handle = flow.handle_installation if path == INSTALL_PATH else flow.handle_callback
        try:
            answer = handle(request)
        except Exception:  # the store or Slack failed: the installer sees a plain answer, the log the rest
            log.exception("the OAuth %s failed", "install page" if path == INSTALL_PATH else "redirect")
            return _plain(start_response, "500 Internal Server Error", "the install failed; try again")
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _signed(self, raw: bytes, headers: dict[str, str]) -> bool:
        """Slack's v0 signature over the raw bytes (which need not be UTF-8 yet), from within five
        minutes, after the cheap checks of the headers' form."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return False
        if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
            return False
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))

    def close(self) -> None:
        self.services.close()


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The body, read only when its announced length is within `MAX_BODY`."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        raise Refused("411 Length Required", "a Content-Length is required")
    length = environ.get("CONTENT_LENGTH") or ""
    if not length:
        raise Refused("411 Length Required", "a Content-Length is required")
    if not (length.isascii() and length.isdigit()):
        raise Refused("400 Bad Request", "malformed Content-Length")
    size = int(length)
    if size > MAX_BODY:
        raise Refused("413 Content Too Large", f"requests are limited to {MAX_BODY} bytes")
    raw = environ["wsgi.input"].read(size)
    if len(raw) != size:
        raise Refused("400 Bad Request", "the body is shorter than its Content-Length")
    return raw


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers by lower-case name, as Bolt takes them."""
    headers = {
        "content-type": environ.get("CONTENT_TYPE", ""),
        "content-length": environ.get("CONTENT_LENGTH", ""),
    }
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
    return headers


def parse_body(raw: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The body as text and as Slack's payload: form fields (with `payload` decoded) or a JSON object."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in (FORM, JSON_TYPE):
        raise Refused("415 Unsupported Media Type", f"expected {FORM} or {JSON_TYPE}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "the body is not UTF-8") from None
    if kind == JSON_TYPE:
        return text, _json_object(text, "the body")
    try:
        fields = dict(
            parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_FIELDS)
        )
    except (ValueError, UnicodeDecodeError):
        raise Refused("400 Bad Request", "the form is malformed") from None
    if "payload" in fields:
        return text, _json_object(fields["payload"], "payload")
    return text, fields


def response_urls(body: dict[str, Any]) -> list[Any]:
    """Every response_url a payload carries (a command's or a button's, and a modal's `response_urls`)."""
    urls = [body["response_url"]] if "response_url" in body else []
    listed = body.get("response_urls")
    if isinstance(listed, list):
        urls += [
            item.get("response_url") for item in listed if isinstance(item, dict) and "response_url" in item
        ]
    return urls


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("400 Bad Request", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused("400 Bad Request", f"{what} is not a JSON object")
    return value


def _plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


# -- serving: gunicorn, with requests read whole before a thread takes them --------------------------------

# The whole request (headers and body) must arrive within this, or the connection is closed. It bounds
# how long a slow or idle client is remembered; it never holds a thread.
REQUEST_DEADLINE = 10.0
MAX_HEAD = 64 * 1024  # request line and headers; gunicorn's own limits are checked once a thread parses
MAX_BUFFERED = 64 * 1024 * 1024  # bytes held for unfinished requests by one worker, in all
_arrival = threading.local()


def arrival_of(environ: Mapping[str, Any]) -> float:
    """When the request's first byte arrived (time.monotonic()): known under `BufferingWorker`, else now."""
    return getattr(_arrival, "at", None) or time.monotonic()


class _Incoming:
    """What the event loop holds for a request still arriving."""

    __slots__ = ("buffer", "complete", "continued", "deadline", "first_byte", "registered")

    def __init__(self, deadline: float) -> None:
        self.buffer = bytearray()
        self.deadline = deadline
        self.first_byte: float | None = None
        self.complete = True  # False: handed over before its body (too big, or chunked), so closed after
        self.continued = False  # "100 Continue" already sent for it
        self.registered = False  # with the event loop's poller, waiting for more


class BufferingWorker(ThreadWorker):
    """gunicorn's gthread worker, but a connection reaches a thread only once its request has fully
    arrived: the worker's event loop reads it without blocking, so a client that sends its headers or
    body slowly, or nothing at all, costs a socket and a buffer, never one of the threads that ack.

    A request whose Content-Length exceeds `MAX_BODY`, or that is chunked, goes to a thread at the end
    of its headers, to be answered 413/411 unread, and the connection is closed after. A request not
    complete within `REQUEST_DEADLINE`, with headers over `MAX_HEAD`, or arriving when the worker
    already holds `MAX_BUFFERED` bytes of unfinished requests is dropped. TLS is left to the proxy in
    front (a certfile makes this plain gthread)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._incoming: dict[Any, _Incoming] = {}  # oldest first: insertion order is deadline order
        self._buffered = 0

    # main thread ---------------------------------------------------------------------------------------

    def enqueue_req(self, conn: Any) -> None:
        if self.cfg.is_ssl or conn.is_http2 or getattr(conn, "rw_ready", None) is not None:
            return super().enqueue_req(conn)
        incoming = _Incoming(time.monotonic() + REQUEST_DEADLINE)
        if conn.parser is not None:  # a kept-alive connection: bytes already read ahead come first
            incoming.buffer += conn.parser.unreader.take_buffered()
            if incoming.buffer:
                incoming.first_byte = time.monotonic()
        self._buffered += len(incoming.buffer)
        self._incoming[conn] = incoming
        conn.sock.setblocking(False)
        if self._advance(conn, incoming):
            return None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
        incoming.registered = True
        return None

    def _on_readable(self, conn: Any, _sock: Any) -> None:
        incoming = self._incoming.get(conn)
        if incoming is None:
            return
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data or self._buffered + len(data) > MAX_BUFFERED:
            self._drop(conn)
            return
        if incoming.first_byte is None:
            incoming.first_byte = time.monotonic()
        incoming.buffer += data
        self._buffered += len(data)
        self._advance(conn, incoming)

    def _advance(self, conn: Any, incoming: _Incoming) -> bool:
        """Hand the request to a thread when it is all here, or drop it when it never can be (True);
        False while more is to come."""
        state = _request_state(incoming)
        if state == "wait":
            return False
        if state == "continue":
            with contextlib.suppress(OSError):
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            incoming.continued = True
            return False
        if state == "drop":
            self._drop(conn)
            return True
        self._forget(conn)
        conn.rw_ready = incoming
        super().enqueue_req(conn)
        return True

    def _forget(self, conn: Any) -> None:
        incoming = self._incoming.pop(conn, None)
        if incoming is None:
            return
        self._buffered -= len(incoming.buffer)
        if incoming.registered:
            incoming.registered = False
            self.poller.unregister(conn.sock)

    def _drop(self, conn: Any) -> None:
        self._forget(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, incoming in list(self._incoming.items()):
            if incoming.deadline > now:
                break
            self._drop(conn)

    # worker threads ------------------------------------------------------------------------------------

    def handle(self, conn: Any) -> Any:
        incoming: _Incoming | None = getattr(conn, "rw_ready", None)
        if incoming is None:
            return super().handle(conn)
        conn.rw_ready = None
        conn.data_ready = True  # no wait for data in the thread: it is all here
        conn.sock.setblocking(True)
        conn.init()
        conn.parser.unreader.unread(bytes(incoming.buffer))
        conn.rw_incoming = incoming
        _arrival.at = incoming.first_byte
        try:
            return super().handle(conn)
        finally:
            _arrival.at = None

    def handle_request(self, req: Any, conn: Any) -> Any:
        incoming: _Incoming | None = getattr(conn, "rw_incoming", None)
        if incoming is not None:
            if not incoming.complete:
                req.force_close()  # its body was never read: close rather than drain it
            if incoming.continued:
                req._expected_100_continue = False  # sent already, from the event loop
        return super().handle_request(req, conn)


def _request_state(incoming: _Incoming) -> str:
    """ "ready" (hand it over), "wait" (more to come), "continue" (send 100 Continue, then wait) or "drop"."""
    buffer = incoming.buffer
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return "drop" if len(buffer) > MAX_HEAD else "wait"
    if end > MAX_HEAD:
        return "drop"
    stop, length, expects_continue = _framing(bytes(buffer[:end]))
    if stop == "chunked":
        incoming.complete = False
        return "ready"  # answered 411 unread
    if stop == "bad length":
        return "ready"  # gunicorn's parser answers 400
    if length > MAX_BODY:
        incoming.complete = False
        return "ready"  # answered 413 unread
    if len(buffer) >= end + 4 + length:
        return "ready"
    if expects_continue and not incoming.continued:
        return "continue"
    return "wait"


def _framing(head: bytes) -> tuple[str | None, int, bool]:
    """How much body a request head announces: what ends the reading of its headers early ("chunked" at a
    Transfer-Encoding, "bad length" at a Content-Length that isn't digits) or None, the Content-Length
    so far, and whether it expects 100 Continue."""
    length, expects_continue = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"transfer-encoding":
            return "chunked", length, expects_continue
        if name == b"content-length":
            if not value.isdigit():
                return "bad length", length, expects_continue
            length = int(value)
        elif name == b"expect" and value.lower() == b"100-continue":
            expects_continue = True
    return None, length, expects_continue


class GunicornServer(BaseApplication):
    """gunicorn, configured in code: threads per worker so slow work after the ack never blocks an ack."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"0.0.0.0:{self.settings.port}",
            "workers": self.settings.web_concurrency,
            "worker_class": BufferingWorker,
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
    if not settings.oauth:
        settings.require_bot_token()
    settings.require_signing_secret()
    WebApp(settings, build_services(settings)).close()  # the schema, and the token with Slack (auth.test)
    GunicornServer(settings).run()
