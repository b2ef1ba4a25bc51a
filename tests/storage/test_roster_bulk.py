"""Roster import at scale (issue 16): the process-pool check gives exactly the serial check's result, the batch
encryption seals like `encrypt`, the driver-level staging stores what SQLAlchemy would, the fast date path
parses like the patterns."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.domain.roster as roster_module
import bot.domain.roster_files as roster_files
from bot.domain.clock import FixedClock
from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault
from bot.domain.roster import ImportResult, parse_date
from bot.domain.roster_files import SampleRow, sample_rows
from bot.runtime.services import Services, build_services
from bot.runtime.settings import load_settings
from storage.db import Database
from storage.roster import StagedRow, roster_members, roster_staging
from tests.support.roster import BUDI, NOW, SITI, import_rows, roster_csv


@pytest.fixture
def services(db: Database, vault: Vault) -> Services:
    load_catalogs()
    settings = load_settings(DATA_KEY=None, BOT_TOKEN=None)
    return build_services(settings, db, vault, FixedClock(NOW))


def _summary(result: ImportResult) -> tuple[object, ...]:
    return (result.status, result.rows, result.error_count, result.regions,
            [(e.row, e.column, e.code, e.params) for e in result.errors], result.inserted, result.updated)


def _messy_rows() -> list[SampleRow]:
    """Valid rows, bad ones, and NIKs repeated across pool chunks."""
    rows = list(sample_rows(20))
    rows[4] = dataclasses.replace(rows[4], tanggal_lahir=dt.date(1999, 1, 1))  # does not match the NIK
    rows[9] = dataclasses.replace(rows[9], kode_desa="64.08.01.9999")
    rows.append(rows[2])  # a duplicate, chunks later
    rows.append(dataclasses.replace(rows[11], nama=""))  # a duplicate NIK that is also invalid
    return [SITI, *rows, BUDI, rows[0]]


@pytest.mark.parametrize("rows", [_messy_rows(), [SITI, BUDI, *sample_rows(13)]], ids=["rejected", "imported"])
async def test_the_pool_check_gives_the_serial_result(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[SampleRow]) -> None:
    path = tmp_path / "roster.csv"
    text = roster_csv(rows).decode()
    lines = text.splitlines(keepends=True)
    path.write_text("".join([*lines[:5], ",,,,,,,,\n", *lines[5:]]), encoding="utf-8")  # a blank row too
    serial = await services.roster.check(path, file_name="a.csv", imported_by="test", dry_run=True)
    monkeypatch.setattr(roster_module, "POOL_MIN_ROWS", 1)
    monkeypatch.setattr(roster_module, "POOL_CHUNK", 3)
    monkeypatch.setattr(roster_module, "BATCH_SIZE", 4)
    pooled = await services.roster.check(path, file_name="a.csv", imported_by="test", dry_run=True)
    assert _summary(pooled) == _summary(serial)
    assert pooled.rows == len(rows)
    if serial.status == "validated":
        imported = await services.roster.import_file(path, file_name="a.csv", imported_by="test")
        assert (imported.status, imported.inserted) == ("imported", len(rows))
        assert await services.roster.count_by_area("64.08") == len(rows)


async def test_a_file_error_in_the_pool_comes_after_the_rows_before_it(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*sample_rows(9), dataclasses.replace(BUDI, kode_desa="64.08.01.9999")]
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(rows))
    monkeypatch.setattr(roster_files, "MAX_ROWS", 8)  # row 9 is one too many
    serial = await services.roster.check(path, file_name="a.csv", imported_by="test", dry_run=True)
    monkeypatch.setattr(roster_module, "POOL_MIN_ROWS", 1)
    monkeypatch.setattr(roster_module, "POOL_CHUNK", 3)
    pooled = await services.roster.check(path, file_name="a.csv", imported_by="test", dry_run=True)
    assert _summary(pooled) == _summary(serial)
    assert [e.code for e in pooled.errors] == ["file_too_many_rows"] and pooled.rows == 7


def test_encrypt_many_seals_like_encrypt(vault: Vault) -> None:
    values = ["6408045708850003", "Siti Aminah", "", "Ñoño 名前"]
    tokens = vault.encrypt_many(values, context="roster_members.nama")
    single = vault.encrypt("x", context="roster_members.nama")
    assert [vault.decrypt(t, context="roster_members.nama") for t in tokens] == values
    assert all(t[:t.rindex(":") + 1] == single[:single.rindex(":") + 1] for t in tokens)  # the same format
    assert len({t for t in vault.encrypt_many(["same"] * 50)}) == 50  # a fresh nonce each
    assert vault.encrypt_many([]) == []


@pytest.mark.parametrize("text", ["17/08/1985", "17-08-1985", "17.08.1985", "17 08 1985", "17/08-1985",
                                  "31/02/2024", "00/01/2024", "١٧/٠٨/١٩٨٥", "1/8/1985", "17/8/1985", "ab/08/1985",
                                  "17/08/19851", " 17/08/1985 ", "17/08/0000"])
def test_the_fast_date_path_parses_like_the_patterns(text: str) -> None:
    match = roster_module._DMY_DATE.fullmatch(text.strip())
    expected: dt.date | None = None
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            expected = dt.date(year, month, day)
        except ValueError:
            expected = None
    assert parse_date(text) == expected


async def test_staged_rows_read_back_as_written(db: Database, services: Services) -> None:
    stamp = dt.datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=dt.UTC)
    rows = [StagedRow("h1", "n1", "", "m1", None, "64.08.04.2001", "64.08.04", "64.08", "JKK+JKM", "APBD",
                      dt.date(2026, 1, 1), dt.date(2026, 12, 31), stamp),
            StagedRow("h2", "n2", "", "m2", "k2", "64.08.01.2001", "64.08.01", "64.08", "JKK+JKM+JHT", "CSR",
                      dt.date(2025, 1, 1), dt.date(2025, 12, 31), stamp)]
    import_id = await services.roster.begin(file_name="a.csv", imported_by="test")
    await services.roster.repository.stage(import_id, rows)
    s = roster_staging
    async with db.transaction() as conn:  # the same rows as SQLAlchemy writes them
        await conn.execute(sa.insert(s), [{**row._asdict(), "import_id": import_id + 1} for row in rows])

    async def read(import_id: int) -> list[tuple[object, ...]]:
        async with db.read() as conn:
            return [tuple(r) for r in await conn.execute(
                sa.select(*(s.c[c] for c in StagedRow._fields)).where(s.c.import_id == import_id).order_by(s.c.id))]

    found = await read(import_id)
    assert found == await read(import_id + 1)
    assert [r[:12] for r in found] == [tuple(r)[:12] for r in rows]


async def test_a_second_import_updates_and_undo_restores_through_the_bulk_path(
        services: Services, db: Database, tmp_path: Path) -> None:
    await import_rows(services, tmp_path, [SITI, BUDI])
    async with db.read() as conn:
        before = [tuple(r) for r in await conn.execute(sa.select(roster_members).order_by(roster_members.c.id))]
    renewed = dataclasses.replace(BUDI, berakhir=dt.date(2027, 6, 30))
    again = await import_rows(services, tmp_path, [renewed, *sample_rows(3)])
    assert (again.inserted, again.updated) == (3, 1)
    assert again.import_id is not None
    assert (await services.roster.undo(again.import_id, by="test")).problem is None
    async with db.read() as conn:
        after = [tuple(r) for r in await conn.execute(sa.select(roster_members).order_by(roster_members.c.id))]
    assert after == before
