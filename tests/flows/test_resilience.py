"""Restarts and faults: a conversation survives a restart; 429 and 5xx from the Bot API lose no update."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.clock import FixedClock
from bot.runtime.app import JagaKerjaApplication
from bot.testing.runtime import LocalBot
from handlers.context import BotContext
from handlers.flow import declare_flow
from tests.support.flows import onboard

ASK_NAME, ASK_VILLAGE = range(2)


async def begin(update: Update, context: BotContext) -> int:
    await context.bot.send_message(update.effective_chat.id, "Nama?")  # type: ignore[union-attr]
    return ASK_NAME


async def got_name(update: Update, context: BotContext) -> int:
    context.user_data["name"] = update.effective_message.text  # type: ignore[index,union-attr]
    await context.bot.send_message(update.effective_chat.id, "Desa?")  # type: ignore[union-attr]
    return ASK_VILLAGE


async def got_village(update: Update, context: BotContext) -> int:
    name = context.user_data.pop("name", "?")  # type: ignore[union-attr]
    text = f"Terima kasih {name} dari {update.effective_message.text}"  # type: ignore[union-attr]
    await context.bot.send_message(update.effective_chat.id, text)  # type: ignore[union-attr]
    return ConversationHandler.END


async def boom(update: Update, context: BotContext) -> None:
    raise RuntimeError("kaboom for NIK 6408014505900001")


def add_test_handlers(app: JagaKerjaApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(declare_flow(
        app,
        "test_two_steps", [CommandHandler("uji", begin)],
        {ASK_NAME: [MessageHandler(text, got_name)], ASK_VILLAGE: [MessageHandler(text, got_village)]},
    ))
    app.add_handler(CommandHandler("meledak", boom))


@pytest.fixture
async def bot_with_test_flow(tmp_path: Path, clock: FixedClock) -> LocalBot:
    bot = LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, configure=add_test_handlers)
    await bot.start()
    yield bot  # type: ignore[misc]
    await bot.stop()


@pytest.mark.parametrize("how", ["restart", "crash"])
async def test_conversation_survives_restart(bot_with_test_flow: LocalBot, how: str) -> None:
    bot = bot_with_test_flow
    user = bot.user(200001)
    await user.send("/uji")
    assert (await user.expect_reply()).text == "Nama?"
    await user.send("Siti Aminah")
    assert (await user.expect_reply()).text == "Desa?"
    if how == "restart":
        await bot.restart()  # a clean stop, then a new Application on the same database
    else:
        await bot.crash_restart()  # thrown away without a final flush
    await user.send("Senyiur")
    assert (await user.expect_reply()).text == "Terima kasih Siti Aminah dari Senyiur"


async def test_batal_leaves_a_conversation(bot_with_test_flow: LocalBot) -> None:
    user = bot_with_test_flow.user(200002)
    await user.send("/uji")
    await user.expect_reply()
    await user.send("/batal")
    reply = await user.expect_reply()
    assert "dihentikan" in (reply.text or "") and reply.buttons
    await user.send("Senyiur")  # no longer inside the conversation
    assert "Desa?" not in ((await user.expect_reply()).text or "")


async def test_getupdates_5xx_and_429_lose_no_update(local_bot: LocalBot) -> None:
    double = local_bot.double
    user = local_bot.user(200003)
    double.inject("getUpdates", status=502, times=1)
    await user.send("/start")
    assert "JagaKerja" in ((await user.expect_reply(timeout=10)).text or "")
    double.inject("getUpdates", status=429, retry_after=1, times=1)
    await user.send("/bantuan")
    assert "175" in ((await user.expect_reply(timeout=10)).text or "")


async def test_send_429_and_5xx_are_retried(local_bot: LocalBot) -> None:
    double = local_bot.double
    user = local_bot.user(200004)
    double.inject("sendMessage", status=429, retry_after=1, times=1, chat_id=200004)
    await user.send("/start")
    assert "JagaKerja" in ((await user.expect_reply(timeout=10)).text or "")
    double.inject("sendMessage", status=502, times=2, chat_id=200004)
    await user.send("/bantuan")
    assert "175" in ((await user.expect_reply(timeout=10)).text or "")
    failed = [c for c in double.calls if c.method == "sendMessage" and c.status != 200]
    assert [c.status for c in failed] == [429, 502, 502]


async def test_blocked_user_is_marked(local_bot: LocalBot) -> None:
    user = local_bot.user(200005)
    await onboard(local_bot, user)
    local_bot.double.block_user(200005)
    update_id = await user.send("/bantuan")
    await local_bot.settle(update_id)
    profile = await local_bot.services.users.get(200005)  # type: ignore[union-attr]
    assert profile is not None and profile.blocked_at is not None


async def test_error_handler_apologises_and_logs_without_personal_data(
    bot_with_test_flow: LocalBot, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from bot.runtime.logging_setup import configure_logging

    configure_logging("INFO")
    user = bot_with_test_flow.user(200006)
    with caplog.at_level(logging.ERROR):
        await user.send("/meledak")
        reply = await user.expect_reply()
    assert "Maaf" in (reply.text or "") and reply.buttons
    err = capfd.readouterr().err
    assert "kaboom" in err and "Traceback" in err
    assert "6408014505900001" not in err


def add_two_flows(app: JagaKerjaApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND

    def flow(name: str) -> None:
        async def enter(update: Update, context: BotContext) -> int:
            await context.bot.send_message(update.effective_chat.id, f"{name}: tulis sesuatu")  # type: ignore[union-attr]
            return 0

        async def got(update: Update, context: BotContext) -> int:
            await context.bot.send_message(update.effective_chat.id, f"{name} dapat: {update.effective_message.text}")  # type: ignore[union-attr]
            return ConversationHandler.END

        app.add_handler(declare_flow(app, name, [CommandHandler(name, enter)], {0: [MessageHandler(text, got)]}))

    flow("alur_a")
    flow("alur_b")


async def test_only_the_flow_entered_last_takes_text(tmp_path: Path, clock: FixedClock) -> None:
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, configure=add_two_flows) as bot:
        user = bot.user(200010)
        await user.send("/alur_a")
        await user.expect_reply()
        await user.send("/alur_b")  # leaves flow A waiting half-way
        await user.expect_reply()
        await user.send("halo")
        assert (await user.expect_reply()).text == "alur_b dapat: halo"
        await bot.restart()  # the active flow is remembered across a restart
        await user.send("/alur_b")
        await user.expect_reply()
        await user.send("lagi")
        assert (await user.expect_reply()).text == "alur_b dapat: lagi"
        await user.send("/alur_a")  # re-entering A makes it the active flow again
        await user.expect_reply()
        await user.send("pagi")
        assert (await user.expect_reply()).text == "alur_a dapat: pagi"


async def test_a_main_menu_button_leaves_a_half_finished_flow(tmp_path: Path, clock: FixedClock) -> None:
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, configure=add_two_flows) as bot:
        user = bot.user(200011)
        await onboard(bot, user)
        await user.send("/alur_a")
        await user.expect_reply()
        await user.press("ℹ️ Bantuan")  # the main menu's Help: the user left flow A half-way
        await user.expect_reply()
        await user.send("asdfgh")
        assert "alur_a dapat" not in ((await user.expect_reply()).text or "")
        await user.send("/alur_a")  # entering it again works as before
        await user.expect_reply()
        await user.send("pagi")
        assert (await user.expect_reply()).text == "alur_a dapat: pagi"


async def test_many_new_users_at_once_all_get_an_answer(local_bot: LocalBot) -> None:
    """More users arrive at once than the database pool has connections (8 on SQLite): the per-update lookups
    share one read connection and release it before the new user's row is written, so nobody waits forever."""
    users = [local_bot.user(700100 + i) for i in range(20)]
    for user in users:  # all queued before the bot takes any of them
        await user.send("/bantuan")
    for user in users:
        assert "/hapusdata" in ((await user.expect_reply()).text or "")
