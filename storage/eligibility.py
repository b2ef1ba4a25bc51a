"""Anonymous eligibility screening results (for statistics): no NIK, no exact income or age."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata, utc

eligibility_results = sa.Table(
    "eligibility_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=True, index=True),
    sa.Column("kabupaten_code", sa.String(8), nullable=False, index=True),
    sa.Column("kecamatan_code", sa.String(16), nullable=True),
    sa.Column("outcome", sa.String(24), nullable=False),  # likely, needs_verification, not_eligible
    sa.Column("occupation", sa.String(32), nullable=True),
    sa.Column("income_range", sa.String(16), nullable=True),  # bot.domain.eligibility.INCOME_RANGES id
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class EligibilityRecord:
    id: int
    user_id: int | None
    kabupaten_code: str
    kecamatan_code: str | None
    outcome: str
    occupation: str | None
    income_range: str | None
    created_at: dt.datetime


class EligibilityRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, *, user_id: int | None, kabupaten_code: str, kecamatan_code: str | None, outcome: str,
        occupation: str | None, income_range: str | None, now: dt.datetime,
    ) -> int:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.insert(eligibility_results).values(
                    user_id=user_id, kabupaten_code=kabupaten_code, kecamatan_code=kecamatan_code, outcome=outcome,
                    occupation=occupation, income_range=income_range, created_at=now,
                ).returning(eligibility_results.c.id)
            )
            return int(result.scalar_one())

    async def list_for_user(self, user_id: int) -> list[EligibilityRecord]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(eligibility_results).where(eligibility_results.c.user_id == user_id)
                .order_by(eligibility_results.c.id)
            )
            return [
                EligibilityRecord(r.id, r.user_id, r.kabupaten_code, r.kecamatan_code, r.outcome, r.occupation,
                                  r.income_range, utc(r.created_at) or r.created_at)
                for r in rows
            ]

    async def forget_user(self, user_id: int) -> None:
        """Erasure: keep the anonymous figures, drop the link to the Telegram account."""
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(eligibility_results).where(eligibility_results.c.user_id == user_id).values(user_id=None)
            )
