from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.domain.privacy import Vault, generate_key
from bot.testing.runtime import LocalBot
from storage.db import Database
from tests.support.db import PG_SKIP_REASON, postgres_database, postgres_url, sqlite_database

_pg_skips: list[str] = []
ADMIN_ID = 900001


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database: every repository test runs on SQLite and on PostgreSQL (when reachable)."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as database:
            yield database
        return
    url = postgres_url()
    if url is None:
        _pg_skips.append(request.node.nodeid)
        pytest.skip(PG_SKIP_REASON)
    async with postgres_database(url) as database:
        yield database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture
def vault() -> Vault:
    return Vault(generate_key())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _pg_skips:
        terminalreporter.write_sep("!", f"{len(_pg_skips)} PostgreSQL tests SKIPPED", red=True, bold=True)
        terminalreporter.write_line(PG_SKIP_REASON, red=True)


@pytest.fixture
def clock() -> FixedClock:
    """A controllable clock: 22 Nov 2026 09:00 WITA unless a test moves it."""
    return FixedClock(dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
async def local_bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[LocalBot]:
    """The real Application on a fresh SQLite database, talking HTTP to a fresh Bot API double."""
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock,
                        admin_ids=(ADMIN_ID,)) as bot:
        yield bot
