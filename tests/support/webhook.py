"""The real Application in webhook mode, as `jagakerja run` starts it with WEBHOOK_URL: the durable inbox's
workers, and the webhook server storing each update through `Inbox.accept`; the Bot API double POSTs to it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from bot.runtime.app import build_application
from bot.runtime.health import HttpServer
from bot.runtime.inbox import Inbox
from bot.runtime.webhook import Accept, start_server
from bot.testing.runtime import LocalBot

SECRET = "s3cret_Webhook-token"
PATH = "/telegram/hook"


def free_port() -> int:
    """A free loopback port (the URL given to setWebhook must name it before the server binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebhookBot(LocalBot):
    """`LocalBot` in webhook mode. `wrap_accept` (tests) wraps the inbox's accept, e.g. to record or fail."""

    def __init__(self, database_url: str, *,
                 wrap_accept: Callable[[Accept], Accept] | None = None, **kwargs: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        kwargs.setdefault("WEBHOOK_URL", self.url)
        kwargs.setdefault("WEBHOOK_SECRET", SECRET)
        kwargs.setdefault("WEBHOOK_LISTEN", "127.0.0.1")
        kwargs.setdefault("WEBHOOK_PORT", self.port)
        super().__init__(database_url, **kwargs)
        self.wrap_accept = wrap_accept
        self.inbox: Inbox | None = None
        self.server: HttpServer | None = None

    async def _start_app(self) -> None:
        assert self.services is not None and self.settings is not None and self.db is not None
        self.app = build_application(
            self.settings, self.services, base_url=self.double.base_url, base_file_url=self.double.base_file_url,
            network_backoff=0.01, overall_max_rate=self.overall_max_rate, configure=self.configure,
        )
        await self.app.initialize()
        await self.app.start()
        self.inbox = Inbox(self.app, self.db, self.services.vault)
        await self.inbox.start_workers()
        accept: Accept = self.inbox.accept
        if self.wrap_accept is not None:
            accept = self.wrap_accept(accept)
        self.server = await start_server(self.settings, self.app, self.db, accept=accept,
                                         allowed_updates=self.inbox.allowed_updates, stats=self.inbox.stats)

    async def _stop_app(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self.inbox is not None:
            await self.inbox.stop()
            self.inbox = None
        await super()._stop_app()

    def endpoint(self, path: str = PATH) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def recording(calls: list[dict[str, Any]], fail_first: int = 0) -> Callable[[Accept], Accept]:
    """A `wrap_accept` that records each update accepted; the first `fail_first` calls raise (→ 500)."""

    def wrap(inner: Accept) -> Accept:
        async def accept(data: dict[str, Any]) -> None:
            calls.append(data)
            if len(calls) <= fail_first:
                raise RuntimeError("the database is away (test)")
            await inner(data)

        return accept

    return wrap

