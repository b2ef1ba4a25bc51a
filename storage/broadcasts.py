"""Broadcast jobs and their recipients (one row each, carrying the delivery state).

Recipient states: ``pending`` (not tried yet), ``sending`` (a send call may be in flight),
``retry`` (the last call was answered "not sent" — 429/5xx — and will be tried again), ``sent``,
``blocked`` (403), ``failed`` (rejected or out of retries), ``unknown`` (was ``sending`` when the
sender died: it may or may not have arrived; never resent — see ``bot.domain.broadcast``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata, users, utc

broadcasts = sa.Table(
    "broadcasts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("body", sa.Text),
    sa.Column("photo_file_id", sa.String(256)),
    sa.Column("audience_kind", sa.String(16), nullable=False),
    sa.Column("audience_value", sa.String(32)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("scheduled_at", sa.DateTime(timezone=True)),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_chat_id", sa.BigInteger),
    sa.Column("progress_message_id", sa.BigInteger),
    sa.Index("ix_broadcasts_state", "state", "scheduled_at"),
)

broadcast_recipients = sa.Table(
    "broadcast_recipients",
    metadata,
    sa.Column("broadcast_id", sa.Integer, sa.ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True,
              autoincrement=False),
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("message_id", sa.BigInteger),
    sa.Column("error", sa.String(200)),
    sa.Index("ix_broadcast_recipients_state", "broadcast_id", "state", "user_id"),
    sa.Index("ix_broadcast_recipients_user", "user_id"),
)

RECIPIENT_STATES = ("pending", "sending", "retry", "sent", "blocked", "failed", "unknown")
OPEN_STATES = ("pending", "sending", "retry")
INSERT_CHUNK = 1000


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    created_by: int
    created_at: dt.datetime
    kind: str
    body: str | None
    photo_file_id: str | None
    audience_kind: str
    audience_value: str | None
    state: str
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send, to record."""

    user_id: int
    state: str
    message_id: int | None = None
    error: str | None = None


