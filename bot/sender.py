"""The one sender: every message the bot sends on its own initiative (the clock's prompts, digests and
check-ins, and the DMs a request causes for someone else: "your manager read your week", a trial's
proposal, a manager link's notices) goes to Slack through `Sender.send`: paced, retried within the
call, and its failure put in the ledger's one error vocabulary (rules.deliveries).

A send first waits for its turn (bot.ratelimit: per workspace and per channel, at `RateLimits.headroom`
of Slack's limits), then calls `chat.postMessage` through a client made from the workspace's own
(bot.workspaces: its installation's token, or SLACK_BOT_TOKEN's for its one workspace; same URL, timeout
and connection retry) with retry handlers set for a tick:

- 429: slack_sdk's handler sleeps for Retry-After; first the whole workspace pauses (Slack's budget is
  shared by every send of the workspace), and after it the retry queues for a fresh turn.
- 5xx, any of them (slack_sdk's own handler retries only 500 and 503): backoff and retry.
- a connection that could not be made or was dropped: slack_sdk's connection handler, as configured.

The counts (`Retries`) are small on purpose: a thread stuck on one member holds up the batch, and a send
that still fails is not lost, because the tick tries it again on a later tick (jobs/tick.py). The
result is a SendResult: sent (channel, ts), or failed with an error, which is either

- transient (rules.deliveries.is_transient): `ratelimited`, `http_5xx`, Slack's `internal_error`,
  `fatal_error`, `service_unavailable`, `request_timeout`, `connection_error` (no connection, or it
  dropped), or `not_sent` (the sender died before calling Slack: storage.ledger's sweep);
- the member has left Slack (rules.deliveries.member_gone): `user_not_found`, `user_disabled`. Not
  `account_inactive`: Slack says that of the *token* (a deleted bot or workspace), and one dead token
  must not deactivate every member; it is recorded as a permanent failure like `invalid_auth`;
- refused for the whole workspace (`WORKSPACE_REFUSED`): the app is not installed there any more
  (`not_installed`, found before calling Slack), or Slack refuses its token (`invalid_auth`,
  `account_inactive`, `token_revoked`, `token_expired`, `not_authed`). Permanent, and the rest of the
  workspace's sends in this tick fail at once with the same error, without waiting for a turn, so one
  dead workspace never slows another's deliveries (`Sender.start_tick` forgets them);
- or permanent: Slack's error code (`channel_not_found`, `not_in_channel`, `is_archived`,
  `invalid_auth`, …), and `timeout`: an answer that never came may hide a message that was posted, so
  it is not sent again.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.ratelimit import RateLimiter
from bot.workspaces import NotInstalled, SlackClients
from rules.deliveries import (
    CLIENT_ERROR,
    CONNECTION_ERROR,
    NOT_INSTALLED,
    RATELIMITED,
    SUPERSEDED,
    TIMEOUT,
    TRANSIENT_ERRORS,
    WORKSPACE_REFUSED,
)

Message = dict[str, Any]
_SLACK_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")
log = logging.getLogger(__name__)
_next_call = threading.local()  # Sender.before_the_call's hook, per sending thread


@dataclass(frozen=True)
class RateLimits:
    """Slack's limits for chat.postMessage, and the share of them a tick aims at.

    Slack counts arrivals in a sliding second, so a pace of exactly its limit spills over into 429s at
    the first network jitter; `headroom` keeps the pace a little under it.
    """

    per_workspace_per_second: float = 20.0
    per_channel_per_second: float = 1.0
    headroom: float = 0.9
    adaptive: bool = True  # each 429 slows the workspace, each send that goes through speeds it back up


@dataclass(frozen=True)
class Retries:
    """Retries within one call; what is left over is retried by a later tick."""

    rate_limited: int = 3
    server_error: int = 2


@dataclass(frozen=True)
class SendResult:
    channel: str | None = None
    ts: str | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.error is None


@dataclass
class Sender:
    """How the bot sends: the clients, the pace, the retries, and how many sends run at once.

    Keep one for the life of a clock process (and pass it to every `run_tick`) so that a pause after
    a 429 carries over from one tick to the next; a web process has its own (`Services.sender`).
    `clients` gives each workspace its client (a tick's default: the app's, bot.services.Services.slack);
    without it every send uses `client` (tests).
    """

    client: WebClient
    limits: RateLimits = field(default_factory=RateLimits)
    retries: Retries = field(default_factory=Retries)
    workers: int = 8
    clients: SlackClients | None = None
    # A tick sends nothing more to a workspace that refused its token; a web process's sender (whose sends
    # have no tick to end the refusal) tries each send afresh.
    remember_refusals: bool = True
    limiter: RateLimiter = field(init=False)
    _refused: dict[str, str] = field(init=False, default_factory=dict)  # workspace -> error, this tick

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("a sender needs at least one worker")
        self.limiter = RateLimiter(
            self.limits.per_workspace_per_second * self.limits.headroom,
            self.limits.per_channel_per_second * self.limits.headroom,
            adaptive=self.limits.adaptive,
        )

    @contextmanager
    def before_the_call(self, hook: Callable[[], bool]) -> Iterator[None]:
        """Run `hook` once, in this thread, just before the next send calls Slack (after its turn came):
        the tick records there that the message may leave from then on (storage.ledger.mark_sending).
        If the hook says False (the claim is no longer this sender's) or raises, nothing is sent; the
        send's result is then the error `superseded`."""
        _next_call.hook = hook
        try:
            yield
        finally:
            _next_call.hook = None

    def start_tick(self) -> None:
        """A new tick tries again the workspaces whose tokens Slack refused in the last one."""
        self._refused.clear()

    def refused(self, workspace_id: str) -> str | None:
        """Why this tick sends nothing more to the workspace (see the module doc), if it doesn't."""
        return self._refused.get(workspace_id)

    def send(self, workspace_id: str, user_id: str, message: Message) -> SendResult:
        """Post `message` to the member's DM (the user id as channel opens it) and say what happened."""
        if refused := self.refused(workspace_id):
            return SendResult(error=refused)
        self.limiter.acquire(workspace_id, user_id)
        try:  # after the turn: an uninstall while this send waited stops it here
            client = self.client_for(workspace_id, user_id)
        except NotInstalled:
            self._refuse(workspace_id, NOT_INSTALLED)
            return SendResult(error=NOT_INSTALLED)
        hook, _next_call.hook = getattr(_next_call, "hook", None), None
        if hook is not None and not hook():
            log.info("chat.postMessage to %s not sent: its claim was taken over", user_id)
            return SendResult(error=SUPERSEDED)
        try:
            response = client.chat_postMessage(channel=user_id, **message)
        except SlackApiError as error:
            if error.response.status_code == 429:
                self.limiter.pause(workspace_id, retry_after(error.response.headers))
            code = error_code(error)
            log.warning("chat.postMessage to %s failed: %s", user_id, code)
            if code in WORKSPACE_REFUSED:
                self._refuse(workspace_id, code)
            return SendResult(error=code)
        except TimeoutError:  # sent, but no answer in time: Slack may have posted it
            log.warning("chat.postMessage to %s timed out", user_id)
            return SendResult(error=TIMEOUT)
        except (OSError, HTTPException) as error:  # URLError is an OSError: no connection, or it dropped
            log.warning("chat.postMessage to %s could not reach Slack: %s", user_id, error)
            return SendResult(error=CONNECTION_ERROR)
        except SlackClientError as error:
            log.error("chat.postMessage to %s was refused by the client: %s", user_id, error)
            return SendResult(error=CLIENT_ERROR)
        self.limiter.succeeded(workspace_id)
        return SendResult(channel=response.get("channel"), ts=response.get("ts"))

    def _refuse(self, workspace_id: str, error: str) -> None:
        if not self.remember_refusals:
            return
        if workspace_id not in self._refused:
            log.warning("workspace %s: %s; nothing more is sent to it this tick", workspace_id, error)
        self._refused.setdefault(workspace_id, error)

    def client_for(self, workspace_id: str, channel: str) -> WebClient:
        """The workspace's client with this send's retry handlers (they pace retries on its own turns);
        raises bot.workspaces.NotInstalled for a workspace the app no longer serves."""
        base = self.client if self.clients is None else self.clients.client_for(workspace_id)
        kept = [
            handler
            for handler in base.retry_handlers
            if not isinstance(handler, RateLimitErrorRetryHandler | ServerErrorRetryHandler)
        ]
        handlers = [
            *kept,
            PacedRateLimitRetryHandler(self.retries.rate_limited, self.limiter, workspace_id, channel),
            AnyServerErrorRetryHandler(max_retry_count=self.retries.server_error),
        ]
        return WebClient(
            token=base.token,
            base_url=base.base_url,
            timeout=base.timeout,
            ssl=base.ssl,
            proxy=base.proxy,
            team_id=base.default_params.get("team_id"),
            logger=base.logger,
            retry_handlers=handlers,
        )


class PacedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, which sleeps for Retry-After, made to pause the workspace's other sends
    first and to queue for a fresh turn after, so retries never add to the pace."""

    def __init__(self, max_retry_count: int, limiter: RateLimiter, workspace_id: str, channel: str) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._limiter, self._workspace_id, self._channel = limiter, workspace_id, channel

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is not None:
            self._limiter.pause(self._workspace_id, retry_after(response.headers))
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)
        self._limiter.acquire(self._workspace_id, self._channel)


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk's 5xx handler, for every 5xx: a 502 or 504 from a proxy is as passing as a 503."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code <= 599


def retry_after(headers: Mapping[str, Any]) -> float:
    """Seconds from a Retry-After header (values may come as strings or lists of them); 1 if absent."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return 1.0


def error_code(error: SlackApiError) -> str:
    """What the ledger records: Slack's error code, `ratelimited` for 429, `http_<status>` for the rest."""
    response = error.response
    status = response.status_code
    data = response.data if isinstance(response.data, dict) else {}
    code = data.get("error")
    code = code if isinstance(code, str) and _SLACK_CODE.match(code) else None
    if status == 429:
        return RATELIMITED
    if status >= 500:
        return code if code in TRANSIENT_ERRORS else f"http_{status}"
    return code or f"http_{status}"


def failure_word(error: SlackClientError | OSError | HTTPException) -> str:
    """The same words for a failure before the send's call: finding the workspace's client may ask Slack
    (SingleWorkspace's `auth.test`), and `Sender.send` lets that raise, as the clock expects."""
    if isinstance(error, SlackApiError):
        return error_code(error)
    if isinstance(error, SlackClientError):
        return CLIENT_ERROR
    return CONNECTION_ERROR
