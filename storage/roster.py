"""The district roster (who the Pemda/CSR/dana desa pays for) and the record of every import.

Personal fields are never stored in clear: the NIK as a keyed hash (lookup) plus an encrypted copy, the
birth date only inside a keyed hash of (NIK, birth date) used to verify a status check, name and KPJ
encrypted. Region codes are kept in clear so the roster size per area can be counted.
"""

from __future__ import annotations

import datetime as dt
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
)

roster_members = sa.Table(
    "roster_members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nik_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("nik_enc", sa.Text, nullable=False),
    sa.Column("verify_hash", sa.String(64), nullable=False),  # keyed hash of (NIK, birth date)
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

MEMBER_COLUMNS = (
    "nik_hash", "nik_enc", "verify_hash", "nama_enc", "kpj_enc", "kode_desa", "kode_kecamatan",
    "kode_kabupaten", "program", "sumber_dana", "mulai", "berakhir", "import_id", "updated_at", "removed_on",
)


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
        finished_at=utc(m["finished_at"]),
    )


class RosterWriter:
    """Writes one import inside one transaction: nothing is visible until it commits."""

    def __init__(self, conn: AsyncConnection, import_id: int) -> None:
        self.conn = conn
        self.import_id = import_id

    async def write_batch(self, rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Insert new people, update known ones (by NIK hash); returns (inserted, updated)."""
        if not rows:
            return 0, 0
        hashes = [r["nik_hash"] for r in rows]
        found = await self.conn.execute(
            sa.select(roster_members.c.nik_hash).where(roster_members.c.nik_hash.in_(hashes))
        )
        existing = {h for (h,) in found}
        new = [r for r in rows if r["nik_hash"] not in existing]
        known = [{**r, "b_nik_hash": r["nik_hash"]} for r in rows if r["nik_hash"] in existing]
        if new:
            await self.conn.execute(sa.insert(roster_members), new)
        if known:
            values: dict[str, Any] = {c: sa.bindparam(c) for c in MEMBER_COLUMNS if c != "nik_hash"}
            await self.conn.execute(
                sa.update(roster_members)
                .where(roster_members.c.nik_hash == sa.bindparam("b_nik_hash"))
                .values(values),
                known,
            )
        return len(new), len(known)

    async def end_missing(self, kabupaten_codes: Sequence[str], today: dt.date) -> int:
        """`replace`: people of these kabupaten that this import did not list end today."""
        result = await self.conn.execute(
            sa.update(roster_members)
            .where(
                roster_members.c.kode_kabupaten.in_(list(kabupaten_codes)),
                roster_members.c.import_id != self.import_id,
                roster_members.c.removed_on.is_(None),
            )
            .values(removed_on=today)
        )
        return int(result.rowcount or 0)


class RosterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        self, import_id: int, *, status: str, regions: Sequence[str], rows_total: int, inserted: int = 0,
        updated: int = 0, ended: int = 0, errors: int = 0, now: dt.datetime,
        conn: AsyncConnection | None = None,
    ) -> None:
        stmt = (
            sa.update(roster_imports).where(roster_imports.c.id == import_id)
            .values(status=status, regions=",".join(regions)[:255], rows_total=rows_total, inserted=inserted,
                    updated=updated, ended=ended, errors=errors, finished_at=now)
        )
        if conn is not None:
            await conn.execute(stmt)
            return
        async with self.db.transaction() as own:
            await own.execute(stmt)

    @asynccontextmanager
    async def writer(self, import_id: int) -> AsyncIterator[RosterWriter]:
        """One transaction for the whole import: it commits only when the block ends without error."""
        async with self.db.transaction() as conn:
            yield RosterWriter(conn, import_id)

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

    async def count_by_area(self, prefix: str = "") -> int:
        """People currently on the roster in a kabupaten (64.08), kecamatan (64.08.01) or desa code;
        an empty prefix counts everyone."""
        current = roster_members.c.removed_on.is_(None)
        level = len(prefix.split(".")) if prefix else 0
        column = {2: roster_members.c.kode_kabupaten, 3: roster_members.c.kode_kecamatan,
                  4: roster_members.c.kode_desa}.get(level)
        condition = current if column is None else sa.and_(current, column == prefix)
        if level == 1:
            condition = sa.and_(current, roster_members.c.kode_kabupaten.like(prefix + ".%"))
        async with self.db.read() as conn:
            stmt = sa.select(sa.func.count()).select_from(roster_members).where(condition)
            return int((await conn.execute(stmt)).scalar_one())

    async def imports(self, limit: int = 20) -> list[ImportRecord]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(roster_imports).order_by(roster_imports.c.id.desc()).limit(limit))
            return [_import(r) for r in rows]
