"""Officials (perangkat desa, kecamatan staff) and admins added by admins; their areas; one-time invites;
the officials' notes on requests and the notices sent to them about new requests.

Invite codes are stored only as a keyed hash (the link itself is the secret). Names are vault tokens.

Invites die with their maker's rights: revoking (or erasing) someone revokes the unused invites they created, in
the same transaction as the revocation and its audit entry; and nobody is made an official again by an invite
created before their last revocation (the audit log's `revoke` entries, which outlive the official's row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.audit import NewAuditEntry, audit_log, write_entry
from storage.db import Database
from storage.schema import metadata, utc

ROLES = ("official", "admin")

officials = sa.Table(
    "officials",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("name_enc", sa.Text, nullable=True),
    sa.Column("invited_by", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_by", sa.BigInteger, nullable=True),
)

official_areas = sa.Table(
    "official_areas",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("area_code", sa.String(16), primary_key=True, index=True),
)

official_invites = sa.Table(
    "official_invites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("area_codes", sa.Text, nullable=False),  # comma-separated region codes ("" for an admin)
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_by", sa.BigInteger, nullable=True),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),  # its maker lost their rights
)

followup_notes = sa.Table(
    "followup_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, nullable=False, index=True),
    sa.Column("worker_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("official_id", sa.BigInteger, nullable=False),
    sa.Column("text_enc", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

followup_notices = sa.Table(
    "followup_notices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("official_id", sa.BigInteger, nullable=False),
    sa.Column("request_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),  # None: waiting for the grouped digest
    sa.Index("ix_followup_notices_official", "official_id", "created_at"),
)


def _split(codes: str) -> tuple[str, ...]:
    return tuple(c for c in codes.split(",") if c)


def user_target(user_id: int) -> str:
    """The audit target naming a user (a revocation's, an accepted invite's)."""
    return f"user:{user_id}"


def area_prefixes(code: str) -> list[str]:
    """64.08.01.2001 → [64, 64.08, 64.08.01, 64.08.01.2001]: the areas that contain this code."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass(frozen=True)
class OfficialRecord:
    user_id: int
    role: str
    area_codes: tuple[str, ...]
    name_enc: str | None
    invited_by: int | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class InviteRecord:
    id: int
    role: str
    area_codes: tuple[str, ...]
    created_by: int
    created_at: dt.datetime
    expires_at: dt.datetime
    used_by: int | None
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None = None

    def usable(self, now: dt.datetime) -> bool:
        return self.used_by is None and self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class NoteRecord:
    id: int
    request_id: int
    official_id: int
    text_enc: str
    created_at: dt.datetime


def _invite(row: sa.Row) -> InviteRecord:
    m = row._mapping
    return InviteRecord(
        id=m["id"], role=m["role"], area_codes=_split(m["area_codes"]), created_by=m["created_by"],
        created_at=utc(m["created_at"]) or m["created_at"], expires_at=utc(m["expires_at"]) or m["expires_at"],
        used_by=m["used_by"], used_at=utc(m["used_at"]), revoked_at=utc(m["revoked_at"]),
    )


def _revoked_since(user_id: int, since: sa.ColumnElement[dt.datetime] | dt.datetime) -> sa.Exists:
    """The user was revoked at or after `since` (an invite's creation): such an invite cannot bring them back."""
    return sa.exists().where(audit_log.c.action == "revoke", audit_log.c.target == user_target(user_id),
                             audit_log.c.at >= since)


def _maker_revoked(invites: sa.Table) -> sa.Exists:
    """The invite's maker is a revoked official (their invites were revoked with them; this also covers a race)."""
    return sa.exists().where(officials.c.user_id == invites.c.created_by, officials.c.revoked_at.is_not(None))


async def _revoke_invites_of(conn: AsyncConnection, user_id: int, now: dt.datetime) -> int:
    """Revoke the invites this user created that are still waiting to be used; how many."""
    t = official_invites
    result = await conn.execute(sa.update(t).where(
        t.c.created_by == user_id, t.c.used_by.is_(None), t.c.revoked_at.is_(None), t.c.expires_at > now,
    ).values(revoked_at=now))
    return int(result.rowcount or 0)


class OfficialRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ invites

    async def create_invite(
        self, *, code_hash: str, role: str, area_codes: list[str], created_by: int, now: dt.datetime,
        expires_at: dt.datetime,
    ) -> InviteRecord:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        t = official_invites
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.insert(t).values(
                code_hash=code_hash, role=role, area_codes=",".join(area_codes), created_by=created_by,
                created_at=now, expires_at=expires_at,
            ).returning(*t.c))
            return _invite(result.one())

    async def get_invite(self, code_hash: str) -> InviteRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(official_invites).where(official_invites.c.code_hash == code_hash))).first()
        return _invite(row) if row else None

    async def revoked_since(self, user_id: int, since: dt.datetime) -> bool:
        """Whether the user was revoked at or after this moment (e.g. an invite's creation)."""
        async with self.db.read() as conn:
            return bool((await conn.execute(sa.select(_revoked_since(user_id, since)))).scalar())

    async def accept_invite(
        self, code_hash: str, user_id: int, name_enc: str | None, now: dt.datetime,
    ) -> OfficialRecord | None:
        """Use the invite once (None when used, expired, revoked or unknown, when its maker has been revoked, or
        when the user was revoked after it was created: it is then left unused) and make the user an official of
        its areas (added to areas they already serve), or an admin."""
        t = official_invites
        async with self.db.transaction() as conn:
            # Lock the user's row first (PostgreSQL): a revocation running now either commits before the checks
            # below (which then see it) or waits for this acceptance and revokes after it.
            existing = (await conn.execute(
                sa.select(officials).where(officials.c.user_id == user_id).with_for_update())).first()
            claimed = await conn.execute(
                sa.update(t).where(
                    t.c.code_hash == code_hash, t.c.used_by.is_(None), t.c.revoked_at.is_(None), t.c.expires_at > now,
                    ~_maker_revoked(t), ~_revoked_since(user_id, t.c.created_at),
                ).values(used_by=user_id, used_at=now).returning(*t.c)
            )
            row = claimed.first()
            if row is None:
                return None
            invite = _invite(row)
            if existing is None:
                await conn.execute(sa.insert(officials).values(
                    user_id=user_id, role=invite.role, name_enc=name_enc, invited_by=invite.created_by,
                    created_at=now,
                ))
            else:
                was_active = existing._mapping["revoked_at"] is None
                role = "admin" if invite.role == "admin" or (was_active and existing._mapping["role"] == "admin") \
                    else "official"
                if not was_active:
                    await conn.execute(sa.delete(official_areas).where(official_areas.c.user_id == user_id))
                await conn.execute(sa.update(officials).where(officials.c.user_id == user_id).values(
                    role=role, name_enc=name_enc, invited_by=invite.created_by, created_at=now,
                    revoked_at=None, revoked_by=None,
                ))
            have = set((await conn.execute(
                sa.select(official_areas.c.area_code).where(official_areas.c.user_id == user_id))).scalars())
            for code in invite.area_codes:
                if code not in have:
                    await conn.execute(sa.insert(official_areas).values(user_id=user_id, area_code=code))
        return await self.get(user_id)

    # ------------------------------------------------------------------ officials

    async def get(self, user_id: int) -> OfficialRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(officials).where(officials.c.user_id == user_id))).first()
            if row is None:
                return None
            areas = (await conn.execute(
                sa.select(official_areas.c.area_code).where(official_areas.c.user_id == user_id)
                .order_by(official_areas.c.area_code))).scalars().all()
        m = row._mapping
        return OfficialRecord(
            user_id=m["user_id"], role=m["role"], area_codes=tuple(areas), name_enc=m["name_enc"],
            invited_by=m["invited_by"], created_at=utc(m["created_at"]) or m["created_at"],
            revoked_at=utc(m["revoked_at"]),
        )

    async def active(self, user_id: int) -> OfficialRecord | None:
        found = await self.get(user_id)
        return found if found is not None and found.active else None

    async def list_active(self) -> list[OfficialRecord]:
        async with self.db.read() as conn:
            ids = (await conn.execute(
                sa.select(officials.c.user_id).where(officials.c.revoked_at.is_(None))
                .order_by(officials.c.role, officials.c.created_at))).scalars().all()
        found = [await self.get(i) for i in ids]
        return [f for f in found if f is not None]

    async def active_ids(self, role: str | None = None) -> set[int]:
        stmt = sa.select(officials.c.user_id).where(officials.c.revoked_at.is_(None))
        if role:
            stmt = stmt.where(officials.c.role == role)
        async with self.db.read() as conn:
            return set((await conn.execute(stmt)).scalars())

    async def officials_for(self, desa_code: str) -> list[int]:
        """Active officials whose areas contain this desa (admins without an area are not included)."""
        stmt = (
            sa.select(official_areas.c.user_id).distinct()
            .join(officials, officials.c.user_id == official_areas.c.user_id)
            .where(officials.c.revoked_at.is_(None), official_areas.c.area_code.in_(area_prefixes(desa_code)))
            .order_by(official_areas.c.user_id)
        )
        async with self.db.read() as conn:
            return list((await conn.execute(stmt)).scalars())

    async def revoke(self, user_id: int, by: int, now: dt.datetime) -> bool:
        """Take the role away, revoke the unused invites the user created and write the audit entry, in one
        transaction; False (nothing written) when the user had no active role."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(officials).where(officials.c.user_id == user_id, officials.c.revoked_at.is_(None))
                .values(revoked_at=now, revoked_by=by)
            )
            if not result.rowcount:
                return False
            invites = await _revoke_invites_of(conn, user_id, now)
            await write_entry(conn, NewAuditEntry(actor_id=by, action="revoke", target=user_target(user_id),
                                                  detail=f"invites={invites}" if invites else None), now)
            return True

    async def erase(self, user_id: int, now: dt.datetime) -> None:
        """An official erasing their data: the role, areas and name go, their unused invites die (their audit
        entries stay)."""
        async with self.db.transaction() as conn:
            await _revoke_invites_of(conn, user_id, now)
            await conn.execute(sa.delete(official_areas).where(official_areas.c.user_id == user_id))
            await conn.execute(sa.delete(officials).where(officials.c.user_id == user_id))
            await conn.execute(sa.delete(followup_notices).where(followup_notices.c.official_id == user_id))

    # ------------------------------------------------------------------ notes

    async def add_note(
        self, *, request_id: int, worker_id: int, official_id: int, text_enc: str, now: dt.datetime,
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(followup_notes).values(
                request_id=request_id, worker_id=worker_id, official_id=official_id, text_enc=text_enc,
                created_at=now,
            ))

    async def notes(self, request_id: int) -> list[NoteRecord]:
        t = followup_notes
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(t.c.id, t.c.request_id, t.c.official_id, t.c.text_enc, t.c.created_at)
                .where(t.c.request_id == request_id).order_by(t.c.id))
            return [NoteRecord(r.id, r.request_id, r.official_id, r.text_enc, utc(r.created_at) or r.created_at)
                    for r in rows]

    async def erase_worker(self, worker_id: int) -> int:
        """The worker erased their data: notes about their requests go with them."""
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.delete(followup_notes).where(followup_notes.c.worker_id == worker_id))
            return int(result.rowcount or 0)

    # ------------------------------------------------------------------ notices about new requests

    async def notices_since(self, official_id: int, since: dt.datetime) -> int:
        t = followup_notices
        async with self.db.read() as conn:
            return int((await conn.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c.official_id == official_id, t.c.created_at > since)
            )).scalar_one())

    async def add_notice(self, official_id: int, request_id: int, now: dt.datetime, sent: bool) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(followup_notices).values(
                official_id=official_id, request_id=request_id, created_at=now, sent_at=now if sent else None))

    async def pending_notices(self) -> dict[int, list[tuple[int, dt.datetime]]]:
        """Notices held back for a digest: official → [(request id, created_at)], oldest first."""
        t = followup_notices
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(t.c.official_id, t.c.request_id, t.c.created_at).where(t.c.sent_at.is_(None))
                .order_by(t.c.official_id, t.c.created_at, t.c.id))
            result: dict[int, list[tuple[int, dt.datetime]]] = {}
            for r in rows:
                result.setdefault(r.official_id, []).append((r.request_id, utc(r.created_at) or r.created_at))
        return result

    async def claim_notices(self, official_id: int, request_ids: list[int], now: dt.datetime) -> list[int]:
        """Mark held notices sent and return those this call marked (one UPDATE … RETURNING): of several
        processes sending digests, each notice goes into exactly one (claimed before it is sent)."""
        t = followup_notices
        async with self.db.transaction() as conn:
            rows = await conn.execute(sa.update(t).where(
                t.c.official_id == official_id, t.c.request_id.in_(request_ids), t.c.sent_at.is_(None),
            ).values(sent_at=now).returning(t.c.request_id))
            return sorted({int(r) for r in rows.scalars()})

    async def mark_notices_sent(self, official_id: int, request_ids: list[int], now: dt.datetime) -> None:
        t = followup_notices
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(t).where(
                t.c.official_id == official_id, t.c.request_id.in_(request_ids), t.c.sent_at.is_(None),
            ).values(sent_at=now))
