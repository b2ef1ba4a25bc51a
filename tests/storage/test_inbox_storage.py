"""The inbox table (storage/inbox.py) on SQLite and PostgreSQL: stored once, claimed in order per user, done with
the state in one transaction, leases that expire, one poller at a time."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.privacy import Vault
from storage.db import Database
from storage.inbox import InboxStore, IncomingUpdate, LeaseLost, PollerLock
from storage.persistence import DatabasePersistence, UpdateState
from storage.schema import inbox, ptb_user_data

LEASE = dt.timedelta(seconds=30)


def update(update_id: int, user: int, text: str = "hi") -> IncomingUpdate:
    return IncomingUpdate(update_id, user, {"update_id": update_id, "message": {"text": text}})


async def test_an_update_is_stored_once_and_encrypted(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    await store.accept([update(1, 10, "6408014505900001")])
    await store.accept([update(1, 10, "6408014505900001"), update(2, 10)])  # Telegram sent it again
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(inbox.c.update_id, inbox.c.payload).order_by(inbox.c.update_id))).all()
    assert [r.update_id for r in rows] == [1, 2]
    assert "6408014505900001" not in rows[0].payload  # the NIK a user typed is not stored in clear


async def test_claims_are_in_order_per_user_and_one_at_a_time(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    await store.accept([update(1, 10), update(2, 20), update(3, 10), update(4, 30), update(5, 20)])
    first = await store.claim("a", 100, LEASE)
    assert [c.update_id for c in first] == [1, 2, 4]  # the oldest of each user; 3 and 5 wait for 1 and 2
    assert first[0].payload["message"]["text"] == "hi" and first[0].attempts == 1
    assert await store.claim("b", 100, LEASE) == []  # nothing else is free
    await store.complete(1, "a")
    assert [c.update_id for c in await store.claim("b", 100, LEASE)] == [3]
    assert await store.is_done(1) and not await store.is_done(3)
    assert (await store.stats()).depth == 4


async def test_done_commits_with_the_state_or_not_at_all(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    persistence = DatabasePersistence(db, vault)
    await store.accept([update(1, 10), update(2, 11)])
    await store.claim("a", 100, LEASE)

    async def write(user_id: int) -> object:
        async def inner(conn: AsyncConnection) -> None:
            await persistence.write_update_state(conn, UpdateState(user_data={user_id: {"n": 1}},
                                                                   conversations={("flow", (user_id, user_id)): 2}))
        return inner

    await store.complete(1, "a", also=await write(10))  # type: ignore[arg-type]
    with pytest.raises(LeaseLost):  # "b" does not hold update 2: its state write is rolled back too
        await store.complete(2, "b", also=await write(11))  # type: ignore[arg-type]
    async with db.read() as conn:
        users = [r.user_id for r in await conn.execute(sa.select(ptb_user_data.c.user_id))]
    assert users == [10]
    loaded = await persistence.load_update_state([10, 11], [], [("flow", (10, 10)), ("flow", (11, 11))])
    assert loaded.user_data == {10: {"n": 1}, 11: {}}
    assert loaded.conversations == {("flow", (10, 10)): 2, ("flow", (11, 11)): None}
    with pytest.raises(LeaseLost):  # done once: never again
        await store.complete(1, "a")


async def test_an_expired_lease_is_taken_over_and_released_claims_are_free(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    await store.accept([update(1, 10), update(2, 20)])
    assert [c.update_id for c in await store.claim("dead", 100, dt.timedelta(seconds=-1))] == [1, 2]
    taken = await store.claim("alive", 100, LEASE)  # the dead process's leases have run out
    assert [(c.update_id, c.attempts) for c in taken] == [(1, 2), (2, 2)]
    assert await store.renew("alive", [1, 2], LEASE) == {1, 2}
    assert await store.renew("dead", [1, 2], LEASE) == set()
    await store.release("alive", [2])
    assert [c.update_id for c in await store.claim("other", 100, LEASE)] == [2]
    assert await store.release_all() == 2
    assert [c.update_id for c in await store.claim("next", 100, LEASE)] == [1, 2]


async def test_done_updates_are_pruned_after_a_day(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    await store.accept([update(1, 10), update(2, 20)])
    await store.claim("a", 100, LEASE)
    await store.complete(1, "a")
    assert await store.prune() == 0  # done just now: kept, so that a redelivery is recognised
    assert await store.prune(older_than=dt.timedelta(seconds=-1)) == 1
    assert await store.done_ids() == []
    assert (await store.stats()).depth == 1


async def test_concurrent_claims_never_take_the_same_update(db: Database, vault: Vault) -> None:
    store = InboxStore(db, vault)
    await store.accept([update(i, 1000 + i % 40) for i in range(1, 201)])
    claimed: list[int] = []
    for _ in range(10):
        batches = await asyncio.gather(*(store.claim(owner, 7, LEASE) for owner in ("a", "b", "c")))
        ids = [c.update_id for batch in batches for c in batch]
        claimed += ids
        for batch, owner in zip(batches, ("a", "b", "c"), strict=True):
            for c in batch:
                await store.complete(c.update_id, owner)
    assert len(claimed) == len(set(claimed))
    per_user: dict[int, list[int]] = {}
    for i in claimed:
        per_user.setdefault(1000 + i % 40, []).append(i)
    assert all(ids == sorted(ids) for ids in per_user.values())


async def test_one_poller_at_a_time(db: Database) -> None:
    first, second = PollerLock(db), PollerLock(db)
    assert await first.try_acquire()
    if db.dialect != "postgresql":  # one process on SQLite: always its turn
        assert await second.try_acquire()
        return
    assert not await second.try_acquire()
    assert await first.still_held()
    await first.release()  # (or its process dies: the connection closes)
    assert await second.try_acquire()
    await second.release()