def _row(row: sa.Row) -> BroadcastRow:
    m = row._mapping
    return BroadcastRow(
        id=m["id"], created_by=m["created_by"], created_at=utc(m["created_at"]) or m["created_at"],
        kind=m["kind"], body=m["body"], photo_file_id=m["photo_file_id"], audience_kind=m["audience_kind"],
        audience_value=m["audience_value"], state=m["state"], scheduled_at=utc(m["scheduled_at"]),
        started_at=utc(m["started_at"]), finished_at=utc(m["finished_at"]), total=m["total"],
        progress_chat_id=m["progress_chat_id"], progress_message_id=m["progress_message_id"],
    )


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ jobs

    async def create(
        self, *, created_by: int, kind: str, body: str | None, photo_file_id: str | None, audience_kind: str,
        audience_value: str | None, state: str, scheduled_at: dt.datetime | None, now: dt.datetime,
    ) -> int:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.insert(broadcasts).values(
                    created_by=created_by, created_at=now, kind=kind, body=body, photo_file_id=photo_file_id,
                    audience_kind=audience_kind, audience_value=audience_value, state=state,
                    scheduled_at=scheduled_at, total=0,
                ).returning(broadcasts.c.id)
            )
            return int(result.scalar_one())

    async def get(self, job_id: int) -> BroadcastRow | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(broadcasts).where(broadcasts.c.id == job_id))).first()
        return _row(row) if row else None

    async def recent(self, limit: int = 5) -> list[BroadcastRow]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(broadcasts).order_by(broadcasts.c.id.desc()).limit(limit))
            return [_row(r) for r in rows]

    async def in_state(self, *states: str) -> list[BroadcastRow]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(broadcasts).where(broadcasts.c.state.in_(states)).order_by(broadcasts.c.id)
            )
            return [_row(r) for r in rows]

    async def due(self, now: dt.datetime) -> list[int]:
        """Scheduled jobs whose time has come."""
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(broadcasts.c.id)
                .where(broadcasts.c.state == "scheduled", broadcasts.c.scheduled_at <= now)
                .order_by(broadcasts.c.scheduled_at, broadcasts.c.id)
            )
            return [int(r.id) for r in rows]

    async def set_state(
        self, job_id: int, state: str, *, from_states: Sequence[str], now: dt.datetime | None = None,
    ) -> bool:
        """Move the job to `state` if it is in one of `from_states`; False when it was not."""
        values: dict[str, object] = {"state": state}
        if state in ("done", "stopped") and now is not None:
            values["finished_at"] = now
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(broadcasts)
                .where(broadcasts.c.id == job_id, broadcasts.c.state.in_(list(from_states)))
                .values(**values)
            )
            return bool(result.rowcount)

    async def set_progress_message(self, job_id: int, chat_id: int, message_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(broadcasts).where(broadcasts.c.id == job_id)
                .values(progress_chat_id=chat_id, progress_message_id=message_id)
            )

    async def start(self, job_id: int, recipient_ids: Iterable[int], now: dt.datetime,
                    from_states: Sequence[str] = ("scheduled",)) -> bool:
        """Snapshot the recipients and mark the job running, in one transaction (so a job starts once)."""
        ids = sorted(set(recipient_ids))
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(broadcasts)
                .where(broadcasts.c.id == job_id, broadcasts.c.state.in_(list(from_states)))
                .values(state="running", started_at=now, total=len(ids))
            )
            if not result.rowcount:
                return False
            for start in range(0, len(ids), INSERT_CHUNK):
                chunk = ids[start : start + INSERT_CHUNK]
                await conn.execute(
                    sa.insert(broadcast_recipients),
                    [{"broadcast_id": job_id, "user_id": uid, "state": "pending", "attempts": 0} for uid in chunk],
                )
        return True

    # ------------------------------------------------------------------ recipients

    async def recover(self, job_id: int, now: dt.datetime) -> tuple[int, int]:
        """After a crash: `sending` → `unknown` (may have arrived: never resent), `retry` → `pending`
        (answered "not sent": safe to send). Returns (unknown, requeued)."""
        async with self.db.transaction() as conn:
            unknown = await conn.execute(
                sa.update(broadcast_recipients)
                .where(broadcast_recipients.c.broadcast_id == job_id, broadcast_recipients.c.state == "sending")
                .values(state="unknown", updated_at=now, error="sender stopped during the send call")
            )
            requeued = await conn.execute(
                sa.update(broadcast_recipients)
                .where(broadcast_recipients.c.broadcast_id == job_id, broadcast_recipients.c.state == "retry")
                .values(state="pending", updated_at=now)
            )
            return int(unknown.rowcount or 0), int(requeued.rowcount or 0)

    async def requeue_unknown(self, job_id: int, now: dt.datetime) -> int:
        """An admin chose to resend the unsure ones (at-least-once for them): `unknown` → `pending`."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(broadcast_recipients)
                .where(broadcast_recipients.c.broadcast_id == job_id, broadcast_recipients.c.state == "unknown")
                .values(state="pending", updated_at=now, error=None)
            )
            return int(result.rowcount or 0)

    async def claim(self, job_id: int, limit: int, now: dt.datetime) -> list[int]:
        """Take up to `limit` pending recipients and mark them `sending` (committed before any send), atomically,
        so two senders racing on one job never get the same row. PostgreSQL: `WITH picked AS (SELECT … LIMIT n
        FOR UPDATE SKIP LOCKED) UPDATE … FROM picked … RETURNING user_id` (rows another sender has locked are
        skipped, and `state = 'pending'` is re-checked on the locked row); SQLite (≥ 3.35): one `UPDATE … WHERE
        user_id IN (SELECT … LIMIT n) RETURNING user_id` under its single writer.
        Returns only the rows this call changed. Which process may send a job at all is its lease (job_runs,
        `bot.domain.broadcast`): a row is held by the lease holder of its job, so it needs no holder of its own."""
        r = broadcast_recipients
        free = r.alias("free")  # an alias: the same table in the subquery would be correlated with the UPDATE
        chosen = (
            sa.select(free.c.user_id).where(free.c.broadcast_id == job_id, free.c.state == "pending")
            .order_by(free.c.user_id).limit(limit)
        )
        update = sa.update(r).values(state="sending", attempts=r.c.attempts + 1, updated_at=now)
        if self.db.dialect == "postgresql":
            # A CTE: `IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)` may be re-run per outer row by the planner
            # (measured: it claimed every pending row, not n); the CTE runs once.
            picked = chosen.with_for_update(skip_locked=True).cte("picked")
            stmt = update.where(r.c.broadcast_id == job_id, r.c.state == "pending", r.c.user_id == picked.c.user_id)
        else:
            stmt = update.where(r.c.broadcast_id == job_id, r.c.state == "pending",
                                r.c.user_id.in_(chosen.scalar_subquery()))
        stmt = stmt.returning(r.c.user_id)
        async with self.db.transaction() as conn:
            return sorted(int(uid) for uid in (await conn.execute(stmt)).scalars())

    async def mark(self, job_id: int, user_id: int, state: str, now: dt.datetime, *,
                   from_state: str, count_attempt: bool = False, error: str | None = None) -> bool:
        """One recipient's transition (used around retries); False when it was not in `from_state`."""
        r = broadcast_recipients
        values: dict[str, object] = {"state": state, "updated_at": now}
        if count_attempt:
            values["attempts"] = r.c.attempts + 1
        if error is not None:
            values["error"] = error[:200]
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(r).where(r.c.broadcast_id == job_id, r.c.user_id == user_id, r.c.state == from_state)
                .values(**values)
            )
            return bool(result.rowcount)

    async def record(self, job_id: int, deliveries: Sequence[Delivery], now: dt.datetime) -> None:
        """Write the outcomes of finished sends (only rows still `sending` change)."""
        if not deliveries:
            return
        r = broadcast_recipients
        async with self.db.transaction() as conn:
            for state in {d.state for d in deliveries}:
                plain = [d for d in deliveries if d.state == state and d.message_id is None and d.error is None]
                if plain:
                    await conn.execute(
                        sa.update(r).where(r.c.broadcast_id == job_id, r.c.state == "sending",
                                           r.c.user_id.in_([d.user_id for d in plain]))
                        .values(state=state, updated_at=now)
                    )
            detailed = [d for d in deliveries if d.message_id is not None or d.error is not None]
            if detailed:
                stmt = (
                    sa.update(r)
                    .where(r.c.broadcast_id == job_id, r.c.user_id == sa.bindparam("uid"), r.c.state == "sending")
                    .values(state=sa.bindparam("new_state"), message_id=sa.bindparam("mid"),
                            error=sa.bindparam("err"), updated_at=now)
                )
                await conn.execute(stmt, [
                    {"uid": d.user_id, "new_state": d.state, "mid": d.message_id,
                     "err": d.error[:200] if d.error else None}
                    for d in detailed
                ])

    async def attempts(self, job_id: int, user_id: int) -> int:
        r = broadcast_recipients
        async with self.db.read() as conn:
            value = (await conn.execute(
                sa.select(r.c.attempts).where(r.c.broadcast_id == job_id, r.c.user_id == user_id)
            )).scalar_one_or_none()
        return int(value or 0)

    async def counts(self, job_id: int) -> dict[str, int]:
        r = broadcast_recipients
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(r.c.state, sa.func.count()).where(r.c.broadcast_id == job_id).group_by(r.c.state)
            )
            found = {str(state): int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in RECIPIENT_STATES}

    async def recipient_states(self, job_id: int) -> dict[int, str]:
        r = broadcast_recipients
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(r.c.user_id, r.c.state).where(r.c.broadcast_id == job_id))
            return {int(uid): str(state) for uid, state in rows}

    async def received_count(self, user_id: int) -> int:
        r = broadcast_recipients
        async with self.db.read() as conn:
            value = (await conn.execute(
                sa.select(sa.func.count()).select_from(r).where(r.c.user_id == user_id, r.c.state == "sent")
            )).scalar_one()
        return int(value)

    async def forget_user(self, user_id: int) -> None:
        """Erasure: drop the user from every broadcast's recipient list (a running job then skips them)."""
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(broadcast_recipients).where(broadcast_recipients.c.user_id == user_id))

    # ------------------------------------------------------------------ audiences

    async def audience_ids(
        self, *, region: str | None = None, language: str | None = None, default_language: str = "id",
        supported_languages: Sequence[str] = ("id", "en"), only: Iterable[int] | None = None,
        exclude: Iterable[int] = (),
    ) -> list[int]:
        """Users who can receive a broadcast (not blocked, announcements not stopped with /berhenti), filtered by
        area prefix and/or language."""
        stmt = sa.select(users.c.id).where(users.c.blocked_at.is_(None), users.c.broadcasts_stopped_at.is_(None))
        if region is not None:
            stmt = stmt.where((users.c.region_code == region) | users.c.region_code.like(region + ".%"))
        if language is not None:
            stmt = stmt.where(_language_is(language, default_language, supported_languages))
        if only is not None:
            only_ids = sorted(set(only))
            if not only_ids:
                return []
            stmt = stmt.where(users.c.id.in_(only_ids))
        excluded = sorted(set(exclude))
        if excluded:
            stmt = stmt.where(users.c.id.not_in(excluded))
        async with self.db.read() as conn:
            return [int(r.id) for r in await conn.execute(stmt.order_by(users.c.id))]


def _language_is(language: str, default: str, supported: Sequence[str]) -> sa.ColumnElement[bool]:
    """SQL twin of `bot.domain.i18n.resolve_language`: stored choice → Telegram language_code → default."""
    stored_ok = users.c.language.in_(list(supported))
    tg_base = sa.func.lower(sa.func.substr(users.c.tg_language_code, 1, 2))
    tg_ok = users.c.tg_language_code.is_not(None) & tg_base.in_(list(supported)) & (
        (sa.func.length(users.c.tg_language_code) == 2)
        | sa.func.substr(users.c.tg_language_code, 3, 1).in_(["-", "_"])
    )
    chosen = sa.case(
        (stored_ok, users.c.language),
        (tg_ok, tg_base),
        else_=sa.literal(default),
    )
    return chosen == language
