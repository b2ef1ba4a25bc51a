"""Engine creation and migrations for SQLite (WAL, busy timeout, foreign keys) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.migrate import upgrade_to_head

SQLITE_BUSY_TIMEOUT_MS = 10_000


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
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                               connect_args=connect_args)


class Database:
    """One engine, migrated at start. Repositories take a `Database` and run their own statements."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, schema)
        # SQLite has one writer at a time: queueing writers on an asyncio lock is fair and cheap, where
        # SQLite's own busy handler makes waiting writers sleep and retry. PostgreSQL needs no such lock.
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if self.dialect == "sqlite" else None

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
        async with self.engine.connect() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, schema: str | None = None) -> Database:
    db = Database(url, schema)
    await db.migrate()
    return db
