"""Ack with the result when it is quick, with a holding message when it isn't, and follow up later."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from bot.background import Pending, ack_wait, result_within
from bot.blocks.wins import Message
from bot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")
SLOW = "Saving is slow right now. Press the button again in a moment; everything you entered is kept."
FAILED = "Couldn't save just now. Press the button again; everything you entered is kept."


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
    future = services.background.work(work)
    try:
        message = result_within(future, ack_wait(services.ack_budget))
    except Pending:
        ack(response_type="ephemeral", **pending)
        future.add_done_callback(lambda done: services.background.submit(_follow_up, respond, done, failed))
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
    """For requests already acked with nothing: do the work, then answer in place of the original message
    (the work in the ack's pool, the answer, a call to Slack, in the other)."""

    def answer(done: Future[Message]) -> None:
        if done.exception() is None:
            message = done.result()
            services.background.submit(respond, response_type="ephemeral", replace_original=True, **message)

    services.background.work(work).add_done_callback(answer)


def form_result(
    services: Services,
    ack: Ack,
    work: Callable[[], T],
    field: str,
    *,
    later: Callable[[T], object] | None = None,
) -> T | None:
    """For a modal submission: the work's result within the budget, or None after acking with an error on
    `field`, so the modal stays open with everything typed in it. When the work outruns the ack, `later`
    gets its result after the ack (in the pool for Slack calls), so what the submission does after saving
    happens once, from this press; the member's second press finds it done (storage/replays.py)."""
    future = services.background.work(work)
    try:
        return result_within(future, ack_wait(services.ack_budget))
    except Pending:
        ack(response_action="errors", errors={field: SLOW})
        if later is not None:
            future.add_done_callback(lambda done: _later(services, done, later))
    except Exception:
        log.exception("saving a form failed")
        ack(response_action="errors", errors={field: FAILED})
    return None


def _later(services: Services, done: Future[T], later: Callable[[T], object]) -> None:
    if done.exception() is None:
        services.background.submit(later, done.result())


def send_dm(services: Services, team: str, user: str, message: Message) -> bool:
    """Whether Slack took the DM; a refusal is logged, never raised."""
    try:
        services.client_for(team).chat_postMessage(channel=user, **message)
    except SlackApiError as error:
        log.warning("could not DM %s: %s", user, error.response.get("error"))
        return False
    return True
