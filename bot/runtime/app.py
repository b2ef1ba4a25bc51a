"""build_application(settings, services, ...) -> the PTB Application, wired and ready."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.domain.services import Services
from bot.runtime.aiohttp_request import build_request
from bot.runtime.concurrency import PerUserUpdateProcessor
from bot.runtime.logging_setup import current_update_id, protect_secret
from bot.runtime.metrics import instrumented
from bot.runtime.resilience import ResilientRateLimiter
from bot.runtime.settings import Settings
from handlers.context import BotContext
from storage.persistence import DatabasePersistence

log = logging.getLogger(__name__)


class JagaKerjaApplication(Application):
    """The PTB Application plus our services; saves persistence right after each update, so a crash
    loses at most the updates in flight, and records processed updates (console and tests await them)."""

    services: Services

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._processed_ids: set[int] = set()
        self._processed = asyncio.Condition()
        # Set by the durable inbox (bot/runtime/inbox.py): it writes each update's state in the transaction that
        # marks the update done, so no state is saved here.
        self.state_saved_by_inbox = False

    async def initialize(self) -> None:
        await super().initialize()
        from handlers.commands_menu import publish_commands

        try:
            config = self.services.config
            await publish_commands(self.bot, config.default_language, tuple(sorted(config.admin_ids)))
        except Exception:  # the command menu is a convenience; never stop the bot for it
            log.exception("setMyCommands failed")

    @instrumented  # counts and times each update (bot/runtime/metrics.py: /metrics)
    async def process_update(self, update: object) -> None:
        # JSON log lines name the update being handled (LOG_FORMAT=json)
        named = current_update_id.set(update.update_id if isinstance(update, Update) else None)
        try:
            await super().process_update(update)
            if self.persistence is not None and not self.state_saved_by_inbox:
                await self.update_persistence()
        finally:
            current_update_id.reset(named)
            if isinstance(update, Update):
                async with self._processed:
                    self._processed_ids.add(update.update_id)
                    if len(self._processed_ids) > 10_000:  # keep the newest half
                        self._processed_ids = set(sorted(self._processed_ids)[5_000:])
                    self._processed.notify_all()

    async def wait_processed(self, update_id: int, timeout: float = 10.0) -> None:
        """Return once the update with this id has been handled (console, tests, benchmarks)."""
        async with asyncio.timeout(timeout), self._processed:
            await self._processed.wait_for(lambda: update_id in self._processed_ids)


def build_application(
    settings: Settings,
    services: Services,
    *,
    base_url: str | None = None,
    base_file_url: str | None = None,
    network_backoff: float = 0.5,
    overall_max_rate: float = 30,
    persistence: bool = True,
    configure: Callable[[JagaKerjaApplication], None] | None = None,
) -> JagaKerjaApplication:
    """`configure` (tests, benchmarks) adds handlers ahead of the product's own."""
    protect_secret(settings.token())  # before PTB logs "Set Bot API URL: …/bot<token>"
    if settings.DATA_KEY is not None:
        protect_secret(settings.data_key())
    for old_key in settings.old_data_keys():
        protect_secret(old_key)
    api_url = base_url or settings.BOT_API_URL
    file_url = base_file_url or api_url.replace("/bot", "/file/bot", 1)
    builder = (
        ApplicationBuilder()
        .application_class(JagaKerjaApplication)
        .token(settings.token())
        .base_url(api_url)
        .base_file_url(file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(ResilientRateLimiter(backoff=network_backoff, overall_max_rate=overall_max_rate))
        .concurrent_updates(PerUserUpdateProcessor())
        .request(build_request(settings.HTTP_TRANSPORT))
        .get_updates_request(build_request(settings.HTTP_TRANSPORT, for_updates=True))
    )
    if persistence:
        builder = builder.persistence(DatabasePersistence(services.db, services.vault))
    application: JagaKerjaApplication = builder.build()  # type: ignore[assignment]
    application.services = services

    from handlers import register_all

    if configure is not None:
        configure(application)
    register_all(application)
    return application
