"""Protection status checks: the outcome of each check (never the NIK) and the daily quota per user.

`status_checks` is read by the statistics (issue 7): outcome is one of protected, inactive, not_found,
limited. The quota is keyed by a keyed hash of the Telegram id, so erasing a user (which anonymises
their checks) does not reset the anti-enumeration limit for the day. `status_nik_attempts` counts, per NIK and
local day, the checks that found nothing (across all users), keyed by a keyed hash of the NIK — never the NIK.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.schema import metadata
from storage.upsert import upsert

OUTCOMES = ("protected", "inactive", "not_found", "limited")
ANONYMOUS_USER = 0  # user_id of checks whose user erased their data

status_checks = sa.Table(
    "status_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("outcome", sa.String(24), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

status_check_quota = sa.Table(
    "status_check_quota",
    metadata,
    sa.Column("user_key", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("used", sa.Integer, nullable=False),
)

status_nik_attempts = sa.Table(
    "status_nik_attempts",
    metadata,
    sa.Column("nik_key", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
)


class StatusCheckRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def used(self, user_key: str, day: dt.date) -> int:
        async with self.db.read() as conn:
            value = (await conn.execute(
                sa.select(status_check_quota.c.used)
                .where(status_check_quota.c.user_key == user_key, status_check_quota.c.day == day)
            )).scalar()
        return int(value or 0)

    async def take_quota(self, user_key: str, day: dt.date, limit: int) -> bool:
        """Use one check of today's quota; False (and nothing used) when the limit is reached."""
        async with self.db.transaction() as conn:
            used = (await conn.execute(
                sa.select(status_check_quota.c.used)
                .where(status_check_quota.c.user_key == user_key, status_check_quota.c.day == day)
            )).scalar()
            if used is not None and used >= limit:
                return False
            await upsert(conn, status_check_quota, {"user_key": user_key, "day": day, "used": (used or 0) + 1},
                         keys=["user_key", "day"], update=["used"])
            return True

    async def take_nik_attempt(self, nik_key: str, day: dt.date, limit: int) -> bool:
        """Count one attempt on this NIK today as failed until `give_back_nik_attempt` (so that attempts running at
        the same time cannot pass the limit together); False when `limit` failures were already counted today.
        One atomic increment: holds on PostgreSQL across processes as on SQLite."""
        table = status_nik_attempts
        async with self.db.transaction() as conn:
            insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
            await conn.execute(insert.values(nik_key=nik_key, day=day, failures=1).on_conflict_do_update(
                index_elements=["nik_key", "day"], set_={"failures": table.c.failures + 1}))
            failures = (await conn.execute(
                sa.select(table.c.failures).where(table.c.nik_key == nik_key, table.c.day == day))).scalar_one()
        return int(failures) <= limit

    async def nik_failures(self, nik_key: str, day: dt.date) -> int:
        """Failed attempts counted on `day` under this key (key rotation: the old key's count still applies)."""
        table = status_nik_attempts
        async with self.db.read() as conn:
            value = (await conn.execute(
                sa.select(table.c.failures).where(table.c.nik_key == nik_key, table.c.day == day))).scalar()
        return int(value or 0)

    async def give_back_nik_attempt(self, nik_key: str, day: dt.date) -> None:
        """The attempt found the person: it does not count as a failure."""
        table = status_nik_attempts
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(table).where(table.c.nik_key == nik_key, table.c.day == day, table.c.failures > 0)
                .values(failures=table.c.failures - 1))

    async def locked_niks(self, day: dt.date, limit: int) -> int:
        """NIKs with `limit` or more failed attempts on `day`."""
        table = status_nik_attempts
        async with self.db.read() as conn:
            return int((await conn.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.day == day, table.c.failures >= limit)
            )).scalar_one())

    async def record(self, user_id: int, outcome: str, now: dt.datetime) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(status_checks).values(user_id=user_id, outcome=outcome, created_at=now))

    async def count_for_user(self, user_id: int) -> int:
        async with self.db.read() as conn:
            stmt = sa.select(sa.func.count()).select_from(status_checks).where(status_checks.c.user_id == user_id)
            return int((await conn.execute(stmt)).scalar_one())

    async def outcomes_for_user(self, user_id: int) -> list[str]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(status_checks.c.outcome).where(status_checks.c.user_id == user_id)
                .order_by(status_checks.c.id)
            )
            return [r.outcome for r in rows]

    async def count_by_outcome(self, since: dt.datetime | None = None) -> dict[str, int]:
        stmt = sa.select(status_checks.c.outcome, sa.func.count()).group_by(status_checks.c.outcome)
        if since is not None:
            stmt = stmt.where(status_checks.c.created_at >= since)
        async with self.db.read() as conn:
            return {outcome: int(n) for outcome, n in await conn.execute(stmt)}

    async def anonymize(self, user_id: int) -> None:
        """/hapusdata: keep the outcome counts for statistics, drop the link to the user."""
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(status_checks).where(status_checks.c.user_id == user_id).values(user_id=ANONYMOUS_USER)
            )

    async def purge_quota(self, before: dt.date) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(status_check_quota).where(status_check_quota.c.day < before))
            await conn.execute(sa.delete(status_nik_attempts).where(status_nik_attempts.c.day < before))
