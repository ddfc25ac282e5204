"""The one way this app builds a Slack Web API client: it honours SLACK_API_URL and retries what can be."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from remote_wins.config import Settings


def web_client(settings: Settings, *, timeout: int = 10, retries: int = 3) -> WebClient:
    """A client that honours Retry-After on 429 and backs off on 5xx and dropped connections."""
    client = WebClient(token=settings.require_bot_token(), base_url=settings.slack_api_url, timeout=timeout)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ]
    )
    return client
