"""The durable inbox: Telegram updates stored before they are confirmed, handled once, in order per user.

Why a table of our own and not a queue library (procrastinate, pgqueuer): the inbox must work on SQLite too (the
zero-setup single process), and an update is marked done *in the same transaction* as the conversation state and
user data it changed (`complete(..., also=...)`), which a library's own job-finish call cannot join.

The claim gives each process the oldest unfinished update of users who have none in flight: a row is claimable
when it is not done, its lease is free or expired, and no older row of the same user is unfinished. On PostgreSQL
the candidate rows are locked with `FOR UPDATE SKIP LOCKED`, so two processes claiming at once take different
rows; on SQLite there is one process and writers already queue on the database's write lock. A lease that is
not renewed (the process died) expires and any process takes the update over.

The payload may hold a NIK the user typed: it is encrypted, and dropped once the update is done (the row stays a
day so that Telegram delivering the same update again is recognised and ignored).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.schema import inbox, utc
from storage.sealing import Sealer
from storage.upsert import upsert_statement

PAYLOAD_CONTEXT = "inbox"
KEEP_DONE = dt.timedelta(days=1)  # Telegram redelivers an unconfirmed update for at most 24 hours


class LeaseLost(Exception):
    """The update's lease was taken over by another process (or the update is done already): nothing is
    committed for it here."""


@dataclass(frozen=True)
class IncomingUpdate:
    update_id: int
    user_key: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class ClaimedUpdate:
    update_id: int
    user_key: int
    payload: dict[str, Any]
    attempts: int  # including this claim


@dataclass(frozen=True)
class InboxStats:
    depth: int  # updates not yet done
    oldest: dt.datetime | None  # when the oldest of them arrived


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InboxStore:
    def __init__(self, db: Database, vault: Sealer) -> None:
        self.db = db
        self.vault = vault

    async def accept(self, updates: Sequence[IncomingUpdate]) -> None:
        """Store updates durably (committed when this returns); an update id already stored (done or not) is
        ignored, so Telegram delivering an update again never has it handled twice."""
        if not updates:
            return
        now = _now()
        rows = [{"update_id": u.update_id, "user_key": u.user_key, "received_at": now,
                 "payload": self.vault.encrypt_json(u.payload, context=PAYLOAD_CONTEXT)} for u in updates]
        async with self.db.transaction() as conn:
            await conn.execute(upsert_statement(self.db.dialect, inbox, rows, keys=["update_id"], update=[]))

    async def claim(self, owner: str, limit: int, lease: dt.timedelta) -> list[ClaimedUpdate]:
        """Claim up to `limit` updates, each the oldest unfinished one of a user with nothing in flight."""
        if limit <= 0:
            return []
        now = _now()
        earlier = inbox.alias("earlier")
        older_open = (
            sa.select(earlier.c.update_id)
            .where(earlier.c.user_key == inbox.c.user_key, earlier.c.done_at.is_(None),
                   earlier.c.update_id < inbox.c.update_id)
            .exists()
        )
        candidates = (
            sa.select(inbox.c.update_id, inbox.c.user_key, inbox.c.payload, inbox.c.attempts)
            .where(inbox.c.done_at.is_(None),
                   sa.or_(inbox.c.claim_until.is_(None), inbox.c.claim_until < now),
                   ~older_open)
            .order_by(inbox.c.update_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=inbox)
        )
        async with self.db.transaction() as conn:
            rows = (await conn.execute(candidates)).all()
            if not rows:
                return []
            ids = [r.update_id for r in rows]
            await conn.execute(
                sa.update(inbox).where(inbox.c.update_id.in_(ids))
                .values(claimed_by=owner, claim_until=now + lease, attempts=inbox.c.attempts + 1)
            )
        return [ClaimedUpdate(r.update_id, r.user_key, self._open(r.payload), r.attempts + 1) for r in rows]

    def _open(self, payload: str | None) -> dict[str, Any]:
        if payload is None:
            return {}
        data = self.vault.decrypt_json(payload, context=PAYLOAD_CONTEXT)
        return data if isinstance(data, dict) else {}

    async def renew(self, owner: str, update_ids: Sequence[int], lease: dt.timedelta) -> set[int]:
        """Extend the leases this process still holds; returns the ids it still holds."""
        if not update_ids:
            return set()
        held = (inbox.c.update_id.in_(list(update_ids)) & (inbox.c.claimed_by == owner)
                & inbox.c.done_at.is_(None))
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(inbox).where(held).values(claim_until=_now() + lease))
            rows = await conn.execute(sa.select(inbox.c.update_id).where(held))
            return {r.update_id for r in rows}

    async def complete(
        self, update_id: int, owner: str,
        also: Callable[[AsyncConnection], Awaitable[None]] | None = None,
    ) -> None:
        """Mark the update done, in one transaction with `also` (the state the update changed). Raises
        `LeaseLost` (and commits nothing) when this process no longer holds the update."""
        async with self.db.transaction() as conn:
            if also is not None:
                await also(conn)
            result = await conn.execute(
                sa.update(inbox)
                .where(inbox.c.update_id == update_id, inbox.c.claimed_by == owner, inbox.c.done_at.is_(None))
                .values(done_at=_now(), payload=None, claim_until=None)
            )
            if result.rowcount != 1:
                raise LeaseLost(f"update {update_id} is no longer held by {owner}")

    async def release(self, owner: str, update_ids: Sequence[int]) -> None:
        """Give claimed updates back (not handled): any process may claim them at once."""
        if not update_ids:
            return
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(inbox)
                .where(inbox.c.update_id.in_(list(update_ids)), inbox.c.claimed_by == owner,
                       inbox.c.done_at.is_(None))
                .values(claimed_by=None, claim_until=None)
            )

    async def release_all(self) -> int:
        """Free every lease (one process alone on the database, at start: any claim is a dead process's)."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(inbox).where(inbox.c.done_at.is_(None), inbox.c.claim_until.is_not(None))
                .values(claimed_by=None, claim_until=None)
            )
            return int(result.rowcount or 0)

    async def prune(self, older_than: dt.timedelta = KEEP_DONE) -> int:
        """Delete done updates older than `older_than`; returns how many."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.delete(inbox).where(inbox.c.done_at.is_not(None), inbox.c.done_at < _now() - older_than))
            return int(result.rowcount or 0)

    async def stats(self) -> InboxStats:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(sa.func.count(), sa.func.min(inbox.c.received_at)).where(inbox.c.done_at.is_(None))
            )).one()
        return InboxStats(int(row[0]), utc(row[1]))

    async def is_done(self, update_id: int) -> bool:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(inbox.c.done_at).where(inbox.c.update_id == update_id))).first()
        return row is not None and row.done_at is not None

    async def done_ids(self) -> list[int]:
        """Every update id marked done and still kept (tests and benchmarks check exactly-once with it)."""
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(inbox.c.update_id).where(inbox.c.done_at.is_not(None)).order_by(inbox.c.update_id))
            return [r.update_id for r in rows]


class PollerLock:
    """Only one process polls Telegram (a second `getUpdates` gets 409): a PostgreSQL session advisory lock held
    on a connection of its own. When the holder dies its connection closes, the lock is free, and the next
    process that tries takes it. SQLite: one process, always held."""

    def __init__(self, db: Database, name: str = "jagakerja-poller") -> None:
        self.db = db
        self.name = name
        self._conn: AsyncConnection | None = None

    def _key(self) -> sa.TextClause:
        # Per schema, so that databases sharing a server (tests, several bots) do not exclude each other.
        return sa.text("hashtext(current_schema() || ':' || :name)").bindparams(name=self.name)

    async def try_acquire(self) -> bool:
        if self.db.dialect != "postgresql":
            return True
        if self._conn is None:
            self._conn = await self.db.engine.connect()
        try:
            got = (await self._conn.execute(
                sa.select(sa.func.pg_try_advisory_lock(self._key())))).scalar_one()
            await self._conn.commit()  # a session lock outlives the transaction; do not sit idle in one
        except Exception:
            await self._drop()
            raise
        if not got:
            await self._drop()
        return bool(got)

    async def still_held(self) -> bool:
        """The lock's connection is alive (it is the lock)."""
        if self.db.dialect != "postgresql":
            return True
        if self._conn is None:
            return False
        try:
            await self._conn.execute(sa.text("SELECT 1"))
            await self._conn.commit()
            return True
        except Exception:
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute(sa.select(sa.func.pg_advisory_unlock(self._key())))
            await self._conn.commit()
        except Exception:  # closing the connection frees the lock anyway
            pass
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
