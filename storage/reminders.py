"""Expiry reminders: who opted in (for which roster entry) and which reminders were already sent.

The unique key (user_id, berakhir, kind) on `reminders_sent` is what makes a reminder go out at most
once, across restarts and machines: a reminder is claimed (inserted) before it is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.roster import roster_members
from storage.schema import metadata, users, utc

reminder_subscriptions = sa.Table(
    "reminder_subscriptions",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("roster_members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("known_berakhir", sa.Date, nullable=False),  # the end date the user was last told about
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

reminders_sent = sa.Table(
    "reminders_sent",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("berakhir", sa.Date, nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # d30 | d7 | extended
    sa.Column("status", sa.String(12), nullable=False),  # sending | sent | failed
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("user_id", "berakhir", "kind", name="uq_reminders_sent_once"),
)


@dataclass(frozen=True)
class Subscription:
    user_id: int
    member_id: int
    known_berakhir: dt.date
    created_at: dt.datetime


@dataclass(frozen=True)
class DueCandidate:
    user_id: int
    member_id: int
    known_berakhir: dt.date
    berakhir: dt.date
    program: str
    language: str | None


@dataclass(frozen=True)
class SentReminder:
    user_id: int
    berakhir: dt.date
    kind: str
    status: str
    at: dt.datetime


class ReminderRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def subscribe(self, user_id: int, member_id: int, berakhir: dt.date, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(reminder_subscriptions).where(reminder_subscriptions.c.user_id == user_id))
            await conn.execute(sa.insert(reminder_subscriptions).values(
                user_id=user_id, member_id=member_id, known_berakhir=berakhir, created_at=now))

    async def unsubscribe(self, user_id: int) -> bool:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.delete(reminder_subscriptions).where(reminder_subscriptions.c.user_id == user_id))
            return bool(result.rowcount)

    async def get(self, user_id: int) -> Subscription | None:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(reminder_subscriptions).where(reminder_subscriptions.c.user_id == user_id))).first()
        if row is None:
            return None
        return Subscription(row.user_id, row.member_id, row.known_berakhir, utc(row.created_at) or row.created_at)

    async def candidates(self, today: dt.date, horizon_days: int) -> list[DueCandidate]:
        """Subscribers whose (current, not removed) roster entry ends within the horizon, or whose end date
        moved past the one they were told about."""
        s, m = reminder_subscriptions, roster_members
        stmt = (
            sa.select(s.c.user_id, s.c.member_id, s.c.known_berakhir, m.c.berakhir, m.c.program, users.c.language)
            .join(m, m.c.id == s.c.member_id)
            .outerjoin(users, users.c.id == s.c.user_id)
            .where(
                m.c.removed_on.is_(None),
                users.c.blocked_at.is_(None),
                m.c.berakhir >= today,
                sa.or_(m.c.berakhir <= today + dt.timedelta(days=horizon_days), m.c.berakhir > s.c.known_berakhir),
            )
            .order_by(s.c.user_id)
        )
        async with self.db.read() as conn:
            return [DueCandidate(r.user_id, r.member_id, r.known_berakhir, r.berakhir, r.program, r.language)
                    for r in await conn.execute(stmt)]

    async def claim(self, user_id: int, berakhir: dt.date, kind: str, now: dt.datetime) -> bool:
        """Reserve this reminder; False when it was already claimed (sent, or being sent) before."""
        try:
            async with self.db.transaction() as conn:
                await conn.execute(sa.insert(reminders_sent).values(
                    user_id=user_id, berakhir=berakhir, kind=kind, status="sending", at=now))
        except IntegrityError:
            return False
        return True

    async def mark(self, user_id: int, berakhir: dt.date, kind: str, status: str, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(reminders_sent)
                .where(reminders_sent.c.user_id == user_id, reminders_sent.c.berakhir == berakhir,
                       reminders_sent.c.kind == kind)
                .values(status=status, at=now)
            )

    async def set_known_berakhir(self, user_id: int, berakhir: dt.date) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(reminder_subscriptions).where(reminder_subscriptions.c.user_id == user_id)
                               .values(known_berakhir=berakhir))

    async def sent(self, user_id: int) -> list[SentReminder]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(reminders_sent).where(reminders_sent.c.user_id == user_id).order_by(reminders_sent.c.id))
            return [SentReminder(r.user_id, r.berakhir, r.kind, r.status, utc(r.at) or r.at) for r in rows]

    async def erase(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(reminder_subscriptions).where(reminder_subscriptions.c.user_id == user_id))
            await conn.execute(sa.delete(reminders_sent).where(reminders_sent.c.user_id == user_id))
