"""Users: language, consent, deep-link payload, blocked flag; erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from storage.db import Database
from storage.schema import consent_log, erasure_log, ptb_conversations, ptb_user_data, users, utc
from storage.upsert import upsert_statement


@dataclass(frozen=True)
class UserRecord:
    id: int
    language: str | None
    tg_language_code: str | None
    consent_status: str | None
    consent_version: str | None
    consent_at: dt.datetime | None
    start_payload: str | None
    blocked_at: dt.datetime | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    region_code: str | None = None
    broadcasts_stopped_at: dt.datetime | None = None  # /berhenti: announcements stopped since then

    @property
    def has_consented(self) -> bool:
        return self.consent_status == "given"


def _record(row: sa.Row) -> UserRecord:
    m = row._mapping
    return UserRecord(
        id=m["id"], language=m["language"], tg_language_code=m["tg_language_code"],
        consent_status=m["consent_status"], consent_version=m["consent_version"],
        consent_at=utc(m["consent_at"]), start_payload=m["start_payload"], blocked_at=utc(m["blocked_at"]),
        created_at=utc(m["created_at"]) or m["created_at"], last_seen_at=utc(m["last_seen_at"]) or m["last_seen_at"],
        region_code=m["region_code"], broadcasts_stopped_at=utc(m["broadcasts_stopped_at"]),
    )


@dataclass(frozen=True)
class ConsentEvent:
    version: str
    decision: str
    at: dt.datetime


LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)  # "active in the last 30 days" needs no finer clock


class UserRepository:
    """Every write to the `users` table goes through here: after each one (but `refresh`, whose caller gets the
    fresh row back) the `listeners` are told the user id, so a cache of user rows kept above (the per-update
    actor cache, `bot/domain/actor_cache.py`) is invalidated by every writer — the broadcast sender's
    `mark_blocked` included."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._touch: Any = None
        self.listeners: list[Callable[[int], None]] = []

    def _changed(self, user_id: int) -> None:
        for listener in self.listeners:
            listener(user_id)

    async def touch(self, user_id: int, tg_language_code: str | None, now: dt.datetime) -> UserRecord:
        """Create the user on first contact; refresh last-seen (and unblock: they wrote again).

        This runs for every update, so it reads first and writes only when something changed or last-seen is
        older than LAST_SEEN_RESOLUTION: most updates then cost one primary-key read and no write lock."""
        current = await self.get(user_id)
        if current is not None and not self.needs_refresh(current, tg_language_code, now):
            return current
        return await self.refresh(user_id, tg_language_code, now)

    @staticmethod
    def needs_refresh(current: UserRecord, tg_language_code: str | None, now: dt.datetime) -> bool:
        """True when `touch` must write: unblocked again, a new Telegram language, or last-seen gone stale."""
        return (current.blocked_at is not None or current.tg_language_code != tg_language_code
                or now - current.last_seen_at >= LAST_SEEN_RESOLUTION)

    async def refresh(self, user_id: int, tg_language_code: str | None, now: dt.datetime) -> UserRecord:
        """The write half of `touch`: create the user or refresh last-seen (and unblock)."""
        if self._touch is None:
            self._touch = upsert_statement(
                self.db.dialect, users,
                {"id": sa.bindparam("uid"), "tg_language_code": sa.bindparam("code"),
                 "created_at": sa.bindparam("now"), "last_seen_at": sa.bindparam("now"), "blocked_at": None},
                keys=["id"], update=["tg_language_code", "last_seen_at", "blocked_at"],
            ).returning(*users.c)
        async with self.db.transaction() as conn:
            row = (await conn.execute(self._touch, {"uid": user_id, "code": tg_language_code, "now": now})).one()
        return _record(row)

    async def get(self, user_id: int) -> UserRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(users).where(users.c.id == user_id))).first()
        return _record(row) if row else None

    async def set_language(self, user_id: int, language: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(users).where(users.c.id == user_id).values(language=language))
        self._changed(user_id)

    async def set_start_payload(self, user_id: int, payload: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(users).where(users.c.id == user_id).values(start_payload=payload))
        self._changed(user_id)

    async def set_region(self, user_id: int, region_code: str, *, only_if_more_precise: bool = False) -> None:
        """Remember where the user lives (desa > kecamatan > kabupaten); used to target broadcasts."""
        async with self.db.transaction() as conn:
            stmt = sa.update(users).where(users.c.id == user_id).values(region_code=region_code)
            if only_if_more_precise:
                stmt = stmt.where(
                    users.c.region_code.is_(None) | (sa.func.length(users.c.region_code) <= len(region_code))
                )
            await conn.execute(stmt)
        self._changed(user_id)

    async def set_broadcasts_stopped(self, user_id: int, stopped_at: dt.datetime | None) -> bool:
        """/berhenti (a moment) or /lanjut (None); an earlier stop keeps its moment. False when the user is unknown
        or nothing changed."""
        stmt = sa.update(users).where(users.c.id == user_id)
        if stopped_at is None:
            stmt = stmt.where(users.c.broadcasts_stopped_at.is_not(None)).values(broadcasts_stopped_at=None)
        else:
            stmt = stmt.where(users.c.broadcasts_stopped_at.is_(None)).values(broadcasts_stopped_at=stopped_at)
        async with self.db.transaction() as conn:
            changed = bool((await conn.execute(stmt)).rowcount)
        self._changed(user_id)
        return changed

    async def record_consent(self, user_id: int, version: str, decision: str, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(users).where(users.c.id == user_id)
                .values(consent_status=decision, consent_version=version, consent_at=now)
            )
            await conn.execute(
                sa.insert(consent_log).values(user_id=user_id, version=version, decision=decision, at=now)
            )
        self._changed(user_id)

    async def consent_history(self, user_id: int) -> list[ConsentEvent]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(consent_log.c.version, consent_log.c.decision, consent_log.c.at)
                .where(consent_log.c.user_id == user_id).order_by(consent_log.c.id)
            )
            return [ConsentEvent(r.version, r.decision, utc(r.at) or r.at) for r in rows]

    async def mark_blocked(self, user_id: int, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(users).where(users.c.id == user_id).values(blocked_at=now))
        self._changed(user_id)

    async def erase(self, user_id: int, user_hash: str, now: dt.datetime) -> None:
        """Delete the user, their consent log, stored conversation data; keep an anonymous erasure record."""
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(consent_log).where(consent_log.c.user_id == user_id))
            await conn.execute(sa.delete(users).where(users.c.id == user_id))
            await conn.execute(sa.delete(ptb_user_data).where(ptb_user_data.c.user_id == user_id))
            await conn.execute(
                sa.delete(ptb_conversations).where(
                    ptb_conversations.c.key.in_([f"[{user_id}, {user_id}]", f"[{user_id}]"])
                )
            )
            await conn.execute(sa.insert(erasure_log).values(user_hash=user_hash, at=now))
        self._changed(user_id)

    async def count(self) -> int:
        async with self.db.read() as conn:
            return int((await conn.execute(sa.select(sa.func.count()).select_from(users))).scalar_one())
