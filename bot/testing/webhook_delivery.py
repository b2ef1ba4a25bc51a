"""The Bot API double's webhook: while one is set, queued updates are POSTed to it as Telegram does.

Telegram's behaviour reproduced here (https://core.telegram.org/bots/api#setwebhook):
- `setWebhook(url, secret_token, allowed_updates)`; a secret must be 1-256 of A-Za-z0-9_- (else 400);
  the URL must be HTTPS (the double also takes http on loopback, for tests);
- each update is POSTed as JSON with the `X-Telegram-Bot-Api-Secret-Token` header (when a secret was set);
  anything but a 2xx answer (or no answer) is a failed delivery: the update is sent again after a backoff
  (short here: `base_delay`, doubling up to `max_delay`), and later updates wait behind it (in order);
- updates of a type outside `allowed_updates` are dropped, never delivered;
- `getUpdates` answers 409 Conflict while a webhook is set (in the double itself);
- `deleteWebhook` stops the deliveries; what is still queued stays for `getUpdates`.
`attempts` records every POST (update id, HTTP status or 0 for no answer) for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

if TYPE_CHECKING:
    from bot.testing.double import BotApiDouble

JSON = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Without allowed_updates Telegram sends every kind but these (https://core.telegram.org/bots/api#getupdates).
NOT_BY_DEFAULT = ("chat_member", "message_reaction", "message_reaction_count")


@dataclass
class Attempt:
    update_id: int
    status: int  # 0: no answer (connection refused, time-out)


@dataclass
class WebhookDelivery:
    """Owned by a `BotApiDouble`; configured by its setWebhook/deleteWebhook methods."""

    double: BotApiDouble
    base_delay: float = 0.02
    max_delay: float = 0.5
    request_timeout: float = 10.0
    url: str = ""
    secret: str | None = None
    allowed_updates: tuple[str, ...] | None = None
    attempts: list[Attempt] = field(default_factory=list)
    last_error: str | None = None
    _task: asyncio.Task[None] | None = None

    @staticmethod
    def check(params: JSON) -> tuple[str, str | None, tuple[str, ...] | None]:
        """Telegram's checks of setWebhook's parameters; ValueError with Telegram's words."""
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if url:
            parts = urlsplit(url)
            loopback = parts.hostname is not None and _loopback(parts.hostname)
            if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
                raise ValueError("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise ValueError("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            import json

            allowed = json.loads(allowed)
        return url, (str(secret) if secret is not None else None), (tuple(allowed) if allowed else None)

    def configure(self, url: str, secret: str | None, allowed_updates: tuple[str, ...] | None) -> None:
        """Set (or, with an empty url, delete) the webhook; restarts the delivery loop."""
        self.stop()
        self.url, self.secret = url, secret
        if allowed_updates is not None:  # Telegram keeps the previous list when none is given
            self.allowed_updates = allowed_updates
        if url:
            self._task = asyncio.get_running_loop().create_task(self._deliver_all(), name="double-webhook")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def info(self) -> JSON:
        """The extra fields of getWebhookInfo."""
        found: JSON = {"max_connections": 40}
        if self.allowed_updates is not None:
            found["allowed_updates"] = list(self.allowed_updates)
        if self.last_error:
            found["last_error_message"] = self.last_error
        return found

    def _allowed(self, update: JSON) -> bool:
        if not self.allowed_updates:
            return not any(kind in update for kind in NOT_BY_DEFAULT)
        return any(kind in update for kind in self.allowed_updates)

    async def _deliver_all(self) -> None:
        double = self.double
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                pending = double.pending_updates
                if not pending:
                    with contextlib.suppress(TimeoutError):
                        await double.wait_for(lambda: bool(double.pending_updates), timeout=3600.0)
                    continue
                update = pending[0]
                if self._allowed(update):
                    await self._deliver(session, update, headers)
                double.webhook_delivered(update["update_id"])

    async def _deliver(self, session: aiohttp.ClientSession, update: JSON, headers: dict[str, str]) -> None:
        """POST until a 2xx answer, with a growing pause between tries."""
        delay = self.base_delay
        while True:
            status = 0
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.post(self.url, json=update, headers=headers) as response:
                    status = response.status
                    await response.read()
            self.attempts.append(Attempt(update["update_id"], status))
            self.double.notify_webhook_attempt()
            if 200 <= status < 300:
                self.last_error = None
                return
            self.last_error = f"Wrong response from the webhook: {status}" if status else "Connection refused"
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
