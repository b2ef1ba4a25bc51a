"""Interest requests ("Daftar Minat"): personal fields encrypted, NIK as a keyed hash for lookups.

Rows come back as `InterestRecord` with the encrypted tokens; decrypt them with `bot.domain.interest.view(...)`.
Other features read this table: the officials' follow-up queue and the statistics (keep the column names).
The follow-up's writes (a status change, a note) commit together with their audit entry, in one transaction.

A status reason is either a preset code (`status_reason`, e.g. "reason:member": not personal) or a reason an
official typed, encrypted like the notes (`status_reason_enc`, a vault token). Rows from before migration 0008b
may still hold a typed reason in `status_reason` until `plain_reasons` / `seal_reasons` move it (done by
`FollowupService.seal_reasons` when the bot starts).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.audit import NewAuditEntry, audit_log, write_entry
from storage.db import Database
from storage.officials import NoteRecord, followup_notes
from storage.roster import roster_members
from storage.schema import metadata, utc
from storage.sealing import hash_list

WITHDRAWN = "withdrawn"  # the worker took the request back (/dataku): closed, a new request can follow
PROPOSED = "proposed"  # the desa put the worker on its proposal list (usulan) to the district; waits for the roster
STATUSES = ("new", "contacted", PROPOSED, "registered", "not_eligible", "unreachable", WITHDRAWN)
OPEN_STATUSES = ("new", "contacted", "unreachable", PROPOSED)  # waiting for an outcome: a new request updates these
# What the worker may change in an open request (/dataku → ✏️), already encrypted/hashed by the caller.
WORKER_EDITABLE = frozenset({"name_enc", "nik_hash", "nik_enc", "birth_date_enc", "phone_enc", "note_enc", "desa_code",
                             "kecamatan_code", "kabupaten_code", "occupation", "nik_outside_region"})
WORKER_AUDIT_ACTIONS = ("worker_edit", "withdraw")  # the worker is the actor: anonymised when they erase their data
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U (read aloud over the phone)
REF_LENGTH = 5
PRESET_PREFIX = "reason:"  # a preset status reason ("reason:member"), stored in clear
ROSTER_PREFIX = "roster:"  # registered, confirmed by roster import N: "roster:<N>:<previous status>", in clear
NOTICE_BATCH = 200  # requests closed per transaction after a roster import

interest_requests = sa.Table(
    "interest_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ref", sa.String(16), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=True, index=True),  # None: registered by an official (assisted)
    sa.Column("nik_hash", sa.String(64), nullable=False, index=True),
    sa.Column("nik_enc", sa.Text, nullable=False),
    sa.Column("name_enc", sa.Text, nullable=False),
    sa.Column("phone_enc", sa.Text, nullable=False),
    sa.Column("birth_date_enc", sa.Text, nullable=False),
    sa.Column("desa_code", sa.String(16), nullable=False, index=True),
    sa.Column("kecamatan_code", sa.String(16), nullable=False, index=True),
    sa.Column("kabupaten_code", sa.String(8), nullable=False, index=True),
    sa.Column("occupation", sa.String(32), nullable=False),
    sa.Column("note_enc", sa.Text, nullable=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("nik_outside_region", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("status", sa.String(24), nullable=False, default="new", server_default="new", index=True),
    sa.Column("status_reason", sa.Text, nullable=True),  # a preset code ("reason:<code>")
    sa.Column("status_reason_enc", sa.Text, nullable=True),  # a typed reason, vault token
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("worker_changed_at", sa.DateTime(timezone=True), nullable=True),  # last edit/withdrawal by the worker
    # assisted registration (0011s): the official who registered a worker without Telegram and witnessed the
    # paper consent form, its number and when it was recorded
    sa.Column("assisted_by", sa.BigInteger, nullable=True),
    sa.Column("consent_form", sa.String(40), nullable=True),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
    # a roster import confirmed the request and its worker has not been told yet (0011q): failed sends so far
    sa.Column("roster_notice", sa.Integer, nullable=True, index=True),
    sa.Index("ux_interest_requests_ref", "ref", unique=True),
)


@dataclass(frozen=True)
class CrossCheck:
    """What else is known about a request's NIK, for the official's card (never shown to the worker): the roster
    entry's period (None: not on the roster) and the references of requests with the same NIK from other
    Telegram accounts (or registered by an official), withdrawn ones left out."""

    roster_mulai: dt.date | None = None
    roster_berakhir: dt.date | None = None
    roster_removed_on: dt.date | None = None
    other_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterConfirmed:
    """A request a roster import closed (for the audit and the notice)."""

    id: int
    ref: str
    desa_code: str
    previous_status: str


@dataclass(frozen=True)
class RosterNotice:
    """A "you are now protected" message owed: the request and the roster period that confirmed it."""

    record: InterestRecord
    mulai: dt.date | None
    berakhir: dt.date | None
    removed_on: dt.date | None


@dataclass(frozen=True)
class InterestRecord:
    """A stored request; the *_enc fields are vault tokens (see bot.domain.interest.view)."""

    id: int
    ref: str
    user_id: int | None  # None: an assisted request (the worker has no Telegram; see assisted_by)
    nik_hash: str
    nik_enc: str
    name_enc: str
    phone_enc: str
    birth_date_enc: str
    desa_code: str
    kecamatan_code: str
    kabupaten_code: str
    occupation: str
    note_enc: str | None
    language: str
    nik_outside_region: bool
    status: str
    status_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    first_action_at: dt.datetime | None
    status_reason_enc: str | None = None
    worker_changed_at: dt.datetime | None = None
    assisted_by: int | None = None
    consent_form: str | None = None
    consent_at: dt.datetime | None = None
    roster_notice: int | None = None  # "you are now protected" owed (failed sends so far); None: nothing owed
    cross: CrossCheck | None = None  # what the roster and other accounts say about this NIK (the official's card)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class EncryptedFields:
    """What the worker entered, already encrypted/hashed by the caller (bot.domain.interest)."""

    nik_hash: str
    nik_enc: str
    name_enc: str
    phone_enc: str
    birth_date_enc: str
    note_enc: str | None


@dataclass(frozen=True)
class SaveResult:
    record: InterestRecord
    updated: bool  # True: an open request with this NIK (from this user) was updated, not created


def _record(row: sa.Row) -> InterestRecord:
    return _record_of(dict(row._mapping))


def _record_of(m: dict[str, Any]) -> InterestRecord:
    for key in ("created_at", "updated_at", "first_action_at", "worker_changed_at", "consent_at"):
        m[key] = utc(m[key])
    m["nik_outside_region"] = bool(m["nik_outside_region"])
    return InterestRecord(**m)


def new_ref() -> str:
    return "JK-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def normalize_ref(text: str) -> str:
    """`jk 7f3q2` → `JK-7F3Q2` (people type references loosely)."""
    core = "".join(ch for ch in text.upper() if ch.isalnum())
    core = core[2:] if core.startswith("JK") else core
    return "JK-" + core


def _areas_where(
    stmt: sa.Select, area_codes: list[str] | None, statuses: tuple[str, ...] | list[str] | None,
    created_before: dt.datetime | None = None, untouched: bool = False,
) -> sa.Select:
    t = interest_requests
    if area_codes is not None:
        stmt = stmt.where(sa.or_(sa.false(), *(
            (t.c.desa_code == code) | t.c.desa_code.startswith(code + ".") for code in area_codes)))
    if statuses:
        stmt = stmt.where(t.c.status.in_(list(statuses)))
    if created_before is not None:
        stmt = stmt.where(t.c.created_at <= created_before)
    if untouched:
        stmt = stmt.where(t.c.first_action_at.is_(None))
    return stmt


class InterestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_or_update_open(
        self, *, user_id: int, fields: EncryptedFields, desa_code: str, kecamatan_code: str, kabupaten_code: str,
        occupation: str, language: str, nik_outside_region: bool, now: dt.datetime,
    ) -> SaveResult:
        """One open request per NIK and Telegram account: the same NIK again updates it (keeping its ref and
        status). A request from another account is never touched (that would reveal it exists)."""
        values = {
            "nik_enc": fields.nik_enc, "name_enc": fields.name_enc, "phone_enc": fields.phone_enc,
            "birth_date_enc": fields.birth_date_enc, "note_enc": fields.note_enc, "desa_code": desa_code,
            "kecamatan_code": kecamatan_code, "kabupaten_code": kabupaten_code, "occupation": occupation,
            "language": language, "nik_outside_region": nik_outside_region, "updated_at": now,
        }
        t = interest_requests
        for _attempt in range(8):
            try:
                async with self.db.transaction() as conn:
                    existing = (await conn.execute(
                        sa.select(t.c.id).where(
                            t.c.nik_hash == fields.nik_hash, t.c.user_id == user_id, t.c.status.in_(OPEN_STATUSES)
                        ).order_by(t.c.id.desc()).limit(1)
                    )).scalar_one_or_none()
                    if existing is not None:
                        await conn.execute(sa.update(t).where(t.c.id == existing).values(**values))
                        request_id, updated = existing, True
                    else:
                        result = await conn.execute(sa.insert(t).values(
                            ref=new_ref(), user_id=user_id, nik_hash=fields.nik_hash, status="new", created_at=now,
                            **values,
                        ).returning(t.c.id))
                        request_id, updated = int(result.scalar_one()), False
                    row = (await conn.execute(sa.select(t).where(t.c.id == request_id))).one()
                return SaveResult(_record(row), updated)
            except IntegrityError:  # the random reference is taken: draw another
                continue
        raise RuntimeError("could not draw a free reference number")

    async def get(self, request_id: int) -> InterestRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(interest_requests).where(interest_requests.c.id == request_id))).first()
        return _record(row) if row else None

    async def get_by_ref(self, ref: str) -> InterestRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(interest_requests).where(interest_requests.c.ref == normalize_ref(ref))
            )).first()
        return _record(row) if row else None

    async def list_for_user(self, user_id: int) -> list[InterestRecord]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(interest_requests).where(interest_requests.c.user_id == user_id)
                .order_by(interest_requests.c.created_at.desc(), interest_requests.c.id.desc())
            )
            return [_record(r) for r in rows]

    async def list_for_area(
        self, area_code: str, statuses: tuple[str, ...] | list[str] | None = None, limit: int = 20, offset: int = 0,
    ) -> list[InterestRecord]:
        """Requests whose desa lies in `area_code` (kabupaten 64.08, kecamatan 64.08.01 or desa), newest first."""
        t = interest_requests
        stmt = sa.select(t).where((t.c.desa_code == area_code) | t.c.desa_code.startswith(area_code + "."))
        if statuses:
            stmt = stmt.where(t.c.status.in_(list(statuses)))
        stmt = stmt.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit).offset(offset)
        async with self.db.read() as conn:
            return [_record(r) for r in await conn.execute(stmt)]

    async def count_for_area(self, area_code: str, statuses: tuple[str, ...] | list[str] | None = None) -> int:
        t = interest_requests
        stmt = sa.select(sa.func.count()).select_from(t).where(
            (t.c.desa_code == area_code) | t.c.desa_code.startswith(area_code + ".")
        )
        if statuses:
            stmt = stmt.where(t.c.status.in_(list(statuses)))
        async with self.db.read() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def list_for_areas(
        self, area_codes: list[str] | None, statuses: tuple[str, ...] | list[str] | None = None, limit: int = 20,
        offset: int = 0, created_before: dt.datetime | None = None, untouched: bool = False,
    ) -> list[InterestRecord]:
        """Requests in any of these areas (None: everywhere), newest first; `untouched`: no official action yet
        (issue 6: follow-up queue over several desa, exports, the daily digest)."""
        stmt = _areas_where(sa.select(interest_requests), area_codes, statuses, created_before, untouched)
        t = interest_requests
        stmt = stmt.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit).offset(offset)
        async with self.db.read() as conn:
            return [_record(r) for r in await conn.execute(stmt)]

    async def count_for_areas(
        self, area_codes: list[str] | None, statuses: tuple[str, ...] | list[str] | None = None,
    ) -> int:
        stmt = _areas_where(sa.select(sa.func.count()).select_from(interest_requests), area_codes, statuses)
        async with self.db.read() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def desa_counts(
        self, area_codes: list[str] | None, statuses: tuple[str, ...] | list[str],
    ) -> list[tuple[str, int]]:
        """(desa code, how many requests with these statuses) in these areas (None: everywhere), by desa code
        (issue 12: the desa with a proposal list to download)."""
        t = interest_requests
        stmt = _areas_where(sa.select(t.c.desa_code, sa.func.count()).select_from(t), area_codes, statuses)
        stmt = stmt.group_by(t.c.desa_code).order_by(t.c.desa_code)
        async with self.db.read() as conn:
            return [(row[0], int(row[1])) for row in await conn.execute(stmt)]

    async def list_by_status_in_desa(self, desa_code: str, statuses: tuple[str, ...] | list[str],
                                     limit: int) -> list[InterestRecord]:
        """The requests of one desa with these statuses, oldest first (a desa's proposal list)."""
        t = interest_requests
        stmt = sa.select(t).where(t.c.desa_code == desa_code, t.c.status.in_(list(statuses)))
        async with self.db.read() as conn:
            return [_record(r) for r in await conn.execute(stmt.order_by(t.c.created_at, t.c.id).limit(limit))]

    async def set_status(
        self, request_id: int, status: str, reason: str | None, now: dt.datetime, reason_enc: str | None = None,
    ) -> InterestRecord:
        """An official's decision; the first one also stamps first_action_at (response-time statistics)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {STATUSES}")
        t = interest_requests
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(t).where(t.c.id == request_id).values(
                status=status, status_reason=reason, status_reason_enc=reason_enc, updated_at=now,
                first_action_at=sa.func.coalesce(t.c.first_action_at, now),
            ))
            row = (await conn.execute(sa.select(t).where(t.c.id == request_id))).first()
        if row is None:
            raise LookupError(f"no interest request {request_id}")
        return _record(row)

    async def get_many(self, request_ids: list[int]) -> list[InterestRecord]:
        """These requests (the ones that still exist), in the order asked."""
        if not request_ids:
            return []
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(interest_requests).where(interest_requests.c.id.in_(request_ids)))
            found = {r.id: _record(r) for r in rows}
        return [found[i] for i in request_ids if i in found]

    async def get_with_notes(self, request_id: int) -> tuple[InterestRecord, list[NoteRecord]] | None:
        """A request and the officials' notes about it (oldest first), on one connection."""
        n = followup_notes
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(interest_requests).where(interest_requests.c.id == request_id))).first()
            if row is None:
                return None
            record = dataclasses.replace(_record(row), cross=await self._cross_check(conn, _record(row)))
            notes = await conn.execute(sa.select(n.c.id, n.c.request_id, n.c.official_id, n.c.text_enc, n.c.created_at)
                                       .where(n.c.request_id == request_id).order_by(n.c.id))
            return record, [NoteRecord(r.id, r.request_id, r.official_id, r.text_enc,
                                       utc(r.created_at) or r.created_at) for r in notes]

    async def change_status(
        self, seen: InterestRecord, status: str, reason: str | None, now: dt.datetime, audit: NewAuditEntry,
        reason_enc: str | None = None,
    ) -> tuple[InterestRecord, bool]:
        """An official's decision on the request as they saw it, with its audit entry, in one transaction;
        `reason` a preset code, `reason_enc` a typed reason already encrypted (at most one of them).

        Compare-and-set: nothing is written when the status or reason is no longer what `seen` holds (someone
        else decided meanwhile): returns the request as it is now and whether this call changed it."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {STATUSES}")
        t = interest_requests
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.update(t).where(
                t.c.id == seen.id, t.c.status == seen.status,
                t.c.status_reason.is_not_distinct_from(seen.status_reason),
                t.c.status_reason_enc.is_not_distinct_from(seen.status_reason_enc),
            ).values(status=status, status_reason=reason, status_reason_enc=reason_enc, updated_at=now,
                     first_action_at=sa.func.coalesce(t.c.first_action_at, now)))
            changed = bool(result.rowcount)
            if changed:
                await write_entry(conn, audit, now)
            row = (await conn.execute(sa.select(t).where(t.c.id == seen.id))).first()
        if row is None:
            raise LookupError(f"no interest request {seen.id}")
        return _record(row), changed

    async def add_note(
        self, request: InterestRecord, official_id: int, text_enc: str, now: dt.datetime, audit: NewAuditEntry,
    ) -> None:
        """An official's note about a request (encrypted by the caller), with its audit entry, in one transaction."""
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(followup_notes).values(
                request_id=request.id, worker_id=request.user_id or 0, official_id=official_id, text_enc=text_enc,
                created_at=now))
            await write_entry(conn, audit, now)

    async def worker_edit(
        self, user_id: int, request_id: int, values: dict[str, object], now: dt.datetime, audit: NewAuditEntry,
    ) -> tuple[InterestRecord | None, str]:
        """The worker's change to their own open request (columns of WORKER_EDITABLE, encrypted by the caller), with
        its audit entry, in one transaction; stamps `worker_changed_at` for the officials' card.

        Returns (the request as it is now, outcome): "saved"; "closed" (not theirs, gone, or no longer open:
        nothing written); "duplicate" (a new NIK that another open request of theirs already has: nothing written)."""
        unknown = set(values) - WORKER_EDITABLE
        if unknown:
            raise ValueError(f"not editable by the worker: {sorted(unknown)}")
        t = interest_requests
        async with self.db.transaction() as conn:
            if "nik_hash" in values:
                other = (await conn.execute(sa.select(t.c.id).where(
                    t.c.user_id == user_id, t.c.nik_hash == values["nik_hash"], t.c.id != request_id,
                    t.c.status.in_(OPEN_STATUSES)).limit(1))).scalar_one_or_none()
                if other is not None:
                    return await self._mine(conn, user_id, request_id), "duplicate"
            result = await conn.execute(sa.update(t).where(
                t.c.id == request_id, t.c.user_id == user_id, t.c.status.in_(OPEN_STATUSES),
            ).values(**values, updated_at=now, worker_changed_at=now))
            changed = bool(result.rowcount)
            if changed:
                await write_entry(conn, audit, now)
            return await self._mine(conn, user_id, request_id), "saved" if changed else "closed"

    async def withdraw(
        self, user_id: int, request_id: int, now: dt.datetime, audit: NewAuditEntry,
    ) -> tuple[InterestRecord | None, bool]:
        """The worker takes back their own open request (status `withdrawn`), with its audit entry, in one
        transaction. Returns (the request as it is now, whether this call withdrew it)."""
        t = interest_requests
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.update(t).where(
                t.c.id == request_id, t.c.user_id == user_id, t.c.status.in_(OPEN_STATUSES),
            ).values(status=WITHDRAWN, updated_at=now, worker_changed_at=now))
            changed = bool(result.rowcount)
            if changed:
                await write_entry(conn, audit, now)
            return await self._mine(conn, user_id, request_id), changed

    @staticmethod
    async def _mine(conn: AsyncConnection, user_id: int, request_id: int) -> InterestRecord | None:
        t = interest_requests
        row = (await conn.execute(sa.select(t).where(t.c.id == request_id, t.c.user_id == user_id))).first()
        return _record(row) if row else None

    async def plain_reasons(self, presets: list[str], limit: int = 500) -> list[tuple[int, str]]:
        """(id, text) of requests whose typed reason is still stored in clear (rows from before 0008b): any
        `status_reason` other than these preset codes."""
        t = interest_requests
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(t.c.id, t.c.status_reason).where(
                t.c.status_reason.is_not(None), t.c.status_reason.not_in(presets),
                ~t.c.status_reason.startswith(ROSTER_PREFIX),  # a roster confirmation's code, not typed text
            ).order_by(t.c.id).limit(limit))
            return [(r.id, r.status_reason) for r in rows]

    async def seal_reasons(self, sealed: list[tuple[int, str, str]]) -> int:
        """Replace clear typed reasons by their tokens: (id, the clear text seen, token); a row whose reason
        changed meanwhile is left alone. Returns how many were sealed."""
        t = interest_requests
        done = 0
        async with self.db.transaction() as conn:
            for request_id, plain, token in sealed:
                result = await conn.execute(sa.update(t).where(t.c.id == request_id, t.c.status_reason == plain)
                                            .values(status_reason=None, status_reason_enc=token))
                done += int(result.rowcount or 0)
        return done

    async def erase_user(self, user_id: int) -> int:
        """Delete every request of this Telegram user (personal data erasure); returns how many. The audit entries
        of their own edits and withdrawals stay, with the actor anonymised (0)."""
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(audit_log).where(
                audit_log.c.actor_id == user_id, audit_log.c.action.in_(WORKER_AUDIT_ACTIONS)).values(actor_id=0))
            result = await conn.execute(sa.delete(interest_requests).where(interest_requests.c.user_id == user_id))
            return int(result.rowcount or 0)

    # ------------------------------------------------------------------ assisted registration (issue 12)

    async def open_with_nik(self, nik_hash: str | Sequence[str]) -> InterestRecord | None:
        """The newest open request with this NIK, whoever made it (an official registering a worker must not
        file the same person twice)."""
        t = interest_requests
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(t).where(t.c.nik_hash.in_(hash_list(nik_hash)),
                                                         t.c.status.in_(OPEN_STATUSES))
                                      .order_by(t.c.id.desc()).limit(1))).first()
        return _record(row) if row else None

    async def create_assisted(
        self, *, fields: EncryptedFields, desa_code: str, kecamatan_code: str, kabupaten_code: str,
        occupation: str, language: str, nik_outside_region: bool, assisted_by: int, consent_form: str,
        now: dt.datetime, audit: NewAuditEntry,
    ) -> tuple[InterestRecord, bool]:
        """A request an official registers for a worker without Telegram (user_id NULL), with the paper consent
        and its audit entry (target: the new reference), in one transaction. When an open request with this NIK
        already exists nothing is written: returns (that request, False); else (the new request, True)."""
        t = interest_requests
        for _attempt in range(8):
            ref = new_ref()
            try:
                async with self.db.transaction() as conn:
                    existing = (await conn.execute(sa.select(t).where(
                        t.c.nik_hash == fields.nik_hash, t.c.status.in_(OPEN_STATUSES)).order_by(t.c.id.desc())
                        .limit(1))).first()
                    if existing is not None:
                        return _record(existing), False
                    result = await conn.execute(sa.insert(t).values(
                        ref=ref, user_id=None, nik_hash=fields.nik_hash, nik_enc=fields.nik_enc,
                        name_enc=fields.name_enc, phone_enc=fields.phone_enc, birth_date_enc=fields.birth_date_enc,
                        note_enc=fields.note_enc, desa_code=desa_code, kecamatan_code=kecamatan_code,
                        kabupaten_code=kabupaten_code, occupation=occupation, language=language,
                        nik_outside_region=nik_outside_region, status="new", created_at=now, updated_at=now,
                        assisted_by=assisted_by, consent_form=consent_form, consent_at=now,
                    ).returning(t.c.id))
                    request_id = int(result.scalar_one())
                    await write_entry(conn, dataclasses.replace(audit, target=ref), now)
                    row = (await conn.execute(sa.select(t).where(t.c.id == request_id))).one()
                return _record(row), True
            except IntegrityError:  # the random reference is taken: draw another
                continue
        raise RuntimeError("could not draw a free reference number")

    async def erase_assisted(self, request_id: int, now: dt.datetime, audit: NewAuditEntry) -> bool:
        """Delete an assisted request (no Telegram owner) and the officials' notes about it, with the audit entry,
        in one transaction (the worker asked at the desa). False: gone already, or not an assisted request."""
        t = interest_requests
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.delete(t).where(t.c.id == request_id, t.c.user_id.is_(None)))
            if not result.rowcount:
                return False
            await conn.execute(sa.delete(followup_notes).where(followup_notes.c.request_id == request_id))
            await write_entry(conn, audit, now)
        return True

    # ------------------------------------------------------------------ roster ↔ requests (issue 12)

    @staticmethod
    async def _cross_check(conn: AsyncConnection, record: InterestRecord) -> CrossCheck:
        """The roster entry of the request's NIK and other accounts' requests with it (two index lookups)."""
        t, m = interest_requests, roster_members
        member = (await conn.execute(sa.select(m.c.mulai, m.c.berakhir, m.c.removed_on)
                                     .where(m.c.nik_hash == record.nik_hash))).first()
        others = await conn.execute(sa.select(t.c.ref).where(
            t.c.nik_hash == record.nik_hash, t.c.id != record.id, t.c.status != WITHDRAWN,
            sa.or_(t.c.user_id.is_(None), t.c.user_id != record.user_id) if record.user_id is not None
            else sa.true()).order_by(t.c.id).limit(5))
        return CrossCheck(member.mulai if member else None, member.berakhir if member else None,
                          member.removed_on if member else None, tuple(ref for (ref,) in others))

    async def roster_entry(
        self, nik_hash: str | Sequence[str],
    ) -> tuple[dt.date, dt.date, dt.date | None, str] | None:
        """(mulai, berakhir, removed_on, nama_enc) of the roster entry with this NIK hash, None when it is not
        listed."""
        m = roster_members
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(m.c.mulai, m.c.berakhir, m.c.removed_on, m.c.nama_enc)
                                      .where(m.c.nik_hash.in_(hash_list(nik_hash))))).first()
        return (row.mulai, row.berakhir, row.removed_on, row.nama_enc) if row else None

    async def confirm_by_roster(
        self, import_id: int, today: dt.date, now: dt.datetime, actor_id: int = 0, limit: int = NOTICE_BATCH,
    ) -> list[RosterConfirmed]:
        """Close (one transaction, up to `limit`) the open requests whose NIK roster import `import_id` brought in or
        renewed, still covered (not ended, `berakhir` ≥ today): status `registered`, reason
        "roster:<import id>:<previous status>", the notice marked as owed, an audit entry each (actor 0: the
        system). Starts from the open requests (an index on status) and looks each NIK up in the roster (its
        unique index), so the size of the import does not matter. Call again until it returns []."""
        t, m = interest_requests, roster_members
        query = (sa.select(t.c.id, t.c.ref, t.c.desa_code, t.c.status)
                 .select_from(t.join(m, m.c.nik_hash == t.c.nik_hash))
                 .where(t.c.status.in_(OPEN_STATUSES), m.c.import_id == import_id, m.c.removed_on.is_(None),
                        m.c.berakhir >= today).order_by(t.c.id).limit(limit))
        closed: list[RosterConfirmed] = []
        async with self.db.transaction() as conn:
            for row in (await conn.execute(query)).all():
                result = await conn.execute(sa.update(t).where(t.c.id == row.id, t.c.status == row.status).values(
                    status="registered", status_reason=f"{ROSTER_PREFIX}{import_id}:{row.status}",
                    status_reason_enc=None, updated_at=now, roster_notice=0))
                if not result.rowcount:
                    continue
                await write_entry(conn, NewAuditEntry(
                    actor_id=actor_id, action="status_change", area_code=row.desa_code, target=row.ref,
                    detail=f"{row.status}→registered ({ROSTER_PREFIX}{import_id})"), now)
                closed.append(RosterConfirmed(row.id, row.ref, row.desa_code, row.status))
        return closed

    async def owed_notices(self, after_id: int = 0, limit: int = NOTICE_BATCH) -> list[RosterNotice]:
        """Requests whose "you are now protected" message is owed (by id, after `after_id`), with their roster
        period (None when the NIK is no longer listed)."""
        t, m = interest_requests, roster_members
        query = (sa.select(t, m.c.mulai.label("_mulai"), m.c.berakhir.label("_berakhir"),
                           m.c.removed_on.label("_removed_on"))
                 .select_from(t.outerjoin(m, m.c.nik_hash == t.c.nik_hash))
                 .where(t.c.roster_notice >= 0, t.c.id > after_id).order_by(t.c.id).limit(limit))
        found = []
        async with self.db.read() as conn:
            for row in await conn.execute(query):
                values = {str(k): v for k, v in row._mapping.items() if not str(k).startswith("_")}
                found.append(RosterNotice(_record_of(values), row._mulai, row._berakhir, row._removed_on))
        return found

    async def notice_done(self, request_id: int) -> None:
        """The message was sent (or can never be): nothing owed any more."""
        t = interest_requests
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(t).where(t.c.id == request_id).values(roster_notice=None))

    async def notice_failed(self, request_id: int, max_tries: int) -> bool:
        """A send failed for now: counted; after `max_tries` the message is given up (True)."""
        t = interest_requests
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(t).where(t.c.id == request_id, t.c.roster_notice.is_not(None))
                               .values(roster_notice=t.c.roster_notice + 1))
            tries = (await conn.execute(sa.select(t.c.roster_notice).where(t.c.id == request_id))).scalar()
            if tries is not None and tries >= max_tries:
                await conn.execute(sa.update(t).where(t.c.id == request_id).values(roster_notice=None))
                return True
        return False

    async def reopen_undone(self, import_id: int, now: dt.datetime, actor_id: int = 0) -> list[str]:
        """Roster import `import_id` was undone: the requests it closed (still as it left them) go back to their
        previous status, the notice no longer owed, an audit entry each. Returns their references."""
        t = interest_requests
        prefix = f"{ROSTER_PREFIX}{import_id}:"
        reopened: list[str] = []
        async with self.db.transaction() as conn:
            rows = (await conn.execute(sa.select(t.c.id, t.c.ref, t.c.desa_code, t.c.status_reason).where(
                t.c.status == "registered", t.c.status_reason.startswith(prefix)))).all()
            for row in rows:
                previous = row.status_reason[len(prefix):]
                if previous not in OPEN_STATUSES:
                    continue
                await conn.execute(sa.update(t).where(t.c.id == row.id, t.c.status_reason == row.status_reason)
                                   .values(status=previous, status_reason=None, updated_at=now, roster_notice=None))
                await write_entry(conn, NewAuditEntry(
                    actor_id=actor_id, action="status_change", area_code=row.desa_code, target=row.ref,
                    detail=f"registered→{previous} ({ROSTER_PREFIX}{import_id} undone)"), now)
                reopened.append(row.ref)
        return reopened

