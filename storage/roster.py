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
A checked file waits staged for the admin's choice ("ready"; thrown away when cancelled or after a day), so
that the choice commits it without reading the file again; `preview` compares its NIK hashes with the roster by
reads only (new / updated / ended per kecamatan: exactly what applying it then does, unless another import
comes between).
Every change an import makes to a roster row is recorded in `roster_history` in the same chunk transaction
(inserted: the row id; updated: every column before; ended: the row id), so that the import can be undone: the
undo restores those rows chunk by chunk (each chunk also deletes its history rows, so a crash resumes where it
stopped) and is refused while an import applies or when a later import changed the same rows.
Status of an import: running → rejected | validated (dry run) | failed, running → ready → cancelled | expired,
or running [→ ready] → applying → imported [→ undoing → undone].
Bulk paths (issue 16): staged rows go through the driver (SQLite `executemany`, PostgreSQL `COPY`), a chunk's ids
are one parameter (SQLite `json_each`, PostgreSQL `= ANY`), and on PostgreSQL a chunk is applied by one statement
(before-images, one INSERT … ON CONFLICT, the "insert" history): the same rows and history as SQLite's four.
The price of short transactions: while a committed import is being applied (about a second per 20,000 rows),
a reader may see some of its rows already and others not yet — each person's row is the old or the new one,
never a mix — and a `replace` ends the people it does not list only once all its rows are in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import time
from array import array
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.roster_lookup import point_reader
from storage.schema import metadata, utc
from storage.sealing import hash_list

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
    sa.Column("committed_at", sa.DateTime(timezone=True)),  # None: imported before undo existed (no history)
    sa.Column("undone_at", sa.DateTime(timezone=True)),
    sa.Column("undone_by", sa.String(64)),
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

