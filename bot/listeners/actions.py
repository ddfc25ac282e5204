"""Buttons: Undo and Edit on a saved win, and "Log a win" in the App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import logbook
from bot.blocks.wins import notice_message, removed_message
from bot.home import refresh_home
from bot.listeners.answer import respond_later
from bot.listeners.forms import open_edit_form, open_new_form
from bot.services import Services


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    return body["team"]["id"], body["user"]["id"]


def _win_id(action: dict[str, Any]) -> int | None:
    value = action.get("value", "")
    return int(value) if value.isdigit() else None


def register(app: App, services: Services) -> None:
    @app.action("win_undo")
    def undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team, user = _ids(body)
        win_id = _win_id(action)

        def remove() -> dict[str, Any]:
            win = logbook.delete_own(services, team, user, win_id) if win_id else None
            refresh_home(services, team, user)
            return removed_message(win) if win else notice_message("That win is already gone.")

        respond_later(services, respond, remove)

    @app.action("win_edit")
    def edit(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team, user = _ids(body)
        win_id = _win_id(action)
        if win_id is not None:
            services.background.submit(
                open_edit_form,
                services,
                team,
                user,
                win_id,
                body["trigger_id"],
                respond,
                body.get("response_url"),
            )

    @app.action("home_log_win")
    def log_from_home(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        team, user = _ids(body)
        services.background.submit(open_new_form, services, team, user, body["trigger_id"], {})
