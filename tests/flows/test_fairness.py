"""One user's backlog never holds the shared update slots: others are answered while it is being processed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.domain.clock import FixedClock
from bot.runtime.app import JagaKerjaApplication
from bot.testing.runtime import LocalBot
from handlers.context import BotContext

FLOODER = 830001
BACKLOG = 100  # more than the 64 shared slots


async def test_another_user_is_answered_while_one_users_backlog_is_processed(
    tmp_path: Path, clock: FixedClock
) -> None:
    release = asyncio.Event()

    async def slow(update: Update, context: BotContext) -> None:
        await release.wait()  # the flooder's first message is still being handled
        await context.bot.send_message(FLOODER, "selesai")

    def configure(app: JagaKerjaApplication) -> None:
        app.add_handler(MessageHandler(filters.Chat(FLOODER) & filters.TEXT, slow))

    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, configure=configure) as bot:
        flooder = bot.user(FLOODER)
        try:
            for i in range(BACKLOG):
                await flooder.send(f"pesan {i}")
            other = bot.user(830002)
            await other.send("/bantuan")
            reply = await other.expect_reply(timeout=10)
            assert "/hapusdata" in (reply.text or "")
            assert bot.double.messages_to(FLOODER) == []  # the backlog is still being processed
        finally:
            release.set()
        await bot.double.wait_for(lambda: len(bot.double.messages_to(FLOODER)) == BACKLOG, timeout=30)
