"""`/remote-win`: parse the text, ack within the budget, and answer ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, App, Respond

from bot import logbook
from bot.blocks.digest_time import digest_time_message
from bot.blocks.escape import shown
from bot.blocks.help import help_message
from bot.blocks.wins import (
    Message,
    list_message,
    not_saved_message,
    notice_message,
    pending_message,
    removed_message,
    saved_message,
)
from bot.directory import member_for
from bot.home import refresh_home
from bot.listeners.answer import answer_command
from bot.listeners.forms import open_edit_form, open_new_form
from bot.listeners.settings import change_settings, open_settings, refs_in, show_settings
from bot.listeners.trial import open_trial_form
from bot.metrics import metric_command
from bot.privacy import ask_to_forget, send_export
from bot.services import Services
from bot.slack_text import as_typed
from bot.trials import trial_command
from rules.commands import (
    Command,
    DeleteWin,
    EditWin,
    ForgetMe,
    ListWins,
    LogWin,
    OpenForm,
    ShowHelp,
    UndoLast,
    parse_command,
)
from rules.metrics import DefineMetric, ListMetrics, LogMetric, MetricCommand, RemoveMetric
from rules.settings import (
    OpenSettings,
    SetDays,
    SetDaysOff,
    SetDestination,
    SetDigestTime,
    SetHolidays,
    SetHours,
    SetManager,
    SetPaused,
    SetTimes,
    SettingsChange,
    SetToday,
    SetZone,
    ShowDigestTime,
    ShowSettings,
)
from rules.trial import EndTrial, ExportPack, OpenTrialForm, OverworkGuard, ShowTrial, StartTrial
from rules.wins import MAX_TEXT, too_long
from storage import settings as stored

COMMAND = "/remote-win"
NO_FORM = (
    f"The form can't open from a direct message. Type `{COMMAND}` alone, or press *Log a win* in my "
    "Home tab; here, just type the win, like `shipped the Q3 report`."
)
NO_SETTINGS_FORM = (
    f"The settings form can't open from a direct message. Type `{COMMAND} settings`, or press *Settings* "
    "in my Home tab; here you can change one setting at a time, like `days tue,wed` (`help` lists them)."
)
TRIAL_FORM_ELSEWHERE = (
    f"The trial form can't open from a direct message: type `{COMMAND} trial`. Here, `trial start` "
    "starts one with your remote days, working hours and metrics "
    "(`trial start 2026-03-02 90 days checkins 30,60,90`)."
)
DATABASE_LATE = "the database didn't answer in time."
NOTHING_CHANGED = "Couldn't do that just now, so nothing changed."

C = TypeVar("C")


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def remote_win(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        handle_command(services, ack, respond, command)


def handle_command(services: Services, ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
    """Help rides on the ack; a form opens after an empty ack (FORMS); any other command answers with data
    (ANSWERS), on the ack when it is quick."""
    team, user = command["team_id"], command["user_id"]
    raw = command.get("text") or ""
    typed = as_typed(raw)
    parsed = parse_command(typed, refs_in(raw))
    if isinstance(parsed, ShowHelp):
        ack(response_type="ephemeral", **help_message(parsed.problem, parsed.echo))
        return
    form = FORMS.get(type(parsed))
    if form is not None:
        ack()
        form.open(services, command, respond, parsed)
        return
    answer = data_answer(services, team, user, parsed, typed, f"command:{command['trigger_id']}")
    answer_command(services, ack, respond, answer.work, pending=answer.pending, failed=answer.failed)


@dataclass(frozen=True)
class Form(Generic[C]):
    """A command that opens a modal: how the slash command opens it (after its empty ack, with its
    trigger), and what a direct message, which has no trigger, says instead."""

    open: Callable[[Services, dict[str, Any], Respond, C], None]
    elsewhere: Callable[[C], str]


def _opened_with(
    open_form: Callable[[Services, str, str, str, dict[str, Any]], object],
) -> Callable[[Services, dict[str, Any], Respond, object], None]:
    """A modal opened in the pool for Slack calls; a failure to open it is told through the response URL."""

    def open_(services: Services, command: dict[str, Any], respond: Respond, parsed: object) -> None:
        origin = {"response_url": command["response_url"]}
        team, user, trigger = command["team_id"], command["user_id"], command["trigger_id"]
        services.background.submit(open_form, services, team, user, trigger, origin)

    return open_


def _open_edit(services: Services, command: dict[str, Any], respond: Respond, parsed: EditWin) -> None:
    team, user = command["team_id"], command["user_id"]
    services.background.submit(
        open_edit_form,
        services,
        team,
        user,
        parsed.win_id,
        command["trigger_id"],
        respond,
        command["response_url"],
    )


def _edit_elsewhere(parsed: EditWin) -> str:
    return (
        f"Editing win #{parsed.win_id} opens a form, which can't open from a direct message. "
        f"Type `{COMMAND} edit {parsed.win_id}`, or press *Edit* under the win."
    )


# The commands that open a modal; a new one is one entry.
FORMS: dict[type, Form[Any]] = {
    OpenForm: Form(_opened_with(open_new_form), lambda _: NO_FORM),
    EditWin: Form(_open_edit, _edit_elsewhere),
    OpenTrialForm: Form(_opened_with(open_trial_form), lambda _: TRIAL_FORM_ELSEWHERE),
    OpenSettings: Form(_opened_with(open_settings), lambda _: NO_SETTINGS_FORM),
}


@dataclass(frozen=True)
class DataAnswer:
    """How a command that answers with data is answered: the work that makes the answer, what to say while
    it runs, and what to say if it fails."""

    work: Callable[[], Message]
    pending: Message
    failed: Callable[[], Message]


@dataclass(frozen=True)
class Asked(Generic[C]):
    """A command that answers with data, with who asked and how: what each of its handlers is given."""

    services: Services
    team: str
    user: str
    command: C
    typed: str
    ref: str  # keys a logged win (`wins.source_ref`), so the same request sent twice saves once
    retry_prefix: str  # what the member types before the text to try again


def data_answer(
    services: Services,
    team: str,
    user: str,
    parsed: Command,
    typed: str,
    ref: str,
    *,
    retry_prefix: str = f"{COMMAND} ",
) -> DataAnswer:
    """The answer to every command but help and those that open a modal, shared by `/remote-win` and a DM.

    `ref` keys a logged win (`wins.source_ref`), so the same request sent twice saves once; `retry_prefix`
    is what the member types before the text to try again."""
    answer = ANSWERS.get(type(parsed))
    if answer is None:
        raise ValueError(f"{parsed!r} does not answer with data")
    return answer(Asked(services, team, user, parsed, typed, ref, retry_prefix))


Said = str | Callable[[Asked[Any]], Message]  # a notice's words, or the message made from the request


def _said(said: Said, asked: Asked[Any]) -> Message:
    return notice_message(said) if isinstance(said, str) else said(asked)


@dataclass(frozen=True)
class Answer:
    """A command's handler, `work`, with what to say while it runs and if it fails."""

    work: Callable[[Asked[Any]], Message]
    pending: Said
    failed: Said

    def __call__(self, asked: Asked[Any]) -> DataAnswer:
        return DataAnswer(
            lambda: self.work(asked),
            pending=_said(self.pending, asked),
            failed=lambda: _said(self.failed, asked),
        )


