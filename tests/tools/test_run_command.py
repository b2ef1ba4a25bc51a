"""`jagakerja run` as an operator starts it: a separate process polling a Bot API server on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser


async def test_run_polls_any_bot_api_server_and_stops_gracefully(tmp_path: Path) -> None:
    async with BotApiDouble() as double:
        env = {
            **os.environ,
            "BOT_TOKEN": "123456:TEST",
            "BOT_API_URL": double.base_url,
            "DATA_KEY": generate_key(),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
            "LOG_LEVEL": "INFO",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            user = TelegramUser(double, 300001, language_code="id")
            await user.send("/start")
            reply = await user.expect_reply(timeout=30)
            assert "JagaKerja" in (reply.text or "")
            assert double.calls_to("setMyCommands"), "the command menu is published at start"
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        log = stderr.decode()
        assert process.returncode == 0, log
        assert "is running" in log and "stopping" in log
        assert "123456:TEST" not in log  # the token never reaches the log
        assert (tmp_path / "run.db").exists()


async def test_run_without_token_names_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATA_KEY")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "BOT_TOKEN is missing" in stderr.decode()
