"""A fake Slack Web API server for tests, benchmarks and the sandbox (`remote-wins sandbox`).

Why: the bot must be exercised through the real slack_sdk HTTP stack (token handling, retry handlers,
error parsing, the three-step file upload) without network access, and tests need to see exactly what
was sent and to script Slack's failures (rate limits, 5xx, Block Kit rejections, slow answers). Messages
and views are held to Slack's Block Kit reference by `block_kit` (refusals are kept in `refusals`).
Stdlib and slack_sdk's models only; it serves on 127.0.0.1 from a daemon thread.

Workspaces: the constructor's token serves `team_id`, whose users `users` holds. `enable_oauth` makes it
an app that other workspaces install: `approve` stands for a person allowing the install on Slack's
authorize page and gives the code, which `oauth.v2.access` exchanges once for a bot token of that
workspace (expiring, with a refresh token, when rotation is on: a refresh token works once). Every token
answers for its own workspace only (`auth.test`, users, DMs, rate limits), and is refused as Slack does
once expired (`token_expired`), revoked by `uninstall` (`token_revoked`) or unknown (`invalid_auth`).
"""

from __future__ import annotations

import base64
import json
import math
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from remote_wins.simulator import block_kit

DEFAULT_SCOPES = frozenset({"commands", "chat:write", "users:read", "im:write", "files:write"})
BOT_USER_ID, BOT_ID = "UBOT", "BBOT"
WEB_URL = "https://fake.slack.test/"
# Implemented methods -> bot scope needed (None: none). apps.connections.open takes the app token.
NEEDED_SCOPE: dict[str, str | None] = {
    "auth.test": None,
    "apps.connections.open": None,
    "oauth.v2.access": None,  # no token: the app's client id and secret
    "users.info": "users:read",
    "conversations.open": "im:write",
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "views.open": None,
    "views.update": None,
    "views.push": None,
    "views.publish": None,
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
HOLD_LIMIT = 30.0  # a held call answers after this even if the test never releases it
JSON_PARAMS = frozenset({"blocks", "view", "attachments", "files", "metadata"})
MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS = block_kit.MAX_MESSAGE_BLOCKS, block_kit.MAX_VIEW_BLOCKS
Reply = tuple[int, dict[str, str], bytes]  # HTTP status, headers, body
# A watcher sees each request the fake answered: the method ("response_url" and "upload" too), its params
# and the JSON answer (for response_url: {"ok", "response_url"}); it runs under the fake's lock, so it
# must only record what it saw.
Watcher = Callable[[str, dict[str, Any], dict[str, Any]], None]


@dataclass
class Call:
    """One request as the fake saw it; `method` is the API method, "response_url" or "upload"."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]  # lower-cased names
    at: float  # time.monotonic() on arrival, before any injected delay


@dataclass
class Message:
    """A message the bot posted; chat.update edits it in place and chat.delete sets `deleted`."""

    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str | None = None  # recipient of an ephemeral message
    deleted: bool = False
    author: str = BOT_USER_ID  # who wrote it: the bot, or a person (`post_as_user`)
    team: str = ""  # the workspace it was posted in (the token's)

    def as_json(self) -> dict[str, Any]:
        """Shape returned by chat.* methods, like Slack's message object."""
        if self.author != BOT_USER_ID:
            return {"type": "message", "user": self.author, "text": self.text or "", "ts": self.ts}
        out = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": self.text or "",
            "ts": self.ts,
        }
        extra = {"blocks": self.blocks, "thread_ts": self.thread_ts}
        return out | {k: v for k, v in extra.items() if v is not None}


@dataclass
class Grant:
    """A bot token as Slack keeps it: its workspace, scopes, and (with rotation) when it expires."""

    team_id: str
    scopes: frozenset[str]
    expires_at: float | None = None  # time.time() seconds; None: never
    revoked: bool = False


@dataclass
class _Code:
    team_id: str
    user_id: str
    scopes: frozenset[str]
    redirect_uri: str | None
    issued_at: float
    used: bool = False


