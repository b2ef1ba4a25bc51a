"""PostgreSQL: a pooled connection is pinged only after it sat idle (issue 16: `pool_pre_ping` on every checkout
cost +230 µs CPU); a connection that died while idle is replaced, not handed out."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

import storage.db
from storage.db import create_engine
from tests.support.db import PG_SKIP_REASON, postgres_url


@pytest.fixture
def pg_url() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip(PG_SKIP_REASON)
    return url


def count_pings(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(original(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return pings


class Later:
    """`time` as seen by storage.db, `offset` seconds in the future: every pooled connection looks idle."""

    offset = 0.0

    @classmethod
    def monotonic(cls) -> float:
        return time.monotonic() + cls.offset


def age_idle_connections(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    Later.offset = seconds
    monkeypatch.setattr(storage.db, "time", Later)


async def test_busy_connections_are_not_pinged(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(pg_url)
    pings = count_pings(engine, monkeypatch)
    try:
        for _ in range(20):
            async with engine.connect() as conn:
                assert (await conn.execute(sa.text("SELECT 1"))).scalar() == 1
        assert pings == []
        age_idle_connections(monkeypatch, 31)
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        assert pings == [1]
    finally:
        await engine.dispose()


async def test_a_connection_that_died_while_idle_is_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(pg_url)
    killer = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar()
        async with killer.connect() as conn:  # a server restart or an idle cut, as seen from the pool
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar()
        age_idle_connections(monkeypatch, 31)
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar() != pid
    finally:
        await engine.dispose()
        await killer.dispose()
