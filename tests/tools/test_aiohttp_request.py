"""The aiohttp request class against the Bot API double: calls, uploads, faults, time-outs, the pool, proxies.

Each failure must reach PTB (and `bot.runtime.resilience`) as httpx failures do: TimedOut/NetworkError with the
transport exception as the cause, "never sent" only when the request did not leave this machine."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.runtime.aiohttp_request import AiohttpRequest, PoolTimeout, build_request
from bot.runtime.resilience import may_retry, never_sent, server_refused
from bot.testing import BotApiDouble
from bot.testing.runtime import LocalBot

TOKEN = "123456:TEST"
CHAT = 555002
PNG_2X3 = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")


@pytest_asyncio.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as server:
        yield server


def make_bot(base_url: str, request: AiohttpRequest | None = None, base_file_url: str | None = None) -> Bot:
    return Bot(TOKEN, base_url=base_url, base_file_url=base_file_url or base_url,
               request=request or AiohttpRequest(), get_updates_request=AiohttpRequest(connection_pool_size=1))


@pytest_asyncio.fixture
async def bot(double: BotApiDouble) -> AsyncIterator[Bot]:
    async with make_bot(double.base_url, base_file_url=double.base_file_url) as real_bot:
        yield real_bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_calls_and_html_text(bot: Bot, double: BotApiDouble) -> None:
    assert bot.username == double.bot_username  # initialize() called getMe through aiohttp
    sent = await bot.send_message(CHAT, "<b>Halo</b> & selamat datang 😀", parse_mode="HTML")
    message = double.find_message(CHAT, sent.message_id)
    assert message is not None and message.text == "Halo & selamat datang 😀"
    assert message.entities == [{"type": "bold", "offset": 0, "length": 4}]


async def test_multipart_uploads_keep_bytes_names_and_types(bot: Bot, double: BotApiDouble) -> None:
    xlsx = b"PK\x03\x04" + bytes(range(256)) * 40
    await bot.send_document(CHAT, InputFile(xlsx, filename="Laporan Mei – 2026.xlsx"), caption="<i>Laporan</i>",
                            parse_mode="HTML")
    await bot.send_document(CHAT, InputFile(b"%PDF-1.7\n", filename="surat.pdf"))
    await bot.send_photo(CHAT, InputFile(PNG_2X3, filename="grafik.png"))
    document, pdf, photo = double.messages_to(CHAT)
    assert (document.file_name, document.file_bytes, document.text) == ("Laporan Mei – 2026.xlsx", xlsx, "Laporan")
    assert document.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (pdf.file_name, pdf.file_bytes, pdf.mime_type) == ("surat.pdf", b"%PDF-1.7\n", "application/pdf")
    assert photo.kind == "photo" and photo.file_bytes == PNG_2X3
    assert photo.payload["photo"][0]["width"] == 2
    downloaded = await (await bot.get_file(photo.file_id or "")).download_as_bytearray()
    assert bytes(downloaded) == PNG_2X3


async def test_429_becomes_retry_after(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    assert "Retry in 7" in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_a_network_error_the_server_refused(bot: Bot, double: BotApiDouble, status: int) -> None:
    double.inject("sendMessage", status=status)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(CHAT, "x")
    assert server_refused(caught.value) and may_retry("sendMessage", caught.value)
    assert double.messages_to(CHAT) == []


async def test_a_slow_answer_is_a_read_timeout_not_retried_for_sends(bot: Bot, double: BotApiDouble) -> None:
    double.inject("sendMessage", status=200, delay_after=1.0)
    with pytest.raises(TimedOut) as caught:
        await bot.send_message(CHAT, "sekali", read_timeout=0.2)  # PTB's per-call override reaches aiohttp
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert not never_sent(caught.value) and not may_retry("sendMessage", caught.value)
    assert may_retry("getMe", caught.value)
    assert [m.text for m in double.messages_to(CHAT)] == ["sekali"]  # it was sent: a retry would send it twice


async def test_the_default_read_timeout_applies(double: BotApiDouble) -> None:
    request = AiohttpRequest(read_timeout=0.2)
    async with make_bot(double.base_url, request) as real_bot:
        double.inject("getMe", status=200, delay=1.0)
        with pytest.raises(TimedOut):
            await real_bot.get_me()


async def test_connection_refused_is_a_network_error_never_sent() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/sendMessage", RequestData())
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert never_sent(caught.value) and may_retry("sendMessage", caught.value)
    assert str(caught.value).startswith("aiohttp.ClientConnectorError")


async def test_connect_timeout_maps_to_timed_out_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    request = AiohttpRequest()
    await request.initialize()

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise aiohttp.ConnectionTimeoutError("connect timed out")

    assert request._session is not None
    monkeypatch.setattr(request._session, "request", fail)
    try:
        with pytest.raises(TimedOut) as caught:
            await request.do_request("http://127.0.0.1:9/x", "POST")
    finally:
        await request.shutdown()
    assert never_sent(caught.value)


async def test_a_full_pool_times_out_without_sending(double: BotApiDouble) -> None:
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1)
    async with make_bot(double.base_url, request) as real_bot:
        double.inject("sendMessage", status=200, delay=0.5)
        slow = asyncio.create_task(real_bot.send_message(CHAT, "lambat"))
        await double.wait_for(lambda: double.messages_to(CHAT) == [] and double.calls_to("getMe"), 2)
        await asyncio.sleep(0.05)  # let the slow call take the only slot
        with pytest.raises(TimedOut) as caught:
            await real_bot.send_message(CHAT, "cepat")
        await slow
    assert "Pool timeout" in str(caught.value) and isinstance(caught.value.__cause__, PoolTimeout)
    assert never_sent(caught.value)
    assert [m.text for m in double.messages_to(CHAT)] == ["lambat"]


async def test_an_http_proxy_gets_the_absolute_url() -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    request = AiohttpRequest(proxy=f"http://127.0.0.1:{port}")
    await request.initialize()
    try:
        body = await request.post("http://api.telegram.invalid/bot1:x/close", RequestData())
    finally:
        await request.shutdown()
        await runner.cleanup()
    assert body is True and seen == ["http://api.telegram.invalid/bot1:x/close"]


def test_unsupported_options_are_refused_or_documented() -> None:
    with pytest.raises(ValueError, match="http"):
        AiohttpRequest(proxy="socks5://127.0.0.1:1080")
    with pytest.raises(ValueError, match="http_version"):
        AiohttpRequest(http_version="3")  # type: ignore[arg-type]
    assert AiohttpRequest(http_version="2").http_version == "2"  # accepted, spoken as HTTP/1.1
    with pytest.raises(ValueError, match="transport"):
        build_request("curl")


async def test_not_initialized_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


async def test_form_fields_are_sent_like_httpx(bot: Bot, double: BotApiDouble) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    data = RequestData([RequestParameter.from_input(key, value)
                        for key, value in (("chat_id", CHAT), ("text", "123"), ("reply_markup", markup))])
    result = await bot.request.post(f"{double.base_url}{TOKEN}/sendMessage", data)
    assert isinstance(result, dict) and result["text"] == "123"  # a text of digits stays a string
    assert double.messages_to(CHAT)[0].inline_buttons == [("A", "a")]


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_the_application_runs_on_either_transport(tmp_path: Path, transport: str) -> None:
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", HTTP_TRANSPORT=transport) as local:
        assert local.app is not None
        expected = AiohttpRequest if transport == "aiohttp" else type(build_request("httpx"))
        assert isinstance(local.app.bot.request, expected)
        user = local.user(610900)
        await user.send("/start")
        assert (await user.expect_reply(timeout=10)).text


async def test_the_broadcast_sender_uses_the_same_transport_and_reads_its_failures(double: BotApiDouble) -> None:
    from telegram.request import HTTPXRequest

    from bot.domain.broadcast import Ambiguous, Content, Transient
    from handlers.broadcast_sender import SENDER_POOL, TelegramSender, _sender_request

    request = _sender_request(AiohttpRequest(connect_timeout=3.0))
    assert isinstance(request, AiohttpRequest) and request.read_timeout == 20.0
    assert (request._pool_size, request._connect_timeout) == (SENDER_POOL, 3.0)
    assert isinstance(_sender_request(HTTPXRequest()), HTTPXRequest)  # HTTP_TRANSPORT=httpx: as before

    content = Content("text", "Info")
    refused = Bot(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/bot", request=AiohttpRequest())
    async with refused.request:
        with pytest.raises(Transient):  # never sent: the runner may send again
            await TelegramSender(refused).send(CHAT, content)
    async with make_bot(double.base_url, AiohttpRequest(read_timeout=0.2)) as slow:
        double.inject("sendMessage", status=502)
        with pytest.raises(Transient):
            await TelegramSender(slow).send(CHAT, content)
        double.inject("sendMessage", status=200, delay_after=1.0)
        with pytest.raises(Ambiguous):  # it may have arrived: never resent
            await TelegramSender(slow).send(CHAT, content)
