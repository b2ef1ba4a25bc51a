"""Runs of scheduled work claimed once across processes (table `job_runs` in `storage.schema`).

A run is a `(job, run_key)` pair, e.g. `("followup-daily-digest", "2026-11-30")` or `("broadcast", "42")`.
Claiming it is an insert-or-nothing on the primary key, so of several processes exactly one gets it. The
claim carries a lease (`lease_until`): the holder renews it while it works (a heartbeat) and marks the run
done at the end (`done_at`). When the holder dies, its lease runs out and another process may take the run
over (`acquire` succeeds again once `lease_until` has passed). `once` is the short form for an item that is
done the moment it is claimed (at most once, no lease).

Times come from the caller (the services' clock), so all processes must keep their clocks in step (NTP):
a skew well under the lease (seconds) is harmless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.schema import job_runs, utc


@dataclass(frozen=True)
class Run:
    job: str
    run_key: str
    claimed_by: str
    claimed_at: dt.datetime
    lease_until: dt.datetime | None
    done_at: dt.datetime | None


def _run(row: sa.Row) -> Run:
    m = row._mapping
    return Run(m["job"], m["run_key"], m["claimed_by"], utc(m["claimed_at"]) or m["claimed_at"],
               utc(m["lease_until"]), utc(m["done_at"]))


class LeaseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _insert(self, values: dict[str, object]) -> sa.Insert:
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        return insert(job_runs).values(**values).on_conflict_do_nothing(
            index_elements=["job", "run_key"]).returning(job_runs.c.job)

    async def acquire(self, job: str, run_key: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Claim the run, or take it over when its holder's lease has run out (or renew it when `holder` holds
        it already). False: another process holds it, or it is done."""
        t = job_runs
        async with self.db.transaction() as conn:
            inserted = (await conn.execute(self._insert({
                "job": job, "run_key": run_key, "claimed_by": holder, "claimed_at": now, "lease_until": now + ttl,
            }))).first()
            if inserted is not None:
                return True
            # One statement: PostgreSQL re-checks the condition on the locked row, SQLite has one writer.
            taken = await conn.execute(
                sa.update(t).where(t.c.job == job, t.c.run_key == run_key, t.c.done_at.is_(None),
                                   sa.or_(t.c.claimed_by == holder, t.c.lease_until.is_(None), t.c.lease_until <= now))
                .values(claimed_by=holder, claimed_at=now, lease_until=now + ttl)
            )
            return bool(taken.rowcount)

    async def renew(self, job: str, run_key: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """The heartbeat: extend the lease; False when `holder` lost the run (taken over, or done)."""
        t = job_runs
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(t).where(t.c.job == job, t.c.run_key == run_key, t.c.claimed_by == holder,
                                   t.c.done_at.is_(None))
                .values(lease_until=now + ttl)
            )
            return bool(result.rowcount)

    async def release(self, job: str, run_key: str, holder: str, now: dt.datetime) -> None:
        """Let go without finishing (shutdown, a paused broadcast): another process may take it at once."""
        t = job_runs
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(t).where(t.c.job == job, t.c.run_key == run_key, t.c.claimed_by == holder,
                                   t.c.done_at.is_(None))
                .values(lease_until=now)
            )

    async def finish(self, job: str, run_key: str, holder: str, now: dt.datetime) -> bool:
        """Mark the run done (nobody takes it over any more); False when `holder` no longer held it."""
        t = job_runs
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(t).where(t.c.job == job, t.c.run_key == run_key, t.c.claimed_by == holder,
                                   t.c.done_at.is_(None))
                .values(done_at=now, lease_until=None)
            )
            return bool(result.rowcount)

    async def once(self, job: str, run_key: str, holder: str, now: dt.datetime) -> bool:
        """Claim an item that is done as soon as it is claimed: True for exactly one caller, ever."""
        async with self.db.transaction() as conn:
            inserted = (await conn.execute(self._insert({
                "job": job, "run_key": run_key, "claimed_by": holder, "claimed_at": now, "done_at": now,
            }))).first()
        return inserted is not None

    async def expired(self, now: dt.datetime, jobs: list[str] | None = None) -> list[Run]:
        """Runs not done whose holder stopped renewing (died): candidates for a takeover."""
        t = job_runs
        stmt = sa.select(t).where(t.c.done_at.is_(None), t.c.lease_until < now)
        if jobs is not None:
            stmt = stmt.where(t.c.job.in_(jobs))
        async with self.db.read() as conn:
            return [_run(r) for r in await conn.execute(stmt.order_by(t.c.claimed_at))]

    async def get(self, job: str, run_key: str) -> Run | None:
        t = job_runs
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(t).where(t.c.job == job, t.c.run_key == run_key))).first()
        return _run(row) if row else None

    async def purge(self, before: dt.datetime) -> int:
        """Forget runs done before `before` (housekeeping: the keys only matter while a run could recur)."""
        t = job_runs
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.delete(t).where(t.c.done_at.is_not(None), t.c.done_at < before))
            return int(result.rowcount or 0)
