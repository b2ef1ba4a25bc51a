"""Webhook mode: Telegram POSTs each update to WEBHOOK_URL; we answer 200 only once it is stored.

One aiohttp server (WEBHOOK_LISTEN:WEBHOOK_PORT, plain HTTP: TLS ends at the reverse proxy, see
docs/operations.md) serves:
- `POST <path of WEBHOOK_URL>`: the `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time with
  WEBHOOK_SECRET on every request (wrong or missing → 403, nothing stored, logged without the secret); the
  body must be a JSON object with an integer `update_id` (else 400); then `accept(update)` stores it durably
  and only then 200. An exception in `accept` → 500, so Telegram sends the update again later.
- `/healthz`, `/readyz`, `/metrics` (bot/runtime/health.py).

`accept` is injected: the durable inbox (bot/runtime/inbox.py) commits the update to the database there.
`queue_accept` (the default until the inbox is wired) only puts it on PTB's in-memory `update_queue`: a crash
after the 200 loses it, as long polling does today.

At start `setWebhook(url, secret_token, allowed_updates, drop_pending_updates=False)`. At stop the webhook is
left set on purpose: Telegram keeps queueing updates (for up to 24 hours) and delivers them when this or
another process is back, whereas `deleteWebhook` would make Telegram hold them for `getUpdates`, which no
process in webhook mode calls. Switching back to polling needs no manual step: the inbox's poller deletes the
webhook (keeping the pending updates) before its first `getUpdates`.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.runtime.health import HealthServer, HttpServer
from bot.runtime.metrics import metrics_for, observe_broadcast_sends, observe_inbox
from bot.runtime.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Accept = Callable[[dict[str, Any]], Awaitable[None]]


def queue_accept(application: Application[Any, Any, Any, Any, Any, Any]) -> Accept:
    """The in-memory accept: the update goes on PTB's queue (not durable; replaced by the inbox's accept)."""

    async def accept(data: dict[str, Any]) -> None:
        await application.update_queue.put(Update.de_json(data, application.bot))

    return accept


def webhook_path(url: str) -> str:
    """The path Telegram will POST to (the proxy forwards it unchanged)."""
    return urlsplit(url).path or "/"


def valid_update(data: object) -> bool:
    """A JSON object with an integer update_id (a bool is not an integer here)."""
    return isinstance(data, dict) and type(data.get("update_id")) is int


class WebhookServer(HttpServer):
    """The webhook receiver plus the health routes, for one Application."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        *,
        url: str,
        secret: str,
        listen: str = "0.0.0.0",
        port: int = 8080,
        allowed_updates: Sequence[str] | None = None,
        accept: Accept | None = None,
    ) -> None:
        super().__init__(application, db, listen=listen, port=port)
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.url = url
        self.path = webhook_path(url)
        self._secret = secret.encode()
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.accept = accept or queue_accept(application)
        self.rejected = 0  # requests refused for the secret (also in the log)

    def build(self) -> web.Application:
        app = super().build()  # aiohttp refuses bodies over 1 MiB (413): an update is a few KB
        app.router.add_post(self.path, self.receive)
        return app

    async def start(self) -> None:
        """Listen first, then tell Telegram where to post (so the first delivery finds us)."""
        await super().start()
        try:
            await self.application.bot.set_webhook(
                url=self.url, secret_token=self._secret.decode(), allowed_updates=self.allowed_updates,
                drop_pending_updates=False,
            )
        except BaseException:
            await self.stop()
            raise
        log.info("webhook set: Telegram posts updates to the path %s", self.path)

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.rejected += 1
            log.warning("webhook request refused: %s secret token (from %s)",
                        "missing" if not given else "wrong", request.remote)
            return web.Response(status=403, text="forbidden\n")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="body is not JSON\n")
        if not valid_update(data):
            return web.Response(status=400, text="not an update: a JSON object with an integer update_id\n")
        try:
            await self.accept(data)
        except Exception:
            log.exception("webhook: update %d could not be stored; Telegram will send it again", data["update_id"])
            return web.Response(status=500, text="not stored\n")
        return web.Response(text="ok\n")


async def start_server(
    settings: Settings,
    application: Application[Any, Any, Any, Any, Any, Any],
    db: Database,
    *,
    accept: Accept,
    allowed_updates: Sequence[str] | None,
    stats: Callable[[], Awaitable[Any]] | None = None,
) -> HttpServer | None:
    """`jagakerja run`'s HTTP side: the webhook server when WEBHOOK_URL is set (the caller then does not poll),
    else the health server when HEALTH_PORT is set, else nothing. `stats` (the inbox's: `depth`, `oldest`)
    feeds the inbox gauges at each scrape."""
    metrics = metrics_for(application)
    observe_broadcast_sends(application, metrics)
    if stats is not None:
        observe_inbox(metrics, stats)
    server: HttpServer
    if settings.WEBHOOK_URL:
        assert settings.WEBHOOK_SECRET is not None  # the settings refuse a webhook without a secret
        server = WebhookServer(application, db, url=settings.WEBHOOK_URL,
                               secret=settings.WEBHOOK_SECRET.get_secret_value(), listen=settings.WEBHOOK_LISTEN,
                               port=settings.WEBHOOK_PORT, allowed_updates=allowed_updates, accept=accept)
    elif settings.HEALTH_PORT:
        server = HealthServer(application, db, listen=settings.WEBHOOK_LISTEN, port=settings.HEALTH_PORT)
    else:
        return None
    await server.start()
    return server
