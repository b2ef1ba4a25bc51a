"""Where requests wait: open requests counted per desa (for the admins' 08:00 list of desa without an official).
Codes, counts and times only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.interest import interest_requests
from storage.schema import utc


@dataclass(frozen=True)
class DesaWaiting:
    desa_code: str
    waiting: int
    oldest: dt.datetime


class WaitingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_desa(self, statuses: tuple[str, ...]) -> list[DesaWaiting]:
        """Desa with requests in `statuses`: how many and since when, most waiting first."""
        t = interest_requests
        count = sa.func.count().label("waiting")
        stmt = (sa.select(t.c.desa_code, count, sa.func.min(t.c.created_at).label("oldest"))
                .where(t.c.status.in_(list(statuses))).group_by(t.c.desa_code)
                .order_by(count.desc(), t.c.desa_code))
        async with self.db.read() as conn:
            rows = (await conn.execute(stmt)).all()
        return [DesaWaiting(r.desa_code, int(r.waiting), utc(r.oldest) or r.oldest) for r in rows]
