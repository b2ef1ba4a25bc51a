"""Two processes (two Applications, each with its own engine, inbox workers and poller) on one PostgreSQL: 1,000
updates from 50 users handled exactly once and in order per user while each user's conversation moves between
the two; one of them killed mid-way, the other takes its updates over and finishes.

Skipped (loudly, see tests/conftest.py) without TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser
from storage.db import Database
from storage.schema import inbox
from tests.conftest import _pg_skips
from tests.support.db import PG_SKIP_REASON, postgres_database, postgres_url
from tests.support.inbox import InboxBot, replies, step_report

USERS, STEPS = 50, 19  # 50 × (/langkah + 19 numbers) = 1,000 updates
KILL_STEPS = 9  # the kill test: 500 updates


@pytest.fixture
async def pg(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, Database]]:
    url = postgres_url()
    if url is None:
        _pg_skips.append(request.node.nodeid)
        pytest.skip(PG_SKIP_REASON)
    async with postgres_database(url) as db:
        yield url, db


async def two_bots(url: str, db: Database, double: BotApiDouble) -> list[InboxBot]:
    key = generate_key()
    search_path = await _schema(db)
    return [await InboxBot(url, double, key, schema=search_path, multi_process=True).start() for _ in range(2)]


async def _schema(db: Database) -> str:
    async with db.read() as conn:
        return str((await conn.execute(sa.text("SELECT current_schema()"))).scalar_one())


async def send_all(users: list[TelegramUser], steps: int = STEPS) -> list[int]:
    ids = [await u.send("/langkah") for u in users]
    for n in range(1, steps + 1):
        ids += [await u.send(str(n)) for u in users]
    return ids


async def handled_by(db: Database) -> dict[int, str]:
    async with db.read() as conn:
        rows = await conn.execute(sa.select(inbox.c.update_id, inbox.c.claimed_by, inbox.c.done_at))
        return {r.update_id: r.claimed_by for r in rows if r.done_at is not None}


async def wait_all_done(db: Database, ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(await handled_by(db)) < len(ids):
        assert time.monotonic() < deadline, f"{len(await handled_by(db))} of {len(ids)} done"
        await asyncio.sleep(0.2)


def check_users(double: BotApiDouble, users: list[TelegramUser], steps: int = STEPS) -> Counter[str]:
    total: Counter[str] = Counter()
    for user in users:
        total.update(step_report(replies(double, user.chat_id), steps))
    return total


async def test_two_processes_handle_1000_updates_once_in_order(pg: tuple[str, Database]) -> None:
    url, db = pg
    async with BotApiDouble() as double:
        bots = await two_bots(url, db, double)
        try:
            users = [TelegramUser(double, 510000 + i) for i in range(USERS)]
            ids = await send_all(users)
            assert len(ids) == 1000
            await wait_all_done(db, ids, timeout=60)
            owners = await handled_by(db)
            assert sum(check_users(double, users).values()) == 0
            for user in users:  # exactly once: one "siap" and one "ok N" per step
                assert replies(double, user.chat_id) == ["siap 0", *[f"ok {n}" for n in range(1, STEPS + 1)]]
            assert len(set(owners.values())) == 2  # both inboxes handled updates …
            moved = sum(len({owners[i] for i in ids[k::USERS]}) > 1 for k in range(USERS))
            assert moved >= USERS // 2, moved  # … and most conversations moved between them
        finally:
            for bot in bots:
                await bot.stop()


async def test_a_killed_process_updates_are_taken_over(pg: tuple[str, Database]) -> None:
    url, db = pg
    async with BotApiDouble() as double:
        first, second = await two_bots(url, db, double)
        try:
            users = [TelegramUser(double, 520000 + i) for i in range(USERS)]
            ids = await send_all(users, steps=KILL_STEPS)
            await double.wait_for(lambda: len(double.messages) >= len(ids) // 3, 60, "a third answered")
            assert first.inbox is not None
            orphans = list(first.inbox._in_flight)
            await first.crash()  # mid-way: it holds leases on updates it never finishes
            killed_at = time.monotonic()
            while not set(orphans) <= set(await handled_by(db)):
                assert time.monotonic() - killed_at < 10, f"{orphans} not all taken over within 10 s"
                await asyncio.sleep(0.1)
            takeover = time.monotonic() - killed_at
            await wait_all_done(db, ids, timeout=60)
            report = check_users(double, users, steps=KILL_STEPS)
            assert report["lost"] == report["dup"] == report["out_of_step"] == 0, report
            # only updates in flight at the kill are replied to twice
            assert report["repeated"] <= len(orphans), (report, orphans)
            print(f"\n{len(orphans)} update(s) in flight at the kill, all done by the other process "
                  f"{takeover:.1f} s later; replies repeated: {report['repeated']}")
            assert second.inbox is not None
            assert (await second.inbox.stats()).depth == 0
        finally:
            await second.stop()
