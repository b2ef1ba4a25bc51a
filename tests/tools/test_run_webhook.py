"""`jagakerja run` as an operator starts it, in webhook mode (WEBHOOK_URL) and in polling mode with HEALTH_PORT:
a separate process, the Bot API double on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser
from tests.support.webhook import SECRET, free_port


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def _env(double: BotApiDouble, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "BOT_TOKEN": "123456:TEST", "BOT_API_URL": double.base_url, "DATA_KEY": generate_key(),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", "LOG_LEVEL": "INFO", **extra}


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return stderr.decode()


async def test_run_in_webhook_mode(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with BotApiDouble() as double:
        env = _env(double, tmp_path, WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1",
                   WEBHOOK_PORT=str(port))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = TelegramUser(double, 300002, language_code="id")
            await user.send("/start")
            reply = await user.expect_reply(timeout=90)
            assert "JagaKerja" in (reply.text or "")
            (call,) = double.calls_to("setWebhook")
            assert call.params["url"] == url and call.params["secret_token"] == SECRET
            assert await _get(f"http://127.0.0.1:{port}/readyz") == (200, "ready\n")
            status, metrics = await _get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and 'jagakerja_updates_handled_total{handler="cmd:start"} 1.0' in metrics
        finally:
            log = await _stop(process)
        assert process.returncode == 0, log
        assert double.webhook_url == url, "the webhook stays set: Telegram queues while the bot is away"
        assert not double.calls_to("getUpdates") and not double.calls_to("deleteWebhook")
        assert SECRET not in log and "123456:TEST" not in log


async def test_run_in_polling_mode_with_a_health_port(tmp_path: Path) -> None:
    port = free_port()
    async with BotApiDouble() as double:
        env = _env(double, tmp_path, HEALTH_PORT=str(port), WEBHOOK_LISTEN="127.0.0.1")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = TelegramUser(double, 300003, language_code="id")
            await user.send("/start")
            await user.expect_reply(timeout=90)
            assert await _get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
            assert await _get(f"http://127.0.0.1:{port}/readyz") == (200, "ready\n")
            assert not double.calls_to("setWebhook")
        finally:
            log = await _stop(process)
        assert process.returncode == 0, log
