"""A fake of Slack's Socket Mode endpoint: the WebSocket that apps.connections.open points the app to.

Slack's side of the protocol as slack_sdk's client expects it: a "hello" when the app connects, then
envelopes ({"envelope_id", "type", "payload", "accepts_response_payload"}) that the app acks with
{"envelope_id", "payload"}. Tests push envelopes and wait for the acks. It serves on 127.0.0.1 from a
daemon thread; point FakeSlack.socket_mode_url at `url`.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests import block_kit


class FakeSocketMode:
    """Slack's Socket Mode server on 127.0.0.1: says hello, pushes envelopes, records the app's acks."""

    def __init__(self, app_id: str = "A1") -> None:
        self.app_id = app_id
        self.acks: list[dict[str, Any]] = []  # every message the app sent, oldest first
        self.connections = 0  # connections that got their hello, ever
        self._open: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeSocketMode:
        # slack_sdk's client pings the server itself; the server need not ping it.
        self._server = serve(self._serve, "127.0.0.1", 0, compression=None, ping_interval=None)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the open connections (1001, going away) and the listening socket."""
        if self._server is not None:
            self._server.shutdown()
            assert self._thread is not None
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def open_connections(self) -> int:
        """Connections open now: an app that stopped cleanly has closed its own."""
        with self._changed:
            return len(self._open)

    @property
    def url(self) -> str:
        """A wss-style link like Slack's, over plain ws:// (start() first)."""
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={secrets.token_hex(8)}&app_id={self.app_id}"

    def send_envelope(self, kind: str, payload: dict[str, Any], accepts_response_payload: bool) -> str:
        """Push an envelope to the newest connection; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        with self._changed:
            if not self._open:
                raise RuntimeError("no app is connected")
            connection = self._open[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def send_event(self, payload: dict[str, Any]) -> str:
        """An Events API event (the same body as over HTTP); the app only acks it."""
        return self.send_envelope("events_api", payload, accepts_response_payload=False)

    def send_slash_command(self, payload: dict[str, Any]) -> str:
        """A slash command, as Slack sends it: the app may answer in the ack."""
        return self.send_envelope("slash_commands", payload, accepts_response_payload=True)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any] | None:
        """The app's ack for this envelope, or None if none came within `timeout` seconds; an ack whose
        payload Slack would refuse (a slash command's answer is a message) fails the test."""

        def find() -> dict[str, Any] | None:
            return next((ack for ack in self.acks if ack.get("envelope_id") == envelope_id), None)

        with self._changed:
            self._changed.wait_for(find, timeout=timeout)
            ack = find()
        payload = (ack or {}).get("payload")
        answered = isinstance(payload, dict) and payload.keys() & {"text", "blocks"}
        if answered and (problem := block_kit.message_problem(payload)):
            raise AssertionError(f"Slack would refuse the app's answer over Socket Mode: {problem}")
        return ack

    def _serve(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
            "connection_info": {"app_id": self.app_id},
        }
        connection.send(json.dumps(hello))
        with self._changed:
            self._open.append(connection)
            self.connections += 1
            self._changed.notify_all()
        try:
            for raw in connection:
                with self._changed:
                    self.acks.append(json.loads(raw))
                    self._changed.notify_all()
        except ConnectionClosed:
            pass  # the app went away without a close frame (killed)
        finally:
            with self._changed:
                self._open.remove(connection)
