"""The audit log: who saw a full NIK, exported, changed a status, invited or revoked — and when.

No personal data in it: targets are request references, Telegram ids of officials, or region codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.schema import metadata, utc

ACTIONS = ("nik_view", "export", "status_change", "note", "invite", "invite_accepted", "revoke",
           "worker_edit", "withdraw",  # a worker changed or withdrew their own request
           "question_view", "question_answer", "faq_learn",  # the questions inbox and the FAQ learning loop
           "roster_import", "roster_undo",  # a roster batch imported (target: batch id) or undone
           "broadcast_created", "broadcast_sent", "broadcast_paused", "broadcast_resumed", "broadcast_stopped",
           "proposal",  # requests marked proposed (usulan) / a desa's proposal list downloaded
           "assisted_registration", "assisted_erase",  # a worker without Telegram registered / erased by an official
           "coverage_target")  # an admin set or removed a region's coverage target (/target; target: region code)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("area_code", sa.String(16), nullable=True),
    sa.Column("target", sa.String(64), nullable=True),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Index("ix_audit_log_target", "target"),  # a user's revocations, looked up when they accept an invite
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor_id: int
    action: str
    area_code: str | None
    target: str | None
    detail: str | None


@dataclass(frozen=True)
class NewAuditEntry:
    """An entry to write, e.g. in the same transaction as the change it records (`write_entry`)."""

    actor_id: int
    action: str
    area_code: str | None = None
    target: str | None = None
    detail: str | None = None


async def write_entry(conn: AsyncConnection, entry: NewAuditEntry, now: dt.datetime) -> None:
    """Insert on the caller's connection: the entry commits (or rolls back) with the caller's transaction."""
    if entry.action not in ACTIONS:
        raise ValueError(f"unknown audit action {entry.action!r}")
    await conn.execute(sa.insert(audit_log).values(
        at=now, actor_id=entry.actor_id, action=entry.action, area_code=entry.area_code, target=entry.target,
        detail=entry.detail))


def _entry(row: sa.Row) -> AuditEntry:
    m = row._mapping
    return AuditEntry(id=m["id"], at=utc(m["at"]) or m["at"], actor_id=m["actor_id"], action=m["action"],
                      area_code=m["area_code"], target=m["target"], detail=m["detail"])


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, *, actor_id: int, action: str, now: dt.datetime, area_code: str | None = None,
        target: str | None = None, detail: str | None = None,
    ) -> None:
        entry = NewAuditEntry(actor_id=actor_id, action=action, area_code=area_code, target=target, detail=detail)
        if action not in ACTIONS:  # before taking the write lock
            raise ValueError(f"unknown audit action {action!r}")
        async with self.db.transaction() as conn:
            await write_entry(conn, entry, now)

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit))
            return [_entry(r) for r in rows]

    async def all(self) -> list[AuditEntry]:
        """Oldest first (for the file)."""
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(audit_log).order_by(audit_log.c.at, audit_log.c.id))
            return [_entry(r) for r in rows]

    async def count(self, action: str | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(audit_log)
        if action:
            stmt = stmt.where(audit_log.c.action == action)
        async with self.db.read() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def page(self, actions: tuple[str, ...] | None, actor_id: int | None, *, limit: int,
                   offset: int) -> tuple[list[AuditEntry], int]:
        """Entries of these actions (None: all) by this person (None: anyone), newest first; and how many."""
        where: list[sa.ColumnElement[bool]] = []
        if actions is not None:
            where.append(audit_log.c.action.in_(list(actions)))
        if actor_id is not None:
            where.append(audit_log.c.actor_id == actor_id)
        async with self.db.read() as conn:
            total = int((await conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(*where)))
                        .scalar_one())
            rows = await conn.execute(sa.select(audit_log).where(*where)
                                      .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
                                      .limit(limit).offset(offset))
            return [_entry(r) for r in rows], total

    async def recent_actors(self, limit: int = 12) -> list[int]:
        """The people who acted last, most recent first."""
        last = sa.func.max(audit_log.c.id).label("last")
        stmt = sa.select(audit_log.c.actor_id, last).group_by(audit_log.c.actor_id).order_by(last.desc()).limit(limit)
        async with self.db.read() as conn:
            return [int(r.actor_id) for r in await conn.execute(stmt)]
