"""`jagakerja run`: updates through the durable inbox (bot/runtime/inbox.py), fed by long polling against
BOT_API_URL; graceful stop on SIGTERM/SIGINT (the updates in flight finish and are marked done)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
from collections.abc import Callable
from typing import cast

from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault
from bot.runtime.app import JagaKerjaApplication, build_application
from bot.runtime.inbox import Inbox
from bot.runtime.services import build_services
from bot.runtime.settings import Settings
from bot.runtime.webhook import start_server
from storage.db import open_database

log = logging.getLogger("jagakerja")


def _test_configure() -> Callable[[JagaKerjaApplication], None] | None:
    """JAGAKERJA_TEST_CONFIGURE=module:function adds handlers to a real process (crash tests and benchmarks of the
    inbox use bot.testing.step_flow:add_step_flow). Unset in production."""
    spec = os.environ.get("JAGAKERJA_TEST_CONFIGURE", "").strip()
    if not spec:
        return None
    module, _, name = spec.partition(":")
    log.warning("JAGAKERJA_TEST_CONFIGURE: adding test handlers from %s", spec)
    return cast(Callable[[JagaKerjaApplication], None], getattr(importlib.import_module(module), name))


async def run_bot(settings: Settings) -> None:
    settings.token()  # fail early, naming the variable
    load_catalogs()
    vault = Vault(settings.data_key(), settings.old_data_keys())
    db = await open_database(settings.DATABASE_URL)
    services = build_services(settings, db, vault)
    application = build_application(settings, services, configure=_test_configure())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            await application.start()  # the job queue; PTB's Updater is not used (it confirms before handling)
            inbox = Inbox(application, db, vault, multi_process=settings.MULTI_PROCESS)
            await inbox.start_workers()  # updates left unfinished by a crash are claimed first
            # The update source, chosen here and only here: webhook mode (WEBHOOK_URL: the server stores each
            # update with `inbox.accept` before answering 200) or polling (+ /healthz… on HEALTH_PORT if set).
            server = await start_server(settings, application, db, accept=inbox.accept,
                                        allowed_updates=inbox.allowed_updates, stats=inbox.stats)
            if not settings.WEBHOOK_URL:
                await inbox.start_polling()
            me = application.bot
            log.info("JagaKerja is running as @%s (Ctrl+C to stop)", me.username)
            await stop.wait()
            log.info("stopping: finishing the updates in flight")
            if server is not None:
                await server.stop()  # no new webhook requests (Telegram keeps them queued); /readyz goes away
            await inbox.stop()
            await application.stop()
    finally:
        await db.close()
