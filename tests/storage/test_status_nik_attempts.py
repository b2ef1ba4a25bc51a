"""The per-NIK daily count of status checks that found nothing (issue 13), on SQLite and PostgreSQL: attempts
made at the same time cannot pass the limit together."""

from __future__ import annotations

import asyncio
import datetime as dt

from storage.db import Database
from storage.status_checks import StatusCheckRepository

DAY = dt.date(2026, 11, 22)


async def test_ten_attempts_at_once_let_three_through(db: Database) -> None:
    repo = StatusCheckRepository(db)
    allowed = await asyncio.gather(*(repo.take_nik_attempt("k" * 64, DAY, 3) for _ in range(10)))
    assert sorted(allowed) == [False] * 7 + [True] * 3
    assert await repo.locked_niks(DAY, 3) == 1
    assert await repo.locked_niks(DAY + dt.timedelta(days=1), 3) == 0
    assert await repo.take_nik_attempt("k" * 64, DAY + dt.timedelta(days=1), 3)  # a new day


async def test_an_attempt_given_back_does_not_count(db: Database) -> None:
    repo = StatusCheckRepository(db)
    for _ in range(5):
        assert await repo.take_nik_attempt("a", DAY, 3)
        await repo.give_back_nik_attempt("a", DAY)
    assert await repo.locked_niks(DAY, 3) == 0
    for _ in range(3):
        assert await repo.take_nik_attempt("a", DAY, 3)
    assert not await repo.take_nik_attempt("a", DAY, 3)
    await repo.purge_quota(DAY + dt.timedelta(days=1))
    assert await repo.locked_niks(DAY, 3) == 0