CODE_LIFETIME = 600  # Slack's OAuth codes last ten minutes
TOKEN_LIFETIME = 12 * 3600  # a rotating token lasts twelve hours


@dataclass
class _Fault:
    method: str
    status: int | None
    error: str | None
    retry_after: int | None
    times: int


class SlackError(Exception):
    """Raised while serving a request to answer with a Slack error; `extra` keys join the JSON body."""

    def __init__(self, error: str, *, status: int = 200, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(error)
        self.error, self.status, self.headers, self.extra = error, status, headers or {}, extra
        self.problem: block_kit.Problem | None = None  # set for Block Kit refusals


def _loads(raw: str | bytes) -> Any:
    """Decode JSON, or None when it is not JSON (the caller decides what Slack would say)."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _invalid(error: str, why: str) -> SlackError:
    """Slack explains Block Kit rejections in response_metadata.messages; do the same for debuggability."""
    return SlackError(error, response_metadata={"messages": [f"[ERROR] {why}"]})


def block_problem(blocks: Any, limit: int = MAX_MESSAGE_BLOCKS) -> str | None:
    """Why Slack would reject these blocks (None if fine): a message's when `limit` is 50, else a modal's."""
    return block_kit.blocks_problem(
        blocks, block_kit.MESSAGE if limit <= MAX_MESSAGE_BLOCKS else block_kit.MODAL
    )


def _refuse(problem: block_kit.Problem) -> SlackError:
    """Slack explains Block Kit rejections in response_metadata.messages; `source` says which validator
    refused (ours, from Slack's reference, or slack_sdk's models)."""
    error = SlackError(problem.error, response_metadata={"messages": [str(problem)]})
    error.problem = problem
    return error


def check_message(payload: Mapping[str, Any]) -> None:
    """Raise the SlackError Slack gives for a bad message body (chat.* and response_url payloads)."""
    if problem := block_kit.message_problem(payload):
        raise _refuse(problem)


def check_view(view: Any, kinds: tuple[str, ...] = (block_kit.MODAL, block_kit.HOME)) -> None:
    """Raise invalid_arguments for a view Slack would refuse (views.* answer that for any bad view)."""
    if problem := block_kit.view_problem(view, kinds):
        raise _refuse(problem)


def _encode(status: int, headers: dict[str, str], payload: Any) -> Reply:
    """Dicts go out as JSON, anything else as plain text (like Slack's response_url and upload answers)."""
    if isinstance(payload, dict):
        return (
            status,
            {"Content-Type": "application/json; charset=utf-8", **headers},
            json.dumps(payload).encode(),
        )
    return status, {"Content-Type": "text/plain; charset=utf-8", **headers}, str(payload).encode()


def _request(
    kind: str, rest: str, query: str, headers: dict[str, str], body: bytes
) -> tuple[str, Any, str | None] | None:
    """An HTTP request as the method it calls, its parameters and its token; None for an unknown path."""
    if kind == "api":
        return _api_request(rest, query, headers, body)
    if kind == "response":
        return "response_url", _loads(body), None
    if kind == "upload":
        return "upload", {"file_id": rest, "size": len(body)}, None
    return None


def _api_request(
    method: str, query: str, headers: dict[str, str], body: bytes
) -> tuple[str, Any, str | None]:
    """A Web API call: the token from a Bearer header or the form; Basic auth (oauth.v2.access) carries
    the app's id and secret."""
    params = _parse_params(query, headers.get("content-type", ""), body)
    auth, form_token = headers.get("authorization", ""), params.pop("token", None)
    token = auth[7:] if auth.lower().startswith("bearer ") else form_token
    if auth.lower().startswith("basic "):
        client_id, _, secret = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")
        params.setdefault("client_id", client_id)
        params.setdefault("client_secret", secret)
    return method, params, token


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query, form or JSON body the way Slack reads them; decode JSON-in-a-string params."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        data = _loads(body or b"{}")
        params.update(data if isinstance(data, dict) else {})
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str) and (decoded := _loads(params[key])) is not None:
            params[key] = decoded
    return params


class FakeSlack:
    """Slack Web API double on 127.0.0.1: records every request, keeps workspace state, injects faults."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        team_id: str = "T0001",
        scopes: Iterable[str] = DEFAULT_SCOPES,
    ) -> None:
        self.bot_token, self.app_token, self.team_id = bot_token, app_token, team_id
        self.scopes = set(scopes)
        self.tokens: dict[str, Grant] = {bot_token: Grant(team_id, frozenset(self.scopes))}
        self.team_names: dict[str, str] = {team_id: "Fake Team"}
        self.team_users: dict[str, dict[str, dict[str, Any]]] = {}  # other workspaces' users, by team
        self.oauth_client: tuple[str, str] | None = None  # (client id, secret) once enable_oauth is called
        self.rotation = False
        self.app_id = "AFAKEAPP"
        self._codes: dict[str, _Code] = {}
        self._refresh_tokens: dict[str, str] = {}  # unused refresh token -> the access token it renews
        self._team = team_id  # the workspace of the request being served (set under the lock)
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = count(1)
        self._ts = count(1)
        # recordings (emptied by clear())
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.ephemerals: list[Message] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.rejected_responses: list[tuple[str, Any]] = []
        self.refusals: list[tuple[str, block_kit.Problem]] = []  # (method, why) for every Block Kit refusal
        self.ratelimited: Counter[str] = Counter()  # 429s sent, by method
        # workspace state
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}  # view id -> current view
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> published home view
        self.files: dict[str, dict[str, Any]] = {}  # file id -> metadata
        self.uploads: dict[str, bytes] = {}  # file id -> uploaded bytes
        self._dms: dict[str, str] = {}  # D id -> user id
        self._by_ts: dict[tuple[str, str], Message] = {}
        self._response_ids: set[str] = set()
        self._expired_triggers: set[str] = set()
        # scripted behaviour
        self._faults: list[_Fault] = []
        self._delays: dict[str, float] = {}
        self._holds: dict[str, threading.Event] = {}
        self._limits: dict[str, float | None] = {"workspace": None, "channel": None}
        self._windows: dict[str, deque[float]] = {}
        self.socket_mode_url: str | None = None  # apps.connections.open returns it when set
        # Slack's 3-second life of a trigger_id, for those made by `issue_trigger` (None: they never expire)
        self.trigger_lifetime: float | None = None
        self._issued_triggers: dict[str, float] = {}
        self._watchers: list[Watcher] = []
        self.add_user(BOT_USER_ID, name="remote-wins", is_bot=True)
        # Slackbot, as users.info describes it: a user id of its own, and not flagged is_bot.
        self.add_user("USLACKBOT", tz="America/Los_Angeles", name="slackbot")

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind an ephemeral port so parallel test runs never collide."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and free the port."""
        with self._lock:
            for gate in self._holds.values():
                gate.set()  # a held call answers rather than keep its thread
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """Port the server listens on (start() first)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """Root URL of the fake, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Value for WebClient(base_url=...); slack_sdk wants the trailing slash."""
        return f"{self.base_url}/api/"

    # -- test helpers ------------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        tz: str | None = "UTC",
        name: str | None = None,
        deleted: bool = False,
        team_id: str | None = None,
        is_bot: bool = False,
        tz_null: bool = False,
    ) -> None:
        """Register a user for users.info, DMs and views.publish; tz must be an IANA zone, or None for a
        profile with no zone (Slack leaves `tz` out, or with `tz_null` sends it as null)."""
        if tz is not None:
            ZoneInfo(tz)  # fail fast on a typo in a test
        name = name or user_id.lower()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name,
            "real_name": name,
        }
        user |= {"deleted": deleted, "is_bot": is_bot}
        if tz is not None or tz_null:
            user["tz"] = tz
        with self._lock:
            directory = self._directory(team_id or self.team_id)
            directory[user_id] = user | {"profile": {"display_name": name, "real_name": name}}

    def add_workspace(self, team_id: str, name: str | None = None) -> None:
        """Another workspace, with the bot user in its directory, that can install the app (`approve`)."""
        with self._lock:
            self.team_names[team_id] = name or f"Team {team_id}"
        self.add_user(BOT_USER_ID, name="remote-wins", is_bot=True, team_id=team_id)

    def enable_oauth(self, client_id: str, client_secret: str, *, rotation: bool = False) -> None:
        """Make the app installable by other workspaces with OAuth; with `rotation`, its tokens expire."""
        with self._lock:
            self.oauth_client, self.rotation = (client_id, client_secret), rotation

    def approve(self, authorize_url: str, team_id: str, user_id: str = "U1") -> dict[str, str]:
        """A person of `team_id` allowing the install on Slack's authorize page (the app's install link):
        the query Slack redirects their browser with, `code` and `state`. Refuses a link for another app
        or asking for scopes the app doesn't have, as that page does."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
        with self._lock:
            if self.oauth_client is None or query.get("client_id") != self.oauth_client[0]:
                raise SlackError("invalid_client_id")
            if team_id not in self.team_names:
                raise SlackError("team_not_found")
            asked = frozenset(s for s in query.get("scope", "").split(",") if s)
            if not asked or not asked <= self.scopes:
                raise SlackError("invalid_scope", needed=",".join(sorted(asked - self.scopes)))
            code = f"{next(self._ids)}.{secrets.token_hex(16)}"
            self._codes[code] = _Code(team_id, user_id, asked, query.get("redirect_uri"), time.time())
        return {"code": code, "state": query.get("state", "")}

    def expire_token(self, token: str) -> None:
        """Make a token expire now (as twelve hours later would)."""
        with self._lock:
            self.tokens[token].expires_at = time.time() - 1

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: every token it gave stops working (`token_revoked`)."""
        with self._lock:
            for grant in self.tokens.values():
                if grant.team_id == team_id:
                    grant.revoked = True

    def tokens_of(self, team_id: str) -> list[str]:
        """The workspace's tokens still good, oldest first."""
        with self._lock:
            now = time.time()
            return [
                token
                for token, grant in self.tokens.items()
                if grant.team_id == team_id
                and not grant.revoked
                and (grant.expires_at is None or grant.expires_at > now)
            ]

    def _directory(self, team_id: str) -> dict[str, dict[str, Any]]:
        """A workspace's users: `users` for the constructor's workspace."""
        return self.users if team_id == self.team_id else self.team_users.setdefault(team_id, {})

    def add_channel(
        self, channel_id: str, name: str | None = None, member: bool = True, archived: bool = False
    ) -> None:
        """Register a channel the bot can (or, with member=False / archived=True, cannot) post to."""
        with self._lock:
            self.channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower()}
            self.channels[channel_id] |= {"is_member": member, "is_archived": archived}

    def new_response_url(self) -> str:
        """A fresh response_url, as Slack puts in slash-command and interaction payloads."""
        rid = secrets.token_hex(8)
        with self._lock:
            self._response_ids.add(rid)
        return f"{self.base_url}/response/{rid}"

    def expire_trigger(self, trigger_id: str) -> None:
        """Make views.open/push with this trigger_id fail with expired_trigger_id (Slack's 3-second rule)."""
        with self._lock:
            self._expired_triggers.add(trigger_id)

    def issue_trigger(self, prefix: str = "") -> str:
        """A trigger_id as Slack puts in an interaction; with `trigger_lifetime` set, views.open and
        views.push refuse it once that many seconds have passed (expired_trigger_id)."""
        trigger = f"{prefix}{next(self._ids)}.{secrets.token_hex(6)}"
        with self._lock:
            self._issued_triggers[trigger] = time.monotonic()
        return trigger

    def post_as_user(self, user_id: str, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """A person's own message (in their DM with the bot, say), so the app's replies have a thread to
        join and chat.getPermalink finds it."""
        with self._lock:
            msg = Message(self._channel(channel), self._next_ts(), text, None, thread_ts, author=user_id)
            self.messages.append(msg)
            self._by_ts[(msg.channel, msg.ts)] = msg
            return msg

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher` after every request the fake answers (successes and refusals alike)."""
        with self._lock:
            self._watchers.append(watcher)

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded traffic; workspace state (users, channels, messages' ts, views) and faults stay."""
        with self._lock:
            for record in (
                self.calls,
                self.messages,
                self.ephemerals,
                self.responses,
                self.rejected_responses,
                self.refusals,
            ):
                record.clear()
            self.ratelimited.clear()

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Script the next `times` requests to `method` ("*" = any) to fail: 429, 5xx or a Slack error."""
        if status is None and error is None:
            raise ValueError("give a status, an error, or both")
        with self._lock:
            self._faults.append(_Fault(method, status, error, retry_after, times))

    def delay(self, method: str, seconds: float) -> None:
        """Make `method` ("*" = any) sleep before answering, to simulate a slow Slack; 0 removes it."""
        with self._lock:
            self._delays[method] = seconds

    def hold(self, method: str) -> threading.Event:
        """Make `method` wait, once its call is recorded, until the returned event is set (at most
        HOLD_LIMIT seconds): a test can then see what the app does before Slack answers, by order, not
        by a clock."""
        with self._lock:
            gate = self._holds[method] = threading.Event()
        return gate

    def rate_limit(
        self, per_workspace_per_second: float | None = None, per_channel_per_second: float | None = None
    ) -> None:
        """Enforce chat.postMessage limits over a sliding one-second window (None = unlimited)."""
        with self._lock:
            self._limits = {"workspace": per_workspace_per_second, "channel": per_channel_per_second}
            self._windows.clear()

    # -- request plumbing --------------------------------------------------------------------------------

    def _handle(self, path: str, raw_headers: Mapping[str, str], body: bytes) -> Reply:
        """Route one HTTP request; every answer (success, scripted fault, Slack error) comes from here."""
        url = urlsplit(path)
        kind, _, rest = url.path.strip("/").partition("/")
        headers = {k.lower(): v for k, v in raw_headers.items()}
        request = _request(kind, rest, url.query, headers, body)
        if request is None:
            return _encode(404, {}, "not_found")
        method, params, token = request
        with self._lock:
            self.calls.append(
                Call(method, params if isinstance(params, dict) else {}, headers, time.monotonic())
            )
            pause = self._delays.get(method, self._delays.get("*", 0.0))
            gate = self._holds.get(method)
        time.sleep(pause)
        if gate is not None:
            gate.wait(HOLD_LIMIT)
        with self._lock:
            reply, answer = self._answer(kind, rest, url.path, (method, params, token), body)
            for watcher in self._watchers:
                watcher(method, params if isinstance(params, dict) else {}, answer)
            self._team = self.team_id  # helpers called between requests (post_as_user…) act in it
        return reply  # encoded under the lock: stored views and messages may change right after

    def _answer(
        self, kind: str, rest: str, path: str, request: tuple[str, Any, str | None], body: bytes
    ) -> tuple[Reply, dict[str, Any]]:
        """The reply to one request (called with the lock held), and the answer its watchers see."""
        method, params, token = request
        try:
            self._inject_fault(method)
            if kind == "api":
                answer = {"ok": True, **self._api(method, params, token)}
                return _encode(200, {}, answer), answer
            if kind == "response":
                reply = _encode(200, {}, self._respond(rest, f"{self.base_url}{path}", params))
                return reply, {"ok": True, "response_url": f"{self.base_url}{path}"}
            return _encode(200, {}, self._upload(rest, body)), {"ok": True}
        except SlackError as e:
            if e.problem is not None:
                self.refusals.append((method, e.problem))
            if e.status == 429:
                self.ratelimited[method] += 1
            error = {"ok": False, "error": e.error, **e.extra} if kind == "api" else e.error
            return _encode(e.status, e.headers, error), {"ok": False, "error": e.error, "problem": e.problem}

    def _inject_fault(self, method: str) -> None:
        """Consume the first scripted fault matching this method, as a SlackError."""
        fault = next((f for f in self._faults if f.method in (method, "*")), None)
        if fault is None:
            return
        fault.times -= 1
        if fault.times <= 0:
            self._faults.remove(fault)
        if fault.status == 429:
            retry_after = 1 if fault.retry_after is None else fault.retry_after
            raise SlackError(
                fault.error or "ratelimited", status=429, headers={"Retry-After": str(retry_after)}
            )
        api = method not in ("response_url", "upload")
        raise SlackError(fault.error or "internal_error", status=fault.status or (200 if api else 404))

    def _api(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Auth, scope and rate checks Slack does before a method runs, then the method itself."""
        if method not in NEEDED_SCOPE:
            raise SlackError("unknown_method", status=404, req_method=method)
        if method == "oauth.v2.access":
            return self._oauth_v2_access(params)
        if not token:
            raise SlackError("not_authed")
        if method == "apps.connections.open":
            if token != self.app_token:
                raise SlackError("not_allowed_token_type" if token in self.tokens else "invalid_auth")
            self._team = self.team_id
            return self._api_apps_connections_open(params)
        grant = self._live_grant(token)
        self._team = grant.team_id
        scope = NEEDED_SCOPE[method]
        if scope and scope not in grant.scopes:
            raise SlackError("missing_scope", needed=scope, provided=",".join(sorted(grant.scopes)))
        if method == "chat.postMessage":
            self._throttle(str(params.get("channel")))
        return getattr(self, "_api_" + method.replace(".", "_"))(params)

    def _live_grant(self, token: str) -> Grant:
        """The live grant a bot or user token stands for, or the error Slack answers for that token."""
        grant = self.tokens.get(token)
        if grant is None:
            raise SlackError("not_allowed_token_type" if token == self.app_token else "invalid_auth")
        if grant.revoked:
            raise SlackError("token_revoked")
        if grant.expires_at is not None and grant.expires_at <= time.time():
            raise SlackError("token_expired")
        return grant

    def _throttle(self, channel: str) -> None:
        """Sliding-window limiter; only requests let through count towards the window."""
        now = time.monotonic()
        limits = {
            f"workspace:{self._team}": self._limits["workspace"],
            f"channel:{self._team}:{channel}": self._limits["channel"],
        }
        keys = [(key, limit) for key, limit in limits.items() if limit]
        for key, limit in keys:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 1:
                window.popleft()
            if len(window) >= limit:
                retry_after = max(1, math.ceil(window[0] + 1 - now))
                raise SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})
        for key, _ in keys:
            self._windows[key].append(now)

    def _respond(self, rid: str, url: str, payload: Any) -> str:
        """response_url: 404 for unknown ids, 400 with a plain-text error for bad payloads, else "ok"."""
        if rid not in self._response_ids:
            raise SlackError("expired_url", status=404)
        if not isinstance(payload, dict):
            self.rejected_responses.append((url, payload))
            raise SlackError("invalid_payload", status=400)
        try:
            check_message(payload)
        except SlackError as e:
            self.rejected_responses.append((url, payload))
            refusal = SlackError(e.error, status=400)
            refusal.problem = e.problem
            raise refusal from None
        self.responses.append((url, payload))
        return "ok"

    def _upload(self, file_id: str, body: bytes) -> str:
        """The upload_url step of files_upload_v2: store the bytes."""
        if file_id not in self.files:
            raise SlackError("file_not_found", status=404)
        self.uploads[file_id] = body
        return f"OK - {len(body)}"

    # -- lookups shared by methods -----------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + 100 * next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):010d}"

    def _user(self, user_id: Any) -> dict[str, Any]:
        """A user of the requesting workspace: another workspace's are not found, even with the same id."""
        users = self._directory(self._team)
        if user_id not in users:
            raise SlackError("user_not_found")
        return users[user_id]

    def _dm(self, user_id: str) -> str:
        """Stable DM channel id for a user of the requesting workspace, like conversations.open."""
        if self._user(user_id)["deleted"]:
            raise SlackError("user_disabled")
        dm = "D" + user_id[1:] if self._team == self.team_id else f"D{self._team[1:]}{user_id[1:]}"
        self._dms[dm] = user_id
        return dm

    def _channel(self, channel: Any) -> str:
        """Resolve a channel argument as chat.* does: a user id means that user's DM."""
        channel = str(channel or "")
        if channel in self._directory(self._team):
            return self._dm(channel)
        if channel in self._dms:
            return channel
        info = self.channels.get(channel)
        if info is None:
            raise SlackError("channel_not_found")
        if info["is_archived"]:
            raise SlackError("is_archived")
        if not info["is_member"]:
            raise SlackError("not_in_channel")
        return channel

    def _message(self, channel: Any, ts: Any) -> Message:
        msg = self._by_ts.get((self._channel(channel), str(ts)))
        if msg is None:
            raise SlackError("message_not_found")
        return msg

    def _new_message(self, p: dict[str, Any], user: str | None = None) -> Message:
        channel = self._channel(p.get("channel"))
        check_message(p)
        message = Message(channel, self._next_ts(), p.get("text"), p.get("blocks"), p.get("thread_ts"), user)
        message.team = self._team
        return message

    def _view_param(self, p: dict[str, Any], kinds: tuple[str, ...]) -> dict[str, Any]:
        check_view(p.get("view"), kinds)
        return p["view"]

    def _trigger(self, p: dict[str, Any]) -> None:
        if not p.get("trigger_id"):
            raise _invalid("invalid_arguments", "missing required field: trigger_id")
        if p["trigger_id"] in self._expired_triggers:
            raise SlackError("expired_trigger_id")
        issued = self._issued_triggers.get(p["trigger_id"])
        lifetime = self.trigger_lifetime
        if issued is not None and lifetime is not None and time.monotonic() - issued > lifetime:
            raise SlackError("expired_trigger_id")

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """Save a view as Slack returns it: with id, team, empty state and a fresh hash per save."""
        view_id = view_id or self._new_id("V")
        stored = self.views.setdefault(view_id, {})  # updated in place so home_views stays current
        stored.clear()
        stored |= {"callback_id": "", "private_metadata": "", "state": {"values": {}}, **view, "id": view_id}
        stored |= {
            "team_id": self._team,
            "bot_id": BOT_ID,
            "hash": f"{time.time():.6f}.{secrets.token_hex(4)}",
        }
        return stored

    @staticmethod
    def _check_hash(p: dict[str, Any], current: dict[str, Any] | None) -> None:
        if p.get("hash") and current is not None and p["hash"] != current["hash"]:
            raise SlackError("hash_conflict")

    # -- API methods (named _api_<method with dots as underscores>) ----------------------------------------

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        """Exchange a code once, or (rotation) a refresh token once, for a bot token of the workspace."""
        if self.oauth_client is None or p.get("client_id") != self.oauth_client[0]:
            raise SlackError("invalid_client_id")
        if p.get("client_secret") != self.oauth_client[1]:
            raise SlackError("bad_client_secret")
        grant_type = p.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            renewed = self._refresh_tokens.pop(str(p.get("refresh_token")), None)
            if renewed is None or self.tokens[renewed].revoked:
                raise SlackError("invalid_refresh_token")
            old = self.tokens[renewed]
            return self._grant(old.team_id, old.scopes, extra={})
        if grant_type != "authorization_code":
            raise SlackError("invalid_grant_type")
        code = self._codes.get(str(p.get("code")))
        if code is None or time.time() - code.issued_at > CODE_LIFETIME:
            raise SlackError("invalid_code")
        if code.used:
            raise SlackError("code_already_used")
        if code.redirect_uri and p.get("redirect_uri") != code.redirect_uri:
            raise SlackError("bad_redirect_uri")
        code.used = True
        return self._grant(code.team_id, code.scopes, extra={"authed_user": {"id": code.user_id}})

    def _grant(self, team_id: str, scopes: frozenset[str], extra: dict[str, Any]) -> dict[str, Any]:
        """A new bot token for the workspace, as oauth.v2.access answers it."""
        prefix = "xoxe.xoxb-" if self.rotation else "xoxb-"
        token = f"{prefix}{team_id}-{next(self._ids)}-{secrets.token_hex(8)}"
        expires_at = time.time() + TOKEN_LIFETIME if self.rotation else None
        self.tokens[token] = Grant(team_id, scopes, expires_at)
        answer = {
            "app_id": self.app_id,
            "scope": ",".join(sorted(scopes)),
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team_id, "name": self.team_names[team_id]},
            "enterprise": None,
            "is_enterprise_install": False,
            **extra,
        }
        if self.rotation:
            refresh = f"xoxe-1-{secrets.token_hex(12)}"
            self._refresh_tokens[refresh] = token
            answer |= {"refresh_token": refresh, "expires_in": TOKEN_LIFETIME}
        return answer

    def _api_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": WEB_URL,
            "team": self.team_names[self._team],
            "user": "remote-wins",
            "team_id": self._team,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_mode_url or f"ws://127.0.0.1:{self.port}/socket/{secrets.token_hex(8)}"}

    def _api_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._user(p.get("user"))
        if not user.get("tz"):
            return {"user": user}  # no zone in the profile: no tz_label or tz_offset either
        now = datetime.now(ZoneInfo(user["tz"]))
        offset = now.utcoffset()
        return {
            "user": user
            | {"tz_label": now.tzname(), "tz_offset": int(offset.total_seconds()) if offset else 0}
        }

    def _api_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise _invalid("invalid_arguments", "the fake supports exactly one user")
        return {"channel": {"id": self._dm(users[0])}}

    def _api_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._new_message(p)
        self.messages.append(msg)
        self._by_ts[(msg.channel, msg.ts)] = msg
        return {"channel": msg.channel, "ts": msg.ts, "message": msg.as_json()}

    def _api_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        self._user(p.get("user"))
        msg = self._new_message(p, user=p["user"])
        self.ephemerals.append(msg)
        return {"message_ts": msg.ts}

    def _api_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._message(p.get("channel"), p.get("ts"))
        check_message(p)
        msg.text, msg.blocks = p.get("text", msg.text), p.get("blocks", msg.blocks)
        return {"channel": msg.channel, "ts": msg.ts, "text": msg.text or "", "message": msg.as_json()}

    def _api_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._message(p.get("channel"), p.get("ts"))
        msg.deleted = True
        del self._by_ts[(msg.channel, msg.ts)]
        return {"channel": msg.channel, "ts": msg.ts}

    def _api_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._message(p.get("channel"), p.get("message_ts"))
        link = f"{WEB_URL}archives/{msg.channel}/p{msg.ts.replace('.', '')}"
        if msg.thread_ts:
            link += f"?thread_ts={msg.thread_ts}&cid={msg.channel}"
        return {"channel": msg.channel, "permalink": link}

    def _api_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        self._trigger(p)
        return {"view": self._store_view(self._view_param(p, ("modal",)))}

    _api_views_push = _api_views_open

    def _api_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        current = self.views.get(str(p.get("view_id")))
        if current is None:
            raise SlackError("not_found")
        self._check_hash(p, current)
        return {"view": self._store_view(self._view_param(p, ("modal", "home")), current["id"])}

    def _api_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = self._user(p.get("user_id"))["id"]
        current = self.home_views.get(user_id)
        self._check_hash(p, current)
        view = self._view_param(p, ("home",))
        self.home_views[user_id] = self._store_view(view, current["id"] if current else None)
        return {"view": self.home_views[user_id]}

    def _api_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            raise _invalid("invalid_arguments", "filename and length are required")
        file_id = self._new_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": p["filename"],
            "title": p["filename"],
            "size": int(p["length"]),
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            raise _invalid("invalid_arguments", "files must be a non-empty array of {id, title}")
        if any(f.get("id") not in self.uploads for f in files):
            raise SlackError("file_not_found")
        channel = self._channel(p["channel_id"]) if p.get("channel_id") else None
        shared = {
            "channel_id": channel,
            "thread_ts": p.get("thread_ts"),
            "initial_comment": p.get("initial_comment"),
        }
        for f in files:
            self.files[f["id"]] |= {"title": f.get("title") or self.files[f["id"]]["name"], **shared}
        return {"files": [dict(self.files[f["id"]]) for f in files]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, raw = self.server.fake._handle(self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(raw))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging so test output stays readable."""
