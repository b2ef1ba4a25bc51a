"""The durable inbox in one process (SQLite): every update handled once, in order per user; a crash in the middle
of a handler replays that update against the state before it; a graceful stop finishes what is in flight."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser
from storage.inbox import IncomingUpdate
from tests.support.inbox import InboxBot, replies, step_report


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as server:
        yield server


def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def run_numbers(user: TelegramUser, numbers: range) -> None:
    for n in numbers:
        await user.send(str(n))


async def wait_ok(double: BotApiDouble, chat_id: int, n: int, timeout: float = 20) -> None:
    await double.wait_for(lambda: f"ok {n}" in replies(double, chat_id), timeout, f"ok {n} to {chat_id}")


async def test_updates_are_handled_once_in_order_per_user(tmp_path: Path, double: BotApiDouble) -> None:
    bot = await InboxBot(url(tmp_path), double, generate_key()).start()
    try:
        users = [TelegramUser(double, 410000 + i) for i in range(5)]
        for user in users:
            await user.send("/langkah")
        last: list[int] = []
        for n in range(1, 11):  # all queued at once: the inbox keeps each user's order
            last = [await user.send(str(n)) for user in users]
        assert bot.inbox is not None
        for update_id in last:
            await bot.inbox.wait_done(update_id, timeout=30)
        for user in users:
            texts = replies(double, user.chat_id)
            assert texts == ["siap 0", *[f"ok {n}" for n in range(1, 11)]], texts
        assert len(await bot.inbox.store.done_ids()) == 55
        assert (await bot.inbox.stats()).depth == 0
    finally:
        await bot.stop()


async def test_a_crash_mid_handler_replays_the_update_against_the_old_state(
    tmp_path: Path, double: BotApiDouble,
) -> None:
    key = generate_key()
    bot = await InboxBot(url(tmp_path), double, key).start()
    user = TelegramUser(double, 420001)
    await user.send("/langkah")
    await user.send("1")
    await wait_ok(double, user.chat_id, 1)
    await user.send("/lambat 30")  # the next step sends its reply, then waits before its state is committed
    await double.wait_for(lambda: "lambat ok" in replies(double, user.chat_id), 10)
    update_2 = await user.send("2")
    await wait_ok(double, user.chat_id, 2)  # the user has seen the next step's reply …
    await bot.crash()  # … and the process dies before the update is done
    bot = await InboxBot(url(tmp_path), double, key).start()
    try:
        assert bot.inbox is not None
        await bot.inbox.wait_done(update_2, timeout=20)  # handled again after the restart, first
        await user.send("3")
        await wait_ok(double, user.chat_id, 3)
        report = step_report(replies(double, user.chat_id), 3)
        assert report == {"lost": 0, "repeated": 1, "dup": 0, "out_of_step": 0}, replies(double, user.chat_id)
    finally:
        await bot.stop()


async def test_an_update_done_is_never_handled_again(tmp_path: Path, double: BotApiDouble) -> None:
    bot = await InboxBot(url(tmp_path), double, generate_key()).start()
    try:
        assert bot.inbox is not None
        user = TelegramUser(double, 430001)
        await user.send("/langkah")
        first = await user.send("1")
        await bot.inbox.wait_done(first)
        # Telegram delivers the same update again (e.g. the confirming getUpdates never arrived; a webhook retry)
        payload = {"update_id": first, "message": {"message_id": 99, "date": 0, "text": "1",
                                                   "chat": user.chat_json, "from": user.user_json}}
        await bot.inbox.accept(payload)
        await bot.inbox.store.accept([IncomingUpdate(first, user.chat_id, payload)])
        await user.send("2")
        await wait_ok(double, user.chat_id, 2)
        assert replies(double, user.chat_id) == ["siap 0", "ok 1", "ok 2"]
    finally:
        await bot.stop()


async def test_a_graceful_stop_finishes_the_updates_in_flight(tmp_path: Path, double: BotApiDouble) -> None:
    key = generate_key()
    bot = await InboxBot(url(tmp_path), double, key).start()
    user = TelegramUser(double, 440001)
    await user.send("/langkah")
    await user.send("/lambat 0.5")
    await double.wait_for(lambda: "lambat ok" in replies(double, user.chat_id), 10)
    update_1 = await user.send("1")
    await wait_ok(double, user.chat_id, 1)
    await bot.stop()  # SIGTERM while the step is still running
    bot = await InboxBot(url(tmp_path), double, key).start()
    try:
        assert bot.inbox is not None
        assert await bot.inbox.store.is_done(update_1)
        await user.send("2")
        await wait_ok(double, user.chat_id, 2)
        assert replies(double, user.chat_id) == ["siap 0", "lambat ok", "ok 1", "ok 2"]
    finally:
        await bot.stop()


async def test_an_update_still_running_is_not_started_again_when_its_lease_runs_out(
    tmp_path: Path, double: BotApiDouble,
) -> None:
    # A lease that is always over: as in a process too starved to renew it in time. The claim keeps returning
    # the update while it runs; this process must not start it a second time.
    bot = await InboxBot(url(tmp_path), double, generate_key(), lease=dt.timedelta(seconds=-1),
                         idle_poll=0.05).start()
    try:
        user = TelegramUser(double, 450001)
        await user.send("/langkah")
        await user.send("/lambat 1")
        await double.wait_for(lambda: "lambat ok" in replies(double, user.chat_id), 10)
        await user.send("1")
        await user.send("2")
        await wait_ok(double, user.chat_id, 2)
        assert replies(double, user.chat_id) == ["siap 0", "lambat ok", "ok 1", "ok 2"]
    finally:
        await bot.stop()
