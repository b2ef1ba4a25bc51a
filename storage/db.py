"""Engine creation and migrations for SQLite (WAL, busy timeout, foreign keys) and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.migrate import upgrade_to_head

SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: a pooled connection idle longer than this is pinged before use (see `ping_after_idle`).
IDLE_PING_SECONDS = 30.0


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, schema: str | None = None) -> AsyncEngine:
    """An async engine; `schema` (PostgreSQL only) sets the search_path, e.g. one schema per test."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Readers run side by side (WAL); writers queue in asyncio (see Database.transaction).
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=4, max_overflow=4,
            pool_timeout=120,
        )
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return engine
    connect_args = {"server_settings": {"search_path": schema}} if schema else {}
    engine = create_async_engine(url, pool_size=10, max_overflow=10, connect_args=connect_args)
    ping_after_idle(engine)
    return engine


def ping_after_idle(engine: AsyncEngine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Pessimistic disconnect handling only where it pays: `pool_pre_ping=True` pinged on EVERY checkout
    (+230 µs CPU each, issue 16), while a pooled connection in steady use is alive by construction. A
    connection idle for more than `idle_seconds` (a server restart, a firewall's idle cut, a failover may
    have happened meanwhile) is pinged at checkout; if the ping fails, the pool drops it and hands out a fresh
    one (DisconnectionError from a checkout listener: SQLAlchemy retries the checkout)."""
    dialect = engine.dialect

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"connection idle for {time.monotonic() - idle_since:.0f} s is gone") from exc

    event.listen(engine.sync_engine.pool, "checkin", checkin)
    event.listen(engine.sync_engine.pool, "checkout", checkout)


class Database:
    """One engine, migrated at start. Repositories take a `Database` and run their own statements."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, schema)
        # SQLite has one writer at a time: queueing writers on an asyncio lock is fair and cheap, where
        # SQLite's own busy handler makes waiting writers sleep and retry. PostgreSQL needs no such lock.
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if self.dialect == "sqlite" else None
        # The read connection shared by the reads of one task (see `shared_reads`); PTB handles each update in
        # its own task, so one update's lookups never see another's connection.
        self._shared_read: ContextVar[AsyncConnection | None] = ContextVar(f"shared_read_{id(self)}", default=None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> list[str]:
        """Apply every pending migration; returns the revisions applied (empty when up to date)."""
        async with self.engine.begin() as conn:
            return await conn.run_sync(upgrade_to_head)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (commit on success, rollback on error). Do not nest them."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads: the task's shared one inside `shared_reads()`, else a pooled one."""
        shared = self._shared_read.get()
        if shared is not None:
            yield shared
            return
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def shared_reads(self) -> AsyncIterator[None]:
        """Several repositories' reads on one connection (e.g. the user row and their role, once per update).
        Writes still take their own transaction."""
        if self._shared_read.get() is not None:
            yield
            return
        async with self.engine.connect() as conn:
            token = self._shared_read.set(conn)
            try:
                yield
            finally:
                self._shared_read.reset(token)

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, schema: str | None = None) -> Database:
    db = Database(url, schema)
    await db.migrate()
    return db
