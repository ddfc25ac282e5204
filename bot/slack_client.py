"""The one way this app builds a Slack Web API client: it honours SLACK_API_URL and retries what can be."""

from __future__ import annotations

from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from remote_wins.config import Settings


def web_client(settings: Settings, *, timeout: int = 10, retries: int = 3) -> WebClient:
    """A client that honours Retry-After on 429 and backs off on 5xx and dropped connections. In OAuth mode
    it has no token: each workspace's client is a copy with its installation's (bot.workspaces)."""
    token = None if settings.oauth else settings.require_bot_token()
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ]
    )
    return client


SLACK_HOOKS_HOST = "hooks.slack.com"  # where Slack's response URLs point
MAX_RESPONSE_URL = 1000


def response_url_host(api_url: str) -> str:
    """The host Slack's response URLs come from: hooks.slack.com when the API is Slack's own, else the
    API's own host (a fake Slack or the sandbox's simulator, through SLACK_API_URL)."""
    host = urlsplit(api_url).hostname or ""
    return SLACK_HOOKS_HOST if host == "slack.com" or host.endswith(".slack.com") else host


def is_slack_response_url(url: object, api_url: str) -> bool:
    """Whether `url` is one of Slack's response URLs (as configured by `api_url`): the app posts to no other,
    so a payload can't point it at an address of someone's choosing."""
    if not isinstance(url, str) or len(url) > MAX_RESPONSE_URL:
        return False
    try:
        parts, api = urlsplit(url), urlsplit(api_url)
        port, api_port = parts.port, api.port
    except ValueError:
        return False
    if parts.username or parts.password or parts.hostname != response_url_host(api_url):
        return False
    if parts.hostname == SLACK_HOOKS_HOST:
        return parts.scheme == "https" and port in (None, 443)
    return parts.scheme == api.scheme and port == api_port
