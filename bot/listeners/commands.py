"""`/remote-win`: parse the text, ack within the budget, and answer ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from rules.metrics import DefineMetric, ListMetrics, LogMetric, RemoveMetric
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
TRIAL_FORM_ELSEWHERE = (
    f"The trial form can't open from a direct message: type `{COMMAND} trial`. Here, `trial start` "
    "starts one with your remote days, working hours and metrics "
    "(`trial start 2026-03-02 90 days checkins 30,60,90`)."
)


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def remote_win(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        handle_command(services, ack, respond, command)


def handle_command(services: Services, ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
    team, user = command["team_id"], command["user_id"]
    raw = command.get("text") or ""
    typed = as_typed(raw)
    parsed = parse_command(typed, refs_in(raw))
    match parsed:
        case ShowHelp(problem, echo):
            ack(response_type="ephemeral", **help_message(problem, echo))
        case OpenForm():
            ack()
            services.background.submit(
                open_new_form,
                services,
                team,
                user,
                command["trigger_id"],
                {"response_url": command["response_url"]},
            )
        case EditWin(win_id):
            ack()
            services.background.submit(
                open_edit_form,
                services,
                team,
                user,
                win_id,
                command["trigger_id"],
                respond,
                command["response_url"],
            )
        case OpenTrialForm():
            ack()
            services.background.submit(
                open_trial_form,
                services,
                team,
                user,
                command["trigger_id"],
                {"response_url": command["response_url"]},
            )
        case OpenSettings():
            ack()
            services.background.submit(
                open_settings,
                services,
                team,
                user,
                command["trigger_id"],
                {"response_url": command["response_url"]},
            )
        case _:
            answer = data_answer(services, team, user, parsed, typed, f"command:{command['trigger_id']}")
            answer_command(services, ack, respond, answer.work, pending=answer.pending, failed=answer.failed)


@dataclass(frozen=True)
class DataAnswer:
    """How a command that answers with data is answered: the work that makes the answer, what to say while
    it runs, and what to say if it fails."""

    work: Callable[[], Message]
    pending: Message
    failed: Callable[[], Message]


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
    match parsed:
        case LogWin(text) if len(text) > MAX_TEXT:
            refused = not_saved_message(text, too_long(len(text)))
            return DataAnswer(lambda: refused, pending=refused, failed=lambda: refused)
        case LogWin(text):

            def save() -> dict[str, Any]:
                win, today = logbook.save_quick_win(services, team, user, text, ref)
                refresh_home(services, team, user)
                return saved_message(win, today)

            return DataAnswer(
                save,
                pending=pending_message(text),
                failed=lambda: not_saved_message(text, "the database didn't answer in time."),
            )
        case ListWins(period):

            def show() -> dict[str, Any]:
                return list_message(*logbook.wins_in_period(services, team, user, period))

            return DataAnswer(
                show,
                pending=notice_message("Looking up your wins…"),
                failed=lambda: notice_message("Couldn't load your wins just now. Try again in a minute."),
            )
        case UndoLast() | DeleteWin():

            def remove() -> dict[str, Any]:
                if isinstance(parsed, UndoLast):
                    try:
                        win = logbook.undo_last(services, team, user, ref)
                    except logbook.AlreadyDone:
                        return notice_message("That undo was done already, so nothing more was removed.")
                    refresh_home(services, team, user)
                    return removed_message(win) if win else notice_message("You have no wins to undo.")
                win = logbook.delete_own(services, team, user, parsed.win_id)
                refresh_home(services, team, user)
                return removed_message(win) if win else notice_message(f"You have no win #{parsed.win_id}.")

            return DataAnswer(
                remove,
                pending=notice_message("Removing…"),
                failed=lambda: notice_message("Couldn't remove it just now. Try again in a minute."),
            )
        case ListMetrics() | DefineMetric() | RemoveMetric() | LogMetric():
            return DataAnswer(
                lambda: metric_command(services, team, user, parsed, typed, ref),
                pending=notice_message("Saving…" if not isinstance(parsed, ListMetrics) else "Looking…"),
                failed=lambda: not_saved_message(typed, "the database didn't answer in time."),
            )
        case ShowTrial() | EndTrial() | StartTrial() | OverworkGuard():
            return DataAnswer(
                lambda: trial_command(services, team, user, parsed, typed, ref),
                pending=notice_message("Working on it…"),
                failed=lambda: notice_message(
                    "Couldn't do that just now, so nothing changed. Try again in a minute: "
                    f"`{retry_prefix}{shown(typed, 500)}`"
                ),
            )
        case ExportPack(first, last):
            return DataAnswer(
                lambda: send_export(services, team, user, first, last),
                pending=notice_message("Making your evidence pack…"),
                failed=lambda: notice_message(
                    "Couldn't make your evidence pack just now. Try again in a minute: "
                    f"`{retry_prefix}{shown(typed, 500)}`"
                ),
            )
        case ForgetMe():
            return DataAnswer(
                lambda: ask_to_forget(services, team, user),
                pending=notice_message("Looking up what remote-wins keeps about you…"),
                failed=lambda: notice_message(
                    "Couldn't do that just now, so nothing changed. Try again in a minute: "
                    f"`{retry_prefix}forget-me`"
                ),
            )
        case OpenTrialForm():  # from a DM, which can't open a modal
            return DataAnswer(
                lambda: notice_message(TRIAL_FORM_ELSEWHERE),
                pending=notice_message(TRIAL_FORM_ELSEWHERE),
                failed=lambda: notice_message(TRIAL_FORM_ELSEWHERE),
            )
        case ShowSettings():
            return DataAnswer(
                lambda: show_settings(services, team, user),
                pending=notice_message("Looking up your settings…"),
                failed=lambda: notice_message("Couldn't load your settings just now. Try again in a minute."),
            )
        case ShowDigestTime() | SetDigestTime():
            return DataAnswer(
                lambda: digest_time(services, team, user, parsed),
                pending=notice_message("Looking up your digest…"),
                failed=lambda: notice_message(
                    "Couldn't do that just now, so nothing changed. Try again in a minute: "
                    f"`{retry_prefix}{shown(typed, 500)}`"
                ),
            )
        case (
            SetManager()
            | SetDays()
            | SetDestination()
            | SetTimes()
            | SetHours()
            | SetHolidays()
            | SetZone()
            | SetPaused()
            | SetToday()
            | SetDaysOff()
        ):
            return DataAnswer(
                lambda: change_setting(services, team, user, parsed),
                pending=notice_message("Saving your settings…"),
                failed=lambda: notice_message(
                    "Couldn't save that just now, so nothing changed. Try again in a minute: "
                    f"`{retry_prefix}{shown(typed, 500)}`"
                ),
            )
    raise ValueError(f"{parsed!r} does not answer with data")


def change_setting(
    services: Services,
    team: str,
    user: str,
    change: SettingsChange | SetToday | SetDaysOff,
) -> dict[str, Any]:
    """A settings shortcut. A newly named manager is asked about in Slack first, and refused (nothing
    changes) unless they are an active person; then their digest, and the member's recap before it, run in
    the manager's real time zone from the start. A new channel is checked the same way (see
    `bot.listeners.settings`)."""
    return change_settings(services, team, user, change)


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
