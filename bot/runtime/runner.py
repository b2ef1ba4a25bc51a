"""`jagakerja run`: long polling against BOT_API_URL, graceful stop on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault
from bot.runtime.app import build_application
from bot.runtime.services import build_services
from bot.runtime.settings import Settings
from storage.db import open_database

log = logging.getLogger("jagakerja")


async def run_bot(settings: Settings) -> None:
    settings.token()  # fail early, naming the variable
    load_catalogs()
    vault = Vault(settings.data_key())
    db = await open_database(settings.DATABASE_URL)
    services = build_services(settings, db, vault)
    application = build_application(settings, services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=["message", "callback_query"],
                                                    drop_pending_updates=False)
            me = application.bot
            log.info("JagaKerja is running as @%s (Ctrl+C to stop)", me.username)
            await stop.wait()
            log.info("stopping: finishing the updates in flight")
            await application.updater.stop()
            await application.stop()
    finally:
        await db.close()