# What an import changed, row by row, so that it can be undone (written in the transaction of the change):
# kind "insert" (the row did not exist: only its id), "update" (every column as it was before; `prev_import_id`
# is the row's import_id then) or "end" (a `replace` ended it: removed_on was empty). Deleted by the undo, and
# 30 days after the import (UNDO_WINDOW in the domain) by the daily tidy-up.
roster_history = sa.Table(
    "roster_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, nullable=False),
    sa.Column("member_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("nik_enc", sa.Text),
    sa.Column("verify_hash", sa.String(64)),
    sa.Column("nama_enc", sa.Text),
    sa.Column("kpj_enc", sa.Text),
    sa.Column("kode_desa", sa.String(16)),
    sa.Column("kode_kecamatan", sa.String(12)),
    sa.Column("kode_kabupaten", sa.String(8)),
    sa.Column("program", sa.String(32)),
    sa.Column("sumber_dana", sa.String(24)),
    sa.Column("mulai", sa.Date),
    sa.Column("berakhir", sa.Date),
    sa.Column("prev_import_id", sa.Integer),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("removed_on", sa.Date),
    sa.Index("ix_roster_history_import", "import_id", "id"),
    sa.Index("ix_roster_history_member", "member_id"),
)
# The member columns an update's before-image keeps (import_id as prev_import_id).
HISTORY_COLUMNS = (
    "nik_enc", "verify_hash", "nama_enc", "kpj_enc", "kode_desa", "kode_kecamatan", "kode_kabupaten", "program",
    "sumber_dana", "mulai", "berakhir", "updated_at", "removed_on",
)

# The columns an import writes (staged, then copied into roster_members; `removed_on` is cleared).
STAGED_COLUMNS = (
    "nik_hash", "nik_enc", "verify_hash", "nama_enc", "kpj_enc", "kode_desa", "kode_kecamatan",
    "kode_kabupaten", "program", "sumber_dana", "mulai", "berakhir", "import_id", "updated_at",
)
MEMBER_COLUMNS = (*STAGED_COLUMNS, "removed_on")


class StagedRow(NamedTuple):
    """One row of an import as `stage` writes it (import_id is the batch's)."""

    nik_hash: str
    nik_enc: str
    verify_hash: str
    nama_enc: str
    kpj_enc: str | None
    kode_desa: str
    kode_kecamatan: str
    kode_kabupaten: str
    program: str
    sumber_dana: str
    mulai: dt.date
    berakhir: dt.date
    updated_at: dt.datetime


# The columns `stage` writes, in the order of its parameters (import_id, then a StagedRow).
_STAGE_ORDER = ("import_id", *StagedRow._fields)
_STAGE_SQL = (f"INSERT INTO roster_staging ({', '.join(_STAGE_ORDER)}) "
              f"VALUES ({', '.join('?' for _ in _STAGE_ORDER)})")
APPLIED_STATES = ("applying", "imported", "undoing", "undone")  # committed imports, whatever came after
# PostgreSQL: the many small transactions of a bulk job (staging, chunks) do not wait for their WAL flush. Safe for
# all-or-nothing: a crash can lose only the last of them, never half of one, and each is redone or thrown away as
# after any crash (staged rows count only once `commit_import` commits, which waits for its flush and with it for
# all the WAL before it; a chunk lost is applied again from `applied_through`; `complete_import` waits too).
_NO_FLUSH_WAIT = "SET LOCAL synchronous_commit TO OFF"
# SQLite pragmas for the bulk phase (issue 16), considered and not set: `synchronous` stays NORMAL (in WAL mode a
# commit already waits for no fsync; OFF can corrupt the file on a power cut, and with it the all-or-nothing
# guarantee); `temp_store` stays FILE (MEMORY would hold the sort of `staged_order`, a million NIK hashes, in
# RAM: about +80 MB); `cache_size` is per connection and the pool hands each chunk whichever connection is free,
# so a bigger cache for the import would stay on every pooled connection of the bot (16 MB measured: apply CPU
# -24% at 200,000 rows). It needs one connection held for the apply loop, or a LIFO pool (storage/db.py).
_APPLY_LOCK = 0x524F_5354  # PostgreSQL advisory lock: one chunk of the roster moved at a time, across processes
_MAX_TURN = 0.1  # seconds: the longest pause left to other writers after a chunk (SQLite)

def in_regions(codes: Sequence[str], table: sa.Table | None = None) -> sa.ColumnElement[bool]:
    """Rows of these kabupaten (64.08) or kecamatan (64.08.01) codes."""
    t = roster_members if table is None else table
    parts = [t.c.kode_kecamatan == code if code.count(".") == 2 else t.c.kode_kabupaten == code for code in codes]
    return sa.or_(*parts) if parts else sa.false()


def active_on(day: dt.date | None) -> sa.ColumnElement[bool]:
    """Roster rows whose period covers `day` (no condition for None)."""
    if day is None:
        return sa.true()
    return sa.and_(roster_members.c.mulai <= day, roster_members.c.berakhir >= day)


async def _refresh_statistics(conn: AsyncConnection) -> None:
    """PostgreSQL: refresh the planner's statistics of the roster tables before a bulk apply or undo. Right after a
    bulk load the planner still believes the tables small and joins staged rows to the roster with nested loops
    over whole tables: a 20,000-row re-import took 145 s instead of a few (measured); ANALYZE samples, so it stays
    cheap at a million rows. SQLite plans with its indexes and needs nothing."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("ANALYZE roster_members, roster_staging, roster_history"))


def _among(column: sa.ColumnElement[int], ids: Sequence[int]) -> sa.ColumnElement[bool]:
    """SQLite: `column IN` these ids, bound as one JSON text (`json_each`): one parameter instead of one per id
    (SQLAlchemy re-rendered a 500-parameter IN list for each statement of each chunk)."""
    listed = sa.func.json_each(sa.literal(json.dumps(list(ids)), sa.String)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


_COPIED = [c for c in STAGED_COLUMNS if c != "import_id"]
# PostgreSQL: a chunk in one statement. Every sub-statement of a WITH sees the same snapshot, so `before` keeps
# the rows `up` then overwrites as they were; `up` is one INSERT … ON CONFLICT (xmax = 0: the row is new). The
# before-images are looked up row by row (LATERAL … OFFSET 0: an index probe per staged row): during a bulk load
# the planner's statistics still call the roster tiny, and a plain join hashed the whole roster for every chunk
# (measured: 0.13 s for 500 rows at 26,500 members, growing with the roster).
_UPSERT_CHUNK = sa.text(f"""
WITH chunk AS (
    SELECT s.* FROM roster_staging s
    WHERE s.id = ANY(:ids) AND s.import_id = :import_id
      AND s.nik_hash > coalesce((SELECT applied_through FROM roster_imports WHERE id = :import_id), '')
), before AS (
    INSERT INTO roster_history (import_id, member_id, kind, {', '.join(HISTORY_COLUMNS)}, prev_import_id)
    SELECT :import_id, m.id, 'update', {', '.join('m.' + c for c in HISTORY_COLUMNS)}, m.import_id
    FROM chunk CROSS JOIN LATERAL (SELECT * FROM roster_members WHERE nik_hash = chunk.nik_hash OFFSET 0) m
), up AS (
    INSERT INTO roster_members ({', '.join(_COPIED)}, import_id)
    SELECT {', '.join(_COPIED)}, :import_id FROM chunk ORDER BY nik_hash
    ON CONFLICT (nik_hash) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COPIED if c != 'nik_hash')},
        import_id = EXCLUDED.import_id, removed_on = NULL
    RETURNING id, (xmax = 0) AS fresh
), fresh AS (
    INSERT INTO roster_history (import_id, member_id, kind) SELECT :import_id, id, 'insert' FROM up WHERE fresh
)
SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh),
       (SELECT max(nik_hash) FROM roster_staging WHERE id = ANY(:ids)) FROM up
