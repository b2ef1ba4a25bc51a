"""Outgoing requests that survive Telegram's hiccups without ever sending a message twice.

Retried (Telegram's guidance: https://core.telegram.org/bots/faq and /api#making-requests):
- 429 Too Many Requests: after ``retry_after`` (PTB's AIORateLimiter);
- an error answer from the server (5xx): Telegram refused the request, so nothing was done;
- a request that never left: connection refused/reset while connecting, connect or pool time-out.
Never retried, for a method that changes something (sendMessage, sendDocument, sendPhoto, editMessage…):
a read time-out or a connection lost after the request was written. Telegram may have done it already, and a
retry would send the message twice; the error goes to the handler (and the error handler) instead. Reads and
``set*`` methods, which give the same result when repeated, are retried after those too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.runtime.aiohttp_request import NOT_SENT_ERRORS

log = logging.getLogger(__name__)

# Causes (httpx, aiohttp) meaning the request was never sent: repeating it cannot do anything twice.
_NOT_SENT: tuple[type[BaseException], ...] = (
    httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, *NOT_SENT_ERRORS,
)  # fmt: skip
# Methods that can be repeated safely: they read, or set something to a given value.
_REPEATABLE_PREFIXES = ("get", "set")
_REPEATABLE = frozenset({"sendChatAction"})


def is_repeatable(endpoint: str) -> bool:
    """Doing this call twice has the same effect as doing it once."""
    return endpoint in _REPEATABLE or (endpoint.startswith(_REPEATABLE_PREFIXES) and endpoint != "getUpdates")


def never_sent(error: NetworkError) -> bool:
    """The request did not leave this machine (connect error or connect/pool time-out)."""
    return isinstance(error.__cause__, _NOT_SENT)


def server_refused(error: NetworkError) -> bool:
    """Telegram answered with an error status PTB has no special exception for (5xx): nothing was done.
    PTB raises those from the answer itself: no transport exception as their cause (at most a TelegramError
    when the answer's body was not JSON)."""
    if isinstance(error, (TimedOut, BadRequest)):
        return False
    return error.__cause__ is None or isinstance(error.__cause__, TelegramError)


def may_retry(endpoint: str, error: NetworkError) -> bool:
    if endpoint == "getUpdates" or isinstance(error, BadRequest):
        return False  # the updater retries getUpdates itself; a 400 stays a 400
    return never_sent(error) or server_refused(error) or is_repeatable(endpoint)


class ResilientRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (global and per-chat limits, honours 429 retry_after) plus retries with
    exponential backoff for errors after which a retry cannot send anything twice (see the module doc)."""

    def __init__(self, *, max_retries: int = 3, network_retries: int = 3, backoff: float = 0.5,
                 **kwargs: Any) -> None:
        super().__init__(max_retries=max_retries, **kwargs)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                if endpoint == "getUpdates" or attempt >= self.network_retries:
                    raise
                if not may_retry(endpoint, exc):
                    log.warning("%s: %s after the request may have reached Telegram; not retried, so that "
                                "nothing is sent twice", endpoint, type(exc).__name__)
                    raise
                delay = self.backoff * (2**attempt)
                attempt += 1
                log.warning("%s failed (%s); retry %d in %.2fs", endpoint, exc, attempt, delay)
                await asyncio.sleep(delay)
