"""Retries never send a message twice: a read time-out of sendMessage/sendDocument/editMessageText (Telegram may
already have done it) is not retried; connect errors, 429 and 5xx are; reads are retried after anything.

The double's ``delay_after`` fault answers slowly AFTER recording the message, as a slow Telegram does; the
handlers below call with a short ``read_timeout`` so that the client gives up first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import InputFile, Update
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import CommandHandler

from bot.domain.clock import FixedClock
from bot.runtime.app import JagaKerjaApplication
from bot.runtime.resilience import ResilientRateLimiter, may_retry
from bot.testing.runtime import LocalBot
from handlers.context import BotContext

SHORT = 0.3  # the client's read timeout in these handlers
SLOW = 1.0  # the double answers this long after the message is recorded


async def send_once(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Halo sekali", read_timeout=SHORT)


async def send_file_once(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(b"a,b\n1,2\n", filename="x.csv"),
                                    read_timeout=SHORT)


async def edit_once(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    sent = await context.bot.send_message(update.effective_chat.id, "Versi 1")
    await context.bot.edit_message_text("Versi 2", chat_id=sent.chat_id, message_id=sent.message_id,
                                        read_timeout=SHORT)


async def read_me(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    me = await context.bot.get_me(read_timeout=SHORT)
    await context.bot.send_message(update.effective_chat.id, f"Saya {me.username}")


def add_handlers(app: JagaKerjaApplication) -> None:
    for name, callback in [("kirim", send_once), ("berkas", send_file_once), ("ubah", edit_once),
                           ("siapa", read_me)]:
        app.add_handler(CommandHandler(name, callback))


@pytest.fixture
async def bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[LocalBot]:
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, configure=add_handlers) as bot:
        yield bot


async def test_ten_slow_send_messages_arrive_exactly_once_each(bot: LocalBot) -> None:
    users = [bot.user(610100 + i) for i in range(10)]
    for user in users:
        bot.double.inject("sendMessage", status=200, delay_after=SLOW, chat_id=user.chat_id)
    update_ids = [await user.send("/kirim") for user in users]
    await bot.settle(max(update_ids))
    for user, update_id in zip(users, update_ids, strict=True):
        await bot.settle(update_id)
        texts = [m.text for m in bot.double.messages_to(user.chat_id)]
        assert texts.count("Halo sekali") == 1, texts
        assert texts == ["Halo sekali"], texts  # no apology on top of a reply that most likely arrived


async def test_slow_send_document_arrives_exactly_once(bot: LocalBot) -> None:
    user = bot.user(610002)
    bot.double.inject("sendDocument", status=200, delay_after=SLOW, chat_id=610002)
    await bot.settle(await user.send("/berkas"))
    files = [m.file_name for m in bot.double.messages_to(610002) if m.kind == "document"]
    assert files == ["x.csv"]


async def test_slow_edit_is_not_repeated(bot: LocalBot) -> None:
    user = bot.user(610003)
    bot.double.inject("editMessageText", status=200, delay_after=SLOW, chat_id=610003)
    await bot.settle(await user.send("/ubah"))
    edited = [m for m in bot.double.messages_to(610003) if m.text == "Versi 2"]
    assert len(edited) == 1 and len(edited[0].edits) == 1
    repeated = [c for c in bot.double.calls_to("editMessageText") if c.status == 400]
    assert repeated == []  # a repeated edit would have met "message is not modified"


async def test_a_slow_read_is_retried(bot: LocalBot) -> None:
    user = bot.user(610004)
    bot.double.inject("getMe", status=200, delay_after=SLOW)
    await user.send("/siapa")
    assert (await user.expect_reply()).text.startswith("Saya ")  # type: ignore[union-attr]


async def test_5xx_and_429_on_send_are_still_retried(bot: LocalBot) -> None:
    user = bot.user(610005)
    bot.double.inject("sendMessage", status=502, times=2, chat_id=610005)
    await user.send("/kirim")
    assert (await user.expect_reply()).text == "Halo sekali"
    bot.double.inject("sendMessage", status=429, retry_after=1, chat_id=610005)
    await user.send("/kirim")
    assert (await user.expect_reply()).text == "Halo sekali"
    assert [m.text for m in bot.double.messages_to(610005)].count("Halo sekali") == 2


def network_error(cause: BaseException | None, kind: type[NetworkError] = NetworkError) -> NetworkError:
    error = kind("boom") if kind is not TimedOut else TimedOut()
    error.__cause__ = cause
    return error


REQUEST = httpx.Request("POST", "http://127.0.0.1/bot1:x/sendMessage")


@pytest.mark.parametrize(("error", "send", "read"), [
    (network_error(httpx.ConnectError("refused", request=REQUEST)), True, True),  # never left
    (network_error(httpx.ConnectTimeout("slow connect", request=REQUEST), TimedOut), True, True),
    (network_error(httpx.PoolTimeout("pool", request=REQUEST), TimedOut), True, True),
    (network_error(None), True, True),  # a 5xx answer: Telegram did nothing
    (network_error(httpx.ReadTimeout("slow answer", request=REQUEST), TimedOut), False, True),
    (network_error(httpx.WriteTimeout("slow upload", request=REQUEST), TimedOut), False, True),
    (network_error(httpx.RemoteProtocolError("disconnected", request=REQUEST)), False, True),
    (network_error(httpx.ReadError("reset", request=REQUEST)), False, True),
    (BadRequest("Bad Request: message is not modified"), False, False),
])
def test_what_is_retried(error: NetworkError, send: bool, read: bool) -> None:
    for method in ("sendMessage", "sendDocument", "sendPhoto", "editMessageText", "answerCallbackQuery",
                   "deleteMessage"):
        assert may_retry(method, error) is send, method
    for method in ("getMe", "getFile", "setMyCommands"):
        assert may_retry(method, error) is read, method
    assert may_retry("getUpdates", error) is False  # the updater retries it itself


async def test_a_connect_error_is_retried_and_sends_once() -> None:
    limiter = ResilientRateLimiter(backoff=0)
    await limiter.initialize()
    attempts: list[int] = []

    async def post(*args: Any, **kwargs: Any) -> dict[str, Any]:
        attempts.append(1)
        if len(attempts) == 1:
            raise network_error(httpx.ConnectError("refused", request=REQUEST))
        return {"message_id": 1}

    result = await limiter.process_request(post, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert result == {"message_id": 1} and len(attempts) == 2
