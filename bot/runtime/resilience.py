"""Outgoing requests that survive Telegram's hiccups: 429 waits (retry_after) and transient 5xx retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)


class ResilientRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (global and per-chat limits, honours 429 retry_after) plus retries with
    exponential backoff for transient network errors and 5xx answers (not for getUpdates, which the
    updater retries itself, and never for a 400 Bad Request)."""

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
                delay = self.backoff * (2**attempt)
                attempt += 1
                log.warning("%s failed (%s); retry %d in %.2fs", endpoint, exc, attempt, delay)
                await asyncio.sleep(delay)