def _try_again(said: str, again: str | None = None) -> Callable[[Asked[Any]], Message]:
    """`said`, and what to type to try again: the text as typed, unless `again` is given."""

    def message(asked: Asked[Any]) -> Message:
        retry = shown(asked.typed, 500) if again is None else again
        return notice_message(f"{said} Try again in a minute: `{asked.retry_prefix}{retry}`")

    return message


def _typed_not_saved(asked: Asked[Any]) -> Message:
    return not_saved_message(asked.typed, DATABASE_LATE)


def _log_win(asked: Asked[LogWin]) -> DataAnswer:
    text = asked.command.text
    if len(text) > MAX_TEXT:
        refused = not_saved_message(text, too_long(len(text)))
        return DataAnswer(lambda: refused, pending=refused, failed=lambda: refused)
    return Answer(
        _save_win,
        pending=lambda _: pending_message(text),
        failed=lambda _: not_saved_message(text, DATABASE_LATE),
    )(asked)


def _save_win(asked: Asked[LogWin]) -> Message:
    services, team, user = asked.services, asked.team, asked.user
    win, today = logbook.save_quick_win(services, team, user, asked.command.text, asked.ref)
    refresh_home(services, team, user)
    return saved_message(win, today)


def _list_wins(asked: Asked[ListWins]) -> Message:
    return list_message(*logbook.wins_in_period(asked.services, asked.team, asked.user, asked.command.period))


def _undo(asked: Asked[UndoLast]) -> Message:
    services, team, user = asked.services, asked.team, asked.user
    try:
        win = logbook.undo_last(services, team, user, asked.ref)
    except logbook.AlreadyDone:
        return notice_message("That undo was done already, so nothing more was removed.")
    refresh_home(services, team, user)
    return removed_message(win) if win else notice_message("You have no wins to undo.")


