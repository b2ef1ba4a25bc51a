"""The real Application fed by the durable inbox (bot/runtime/inbox.py), in the test process: several of them on
one database act as several `jagakerja run` processes; `crash()` throws one away as kill -9 would (no done mark,
no lease released, its poller lock's connection closed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault
from bot.runtime.app import JagaKerjaApplication, build_application
from bot.runtime.inbox import Inbox
from bot.runtime.services import build_services
from bot.runtime.settings import load_settings
from bot.testing.double import BotApiDouble, BotMessage
from bot.testing.runtime import TEST_TOKEN
from bot.testing.step_flow import add_step_flow, replies, start_bot_process, step_report
from storage.db import Database, open_database


class InboxBot:
    def __init__(self, database_url: str, double: BotApiDouble, data_key: str, *, schema: str | None = None,
                 multi_process: bool = False,
                 configure: Callable[[JagaKerjaApplication], None] | None = add_step_flow,
                 **inbox_options: Any) -> None:
        self.database_url = database_url
        self.double = double
        self.data_key = data_key
        self.schema = schema
        self.multi_process = multi_process
        self.configure = configure
        self.inbox_options = {"idle_poll": 0.1 if multi_process else None, **inbox_options}
        self.db: Database | None = None
        self.app: JagaKerjaApplication | None = None
        self.inbox: Inbox | None = None

    async def start(self) -> InboxBot:
        load_catalogs()
        settings = load_settings(BOT_TOKEN=TEST_TOKEN, DATA_KEY=self.data_key, DATABASE_URL=self.database_url,
                                 MULTI_PROCESS=self.multi_process)
        self.db = await open_database(self.database_url, self.schema)
        vault = Vault(self.data_key)
        services = build_services(settings, self.db, vault)
        self.app = build_application(settings, services, base_url=self.double.base_url,
                                     base_file_url=self.double.base_file_url, network_backoff=0.01,
                                     overall_max_rate=0, configure=self.configure)
        await self.app.initialize()
        await self.app.start()
        self.inbox = Inbox(self.app, self.db, vault, multi_process=self.multi_process, poll_timeout=1,
                           allowed_updates=None, **self.inbox_options)
        await self.inbox.start_workers()
        await self.inbox.start_polling()
        return self

    async def stop(self) -> None:
        """A graceful stop (SIGTERM): in-flight updates finish and are marked done."""
        assert self.inbox is not None and self.app is not None and self.db is not None
        await self.inbox.stop()
        await self.app.stop()
        await self.app.shutdown()
        await self.db.close()

    async def crash(self) -> None:
        """Stop dead: handlers are cancelled where they are, nothing more is written, leases stay taken."""
        assert self.inbox is not None and self.app is not None and self.db is not None
        inbox = self.inbox
        tasks: list[asyncio.Task[Any]] = [*inbox._tasks, *inbox._in_flight.values()]
        if inbox._poller is not None:
            tasks.append(inbox._poller)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await inbox.lock._drop()  # the connection closes as the process's would: the poller lock is free
        self.app.persistence = None  # a dead process writes nothing more
        with contextlib.suppress(Exception):
            await self.app.stop()
            await self.app.shutdown()
        await self.db.close()


__all__ = ["InboxBot", "replies", "start_bot_process", "step_report"]


def last_message(double: BotApiDouble, chat_id: int) -> BotMessage | None:
    mine = [m for m in double.messages if m.chat_id == chat_id]
    return mine[-1] if mine else None

