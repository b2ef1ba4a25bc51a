"""Test databases: a fresh SQLite file, or a fresh schema on the PostgreSQL named by TEST_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database

PG_SKIP_REASON = (
    "PostgreSQL tests SKIPPED: set TEST_DATABASE_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
)


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url or None


@asynccontextmanager
async def sqlite_database(folder: Path, migrate: bool = True) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{folder / 'test.db'}")
    if migrate:
        await db.migrate()
    try:
        yield db
    finally:
        await db.close()


@asynccontextmanager
async def postgres_database(url: str, migrate: bool = True) -> AsyncIterator[Database]:
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, schema=schema)
    try:
        if migrate:
            await db.migrate()
        yield db
    finally:
        await db.close()
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
