"""The people's side of a simulated Slack workspace: what they do and what they see.

`FakeSlack` is Slack's Web API as the app calls it. This is the rest of Slack: people typing slash
commands, writing to the bot, opening its Home tab, pressing buttons and filling modals, each sent to the
app's Request URL as the signed HTTP request Slack would send (and the app's ack held to Slack's rules,
`acks.ack_problem`); and what those people then see: ephemeral replies, DMs, channel posts and threads,
modals and the Home tab, built from the calls the app made to the fake (`FakeSlack.watch`) and from the
answers it sent through `response_url`.

The app can't tell this from Slack: the payloads carry what Slack's carry (team, user, trigger_id,
response_url, container, message, view and its state), triggers expire after Slack's 3 seconds, and
text is escaped as Slack escapes it (`should_escape`: mentions become `<@U…|name>`).
"""

from __future__ import annotations

import copy
import json
import queue
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from remote_wins.simulator import forms
from remote_wins.simulator.acks import Reply, ack_problem, sign
from remote_wins.simulator.fake_slack import BOT_USER_ID, FakeSlack
from remote_wins.simulator.render import INTERACTIVE, block_id_of

API_APP_ID = "ASANDBOX"
COMMAND = "/remote-win"
TRIGGER_LIFETIME = 3.0  # seconds: Slack's life of a trigger_id
STATEFUL = INTERACTIVE - {"button", "workflow_button", "overflow"}
_MENTION = re.compile(r"(?<![\w<])([@#])([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)


@dataclass
class Post:
    """A message as people see it: in a channel, a DM or a thread, or an ephemeral one for one person."""

    key: str
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    author: str  # the bot's user id, or a person's
    at: datetime  # simulated time it was posted (or last changed)
    thread_ts: str | None = None
    to: str | None = None  # an ephemeral message's only reader
    deleted: bool = False
    edited: bool = False
    files: list[str] = field(default_factory=list)  # titles of files shared as this message
    state: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # the reader's ticks: block -> action -> value

    @property
    def ephemeral(self) -> bool:
        return self.to is not None


@dataclass
class Sighting:
    """Something that happened that someone may be shown: a post new, changed or gone, a modal, a refusal."""

    seq: int
    kind: str  # "new", "updated", "deleted", "modal", "home", "refused", "error"
    post: Post | None = None
    user: str | None = None  # who it is for (None: whoever can see the post)
    note: str = ""


@dataclass
class _Origin:
    """Where a response_url answers: who it was for, in which channel, and the message it may replace."""

    user: str
    channel: str
    post: Post | None = None


class Workspace:
    """People, channels and everything they have seen, around one FakeSlack and the app's Request URL."""

    def __init__(
        self,
        fake: FakeSlack,
        events_url: str,
        signing_secret: str,
        now: Callable[[], datetime],
        *,
        domain: str = "demo",
    ) -> None:
        self.fake, self.events_url, self.secret, self.now = fake, events_url, signing_secret, now
        self.team, self.domain = fake.team_id, domain
        self.fake.trigger_lifetime = TRIGGER_LIFETIME
        self.posts: dict[str, Post] = {}
        self.sightings: list[Sighting] = []
        self.modals: dict[str, list[str]] = {}  # user -> stack of open view ids, top last
        self.modal_values: dict[str, dict[str, Any]] = {}  # view id -> state.values being filled in
        self._origins: dict[str, _Origin] = {}
        self._triggers: dict[str, str] = {}  # trigger_id -> user
        self._queue: queue.Queue[tuple[str, dict[str, Any], dict[str, Any], datetime]] = queue.Queue()
        self._activity = time.monotonic()
        self._busy = 0
        self._lock = threading.RLock()
        self._ephemerals = 0
        fake.watch(self._saw)

    # -- the directory ----------------------------------------------------------------------------------

    def user_name(self, user_id: str) -> str:
        user = self.fake.users.get(user_id)
        return str(user["name"]) if user else user_id

    def channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "direct message"
        channel = self.fake.channels.get(channel_id)
        return str(channel["name"]) if channel else channel_id

    def user_id(self, name: str) -> str | None:
        wanted = name.strip().lstrip("@").casefold()
        for user_id, user in self.fake.users.items():
            if str(user["name"]).casefold() == wanted or user_id.casefold() == wanted:
                return user_id
        return None

    def channel_id(self, name: str) -> str | None:
        wanted = name.strip().lstrip("#").casefold()
        for channel_id, channel in self.fake.channels.items():
            if str(channel["name"]).casefold() == wanted or channel_id.casefold() == wanted:
                return channel_id
        return None

    def zone_of(self, user_id: str) -> str:
        return str(self.fake.users.get(user_id, {}).get("tz") or "UTC")

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def dm_owner(self, channel: str) -> str | None:
        if not channel.startswith("D"):
            return None
        candidate = "U" + channel[1:]
        return candidate if candidate in self.fake.users else None

    # -- what people do ---------------------------------------------------------------------------------

    def command(self, user: str, text: str, channel: str) -> Reply:
        """`/remote-win <text>` typed by `user` in `channel`: the ack is their ephemeral answer."""
        origin = _Origin(user, channel)
        body = urlencode(
            {
                "token": "sandbox-verification-token",
                "team_id": self.team,
                "team_domain": self.domain,
                "channel_id": channel,
                "channel_name": self.channel_name(channel),
                "user_id": user,
                "user_name": self.user_name(user),
                "command": COMMAND,
                "text": self.escape(text, labels=True),
                "api_app_id": API_APP_ID,
                "response_url": self._response_url(origin),
                "trigger_id": self._trigger(user),
            }
        ).encode()
        reply = self._send(body, "application/x-www-form-urlencoded")
        if reply.status == 200 and reply.body.strip():
            try:
                answer = json.loads(reply.body)
            except ValueError:
                answer = {"text": reply.body.decode("utf-8", "replace")}
            if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
                if answer.get("response_type") == "in_channel":
                    origin.post = self._new_post(channel, answer, author=BOT_USER_ID)
                else:
                    origin.post = self._new_post(channel, answer, author=BOT_USER_ID, to=user)
        return reply

    def direct_message(self, user: str, text: str, thread_ts: str | None = None) -> Post:
        """`user` writes to the bot in its Messages tab: Slack stores the message and sends `message.im`."""
        channel = self.dm_channel(user)
        escaped = self.escape(text, labels=False)
        message = self.fake.post_as_user(user, user, escaped, thread_ts)
        with self._lock:
            post = Post(
                f"{message.channel}/{message.ts}",
                message.channel,
                message.ts,
                escaped,
                None,
                user,
                self.now(),
            )
            post.thread_ts = thread_ts
            self.posts[post.key] = post
            self._sighting("new", post)
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": escaped,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": "im",
            "client_msg_id": str(uuid.uuid4()),
            "team": self.team,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        self._event(event)
        return post

    def open_home(self, user: str) -> Reply:
        """`user` opens the app's Home tab: Slack sends `app_home_opened`."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.dm_channel(user),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.fake.home_views.get(user)
        if home is not None:
            event["view"] = copy.deepcopy(home)
        return self._event(event)

    def press(self, user: str, element: dict[str, Any], block_id: str, surface: Any) -> Reply:
        """`user` presses a button (or picks an overflow option) on a message, a modal or the Home tab."""
        action = {
            "type": element.get("type"),
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if element.get("type") == "button":
            action["text"] = element.get("text")
            if "value" in element:
                action["value"] = element["value"]
            if element.get("style"):
                action["style"] = element["style"]
        return self._block_action(user, action, surface)

    def choose(self, user: str, element: dict[str, Any], block_id: str, surface: Any, typed: str) -> Reply:
        """`user` ticks checkboxes or picks an option in a message or the Home tab; raises FieldError for a
        choice Slack wouldn't offer."""
        kind = element.get("type")
        spec = forms.Field(0, block_id, str(element.get("action_id")), "", element, True, "")
        state = forms.answer(spec, typed, self)
        if isinstance(surface, Post):
            with self._lock:
                surface.state.setdefault(block_id, {})[str(element.get("action_id"))] = state
        action = {
            "type": kind,
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
            **{k: v for k, v in state.items() if k != "type"},
        }
        return self._block_action(user, action, surface)

    def submit(self, user: str) -> dict[str, str]:
        """`user` presses the modal's submit button: the errors to show under its fields, or {} when it
        closed, was replaced or had another pushed on it."""
        stack = self.modals.get(user) or []
        if not stack:
            return {}
        view_id = stack[-1]
        view = self.view(view_id)
        values = self.modal_values.get(view_id) or forms.initial_values(view)
        missing = forms.required_missing(view, values)
        if missing:
            return missing
        submitted = view | {"state": {"values": copy.deepcopy(values)}}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team, "domain": self.domain},
            "user": self._user(user),
            "api_app_id": API_APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self._trigger(user),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
        }
        reply = self._interaction(payload)
        body = reply.json() if reply.status == 200 and reply.body.strip() else None
        answer: dict[str, Any] = body if isinstance(body, dict) else {}
        action = answer.get("response_action")
        if reply.status != 200:
            self._note_error(
                user, f"the app answered the submission with HTTP {reply.status}; the form stays open"
            )
            return {}
        if action == "errors":
            return dict(answer.get("errors") or {})
        with self._lock:
            if action == "update":
                stored = self._store_view(answer["view"], view_id)
                self.modal_values[view_id] = forms.initial_values(stored)
                self._sighting("modal", user=user, note="updated")
            elif action == "push":
                stored = self._store_view(answer["view"])
                stack.append(stored["id"])
                self.modal_values[stored["id"]] = forms.initial_values(stored)
                self._sighting("modal", user=user, note="opened")
            elif action == "clear":
                stack.clear()
                self._sighting("modal", user=user, note="closed")
            else:
                stack.pop()
                self._sighting("modal", user=user, note="closed")
        return {}

    def close_modal(self, user: str) -> None:
        """`user` presses the modal's close button: it goes, and the app hears of it if it asked to."""
        stack = self.modals.get(user) or []
        if not stack:
            return
        view = self.view(stack[-1])
        with self._lock:
            stack.pop()
            self._sighting("modal", user=user, note="closed")
        if view.get("notify_on_close"):
            payload = {
                "type": "view_closed",
                "team": {"id": self.team, "domain": self.domain},
                "user": self._user(user),
                "api_app_id": API_APP_ID,
                "view": view,
                "is_cleared": False,
            }
            self._interaction(payload)

    def set_field(self, user: str, spec: forms.Field, state: dict[str, Any]) -> None:
        """What `user` typed or picked in a field of their open modal (checked by `forms.answer`)."""
        stack = self.modals.get(user) or []
        if stack:
            values = self.modal_values.setdefault(stack[-1], forms.initial_values(self.view(stack[-1])))
            values.setdefault(spec.block_id, {})[spec.action_id] = state

    def open_modal(self, user: str) -> dict[str, Any] | None:
        stack = self.modals.get(user) or []
        return self.view(stack[-1]) if stack else None

    def view(self, view_id: str) -> dict[str, Any]:
        with self.fake._lock:
            return copy.deepcopy(self.fake.views.get(view_id) or {})

    def home(self, user: str) -> dict[str, Any] | None:
        with self.fake._lock:
            view = self.fake.home_views.get(user)
            return copy.deepcopy(view) if view is not None else None

    # -- waiting for the app ----------------------------------------------------------------------------

    def settle(self, quiet: float = 0.4, timeout: float = 20.0) -> None:
        """Wait until the app has gone quiet (no call to Slack for `quiet` s), then take in all it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            with self._lock:
                idle = self._busy == 0 and time.monotonic() - self._activity >= quiet
            if idle and self._queue.empty():
                break
            time.sleep(0.02)
        self.drain()

    def drain(self) -> None:
        """Turn the calls the fake has answered since last time into what people see."""
        while True:
            try:
                method, params, answer, at = self._queue.get_nowait()
            except queue.Empty:
                return
            with self._lock:
                self._apply(method, params, answer, at)

    # -- what people see --------------------------------------------------------------------------------

    def visible_to(self, post: Post, user: str) -> bool:
        if post.to is not None:
            return post.to == user
        owner = self.dm_owner(post.channel)
        return owner == user if post.channel.startswith("D") else True

    def sightings_for(self, user: str, after: int) -> list[Sighting]:
        """What `user` could have seen happen since sighting number `after`."""
        with self._lock:
            out = []
            for s in self.sightings[after:]:
                if s.user is not None:
                    if s.user == user:
                        out.append(s)
                elif s.post is not None and self.visible_to(s.post, user):
                    out.append(s)
            return out

    def history(self, channel: str, user: str, limit: int) -> list[Post]:
        """The last `limit` top-level messages of a channel or DM that `user` can see, oldest first."""
        with self._lock:
            posts = [
                p
                for p in self.posts.values()
                if p.channel == channel and not p.deleted and not p.thread_ts and self.visible_to(p, user)
            ]
        return posts[-limit:]

    def replies(self, post: Post) -> list[Post]:
        with self._lock:
            return [
                p
                for p in self.posts.values()
                if p.channel == post.channel and p.thread_ts == post.ts and not p.deleted
            ]

    def parent_of(self, post: Post) -> Post | None:
        return self.posts.get(f"{post.channel}/{post.thread_ts}") if post.thread_ts else None

    def escape(self, text: str, *, labels: bool) -> str:
        """Text as Slack sends what a person typed: `&<>` escaped, known @people and #channels as links."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def link(match: re.Match[str]) -> str:
            sign_, name = match.group(1), match.group(2)
            if sign_ == "@" and name.casefold() in ("here", "channel", "everyone"):
                return f"<!{name.casefold()}>"
            found = self.user_id(name) if sign_ == "@" else self.channel_id(name)
            if found is None:
                return match.group(0)
            return f"<{sign_}{found}|{name}>" if labels or sign_ == "#" else f"<@{found}>"

        return _MENTION.sub(link, escaped)

    def message_state(self, post: Post) -> dict[str, dict[str, Any]]:
        """`state.values` of a message: each stateful element as the reader left it, else as it came."""
        values: dict[str, dict[str, Any]] = {}
        for index, block in enumerate(post.blocks or ()):
            block_id = block_id_of(block, index)
            elements = list(block.get("elements") or ()) if block.get("type") == "actions" else []
            if block.get("accessory"):
                elements.append(block["accessory"])
            for element in elements:
                if element.get("type") in STATEFUL and element.get("action_id"):
                    action_id = str(element["action_id"])
                    chosen = (post.state.get(block_id) or {}).get(action_id)
                    values.setdefault(block_id, {})[action_id] = chosen or forms.initial_state(element)
        return values

    # -- plumbing ---------------------------------------------------------------------------------------

    def _user(self, user: str) -> dict[str, Any]:
        return {
            "id": user,
            "username": self.user_name(user),
            "name": self.user_name(user),
            "team_id": self.team,
        }

    def _trigger(self, user: str) -> str:
        trigger = self.fake.issue_trigger("7")
        self._triggers[trigger] = user
        return trigger

    def _response_url(self, origin: _Origin) -> str:
        url = self.fake.new_response_url()
        self._origins[url] = origin
        return url

    def _block_action(self, user: str, action: dict[str, Any], surface: Any) -> Reply:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team, "domain": self.domain},
            "user": self._user(user),
            "api_app_id": API_APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self._trigger(user),
            "actions": [action],
            "is_enterprise_install": False,
        }
        if isinstance(surface, Post):
            payload["container"] = {
                "type": "message",
                "message_ts": surface.ts,
                "channel_id": surface.channel,
                "is_ephemeral": surface.ephemeral,
            }
            payload["channel"] = {"id": surface.channel, "name": self.channel_name(surface.channel)}
            if not surface.ephemeral:
                payload["message"] = {
                    "type": "message",
                    "user": surface.author,
                    "ts": surface.ts,
                    "text": surface.text or "",
                    "blocks": surface.blocks or [],
                    **({"thread_ts": surface.thread_ts} if surface.thread_ts else {}),
                }
            payload["state"] = {"values": self.message_state(surface)}
            payload["response_url"] = self._response_url(_Origin(user, surface.channel, surface))
        else:  # a view: the Home tab or a modal, by id
            view = self.view(str(surface))
            if not view:
                view = self.home(user) or {}
            if view.get("type") == "modal":
                view["state"] = {"values": copy.deepcopy(self.modal_values.get(view["id"]) or {})}
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
        return self._interaction(payload)

    def _interaction(self, payload: dict[str, Any]) -> Reply:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded")

    def _event(self, event: dict[str, Any]) -> Reply:
        body = json.dumps(
            {
                "token": "sandbox-verification-token",
                "team_id": self.team,
                "api_app_id": API_APP_ID,
                "event": event,
                "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "team_id": self.team,
                        "user_id": BOT_USER_ID,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
            }
        ).encode()
        return self._send(body, "application/json")

    def _send(self, body: bytes, content_type: str) -> Reply:
        """Sign and post a request to the app, as Slack does; an ack Slack would refuse is shown as such."""
        stamp = int(time.time())
        request = urllib.request.Request(
            self.events_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(stamp),
                "X-Slack-Signature": sign(self.secret, stamp, body),
            },
        )
        with self._lock:
            self._busy += 1
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                reply = Reply(response.status, response.read(), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.read(), time.monotonic() - started)
        finally:
            with self._lock:
                self._busy -= 1
                self._activity = time.monotonic()
        if reply.seconds > 3:
            self._note_error(None, f"the app took {reply.seconds:.1f} s to answer: Slack gives up after 3 s")
        problem = ack_problem(body, content_type, reply)
        if problem:
            self._note_error(None, f"Slack would refuse the app's answer: {problem}")
        return reply

    def _note_error(self, user: str | None, note: str) -> None:
        with self._lock:
            self.sightings.append(Sighting(len(self.sightings) + 1, "error", user=user, note=note))

    def _saw(self, method: str, params: dict[str, Any], answer: dict[str, Any]) -> None:
        """FakeSlack's watcher: note the call (under the fake's lock), to be applied by `drain`."""
        self._activity = time.monotonic()
        self._queue.put((method, copy.deepcopy(params), copy.deepcopy(answer), self.now()))

    def _sighting(
        self, kind: str, post: Post | None = None, *, user: str | None = None, note: str = ""
    ) -> None:
        self.sightings.append(Sighting(len(self.sightings) + 1, kind, post, user, note))

    def _new_post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        author: str,
        to: str | None = None,
        ts: str | None = None,
        at: datetime | None = None,
    ) -> Post:
        if to is not None:
            self._ephemerals += 1
            key, ts = f"ephemeral/{self._ephemerals}", ts or f"eph.{self._ephemerals}"
        else:
            key = f"{channel}/{ts}"
        post = Post(
            key,
            channel,
            str(ts),
            message.get("text"),
            message.get("blocks"),
            author,
            at or self.now(),
            thread_ts=message.get("thread_ts"),
            to=to,
        )
        with self._lock:
            self.posts[key] = post
            self._sighting("new", post)
        return post

    def _store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        with self.fake._lock:
            return copy.deepcopy(self.fake._store_view(view, view_id))

    def _apply(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        """One call the app made, as the people see it (called with the lock held)."""
        if not answer.get("ok"):
            problem = answer.get("problem")
            if problem:
                self._sighting("refused", note=f"Slack refused {method}: {problem}")
            return
        seen = self._SEEN.get(method)
        if seen is not None:
            seen(self, method, params, answer, at)

    def _saw_post(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        message = answer.get("message") or {}
        post = Post(
            f"{answer['channel']}/{answer['ts']}",
            answer["channel"],
            answer["ts"],
            message.get("text"),
            message.get("blocks"),
            BOT_USER_ID,
            at,
            thread_ts=message.get("thread_ts"),
        )
        self.posts[post.key] = post
        self._sighting("new", post)

    def _saw_update(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        post = self.posts.get(f"{answer['channel']}/{answer['ts']}")
        if post is not None:
            message = answer.get("message") or {}
            post.text, post.blocks, post.at = message.get("text"), message.get("blocks"), at
            post.edited, post.state = True, {}
            self._sighting("updated", post)

    def _saw_delete(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        post = self.posts.get(f"{answer['channel']}/{answer['ts']}")
        if post is not None:
            post.deleted = True
            self._sighting("deleted", post)

    def _saw_ephemeral(
        self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime
    ) -> None:
        channel = (
            self.dm_channel(params["channel"])
            if params.get("channel") in self.fake.users
            else params["channel"]
        )
        self._new_post(str(channel), params, author=BOT_USER_ID, to=str(params.get("user")), at=at)

    def _saw_response(
        self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime
    ) -> None:
        self._respond(self._origins.get(str(answer.get("response_url"))), params, at)

    def _saw_modal(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        """views.open starts the person's stack of modals again; views.push adds to it."""
        user = self._triggers.get(str(params.get("trigger_id")))
        view = answer.get("view") or {}
        if user is not None and view.get("id"):
            stack = self.modals.setdefault(user, [])
            if method == "views.open":
                stack.clear()
            stack.append(view["id"])
            self.modal_values[view["id"]] = forms.initial_values(view)
            self._sighting("modal", user=user, note="opened")

    def _saw_view_update(
        self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime
    ) -> None:
        view = answer.get("view") or {}
        for user, stack in self.modals.items():
            if view.get("id") in stack:
                self.modal_values[view["id"]] = forms.initial_values(view)
                self._sighting("modal", user=user, note="updated")
        for user, home in self.fake.home_views.items():
            if home.get("id") == view.get("id"):
                self._sighting("home", user=user)

    def _saw_publish(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        self._sighting("home", user=str(params.get("user_id")))

    def _saw_files(self, method: str, params: dict[str, Any], answer: dict[str, Any], at: datetime) -> None:
        """Each file shared in a channel, as a post of its own holding the file's title."""
        for shared in answer.get("files") or ():
            channel = shared.get("channel_id")
            if not channel:
                continue
            key = f"{channel}/file-{shared['id']}"
            text = shared.get("initial_comment") or ""
            post = Post(key, channel, f"file-{shared['id']}", text, None, BOT_USER_ID, at)
            post.thread_ts, post.files = (
                shared.get("thread_ts"),
                [str(shared.get("title") or shared.get("name"))],
            )
            self.posts[key] = post
            self._sighting("new", post)

    # The calls people see the effect of, and how each shows; other calls change nothing on screen.
    _SEEN: ClassVar[dict[str, Callable[[Workspace, str, dict[str, Any], dict[str, Any], datetime], None]]] = {
        "chat.postMessage": _saw_post,
        "chat.update": _saw_update,
        "chat.delete": _saw_delete,
        "chat.postEphemeral": _saw_ephemeral,
        "response_url": _saw_response,
        "views.open": _saw_modal,
        "views.push": _saw_modal,
        "views.update": _saw_view_update,
        "views.publish": _saw_publish,
        "files.completeUploadExternal": _saw_files,
    }

    def _respond(self, origin: _Origin | None, payload: dict[str, Any], at: datetime) -> None:
        """An answer through response_url: replace or delete the message it came from, or post anew."""
        if origin is None:
            return
        target = origin.post
        if payload.get("delete_original") and target is not None:
            target.deleted = True
            self._sighting("deleted", target)
        elif payload.get("replace_original") and target is not None and not target.deleted:
            target.text, target.blocks, target.at = payload.get("text"), payload.get("blocks"), at
            target.edited, target.state = True, {}
            self._sighting("updated", target)
        elif payload.get("response_type") == "in_channel":
            ts = f"{time.time():.6f}"
            origin.post = self._new_post(origin.channel, payload, author=BOT_USER_ID, ts=ts, at=at)
        else:
            origin.post = self._new_post(origin.channel, payload, author=BOT_USER_ID, to=origin.user, at=at)