""")


async def _upsert_chunk(conn: AsyncConnection, import_id: int, ids: Sequence[int]) -> int:
    """`apply_chunk` on PostgreSQL: the before-images, one INSERT … ON CONFLICT and the "insert" history in one
    statement (the same rows and history as SQLite's four statements)."""
    inserted, updated, last = (await conn.execute(_UPSERT_CHUNK, {"ids": list(ids), "import_id": import_id})).one()
    if inserted or updated:
        imports = roster_imports
        await conn.execute(sa.update(imports).where(imports.c.id == import_id).values(
            inserted=imports.c.inserted + inserted, updated=imports.c.updated + updated, applied_through=last))
    return int(inserted + updated)


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
    committed_at: dt.datetime | None = None
    undone_at: dt.datetime | None = None
    undone_by: str | None = None


@dataclass(frozen=True)
class AreaCount:
    """What an import would do in one kecamatan (the preview)."""

    kecamatan: str
    new: int = 0
    updated: int = 0
    ended: int = 0
    current: int = 0  # people listed there now (not ended)


_MEMBER_FIELDS = tuple(MemberRecord.__dataclass_fields__)  # the status lookup's columns
_FIND_BY_NIK_HASHES = sa.select(roster_members).where(
    roster_members.c.nik_hash.in_(sa.bindparam("hashes", expanding=True)))  # built once: no per-lookup construction


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
        committed_at=utc(m["committed_at"]), undone_at=utc(m["undone_at"]), undone_by=m["undone_by"],
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

    async def stage(self, import_id: int, rows: Sequence[StagedRow]) -> None:
        """One batch of an import's rows in its own short transaction, through the driver (a million-row import
        spent more time in SQLAlchemy's executemany than in the database): PostgreSQL `COPY` (asyncpg's
        `copy_records_to_table`, half the time of an INSERT per row), SQLite the driver's `executemany` with the
        values SQLAlchemy would have bound (the same text for dates and timestamps)."""
        if not rows:
            return
        async with self.db.transaction() as conn:
            if conn.dialect.name == "postgresql":
                await conn.exec_driver_sql(_NO_FLUSH_WAIT)
                raw = await conn.get_raw_connection()
                await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                    "roster_staging", columns=_STAGE_ORDER,
                    records=[(import_id, *row) for row in rows])
                return
            bind_date = roster_staging.c.mulai.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            bind_stamp = roster_staging.c.updated_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            bound: dict[Any, Any] = {}  # few distinct dates and timestamps: each converted once

            def date(value: dt.date) -> Any:
                if (text := bound.get(value)) is None:
                    text = bound[value] = bind_date(value) if bind_date else value
                return text

            def stamp(value: dt.datetime) -> Any:
                if (text := bound.get(value)) is None:
                    text = bound[value] = bind_stamp(value) if bind_stamp else value
                return text

            await conn.exec_driver_sql(_STAGE_SQL, [
                (import_id, *row[:10], date(row[10]), date(row[11]), stamp(row[12])) for row in rows])

    async def discard_staged(self, import_id: int, limit: int) -> int:
        """Delete up to `limit` staged rows of an import that will not be applied; returns how many."""
        s = roster_staging
        first = sa.select(s.c.id).where(s.c.import_id == import_id).order_by(s.c.id).limit(limit)
        async with self._chunk() as conn:
            result = await conn.execute(sa.delete(s).where(s.c.id.in_(first.scalar_subquery())))
        return int(result.rowcount or 0)

    async def mark_ready(self, import_id: int, *, regions: Sequence[str], rows_total: int) -> bool:
        """A valid file whose rows are all staged waits for the admin's choice (status "ready")."""
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(roster_imports)
                .where(roster_imports.c.id == import_id, roster_imports.c.status == "running")
                .values(status="ready", regions=",".join(regions)[:255], rows_total=rows_total)
            )
        return bool(result.rowcount)

    async def commit_import(
        self, import_id: int, *, now: dt.datetime, mode: str | None = None, regions: Sequence[str] | None = None,
        rows_total: int | None = None,
    ) -> bool:
        """The point of no return of a valid import (one short transaction): from now on it will be applied,
        by this process or, after a crash, by whoever resumes it. False when it is no longer "running" or
        "ready" (cancelled, expired, or already committed by a first tap)."""
        values: dict[str, Any] = {"status": "applying", "inserted": 0, "updated": 0, "ended": 0,
                                  "committed_at": now}
        if mode is not None:
            values["mode"] = mode
        if regions is not None:
            values["regions"] = ",".join(regions)[:255]
        if rows_total is not None:
            values["rows_total"] = rows_total
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(roster_imports)
                .where(roster_imports.c.id == import_id, roster_imports.c.status.in_(("running", "ready")))
                .values(**values)
            )
            await _refresh_statistics(conn)
        return bool(result.rowcount)

    async def close_ready(self, import_id: int | None, status: str, now: dt.datetime,
                          created_before: dt.datetime | None = None) -> list[int]:
        """Imports waiting for a choice that will not come: one cancelled, or (`created_before`) all those
        older than that, expired. Their staged rows are then leftovers. Returns their ids."""
        imports = roster_imports
        condition = imports.c.status == "ready"
        if import_id is not None:
            condition = sa.and_(condition, imports.c.id == import_id)
        if created_before is not None:
            condition = sa.and_(condition, imports.c.created_at < created_before)
        async with self.db.transaction() as conn:
            ids = [int(i) for (i,) in await conn.execute(sa.select(imports.c.id).where(condition))]
            if ids:
                await conn.execute(sa.update(imports).where(imports.c.id.in_(ids), condition)
                                   .values(status=status, finished_at=now))
        return ids

    async def preview(self, import_id: int, regions: Sequence[str]) -> list[AreaCount]:
        """What committing this staged import would do, per kecamatan, computed by reads only (no write lock):
        staged rows whose NIK hash is listed are updated, the others new; with `regions` (a `replace`), the
        people listed there now (not ended) whose NIK hash is not staged would end."""
        s, m = roster_staging, roster_members
        areas: dict[str, dict[str, int]] = {}

        def area(code: str) -> dict[str, int]:
            return areas.setdefault(code, {"new": 0, "updated": 0, "ended": 0, "current": 0})

        async with self.db.transaction() as conn:  # the staged rows are new to the planner (PostgreSQL)
            await _refresh_statistics(conn)
        async with self.db.read() as conn:
            rows = await conn.execute(
                sa.select(s.c.kode_kecamatan, sa.func.count(), sa.func.count(m.c.id))
                .select_from(s.outerjoin(m, m.c.nik_hash == s.c.nik_hash))
                .where(s.c.import_id == import_id).group_by(s.c.kode_kecamatan)
            )
            for code, total, known in rows:
                area(code).update(new=int(total) - int(known), updated=int(known))
            if regions:
                current = m.c.removed_on.is_(None), in_regions(regions)
                for code, count in await conn.execute(
                        sa.select(m.c.kode_kecamatan, sa.func.count()).where(*current).group_by(m.c.kode_kecamatan)):
                    area(code)["current"] = area(code)["ended"] = int(count)
                kept = await conn.execute(
                    sa.select(m.c.kode_kecamatan, sa.func.count())
                    .select_from(s.join(m, m.c.nik_hash == s.c.nik_hash))
                    .where(s.c.import_id == import_id, *current).group_by(m.c.kode_kecamatan)
                )
                for code, count in kept:
                    area(code)["ended"] -= int(count)
        return [AreaCount(code, **counts) for code, counts in sorted(areas.items())]

    async def next_committed(self) -> ImportRecord | None:
        """The next job: the oldest undo not yet finished, else the oldest import committed but not yet fully
        applied (an undo started only when no import was applying: see `start_undo`)."""
        imports = roster_imports
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(imports).where(imports.c.status.in_(("undoing", "applying")))
                .order_by(sa.case((imports.c.status == "undoing", 0), else_=1), imports.c.id).limit(1)
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
                await conn.exec_driver_sql(_NO_FLUSH_WAIT)
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
            if conn.dialect.name == "postgresql":
                return await _upsert_chunk(conn, import_id, ids)
            among = _among(s.c.id, ids)
            cursor = sa.select(imports.c.applied_through).where(imports.c.id == import_id).scalar_subquery()
            chunk = sa.and_(among, s.c.import_id == import_id,
                            s.c.nik_hash > sa.func.coalesce(cursor, ""))
            copied = [c for c in STAGED_COLUMNS if c != "import_id"]
            values: dict[str, Any] = {c: s.c[c] for c in copied if c != "nik_hash"}
            h = roster_history
            await conn.execute(sa.insert(h).from_select(  # the rows it updates, as they were
                ["import_id", "member_id", "kind", *HISTORY_COLUMNS, "prev_import_id"],
                sa.select(sa.literal(import_id, sa.Integer), m.c.id, sa.literal("update"),
                          *(m.c[c] for c in HISTORY_COLUMNS), m.c.import_id)
                .select_from(s.join(m, m.c.nik_hash == s.c.nik_hash)).where(chunk),
            ))
            updated = (await conn.execute(
                sa.update(m).where(m.c.nik_hash == s.c.nik_hash, chunk)
                .values(**values, import_id=import_id, removed_on=None)
            )).rowcount or 0
            known = sa.exists().where(m.c.nik_hash == s.c.nik_hash)
            inserted = (await conn.execute(sa.insert(m).from_select(
                [*copied, "import_id"],
                sa.select(*(s.c[c] for c in copied), sa.literal(import_id, sa.Integer)).where(chunk, ~known),
            ))).rowcount or 0
            if inserted:  # the rows it inserted (ids now known): those of the chunk it did not update
                updated_here = sa.exists().where(h.c.member_id == m.c.id, h.c.import_id == import_id)
                await conn.execute(sa.insert(h).from_select(
                    ["import_id", "member_id", "kind"],
                    sa.select(sa.literal(import_id, sa.Integer), m.c.id, sa.literal("insert"))
                    .select_from(s.join(m, m.c.nik_hash == s.c.nik_hash)).where(chunk, ~updated_here),
                ))
            if updated or inserted:
                last = sa.select(sa.func.max(s.c.nik_hash)).where(among).scalar_subquery()
                await conn.execute(
                    sa.update(imports).where(imports.c.id == import_id)
                    .values(inserted=imports.c.inserted + inserted, updated=imports.c.updated + updated,
                            applied_through=last)
                )
        return int(updated + inserted)

    async def end_missing_chunk(
        self, import_id: int, kabupaten_codes: Sequence[str], today: dt.date, after_id: int, limit: int,
    ) -> int | None:
        """`replace`: among the next `limit` roster rows (by id, after `after_id`), people of these kabupaten (or
        kecamatan) codes that this import did not list end today. Returns the last id looked at (None: the end
        of the roster). Does nothing once the import is complete (a second process finishing it may still be
        looping)."""
        m, imports = roster_members, roster_imports
        async with self._chunk() as conn:
            ids = sa.select(m.c.id).where(m.c.id > after_id).order_by(m.c.id).limit(limit).subquery()
            upper = (await conn.execute(sa.select(sa.func.max(ids.c.id)))).scalar()
            if upper is None:
                return None
            still_applying = sa.exists().where(imports.c.id == import_id, imports.c.status == "applying")
            ending = (m.c.id > after_id, m.c.id <= upper, in_regions(kabupaten_codes), m.c.import_id != import_id,
                      m.c.removed_on.is_(None), still_applying)
            await conn.execute(sa.insert(roster_history).from_select(  # the rows it ends (removed_on was empty)
                ["import_id", "member_id", "kind"],
                sa.select(sa.literal(import_id, sa.Integer), m.c.id, sa.literal("end")).where(*ending),
            ))
            ended = (await conn.execute(sa.update(m).where(*ending).values(removed_on=today))).rowcount or 0
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

    async def undo_conflict(self, import_id: int) -> int | None:
        """The latest import applied after this one that changed a roster row this one changed (reads only;
        None when there is none): that one must be undone first."""
        mine, later = roster_history.alias("mine"), roster_history.alias("later")
        async with self.db.read() as conn:
            found = (await conn.execute(
                sa.select(later.c.import_id)
                .select_from(mine.join(later, sa.and_(later.c.member_id == mine.c.member_id, later.c.id > mine.c.id)))
                .where(mine.c.import_id == import_id).order_by(later.c.id.desc()).limit(1)
            )).scalar()
        return int(found) if found is not None else None

    async def applied_count(self) -> int:
        """How many imports were ever committed (grows with every commit: an undo checks that none came
        between its look at the history and its start)."""
        imports = roster_imports
        async with self.db.read() as conn:
            return int((await conn.execute(
                sa.select(sa.func.count()).where(imports.c.status.in_(APPLIED_STATES))
            )).scalar_one())

    async def start_undo(self, import_id: int, *, by: str, finished_after: dt.datetime, applied: int) -> str:
        """Mark an import "undoing" (one short transaction), if it still may be: "ok"; "not_undoable" (not
        imported with a history, undone already, or finished before `finished_after`); "busy" (an import or
        an undo is being applied); "changed" (an import was committed since `applied` was counted)."""
        imports = roster_imports
        async with self.db.transaction() as conn:
            row = (await conn.execute(sa.select(imports).where(imports.c.id == import_id))).first()
            record = _import(row) if row else None
            if (record is None or record.status != "imported" or record.committed_at is None
                    or record.finished_at is None or record.finished_at < finished_after):
                return "not_undoable"
            busy = (await conn.execute(sa.select(sa.func.count()).where(
                imports.c.status.in_(("applying", "undoing"))))).scalar_one()
            if busy:
                return "busy"
            count = (await conn.execute(sa.select(sa.func.count()).where(
                imports.c.status.in_(APPLIED_STATES)))).scalar_one()
            if count != applied:
                return "changed"
            await conn.execute(sa.update(imports).where(imports.c.id == import_id, imports.c.status == "imported")
                               .values(status="undoing", undone_by=by[:64]))
            await _refresh_statistics(conn)
        return "ok"

    async def undo_chunk(self, import_id: int, limit: int) -> int:
        """Undo the next `limit` changes of an import being undone (one short transaction): inserted rows are
        deleted, updated rows get their columns back, ended rows are current again; those history rows are
        deleted with it (so a chunk done twice does nothing). Returns how many changes were undone."""
        h, m = roster_history, roster_members
        async with self._chunk() as conn:
            ids = [int(i) for (i,) in await conn.execute(
                sa.select(h.c.id).where(h.c.import_id == import_id).order_by(h.c.id).limit(limit))]
            if not ids:
                return 0
            low, high = ids[0], ids[-1]
            mine = sa.and_(h.c.import_id == import_id, h.c.id >= low, h.c.id <= high)
            await conn.execute(sa.delete(m).where(
                m.c.id.in_(sa.select(h.c.member_id).where(mine, h.c.kind == "insert"))))
            await conn.execute(
                sa.update(m).where(m.c.id == h.c.member_id, mine, h.c.kind == "update")
                .values(**{c: h.c[c] for c in HISTORY_COLUMNS}, import_id=h.c.prev_import_id)
            )
            await conn.execute(sa.update(m).where(
                m.c.id.in_(sa.select(h.c.member_id).where(mine, h.c.kind == "end"))).values(removed_on=None))
            await conn.execute(sa.delete(h).where(mine))
        return len(ids)

    async def finish_undo(self, import_id: int, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                sa.update(roster_imports)
                .where(roster_imports.c.id == import_id, roster_imports.c.status == "undoing")
                .values(status="undone", undone_at=now)
            )

    async def purge_history(self, finished_before: dt.datetime, limit: int) -> int:
        """Delete up to `limit` history rows of imports finished before that moment (they can no longer be
        undone); returns how many."""
        h, imports = roster_history, roster_imports
        old = sa.select(imports.c.id).where(imports.c.status == "imported", imports.c.finished_at < finished_before)
        first = sa.select(h.c.id).where(h.c.import_id.in_(old)).limit(limit)
        async with self._chunk() as conn:
            result = await conn.execute(sa.delete(h).where(h.c.id.in_(first.scalar_subquery())))
        return int(result.rowcount or 0)

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
                       imports.c.status.not_in(("running", "ready", "applying")))
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

    async def find_by_nik_hash(self, nik_hash: str | Sequence[str]) -> MemberRecord | None:
        """The status check's read: on a SQLite file one plain `sqlite3` point read on the loop's thread
        (`storage/roster_lookup.py`: no driver-thread hops; ~1.5 ms less at p99), else (PostgreSQL, or anything
        unusual) one prepared SQLAlchemy statement."""
        hashes = hash_list(nik_hash)
        reader = point_reader(self.db, roster_members, _MEMBER_FIELDS, "nik_hash")
        if reader is not None:
            try:
                found = reader.first(hashes)
            except sqlite3.Error:
                pass
            else:
                return MemberRecord(**found) if found is not None else None
        async with self.db.read() as conn:
            row = (await conn.execute(_FIND_BY_NIK_HASHES, {"hashes": hashes})).first()
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
