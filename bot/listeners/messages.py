"""Direct messages to the bot (its Messages tab): a DM's text is read as `/remote-win`'s text.

A DM is the most natural place to log a win, so it gets the slash command's grammar and the same
answers, posted back into the DM (in the thread, when the member wrote in one). What a DM can't do is
open a modal (there is no trigger), so the commands that open one (`commands.FORMS`) say where to go
instead.

Only a member's own messages are read: bots (our replies included), edits, deletions and Slack's
notices are ignored, and so is anything outside a DM. A file shared in the DM gets a short answer,
because a win is text; the text typed with it is echoed back, not saved.

Slack retries an event whose ack was late or lost, so one message can arrive twice. The listener acks
at once and hands the work to the pool; a copy of a message this process has already taken on is
dropped. A win is keyed by its message (`dm:` workspace, member, channel, ts, in `wins.source_ref`), so
a copy that reaches another process (another gunicorn worker) saves nothing and answers nothing again.
Other commands have no such key: a copy answered by another process is answered twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import logbook
from bot.blocks.help import help_message
from bot.blocks.wins import Message, not_saved_message, notice_message
from bot.listeners.commands import FORMS, data_answer
from bot.listeners.settings import refs_in
from bot.services import Services
from bot.slack_text import as_typed
from rules.commands import LogWin, ShowHelp, parse_command

log = logging.getLogger(__name__)

EVENT = "message.im"  # the manifest's subscription; Slack sends it as type "message", channel_type "im"
ANSWERED_SUBTYPES = frozenset({"file_share"})  # a member's own message with a file; every other is ignored
MAX_REF = 128  # wins.source_ref's length
REMEMBERED = 10_000  # messages this process remembers having answered, for Slack's retries

NO_FILES = "I keep wins as text, so files aren't saved."


class Seen:
    """Messages this process has taken on, newest last, forgetting the oldest beyond `size`."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._keys: OrderedDict[tuple[str, ...], None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: tuple[str, ...]) -> bool:
        """True the first time a key is offered; False for every copy after it."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


def is_members_dm(event: dict[str, Any]) -> bool:
    """A message a person wrote in their DM with the bot: not a bot's, not an edit or a notice."""
    if event.get("channel_type") != "im" or not event.get("user") or not event.get("channel"):
        return False
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    subtype = event.get("subtype")
    return subtype is None or subtype in ANSWERED_SUBTYPES


def message_ref(team: str, user: str, channel: str, ts: str) -> str:
    """A win's `source_ref` for the message it came from; within the column, whatever the ids' length."""
    ref = f"dm:{team}:{user}:{channel}:{ts}"
    if len(ref) <= MAX_REF:
        return ref
    return "dm:" + hashlib.sha256(ref.encode()).hexdigest()


def register(app: App, services: Services) -> None:
    seen = Seen()

    @app.event("message")
    def direct_message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        # Every message event must match a listener, or Bolt answers 404 and Slack retries it.
        if not is_members_dm(event):
            return
        team = context.get("team_id") or body.get("team_id") or ""
        if not seen.first_time((team, event["channel"], str(event.get("ts")))):
            log.info("a direct message came again (a retry by Slack); it was answered once")
            return
        services.background.work(answer_dm, services, team, event)


def answer_dm(services: Services, team: str, event: dict[str, Any]) -> None:
    """After the ack: do what the DM asks (in the ack's pool, so a win never waits behind a Slack call)
    and answer in the DM (in the pool for Slack calls). Never raises."""
    user, channel, ts = event["user"], event["channel"], str(event.get("ts"))
    try:
        message = _answer(services, team, user, channel, ts, event)
    except Exception:
        log.exception("answering a direct message failed")
        message = notice_message("Something went wrong, so nothing changed. Try again in a minute.")
    if message is not None:
        services.background.submit(_post, services, team, channel, event.get("thread_ts"), message)


def _answer(
    services: Services, team: str, user: str, channel: str, ts: str, event: dict[str, Any]
) -> Message | None:
    raw = event.get("text") or ""
    typed = as_typed(raw)
    if event.get("subtype") == "file_share":
        return not_saved_message(typed, NO_FILES) if typed.strip() else notice_message(NO_FILES)
    parsed = parse_command(typed, refs_in(raw))
    if isinstance(parsed, ShowHelp):
        return help_message(parsed.problem, parsed.echo)
    form = FORMS.get(type(parsed))
    if form is not None:
        return notice_message(form.elsewhere(parsed))
    ref = message_ref(team, user, channel, ts)
    if isinstance(parsed, LogWin) and logbook.saved_before(services, team, user, ref):
        log.info("a direct message came again (a retry by Slack); its win was saved and answered once")
        return None
    answer = data_answer(services, team, user, parsed, typed, ref, retry_prefix="")
    try:
        return answer.work()
    except Exception:
        log.exception("a command sent as a direct message failed")
        return answer.failed()


def _post(services: Services, team: str, channel: str, thread_ts: str | None, message: Message) -> None:
    try:
        services.client_for(team).chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
    except SlackApiError as error:
        log.warning("could not answer a direct message in %s: %s", channel, error.response.get("error"))
