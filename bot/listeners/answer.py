"""Ack with the result when it is quick, with a holding message when it isn't, and follow up later."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from slack_bolt import Ack, Respond

from bot.background import Pending, result_within
from bot.blocks.wins import Message
from bot.services import Services

log = logging.getLogger(__name__)


def answer_command(
    services: Services,
    ack: Ack,
    respond: Respond,
    work: Callable[[], Message],
    *,
    pending: Message,
    failed: Callable[[], Message],
) -> None:
    """Run `work` after handing it to the pool; the member sees its message, from the ack or just after."""
    future = services.background.submit(work)
    try:
        message = result_within(future, services.ack_budget)
    except Pending:
        ack(response_type="ephemeral", **pending)
        future.add_done_callback(lambda done: _follow_up(respond, done, failed))
        return
    except Exception:
        message = failed()
    ack(response_type="ephemeral", **message)


def _follow_up(respond: Respond, done: Future[Message], failed: Callable[[], Message]) -> None:
    message = failed() if done.exception() else done.result()
    try:
        respond(response_type="ephemeral", replace_original=True, **message)
    except Exception:
        log.exception("could not send the follow-up through response_url")


def respond_later(services: Services, respond: Respond, work: Callable[[], Message]) -> None:
    """For requests already acked with nothing: do the work, then answer in place of the original message."""

    def run() -> None:
        respond(response_type="ephemeral", replace_original=True, **work())

    services.background.submit(run)
