"""The district roster (who the Pemda/CSR/dana desa pays for) and the record of every import.

Personal fields are never stored in clear: the NIK as a keyed hash (lookup) plus an encrypted copy, name and
KPJ encrypted (the status check's second factor decrypts them in memory). The birth date is not stored (it is
digits 7–12 of the NIK; `verify_hash` once held a keyed hash of both and is now always empty). Region codes
are kept in clear so the roster size per area can be counted.

An import never holds the write lock for long (SQLite has one writer: a long transaction would stall every
other write of the bot). Its rows go to `roster_staging` in short committed transactions while the file is
read; nothing there is visible. A file with a bad row (or an import that dies) leaves only staged rows, thrown
away. A valid file is committed in one short transaction (`commit_import`: status "applying", the point of no
return), then copied into `roster_members` chunk by chunk in NIK hash order, each chunk its own short
transaction that also moves the import's `applied_through` mark; then its staged rows are deleted. Whoever finds
a committed import (the importer, the next import, the bot at start) finishes it from the mark, oldest first.
Status of an import: running → rejected | validated | failed, or running → applying → imported.
The price of short transactions: while a committed import is being applied (about a second per 20,000 rows),
a reader may see some of its rows already and others not yet — each person's row is the old or the new one,
never a mix — and a `replace` ends the people it does not list only once all its rows are in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from array import array
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.schema import metadata, utc

roster_imports = sa.Table(
    "roster_imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_by", sa.String(64), nullable=False),  # "telegram:<id>" or "cli:<os user>"
    sa.Column("admin_id", sa.BigInteger),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),  # upsert | replace
    sa.Column("status", sa.String(16), nullable=False),  # running | imported | rejected | validated
    sa.Column("regions", sa.String(255)),  # kabupaten codes the file covers, comma-separated
    sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ended", sa.Integer, nullable=False, server_default="0"),
    sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # while "applying": every staged row with a NIK hash up to this one is in roster_members (rows are applied in
    # NIK hash order: the index on nik_hash is then written in place, not all over; a restart resumes here)
    sa.Column("applied_through", sa.String(64)),
)

roster_members = sa.Table(
    "roster_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nik_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("nik_enc", sa.Text, nullable=False),
    sa.Column("verify_hash", sa.String(64), nullable=False),  # retired, always "" (migration 0010a)
    sa.Column("nama_enc", sa.Text, nullable=False),
    sa.Column("kpj_enc", sa.Text),
    sa.Column("kode_desa", sa.String(16), nullable=False, index=True),
    sa.Column("kode_kecamatan", sa.String(12), nullable=False, index=True),
    sa.Column("kode_kabupaten", sa.String(8), nullable=False, index=True),
    sa.Column("program", sa.String(32), nullable=False),
    sa.Column("sumber_dana", sa.String(24), nullable=False),
    sa.Column("mulai", sa.Date, nullable=False),
    sa.Column("berakhir", sa.Date, nullable=False),
    sa.Column("import_id", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed_on", sa.Date),  # set when a `replace` import no longer lists the person
)

# The rows of imports in progress: written in short transactions while the file is read, moved into
# roster_members once the import is committed (then deleted), thrown away if it is not.
roster_staging = sa.Table(
    "roster_staging",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, nullable=False),
    sa.Column("nik_hash", sa.String(64), nullable=False),
    sa.Column("nik_enc", sa.Text, nullable=False),
    sa.Column("verify_hash", sa.String(64), nullable=False),
    sa.Column("nama_enc", sa.Text, nullable=False),
    sa.Column("kpj_enc", sa.Text),
    sa.Column("kode_desa", sa.String(16), nullable=False),
    sa.Column("kode_kecamatan", sa.String(12), nullable=False),
    sa.Column("kode_kabupaten", sa.String(8), nullable=False),
    sa.Column("program", sa.String(32), nullable=False),
    sa.Column("sumber_dana", sa.String(24), nullable=False),
    sa.Column("mulai", sa.Date, nullable=False),
    sa.Column("berakhir", sa.Date, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_roster_staging_import", "import_id", "id"),
)

# The columns an import writes (staged, then copied into roster_members; `removed_on` is cleared).
STAGED_COLUMNS = (
    "nik_hash", "nik_enc", "verify_hash", "nama_enc", "kpj_enc", "kode_desa", "kode_kecamatan",
    "kode_kabupaten", "program", "sumber_dana", "mulai", "berakhir", "import_id", "updated_at",
)
MEMBER_COLUMNS = (*STAGED_COLUMNS, "removed_on")
_APPLY_LOCK = 0x524F_5354  # PostgreSQL advisory lock: one chunk of the roster moved at a time, across processes
_MAX_TURN = 0.1  # seconds: the longest pause left to other writers after a chunk (SQLite)

def active_on(day: dt.date | None) -> sa.ColumnElement[bool]:
    """Roster rows whose period covers `day` (no condition for None)."""
    if day is None:
        return sa.true()
    return sa.and_(roster_members.c.mulai <= day, roster_members.c.berakhir >= day)


@dataclass(frozen=True)
class MemberRecord:
    id: int
    nik_hash: str
    nik_enc: str
    verify_hash: str
    nama_enc: str
    kpj_enc: str | None
    kode_desa: str
    program: str
    sumber_dana: str
    mulai: dt.date
    berakhir: dt.date
    removed_on: dt.date | None


@dataclass(frozen=True)
class ImportRecord:
    id: int
    imported_by: str
    file_name: str
    mode: str
    status: str
    regions: str | None
    rows_total: int
    inserted: int
    updated: int
    ended: int
    errors: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    applied_through: str | None = None


def _member(row: sa.Row[Any]) -> MemberRecord:
    m = row._mapping
    return MemberRecord(
        id=m["id"], nik_hash=m["nik_hash"], nik_enc=m["nik_enc"], verify_hash=m["verify_hash"],
        nama_enc=m["nama_enc"], kpj_enc=m["kpj_enc"], kode_desa=m["kode_desa"], program=m["program"],
        sumber_dana=m["sumber_dana"], mulai=m["mulai"], berakhir=m["berakhir"], removed_on=m["removed_on"],
    )


def _import(row: sa.Row[Any]) -> ImportRecord:
    m = row._mapping
    return ImportRecord(
        id=m["id"], imported_by=m["imported_by"], file_name=m["file_name"], mode=m["mode"], status=m["status"],
        regions=m["regions"], rows_total=m["rows_total"], inserted=m["inserted"], updated=m["updated"],
        ended=m["ended"], errors=m["errors"], created_at=utc(m["created_at"]) or m["created_at"],
        finished_at=utc(m["finished_at"]), applied_through=m["applied_through"],
    )


class RosterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        # SQLite: after each chunk of a long job, leave the write lock free for this fraction of the time it was
        # held. 0 in the bot (its own writers queue fairly on the asyncio write lock); the CLI sets it when it
        # imports beside the running bot (`share_write_lock`).
        self.turn_ratio = 0.0

    async def start_import(
        self, *, imported_by: str, admin_id: int | None, file_name: str, mode: str, now: dt.datetime,
    ) -> int:
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.insert(roster_imports)
                .values(imported_by=imported_by[:64], admin_id=admin_id, file_name=file_name[:255], mode=mode,
                        status="running", created_at=now)
                .returning(roster_imports.c.id)
            )
            return int(result.scalar_one())

    async def finish_import(
        self, import_id: int, *, status: str, regions: Sequence[str], rows_total: int, errors: int = 0,
        now: dt.datetime,
    ) -> None:
        """A dry run, a rejected file or a failed import ends here (an imported one ends in `complete_import`)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(roster_imports).where(roster_imports.c.id == import_id)
                .values(status=status, regions=",".join(regions)[:255], rows_total=rows_total, errors=errors,
                        finished_at=now)
            )

    async def stage(self, import_id: int, rows: Sequence[dict[str, Any]]) -> None:
        """One batch of an import's rows (values of STAGED_COLUMNS but import_id), in its own short transaction."""
        if not rows:
            return
        async with self.db.transaction() as conn:
            await conn.execute(sa.insert(roster_staging), [{**row, "import_id": import_id} for row in rows])

    async def discard_staged(self, import_id: int, limit: int) -> int:
        """Delete up to `limit` staged rows of an import that will not be applied; returns how many."""
        s = roster_staging
        first = sa.select(s.c.id).where(s.c.import_id == import_id).order_by(s.c.id).limit(limit)
        async with self._chunk() as conn:
            result = await conn.execute(sa.delete(s).where(s.c.id.in_(first.scalar_subquery())))
        return int(result.rowcount or 0)

    async def commit_import(self, import_id: int, *, regions: Sequence[str], rows_total: int) -> bool:
        """The point of no return of a valid import (one short transaction): from now on it will be applied,
        by this process or, after a crash, by whoever resumes it."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(roster_imports)
                .where(roster_imports.c.id == import_id, roster_imports.c.status == "running")
                .values(status="applying", regions=",".join(regions)[:255], rows_total=rows_total, inserted=0,
                        updated=0, ended=0)
            )
        return bool(result.rowcount)

    async def next_committed(self) -> ImportRecord | None:
        """The oldest import committed but not yet fully applied."""
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(roster_imports).where(roster_imports.c.status == "applying")
                .order_by(roster_imports.c.id).limit(1)
            )).first()
        return _import(row) if row else None

    @asynccontextmanager
    async def _chunk(self) -> AsyncIterator[AsyncConnection]:
        """One chunk of a long job (apply, end, discard) in its own short transaction.

        PostgreSQL: chunks of two processes (the bot and the CLI) finishing the same import must not interleave.
        SQLite (one writer): with `turn_ratio`, the write lock is then left free for a while, so that writers of
        another process get their turn (SQLite's busy handler only polls: back-to-back chunks would starve it).
        In one process the asyncio write lock already queues writers fairly."""
        started = time.monotonic()
        async with self.db.transaction() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPLY_LOCK)))
            yield conn
        if self.turn_ratio and self.db.dialect == "sqlite":
            await asyncio.sleep(min((time.monotonic() - started) * self.turn_ratio, _MAX_TURN))

    async def staged_order(self, import_id: int, after_hash: str | None) -> array[int]:
        """The ids of an import's staged rows not yet applied (NIK hash above `after_hash`), in NIK hash order
        (8 bytes each; read in parts, no write lock)."""
        s = roster_staging
        query = sa.select(s.c.id).where(s.c.import_id == import_id).order_by(s.c.nik_hash)
        if after_hash is not None:
            query = query.where(s.c.nik_hash > after_hash)
        ids = array("q")
        async with self.db.read() as conn:
            result = await conn.stream(query)
            async for part in result.partitions(10_000):
                ids.extend(row[0] for row in part)
        return ids

    async def apply_chunk(self, import_id: int, ids: Sequence[int]) -> int:
        """Move these staged rows of a committed import (the next ones in NIK hash order) into the roster, in one
        short transaction: update the people already listed (by NIK hash), insert the others. Rows at or below
        the import's `applied_through` are skipped (another process applied them), so a chunk applied twice does
        nothing the second time. Returns how many rows were applied."""
        s, m, imports = roster_staging, roster_members, roster_imports
        async with self._chunk() as conn:
            cursor = sa.select(imports.c.applied_through).where(imports.c.id == import_id).scalar_subquery()
            chunk = sa.and_(s.c.id.in_(list(ids)), s.c.import_id == import_id,
                            s.c.nik_hash > sa.func.coalesce(cursor, ""))
            copied = [c for c in STAGED_COLUMNS if c != "import_id"]
            values: dict[str, Any] = {c: s.c[c] for c in copied if c != "nik_hash"}
            updated = (await conn.execute(
                sa.update(m).where(m.c.nik_hash == s.c.nik_hash, chunk)
                .values(**values, import_id=import_id, removed_on=None)
            )).rowcount or 0
            known = sa.exists().where(m.c.nik_hash == s.c.nik_hash)
            inserted = (await conn.execute(sa.insert(m).from_select(
                [*copied, "import_id"],
                sa.select(*(s.c[c] for c in copied), sa.literal(import_id, sa.Integer)).where(chunk, ~known),
            ))).rowcount or 0
            if updated or inserted:
                last = sa.select(sa.func.max(s.c.nik_hash)).where(s.c.id.in_(list(ids))).scalar_subquery()
                await conn.execute(
                    sa.update(imports).where(imports.c.id == import_id)
                    .values(inserted=imports.c.inserted + inserted, updated=imports.c.updated + updated,
                            applied_through=last)
                )
        return int(updated + inserted)

    async def end_missing_chunk(
        self, import_id: int, kabupaten_codes: Sequence[str], today: dt.date, after_id: int, limit: int,
    ) -> int | None:
        """`replace`: among the next `limit` roster rows (by id, after `after_id`), people of these kabupaten that
        this import did not list end today. Returns the last id looked at (None: the end of the roster).
        Does nothing once the import is complete (a second process finishing it may still be looping)."""
        m, imports = roster_members, roster_imports
        async with self._chunk() as conn:
            ids = sa.select(m.c.id).where(m.c.id > after_id).order_by(m.c.id).limit(limit).subquery()
            upper = (await conn.execute(sa.select(sa.func.max(ids.c.id)))).scalar()
            if upper is None:
                return None
            still_applying = sa.exists().where(imports.c.id == import_id, imports.c.status == "applying")
            ended = (await conn.execute(
                sa.update(m)
                .where(m.c.id > after_id, m.c.id <= upper, m.c.kode_kabupaten.in_(list(kabupaten_codes)),
                       m.c.import_id != import_id, m.c.removed_on.is_(None), still_applying)
                .values(removed_on=today)
            )).rowcount or 0
            if ended:
                await conn.execute(sa.update(imports).where(imports.c.id == import_id)
                                   .values(ended=imports.c.ended + ended))
        return int(upper)

    async def complete_import(self, import_id: int, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(roster_imports)
                .where(roster_imports.c.id == import_id, roster_imports.c.status == "applying")
                .values(status="imported", finished_at=now)
            )

    async def abandon_stale(self, started_before: dt.datetime, now: dt.datetime) -> list[int]:
        """Imports still "running" that started before `started_before` died with their process: mark them
        failed (their staged rows are then leftovers)."""
        imports = roster_imports
        stale = sa.and_(imports.c.status == "running", imports.c.created_at < started_before)
        async with self.db.transaction() as conn:
            ids = [int(i) for (i,) in await conn.execute(sa.select(imports.c.id).where(stale))]
            if ids:
                await conn.execute(sa.update(imports).where(imports.c.id.in_(ids), stale)
                                   .values(status="failed", finished_at=now))
        return ids

    async def leftover_imports(self) -> list[int]:
        """Imports with staged rows that will never be applied (rejected, failed …)."""
        imports, s = roster_imports, roster_staging
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(imports.c.id)
                .where(imports.c.id.in_(sa.select(s.c.import_id).distinct()),
                       imports.c.status.not_in(("running", "applying")))
                .order_by(imports.c.id)
            )
            known = [int(i) for (i,) in rows]
            orphans = await conn.execute(
                sa.select(s.c.import_id).distinct()
                .where(~sa.exists().where(imports.c.id == s.c.import_id))
            )
            return sorted({*known, *(int(i) for (i,) in orphans)})

    async def get_import(self, import_id: int) -> ImportRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(roster_imports).where(roster_imports.c.id == import_id))).first()
        return _import(row) if row else None

    async def find_by_nik_hash(self, nik_hash: str) -> MemberRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(roster_members).where(roster_members.c.nik_hash == nik_hash)
            )).first()
        return _member(row) if row else None

    async def get(self, member_id: int) -> MemberRecord | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(roster_members).where(roster_members.c.id == member_id))).first()
        return _member(row) if row else None

    async def count_by_area(self, prefix: str = "", on: dt.date | None = None) -> int:
        """People on the roster in a kabupaten (64.08), kecamatan (64.08.01) or desa code (an empty prefix
        counts everyone): not ended by a `replace`, and, with `on`, protected that day (mulai ≤ on ≤ berakhir)
        — the active members the Paritrana Award counts."""
        m = roster_members
        condition = sa.and_(m.c.removed_on.is_(None), active_on(on))
        level = len(prefix.split(".")) if prefix else 0
        column = {2: m.c.kode_kabupaten, 3: m.c.kode_kecamatan, 4: m.c.kode_desa}.get(level)
        if column is not None:
            condition = sa.and_(condition, column == prefix)
        elif level == 1:
            condition = sa.and_(condition, m.c.kode_kabupaten.like(prefix + ".%"))
        async with self.db.read() as conn:
            stmt = sa.select(sa.func.count()).select_from(m).where(condition)
            return int((await conn.execute(stmt)).scalar_one())

    async def imports(self, limit: int = 20) -> list[ImportRecord]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(roster_imports).order_by(roster_imports.c.id.desc()).limit(limit))
            return [_import(r) for r in rows]
