"""Roster import: parsing, validation (all or nothing), modes, storage on SQLite and PostgreSQL, CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.i18n import load_catalogs, translator
from bot.domain.privacy import Vault
from bot.domain.roster import error_report_csv, map_header, parse_date, validate_row
from bot.domain.roster_files import SAMPLE_HEADER, csv_bytes, sample_rows, write_sample_csv, xlsx_bytes
from bot.runtime.services import Services, build_services
from bot.runtime.settings import load_settings
from storage.db import Database
from storage.roster import roster_members
from tests.support.roster import BUDI, NOW, SITI, import_rows, roster_csv

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def services(db: Database, vault: Vault) -> Services:
    load_catalogs()
    settings = load_settings(DATA_KEY=None, BOT_TOKEN=None)
    return build_services(settings, db, vault, FixedClock(NOW))


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-01-31", dt.date(2026, 1, 31)),
    ("31/01/2026", dt.date(2026, 1, 31)),
    ("31-1-2026", dt.date(2026, 1, 31)),
    ("31.01.2026", dt.date(2026, 1, 31)),
    (dt.datetime(2026, 1, 31, 0, 0), dt.date(2026, 1, 31)),
    (46053, dt.date(2026, 1, 31)),  # Excel serial number
    ("46053", dt.date(2026, 1, 31)),
    ("31/02/2026", None),
    ("kemarin", None),
    ("", None),
    (None, None),
])
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected  # type: ignore[arg-type]


def test_header_aliases_and_missing_columns() -> None:
    mapping, errors = map_header(SAMPLE_HEADER)
    assert errors == [] and mapping["kpj"] == 8 and mapping["tanggal_lahir"] == 2
    mapping, errors = map_header(["nik", "Nama", "tanggal_lahir", "Kode_Desa", "program", "Sumber Dana", "mulai"])
    assert [(e.column, e.code) for e in errors] == [("berakhir", "missing_column")]


def test_every_problem_of_a_row_is_reported() -> None:
    mapping, _ = map_header(SAMPLE_HEADER)
    cells: list[object] = ["6408045708850003", "", "18/08/1985", "64.08.99.9999", "JHT", "APBD!", "2026-12-31",
                           "2026-01-01", "12"]
    row, errors = validate_row(cells, mapping, 7, TODAY)  # type: ignore[arg-type]
    assert row is None
    assert [(e.row, e.column, e.code) for e in errors] == [
        (7, "nama", "empty"), (7, "tanggal_lahir", "birth_mismatch"), (7, "kode_desa", "desa_unknown"),
        (7, "program", "program_invalid"), (7, "sumber_dana", "sumber_invalid"), (7, "berakhir", "period_order"),
        (7, "kpj", "kpj_invalid"),
    ]
    row, errors = validate_row(SITI.cells(), mapping, 2, TODAY)  # type: ignore[arg-type]
    assert errors == [] and row is not None and row.kode_kecamatan == "64.08.04" and row.kode_kabupaten == "64.08"


async def test_import_stores_no_personal_data_in_clear(services: Services, db: Database, tmp_path: Path) -> None:
    result = await import_rows(services, tmp_path, [SITI, BUDI])
    assert (result.status, result.rows, result.inserted, result.updated) == ("imported", 2, 2, 0)
    assert result.regions == ["64.08"]
    async with db.read() as conn:
        dump = " ".join(str(v) for row in await conn.execute(sa.select(roster_members)) for v in row)
    for secret in (SITI.nik, "Siti", "1985-08-17", SITI.kpj, BUDI.nik):
        assert secret not in dump
    member = await services.roster.repository.find_by_nik_hash(services.vault.hash_nik(SITI.nik))
    assert member is not None and member.kode_desa == "64.08.04.2001"
    assert services.vault.decrypt(member.nama_enc, context="roster_members.nama") == "Siti Aminah"
    assert await services.roster.count_by_area("64.08") == 2
    assert await services.roster.count_by_area("64.08.04") == 1
    assert await services.roster.count_by_area("64.08.04.2001") == 1
    assert await services.roster.count_by_area("64.09") == 0
    assert await services.roster.count_by_area("64") == 2


async def test_bad_rows_reject_the_whole_file(services: Services, tmp_path: Path) -> None:
    await import_rows(services, tmp_path, [BUDI])
    broken = dataclasses.replace(SITI, nik="640804570885000")  # 15 digits
    late = dataclasses.replace(BUDI, mulai=dt.date(2027, 1, 1), berakhir=dt.date(2026, 1, 1))
    twin = dataclasses.replace(SITI, nama="Siti Kembar")
    good = next(iter(sample_rows(1)))
    result = await import_rows(services, tmp_path, [good, broken, late, SITI, twin], name="bad.csv")
    assert result.status == "rejected" and result.error_count == 3
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "nik", "nik_digits"), (4, "berakhir", "period_order"), (6, "nik", "nik_duplicate")]
    t = translator("id")
    assert result.errors[2].reason(t) == "NIK ini juga ada di baris 5"
    report = error_report_csv(result.errors, t).decode("utf-8-sig").splitlines()
    assert report[0] == "baris,kolom,alasan" and report[1] == "3,NIK,NIK harus 16 digit"
    assert await services.roster.count_by_area() == 1  # nothing of bad.csv was written
    imports = await services.roster.imports()
    assert (imports[0].file_name, imports[0].status, imports[0].errors) == ("bad.csv", "rejected", 3)


def test_the_error_report_names_whole_file_problems_and_neutralises_cells() -> None:
    from bot.domain.roster import RowError, error_lines

    t = translator("id")
    errors = [RowError(0, "", "no_rows"), RowError(7, "kode_desa", "desa_outside", (("region", "64"),)),
              RowError(8, "nama", "nik_duplicate", (("row", "=1+2"),))]
    report = error_report_csv(errors, t, extra=1234).decode("utf-8-sig").splitlines()
    assert report[1:] == ["file,,file tidak berisi data", "7,Kode Desa,desa di luar wilayah impor ini (64)",
                          "8,Nama,NIK ini juga ada di baris =1+2", "…,,1.234 masalah lain tidak ditampilkan"]
    cells = error_report_csv([RowError(9, "=x", "no_rows")], t).decode("utf-8-sig").splitlines()[1]
    assert cells == "9,'=x,file tidak berisi data"  # a cell starting with = is written as text
    assert error_lines(errors[:1], t)[0].startswith("file: ")


async def test_dry_run_writes_nothing(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(roster_csv([SITI]))
    result = await services.roster.import_file(path, file_name="r.csv", dry_run=True, imported_by="test")
    assert (result.status, result.rows) == ("validated", 1)
    assert await services.roster.count_by_area() == 0


async def test_upsert_updates_and_replace_ends_missing(services: Services, tmp_path: Path) -> None:
    await import_rows(services, tmp_path, [SITI, BUDI])
    renewed = dataclasses.replace(BUDI, mulai=dt.date(2026, 1, 1), berakhir=dt.date(2027, 6, 30))
    result = await import_rows(services, tmp_path, [renewed], mode="upsert")
    assert (result.inserted, result.updated, result.ended) == (0, 1, 0)
    budi = await services.roster.repository.find_by_nik_hash(services.vault.hash_nik(BUDI.nik))
    assert budi is not None and budi.berakhir == dt.date(2027, 6, 30)
    result = await import_rows(services, tmp_path, [renewed], mode="replace")
    assert (result.updated, result.ended) == (1, 1)
    siti = await services.roster.repository.find_by_nik_hash(services.vault.hash_nik(SITI.nik))
    assert siti is not None and siti.removed_on == TODAY
    assert await services.roster.count_by_area("64.08") == 1
    result = await import_rows(services, tmp_path, [SITI], mode="upsert")  # back on the list
    siti = await services.roster.repository.find_by_nik_hash(services.vault.hash_nik(SITI.nik))
    assert siti is not None and siti.removed_on is None


async def test_csv_dialects_and_xlsx(services: Services, tmp_path: Path) -> None:
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_bytes(roster_csv([SITI], delimiter=";", bom=True))
    importer = services.roster
    result = await importer.import_file(semicolon, file_name="s.csv", imported_by="t")
    assert (result.status, result.inserted) == ("imported", 1)
    workbook = tmp_path / "roster.xlsx"
    header = ["No NIK", "Nama Peserta", "Tgl Lahir", "Kode Desa", "Program", "Sumber Dana", "Tgl Mulai",
              "Tgl Berakhir", "No KPJ"]
    workbook.write_bytes(xlsx_bytes(header, [
        [int(BUDI.nik), BUDI.nama, dt.datetime(1979, 3, 2), "6408012001", "JKK + JKM + JHT", "dana desa",
         dt.datetime(2026, 1, 1), 46387, None],
    ]))
    result = await importer.import_file(workbook, file_name="roster.xlsx", imported_by="t")
    assert (result.status, result.inserted) == ("imported", 1), result.errors
    budi = await services.roster.repository.find_by_nik_hash(services.vault.hash_nik(BUDI.nik))
    assert budi is not None
    assert (budi.program, budi.sumber_dana, budi.berakhir) == ("JKK+JKM+JHT", "DANA_DESA", dt.date(2026, 12, 31))


async def test_unreadable_and_unsupported_files(services: Services, tmp_path: Path) -> None:
    importer = services.roster
    for name, data, code in (("x.pdf", b"%PDF", "file_unsupported"), ("x.xlsx", b"not a zip", "file_unreadable"),
                             ("x.csv", "nik;nama\n".encode("utf-16"), "file_encoding"),
                             ("x.csv", csv_bytes(SAMPLE_HEADER, []), "no_rows")):
        path = tmp_path / name
        path.write_bytes(data)
        result = await importer.import_file(path, file_name=name, imported_by="t")
        assert result.status == "rejected" and [e.code for e in result.errors] == [code], name


def test_cli_import_prints_counts_and_rejects_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from bot.domain.privacy import generate_key
    from bot.runtime.cli import main

    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    sample = tmp_path / "sample.csv"
    assert main(["roster", "sample", str(sample), "--rows", "50"]) == 0
    assert main(["roster", "import", str(sample), "--dry-run", "--no-progress"]) == 0
    assert "50 baris valid" in capsys.readouterr().out
    assert main(["roster", "import", str(sample), "--no-progress"]) == 0
    assert "50 baris diimpor — baru 50, diperbarui 0, diakhiri 0" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    assert main(["roster", "sample", str(bad), "--rows", "10", "--bad", "4"]) == 0
    report = tmp_path / "report.csv"
    assert main(["roster", "import", str(bad), "--no-progress", "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "5 masalah; tidak ada yang diimpor" in out
    for line in ("baris 12, NIK: NIK harus 16 digit", "baris 13, Tanggal Lahir: tidak cocok",
                 "baris 14, Kode Desa: kode desa/kelurahan tidak dikenal", "baris 15, Berakhir: berakhir sebelum"):
        assert line in out
    assert report.read_text(encoding="utf-8-sig").count("\n") == 6


def test_sample_rows_are_valid_and_distinct(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    assert write_sample_csv(path, sample_rows(30_000)) == 30_000
    niks = [r.nik for r in sample_rows(30_000)]
    assert len(set(niks)) == 30_000
    mapping, _ = map_header(SAMPLE_HEADER)
    for row in list(sample_rows(500)):
        assert validate_row(row.cells(), mapping, 2, TODAY)[1] == []  # type: ignore[arg-type]


async def test_a_bad_row_after_written_batches_rolls_everything_back(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.domain.roster

    monkeypatch.setattr(bot.domain.roster, "BATCH_SIZE", 2)  # rows 2-5 are written before row 6 fails
    rows = [*sample_rows(4), dataclasses.replace(SITI, kode_desa="64.08.04.9999"), *list(sample_rows(8))[4:]]
    result = await import_rows(services, tmp_path, rows)
    assert result.status == "rejected" and (result.inserted, result.error_count) == (0, 1)
    assert [(e.row, e.code) for e in result.errors] == [(6, "desa_unknown")]
    assert await services.roster.count_by_area() == 0
    assert (await import_rows(services, tmp_path, rows[:4])).inserted == 4
