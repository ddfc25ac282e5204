"""Bolt listeners, one module per kind of request; each exposes `register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    actions,
    commands,
    digest,
    events,
    messages,
    plans,
    privacy,
    questions,
    settings,
    shortcuts,
    trial,
    views,
)
from bot.services import Services


def register_all(app: App, services: Services) -> None:
    for module in (
        commands,
        actions,
        views,
        shortcuts,
        events,
        messages,
        plans,
        settings,
        digest,
        questions,
        trial,
        privacy,
    ):
        module.register(app, services)