def _delete(asked: Asked[DeleteWin]) -> Message:
    services, team, user, win_id = asked.services, asked.team, asked.user, asked.command.win_id
    win = logbook.delete_own(services, team, user, win_id)
    refresh_home(services, team, user)
    return removed_message(win) if win else notice_message(f"You have no win #{win_id}.")


def _metric(asked: Asked[MetricCommand]) -> Message:
    return metric_command(asked.services, asked.team, asked.user, asked.command, asked.typed, asked.ref)


def _trial(asked: Asked[ShowTrial | EndTrial | StartTrial | OverworkGuard]) -> Message:
    return trial_command(asked.services, asked.team, asked.user, asked.command, asked.typed, asked.ref)


def _export(asked: Asked[ExportPack]) -> Message:
    return send_export(asked.services, asked.team, asked.user, asked.command.first, asked.command.last)


def _forget(asked: Asked[ForgetMe]) -> Message:
    return ask_to_forget(asked.services, asked.team, asked.user)


def _show_settings(asked: Asked[ShowSettings]) -> Message:
    return show_settings(asked.services, asked.team, asked.user)


def _digest_time(asked: Asked[ShowDigestTime | SetDigestTime]) -> Message:
    return digest_time(asked.services, asked.team, asked.user, asked.command)


def _change_setting(asked: Asked[SettingsChange | SetToday | SetDaysOff]) -> Message:
    """A settings shortcut. A newly named manager is asked about in Slack first, and refused (nothing
    changes) unless they are an active person; then their digest, and the member's recap before it, run in
    the manager's real time zone from the start. A new channel is checked the same way (see
    `bot.listeners.settings`)."""
    return change_settings(asked.services, asked.team, asked.user, asked.command)


_SAVING_METRIC = Answer(_metric, "Saving…", _typed_not_saved)
_TRIAL = Answer(_trial, "Working on it…", _try_again(NOTHING_CHANGED))
_DIGEST_TIME = Answer(_digest_time, "Looking up your digest…", _try_again(NOTHING_CHANGED))
_SETTING = Answer(
    _change_setting, "Saving your settings…", _try_again("Couldn't save that just now, so nothing changed.")
)
_REMOVING = "Removing…", "Couldn't remove it just now. Try again in a minute."

# The commands that answer with data, from `/remote-win` and from a DM alike; a new one is one entry.
ANSWERS: dict[type, Callable[[Asked[Any]], DataAnswer]] = {
    LogWin: _log_win,
    ListWins: Answer(
        _list_wins, "Looking up your wins…", "Couldn't load your wins just now. Try again in a minute."
    ),
    UndoLast: Answer(_undo, *_REMOVING),
    DeleteWin: Answer(_delete, *_REMOVING),
    ListMetrics: Answer(_metric, "Looking…", _typed_not_saved),
    DefineMetric: _SAVING_METRIC,
    RemoveMetric: _SAVING_METRIC,
    LogMetric: _SAVING_METRIC,
    ShowTrial: _TRIAL,
    EndTrial: _TRIAL,
    StartTrial: _TRIAL,
    OverworkGuard: _TRIAL,
    ExportPack: Answer(
        _export, "Making your evidence pack…", _try_again("Couldn't make your evidence pack just now.")
    ),
    ForgetMe: Answer(
        _forget, "Looking up what remote-wins keeps about you…", _try_again(NOTHING_CHANGED, "forget-me")
    ),
    ShowSettings: Answer(
        _show_settings,
        "Looking up your settings…",
        "Couldn't load your settings just now. Try again in a minute.",
    ),
    ShowDigestTime: _DIGEST_TIME,
    SetDigestTime: _DIGEST_TIME,
    SetManager: _SETTING,
    SetDays: _SETTING,
    SetDestination: _SETTING,
    SetTimes: _SETTING,
    SetHours: _SETTING,
    SetHolidays: _SETTING,
    SetZone: _SETTING,
    SetPaused: _SETTING,
    SetToday: _SETTING,
    SetDaysOff: _SETTING,
}


def digest_time(
    services: Services, team: str, user: str, command: ShowDigestTime | SetDigestTime
) -> dict[str, Any]:
    """`digest-time [day time]`: show or move the member's digest (and so their reports' recaps)."""
    member = member_for(services, team, user)
    now = services.clock()
    if isinstance(command, ShowDigestTime):
        with services.sessions() as session:
            return digest_time_message(stored.digest_snapshot(session, member.id), now, changed=False)
    with services.writing(), services.sessions.begin() as session:
        snap = stored.set_digest_time(session, member.id, command.time, now)
    return digest_time_message(snap, now, changed=True)
