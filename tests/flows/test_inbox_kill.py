"""kill -9 of a real `jagakerja run` process while a handler runs (issue 15's example: the user has typed the NIK
and already sees the next prompt): after the restart that update is handled again, against the state before it,
and the conversation continues in step; nothing done is handled twice.

The handler is held deterministically: the double keeps the answer to its sendMessage back (the message is
recorded, then the answer waits), and the test kills the process as soon as the message is there."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import sqlalchemy as sa

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble, BotMessage
from bot.testing.user import TelegramUser
from storage.db import Database
from storage.schema import inbox
from tests.support.inbox import replies, start_bot_process

NIK = "6408045708850004"
STARTUP = 120.0  # a cold `jagakerja run` on a loaded 2-core machine


async def recorded(double: BotApiDouble, chat_id: int, index_from: int, timeout: float = 20) -> BotMessage:
    """The message as soon as the double has recorded it. The double wakes its waiters when it answers, and
    here the answer is held back on purpose, so this looks every 10 ms instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = next((m for m in double.messages[index_from:] if m.chat_id == chat_id), None)
        if found is not None:
            return found
        await asyncio.sleep(0.01)
    raise TimeoutError(double.describe_state(f"no message to {chat_id} from position {index_from}"))


async def test_kill_during_a_handler_then_restart_continues_in_step(tmp_path: Path) -> None:
    key = generate_key()
    url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    async with BotApiDouble() as double:
        process = await start_bot_process(double, url, key, tmp_path)
        try:
            user = TelegramUser(double, 610001, language_code="id")
            await user.send("/start")
            await user.expect_reply(timeout=STARTUP)
            await user.press("Bahasa Indonesia")
            await user.expect_reply(timeout=20)
            await user.press_index(1)  # consent
            await user.expect_reply(timeout=20)
            await user.press("🛡 Cek Status Perlindungan")
            await user.expect_reply(timeout=20)  # "type your NIK"
            double.inject("sendMessage", status=200, delay_after=300, chat_id=user.chat_id)
            seen = len(double.messages)
            nik_update = await user.send(NIK)
            prompt = await recorded(double, user.chat_id, seen)  # the user sees "type your name" …
            process.kill()  # … kill -9 while the handler still waits for the answer to that sendMessage
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()

        process = await start_bot_process(double, url, key, tmp_path)
        try:
            again = await double.wait_for_message(user.chat_id, seen + 1, timeout=STARTUP)
            assert again.text and prompt.text and again.text.endswith(prompt.text.split("\n\n")[-1])
            mark = len(double.messages)
            await user.send("17-08-1985")  # the birth date: the answer to the prompt the user sees
            answer = await double.wait_for_message(user.chat_id, mark, timeout=20)
            assert (answer.text or "").startswith("Tanggal lahir sudah ada di dalam NIK"), answer.text  # in step
            await user.send("/langkah")
            for n in (1, 2):
                await user.send(str(n))
            await double.wait_for(lambda: "ok 2" in replies(double, user.chat_id), 20)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
        assert process.returncode == 0, (tmp_path / "bot-1.log").read_text()[-3000:]

    texts = replies(double, user.chat_id)
    tail = (prompt.text or "").split("\n\n")[-1]
    assert sum(t.endswith(tail) for t in texts) == 2  # the prompt of the update in flight, seen twice
    assert sum(t.startswith("Tanggal lahir") for t in texts) == 1
    assert texts[-3:] == ["siap 0", "ok 1", "ok 2"]
    db = Database(url)
    try:
        async with db.read() as conn:
            rows = (await conn.execute(sa.select(inbox.c.update_id, inbox.c.done_at, inbox.c.attempts))).all()
    finally:
        await db.close()
    by_id = {r.update_id: r for r in rows}
    assert all(r.done_at is not None for r in rows)
    assert by_id[nik_update].attempts == 2  # handled by the killed process, then once more after the restart
    assert sum(r.attempts for r in rows) == len(rows) + 1  # every other update exactly once
